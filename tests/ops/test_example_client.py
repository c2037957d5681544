"""examples/api_client.py against a live server and a real worker, with the demo loaded: what it prints is true."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from quizzes.models import Attempt
from sandbox.models import TrainingJob

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "api_client.py"

pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args, username="student", password=None):
    env = {**os.environ, "LABS_USERNAME": username, "LABS_PASSWORD": password or settings.DEMO_PASSWORD,
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.worker
def test_the_example_client_takes_a_quiz_and_prints_the_grade_of_its_spirals_job(live_server, celery_worker_process):
    call_command("load_demo", stdout=StringIO())
    result = _run(live_server.url, "--timeout", "240")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert result.stderr == ""
    assert f"Logged in to {live_server.url} as student (student, plan free)" in out
    assert "  neural-networks-basics: " in out

    attempt = Attempt.objects.get(user__username="student")
    assert attempt.state == Attempt.State.GRADED
    score = re.search(r"^Quiz score: ([\d.]+) / ([\d.]+) \(([\d.]+)%\), (passed|not passed)$", out, re.M)
    assert score, out
    assert float(score[1]) == pytest.approx(attempt.score, abs=0.005)
    assert float(score[2]) == pytest.approx(attempt.max_score, abs=0.005)
    assert float(score[3]) == pytest.approx(attempt.percent, abs=0.05)
    assert f"attempt {attempt.pk} started, {attempt.answers.count()} question(s)" in out

    job = TrainingJob.objects.get(user__username="student")
    assert job.status == TrainingJob.Status.SUCCEEDED and job.assignment.slug == "separate-the-spirals"
    assert f"Job {job.pk} submitted for separate-the-spirals: queued" in out
    grade = re.search(r"^Grade: ([\d.]+) / ([\d.]+), (passed|not passed)$", out, re.M)
    assert grade, out
    assert float(grade[1]) == pytest.approx(job.grade["score"], abs=0.005) and job.grade["score"] > 0
    assert float(grade[2]) == job.grade["max_score"] == 12
    assert (grade[3] == "passed") is job.grade["passed"]


def test_the_example_client_says_why_a_login_is_refused(live_server):
    call_command("load_demo", stdout=StringIO())
    result = _run(live_server.url, password="not-the-password")
    assert result.returncode == 1
    assert "The API refused: HTTP 401: Wrong username or password." in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
