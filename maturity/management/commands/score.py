"""Score a file of answers from the command line and print the result as JSON.

The file reads ``{"answers": [{"requirement": "STR-1.1", "status":
"satisfied"}, ...]}``, optionally with ``"framework"`` (a code, or an object
``{"code": ..., "version": ...}`` as an assessment export writes it) and
``"version"``. Requirements it does not list, and entries whose status is null
or absent, are unanswered. Any error ends the command with one line on stderr
naming the offending entry, and nothing on stdout.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from maturity.catalogues import get_catalogue
from maturity.models import Framework
from maturity.scoring import LEVELS, STATUSES, ScoringInputError, score

DEFAULT_FRAMEWORK = "AIMRG"
_STATUS_CHOICES = ", ".join(STATUSES)


class Command(BaseCommand):
    help = (
        "Score a JSON file of answers against an installed framework (default: "
        "the latest version of AIMRG) and print the levels as JSON."
    )
    # The output is read by programs: nothing but the result may reach stdout,
    # and a system check warning would add lines to stderr.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="answers file, or - for standard input")
        parser.add_argument(
            "--target",
            action="append",
            default=[],
            metavar="MODULE=LEVEL",
            help="target level of one module; may be repeated",
        )
        parser.add_argument(
            "--target-all",
            metavar="N",
            help="target level of every module without a --target of its own",
        )

    def handle(self, *args, file, target, target_all, **options):
        data = read_file(file)
        if not isinstance(data, dict):
            raise CommandError(
                f"{file}: expected an object with an 'answers' list, "
                f"not {json_type(data)}"
            )
        framework = find_framework(data)
        catalogue = get_catalogue(framework)
        answers = read_answers(data, catalogue.codes)
        targets = read_targets(target, target_all, catalogue.modules)
        try:
            result = score(catalogue, answers, targets)
        except ScoringInputError as error:  # every input was checked above
            raise CommandError(str(error)) from None

        output = {
            "framework": {"code": framework.code, "version": framework.version},
            **result.to_dict(),
        }
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))


def read_file(name: str):
    """Return the parsed JSON of the file ``name`` (``-`` for stdin)."""
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        raise CommandError(f"{name}: cannot read file ({error.strerror})") from None
    try:
        # Bytes let json detect UTF-8, UTF-16 or UTF-32 and skip a BOM.
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{name}: not JSON ({error.msg} at line {error.lineno} "
            f"column {error.colno})"
        ) from None
    except UnicodeDecodeError:
        raise CommandError(f"{name}: not JSON (not UTF-8 text)") from None
    except RecursionError:
        raise CommandError(
            f"{name}: not JSON that can be read (nested too deeply)"
        ) from None


def find_framework(data: dict) -> Framework:
    """Return the framework the file names, or the latest AIMRG."""
    code, version = DEFAULT_FRAMEWORK, data.get("version")
    version_key = "version"
    named = data.get("framework")
    if isinstance(named, dict):
        code = named.get("code")
        if not isinstance(code, str):
            raise CommandError(f"framework.code: expected a string, not {show(code)}")
        if "version" in named:
            if "version" in data and data["version"] != named["version"]:
                raise CommandError(
                    f"framework.version: {show(named['version'])} disagrees "
                    f"with version {show(data['version'])}"
                )
            version, version_key = named["version"], "framework.version"
    elif isinstance(named, str):
        code = named
    elif named is not None:
        raise CommandError(
            f"framework: expected a code or an object, not {json_type(named)}"
        )
    if version is not None and not isinstance(version, str):
        raise CommandError(f"{version_key}: expected a string, not {show(version)}")

    try:
        if version is None:
            framework = Framework.objects.latest_version(code)
        else:
            framework = Framework.objects.filter(code=code, version=version).first()
        installed = (
            framework is not None or Framework.objects.filter(code=code).exists()
        )
    except DatabaseError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CommandError(
            f"database: cannot read frameworks ({message}); run migrate and "
            "load_framework first"
        ) from None
    if framework is None and not installed and "framework" not in data:
        raise CommandError(
            f"framework: the default framework {show(code)} is not installed; "
            "run load_framework first"
        )
    if framework is None and not installed:
        raise CommandError(f"framework: unknown framework {show(code)}")
    if framework is None:
        raise CommandError(
            f"{version_key}: unknown version {show(version)} of framework {code}"
        )
    return framework


def read_answers(data: dict, codes: frozenset[str]) -> dict[str, str | None]:
    """Return the answers of ``data`` as a mapping code -> status, checked."""
    if "answers" not in data:
        raise CommandError("answers: missing")
    entries = data["answers"]
    if not isinstance(entries, list):
        raise CommandError(f"answers: expected a list, not {json_type(entries)}")

    answers: dict[str, str | None] = {}
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"answers[{index}]"
        if not isinstance(entry, dict):
            raise CommandError(f"{where}: expected an object, not {json_type(entry)}")
        if "requirement" not in entry:
            raise CommandError(f"{where}: missing 'requirement'")
        code = entry["requirement"]
        if not isinstance(code, str):
            raise CommandError(
                f"{where}: requirement must be a string, not {show(code)}"
            )
        if code not in codes:
            raise CommandError(f"{where}: unknown requirement code {show(code)}")
        if code in first_seen:
            raise CommandError(
                f"{where}: duplicate requirement code {show(code)} "
                f"(first at answers[{first_seen[code]}])"
            )
        status = entry.get("status")
        if status is not None and (
            not isinstance(status, str) or status not in STATUSES
        ):
            raise CommandError(
                f"{where}: unknown status {show(status)} for {code} "
                f"(expected {_STATUS_CHOICES} or null)"
            )
        first_seen[code] = index
        answers[code] = status
    return answers


def read_targets(
    options: list[str], target_all: str | None, modules: tuple[str, ...]
) -> dict[str, int]:
    """Return the target level of each module from the command line options."""
    targets = {}
    if target_all is not None:
        level = parse_level(target_all, f"--target-all {target_all}")
        targets = dict.fromkeys(modules, level)
    given = set()
    for option in options:
        where = f"--target {option}"
        module, separator, level = option.partition("=")
        module = module.strip()
        if not separator:
            raise CommandError(f"{where}: expected MODULE=LEVEL")
        if module not in modules:
            raise CommandError(
                f"{where}: unknown module {module!r} (expected one of "
                f"{', '.join(modules)})"
            )
        if module in given:
            raise CommandError(f"{where}: module {module} has a target already")
        given.add(module)
        targets[module] = parse_level(level, where)
    return targets


def parse_level(text: str, where: str) -> int:
    """Return ``text`` as a level of 1 to 5."""
    try:
        level = int(text.strip())
    except ValueError:
        level = None
    if level not in LEVELS:
        raise CommandError(f"{where}: level must be a whole number from 1 to 5")
    return level


def json_type(value) -> str:
    """Return the JSON name of the type of ``value``, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def show(value) -> str:
    """Return ``value`` quoted for a one-line message, shortened if long."""
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:56] + "...'"
