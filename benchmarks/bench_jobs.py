"""End-to-end training-job figures on the production shape: latency and throughput through a real worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labs_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python benchmarks/bench_jobs.py [--latency-jobs 20] [--burst-jobs 100] [--epochs 210]

Defaults are exactly those URLs (the database is created if missing; Redis db 2 is flushed first, so
never point this at a broker in use). It starts one Celery worker with 2 processes, then measures

1. latency: submit -> graded for a job whose training takes about 0.2 s, one job at a time (median, p90);
2. throughput: a burst of small jobs submitted at once; the wall time from the first submit to the
   last grade, against the sum of the jobs' own sandbox wall times divided by the 2 worker processes.

Targets: latency median <= 0.5 s; burst wall < 1.2x (sum of job times / 2).

The job is a 2-16-16-3 tanh network on 1,000 spirals; 210 epochs make its training take about 0.2 s
of CPU (``--epochs`` changes it; the engine's speed decides what 0.2 s is). Both phases read the
finish time off each job's row (stamped by the worker with the grade), so this process polls
coarsely during the burst and takes no CPU the workers could use.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labs_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DEBUG"] = "0"

SPEC = {
    "dataset": {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1},
    "model": {"layers": [{"units": 16, "activation": "tanh"}, {"units": 16, "activation": "tanh"}], "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "training": {"epochs": 210, "batch_size": 32, "validation_split": 0.2, "seed": 0},
}


def _ensure_database():
    import dj_database_url

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgres" not in config["ENGINE"]:
        return
    import psycopg

    with psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"] or None,
                         dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (config["NAME"],)).fetchone():
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _flush_broker():
    url = os.environ["CELERY_BROKER_URL"]
    if url.startswith("redis://"):
        import redis

        redis.Redis.from_url(url).flushdb()


def _start_worker():
    log = open(ROOT / "var" / "bench-worker.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "training,default",
                             "-c", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    from config.celery_app import ping

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            ping.apply_async(expires=5).get(timeout=2)
            return proc
        except Exception:
            continue
    proc.kill()
    raise SystemExit("the worker did not start; see var/bench-worker.log")


def _wait(job_ids, timeout=600, poll=0.05):
    """Wait until every job has finished; return {id: finished_at as a Unix time} from the rows.

    The finish times are the workers' own stamps (written with the grade), so polling can be
    coarse: this process then hardly competes with the workers for the CPU.
    """
    from sandbox.models import TrainingJob

    pending, finished_at = set(job_ids), {}
    deadline = time.monotonic() + timeout
    while pending:
        done = TrainingJob.objects.filter(pk__in=pending, status__in=TrainingJob.FINISHED).values_list("pk", "finished_at")
        for pk, stamp in done:
            finished_at[pk] = stamp.timestamp()
            pending.discard(pk)
        if not pending:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"{len(pending)} jobs did not finish in {timeout} s")
        time.sleep(poll)
    return finished_at


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-jobs", type=int, default=20)
    parser.add_argument("--burst-jobs", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=SPEC["training"]["epochs"])
    args = parser.parse_args()
    SPEC["training"]["epochs"] = args.epochs
    load_start = os.getloadavg()[0]
    (ROOT / "var").mkdir(exist_ok=True)
    _ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _flush_broker()
    from accounts.models import User
    from sandbox import services
    from sandbox.models import TrainingJob

    settings.PLANS["pro"]["concurrent_jobs"] = 10_000
    settings.PLANS["pro"]["jobs_per_day"] = 100_000
    from datetime import datetime, timezone

    user, _ = User.objects.get_or_create(username="bench", defaults={"pro_until": datetime(2999, 1, 1, tzinfo=timezone.utc)})
    TrainingJob.objects.filter(user=user).delete()
    worker = _start_worker()
    try:
        for _ in range(4):  # warm both worker processes' sandbox zygotes
            _wait([services.job_submit(user=user, spec=SPEC).pk])
        latencies, training, cpu = [], [], []
        for _ in range(args.latency_jobs):
            start = time.time()
            job = services.job_submit(user=user, spec=SPEC)
            finished = _wait([job.pk])[job.pk]
            latencies.append(finished - start)
            job.refresh_from_db()
            assert job.status == "succeeded", job.message
            training.append(job.result["usage"]["wall_seconds"])
            cpu.append(job.result["usage"]["cpu_seconds"])
        start = time.time()
        burst = [services.job_submit(user=user, spec=SPEC).pk for _ in range(args.burst_jobs)]
        finished = _wait(burst, poll=0.5)
        wall = max(finished.values()) - start
        jobs = list(TrainingJob.objects.filter(pk__in=burst))
        assert all(j.status == "succeeded" for j in jobs)
        job_seconds = sum(j.result["usage"]["wall_seconds"] for j in jobs)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    median = statistics.median(latencies)
    p90 = statistics.quantiles(latencies, n=10)[-1]
    ideal = job_seconds / 2
    print(f"runtime: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} + {settings.CELERY_BROKER_URL.split(':')[0]}, "
          f"worker -c 2, {os.cpu_count()} cores, {args.epochs} epochs a job; "
          f"load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"{'figure':<44}{'value':>12}{'target':>14}")
    print(f"{'job training time in the sandbox (median)':<44}{statistics.median(training):>11.3f}s{'~0.2 s':>14}")
    print(f"{'job CPU time in the sandbox (median)':<44}{statistics.median(cpu):>11.3f}s{'':>14}")
    print(f"{'latency submit -> graded, median':<44}{median:>11.3f}s{'<= 0.5 s':>14}")
    print(f"{'latency submit -> graded, p90':<44}{p90:>11.3f}s{'':>14}")
    print(f"{f'burst of {args.burst_jobs}: wall time':<44}{wall:>11.2f}s{'':>14}")
    print(f"{f'burst of {args.burst_jobs}: sum of job times / 2':<44}{ideal:>11.2f}s{'':>14}")
    print(f"{'burst wall / (sum / 2)':<44}{wall / ideal:>12.2f}{'< 1.2':>14}")


if __name__ == "__main__":
    main()
