"""Fixtures shared by the whole suite: users of each role, API clients, and a real Celery worker process."""

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def make_user(db):
    """Return a function that creates a user with a role and, optionally, Pro for ``pro_days``."""
    from django.utils import timezone

    from accounts.models import User

    def make(username="learner", *, role="student", password="s3cret-pass!", pro_days=None, **fields):
        user = User(username=username, role=role, **fields)
        if pro_days is not None:
            user.pro_until = timezone.now() + timedelta(days=pro_days)
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def student(make_user):
    return make_user("student")


@pytest.fixture
def other_student(make_user):
    return make_user("other")


@pytest.fixture
def pro_student(make_user):
    return make_user("prostudent", pro_days=30)


@pytest.fixture
def instructor(make_user):
    return make_user("teacher", role="instructor")


@pytest.fixture
def staff(make_user):
    return make_user("staffer", role="staff")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api_client):
    """Return a function that authenticates the API client as a user (or anonymous with None)."""

    def login_as(user):
        api_client.force_authenticate(user=user)
        return api_client

    return login_as


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache (login-failure counters live there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _database_url(settings_dict):
    """Return a DATABASE_URL naming the test database the suite runs on."""
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


class WorkerProcess:
    """A Celery worker running as a separate process on the configured broker and the test database."""

    def __init__(self, env, queues="default,training", concurrency=1):
        self.env = env
        self.queues = queues
        self.concurrency = concurrency
        self.proc = None
        self.log_path = ROOT / "var" / "test-logs" / f"worker-{os.getpid()}-{time.monotonic_ns()}.log"

    def start(self, timeout=60):
        from config.celery_app import ping

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queues,
            "--concurrency", str(self.concurrency), "--loglevel", "INFO", "-n", f"test-{os.getpid()}@%h",
            "--without-gossip", "--without-mingle",
        ]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"The Celery worker exited with {self.proc.returncode}; see {self.log_path}")
            try:
                ping.apply_async(expires=10).get(timeout=3)
                return self
            except Exception:
                continue
        self.stop()
        raise RuntimeError(f"The Celery worker did not answer within {timeout} s; see {self.log_path}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _purge_filesystem_broker():
    from django.conf import settings

    from config.celery_app import app, ensure_filesystem_broker_folders

    if str(app.conf.broker_url).startswith("filesystem://"):
        shutil.rmtree(settings.CELERY_BROKER_DIR, ignore_errors=True)
        ensure_filesystem_broker_folders(app.conf)


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker):
    """The environment a worker process needs to share the suite's database and broker."""
    from django.db import connection

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session", autouse=True)
def _remove_run_broker_folder():
    """Remove this run's filesystem-broker folder at the end (see config/settings/test.py)."""
    yield
    from django.conf import settings

    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        shutil.rmtree(settings.CELERY_BROKER_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def celery_worker_process(worker_env):
    """A real Celery worker process on the real broker (filesystem or Redis), for the whole session."""
    _purge_filesystem_broker()
    worker = WorkerProcess(worker_env).start()
    yield worker
    worker.stop()
