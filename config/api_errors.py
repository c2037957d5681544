"""JSON errors for the API: a sentence a person understands and, for bad input, the fields at fault.

Every error body has ``detail`` (one sentence) and ``code``; validation errors add ``errors``, a map
from field path to messages, e.g. ``{"detail": "days: Ensure this value is greater than or equal to 1.",
"code": "invalid", "errors": {"days": ["Ensure this value is greater than or equal to 1."]}}``.
"""

import logging

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def _flatten(errors, prefix=""):
    """Turn DRF's nested error structure into ``{"path.to.field": [messages]}``."""
    flat = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            path = key if not prefix else (f"{prefix}.{key}" if key != "non_field_errors" else prefix)
            flat.update(_flatten(value, path))
    elif isinstance(errors, list):
        if all(not isinstance(item, (dict, list)) for item in errors):
            flat.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in errors)
        else:
            for index, item in enumerate(errors):
                flat.update(_flatten(item, f"{prefix}[{index}]"))
    else:
        flat.setdefault(prefix or "non_field_errors", []).append(str(errors))
    return flat


def api_exception_handler(exc, context):
    """Shape every API error as ``{"detail", "code"[, "errors"]}``."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first_field, messages = next(iter(errors.items()), ("non_field_errors", ["Invalid input."]))
        sentence = messages[0] if first_field == "non_field_errors" else f"{first_field}: {messages[0]}"
        response.data = {"detail": sentence, "code": "invalid", "errors": errors}
    else:
        detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
        code = getattr(exc, "default_code", "error")
        if isinstance(getattr(exc, "detail", None), exceptions.ErrorDetail):
            code = exc.detail.code or code
        body = {"detail": str(detail), "code": code}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after_seconds"] = int(exc.wait + 0.999)
        if isinstance(response.data, dict):
            for key, value in response.data.items():
                if key not in ("detail", "code", "messages"):
                    body[key] = value
        response.data = body
    return response


def _wants_json(request):
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """Return 404 as JSON under ``/api/`` and as a page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=status.HTTP_404_NOT_FOUND)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def _unreadable_request_detail(exception):
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent

    if isinstance(exception, TooManyFieldsSent):
        return f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} form fields; send JSON instead."
    if isinstance(exception, TooManyFilesSent):
        return f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files."
    if isinstance(exception, RequestDataTooBig):
        return f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    return "The request could not be read."


def bad_request(request, exception=None):
    """Return 400 for a request Django refused before any view (too many fields, too large) as JSON under ``/api/``."""
    if _wants_json(request):
        return JsonResponse({"detail": _unreadable_request_detail(exception), "code": "bad_request"},
                            status=status.HTTP_400_BAD_REQUEST)
    from django.views.defaults import bad_request as page_bad_request

    return page_bad_request(request, exception)


def server_error(request):
    """Return 500 as JSON under ``/api/`` (no traceback ever) and as a page elsewhere."""
    if _wants_json(request):
        return JsonResponse(
            {"detail": "Something went wrong on our side; it has been logged.", "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    from django.views.defaults import server_error as page_server_error

    return page_server_error(request)
