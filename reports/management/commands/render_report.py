"""Render the PDF report of an assessment synchronously, into a file."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports import rendering, selectors


class Command(BaseCommand):
    help = (
        "Render the PDF report of an assessment in this process and write it to "
        "a file. No report record is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument(
            "--out", required=True, type=Path, help="The PDF file to write."
        )
        parser.add_argument(
            "--reading",
            choices=selectors.READINGS,
            default="auto",
            help="The reading the summary and gap lists lead with: self, "
            "verified, or auto (verified once finalised). Default: auto.",
        )

    def handle(self, *args, assessment_id, out, reading, **options):
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"No assessment has the id {assessment_id}.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder of --out does not exist: {out.parent}")

        context = selectors.report_context(assessment, reading=reading)
        rendered = rendering.render_report(context)
        # Written beside the target and renamed, so a reader never sees
        # half a file.
        partial = out.with_name(f".{out.name}.part")
        partial.write_bytes(rendered.data)
        os.replace(partial, out)

        self.stdout.write(
            f"Wrote {out}: {rendered.page_count} pages, {len(rendered.data)} bytes, "
            f"revision {context.revision[:12]}, led by the {context.reading} reading."
        )
