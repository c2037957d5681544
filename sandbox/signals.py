"""Worker start-up: probe the sandbox layers once, log them and record them for /readyz; and how
durable each task's commits are."""

import logging

from celery.signals import task_prerun, worker_ready
from django.db import connection
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)
RUN_JOB = "sandbox.tasks.run_job"


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs):
    record_sandbox_layers(getattr(sender, "hostname", None) or "worker")


def record_sandbox_layers(hostname):
    """Probe this process's sandbox and store the report under ``hostname``; return the active layers."""
    from sandbox.runner import probe_layers

    from .models import WorkerProbe

    try:
        report = probe_layers()
    except Exception:
        log.exception("the sandbox could not be probed; training jobs will fail on this worker")
        report = {"layers": {}, "code_allowed": False}
    active = sorted(name for name, info in report.get("layers", {}).items() if info.get("active"))
    failed = {name: info.get("detail", "") for name, info in report.get("layers", {}).items() if not info.get("active")}
    WorkerProbe.objects.update_or_create(
        hostname=hostname, defaults={"layers": {"active": active, "failed": failed}, "code_allowed": bool(report.get("code_allowed"))})
    log.info("sandbox layers on %s: %s", hostname, ", ".join(active) or "none")
    return active


@connection_created.connect
def _new_connection(sender=None, connection=None, **kwargs):
    connection.jobs_relaxed_commits = False  # a new session commits durably (the server's default)


@task_prerun.connect
def _choose_commit_durability(sender=None, **kwargs):
    set_relaxed_commits(getattr(sender, "name", None) == RUN_JOB)


def set_relaxed_commits(relaxed):
    """On PostgreSQL, let this process's commits return before the WAL is on disk (``relaxed``) or not.

    A training job's writes (claim, progress, heartbeat, result) are relaxed: a commit then costs no
    fsync, which on a busy disk is most of a job's time outside its sandbox. A database crash can lose
    the last fraction of a second of them, never corrupt anything; the row is then back to queued, or
    running with an old heartbeat, and the sweeper runs the job again. Every other task commits
    durably. The setting is per connection and sent only when it changes.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    connection.ensure_connection()
    if getattr(connection, "jobs_relaxed_commits", False) == relaxed:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO " + ("off" if relaxed else "DEFAULT"))
    connection.jobs_relaxed_commits = relaxed
