"""A task travels through the real broker to a real worker process and its answer comes back."""

import os

import pytest

from config.celery_app import app, ping
from tests.processes import descendants


@pytest.mark.worker
def test_a_worker_process_answers_a_task(celery_worker_process):
    answer = ping.delay().get(timeout=30)
    assert answer["pong"] is True
    assert answer["pid"] != os.getpid()
    assert answer["pid"] in descendants(celery_worker_process.proc.pid) | {celery_worker_process.proc.pid}


def test_the_broker_is_the_one_the_runtime_selects(settings):
    expected = os.environ.get("CELERY_BROKER_URL", "filesystem://")
    assert app.conf.broker_url == expected
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    if not expected.startswith("filesystem://"):
        assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit
