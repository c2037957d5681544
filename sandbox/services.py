"""Everything that writes training jobs: submit, cancel, run (from the worker), sweep."""

import copy
import logging
import os
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lessons import access as lesson_access

from . import grading, quotas
from .models import Assignment, TrainingJob

log = logging.getLogger(__name__)
Status = TrainingJob.Status


class JobRefused(Exception):
    """A submission that cannot run; ``errors`` lists ``{"path", "message"}`` for bad specs."""

    def __init__(self, message, *, code="invalid", errors=None, status=400, resets_at=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or []
        self.status = status
        self.resets_at = resets_at


def _enqueue(job_id):
    from .tasks import run_job

    # robust: with the broker down the send fails and is logged, the committed row stays queued, and
    # the sweeper sends it again; the submission itself succeeds.
    transaction.on_commit(lambda: run_job.delay(str(job_id)), robust=True)


def assignment_check_access(*, assignment, user):
    """Raise JobRefused unless ``user`` may work on ``assignment``: it and its lesson are published, and Pro needs Pro."""
    lesson = assignment.lesson
    published = assignment.published and (lesson is None or lesson_access.lesson_is_visible(lesson, user))
    if not (published or lesson_access.sees_drafts(user)):
        raise JobRefused("There is no such assignment.", code="not_found", status=404)
    if assignment.needs_pro and not lesson_access.has_pro_access(user):
        raise JobRefused("This is a Pro assignment; redeem a Pro code to work on it.", code="pro_required", status=403)


def _prepare_spec(*, spec, assignment, limits):
    from sandbox.engine import SpecError, validate_spec

    if not isinstance(spec, dict):
        raise JobRefused("The spec must be a JSON object.", errors=[{"path": "spec", "message": "must be a JSON object"}])
    spec = copy.deepcopy(spec)
    if assignment is not None:
        spec["dataset"] = copy.deepcopy(assignment.dataset)  # the assignment fixes the data
    try:
        return validate_spec(spec, limits=limits.engine())
    except SpecError as exc:
        raise JobRefused("The training spec is not valid: " + "; ".join(
            f"{e['path']}: {e['message']}" if e.get("path") else e["message"] for e in exc.errors),
            code="invalid_spec", errors=list(exc.errors)) from None


def job_submit(*, user, assignment=None, spec=None, code=None):
    """Check and queue a job; the worker picks it up once the transaction commits."""
    if (spec is None) == (code is None):
        raise JobRefused("Send either a spec or code, not both.", errors=[{"path": "spec", "message": "send a spec or code"}])
    if assignment is not None:
        assignment_check_access(assignment=assignment, user=user)
        expected = TrainingJob.Kind.SPEC if assignment.kind == Assignment.Kind.CONFIG else TrainingJob.Kind.CODE
        given = TrainingJob.Kind.SPEC if spec is not None else TrainingJob.Kind.CODE
        if expected != given:
            field = "spec" if expected == TrainingJob.Kind.SPEC else "code"
            raise JobRefused(f"This assignment takes {field}, not {given}.", errors=[{"path": field, "message": "required"}])
    elif code is not None:
        raise JobRefused("Code runs only as part of a code exercise; choose its assignment.",
                         errors=[{"path": "assignment", "message": "required for code"}])
    limits = quotas.job_limits(user=user, assignment=assignment)
    if spec is not None:
        spec = _prepare_spec(spec=spec, assignment=assignment, limits=limits)
    else:
        if not isinstance(code, str) or not code.strip():
            raise JobRefused("The code is empty.", errors=[{"path": "code", "message": "is empty"}])
        if len(code) > settings.JOB_MAX_CODE_CHARS:
            raise JobRefused(f"The code is longer than {settings.JOB_MAX_CODE_CHARS} characters.",
                             errors=[{"path": "code", "message": f"longer than {settings.JOB_MAX_CODE_CHARS} characters"}])
    with transaction.atomic():
        # Lock the learner's row so two simultaneous submissions cannot both slip under a quota.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        try:
            quotas.check_quota(user=user)
        except quotas.QuotaExceeded as exc:
            raise JobRefused(exc.message, code="quota", status=429, resets_at=exc.resets_at) from exc
        job = TrainingJob.objects.create(
            user=user, assignment=assignment, kind=TrainingJob.Kind.SPEC if spec is not None else TrainingJob.Kind.CODE,
            spec=spec, code=code or "",
        )
        _enqueue(job.pk)
    return job


def job_cancel(*, job, user):
    """Cancel ``user``'s queued job at once, or ask the worker to kill a running one (within a second)."""
    if job.user_id != user.pk:
        raise JobRefused("Only the learner who submitted a job can cancel it.", code="permission_denied", status=403)
    if job.is_finished:
        raise JobRefused(f"The job has already {job.status}.", code="finished", status=409)
    now = timezone.now()
    updated = TrainingJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED, reason="cancelled", message="Cancelled before it started.", finished_at=now)
    if not updated:
        TrainingJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return job


# --- running a job (worker side) -----------------------------------------------------------------

def job_claim(*, job_id, worker):
    """Mark the job running for this worker and count the attempt; return it, or None if not ours to run.

    A job is ours when it is queued, or running with a heartbeat older than JOB_STALE_SECONDS (its
    worker died). A job past JOB_MAX_ATTEMPTS is failed instead of run again.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    claimable = TrainingJob.objects.filter(Q(status=Status.QUEUED) | Q(status=Status.RUNNING, heartbeat_at__lt=stale),
                                           pk=job_id)
    # One UPDATE claims the row: the database re-checks its WHERE under the row lock, so of two
    # attempts handed the same id only one changes it, and no transaction has to be held open.
    claimed = claimable.filter(attempts__lt=settings.JOB_MAX_ATTEMPTS).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, worker=worker,
        cancel_requested=False, progress={}, history={})
    if not claimed:
        spent_out = claimable.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS)
        spent = spent_out.values_list("attempts", flat=True).first()
        if spent is not None:  # its worker died every time: fail it rather than loop
            spent_out.update(status=Status.FAILED, reason="worker_lost", finished_at=now, heartbeat_at=now,
                             message=f"The job stopped its worker {spent} times, so it was not tried again.")
        return None
    # The row's big JSON fields (history, result) are neither needed nor fetched here.
    return TrainingJob.objects.defer("history", "result", "grade", "progress").select_related(
        "user", "assignment").get(pk=job_id)


def _finish(job, *, status, reason="", message="", result=None, grade=None, history=None):
    """Record the outcome in one UPDATE; return 1 if this attempt still owned the row, else 0."""
    now = timezone.now()
    fields = {"status": status, "reason": reason, "message": message, "finished_at": now, "heartbeat_at": now}
    if result is not None:
        fields["result"] = result
    if grade is not None:
        fields["grade"] = grade
        fields["score"] = grade.get("score")
    if history is not None:
        fields["history"] = history
    # Only the attempt that owns the row may finish it (a job cancelled meanwhile stays cancelled).
    return TrainingJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(**fields)


class _LiveJob:
    """Progress, heartbeat and cancellation for a job while the sandbox runs it.

    Every write is conditional on the row still running with no cancel request, so a write also
    answers "should this job stop?": a separate poll is needed only when nothing was written for
    JOB_CANCEL_POLL_SECONDS.
    """

    HISTORY_KEYS = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy")

    def __init__(self, job):
        self.job = job
        self.history = {key: [] for key in self.HISTORY_KEYS}
        self.progress = {}
        # The claim has just written the heartbeat and found the job running and not cancelled.
        self.last_write = self.last_poll = time.monotonic()
        self.cancelled = False

    def on_progress(self, figures):
        epoch = figures.get("epoch")
        if isinstance(epoch, int) and (not self.history["epoch"] or epoch > self.history["epoch"][-1]):
            for key in self.HISTORY_KEYS:
                self.history[key].append(figures.get(key))
        self.progress = {k: figures.get(k) for k in ("epoch", "epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy")}
        if time.monotonic() - self.last_write >= settings.JOB_PROGRESS_INTERVAL:
            self._write()

    def _write(self):
        self.last_write = self.last_poll = time.monotonic()
        written = TrainingJob.objects.filter(pk=self.job.pk, status=Status.RUNNING, cancel_requested=False).update(
            progress=self.progress, history=self.history, heartbeat_at=timezone.now())
        if not written:  # cancelled, or no longer this attempt's to run
            self.cancelled = True

    def should_cancel(self):
        now = time.monotonic()
        if self.cancelled or now - self.last_poll < settings.JOB_CANCEL_POLL_SECONDS:
            return self.cancelled
        if now - self.last_write >= settings.JOB_HEARTBEAT_SECONDS:
            self._write()
            return self.cancelled
        self.last_poll = now
        row = TrainingJob.objects.filter(pk=self.job.pk).values_list("status", "cancel_requested").first()
        self.cancelled = row is None or row[0] != Status.RUNNING or row[1]
        return self.cancelled


def _submission(job):
    assignment = job.assignment
    limits = quotas.job_limits(user=job.user, assignment=assignment)
    sandbox_limits = {**settings.SANDBOX_LIMITS, "wall_seconds": limits.max_wall_seconds, "engine": limits.engine()}
    if job.kind == TrainingJob.Kind.SPEC:
        # The hidden test split is drawn inside the sandbox from its dataset spec; the learner's network
        # is scored on it there, and only the scores come back.
        hidden = {**assignment.dataset, **assignment.hidden_test} if assignment and assignment.hidden_test else None
        submission = {"spec": job.spec, "evaluate": {"test_dataset": hidden, "decision_grid": True}}
    else:
        submission = {"code": job.code, "exercise": assignment.exercise or None, "params": assignment.exercise_params or {}}
    return submission, sandbox_limits


def _outcome(result):
    """Return the fields stored on the row for a sandbox result (hidden data never included)."""
    stored = {
        "metrics": result.get("metrics"),
        "evaluation": result.get("evaluation"),
        "decision_grid": result.get("decision_grid"),
        "parameters": result.get("parameters"),
        "engine_version": result.get("engine_version"),
        "seed": result.get("seed"),
        "stopped": result.get("stopped"),
        "usage": result.get("usage"),
        "sandbox_layers": (result.get("sandbox") or {}).get("layers"),
        "stdout": result.get("stdout", ""),
        "stderr": result.get("stderr", ""),
        "checks": result.get("checks"),
        "errors": result.get("errors"),
    }
    return {key: value for key, value in stored.items() if value is not None}


def job_execute(*, job_id, worker=None):
    """Run the job in the sandbox, record its result and grade. Safe to call twice: only one run owns the row."""
    job = job_claim(job_id=job_id, worker=worker or socket.gethostname())
    if job is None:
        return None
    # One line when an attempt starts and one when it ends: with the row, they show that no two
    # attempts of a job ever overlapped (benchmarks/bench_job_burst.py reads them).
    attempt = {"job_id": str(job.pk), "attempt": job.attempts, "worker": job.worker, "pid": os.getpid()}
    log.info("job attempt started", extra=attempt)
    job = _run_claimed(job)
    log.info("job attempt ended", extra={**attempt, "status": job.status})
    return job


def _run_claimed(job):
    from sandbox.runner import run_submission

    live = _LiveJob(job)
    submission, limits = _submission(job)
    try:
        result = run_submission(submission, limits=limits, on_progress=live.on_progress, should_cancel=live.should_cancel)
    except Exception:
        log.exception("sandbox failed on job %s", job.pk)
        if _finish(job, status=Status.FAILED, reason="sandbox_error",
                   message="The sandbox could not run this job; it has been logged. Try again in a minute."):
            job.status, job.reason = Status.FAILED, "sandbox_error"
        return job
    history = result.get("history") or live.history
    outcome = _outcome(result)
    status = Status.SUCCEEDED if result.get("status") == "succeeded" else Status.FAILED
    reason = "" if status == Status.SUCCEEDED else result.get("reason", "error")
    if reason == "cancelled":
        status = Status.CANCELLED
    grade = _grade(job, result, outcome) if status != Status.CANCELLED else None
    if _finish(job, status=status, reason=reason, message=result.get("message", ""), result=outcome, grade=grade,
               history=history):
        job.status, job.reason = status, reason
    else:  # cancelled (or finished by the sweeper) meanwhile: the row says how it ended
        job.refresh_from_db(fields=["status", "reason"])
    return job


def _grade(job, result, outcome):
    assignment = job.assignment
    if assignment is None:
        return None
    summary = {"status": result.get("status"), "reason": result.get("reason"), "message": result.get("message"),
               "evaluation": outcome.get("evaluation"), "parameters": outcome.get("parameters"), "checks": outcome.get("checks")}
    if assignment.kind == Assignment.Kind.CONFIG:
        return grading.grade_config(rubric=assignment.rubric or {}, points=assignment.points, outcome=summary)
    return grading.grade_code(points=assignment.points, outcome=summary)


def jobs_sweep(*, now=None):
    """Re-enqueue jobs a lost worker or broker dropped; fail those past their attempts. Return counts."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    waiting = now - timedelta(seconds=settings.JOB_REQUEUE_SECONDS)
    lost = list(TrainingJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=stale).values_list("pk", "attempts"))
    queued = list(TrainingJob.objects.filter(status=Status.QUEUED, enqueued_at__lt=waiting).values_list("pk", flat=True))
    requeued, failed = 0, 0
    for pk, attempts in lost:
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            failed += TrainingJob.objects.filter(pk=pk, status=Status.RUNNING, heartbeat_at__lt=stale).update(
                status=Status.FAILED, reason="worker_lost", finished_at=now,
                message=f"The job stopped its worker {attempts} times, so it was not tried again.")
        else:
            _enqueue(pk)
            requeued += 1
    for pk in queued:
        # Mark first, so a job is sent again at most once per JOB_REQUEUE_SECONDS however often we sweep.
        if TrainingJob.objects.filter(pk=pk, status=Status.QUEUED, enqueued_at__lt=waiting).update(enqueued_at=now):
            _enqueue(pk)
            requeued += 1
    return {"requeued": requeued, "failed": failed}
