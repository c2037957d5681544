"""Celery tasks for training jobs: they take an id, and the job row decides what happens."""

from celery import shared_task

from . import services


@shared_task(name="sandbox.tasks.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id):
    """Run one training job (a no-op when another attempt already owns or finished it)."""
    job = services.job_execute(job_id=job_id, worker=run_job.request.hostname)
    return None if job is None else job.status


@shared_task(name="sandbox.tasks.sweep_jobs", ignore_result=True)
def sweep_jobs():
    """Re-enqueue lost jobs (the periodic sweeper)."""
    return services.jobs_sweep()


@shared_task(name="sandbox.tasks.report_sandbox_layers")
def report_sandbox_layers():
    """Probe the sandbox of the worker that runs this and record it (for /readyz); return the active layers."""
    from .signals import record_sandbox_layers

    return record_sandbox_layers(report_sandbox_layers.request.hostname or "worker")
