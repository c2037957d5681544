"""`make run`'s command serves the site, runs a real worker, and stops both cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import alive, children, free_port

ROOT = Path(__file__).resolve().parents[2]


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_embedded_runtime_serves_runs_a_worker_and_stops_cleanly(tmp_path, stop_signal):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_BROKER_DIR")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "LABS_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"})
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    port = free_port()
    log = open(tmp_path / "run.log", "w+")
    runner = subprocess.Popen([*manage, "run_embedded", "--port", str(port), "--concurrency", "1"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _get(f"{base}/healthz") == (200, '{"status": "ok"}')
                break
            except OSError:
                assert time.monotonic() < deadline, "the web server did not come up"
                time.sleep(0.3)
        status, docs = _get(f"{base}/api/docs/")
        assert status == 200 and "swagger-ui" in docs
        ping = subprocess.run([*manage, "celery_ping", "--timeout", "45"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=90)
        assert ping.returncode == 0, ping.stderr
        assert ping.stdout.startswith("pong from ")
        started = children(runner.pid)
        assert len(started) == 2
        runner.send_signal(stop_signal)
        assert runner.wait(timeout=30) == 0
        assert [pid for pid in started if alive(pid)] == []
    finally:
        if runner.poll() is None:
            runner.kill()
    log.seek(0)
    output = log.read()
    assert f"Labs ICT is running at http://127.0.0.1:{port}/" in output
    assert "student, pro, instructor, admin" in output
    assert "Stopped." in output
