"""The assessment archive: the assessment file and its evidence files, as ZIP.

The archive holds ``assessment.json`` and every evidence file once, at
``evidence/<sha256>`` however many items share it. Reading opens nothing
but those names, so paths inside the archive never reach the file system,
and every member is read with a size cap, whatever its header claims. An
import takes the archive only when its files are exactly those that the
file items of ``assessment.json`` list.
"""

import hashlib
import json
import logging
import tempfile
import zipfile
import zlib
from collections import Counter

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from assessments import uploads
from assessments.interchange.csv_io import HEADER
from assessments.interchange.errors import FileRefused, FileTooLarge
from assessments.interchange.json_io import SHA256, dump, export_document, load
from assessments.models import Evidence, EvidenceKind

logger = logging.getLogger(__name__)

DOCUMENT_NAME = "assessment.json"
# Every Excel workbook (.xlsx), itself a ZIP archive, holds this member.
WORKBOOK_MEMBER = "xl/workbook.xml"
EVIDENCE_DIR = "evidence/"
CHUNK = 256 * 1024
MAX_MEMBERS = 10_000
# What reading a damaged archive raises: a bad header or checksum, or
# compressed data that does not inflate.
DAMAGED = (zipfile.BadZipFile, zlib.error, OSError, EOFError)
# How much of a file is read to tell what it is when it is not JSON.
SNIFF_BYTES = 4096
CSV_TYPES = frozenset({"text/csv", "application/csv"})


def max_archive_size() -> int:
    """Return the largest archive accepted for import, in bytes."""
    return settings.INTERCHANGE_MAX_ARCHIVE_SIZE


def write_archive(assessment, out) -> None:
    """Write the archive of ``assessment`` to the binary file ``out``.

    Each stored file is hashed as it is copied; one that is missing or no
    longer matches its SHA-256 stops the export with FileRefused.
    """
    document = export_document(assessment)
    items = Evidence.objects.filter(
        assessment=assessment, kind=EvidenceKind.FILE
    ).order_by("pk")

    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT_NAME, dump(document))
        written = set()
        for item in items:
            if item.sha256 in written:
                continue
            _copy_into(archive, item)
            written.add(item.sha256)
    logger.info(
        "Archive of assessment %s written with %d files", assessment.pk, len(written)
    )


def _copy_into(archive, item) -> None:
    try:
        source = uploads.stored_path(item.file_path).open("rb")
    except (OSError, ValueError):
        logger.warning("Stored file of evidence %s is missing", item.pk)
        raise FileRefused(
            _(
                "The stored file of the evidence item “%(title)s” is missing, so "
                "the archive cannot be made. Upload the file again, or export "
                "JSON without files."
            )
            % {"title": item.title}
        ) from None
    digest = hashlib.sha256()
    with source, archive.open(EVIDENCE_DIR + item.sha256, "w", force_zip64=True) as to:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            to.write(chunk)
    if digest.hexdigest() != item.sha256:
        logger.warning("Stored file of evidence %s no longer matches", item.pk)
        raise FileRefused(
            _(
                "The stored file of the evidence item “%(title)s” no longer "
                "matches its SHA-256, so the archive cannot be made. Upload the "
                "file again."
            )
            % {"title": item.title}
        )


class ArchiveFiles:
    """The evidence files of an opened archive, read on demand."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.members = {
            info.filename[len(EVIDENCE_DIR) :]: info
            for info in archive.infolist()
            if info.filename.startswith(EVIDENCE_DIR)
            and SHA256.fullmatch(info.filename[len(EVIDENCE_DIR) :])
        }

    def check_listed(self, evidence) -> None:
        """Raise FileRefused unless the files are those the file items list.

        ``evidence`` is the parsed evidence of the assessment file, in its
        order. An item whose SHA-256 names no file and a file that no item
        names are both refused, so a hash edited in the assessment file is
        reported as both.
        """
        problems, listed = [], set()
        for index, item in enumerate(evidence):
            if item.kind != EvidenceKind.FILE:
                continue
            listed.add(item.sha256)
            if item.sha256 not in self.members:
                problems.append(
                    _(
                        "evidence[%(index)d] (“%(title)s”): the SHA-256 listed for "
                        "this item in %(document)s matches no file in the archive; "
                        "there is no %(name)s. Upload the archive as it was "
                        "exported, with its files and their hashes unchanged."
                    )
                    % {
                        "index": index,
                        "title": item.title,
                        "document": DOCUMENT_NAME,
                        "name": EVIDENCE_DIR + item.sha256,
                    }
                )
        for sha256 in self.members:
            if sha256 in listed:
                continue
            problems.append(
                _(
                    "The archive holds %(name)s, which no evidence item in "
                    "%(document)s lists by its SHA-256. Upload the archive as it "
                    "was exported, with its files and their hashes unchanged."
                )
                % {"name": EVIDENCE_DIR + sha256, "document": DOCUMENT_NAME}
            )
        if problems:
            raise FileRefused(problems)

    def extract(self, sha256: str, name: str) -> File:
        """Return the file ``sha256`` as a temporary file named ``name``.

        Raise FileRefused when it is larger than an evidence upload may be.
        The caller closes the file.
        """
        limit = uploads.max_upload_size()
        info = self.members[sha256]
        if info.file_size > limit:
            raise _too_large(sha256, limit)
        # Closed by the caller, through the File it is returned in.
        spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        )
        size = 0
        try:
            with self.archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise _too_large(sha256, limit)
                    spool.write(chunk)
        except (*DAMAGED, zipfile.LargeZipFile):
            spool.close()
            raise FileRefused(
                _("%(name)s: the archive is damaged and cannot be read.")
                % {"name": EVIDENCE_DIR + sha256}
            ) from None
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return File(spool, name=name)


def _belongs(name: str) -> bool:
    """Say whether an exported archive may hold an entry called ``name``.

    The assessment file, and evidence files named by their SHA-256; tools
    that repack an archive may add the evidence folder itself.
    """
    if name in (DOCUMENT_NAME, EVIDENCE_DIR):
        return True
    return name.startswith(EVIDENCE_DIR) and bool(
        SHA256.fullmatch(name[len(EVIDENCE_DIR) :])
    )


def _workbook_refused() -> FileRefused:
    """Return the refusal of an Excel workbook, such as a questionnaire."""
    return FileRefused(
        _(
            "This file is an Excel workbook, such as a questionnaire downloaded "
            "from an assessment, not an assessment file. A filled-in "
            "questionnaire is not imported as a new assessment: upload it on its "
            "assessment's %(tab)s tab, under “%(action)s”. To import an "
            "assessment here, upload the JSON or ZIP file exported by the portal."
        )
        % {
            "tab": _("Export"),
            "action": _("Upload a filled-in questionnaire"),
        }
    )


def _too_large(sha256, limit) -> FileRefused:
    return FileRefused(
        _("%(name)s is larger than %(limit)s, the largest evidence file accepted.")
        % {"name": EVIDENCE_DIR + sha256, "limit": uploads.size_label(limit)}
    )


def is_archive(uploaded) -> bool:
    """Return whether ``uploaded`` starts like a ZIP archive, an empty one too."""
    uploaded.seek(0)
    head = uploaded.read(4)
    uploaded.seek(0)
    return head in {b"PK\x03\x04", b"PK\x05\x06"}


def read_assessment_file(uploaded) -> tuple[dict, "ArchiveFiles | None"]:
    """Return the assessment file of an upload and, from an archive, its files.

    ``uploaded`` is an archive or a JSON file; a JSON file brings no files
    (None). Raise FileTooLarge for a JSON file above the upload limit, and
    FileRefused for one that cannot be read.
    """
    if is_archive(uploaded):
        return open_archive(uploaded)
    if (getattr(uploaded, "name", "") or "").lower().endswith(".zip"):
        raise FileRefused(_("The file is not a ZIP archive that can be read."))
    if uploaded.size > uploads.max_upload_size():
        raise FileTooLarge(uploads.too_large_error().messages)
    raw = uploaded.read()
    refusal = _not_json(uploaded, raw)
    if refusal is not None:
        raise refusal
    return load(raw), None


def _not_json(uploaded, raw: bytes) -> FileRefused | None:
    """Return the refusal of a file that plainly holds no JSON, else None.

    An assessment file starts with "{" once its byte order mark and white
    space are skipped; a file that does is left to the JSON reader, which
    says where a damaged one breaks. A CSV file is told apart, as the
    portal exports one too: by its name, its content, or the header of the
    portal's own.
    """
    head = raw[:SNIFF_BYTES]
    text = head.decode(json.detect_encoding(head), errors="replace")
    text = text.lstrip("\ufeff \t\r\n")
    if not text or text[0] in "{[":
        return None
    content_type = uploads.detect_content_type(uploaded)
    name = (getattr(uploaded, "name", "") or "").lower()
    first_line = text.partition("\n")[0].strip()
    if (
        name.endswith(".csv")
        or content_type in CSV_TYPES
        or first_line.split(",") == HEADER
    ):
        return _csv_refused()
    return FileRefused(
        _("The file is not JSON (its content reads as %(type)s).")
        % {"type": content_type}
        + " "
        + _what_to_import()
    )


def _csv_refused() -> FileRefused:
    """Return the refusal of a CSV file, such as the answers the portal exports."""
    return FileRefused(
        _(
            "This file is a CSV file, such as the answers downloaded from an "
            "assessment, not an assessment file. A CSV file cannot be imported, "
            "not even one exported by the portal: it holds only the answers."
        )
        + " "
        + _what_to_import()
    )


def _what_to_import() -> str:
    """Return the sentence naming the files an import takes, and where they are."""
    return _(
        "To import an assessment here, upload the JSON or ZIP file exported by "
        "the portal, from the assessment's %(tab)s tab: “%(json)s” or “%(zip)s”."
    ) % {
        "tab": _("Export"),
        "json": _("Assessment file (JSON)"),
        "zip": _("Assessment with evidence files (ZIP)"),
    }


def archive_too_large() -> str:
    """Return the message refusing an archive above :func:`max_archive_size`."""
    return _("The file is larger than %(limit)s. Upload a smaller file.") % {
        "limit": uploads.size_label(max_archive_size())
    }


def open_archive(uploaded) -> tuple[dict, ArchiveFiles]:
    """Return the assessment file of an archive and a reader of its files.

    Raise FileRefused when ``uploaded`` is no archive of the portal. The
    archive stays open while ``uploaded`` is.
    """
    try:
        archive = zipfile.ZipFile(uploaded)
        infos = archive.infolist()
    except DAMAGED:
        raise FileRefused(
            _("The file is not a ZIP archive that can be read.")
        ) from None
    if len(infos) > MAX_MEMBERS:
        raise FileRefused(
            _("The archive holds more than %(count)d files.") % {"count": MAX_MEMBERS}
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRefused(_("The archive is encrypted. Upload it without a password."))
    names = Counter(info.filename for info in infos)
    for name, count in names.items():
        # Readers disagree on which of two members of one name they take.
        if count > 1:
            raise FileRefused(
                _(
                    "The archive holds %(name)s more than once. Upload the "
                    "archive as it was exported."
                )
                % {"name": name[:200]}
            )
    try:
        info = archive.getinfo(DOCUMENT_NAME)
    except KeyError:
        if WORKBOOK_MEMBER in names:
            raise _workbook_refused() from None
        raise FileRefused(
            _("The archive holds no %(name)s. Upload a ZIP exported by the portal.")
            % {"name": DOCUMENT_NAME}
        ) from None
    for member in infos:
        if not _belongs(member.filename):
            raise FileRefused(
                _(
                    "The archive holds %(name)s, which an archive exported by the "
                    "portal does not. Upload the archive as it was exported."
                )
                % {"name": member.filename[:200]}
            )
    limit = uploads.max_upload_size()
    try:
        with archive.open(info) as member:
            raw = member.read(limit + 1)
    except DAMAGED:
        raise FileRefused(
            _("%(name)s: the archive is damaged and cannot be read.")
            % {"name": DOCUMENT_NAME}
        ) from None
    if len(raw) > limit:
        raise FileRefused(
            _("%(name)s is larger than %(limit)s.")
            % {"name": DOCUMENT_NAME, "limit": uploads.size_label(limit)}
        )
    return load(raw), ArchiveFiles(archive)
