"""Record the rows that existed before history was kept, as a baseline.

The first change to such a row then shows its old values. Baseline records
carry the change reason ``baseline`` and are not listed as changes.
"""

from django.db import migrations
from django.utils import timezone

BASELINE = "baseline"
TRACKED = [
    "Membership",
    "Assessment",
    "AssessmentTarget",
    "AuditorGrant",
    "Answer",
    "Evidence",
    "EvidenceLink",
    "Review",
    "Comment",
    "Finding",
]


def record_baseline(apps, schema_editor):
    now = timezone.now()
    for name in TRACKED:
        model = apps.get_model("assessments", name)
        historical = apps.get_model("assessments", f"Historical{name}")
        fields = [field.attname for field in model._meta.concrete_fields]
        batch = []
        for row in model.objects.values(*fields).iterator(chunk_size=1000):
            batch.append(
                historical(
                    **row,
                    history_date=now,
                    history_type="~",
                    history_change_reason=BASELINE,
                )
            )
            if len(batch) == 1000:
                historical.objects.bulk_create(batch)
                batch = []
        historical.objects.bulk_create(batch)


def drop_baseline(apps, schema_editor):
    for name in TRACKED:
        historical = apps.get_model("assessments", f"Historical{name}")
        historical.objects.filter(history_change_reason=BASELINE).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_history")]

    operations = [migrations.RunPython(record_baseline, drop_baseline)]
