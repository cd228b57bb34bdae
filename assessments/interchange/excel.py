"""The questionnaire workbook: every requirement, filled in offline, read back.

The first sheet lists the requirements in catalogue order; only the status
(a drop-down list; an empty cell reads as not answered) and the
justification can be edited. Rows are read by column position, so the
headings must stay where the download put them. Two hidden, locked
columns hold the answer version the row was downloaded with and a seal: a
digest of the answer as downloaded, signed with the portal's secret key
together with the code and version. The seal shows which rows were left as
they were and that the version was not edited. A hidden metadata sheet
names the framework version and the assessment, signed the same way.
"""

import datetime
import hashlib
import zipfile
import zlib
from dataclasses import asdict, dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy, pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessments import uploads
from assessments.interchange.errors import FileRefused
from assessments.interchange.selectors import clean_text
from assessments.models import Answer, AnswerStatus
from assessments.services.limits import TEXT_LIMITS
from maturity.models import Requirement

FORMAT = "aimrg-questionnaire"
FORMAT_VERSION = 1
META_SHEET = "portal"
SALT = "assessments.interchange.excel"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An .xlsx is a ZIP; libmagic names a bare one so.
WORKBOOK_TYPES = frozenset({XLSX_TYPE, "application/zip"})
# A workbook of the whole standard unpacks to well under a megabyte.
MAX_UNPACKED = 50 * 1024**2
MAX_JUSTIFICATION = TEXT_LIMITS["justification"].length

CODE, MODULE, STAGE, LEVEL, TEXT, STATUS, JUSTIFICATION, VERSION, SEAL = range(9)
WIDTHS = (12, 18, 18, 7, 70, 16, 50, 8, 10)
LOCKED_FILL = PatternFill("solid", fgColor="EEF1F7")
EDITABLE = Protection(locked=False)


@dataclass(frozen=True)
class SheetRow:
    """One filled-in row of an uploaded workbook, checked."""

    row: int
    code: str
    status: str
    justification: str
    version: int
    # Left exactly as it was downloaded.
    untouched: bool

    def to_dict(self) -> dict:
        return asdict(self)


def _digest(status: str, justification: str) -> str:
    content = f"{status}\x1f{clean_text(justification)}"
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def _sign(*parts) -> str:
    value = "|".join(str(part) for part in parts)
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:32]


def _status_names() -> dict[str, str]:
    """Return status code -> label in the current language, for the list."""
    names = {value: str(label) for value, label in AnswerStatus.choices}
    # An inline list cannot hold a comma or a quote; the codes never do.
    if any("," in name or '"' in name for name in names.values()):
        names = {value: value for value in AnswerStatus.values}
    return names


def _status_codes() -> dict[str, str]:
    """Return status labels in every language, and the codes, to codes."""
    codes = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in AnswerStatus.choices:
                codes[str(label).casefold()] = value
    for value in AnswerStatus.values:
        codes[value] = value
    return codes


def _area_name(item) -> str:
    if item is None:
        return ""
    english = (translation.get_language() or "").startswith("en")
    return f"{item.code} {item.name_en if english else item.name}"


def _requirement_text(requirement) -> str:
    lines = [requirement.text]
    lines += [part.get("text", "") for part in requirement.parts or []]
    return "\n".join(line for line in lines if line)


def _put(sheet, row, column, value, *, editable=False):
    cell = sheet.cell(row=row, column=column + 1, value=value)
    if isinstance(value, str):
        # Text starting with "=" would otherwise be written as a formula.
        cell.data_type = "s"
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if editable:
        cell.protection = EDITABLE
    else:
        cell.fill = LOCKED_FILL
    return cell


def _headers() -> list[str]:
    """Return the heading of each column, in the current language."""
    return [
        _("Code"),
        _("Module"),
        _("Stage"),
        _("Level"),
        _("Requirement"),
        _("Status"),
        _("Justification"),
        _("Answer version"),
        _("Seal"),
    ]


def questionnaire_workbook(assessment) -> bytes:
    """Return the questionnaire of ``assessment`` as an .xlsx; three queries."""
    requirements = list(
        Requirement.objects.filter(framework_id=assessment.framework_id)
        .select_related("module", "stage")
        .order_by("sequence")
    )
    answers = {
        answer.requirement_id: answer
        for answer in Answer.objects.filter(assessment=assessment)
    }
    framework = assessment.framework
    downloaded_at = timezone.now().isoformat(timespec="microseconds")
    names = _status_names()

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title()
    for column, header in enumerate(_headers()):
        cell = _put(sheet, 1, column, header)
        cell.font = Font(bold=True)
    for row, requirement in enumerate(requirements, 2):
        answer = answers.get(requirement.pk)
        status = answer.status if answer else ""
        justification = answer.justification if answer else ""
        version = answer.version if answer else 0
        digest = _digest(status, justification)
        seal = _sign(assessment.pk, downloaded_at, requirement.code, version, digest)
        _put(sheet, row, CODE, requirement.code)
        _put(sheet, row, MODULE, _area_name(requirement.module))
        _put(sheet, row, STAGE, _area_name(requirement.stage))
        _put(sheet, row, LEVEL, requirement.level)
        _put(sheet, row, TEXT, _requirement_text(requirement))
        _put(sheet, row, STATUS, names[status] if status else None, editable=True)
        _put(sheet, row, JUSTIFICATION, justification or None, editable=True)
        _put(sheet, row, VERSION, version)
        _put(sheet, row, SEAL, f"{digest}.{seal}")

    last = len(requirements) + 1
    _add_status_list(sheet, last, list(names.values()))
    _lay_out(sheet, last)
    _add_metadata(workbook, assessment, framework, downloaded_at, sheet.title)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _lay_out(sheet, last: int) -> None:
    for column, width in enumerate(WIDTHS):
        letter = sheet.cell(row=1, column=column + 1).column_letter
        sheet.column_dimensions[letter].width = width
    for column in (VERSION, SEAL):
        letter = sheet.cell(row=1, column=column + 1).column_letter
        sheet.column_dimensions[letter].hidden = True
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:G{last}"
    sheet.protection.sheet = True
    # Protection keeps the codes and hidden columns as they were; people
    # may still filter, resize and format.
    sheet.protection.autoFilter = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.formatCells = False


def _add_status_list(sheet, last: int, labels: list[str]) -> None:
    validation = DataValidation(
        type="list",
        formula1='"{}"'.format(",".join(labels)),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Status"),
        error=_(
            "Choose a status from the list, or leave the cell empty to mark the "
            "requirement not answered."
        ),
    )
    sheet.add_data_validation(validation)
    letter = sheet.cell(row=1, column=STATUS + 1).column_letter
    validation.add(f"{letter}2:{letter}{last}")


def _meta_fingerprint(meta: dict) -> str:
    return _sign(
        meta["format"],
        meta["format_version"],
        meta["framework"],
        meta["framework_version"],
        meta["assessment"],
        meta["downloaded_at"],
        meta["sheet"],
    )


def _add_metadata(workbook, assessment, framework, downloaded_at, title) -> None:
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "framework": framework.code,
        "framework_version": framework.version,
        "assessment": assessment.pk,
        "downloaded_at": downloaded_at,
        "sheet": title,
    }
    meta["fingerprint"] = _meta_fingerprint(meta)
    sheet = workbook.create_sheet(META_SHEET)
    for key, value in meta.items():
        sheet.append([key, str(value)])
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


# ------------------------------------------------------------------ reading


def _check_file(uploaded) -> None:
    if uploaded.size is not None and uploaded.size > uploads.max_upload_size():
        raise FileRefused(uploads.too_large_error().messages)
    if not uploaded.size:
        raise FileRefused(_("The file is empty."))
    content_type = uploads.detect_content_type(uploaded)
    if content_type == "application/vnd.ms-excel":
        raise FileRefused(
            _(
                "This is an Excel 97–2003 workbook (.xls). Save it as an Excel "
                "workbook (.xlsx) and upload it again."
            )
        )
    if content_type not in WORKBOOK_TYPES:
        raise _not_a_workbook(content_type)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise _unreadable(content_type) from None
    finally:
        uploaded.seek(0)
    if unpacked > MAX_UNPACKED:
        raise FileRefused(
            _("The workbook unpacks to more than %(limit)s; it cannot be read.")
            % {"limit": uploads.size_label(MAX_UNPACKED)}
        )


def _not_a_workbook(content_type: str) -> FileRefused:
    return FileRefused(
        _(
            "The file is not an Excel workbook (its content reads as %(type)s). "
            "Upload the .xlsx questionnaire downloaded from the portal."
        )
        % {"type": content_type}
    )


def _wrong_workbook() -> FileRefused:
    return FileRefused(
        _(
            "This workbook is not a questionnaire downloaded from the portal, or "
            "its hidden metadata sheet was changed. Download the questionnaire "
            "again and copy your answers into it."
        )
    )


def _missing_sheet(title: str, sheet_names: list[str]) -> FileRefused:
    """Return the refusal of a workbook whose questionnaire sheet was renamed.

    ``title`` is the name the download gave the sheet, in its language.
    """
    names = [name for name in sheet_names if name != META_SHEET]
    separator = pgettext("between the names of a list", ", ")
    listed = separator.join(f"“{name}”" for name in names[:10])
    if len(names) > 10:
        listed += separator + "…"
    return FileRefused(
        ngettext(
            "The workbook has no sheet named “%(sheet)s”, which holds the "
            "questionnaire: its one sheet is named %(names)s. Rename it back to "
            "“%(sheet)s”, or download the questionnaire again and copy your "
            "answers into it.",
            "The workbook has no sheet named “%(sheet)s”, which holds the "
            "questionnaire: its sheets are named %(names)s. Rename the "
            "questionnaire's sheet back to “%(sheet)s”, or download the "
            "questionnaire again and copy your answers into it.",
            len(names),
        )
        % {"sheet": title, "names": listed}
    )


def _read_meta(workbook) -> dict:
    if META_SHEET not in workbook.sheetnames:
        raise _wrong_workbook()
    meta = {}
    for key, value, *_rest in workbook[META_SHEET].iter_rows(
        max_col=2, values_only=True
    ):
        if isinstance(key, str):
            meta[key] = "" if value is None else str(value)
    try:
        expected = _meta_fingerprint(meta)
    except KeyError:
        raise _wrong_workbook() from None
    if meta["format"] != FORMAT or not constant_time_compare(
        expected, meta.get("fingerprint", "")
    ):
        raise _wrong_workbook()
    return meta


def _check_meta(meta: dict, assessment) -> None:
    framework = assessment.framework
    if (meta["framework"], meta["framework_version"]) != (
        framework.code,
        framework.version,
    ):
        raise FileRefused(
            _(
                "This workbook was made for %(file_code)s %(file_version)s, but the "
                "assessment uses %(code)s %(version)s. Download the questionnaire "
                "of this assessment and copy your answers into it."
            )
            % {
                "file_code": meta["framework"],
                "file_version": meta["framework_version"],
                "code": framework.code,
                "version": framework.version,
            }
        )
    if meta["assessment"] != str(assessment.pk):
        raise FileRefused(
            _(
                "This workbook belongs to another assessment. Download the "
                "questionnaire of this assessment and copy your answers into it."
            )
        )
    if meta["format_version"] != str(FORMAT_VERSION):
        raise FileRefused(
            _(
                "This workbook was made by another release of the portal. "
                "Download it again."
            )
        )


def read_questionnaire(uploaded, assessment) -> list[SheetRow]:
    """Return the rows of an uploaded questionnaire of ``assessment``.

    Raise FileRefused naming every problem, with its rows: not a workbook,
    a workbook of another assessment or framework version, a questionnaire
    sheet no longer named as downloaded, columns that are not where the
    download put them (alone, as every row would be misread),
    unknown codes, statuses that are not on the list, edited hidden columns,
    formulas whose result the workbook does not hold. A formula's saved
    result is read as its cell's text.
    """
    _check_file(uploaded)
    # openpyxl gives either a formula or its cached value, never both, so
    # the workbook is read twice: once for the values, once to tell which
    # cells hold a formula.
    workbook = _load(uploaded, data_only=True)
    try:
        formulas = _load(uploaded, data_only=False)
    except FileRefused:
        workbook.close()
        raise
    try:
        meta = _read_meta(workbook)
        _check_meta(meta, assessment)
        if meta["sheet"] not in workbook.sheetnames:
            raise _missing_sheet(meta["sheet"], workbook.sheetnames)
        _check_layout(workbook[meta["sheet"]], meta["sheet"])
        return _read_rows(
            workbook[meta["sheet"]], formulas[meta["sheet"]], assessment, meta
        )
    except FileRefused:
        raise
    except Exception:  # the sheets are read lazily: damage shows only now
        raise _unreadable(uploads.detect_content_type(uploaded)) from None
    finally:
        workbook.close()
        formulas.close()


def _sheet_title() -> str:
    """Return the name of the questionnaire's sheet, in the current language."""
    return _("Questionnaire")[:31]


def _layouts(sheet_title: str) -> list[list[str]]:
    """Return the headings a download writes, in each language.

    The language the download was made in, told by the name of its sheet,
    comes first, then the current one: headings matching no language better
    than another are compared with those the file was downloaded with.
    """
    current = translation.get_language()
    languages = [current] + [
        code for code, _name in settings.LANGUAGES if code != current
    ]
    for code in languages:
        with translation.override(code):
            if _sheet_title() == sheet_title:
                languages.remove(code)
                languages.insert(0, code)
                break
    layouts = []
    for language in languages:
        with translation.override(language):
            layouts.append([str(header) for header in _headers()])
    return layouts


def _check_layout(sheet, sheet_title: str) -> None:
    """Refuse a sheet whose headings are not those the download wrote.

    Rows are read by column position, so a deleted, inserted or moved column
    would misread every row; the first heading out of place is named instead.
    The download may be in any language, so the headings are compared with
    those of the language they match best. Columns after the seal are not
    read and may hold anything.
    """
    first = next(sheet.iter_rows(max_row=1, max_col=SEAL + 1, values_only=True), ())
    found = [_cell_text(value).strip() for value in first]
    found += [""] * (SEAL + 1 - len(found))

    def matching(layout) -> list[bool]:
        return [
            header.casefold() == heading.casefold()
            for header, heading in zip(layout, found, strict=True)
        ]

    layout = max(_layouts(sheet_title), key=lambda layout: sum(matching(layout)))
    for column, matches in enumerate(matching(layout)):
        if not matches:
            raise _moved_column(column, layout[column], found[column])


def _moved_column(column: int, expected: str, heading: str) -> FileRefused:
    values = {
        "column": get_column_letter(column + 1),
        "expected": expected,
        # A heading row that was deleted leaves a row of answers in its place.
        "heading": Truncator(heading).chars(40),
    }
    if not heading:
        return FileRefused(
            _(
                "The columns of the workbook no longer match the downloaded "
                "questionnaire: column %(column)s should be headed “%(expected)s”, "
                "but it has no heading. Leave the columns and their headings as "
                "they were downloaded: download the questionnaire again and copy "
                "your answers into it."
            )
            % values
        )
    return FileRefused(
        _(
            "The columns of the workbook no longer match the downloaded "
            "questionnaire: column %(column)s should be headed “%(expected)s”, "
            "but it is headed “%(heading)s”. Leave the columns and their headings "
            "as they were downloaded: download the questionnaire again and copy "
            "your answers into it."
        )
        % values
    )


def _load(uploaded, *, data_only: bool):
    uploaded.seek(0)
    try:
        return load_workbook(uploaded, read_only=True, data_only=data_only)
    except Exception:  # openpyxl reports a damaged file in many ways
        raise _unreadable(uploads.detect_content_type(uploaded)) from None


def _unreadable(content_type: str) -> FileRefused:
    """Return the error for a file of ``content_type`` openpyxl cannot read.

    A file that reads as a workbook is damaged; any other ZIP archive is no
    workbook at all.
    """
    if content_type != XLSX_TYPE:
        return _not_a_workbook(content_type)
    return FileRefused(
        _(
            "The workbook is damaged and cannot be read. Download the "
            "questionnaire again, fill it in and upload it."
        )
    )


class _Problems:
    """Rows with problems, grouped by the kind of problem."""

    def __init__(self):
        # Each row as listed: its number, then the requirement's code when
        # the row names a known one.
        self.rows: dict[str, list[str]] = {}
        self.values: dict[str, list[str]] = {}

    def add(self, kind: str, row: int, value: str = "", code: str = "") -> None:
        if code:
            label = pgettext("a workbook row and its requirement", "%(row)s (%(code)s)")
            listed = label % {"row": row, "code": code}
        else:
            listed = str(row)
        self.rows.setdefault(kind, []).append(listed)
        if value and value not in self.values.setdefault(kind, []):
            self.values[kind].append(value)

    def messages(self) -> list[str]:
        messages = []
        for kind, rows in self.rows.items():
            listed = pgettext("between the rows of a list", ", ").join(rows[:40])
            if len(rows) > 40:
                listed += ", …"
            values = ", ".join(self.values.get(kind, [])[:10])
            if len(self.values.get(kind, [])) > 10:
                values += ", …"
            messages.append(
                _PROBLEMS[kind]
                % {
                    "rows": listed,
                    "values": values,
                    "count": len(rows),
                    "limit": MAX_JUSTIFICATION,
                }
            )
        return messages


_PROBLEMS = {
    "unknown_code": ngettext_lazy(
        "Row %(rows)s: unknown requirement code (%(values)s). Leave the code "
        "column as it was downloaded.",
        "Rows %(rows)s: unknown requirement codes (%(values)s). Leave the code "
        "column as it was downloaded.",
        "count",
    ),
    "duplicate": ngettext_lazy(
        "Row %(rows)s: the requirement appears twice (%(values)s). Keep one row "
        "per requirement.",
        "Rows %(rows)s: the requirement appears twice (%(values)s). Keep one row "
        "per requirement.",
        "count",
    ),
    "status": ngettext_lazy(
        "Row %(rows)s: the status is not one of the listed choices "
        "(%(values)s). Choose a status from the drop-down list, or leave the "
        "cell empty to mark the requirement not answered.",
        "Rows %(rows)s: the status is not one of the listed choices "
        "(%(values)s). Choose a status from the drop-down list, or leave the "
        "cell empty to mark the requirement not answered.",
        "count",
    ),
    "too_long": ngettext_lazy(
        "Row %(rows)s: the justification is longer than %(limit)d characters. "
        "Shorten it.",
        "Rows %(rows)s: the justification is longer than %(limit)d characters. "
        "Shorten it.",
        "count",
    ),
    # Counted per cell: ``values`` lists the cells.
    "formula": ngettext_lazy(
        "Cell %(values)s holds a formula whose result was not saved in the "
        "workbook. Type the text itself instead of a formula.",
        "Cells %(values)s hold formulas whose results were not saved in the "
        "workbook. Type the text itself instead of a formula.",
        "count",
    ),
    "sealed": ngettext_lazy(
        "Row %(rows)s: the hidden columns of the workbook were changed. "
        "Download the questionnaire again and copy your answers into it.",
        "Rows %(rows)s: the hidden columns of the workbook were changed. "
        "Download the questionnaire again and copy your answers into it.",
        "count",
    ),
}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    return str(value)


def _uncached_formulas(values, formulas, number: int) -> list[str]:
    """Return the cells of row ``number`` holding a formula without a value.

    Excel and LibreOffice save a formula's last result beside it; a workbook
    written by a program may not, and its cell would read as empty.
    """
    return [
        f"{get_column_letter(column + 1)}{number}"
        for column, (value, cell) in enumerate(zip(values, formulas, strict=False))
        if value is None and getattr(cell, "data_type", None) == "f"
    ]


def _read_rows(sheet, formula_sheet, assessment, meta) -> list[SheetRow]:
    codes = set(
        Requirement.objects.filter(framework_id=assessment.framework_id).values_list(
            "code", flat=True
        )
    )
    statuses = _status_codes()
    problems = _Problems()
    rows, seen = [], set()
    formula_rows = formula_sheet.iter_rows(min_row=2, max_col=SEAL + 1)
    for number, values in enumerate(
        sheet.iter_rows(min_row=2, max_col=SEAL + 1, values_only=True), 2
    ):
        formulas = next(formula_rows, ())
        uncached = _uncached_formulas(values, formulas, number)
        for cell in uncached:
            problems.add("formula", number, cell)
        if uncached:
            continue
        cells = [_cell_text(value) for value in values] + [""] * (SEAL + 1)
        if not any(cell.strip() for cell in cells[: SEAL + 1]):
            continue
        code = cells[CODE].strip()
        if code not in codes:
            problems.add("unknown_code", number, code or "—")
            continue
        if code in seen:
            problems.add("duplicate", number, code)
            continue
        seen.add(code)
        label = cells[STATUS].strip()
        status = statuses.get(label.casefold()) if label else ""
        if status is None:
            problems.add("status", number, label, code=code)
        justification = clean_text(cells[JUSTIFICATION])
        if len(justification) > MAX_JUSTIFICATION:
            problems.add("too_long", number, code=code)
        version, digest = _unseal(cells, code, assessment, meta)
        if version is None:
            problems.add("sealed", number, code=code)
        if status is None or version is None:
            continue
        rows.append(
            SheetRow(
                row=number,
                code=code,
                status=status,
                justification=justification,
                version=version,
                untouched=digest == _digest(status, justification),
            )
        )
    if problems.rows:
        raise FileRefused(problems.messages())
    return rows


def _unseal(cells, code, assessment, meta) -> tuple[int | None, str]:
    """Return the version and digest of a row, or None when its seal is off."""
    digest, _dot, seal = cells[SEAL].strip().partition(".")
    try:
        version = int(cells[VERSION])
    except ValueError:
        return None, ""
    expected = _sign(assessment.pk, meta["downloaded_at"], code, version, digest)
    if version < 0 or not constant_time_compare(expected, seal):
        return None, ""
    return version, digest


def rows_from_dicts(data) -> list[SheetRow]:
    """Return the rows saved by ``SheetRow.to_dict`` between preview and confirm."""
    try:
        return [SheetRow(**item) for item in data]
    except TypeError as error:
        raise ValidationError(_("The saved upload cannot be read.")) from error
