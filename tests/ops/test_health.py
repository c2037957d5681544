"""Liveness and readiness probes, and JSON errors under /api/."""

import pytest
from django.db.utils import OperationalError

from config import health
from config.celery_app import app as celery_app


def test_healthz_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_database_and_broker_answer(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.fixture
def dead_broker(monkeypatch):
    """Point the Celery app at a port where nothing listens, and restore it afterwards."""
    dead = "redis://127.0.0.1:1/0"
    saved = {"broker_url": celery_app.conf.broker_url, "broker_transport_options": celery_app.conf.broker_transport_options}
    # Celery prefers the CELERY_BROKER_URL variable to its configuration, so both must change.
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    celery_app.conf.update(broker_url=dead, broker_transport_options={})
    yield
    celery_app.conf.update(saved)


def test_readyz_reports_a_dead_broker_by_name(client, db, dead_broker):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("failed: ")


def test_readyz_reports_a_dead_database_by_name(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(health.connection, "cursor", broken_cursor)
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert "connection refused" in response.json()["checks"]["database"]


def test_every_response_carries_a_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef123456")
    assert response["X-Request-ID"] == "abcdef123456"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")
    assert len(generated["X-Request-ID"]) == 32 and generated["X-Request-ID"] != "bad id!"


def test_logs_are_json_lines_with_the_request_id():
    import json
    import logging

    from config.logs import JsonFormatter
    from config.request_id import RequestIdFilter, _request_id

    token = _request_id.set("req-1234567")
    try:
        record = logging.makeLogRecord({"name": "labs", "levelname": "INFO", "msg": "job %s done", "args": (7,), "job": 7})
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        _request_id.reset(token)
    assert line["message"] == "job 7 done"
    assert line["request_id"] == "req-1234567"
    assert line["job"] == 7


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
