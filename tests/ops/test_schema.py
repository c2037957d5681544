"""The OpenAPI schema covers every API view and is served offline."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator


def _api_paths(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_api_view_is_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = set(_api_paths())
    assert "/api/v1/me/" in routes
    missing = sorted(routes - set(schema["paths"]))
    assert missing == [], f"API views missing from the OpenAPI schema: {missing}"


def test_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/auth/token/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def test_every_operation_documents_the_errors_drf_answers():
    for method, path, operation in _operations():
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        label = f"{method} {path}"
        if any(p["in"] == "path" for p in parameters):
            assert "404" in responses, label
        if "requestBody" in operation:
            assert {"400", "415"} <= set(responses), label
        if operation.get("security") and {} not in operation["security"]:
            assert {"401", "403"} <= set(responses), label


def test_errors_share_one_documented_shape():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}
    refs = {response["content"]["application/json"]["schema"]["$ref"]
            for _, _, operation in _operations()
            for status, response in operation["responses"].items() if status.startswith("4")}
    assert refs == {"#/components/schemas/Error"}


def test_a_refused_token_is_a_documented_401(api_client, db):
    from tests.openapi import assert_documented

    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert_documented(response, "GET", "/api/v1/jobs/")


def test_a_student_refused_an_instructor_operation_gets_a_documented_403(api_as, student):
    from tests.openapi import assert_documented

    response = api_as(student).post("/api/v1/courses/", {"title": "T", "slug": "t"}, format="json")
    assert response.status_code == 403
    assert_documented(response, "POST", "/api/v1/courses/")


def test_a_body_of_an_unknown_content_type_is_a_documented_415(api_as, instructor):
    from tests.openapi import assert_documented

    response = api_as(instructor).generic("POST", "/api/v1/courses/", b"title: T", content_type="text/yaml")
    assert response.status_code == 415
    assert_documented(response, "POST", "/api/v1/courses/")
