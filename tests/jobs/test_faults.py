"""Faults with real workers on a Redis of the test's own: a worker SIGKILLed mid-job, Redis restarted with
jobs queued, and a burst of 50 jobs. No job is lost, none stays running, none runs twice at once."""

import os
import signal
import time

import pytest

from config.celery_app import app
from sandbox import services
from sandbox.models import TrainingJob
from tests.conftest import WorkerProcess
from tests.processes import PrivateRedis

from .conftest import FREE_PLAY, GOOD_SPIRALS, spec
from .helpers import wait_for_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
STALE_SECONDS = 3


def _point_celery_at(url):
    """Make this process's Celery app send to ``url`` (Celery prefers the environment variable)."""
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url, result_backend=url, broker_transport_options={"visibility_timeout": 3600})
    _forget_connections()


def _forget_connections():
    """Drop the app's cached connection pool, producer pool and result backend, so new ones use the new URLs."""
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def private_redis(tmp_path, settings):
    saved_env = os.environ.get("CELERY_BROKER_URL")
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "broker_transport_options")}
    server = PrivateRedis(tmp_path)
    server.start()
    _point_celery_at(server.url)
    settings.JOB_STALE_SECONDS = STALE_SECONDS
    workers = []
    server.workers = workers
    yield server
    for worker in workers:
        worker.stop()
    server.stop()
    if saved_env is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = saved_env
    app.conf.update(saved)
    _forget_connections()


def _worker(server, worker_env, concurrency=1):
    env = {**worker_env, "CELERY_BROKER_URL": server.url, "CELERY_RESULT_BACKEND": server.url,
           "JOB_STALE_SECONDS": str(STALE_SECONDS)}
    worker = WorkerProcess(env, concurrency=concurrency)
    server.workers.append(worker)
    return worker.start()


def _long_spec():
    long = spec(FREE_PLAY)
    long["dataset"] = {"name": "spirals", "samples": 3000, "classes": 3, "noise": 0.2, "seed": 2}
    long["model"]["layers"] = [{"units": 48, "activation": "tanh"}, {"units": 48, "activation": "tanh"}]
    long["training"].update(epochs=160, batch_size=32)
    return long


def test_a_job_whose_worker_is_sigkilled_completes_on_a_new_worker(private_redis, worker_env, pro_student):
    first = _worker(private_redis, worker_env)
    job = services.job_submit(user=pro_student, spec=_long_spec())
    deadline = time.monotonic() + 60
    while not (TrainingJob.objects.get(pk=job.pk).progress or {}).get("epoch"):
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    os.killpg(first.proc.pid, signal.SIGKILL)
    first.proc.wait()
    killed = TrainingJob.objects.get(pk=job.pk)
    assert killed.status == "running" and killed.attempts == 1
    _worker(private_redis, worker_env)
    time.sleep(STALE_SECONDS + 0.5)
    assert services.jobs_sweep()["requeued"] == 1
    done = wait_for_job(job.pk, timeout=120)
    assert done.status == "succeeded" and done.attempts == 2
    assert len(done.history["epoch"]) == 160  # the whole run, from the start, on the new worker


def test_a_job_submitted_while_redis_is_down_is_kept_and_run_once_it_is_back(private_redis, worker_env, student, settings):
    private_redis.stop()
    job = services.job_submit(user=student, spec=spec(FREE_PLAY))  # the send fails; the submission does not
    assert TrainingJob.objects.get(pk=job.pk).status == "queued"
    private_redis.start()
    _worker(private_redis, worker_env)
    settings.JOB_REQUEUE_SECONDS = 0
    assert services.jobs_sweep()["requeued"] == 1
    done = wait_for_job(job.pk)
    assert done.status == "succeeded" and done.attempts == 1


def test_jobs_queued_when_redis_restarts_are_recovered_by_the_sweeper(private_redis, worker_env, make_user, settings):
    jobs = [services.job_submit(user=make_user(f"queued{i}"), spec=spec(FREE_PLAY)) for i in range(5)]
    private_redis.restart()  # the queue, kept only in memory, is gone
    _worker(private_redis, worker_env)
    time.sleep(2)
    assert {TrainingJob.objects.get(pk=j.pk).status for j in jobs} == {"queued"}
    settings.JOB_REQUEUE_SECONDS = 1
    assert services.jobs_sweep()["requeued"] == 5
    assert {wait_for_job(j.pk).status for j in jobs} == {"succeeded"}


def test_fifty_jobs_submitted_at_once_all_finish_with_a_grade(private_redis, worker_env, make_user, spirals):
    _worker(private_redis, worker_env, concurrency=2)
    quick = spec(GOOD_SPIRALS)
    quick["training"]["epochs"] = 15
    jobs = [services.job_submit(user=make_user(f"burst{i}"), assignment=spirals, spec=quick) for i in range(50)]
    finished = [wait_for_job(j.pk, timeout=240) for j in jobs]
    assert {j.status for j in finished} == {"succeeded"}
    assert all(j.grade and j.grade["max_score"] == 12 for j in finished)
    assert {j.attempts for j in finished} == {1}  # none ran twice
