"""Install or refresh versions of the maturity model from fixture files."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from maturity.models import Framework, Stage

FIXTURE_PATTERN = "framework_*.json"


def default_fixtures():
    """Return every framework fixture shipped in the project, sorted by name."""
    return sorted((Path(settings.BASE_DIR) / "fixtures").glob(FIXTURE_PATTERN))


def frameworks_in(path):
    """Return the ``(code, version)`` of every framework a fixture file defines."""
    try:
        objects = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read fixture {path}: {error}") from None
    if not isinstance(objects, list):
        raise CommandError(f"Fixture {path} is not a list of objects.")
    return [
        (entry["fields"]["code"], entry["fields"]["version"])
        for entry in objects
        if isinstance(entry, dict) and entry.get("model") == "maturity.framework"
    ]


class Command(BaseCommand):
    help = (
        "Load maturity model fixtures (default: every fixtures/framework_*.json). "
        "Rows are matched by natural key, so loading again changes nothing and a "
        "new version is installed beside the old ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="fixture files to load")

    def handle(self, *args, files, verbosity, **options):
        paths = [Path(name) for name in files] or default_fixtures()
        if not paths:
            raise CommandError(
                f"No fixture given and none matches fixtures/{FIXTURE_PATTERN}."
            )
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError(f"No such fixture file: {', '.join(missing)}")

        keys = []
        for path in paths:
            for key in frameworks_in(path):
                if key not in keys:
                    keys.append(key)
        call_command(
            "loaddata",
            *[str(path) for path in paths],
            verbosity=max(verbosity - 1, 0),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if verbosity >= 1:
            for code, version in keys:
                self.stdout.write(self.summary(code, version))

    def summary(self, code, version):
        """Return one line naming a framework and the size of its catalogue."""
        framework = Framework.objects.get(code=code, version=version)
        return (
            f"{framework.code} {framework.version}: "
            f"{framework.levels.count()} levels, "
            f"{framework.principles.count()} principles, "
            f"{framework.modules.count()} modules, "
            f"{Stage.objects.filter(module__framework=framework).count()} stages, "
            f"{framework.requirements.count()} requirements"
        )
