"""Errors of the API as JSON: a machine-readable code and a human message.

Every error body reads ``{"code": ..., "message": ...}``; invalid input adds
``errors``, a mapping of field name to messages, and some errors carry more
(the current answer of a conflict, the problems that keep an assessment from
being submitted). The services raise Django's exceptions; they are mapped
here, so that a view need not catch them.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from assessments.services import AnswerConflict, SubmissionIncomplete
from assessments.uploads import size_label


class Conflict(exceptions.APIException):
    """The object changed since the version the request was based on."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("The object was changed in the meantime.")

    def __init__(self, detail=None, code=None, *, current=None):
        super().__init__(detail, code)
        self.current = current


class UploadTooLarge(exceptions.APIException):
    """An uploaded file or the request body passed its size limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _messages(detail) -> list[str]:
    """Flatten DRF error details, however nested, into their messages."""
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _first_code(codes) -> str:
    if isinstance(codes, dict):
        codes = list(codes.values())
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def _from_django_validation(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        detail = {
            (field if field != "__all__" else api_settings.NON_FIELD_ERRORS_KEY): [
                exceptions.ErrorDetail(message, code=item.code or "invalid")
                for item in items
                for message in item.messages
            ]
            for field, items in error.error_dict.items()
        }
    else:
        detail = [
            exceptions.ErrorDetail(message, code=item.code or "invalid")
            for item in error.error_list
            for message in item.messages
        ]
    return exceptions.ValidationError(detail)


def _summary(detail) -> str:
    """Return the messages of ``detail`` in one line, each after its field."""
    if not isinstance(detail, dict):
        return " ".join(_messages(detail))
    return " ".join(
        " ".join(_messages(value))
        if field == api_settings.NON_FIELD_ERRORS_KEY
        else f"{field}: {' '.join(_messages(value))}"
        for field, value in detail.items()
    )


def _unreadable_body(request) -> exceptions.ParseError:
    """Return a parse error in the caller's language.

    The parsers' own message ends with the text of the exception that
    stopped them, which is in English and says more about the parser than
    about the body.
    """
    media_type = (getattr(request, "content_type", "") or "").split(";")[0].strip()
    if not media_type or media_type.endswith("json"):
        return exceptions.ParseError(
            _("The request body is not valid JSON. Check its syntax and send it again.")
        )
    return exceptions.ParseError(
        _(
            "The request body cannot be read as %(media_type)s. Check it and "
            "send it again."
        )
        % {"media_type": media_type}
    )


def _oversized(exc) -> exceptions.APIException:
    """Return the refusal of a body past one of Django's limits, as JSON.

    Django raises these while the body is read, which under the API is in
    the view; left to Django, they would answer its HTML page for 400.
    """
    if isinstance(exc, RequestDataTooBig):
        return UploadTooLarge(
            _(
                "The request body, uploaded files apart, is larger than "
                "%(limit)s, the most the API accepts. Send less in one request."
            )
            % {"limit": size_label(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
        )
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ValidationError(
            _(
                "The request has more files than the API accepts in one "
                "request, %(limit)d. Send fewer at a time."
            )
            % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
            code="too_many_files",
        )
    return exceptions.ValidationError(
        _(
            "The request has more fields than the API accepts in one request, "
            "%(limit)d. Send fewer at a time."
        )
        % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS},
        code="too_many_fields",
    )


def _is_null_body(exc: exceptions.APIException) -> bool:
    """Say whether ``exc`` is DRF's refusal of a body that is JSON ``null``.

    DRF words it in English only; a field sent as null is refused under
    the field's own name, never alone under the non-field key.
    """
    detail = exc.detail
    if not isinstance(detail, dict) or list(detail) != [
        api_settings.NON_FIELD_ERRORS_KEY
    ]:
        return False
    errors = detail[api_settings.NON_FIELD_ERRORS_KEY]
    return len(errors) == 1 and getattr(errors[0], "code", None) == "null"


def _null_body() -> exceptions.ValidationError:
    message = _(
        "The request body is null. Send a JSON object with the fields of this "
        "request, or {} when it takes none."
    )
    return exceptions.ValidationError(
        {
            api_settings.NON_FIELD_ERRORS_KEY: [
                exceptions.ErrorDetail(message, code="null")
            ]
        }
    )


def _body(exc: exceptions.APIException) -> dict:
    body = {
        "code": _first_code(exc.get_codes()),
        "message": _summary(exc.detail) or _("Check the values sent and try again."),
    }
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["errors"] = {
            field: _messages(value) for field, value in exc.detail.items()
        }
    return body


def exception_handler(exc, context):
    """Turn an exception raised under the API into an error response."""
    extra = {}
    if isinstance(exc, AnswerConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, SubmissionIncomplete):
        extra["problems"] = [
            {"requirement": p.code, "kind": p.kind, "message": p.message}
            for p in exc.problems
        ]
        exc = exceptions.ValidationError(
            exceptions.ErrorDetail(exc.messages[0], code="incomplete")
        )
    elif isinstance(exc, DjangoValidationError):
        exc = _from_django_validation(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Nothing was found at this address."))
    elif isinstance(exc, exceptions.ParseError):
        exc = _unreadable_body(context.get("request"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(
            str(exc) or _("Your role does not allow this action.")
        )
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = _oversized(exc)
    elif isinstance(exc, exceptions.ValidationError) and _is_null_body(exc):
        exc = _null_body()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {**_body(exc), **extra}
    if isinstance(exc, Conflict) and exc.current is not None:
        response.data["current"] = exc.current
    return response
