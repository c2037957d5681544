"""Check an API response against what the OpenAPI schema at /api/schema/ documents for its operation."""

import functools

import requests
from schemathesis.core.transport import Response


@functools.cache
def api_schema():
    """Return the schema the app serves, loaded by schemathesis (read once per test run)."""
    import schemathesis
    from django.test import Client

    raw = Client().get("/api/schema/?format=json").json()
    return schemathesis.openapi.from_dict(raw)


def assert_documented(response, method, path):
    """Fail unless the schema documents ``response``'s status for ``method path`` and its body matches it.

    ``path`` is the operation's template, e.g. ``/api/v1/quizzes/{quiz_id}/stats/``; ``response`` is a
    Django test-client response.
    """
    operation = api_schema()[path][method.upper()]
    documented = sorted(operation.definition.raw["responses"])
    assert str(response.status_code) in documented, f"{method} {path}: {response.status_code} not in {documented}"
    sent = requests.Request(method.upper(), f"http://testserver{path}").prepare()
    operation.validate_response(Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=sent,
        elapsed=0.0,
        verify=False,
    ))
