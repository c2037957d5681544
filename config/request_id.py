"""Give every request an id, return it as ``X-Request-ID`` and attach it to every log record."""

import contextvars
import logging
import re
import uuid

_request_id = contextvars.ContextVar("request_id", default="-")
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id():
    """Return the id of the request being served, or ``-`` outside a request."""
    return _request_id.get()


class RequestIdMiddleware:
    """Take a well-formed incoming ``X-Request-ID`` (from a proxy) or make a new one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _ACCEPTED.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to each record."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True
