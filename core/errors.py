"""One JSON error shape for every API error: {"detail", "code", "errors"}.

The Mr ICT apps show ``detail``, else ``message``, and per-field lists under
``errors``; so every 4xx (and the rare 5xx) from /api/ looks the same.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

NON_FIELD_KEY = "non_field_errors"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service this request needs is unavailable. Try again shortly."
    default_code = "service_unavailable"


class InsufficientStorage(exceptions.APIException):
    status_code = status.HTTP_507_INSUFFICIENT_STORAGE
    default_detail = "The server has no room to store this file right now."
    default_code = "insufficient_storage"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [msg for value in detail.values() for msg in _flatten(value)]
    if isinstance(detail, list):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(field): _flatten(value) for field, value in detail.items()}
    return {NON_FIELD_KEY: _flatten(detail)}


def _first_code(codes) -> str | None:
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else None
    return codes


def error_body(*, detail: str, code: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "code": code, "errors": errors or {}}


def too_large(exc: Exception) -> PayloadTooLarge:
    """Django's own body limits (DATA_UPLOAD_MAX_*) are size limits like ours: a 413 in the
    common shape, not SuspiciousOperation's generic 400 with a logged traceback."""
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(
            f"The request body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes. "
            "Send it in smaller parts."
        )
    if isinstance(exc, TooManyFilesSent):
        return PayloadTooLarge(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files.")
    return PayloadTooLarge(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.")


BODY_LIMIT_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def api_exception_handler(exc, context):
    if isinstance(exc, BODY_LIMIT_ERRORS):
        exc = too_large(exc)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_KEY: exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let Django log it and answer 500 (JSON, see views below)

    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        messages = _flatten(exc.detail)
        detail = messages[0] if len(messages) == 1 else "Some fields are not valid."
        code = (_first_code(exc.get_codes()) or "invalid") if len(messages) == 1 else "invalid"
        body = error_body(detail=detail, code=code, errors=errors)
    else:
        detail = exc.detail
        if isinstance(detail, dict) and "detail" in detail:  # SimpleJWT's token errors
            body = error_body(detail=str(detail["detail"]), code=str(detail.get("code", "token_not_valid")))
        elif isinstance(detail, (dict, list)):
            body = error_body(
                detail=_flatten(detail)[0] if _flatten(detail) else str(exc),
                code=_first_code(exc.get_codes()) or "error",
                errors=_field_errors(detail) if isinstance(detail, dict) else {},
            )
        else:
            body = error_body(detail=str(detail), code=str(getattr(detail, "code", "error")))
    response.data = body
    return response


def json_error_response(request, *, status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse(error_body(detail=detail, code=code), status=status_code)


def handler404(request, exception=None):
    return json_error_response(request, status_code=404, detail="Not found.", code="not_found")


def handler500(request):
    return json_error_response(
        request, status_code=500, detail="Something went wrong on our side.", code="server_error"
    )


def handler400(request, exception=None):
    if isinstance(exception, BODY_LIMIT_ERRORS):  # outside DRF views (they go through the handler above)
        error = too_large(exception)
        return json_error_response(request, status_code=413, detail=str(error.detail), code=error.default_code)
    return json_error_response(request, status_code=400, detail="Bad request.", code="bad_request")


def handler403(request, exception=None):
    return json_error_response(request, status_code=403, detail="Permission denied.", code="permission_denied")
