"""Receiving, checking and storing evidence files.

The size limit is enforced while the request body arrives, by an upload
handler that the upload view puts first; Django itself sets no cap on file
data. The type of a file is decided from its bytes with libmagic (through
python-magic): it is the detector behind file(1), kept up to date by the
distribution, and unlike signature-only libraries it tells plain text from
HTML, scripts and SVG, and recognises executables, OLE and OOXML documents.
Images are then opened with Pillow, with decompression bombs refused.
"""

import hashlib
import logging
import os
import re
import shutil
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_SIZE = 25 * 1024**2
# libmagic looks no further than this into a file for any of our types.
SNIFF_BYTES = 1024**2

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
ALLOWED_TYPES = IMAGE_TYPES | {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword",
    "application/vnd.ms-excel",
    "text/plain",
    "text/csv",
    "application/zip",
}


TEXT_EXTENSIONS = frozenset({".txt", ".csv", ".tsv", ".md", ".log"})
OOXML = "application/vnd.openxmlformats-officedocument."
# What each accepted type is called on the pages, rather than its media type.
TYPE_LABELS = {
    "image/png": gettext_lazy("PNG image"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/gif": gettext_lazy("GIF image"),
    "image/webp": gettext_lazy("WebP image"),
    "application/pdf": gettext_lazy("PDF document"),
    f"{OOXML}wordprocessingml.document": gettext_lazy("Word document"),
    f"{OOXML}spreadsheetml.sheet": gettext_lazy("Excel workbook"),
    f"{OOXML}presentationml.presentation": gettext_lazy("PowerPoint presentation"),
    "application/msword": gettext_lazy("Word 97–2003 document"),
    "application/vnd.ms-excel": gettext_lazy("Excel 97–2003 workbook"),
    "text/plain": gettext_lazy("plain text"),
    "text/csv": gettext_lazy("CSV table"),
    "application/zip": gettext_lazy("ZIP archive"),
}
OFFICE_EXTENSIONS = {
    f"{OOXML}wordprocessingml.document": ".docx",
    f"{OOXML}spreadsheetml.sheet": ".xlsx",
    f"{OOXML}presentationml.presentation": ".pptx",
}
# The endings a file's name may have for the type read from its content;
# a name without an ending is accepted too.
EXTENSIONS = {
    "application/pdf": frozenset({".pdf"}),
    "image/png": frozenset({".png"}),
    "image/jpeg": frozenset({".jpg", ".jpeg"}),
    "image/gif": frozenset({".gif"}),
    "image/webp": frozenset({".webp"}),
    "application/msword": frozenset({".doc"}),
    "application/vnd.ms-excel": frozenset({".xls"}),
    "text/plain": TEXT_EXTENSIONS,
    "text/csv": TEXT_EXTENSIONS,
    # An Office document can read as a plain ZIP archive.
    "application/zip": frozenset({".zip", *OFFICE_EXTENSIONS.values()}),
    **{kind: frozenset({ending}) for kind, ending in OFFICE_EXTENSIONS.items()},
}


def max_upload_size() -> int:
    """Return the largest evidence file accepted, in bytes."""
    return getattr(settings, "EVIDENCE_MAX_UPLOAD_SIZE", DEFAULT_MAX_UPLOAD_SIZE)


def private_root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


class UploadTooLarge(StopUpload):
    """Raised by the upload handler once a file passes the size limit."""

    def __init__(self):
        # Read and discard the rest of the body, so the browser gets the
        # page that explains the refusal rather than a reset connection.
        super().__init__(connection_reset=False)


class EvidenceUploadHandler(FileUploadHandler):
    """Count file bytes as they arrive and stop the upload past the limit.

    Put first in ``request.upload_handlers`` before the body is read. Chunks
    go on to the next handlers unchanged; when the limit is passed the parser
    closes, and so deletes, whatever they had buffered.
    """

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = max_upload_size() if limit is None else limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            logger.warning("Evidence upload stopped past %d bytes", self.limit)
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


def install_upload_handler(request) -> EvidenceUploadHandler:
    """Put the evidence upload handler first on ``request`` and return it."""
    handler = EvidenceUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


# The units of filesizeformat, largest first: PB, TB, GB, MB and KB.
SIZE_UNITS = tuple(1 << shift for shift in (50, 40, 30, 20, 10))


def size_label(size: int) -> str:
    """Return a size limit as ``filesizeformat`` does, without ".0" when whole.

    A limit is usually a whole number of its unit, "25 MB"; one that is not
    keeps the decimal, "2.5 MB", and so does a rounded one, "2.0 KB" for
    2,000 bytes.
    """
    shown = filesizeformat(size)
    unit = next((unit for unit in SIZE_UNITS if size >= unit), 1)
    if size % unit:
        return shown
    whole = re.escape(formats.get_format("DECIMAL_SEPARATOR")) + r"0(?!\d)"
    return re.sub(whole, "", shown, count=1)


def too_large_error() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)s. Upload a smaller file.")
        % {"limit": size_label(max_upload_size())},
        code="too_large",
    )


def _head(uploaded) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    return head


def detect_content_type(uploaded) -> str:
    """Return the MIME type libmagic reads from the first bytes of ``uploaded``."""
    return magic.from_buffer(_head(uploaded), mime=True)


def _looks_like_text(head: bytes) -> bool:
    # libmagic calls GB 18030 or odd UTF-8 "text/plain" too; a NUL byte
    # never occurs in real text and marks a binary that slipped through.
    return b"\x00" not in head


def _check_image(uploaded) -> None:
    uploaded.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(uploaded) as image:
                image.verify()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            logger.warning("Evidence upload refused: decompression bomb")
            raise ValidationError(
                _(
                    "The image declares more pixels than the portal opens safely. "
                    "Reduce its size and upload it again."
                ),
                code="decompression_bomb",
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(
                _("The image is damaged and cannot be read. Upload a valid image."),
                code="damaged_image",
            ) from None
        finally:
            uploaded.seek(0)


# How browsers write a file name into a multipart form, after the HTML
# standard: a double quote, a carriage return and a line feed are sent
# percent-encoded, and Django hands the name on as it came.
FORM_NAME_ESCAPES = (("%22", '"'), ("%0D", " "), ("%0A", " "))


def type_label(content_type: str) -> str:
    """Return what the pages call a file of ``content_type``."""
    return str(TYPE_LABELS.get(content_type, content_type))


def uploaded_file_name(uploaded) -> str:
    """Return the name of ``uploaded`` as the person's computer shows it.

    Without its folders, with the browser's escapes undone (line breaks
    become spaces), at most 255 characters.
    """
    name = (uploaded.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    for escaped, character in FORM_NAME_ESCAPES:
        name = name.replace(escaped, character).replace(escaped.lower(), character)
    return name.strip()[:255]


def check_upload(uploaded) -> str:
    """Return the detected type of ``uploaded``, or raise ValidationError why not."""
    if uploaded.size is not None and uploaded.size > max_upload_size():
        raise too_large_error()
    if not uploaded.size:
        raise ValidationError(_("The file is empty."), code="empty")

    content_type = detect_content_type(uploaded)
    if content_type not in ALLOWED_TYPES:
        logger.warning("Evidence upload refused: detected type %s", content_type)
        raise ValidationError(
            _(
                "This kind of file is not accepted as evidence (its content reads "
                "as %(type)s). Upload a PDF, an image (PNG, JPEG, GIF, WebP), an "
                "Office document, plain text, CSV or ZIP."
            )
            % {"type": content_type},
            code="type_not_allowed",
        )
    ending = Path(uploaded.name or "").suffix.lower()
    if ending and ending not in EXTENSIONS[content_type]:
        logger.warning("Evidence upload refused: %s named %s", content_type, ending)
        raise ValidationError(
            _(
                "The file's name ends in %(ending)s but its content reads as "
                "%(type)s. Give it the ending of its kind, such as %(expected)s, "
                "and upload it again."
            )
            % {
                "ending": ending,
                "type": content_type,
                "expected": ", ".join(sorted(EXTENSIONS[content_type])),
            },
            code="name_not_matching",
        )
    if content_type.startswith("text/") and not _looks_like_text(_head(uploaded)):
        raise ValidationError(
            _("The file claims to be text but holds binary data."), code="not_text"
        )
    if content_type in IMAGE_TYPES:
        _check_image(uploaded)
    return content_type


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to PRIVATE_STORAGE_ROOT
    size: int
    sha256: str


def store_upload(uploaded, *, assessment_id: int) -> StoredFile:
    """Write ``uploaded`` under a generated name, hashing it on the way.

    The caller removes the file with :func:`remove_stored` if what follows
    fails, so that nothing is left behind.
    """
    relative = Path("evidence") / str(assessment_id) / uuid.uuid4().hex
    target = private_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    mode = getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o640
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as out:
            uploaded.seek(0)
            for chunk in uploaded.chunks():
                size += len(chunk)
                if size > max_upload_size():
                    raise too_large_error()
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return StoredFile(path=relative.as_posix(), size=size, sha256=digest.hexdigest())


def copy_stored(path: str, *, assessment_id: int) -> str:
    """Give the stored file ``path`` a second name under another assessment.

    A hard link costs no space and leaves the original untouched when the
    copy is deleted; a real copy is made where links are not possible.
    """
    source = private_root() / path
    relative = Path("evidence") / str(assessment_id) / uuid.uuid4().hex
    target = private_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return relative.as_posix()


def stored_path(path: str) -> Path:
    """Return the absolute path of a stored file, refusing anything outside."""
    root = private_root().resolve()
    absolute = (root / path).resolve()
    if root not in absolute.parents:
        raise ValueError(f"Stored path {path!r} leaves the private storage.")
    return absolute


def remove_stored(path: str) -> None:
    """Delete a stored file, if it is there."""
    if path:
        stored_path(path).unlink(missing_ok=True)
