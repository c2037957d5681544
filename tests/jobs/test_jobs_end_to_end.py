"""Jobs through the API, run by a real Celery worker process in the sandbox, graded, on this runtime's broker."""

import time

import pytest
from rest_framework import status

from sandbox.models import TrainingJob

from .conftest import BAD_SPIRALS, FREE_PLAY, GOOD_SPIRALS, SIGMOID_RIGHT, SIGMOID_WRONG_GRAD, spec
from .helpers import wait_for_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _submit(client, **body):
    response = client.post("/api/v1/jobs/", body, format="json")
    assert response.status_code == status.HTTP_201_CREATED, response.json()
    return response.json()["id"]


def test_the_spirals_assignment_passes_with_a_good_spec(celery_worker_process, api_as, student, spirals):
    client = api_as(student)
    job = wait_for_job(_submit(client, assignment="separate-the-spirals", spec=spec(GOOD_SPIRALS)))
    assert job.status == "succeeded", job.message
    assert job.grade["passed"] is True and job.grade["score"] == 10.0 and job.grade["max_score"] == 12.0
    assert job.result["evaluation"]["test_accuracy"] >= 0.95 and job.result["evaluation"]["test_samples"] == 600
    assert len(job.history["train_loss"]) == 150 and job.history["train_loss"][-1] < job.history["train_loss"][0]
    assert job.result["engine_version"] and job.result["seed"] and job.result["usage"]["cpu_seconds"] > 0
    assert {"seccomp", "rlimits"} <= set(job.result["sandbox_layers"])
    assert len(job.result["decision_grid"]["classes"]) == 50
    body = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["grade"]["score"] == 10.0 and "777001" not in str(body)  # the hidden split's seed never leaves


def test_the_spirals_assignment_fails_with_a_bad_spec(celery_worker_process, api_as, student, spirals):
    job = wait_for_job(_submit(api_as(student), assignment="separate-the-spirals", spec=spec(BAD_SPIRALS)))
    assert job.status == "succeeded"
    assert job.grade["passed"] is False and job.grade["score"] < 6
    assert "below every threshold" in job.grade["criteria"][0]["message"]


def test_the_sigmoid_exercise_passes_with_a_right_answer(celery_worker_process, api_as, student, sigmoid_exercise):
    job = wait_for_job(_submit(api_as(student), assignment="implement-sigmoid", code=SIGMOID_RIGHT))
    assert job.status == "succeeded", job.message
    assert job.grade["passed"] is True and job.grade["score"] == job.grade["max_score"] == 10


def test_a_wrong_derivative_gets_feedback_that_names_it(celery_worker_process, api_as, student, sigmoid_exercise):
    job = wait_for_job(_submit(api_as(student), assignment="implement-sigmoid", code=SIGMOID_WRONG_GRAD))
    assert job.grade["passed"] is False
    failed = [c for c in job.grade["criteria"] if not c["passed"]]
    assert failed and any("sigmoid_grad" in c["message"] for c in failed)
    assert any("expected 0.25" in c["message"] for c in failed)


def test_an_error_in_code_shows_only_the_learners_lines(celery_worker_process, api_as, student, sigmoid_exercise):
    code = "import numpy as np\n\ndef sigmoid(x):\n    return undefined_name + x\n\ndef sigmoid_grad(x):\n    return x\n"
    job = wait_for_job(_submit(api_as(student), assignment="implement-sigmoid", code=code))
    text = job.message + " ".join(c["message"] for c in job.grade["criteria"]) + job.result.get("stderr", "")
    # The error's own text is left out: a learner could smuggle the hidden inputs out through it.
    assert "raised NameError at line 4 of submission.py" in text
    assert "/work/" not in text and "site-packages" not in text and "sandbox/runner" not in text


def test_a_diverging_spec_fails_with_the_epoch_and_advice(celery_worker_process, api_as, student):
    wild = spec(FREE_PLAY)
    wild["optimizer"] = {"name": "sgd", "learning_rate": 50}
    wild["training"]["epochs"] = 50
    job = wait_for_job(_submit(api_as(student), spec=wild))
    assert job.status == "failed" and job.reason == "diverged"
    assert "epoch" in job.message and "learning rate" in job.message


def test_progress_is_visible_while_the_job_runs_and_cancel_stops_it_within_a_second(celery_worker_process, api_as, pro_student):
    client = api_as(pro_student)
    long = spec(FREE_PLAY)
    long["dataset"] = {"name": "spirals", "samples": 4000, "classes": 3, "noise": 0.2, "seed": 2}
    long["model"]["layers"] = [{"units": 64, "activation": "tanh"}, {"units": 64, "activation": "tanh"}]
    long["training"].update(epochs=1500, batch_size=16)
    job_id = _submit(client, spec=long)
    seen = []
    deadline = time.monotonic() + 60
    while len(set(seen)) < 3 and time.monotonic() < deadline:
        body = client.get(f"/api/v1/jobs/{job_id}/").json()
        if body["status"] == "running" and body["progress"].get("epoch"):
            seen.append(body["progress"]["epoch"])
            assert len(body["history"]["train_loss"]) >= 1  # the curve so far
        time.sleep(0.2)
    assert len(set(seen)) >= 3 and seen == sorted(seen)
    asked = time.monotonic()
    assert client.post(f"/api/v1/jobs/{job_id}/cancel/").status_code == 200
    job = wait_for_job(job_id, timeout=10, poll=0.05)
    assert job.status == "cancelled"
    assert time.monotonic() - asked < 1.5
    assert job.progress["epoch"] < 1500


def test_nobody_reads_or_cancels_another_learners_job(celery_worker_process, api_as, student, other_student):
    job_id = _submit(api_as(student), spec=spec(FREE_PLAY))
    other = api_as(other_student)
    assert other.get(f"/api/v1/jobs/{job_id}/").status_code == 404
    assert other.post(f"/api/v1/jobs/{job_id}/cancel/").status_code == 404
    assert other.get("/api/v1/jobs/").json() == []
    wait_for_job(job_id)
    assert TrainingJob.objects.get(pk=job_id).status == "succeeded"


def test_the_worker_reports_its_sandbox_layers_on_readyz(celery_worker_process, client):
    from sandbox.tasks import report_sandbox_layers

    # Workers record their layers when they start; the database is emptied between tests, so ask again.
    active = report_sandbox_layers.delay().get(timeout=30)
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    reported = body["sandbox"][0]
    assert reported["active_layers"] == active
    assert {"rlimits", "seccomp"} <= set(active) and reported["code_allowed"] is True
