"""App of organisations, assessments, questionnaires and evidence."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from assessments import receivers  # noqa: F401 - connects the receivers
