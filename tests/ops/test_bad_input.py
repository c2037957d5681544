"""Bad input to every write endpoint of accounts, lessons and jobs: a 4xx with a message, never a 500."""

import pytest

from tests.lessons.conftest import course  # noqa: F401  (a published course with lessons)

BAD_BODIES = [
    "not json at all",
    "[1, 2, 3]",
    '{"spec": "x", "code": 5, "assignment": {"a": 1}}',
    '{"days": "many", "max_uses": -3, "expires_at": "yesterday", "code": 7}',
    '{"title": 12345678901234567890, "slug": ["x"], "body": null, "order": 1e400}',
    '{"lessons": "all"}',
    '{"refresh": 42, "username": null, "password": {"x": 1}}',
    '{"code": "' + "A" * 100_000 + '"}',
    '{"spec": {"dataset": {"name": "spirals", "samples": 99999999999999999999}, "model": {"layers": [{"units": -1}]}}}',
]
ENDPOINTS = [
    "/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/pro-codes/",
    "/api/v1/pro-codes/redeem/", "/api/v1/courses/", "/api/v1/lessons/", "/api/v1/courses/nn/reorder/",
    "/api/v1/jobs/", "/api/v1/assignments/",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_bad_bodies_get_a_clear_4xx(api_as, instructor, course, endpoint):
    client = api_as(instructor)
    for body in BAD_BODIES:
        response = client.post(endpoint, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (endpoint, body[:60], response.status_code)
        assert response.json()["detail"], (endpoint, body[:60])


@pytest.mark.parametrize("method", ["patch", "delete", "put"])
def test_writes_to_missing_objects_are_404_or_405(api_as, instructor, db, method):
    client = api_as(instructor)
    for path in ("/api/v1/courses/none/", "/api/v1/lessons/none/", "/api/v1/assignments/none/"):
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code in (404, 405), (path, method, response.status_code)


def test_a_form_with_too_many_fields_is_a_json_400(api_as, instructor, course, settings):
    body = {"lessons": [f"lesson-{n}" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]}
    response = api_as(instructor).post(f"/api/v1/courses/{course.slug}/reorder/", body, format="multipart")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} form "
                                         "fields; send JSON instead.", "code": "bad_request"}


def test_a_body_over_the_upload_limit_is_a_json_400(api_as, instructor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(instructor).post("/api/v1/courses/", {"title": "T" * 2000, "slug": "t"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is larger than 1000 bytes."
