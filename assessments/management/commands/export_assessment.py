"""Export an assessment as an assessment file (JSON) or archive (ZIP)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.interchange.archive import write_archive
from assessments.interchange.errors import FileRefused
from assessments.interchange.json_io import dump, export_document
from assessments.models import Assessment


class Command(BaseCommand):
    help = (
        "Write assessment PK as JSON to standard output or --output, or as a ZIP "
        "with its evidence files (--zip, needs --output)."
    )
    # The JSON goes to stdout for programs; a system check warning would
    # add lines to stderr.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("pk", type=int, help="id of the assessment")
        parser.add_argument("--output", "-o", help="file to write; - for stdout")
        parser.add_argument(
            "--zip",
            action="store_true",
            dest="as_zip",
            help="write a ZIP with the evidence files",
        )

    def handle(self, *args, pk, output, as_zip, **options):
        assessment = (
            Assessment.objects.select_related("organisation", "framework")
            .filter(pk=pk)
            .first()
        )
        if assessment is None:
            raise CommandError(f"assessment {pk}: no such assessment")
        if as_zip and (output is None or output == "-"):
            raise CommandError("--zip: name the file to write with --output")

        if as_zip:
            try:
                with Path(output).open("wb") as out:
                    write_archive(assessment, out)
            except FileRefused as error:
                Path(output).unlink(missing_ok=True)
                raise CommandError(" ".join(error.messages)) from None
            except OSError as error:
                raise CommandError(
                    f"{output}: cannot write ({error.strerror})"
                ) from None
            return
        content = dump(export_document(assessment))
        if output is None or output == "-":
            sys.stdout.buffer.write(content + b"\n")
            sys.stdout.buffer.flush()
            return
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(f"{output}: cannot write ({error.strerror})") from None
