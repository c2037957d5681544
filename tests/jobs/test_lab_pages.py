"""The lab pages: forms that build a spec or take code, refusals shown in the form, job pages and charts."""

import pytest
from django.urls import reverse

from sandbox import charts, services
from sandbox.models import TrainingJob

from .conftest import FREE_PLAY, spec

FORM = {"output": "softmax", "loss": "cross_entropy", "optimizer": "adam", "learning_rate": "0.01", "epochs": "20",
        "batch_size": "32", "validation_split": "0.2", "seed": "0", "units_0": "16", "activation_0": "tanh"}


def test_the_lesson_page_lists_its_assignments(client, student, demo_assignments):
    client.force_login(student)
    page = client.get(reverse("lesson", args=["artificial-neural-networks"])).content.decode()
    assert reverse("lab-assignment", args=["separate-the-spirals"]) in page
    assert reverse("lab-assignment", args=["implement-sigmoid"]) in page


def test_submitting_the_spec_form_queues_a_job_and_shows_its_page(client, student, spirals):
    client.force_login(student)
    response = client.post(reverse("lab-assignment", args=["separate-the-spirals"]), FORM)
    job = TrainingJob.objects.get()
    assert response["Location"] == reverse("lab-job", args=[job.pk])
    layer = job.spec["model"]["layers"][0]
    assert (layer["units"], layer["activation"]) == (16, "tanh") and job.spec["dataset"]["name"] == "spirals"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="job-status">Queued' in page and 'role="progressbar"' in page
    assert '<meta http-equiv="refresh" content="2">' in page  # follows progress without JavaScript


def test_a_spec_over_the_limits_is_shown_in_the_form_and_nothing_is_queued(client, student, spirals):
    client.force_login(student)
    response = client.post(reverse("lab-assignment", args=["separate-the-spirals"]), {**FORM, "units_0": "4000"})
    assert response.status_code == 400
    assert "max_parameters" in response.content.decode()
    assert TrainingJob.objects.count() == 0


def test_a_form_without_layers_names_the_field(client, student, spirals):
    client.force_login(student)
    response = client.post(reverse("lab-assignment", args=["separate-the-spirals"]), {**FORM, "units_0": ""})
    assert response.status_code == 400 and "at least one hidden layer" in response.content.decode()


def test_the_quota_is_shown_in_the_form(client, student, spirals):
    client.force_login(student)
    client.post(reverse("lab-assignment", args=["separate-the-spirals"]), FORM)
    response = client.post(reverse("lab-assignment", args=["separate-the-spirals"]), FORM)
    assert response.status_code == 429 and "queued or running; your free plan allows 1 at a time" in response.content.decode()


def test_the_code_lab_starts_from_the_starter_code(client, student, sigmoid_exercise):
    client.force_login(student)
    page = client.get(reverse("lab-assignment", args=["implement-sigmoid"])).content.decode()
    assert "def sigmoid_grad(x):" in page and "Run the checks" in page


def test_a_pro_assignment_refuses_a_free_student_in_the_form(client, student, demo_assignments):
    client.force_login(student)
    response = client.post(reverse("lab-assignment", args=["dense-backward"]), {"code": "x = 1"})
    assert response.status_code == 403 and "Pro assignment" in response.content.decode()


def test_another_learners_job_page_is_404(client, student, other_student):
    job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    client.force_login(other_student)
    assert client.get(reverse("lab-job", args=[job.pk])).status_code == 404
    assert client.get(reverse("lab-job-panel", args=[job.pk])).status_code == 404
    assert client.post(reverse("lab-job-cancel", args=[job.pk])).status_code == 404


def test_a_finished_job_page_shows_grade_curves_and_boundary(client, student, spirals):
    job = services.job_submit(user=student, assignment=spirals, spec={"model": {"layers": [{"units": 8}]}})
    history = {"epoch": [1, 2, 3], "train_loss": [1.0, 0.6, 0.3], "val_loss": [1.1, 0.7, 0.4],
               "train_accuracy": [0.3, 0.6, 0.9], "val_accuracy": [0.3, 0.5, 0.85]}
    grid = {"x": [-1.0, 0.0, 1.0], "y": [-1.0, 0.0, 1.0], "classes": [[0, 0, 1], [0, 1, 1], [2, 2, 1]]}
    grade = {"score": 6.0, "max_score": 12.0, "passed": True, "criteria": [
        {"name": "hidden-test accuracy", "passed": True, "points": 6.0, "max_points": 10.0, "message": "Hidden-test accuracy 0.900 reached 0.85"}]}
    TrainingJob.objects.filter(pk=job.pk).update(status="succeeded", history=history, grade=grade, score=6.0,
                                                 result={"decision_grid": grid, "parameters": 51, "metrics": {"train_loss": 0.3}})
    client.force_login(student)
    page = client.get(reverse("lab-job", args=[job.pk])).content.decode()
    assert "Grade: 6 / 12" in page and "Hidden-test accuracy 0.900 reached 0.85" in page
    assert "<polyline" in page and "Decision boundary" in page and "<circle" in page
    assert "http-equiv" not in page  # finished: no more refreshing
    lab = client.get(reverse("lab-assignment", args=["separate-the-spirals"])).content.decode()
    assert "My past runs" in lab and "6 points" in lab


def test_instructors_see_the_score_table_and_students_do_not(client, student, instructor, spirals):
    job = services.job_submit(user=student, assignment=spirals, spec={"model": {"layers": [{"units": 8}]}})
    TrainingJob.objects.filter(pk=job.pk).update(status="succeeded", score=7.5, grade={"passed": True})
    client.force_login(student)
    assert client.get(reverse("lab-scores", args=["separate-the-spirals"])).status_code == 403
    client.force_login(instructor)
    page = client.get(reverse("lab-scores", args=["separate-the-spirals"])).content.decode()
    assert "<td>student</td><td>7.5 / 10</td><td>1</td><td>yes</td>" in page


def test_the_loss_chart_draws_each_run_and_skips_missing_values():
    svg = charts.loss_chart([
        {"label": "latest", "history": {"epoch": [1, 2, 3], "train_loss": [1.0, None, 0.5], "val_loss": [1.2, 0.9, 0.7]}},
        {"label": "earlier", "history": {"epoch": [1, 2], "train_loss": [2.0, 1.5], "val_loss": [2.1, 1.7]}},
    ])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polyline") == 4 and "latest" in svg and "earlier" in svg
    assert 'stroke-dasharray="5 4"' in svg
    assert "Waiting for the first epoch" in charts.loss_chart([{"label": "x", "history": {}}])


def test_the_decision_boundary_merges_runs_of_one_class():
    grid = {"x": [0, 1, 2, 3], "y": [0, 1], "classes": [[0, 0, 0, 1], [1, 1, 1, 1]]}
    svg = charts.decision_boundary(grid, [(0.5, 0.5, 0)])
    assert svg.count("<rect") == 3 and svg.count("<circle") == 1


def test_the_lab_shows_the_plan_limits_of_the_learner(client, student, pro_student, settings):
    client.force_login(student)
    free = client.get(reverse("lab")).content.decode()
    free_plan = settings.PLANS["free"]
    assert f"Free plan: {free_plan['concurrent_jobs']} job at a time" in free
    assert f"up to {free_plan['max_epochs']} epochs" in free
    client.force_login(pro_student)
    pro = client.get(reverse("lab")).content.decode()
    assert f"Pro plan: {settings.PLANS['pro']['concurrent_jobs']} jobs at a time" in pro
    assert f"up to {settings.PLANS['pro']['max_epochs']} epochs" in pro
