"""Helpers shared by the interchange tests."""

import io

# Request headers of a page asked for in English, whatever the default.
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Columns of the questionnaire workbook's first sheet.
STATUS, JUSTIFICATION, VERSION = 6, 7, 8


def row_of(workbook, code) -> int:
    sheet = workbook.worksheets[0]
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        if cell.value == code:
            return cell.row
    raise AssertionError(f"{code} is not in the workbook")


def fill(workbook, code, status=None, justification=None) -> int:
    sheet = workbook.worksheets[0]
    row = row_of(workbook, code)
    if status is not None:
        sheet.cell(row, STATUS).value = status
    if justification is not None:
        sheet.cell(row, JUSTIFICATION).value = justification
    return row


def content_of(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
