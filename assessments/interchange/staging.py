"""Uploaded workbooks kept between their preview and the confirmation.

The rows read from a workbook are written as JSON under the private
storage, named by a random token that only the uploader's session knows.
The file also names the user and the assessment and is read back only for
both, so nothing of the confirmation comes from the browser but the choice
of which of the session's own uploads to confirm. Files older than a day
are removed whenever a new one is written.

One person may preview several workbooks of an assessment at once, in
several tabs. Each upload is kept under an id of its own, which its
preview page and forms carry, so that confirming a preview applies the
workbook that page showed, never one uploaded since. The session also
remembers for a day which uploads were saved or discarded, so that a page
left open on one of them can say what became of it.
"""

import datetime
import json
import logging
import secrets
import time
from dataclasses import dataclass

from django.utils import timezone

from assessments import uploads

logger = logging.getLogger(__name__)

DIRECTORY = "interchange"
SESSION_KEY = "interchange.questionnaires"
MAX_AGE_SECONDS = 24 * 3600
# Uploads of one assessment waiting at once in a session; an older one is
# let go, as a day-old one is.
MAX_PENDING = 5
# Saved and discarded uploads remembered per assessment, to say so.
MAX_SETTLED = 10
UPLOAD_ID = r"[0-9a-f]{16}"

PENDING = ""
SAVED = "saved"
DISCARDED = "discarded"


@dataclass(frozen=True)
class Upload:
    """An upload of one assessment as its session remembers it."""

    id: str
    filename: str
    uploaded_at: datetime.datetime
    # PENDING while it waits for confirmation, else SAVED or DISCARDED.
    outcome: str = PENDING
    settled_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Staged:
    """An upload waiting for confirmation, with the rows read from its workbook."""

    upload: Upload
    # As ``SheetRow.to_dict`` wrote them.
    rows: list


def _path(token: str):
    return uploads.private_root() / DIRECTORY / f"{token}.json"


def _records(session, assessment) -> list[dict]:
    """Return the session's records of uploads to ``assessment``, oldest first."""
    records = (session.get(SESSION_KEY) or {}).get(str(assessment.pk))
    return records if isinstance(records, list) else []


def _save(session, assessment, records: list[dict]) -> None:
    kept = session.get(SESSION_KEY) or {}
    if records:
        kept[str(assessment.pk)] = records
    else:
        kept.pop(str(assessment.pk), None)
    session[SESSION_KEY] = kept


def _upload(record: dict) -> Upload:
    settled_at = record.get("settled_at")
    return Upload(
        id=record["id"],
        filename=record["filename"],
        uploaded_at=_moment(record["uploaded_at"]),
        outcome=record["outcome"],
        settled_at=_moment(settled_at) if settled_at else None,
    )


def stage(session, *, assessment, user, rows, filename: str) -> str:
    """Keep the ``rows`` of a workbook for ``user`` and ``assessment``.

    Return the id of the upload, which its preview and confirmation name.
    """
    _prune()
    upload_id = secrets.token_hex(8)
    token = secrets.token_hex(16)
    path = _path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    uploaded_at = timezone.now().isoformat()
    content = {
        "id": upload_id,
        "assessment": assessment.pk,
        "user": user.pk,
        "filename": filename,
        "uploaded_at": uploaded_at,
        "rows": [row.to_dict() for row in rows],
    }
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    records = _records(session, assessment)
    records.append(
        {
            "id": upload_id,
            "token": token,
            "filename": filename,
            "uploaded_at": uploaded_at,
            "outcome": PENDING,
        }
    )
    _save(session, assessment, _trimmed(records))
    return upload_id


def staged(session, *, assessment, user, upload: str | None = None) -> Staged | None:
    """Return what was kept of ``upload`` for ``user`` and ``assessment``, or None.

    Without ``upload``, return the newest upload still waiting.
    """
    records = [
        record
        for record in _records(session, assessment)
        if _waits(record) and (upload is None or record["id"] == upload)
    ]
    if not records:
        return None
    record = records[-1]
    token = record.get("token", "")
    if not token.isalnum():
        return None
    try:
        content = json.loads(_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if content.get("assessment") != assessment.pk or content.get("user") != user.pk:
        logger.warning("Upload %s read by another user or assessment", record["id"])
        return None
    return Staged(upload=_upload(record), rows=content.get("rows"))


def find(session, *, assessment, upload: str) -> Upload | None:
    """Return what the session remembers of ``upload``, waiting or settled."""
    for record in _records(session, assessment):
        if record["id"] == upload:
            return _upload(record)
    return None


def waiting(session, *, assessment) -> list[Upload]:
    """Return the uploads of ``assessment`` waiting for confirmation, newest first."""
    return [
        _upload(record)
        for record in reversed(_records(session, assessment))
        if _waits(record)
    ]


def settle(session, *, assessment, upload: str, outcome: str) -> Upload | None:
    """Forget the rows of ``upload``, remembering it as ``outcome``; return it."""
    records = _records(session, assessment)
    for record in records:
        if record["id"] == upload and _waits(record):
            _remove(record.pop("token", ""))
            record.update(outcome=outcome, settled_at=timezone.now().isoformat())
            _save(session, assessment, _trimmed(records))
            return _upload(record)
    return None


def discard(session, *, assessment) -> None:
    """Discard every upload of ``assessment`` that is waiting, if any."""
    for upload in waiting(session, assessment=assessment):
        settle(session, assessment=assessment, upload=upload.id, outcome=DISCARDED)


def _moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def _cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=MAX_AGE_SECONDS)


def _waits(record: dict) -> bool:
    """Say whether the upload of ``record`` waits, its file not yet pruned."""
    return record["outcome"] == PENDING and _moment(record["uploaded_at"]) >= _cutoff()


def _trimmed(records: list[dict]) -> list[dict]:
    """Return ``records`` without those too old or too many to keep.

    The file of a waiting upload let go is removed with its record.
    """
    pending = [record for record in records if _waits(record)]
    settled = [
        record
        for record in records
        if record["outcome"] != PENDING and _moment(record["settled_at"]) >= _cutoff()
    ]
    kept = {record["id"] for record in pending[-MAX_PENDING:] + settled[-MAX_SETTLED:]}
    for record in records:
        if record["id"] not in kept:
            _remove(record.get("token", ""))
    return [record for record in records if record["id"] in kept]


def _remove(token: str) -> None:
    if token and token.isalnum():
        _path(token).unlink(missing_ok=True)


def _prune() -> None:
    directory = uploads.private_root() / DIRECTORY
    if not directory.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in directory.glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
