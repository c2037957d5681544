"""A burst of training jobs across many learners, with real workers, then the same burst under faults.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labs_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python benchmarks/bench_job_burst.py [--jobs 200] [--users 20]

Defaults are exactly those URLs (the database is created if missing; Redis db 2 is flushed first, so
never point this at a broker in use). Each phase starts two Celery workers with one process each (the
2 cores), and 20 learners (half on the free plan, half Pro, the plans' own concurrency limits) each
submit 10 jobs on the "separate the spirals" assignment through ``sandbox.services.job_submit``, the
service behind ``POST /api/v1/jobs/``. A learner asks for one job more than the plan's concurrent
limit at the start (it must be refused, 429), then submits again whenever one of their jobs has
finished; after the burst each free learner asks for an 11th job of the day (the free plan is set to
10 a day here: it must be refused, 429 with the reset time). The sweeper (``jobs_sweep``, what the
beat task and ``manage.py sweep_jobs`` run) runs every 2 s.

1. steady: on CELERY_BROKER_URL, no faults.
2. faults: on a redis-server of its own (a free port; the shared one is never touched): one worker is
   SIGKILLed (its whole process group: the Celery processes, the sandbox zygote and the job it ran)
   when a quarter of the jobs are graded, and started again a second later; Redis is restarted
   (everything queued in it is lost) when half are graded.

Checked from the rows and the workers' logs: every job graded; none lost; no two attempts of a job
overlapping in time (each attempt logs its start and end; an attempt of the killed worker ends at the
kill); the job's attempts counter equal to its logged attempts; at no time more jobs queued or
running for a learner than the plan allows (from each job's submitted and finished stamps).
"""

import argparse
import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from tests.processes import PrivateRedis  # noqa: E402  (found through ROOT on sys.path)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labs_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DEBUG"] = "0"

STALE_SECONDS = 5      # a running job silent this long has lost its worker
REQUEUE_SECONDS = 10   # a queued job not started this long is sent to the broker again
SWEEP_EVERY = 2.0
FREE_JOBS_PER_DAY = 10
SPEC = {
    "model": {"layers": [{"units": 16, "activation": "tanh"}, {"units": 16, "activation": "tanh"}], "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "adam", "learning_rate": 0.02},
    "training": {"epochs": 40, "batch_size": 32, "validation_split": 0.2, "seed": 0},
}


def _ensure_database():
    import dj_database_url

    from bench_jobs import _ensure_database as create_if_missing

    if "postgres" not in dj_database_url.parse(os.environ["DATABASE_URL"])["ENGINE"]:
        raise SystemExit("this benchmark runs on PostgreSQL: set DATABASE_URL")
    create_if_missing()


def _point_celery_at(url):
    """Make this process send tasks to ``url``, dropping the connections it had."""
    from config.celery_app import app

    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url, result_backend=url)
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


class Worker:
    """One `celery worker -c 1` in a process group of its own, logging to var/<name>.log."""

    def __init__(self, name, broker_url):
        self.name, self.broker_url = name, broker_url
        self.log_path = ROOT / "var" / f"{name}.log"
        self.proc = None

    def start(self):
        env = {**os.environ, "CELERY_BROKER_URL": self.broker_url, "CELERY_RESULT_BACKEND": self.broker_url,
               "JOB_STALE_SECONDS": str(STALE_SECONDS), "LOG_LEVEL": "INFO"}
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "training,default", "-c", "1",
             "-n", f"{self.name}@%h", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log_path.read_text(errors="replace"):
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise SystemExit(f"worker {self.name} did not start; see {self.log_path}")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _learners(phase, users):
    from accounts.models import User
    from sandbox.models import TrainingJob

    learners = []
    for i in range(users):
        pro = i % 2 == 1
        user, _ = User.objects.get_or_create(username=f"burst-{phase}-{i:02d}")
        user.pro_until = datetime(2999, 1, 1, tzinfo=dt_timezone.utc) if pro else None
        user.save(update_fields=["pro_until"])
        learners.append(user)
    TrainingJob.objects.filter(user__in=learners).delete()
    return learners


def _assignment():
    from lessons.content_files import import_course_folder
    from lessons.demo import DEMO_COURSES
    from sandbox.models import Assignment

    found = Assignment.objects.filter(slug="separate-the-spirals").first()
    if found is None:
        report = import_course_folder(DEMO_COURSES[0])
        assert not report.problems, report.problems
        found = Assignment.objects.get(slug="separate-the-spirals")
    return found


def _run_phase(phase, *, jobs_total, users, broker_url, faults, redis_server=None):
    """Submit the burst, inject the faults, wait until every job has finished; return what happened."""
    from accounts.selectors import plan_limits
    from sandbox import services
    from sandbox.models import TrainingJob

    _point_celery_at(broker_url)
    assignment = _assignment()
    learners = _learners(phase, users)
    plan = {u.pk: plan_limits(user=u)["name"] for u in learners}
    limit = {u.pk: plan_limits(user=u)["concurrent_jobs"] for u in learners}
    per_user = jobs_total // users
    remaining = {u.pk: per_user for u in learners}
    active = {u.pk: set() for u in learners}
    events = {"refused_concurrent": 0, "refused_at_start": 0, "refused_other": 0, "requeued": 0, "swept_failed": 0}
    workers = [Worker(f"burst-{phase}-a", broker_url).start(), Worker(f"burst-{phase}-b", broker_url).start()]
    all_workers = list(workers)
    kill = {"at": None, "done": None}
    restart = {"at": None, "done": None}
    try:
        for worker in workers:
            worker.wait_ready()

        def submit(user):
            if not remaining[user.pk]:
                return None
            try:
                job = services.job_submit(user=user, assignment=assignment, spec=SPEC)
            except services.JobRefused as exc:
                if exc.status == 429 and exc.resets_at is None:
                    events["refused_concurrent"] += 1
                else:
                    events["refused_other"] += 1
                return None
            remaining[user.pk] -= 1
            active[user.pk].add(job.pk)
            return job

        start = time.time()
        for user in learners:  # one more than the plan allows: the last must be refused
            for _ in range(min(limit[user.pk] + 1, per_user)):
                if submit(user) is None:
                    events["refused_at_start"] += 1
        last_sweep = time.monotonic()
        deadline = time.monotonic() + 900
        while any(remaining.values()) or any(active.values()):
            if time.monotonic() > deadline:
                raise SystemExit(f"{phase}: jobs still unfinished after 900 s")
            time.sleep(0.2)
            pending = [pk for ids in active.values() for pk in ids]
            finished = set(TrainingJob.objects.filter(pk__in=pending, status__in=TrainingJob.FINISHED)
                           .values_list("pk", flat=True))
            for ids in active.values():
                ids -= finished
            done = TrainingJob.objects.filter(user__in=learners, status__in=TrainingJob.FINISHED).count()
            if faults and kill["at"] is None and done >= jobs_total // 4:
                kill.update(at=time.time(), done=done)
                workers[0].kill()
                time.sleep(1.0)
                workers[0] = Worker(f"burst-{phase}-a2", broker_url).start()
                all_workers.append(workers[0])
            if faults and restart["at"] is None and done >= jobs_total // 2:
                restart.update(at=time.time(), done=done)
                redis_server.stop()
                redis_server.start()
            for user in learners:
                if remaining[user.pk] and len(active[user.pk]) < limit[user.pk]:
                    submit(user)
            if time.monotonic() - last_sweep >= SWEEP_EVERY:
                last_sweep = time.monotonic()
                counts = services.jobs_sweep()
                events["requeued"] += counts["requeued"]
                events["swept_failed"] += counts["failed"]
        daily_refusals = 0
        for user in learners:
            if plan[user.pk] == "free":
                try:
                    services.job_submit(user=user, assignment=assignment, spec=SPEC)
                except services.JobRefused as exc:
                    daily_refusals += exc.status == 429 and exc.resets_at is not None
        free_learners = sum(name == "free" for name in plan.values())
    finally:
        for worker in all_workers:
            worker.stop()
    rows = list(TrainingJob.objects.filter(user__in=learners).order_by("created_at"))
    return {
        "phase": phase, "start": start, "rows": rows, "plan": plan, "limit": limit, "events": events, "kill": kill,
        "restart": restart, "daily_refusals": daily_refusals, "free_learners": free_learners,
        "attempt_logs": _attempts_from_logs(all_workers, killed=all_workers[0] if faults else None, kill_at=kill["at"]),
    }


def _attempts_from_logs(workers, *, killed, kill_at):
    """Return {job id: [(start, end, attempt, worker)]} from the workers' "job attempt" log lines."""
    started, ended = {}, {}
    for worker in workers:
        for line in worker.log_path.read_text(errors="replace").splitlines():
            if '"job attempt' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            key = (entry["job_id"], entry["attempt"])
            stamp = datetime.fromisoformat(entry["time"]).timestamp()
            if entry["message"] == "job attempt started":
                started[key] = (stamp, worker)
            elif entry["message"] == "job attempt ended":
                ended[key] = stamp
    attempts = collections.defaultdict(list)
    for key, (stamp, worker) in started.items():
        end = ended.get(key)
        if end is None and worker is killed:
            end = kill_at  # SIGKILL ended it: nothing of that worker ran after this moment
        attempts[key[0]].append((stamp, end, key[1], worker.name))
    return attempts


def _max_overlap(intervals):
    """Return the largest number of [start, end) intervals that hold at one moment."""
    points = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals], key=lambda p: (p[0], p[1]))
    most = current = 0
    for _, step in points:
        current += step
        most = max(most, current)
    return most


def _verify(outcome):
    rows = outcome["rows"]
    graded = [j for j in rows if j.status == "succeeded" and j.grade and j.grade.get("max_score")]
    lost = [j for j in rows if j.status not in ("succeeded", "failed", "cancelled")]
    failed = [j for j in rows if j.status in ("failed", "cancelled")]
    attempts = outcome["attempt_logs"]
    overlapping, unrecorded, open_attempts = 0, 0, 0
    for job in rows:
        runs = sorted(attempts.get(str(job.pk), []))
        if [run[2] for run in sorted(runs, key=lambda r: r[2])] != list(range(1, job.attempts + 1)):
            unrecorded += 1  # the row counts an attempt no log line shows, or the other way round
        latest_end = None
        for begin, end, _attempt, _worker in runs:
            if end is None:
                open_attempts += 1
            if latest_end is not None and begin < latest_end:
                overlapping += 1
            latest_end = max(latest_end or 0.0, end or float("inf"))
    active_by_user = collections.defaultdict(list)
    for job in rows:
        if job.finished_at:
            active_by_user[job.user_id].append((job.created_at.timestamp(), job.finished_at.timestamp()))
    over_limit = 0
    most, limits = {}, {}
    for user_id, intervals in active_by_user.items():
        peak, plan = _max_overlap(intervals), outcome["plan"][user_id]
        most[plan] = max(most.get(plan, 0), peak)
        limits[plan] = outcome["limit"][user_id]
        over_limit += peak > outcome["limit"][user_id]
    finished = [j.finished_at.timestamp() for j in rows if j.finished_at]
    wall = max(finished) - outcome["start"]
    return {
        "jobs": len(rows), "graded": len(graded), "failed": len(failed), "lost": len(lost),
        "overlapping": overlapping, "open_attempts": open_attempts, "unrecorded": unrecorded,
        "reruns": sum(j.attempts > 1 for j in rows), "max_attempts": max(j.attempts for j in rows),
        "most": most, "limits": limits, "over_limit": over_limit, "wall": wall, "rate": len(rows) / wall,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--phase", choices=("both", "steady", "faults"), default="both")
    args = parser.parse_args()
    if args.jobs % args.users:
        raise SystemExit("--jobs must be a multiple of --users")
    (ROOT / "var").mkdir(exist_ok=True)
    _ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.JOB_STALE_SECONDS = STALE_SECONDS
    settings.JOB_REQUEUE_SECONDS = REQUEUE_SECONDS
    settings.PLANS["free"]["jobs_per_day"] = args.jobs // args.users
    print(f"load average at start: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores; "
          f"{args.jobs} jobs, {args.users} learners ({args.users - args.users // 2} free, {args.users // 2} Pro)")
    outcomes = []
    if args.phase in ("both", "steady"):
        import redis

        redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
        outcomes.append(_run_phase("steady", jobs_total=args.jobs, users=args.users,
                                   broker_url=os.environ["CELERY_BROKER_URL"], faults=False))
    if args.phase in ("both", "faults"):
        server = PrivateRedis(tempfile.mkdtemp(prefix="bench-redis-"))
        server.start()
        try:
            outcomes.append(_run_phase("faults", jobs_total=args.jobs, users=args.users, broker_url=server.url,
                                       faults=True, redis_server=server))
        finally:
            server.stop()
            shutil.rmtree(server.dir, ignore_errors=True)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    header = (f"{'phase':<8}{'jobs':>6}{'graded':>8}{'lost':>6}{'failed':>8}{'dup runs':>10}{'re-runs':>9}"
              f"{'max active/learner (limit)':>30}{'429s':>7}{'wall s':>9}{'jobs/s':>8}")
    print(header)
    ok = True
    for outcome in outcomes:
        v = _verify(outcome)
        e = outcome["events"]
        active = ", ".join(f"{name} {v['most'][name]} ({v['limits'][name]})" for name in sorted(v["most"]))
        refusals = e["refused_concurrent"] + outcome["daily_refusals"]
        print(f"{outcome['phase']:<8}{v['jobs']:>6}{v['graded']:>8}{v['lost']:>6}{v['failed']:>8}"
              f"{v['overlapping']:>10}{v['reruns']:>9}{active:>30}{refusals:>7}{v['wall']:>9.1f}{v['rate']:>8.2f}")
        notes = [f"429 at the start {e['refused_at_start']}/{len(outcome['limit'])}",
                 f"429 while the burst ran {e['refused_concurrent'] - e['refused_at_start']}",
                 f"daily 429 for an 11th job {outcome['daily_refusals']}/{outcome['free_learners']}",
                 f"other refusals {e['refused_other']}", f"sweeper re-sent {e['requeued']}",
                 f"attempts not matching the log {v['unrecorded']}", f"most attempts {v['max_attempts']}"]
        if outcome["kill"]["at"]:
            notes.append(f"worker SIGKILLed at {outcome['kill']['at'] - outcome['start']:.1f} s "
                         f"({outcome['kill']['done']} finished)")
        if outcome["restart"]["at"]:
            notes.append(f"Redis restarted at {outcome['restart']['at'] - outcome['start']:.1f} s "
                         f"({outcome['restart']['done']} finished)")
        print("    " + "; ".join(notes))
        ok &= (v["jobs"] == v["graded"] == args.jobs and not v["lost"] and not v["overlapping"]
               and not v["open_attempts"] and not v["unrecorded"] and not v["over_limit"]
               and outcome["daily_refusals"] == outcome["free_learners"] and not e["refused_other"])
    print("all checks passed" if ok else "CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
