"""Print an installed version of the maturity model as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from maturity.models import Framework
from maturity.selectors import DEFAULT_FRAMEWORK_CODE, framework_tree, get_framework


class Command(BaseCommand):
    help = (
        "Print the catalogue of a framework (levels, principles, modules, stages "
        "and requirements) as JSON. Without --version, the latest installed one."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Let --version name the framework's version, replacing the base
        # option that would print Django's.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "code",
            nargs="?",
            default=DEFAULT_FRAMEWORK_CODE,
            help=f"framework code (default {DEFAULT_FRAMEWORK_CODE})",
        )
        parser.add_argument(
            "--version",
            dest="framework_version",
            help="framework version (default: the latest installed)",
        )

    def handle(self, *args, code, framework_version, **options):
        try:
            framework = get_framework(code, framework_version)
        except Framework.DoesNotExist as error:
            installed = ", ".join(
                f"{c} {v}"
                for c, v in Framework.objects.order_by("code", "version").values_list(
                    "code", "version"
                )
            )
            raise CommandError(f"{error} Installed: {installed or 'none'}.") from None
        self.stdout.write(
            json.dumps(framework_tree(framework), ensure_ascii=False, indent=2)
        )
