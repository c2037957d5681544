"""Helpers for tests that run jobs on real workers."""

import time

from sandbox.models import TrainingJob


def wait_for_job(job_id, *, statuses=TrainingJob.FINISHED, timeout=90, poll=0.1):
    """Return the job once its status is one of ``statuses``; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        job = TrainingJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job.status} after {timeout} s"
        time.sleep(poll)

