"""Load the demo organisation, its people and two years of assessments."""

import logging
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from assessments import demo
from assessments.demo.content import load_content

# Loggers that note each of the load's thousand-odd writes and rendered PDFs.
CHATTY_LOGGERS = ("assessments", "reports", "weasyprint", "fontTools")


@contextmanager
def quieter_logs(verbosity: int):
    """Keep the chatty loggers to warnings unless asked for more (-v 2)."""
    if verbosity >= 2:
        yield
        return
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Create the demo organisation (short name “demo”) with five accounts and "
        "two assessments, writing through the services so the history records "
        "every step. Does nothing when the demo organisation already exists."
    )

    def handle(self, *args, verbosity, **options):
        content = load_content()
        if demo.demo_exists():
            self.stdout.write(
                f"The demo organisation “{content.slug}” already exists; "
                "nothing was changed."
            )
            return

        try:
            with quieter_logs(verbosity):
                result = demo.load_demo()
        except demo.DemoError as error:
            raise CommandError(str(error)) from None
        if verbosity < 1:
            return
        self.stdout.write(self._summary(result, content))

    def _summary(self, result, content) -> str:
        lines = [
            f"Loaded {content.organisation_name} (/orgs/{content.slug}/):",
            f"  {result.previous.title}: {result.previous.get_status_display()}",
            f"  {result.current.title}: {result.current.get_status_display()}",
            "",
            "Levels      2025 self  2025 verified  2026 self  2026 verified",
        ]
        for row in demo.level_table(result):
            label = f"  {row.code}" if row.is_stage else row.code
            name = f"  {row.name}" if row.is_stage else row.name
            levels = [
                row.levels[2025, "self"],
                row.levels[2025, "verified"],
                row.levels[2026, "self"],
                row.levels[2026, "verified"],
            ]
            lines.append(
                f"{label:<12}{levels[0]:>9}{levels[1]:>15}{levels[2]:>11}"
                f"{levels[3]:>15}   {name}"
            )
        lines += ["", f"Accounts (password {content.password}):"]
        for person in content.people:
            role = person.role or "auditor"
            lines.append(
                f"  {person.username:<10} {role:<9} {person.name}  {person.job}"
            )
            lines.append(f"  {'':<10} {'':<9} {person.can}")
        return "\n".join(lines)
