"""What a training job costs outside its sandbox: statements, host CPU and wall time per job.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labs_bench .venv/bin/python benchmarks/bench_job_overhead.py [--jobs 30]

Runs the jobs of ``bench_jobs.py`` one after another in this process through ``job_execute`` (what the
Celery task calls; no broker), with the worker's commit setting, and prints medians per job: the SQL
statements sent, those that commit a write, the host process's own CPU time (the sandboxed job's is
not in it), and the wall time of ``job_execute`` minus the job's sandbox wall time. CPU time moves
less with the machine's other load than wall time does.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labs_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DEBUG"] = "0"


def _commit_points(sql):
    """Count the commits that write: a write in autocommit, or a transaction that wrote."""
    count, in_transaction, wrote = 0, False, False
    for statement in sql:
        if statement == "BEGIN":
            in_transaction, wrote = True, False
        elif statement == "COMMIT":
            count += wrote
            in_transaction = False
        elif statement.startswith(("UPDATE", "INSERT", "DELETE")):
            if in_transaction:
                wrote = True
            else:
                count += 1
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=45)
    args = parser.parse_args()
    from bench_jobs import SPEC, _ensure_database

    _ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from sandbox import services
    from sandbox.models import TrainingJob
    from sandbox.signals import set_relaxed_commits

    call_command("migrate", verbosity=0)
    settings.PLANS["pro"]["concurrent_jobs"] = 10_000
    settings.PLANS["pro"]["jobs_per_day"] = 100_000
    SPEC["training"]["epochs"] = args.epochs
    user, _ = User.objects.get_or_create(username="bench-overhead",
                                         defaults={"pro_until": datetime(2999, 1, 1, tzinfo=timezone.utc)})
    TrainingJob.objects.filter(user=user).delete()
    with mock.patch.object(services, "_enqueue", lambda pk: None):  # run here, not through a broker
        ids = [services.job_submit(user=user, spec=SPEC).pk for _ in range(args.jobs + 2)]
    set_relaxed_commits(True)  # what the worker does before each training job
    for pk in ids[:2]:  # start the sandbox zygote, warm the connection
        services.job_execute(job_id=pk)
    cpu, outside, statements, commits = [], [], [], []
    for pk in ids[2:]:
        with CaptureQueriesContext(connection) as queries:
            cpu_start, wall_start = time.thread_time(), time.perf_counter()
            services.job_execute(job_id=pk)
            wall = time.perf_counter() - wall_start
            cpu.append(time.thread_time() - cpu_start)
        job = TrainingJob.objects.get(pk=pk)
        assert job.status == "succeeded", job.message
        outside.append(wall - job.result["usage"]["wall_seconds"])
        sql = [q["sql"] for q in queries.captured_queries]
        statements.append(sum(s not in ("BEGIN", "COMMIT") for s in sql))
        commits.append(_commit_points(sql))
    median = statistics.median
    print(f"load average {os.getloadavg()[0]:.2f}; {args.jobs} jobs of {args.epochs} epochs, one at a time")
    print(f"{'SQL statements per job':<40}{median(statements):>8.0f}")
    print(f"{'statements that commit a write':<40}{median(commits):>8.0f}")
    print(f"{'host CPU per job':<40}{1000 * median(cpu):>7.1f} ms")
    print(f"{'wall outside the sandbox per job':<40}{1000 * median(outside):>7.1f} ms")


if __name__ == "__main__":
    main()
