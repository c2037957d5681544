"""Submitting jobs: validation against the spec, the plan and the assignment; quotas; cancelling."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox import services
from sandbox.models import TrainingJob

from .conftest import BAD_SPIRALS, FREE_PLAY, GOOD_SPIRALS, SIGMOID_RIGHT, spec


def test_a_free_play_spec_is_queued_normalised(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    assert job.status == TrainingJob.Status.QUEUED and job.kind == "spec" and job.assignment is None
    assert job.spec["training"]["epochs"] == 30 and job.spec["dataset"]["name"] == "xor"
    assert len(callbacks) == 1  # the task is sent once the row is committed


def test_an_assignment_fixes_the_dataset(student, spirals):
    mine = spec(GOOD_SPIRALS)
    mine["dataset"] = {"name": "xor", "samples": 10}
    job = services.job_submit(user=student, assignment=spirals, spec=mine)
    assert job.spec["dataset"]["name"] == "spirals" and job.spec["dataset"]["samples"] == 1000


def test_every_spec_problem_is_reported_with_its_path_and_nothing_is_stored(student):
    bad = spec(FREE_PLAY)
    bad["model"]["layers"][0]["activation"] = "relux"
    bad["optimizer"]["learning_rate"] = -1
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=student, spec=bad)
    paths = [e["path"] for e in refused.value.errors]
    assert "model.layers[0].activation" in paths and "optimizer.learning_rate" in paths
    assert "'relux' is not an activation" in refused.value.message
    assert TrainingJob.objects.count() == 0


def test_a_spec_over_the_plan_limit_names_the_limit(student, settings):
    big = spec(FREE_PLAY)
    big["training"]["epochs"] = settings.PLANS["free"]["max_epochs"] + 1
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=student, spec=big)
    assert refused.value.status == 400
    assert str(settings.PLANS["free"]["max_epochs"]) in refused.value.message


def test_pro_members_get_larger_limits(pro_student, settings):
    big = spec(FREE_PLAY)
    big["training"]["epochs"] = settings.PLANS["free"]["max_epochs"] + 1
    job = services.job_submit(user=pro_student, spec=big)
    assert job.spec["training"]["epochs"] == settings.PLANS["free"]["max_epochs"] + 1


def test_the_assignment_limits_lower_the_plan(pro_student, spirals):
    big = spec(GOOD_SPIRALS)
    big["model"]["layers"] = [{"units": 128, "activation": "relu"}, {"units": 128, "activation": "relu"}]
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=pro_student, assignment=spirals, spec=big)
    assert "limit of 5,000 parameters (max_parameters)" in refused.value.message  # the assignment's, not the plan's


def test_code_needs_a_code_assignment(student, spirals, sigmoid_exercise):
    with pytest.raises(services.JobRefused, match="takes spec, not code"):
        services.job_submit(user=student, assignment=spirals, code=SIGMOID_RIGHT)
    with pytest.raises(services.JobRefused, match="takes code, not spec"):
        services.job_submit(user=student, assignment=sigmoid_exercise, spec=spec(GOOD_SPIRALS))
    with pytest.raises(services.JobRefused, match="only as part of a code exercise"):
        services.job_submit(user=student, code=SIGMOID_RIGHT)
    with pytest.raises(services.JobRefused, match="empty"):
        services.job_submit(user=student, assignment=sigmoid_exercise, code="   ")
    assert TrainingJob.objects.count() == 0


def test_code_longer_than_the_cap_is_refused(student, sigmoid_exercise, settings):
    with pytest.raises(services.JobRefused, match="longer than"):
        services.job_submit(user=student, assignment=sigmoid_exercise, code="x = 1\n" * settings.JOB_MAX_CODE_CHARS)


def test_a_pro_exercise_needs_pro(student, pro_student, demo_assignments):
    dense = demo_assignments["dense-backward"]
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=student, assignment=dense, code="def dense_backward(): pass")
    assert refused.value.status == 403
    assert services.job_submit(user=pro_student, assignment=dense, code="x = 1").status == "queued"


def test_an_unpublished_assignment_is_not_found_for_students(student, spirals):
    spirals.published = False
    spirals.save()
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=student, assignment=spirals, spec=spec(GOOD_SPIRALS))
    assert refused.value.status == 404


def test_concurrent_job_quota_is_429(student, settings):
    services.job_submit(user=student, spec=spec(FREE_PLAY))
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=student, spec=spec(FREE_PLAY))
    assert refused.value.status == 429
    assert "allows 1 at a time" in refused.value.message
    assert TrainingJob.objects.count() == 1


def test_daily_quota_is_429_with_the_reset_time(student, settings):
    settings.PLANS = {**settings.PLANS, "free": {**settings.PLANS["free"], "jobs_per_day": 2, "concurrent_jobs": 5}}
    for _ in range(2):
        job = services.job_submit(user=student, spec=spec(FREE_PLAY))
        TrainingJob.objects.filter(pk=job.pk).update(status="succeeded")
    with pytest.raises(services.JobRefused) as refused:
        services.job_submit(user=student, spec=spec(FREE_PLAY))
    assert refused.value.status == 429 and "resets at" in refused.value.message
    assert refused.value.resets_at > timezone.now()


def test_cancelling_a_queued_job_is_immediate(student):
    job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    services.job_cancel(job=job, user=student)
    assert job.status == "cancelled" and job.finished_at is not None


def test_cancelling_a_running_job_asks_the_worker(student):
    job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    TrainingJob.objects.filter(pk=job.pk).update(status="running")
    services.job_cancel(job=job, user=student)
    assert job.status == "running" and job.cancel_requested is True


def test_a_job_is_claimed_once(student):
    job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    first = services.job_claim(job_id=job.pk, worker="w1")
    assert first.status == "running" and first.attempts == 1 and first.worker == "w1"
    assert services.job_claim(job_id=job.pk, worker="w2") is None


def test_a_job_whose_worker_went_silent_is_claimed_again_then_failed(student, settings):
    job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    for attempt in range(1, settings.JOB_MAX_ATTEMPTS + 1):
        claimed = services.job_claim(job_id=job.pk, worker=f"w{attempt}")
        assert claimed.attempts == attempt
        TrainingJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 1))
    assert services.job_claim(job_id=job.pk, worker="last") is None
    job.refresh_from_db()
    assert job.status == "failed" and job.reason == "worker_lost"
    assert f"{settings.JOB_MAX_ATTEMPTS} times" in job.message


def test_the_sweeper_requeues_lost_and_forgotten_jobs_and_fails_hopeless_ones(student, make_user, settings, django_capture_on_commit_callbacks):
    old = timezone.now() - timedelta(seconds=max(settings.JOB_STALE_SECONDS, settings.JOB_REQUEUE_SECONDS) + 5)
    forgotten = services.job_submit(user=student, spec=spec(FREE_PLAY))
    TrainingJob.objects.filter(pk=forgotten.pk).update(enqueued_at=old)
    lost = services.job_submit(user=make_user("lost-owner"), spec=spec(FREE_PLAY))
    TrainingJob.objects.filter(pk=lost.pk).update(status="running", attempts=1, heartbeat_at=old)
    hopeless = services.job_submit(user=make_user("hopeless-owner"), spec=spec(FREE_PLAY))
    TrainingJob.objects.filter(pk=hopeless.pk).update(status="running", attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_at=old)
    fresh = services.job_submit(user=make_user("fresh-owner"), spec=spec(FREE_PLAY))
    assert services.jobs_sweep() == {"requeued": 2, "failed": 1}
    hopeless.refresh_from_db()
    assert hopeless.status == "failed" and hopeless.reason == "worker_lost"
    fresh.refresh_from_db()
    assert fresh.status == "queued"
    assert services.jobs_sweep() == {"requeued": 1, "failed": 0}  # the forgotten one is not re-sent at once


def test_the_api_answers_429_with_the_reset_time_and_400_naming_the_limit(api_as, student, settings):
    settings.PLANS = {**settings.PLANS, "free": {**settings.PLANS["free"], "jobs_per_day": 1}}
    client = api_as(student)
    too_big = spec(FREE_PLAY)
    too_big["training"]["epochs"] = 10_000
    response = client.post("/api/v1/jobs/", {"spec": too_big}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["training.epochs"][0].endswith("(max_epochs)")
    assert client.post("/api/v1/jobs/", {"spec": spec(FREE_PLAY)}, format="json").status_code == 201
    TrainingJob.objects.update(status="succeeded")
    over = client.post("/api/v1/jobs/", {"spec": spec(FREE_PLAY)}, format="json")
    assert over.status_code == 429 and over.json()["code"] == "quota" and "T00:00:00" in over.json()["resets_at"]
    assert TrainingJob.objects.count() == 1


def test_the_api_refusals_of_a_job_are_documented(api_as, student, spirals):
    from tests.openapi import assert_documented

    client = api_as(student)
    first = client.post("/api/v1/jobs/", {"spec": spec(FREE_PLAY)}, format="json")
    over_quota = client.post("/api/v1/jobs/", {"spec": spec(FREE_PLAY)}, format="json")
    assert over_quota.status_code == 429
    assert_documented(over_quota, "POST", "/api/v1/jobs/")
    TrainingJob.objects.update(status="succeeded")
    finished = client.post(f"/api/v1/jobs/{first.json()['id']}/cancel/")
    assert finished.status_code == 409
    assert_documented(finished, "POST", "/api/v1/jobs/{job_id}/cancel/")
    spirals.published = False
    spirals.save()
    unpublished = client.post("/api/v1/jobs/", {"assignment": spirals.slug, "spec": spec(GOOD_SPIRALS)}, format="json")
    assert unpublished.status_code == 404
    assert_documented(unpublished, "POST", "/api/v1/jobs/")


def test_the_api_refuses_malformed_submissions_with_a_field(api_as, student):
    client = api_as(student)
    assert client.post("/api/v1/jobs/", {"spec": [1, 2]}, format="json").json()["errors"] == {"spec": ["must be a JSON object"]}
    assert client.post("/api/v1/jobs/", {}, format="json").status_code == 400
    unknown = client.post("/api/v1/jobs/", {"assignment": "nope", "spec": spec(FREE_PLAY)}, format="json")
    assert unknown.status_code == 400 and "assignment" in unknown.json()["errors"]
    assert client.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/api/v1/jobs/not-a-uuid/").status_code == 404
    assert TrainingJob.objects.count() == 0


def test_the_sweep_command_reports_what_it_did(student, settings):
    from io import StringIO

    from django.core.management import call_command

    job = services.job_submit(user=student, spec=spec(FREE_PLAY))
    TrainingJob.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(seconds=settings.JOB_REQUEUE_SECONDS + 1))
    out = StringIO()
    call_command("sweep_jobs", stdout=out)
    assert out.getvalue().strip() == "requeued 1 job(s), failed 0 job(s)"


def test_instructors_list_the_jobs_of_their_own_assignments_only(api_as, student, instructor, make_user, spirals):
    from sandbox.authoring import assignment_save

    mine = assignment_save(created_by=instructor, lesson=spirals.lesson, slug="mine", title="Mine", kind="config",
                           dataset=spirals.dataset, hidden_test={"samples": 100, "seed": 9}, rubric=spirals.rubric,
                           published=True)
    on_mine = services.job_submit(user=student, assignment=mine, spec=spec(GOOD_SPIRALS))
    TrainingJob.objects.filter(pk=on_mine.pk).update(status="succeeded")
    services.job_submit(user=student, assignment=spirals, spec=spec(GOOD_SPIRALS))  # the demo's, not theirs
    listed = [row["id"] for row in api_as(instructor).get("/api/v1/jobs/").json()]
    assert listed == [str(on_mine.pk)]
    assert api_as(instructor).get(f"/api/v1/jobs/{on_mine.pk}/").status_code == 200
    assert api_as(make_user("teacher2", role="instructor")).get(f"/api/v1/jobs/{on_mine.pk}/").status_code == 404
    assert api_as(instructor).post(f"/api/v1/jobs/{on_mine.pk}/cancel/").status_code == 403
