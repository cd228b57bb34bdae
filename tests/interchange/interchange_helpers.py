"""Helpers shared by the interchange tests."""

import io
import zipfile

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


def damaged(content: bytes, member: str) -> bytes:
    """Return the archive ``content`` with the compressed data of ``member`` garbled.

    The archive's directory stays intact, so the damage shows only once
    ``member`` is inflated.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(member)
    # The local header: 30 bytes, then the name and the extra field.
    name_length = int.from_bytes(
        content[info.header_offset + 26 : info.header_offset + 28], "little"
    )
    extra_length = int.from_bytes(
        content[info.header_offset + 28 : info.header_offset + 30], "little"
    )
    start = info.header_offset + 30 + name_length + extra_length
    # Garbling its first bytes breaks the coding of the compressed data.
    garbled = bytes(byte ^ 0xFF for byte in content[start : start + 16])
    return content[:start] + garbled + content[start + 16 :]
