"""Uploaded workbooks kept between their preview and the confirmation.

The rows read from a workbook are written as JSON under the private
storage, named by a random token that only the uploader's session knows.
The file also names the user and the assessment and is read back only for
both, so nothing of the confirmation comes from the browser. Files older
than a day are removed whenever a new one is written.
"""

import json
import logging
import secrets
import time

from django.utils import timezone

from assessments import uploads

logger = logging.getLogger(__name__)

DIRECTORY = "interchange"
SESSION_KEY = "interchange.questionnaire"
MAX_AGE_SECONDS = 24 * 3600


def _path(token: str):
    return uploads.private_root() / DIRECTORY / f"{token}.json"


def _tokens(session) -> dict:
    return session.get(SESSION_KEY) or {}


def stage(session, *, assessment, user, rows, filename: str) -> None:
    """Keep the ``rows`` of a workbook for ``user`` and ``assessment``."""
    _prune()
    discard(session, assessment=assessment)
    token = secrets.token_hex(16)
    path = _path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "assessment": assessment.pk,
        "user": user.pk,
        "filename": filename,
        "uploaded_at": timezone.now().isoformat(),
        "rows": [row.to_dict() for row in rows],
    }
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    tokens = _tokens(session)
    tokens[str(assessment.pk)] = token
    session[SESSION_KEY] = tokens


def staged(session, *, assessment, user) -> dict | None:
    """Return what was kept for ``user`` and ``assessment``, or None."""
    token = _tokens(session).get(str(assessment.pk))
    if not token or not token.isalnum():
        return None
    try:
        content = json.loads(_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if content.get("assessment") != assessment.pk or content.get("user") != user.pk:
        logger.warning("Staged upload %s read by another user or assessment", token)
        return None
    return content


def discard(session, *, assessment) -> None:
    """Forget the workbook kept for ``assessment``, if any."""
    tokens = _tokens(session)
    token = tokens.pop(str(assessment.pk), None)
    if token is None:
        return
    session[SESSION_KEY] = tokens
    if token.isalnum():
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
