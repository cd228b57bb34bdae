"""Where rendered reports are kept: generated names under the private storage.

A PDF is written under a temporary name in its final folder, flushed to
disk and then renamed into place, so a reader never sees half a file and a
worker killed while writing leaves only a temporary file behind.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FOLDER = "reports"
FILE_MODE = 0o640


@dataclass(frozen=True)
class StoredPDF:
    path: str  # relative to PRIVATE_STORAGE_ROOT
    size: int
    sha256: str


def _root() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT)


def store_pdf(data: bytes, *, assessment_id: int) -> StoredPDF:
    """Write ``data`` under a new generated name and return where it lies."""
    relative = Path(FOLDER) / str(assessment_id) / f"{uuid.uuid4().hex}.pdf"
    target = _root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.stem}.part")

    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredPDF(
        path=relative.as_posix(),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def stored_path(path: str) -> Path:
    """Return the absolute path of a stored report, refusing anything outside."""
    root = (_root() / FOLDER).resolve()
    absolute = (_root() / path).resolve()
    if root not in absolute.parents:
        raise ValueError(f"Stored path {path!r} is not a report file.")
    return absolute


def remove_stored(path: str) -> None:
    """Delete a stored report, if it is there."""
    if path:
        stored_path(path).unlink(missing_ok=True)
