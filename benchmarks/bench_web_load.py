"""Web figures on the production shape: gunicorn, Postgres and Redis, loaded with wrk on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labs_web_bench CELERY_BROKER_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python benchmarks/bench_web_load.py [--duration 10] [--rounds 3] [--connections 16]

Defaults are exactly those URLs. The database is dropped and created again, and the Redis database
(the broker's, also used as the cache) is flushed before and after: never point either at one in use.
Needs wrk (Debian/Ubuntu: ``apt-get install wrk``).

The script loads the demo course and quizzes with ``load_demo``, creates learners, sessions, tokens,
open quiz attempts and one finished training job (run in the sandbox here), collects the static files,
and starts gunicorn with ``platform/gunicorn.conf.py`` (its workers and threads) on the production
settings plus one minimal view (``web_load_settings``, ``web_load_urls``). Every request carries
``X-Forwarded-Proto: https``, as it would behind the TLS proxy. Two run-only changes: no worker recycling
(``--max-requests 0``) and database connections kept for the run (to read their backends' CPU). Then:

1. throughput and latency, each endpoint after a warm-up, then rounds in turn with the same wrk threads,
   connections and duration, medians over the rounds:
   - minimal view: ``GET /bench/minimal/`` returns a two-byte HttpResponse through the full middleware;
   - lesson page: ``GET /lessons/artificial-neural-networks/`` with the session cookie of a student
     (rotating over 32 students: one reader does not open the same page 16 times at once);
   - quiz submit: ``POST /api/v1/attempts/{id}/submit/`` with the answers and a bearer token; every
     request submits an open attempt of its own (pre-created, rotated by ``web_load.lua``);
   - job detail: ``GET /api/v1/jobs/{id}/`` for a finished job with its history, bearer token.
   Every submitted attempt is then checked in the database: graded once, with the expected score.
2. concurrency: 100 different attempts submitted at the same moment, and 20 attempts each submitted by
   5 clients at the same moment (different answers each); every attempt must be graded exactly once
   with the winning client's answers and score, and the other clients get 409 ``already_submitted``.

The figure is each endpoint's ratio to the minimal view measured in the same run.
"""

import argparse
import http.client
import json
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/labs_web_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
os.environ.setdefault("CACHE_URL", os.environ["CELERY_BROKER_URL"])
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
os.environ["DEBUG"] = "0"
# The script signs sessions and tokens that gunicorn checks: both use this key.
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
os.environ["JWT_ACCESS_MINUTES"] = "240"

LESSON = "artificial-neural-networks"
LESSON_TEXT = "Neural networks are the models behind"
ASSIGNMENT = "separate-the-spirals"
FORWARDED = "X-Forwarded-Proto: https"
WRK_INSTALL = "wrk is not installed: on Debian/Ubuntu run `sudo apt-get install wrk` (or see https://github.com/wg/wrk)."


# --- setup --------------------------------------------------------------------------------------------------


def _recreate_database():
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgres" not in config["ENGINE"]:
        raise SystemExit("DATABASE_URL must point at Postgres: this benchmark is about the production shape.")
    with psycopg.connect(host=config["HOST"] or "127.0.0.1", port=config["PORT"] or 5432, user=config["USER"] or None,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _flush_redis():
    import redis

    for url in {os.environ["CELERY_BROKER_URL"], os.environ["CACHE_URL"]}:
        if not url.startswith("redis://"):
            raise SystemExit(f"{url}: this benchmark runs on Redis (broker and cache).")
        redis.Redis.from_url(url).flushdb()


def _right_answer(question):
    """Return the full-credit answer to ``question``, read from its key."""
    choices = list(question.choices.all())
    kind = question.kind
    if kind in ("single", "true_false"):
        return next(c.uid for c in choices if c.is_correct)
    if kind == "multiple":
        return [c.uid for c in choices if c.is_correct]
    if kind == "ordering":
        return [c.uid for c in sorted(choices, key=lambda c: c.position)]
    field = "value" if kind == "numeric" else "text"
    return next(a[field] for a in question.key["answers"] if a.get("fraction", 1.0) == 1.0)


def _answer_plan(rows, variant):
    """Return ``(answers, expected score)``: the right answer to every question whose position + variant is
    not a multiple of 5, the others left unanswered (so each variant gives a different set of answers)."""
    answers, expected = {}, 0.0
    for row in rows:
        if (row.position + variant) % 5:
            answers[str(row.question_id)] = _right_answer(row.question)
            expected += row.question.points
    return answers, expected


class Attempts:
    """Open attempts of fresh learners at the demo quizzes, each with its learner's bearer token."""

    def __init__(self, prefix):
        from quizzes.demo import DEMO_QUIZZES
        from quizzes.models import Quiz

        self.prefix = prefix
        self.quizzes = list(Quiz.objects.filter(slug__in=[q["slug"] for q in DEMO_QUIZZES]).select_related("lesson"))
        self.users = 0

    def make(self, count):
        """Return ``count`` new open attempts as dicts: id, token, rows (answers with questions), user_id."""
        from datetime import timedelta

        from django.db import transaction
        from django.utils import timezone
        from rest_framework_simplejwt.tokens import AccessToken

        from accounts.models import User
        from quizzes import services
        from quizzes.models import AttemptAnswer

        learners = -(-count // len(self.quizzes))
        start = self.users
        self.users += learners
        # Pro members: the third demo quiz belongs to a Pro lesson.
        pro_until = timezone.now() + timedelta(days=365)
        users = User.objects.bulk_create(
            User(username=f"{self.prefix}-{n:06d}", role=User.Role.STUDENT, password="!", pro_until=pro_until)
            for n in range(start, self.users)
        )
        made = []
        with transaction.atomic():
            for user in users:
                token = str(AccessToken.for_user(user))
                for quiz in self.quizzes:
                    if len(made) == count:
                        break
                    attempt, created = services.attempt_start(quiz=quiz, user=user)
                    assert created
                    made.append({"id": attempt.pk, "token": token, "user_id": user.pk, "quiz": quiz})
        rows = {}
        for row in AttemptAnswer.objects.filter(attempt_id__in=[a["id"] for a in made]).select_related(
                "question").prefetch_related("question__choices"):
            rows.setdefault(row.attempt_id, []).append(row)
        for attempt in made:
            attempt["rows"] = sorted(rows[attempt["id"]], key=lambda r: r.position)
        return made


def _submit_request(attempt, variant):
    answers, expected = _answer_plan(attempt["rows"], variant)
    body = json.dumps({"answers": answers}, separators=(",", ":"))
    headers = {"Authorization": f"Bearer {attempt['token']}", "Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    return {"method": "POST", "path": f"/api/v1/attempts/{attempt['id']}/submit/", "body": body, "headers": headers,
            "expected": expected, "answers": answers}


def _students_with_sessions(count):
    """Create ``count`` students and return their session cookies (a real login session each)."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    cookies = []
    for n in range(count):
        user = User.objects.create(username=f"reader-{n:03d}", role=User.Role.STUDENT, password="!")
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return cookies


def _finished_job():
    """Run the spirals assignment's starter spec in the sandbox here; return the job and its owner's token."""
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from sandbox import services
    from sandbox.models import Assignment

    user = User.objects.create(username="job-owner", role=User.Role.STUDENT, password="!")
    assignment = Assignment.objects.get(slug=ASSIGNMENT)
    job = services.job_submit(user=user, assignment=assignment, spec=assignment.starter_spec)
    job = services.job_execute(job_id=job.pk, worker="bench-web-load")
    job.refresh_from_db()
    if job.status != "succeeded" or not job.history.get("epoch"):
        raise SystemExit(f"the setup job did not succeed: {job.status} {job.reason} {job.message}")
    return job, str(AccessToken.for_user(user))


# --- gunicorn and wrk ---------------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(static_root):
    # Database connections are kept for the whole run (not renewed every 60 s), so that the CPU of the
    # Postgres backends serving gunicorn can be read per run.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="web_load_settings", STATIC_ROOT=str(static_root),
               PYTHONPATH=os.pathsep.join([str(ROOT), str(BENCH)]), DATABASE_CONN_MAX_AGE="3600")
    env.pop("DEBUG", None)
    return env


def _collectstatic(static_root):
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,
                   env=_server_env(static_root), check=True)


def _start_gunicorn(port, static_root, log_path):
    log = open(log_path, "w")
    proc = subprocess.Popen(
        # --max-requests 0: no worker recycling during the run, so that no endpoint's window holds more
        # cold worker starts than another's.
        [sys.executable, "-m", "gunicorn", "--config", "platform/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--max-requests", "0", "config.wsgi:application"],
        cwd=ROOT, env=_server_env(static_root), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            status, _ = _http(port, "GET", "/healthz")
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    _stop(proc)
    raise SystemExit(f"gunicorn did not answer /healthz in 60 s; see {log_path}")


def _stop(proc):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _http(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _expect(condition, what, status, body):
    if not condition:
        raise SystemExit(f"{what}: unexpected answer {status}: {body[:300]!r}")


def _request_line(method, path, body="", headers=()):
    return "\t".join([method, path, body, *headers])


def _wrk(port, lines, *, duration, threads, connections, workdir, name):
    """Run wrk once over ``lines`` (see web_load.lua) and return its figures."""
    requests_file = Path(workdir) / f"{name}.tsv"
    if len(lines) < threads:  # one request sent by every thread (web_load.lua gives each thread its own lines)
        lines = lines * threads
    requests_file.write_text("\n".join(lines) + "\n")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               "-s", str(BENCH / "web_load.lua"), f"http://127.0.0.1:{port}", "--", str(requests_file), str(threads)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    found = [line for line in run.stdout.splitlines() if line.startswith("WRK_JSON ")]
    if run.returncode != 0 or not found:
        raise SystemExit(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    figures = json.loads(found[-1][len("WRK_JSON "):])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def _cpu_seconds(pids):
    """Return ``{pid: user + system CPU seconds}`` of the processes in ``pids`` that still exist."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def _children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


def _backends():
    """Return the pids of the Postgres backends serving the benchmark's database (not this process's own)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def _drain(workers, timeout=60):
    """Wait until the gunicorn workers are idle: requests still in flight when wrk stopped are done."""
    deadline = time.monotonic() + timeout
    before = sum(_cpu_seconds(workers).values())
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = sum(_cpu_seconds(workers).values())
        if now - before < 0.03:
            return
        before = now


def _measure(server, port, lines, **wrk):
    """Run wrk, wait for the requests still in flight, and add the CPU the gunicorn workers and their
    Postgres backends spent per request sent (each request sent is served, answered in time or not)."""
    workers = _children(server.pid)
    app_before, db_before = _cpu_seconds(workers), _cpu_seconds(_backends())
    figures = _wrk(port, lines, **wrk)
    _drain(workers)
    app_after, db_after = _cpu_seconds(workers), _cpu_seconds(set(db_before) | set(_backends()))
    sent = max(figures["sent"], 1)
    figures["app_cpu_ms"] = 1000 * sum(app_after[p] - app_before.get(p, 0) for p in app_after) / sent
    figures["db_cpu_ms"] = 1000 * sum(db_after[p] - db_before.get(p, 0) for p in db_after) / sent if db_after else None
    return figures


# --- concurrency --------------------------------------------------------------------------------------------


def _race(port, requests):
    """Send every request on its own connection, all released together; return ``[(status, json)]``."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for _ in requests]
    for conn in connections:
        conn.connect()
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def send(index):
        request, conn = requests[index], connections[index]
        try:
            barrier.wait(timeout=30)
            conn.request(request["method"], request["path"], body=request["body"], headers=request["headers"])
            response = conn.getresponse()
            raw = response.read()
            try:
                results[index] = (response.status, json.loads(raw))
            except ValueError:
                results[index] = (response.status, raw[:200].decode("utf-8", "replace"))
        except Exception as exc:  # noqa: BLE001 - a failed request is a result to report, not a crash
            results[index] = (None, repr(exc))
        finally:
            conn.close()

    workers = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    return results


def _check_attempts(attempts, expected_answers):
    """Check each attempt in the database: graded, its answer rows intact and holding ``expected_answers[id]``,
    its score the sum of the points of the questions answered; return a list of problems (empty: all good)."""
    from lessons.models import LessonProgress
    from quizzes.models import Attempt, AttemptAnswer

    problems = []
    ids = [a["id"] for a in attempts]
    graded = {a.pk: a for a in Attempt.objects.filter(pk__in=ids)}
    rows = {}
    for row in AttemptAnswer.objects.filter(attempt_id__in=ids).select_related("question"):
        rows.setdefault(row.attempt_id, []).append(row)
    for attempt in attempts:
        row = graded[attempt["id"]]
        answers = expected_answers[attempt["id"]]
        mine = rows.get(attempt["id"], [])
        expected = sum(r.question.points for r in mine if str(r.question_id) in answers)
        if row.state != "graded":
            problems.append(f"attempt {row.pk} is {row.state}")
            continue
        if len(mine) != len(attempt["rows"]) or len({r.question_id for r in mine}) != len(mine):
            problems.append(f"attempt {row.pk} has {len(mine)} answer rows, expected {len(attempt['rows'])}")
        stored = {str(r.question_id): r.response for r in mine if r.response is not None}
        if set(stored) != set(answers):
            problems.append(f"attempt {row.pk} holds answers to {sorted(stored)}, sent {sorted(answers)}")
        if abs(row.score - expected) > 1e-9 or abs(sum(r.points for r in mine) - row.score) > 1e-9:
            problems.append(f"attempt {row.pk} scored {row.score}, expected {expected}")
    # One attempt and at most one progress row per learner and quiz/lesson: a second grade would need either.
    users = {a["user_id"] for a in attempts}
    per_quiz = Attempt.objects.filter(user_id__in=users).values_list("user_id", "quiz_id")
    if len(per_quiz) != len(set(per_quiz)):
        problems.append("a learner has more than one attempt at a quiz")
    progress = LessonProgress.objects.filter(user_id__in=users).values_list("user_id", "lesson_id")
    if len(progress) != len(set(progress)):
        problems.append("a learner has two progress rows for one lesson")
    mastered = set(LessonProgress.objects.filter(user_id__in=users, mastered_at__isnull=False).values_list("user_id", "lesson_id"))
    for attempt in attempts:
        row = graded[attempt["id"]]
        if row.state == "graded" and row.passed != ((attempt["user_id"], attempt["quiz"].lesson_id) in mastered):
            problems.append(f"attempt {row.pk}: passed={row.passed} but the lesson's mastery says otherwise")
    return problems


def _concurrency(port, pool):
    """Run both races; return the lines to print and whether every check held."""
    lines, ok = [], True
    # 1. 100 different attempts submitted at the same moment.
    distinct = pool.make(100)
    requests = [_submit_request(a, a["id"] % 5) for a in distinct]
    results = _race(port, requests)
    statuses = [status for status, _ in results]
    problems = [f"request {i}: {status} {body}" for i, (status, body) in enumerate(results) if status != 200]
    for request, (status, body) in zip(requests, results):
        if status == 200 and abs(body["result"]["score"] - request["expected"]) > 1e-9:
            problems.append(f"{request['path']} answered score {body['result']['score']}, expected {request['expected']}")
    problems += _check_attempts(distinct, {a["id"]: r["answers"] for a, r in zip(distinct, requests)})
    lines.append(f"100 different attempts at once: {statuses.count(200)} x 200, "
                 f"{len(statuses) - statuses.count(200)} other; database: "
                 + ("each graded once, scores right" if not problems else "PROBLEMS"))
    lines += [f"    {p}" for p in problems[:10]]
    ok &= not problems
    # 2. The same attempt submitted by 5 clients at once (each client with different answers), 20 attempts.
    shared = pool.make(20)
    requests, owners = [], []
    for attempt in shared:
        for client in range(5):
            requests.append(_submit_request(attempt, client))
            owners.append(attempt)
    results = _race(port, requests)
    problems, winners = [], {}
    for request, attempt, (status, body) in zip(requests, owners, results):
        if status == 200:
            if attempt["id"] in winners:
                problems.append(f"attempt {attempt['id']} was graded twice (two 200 answers)")
            winners[attempt["id"]] = request
            if abs(body["result"]["score"] - request["expected"]) > 1e-9:
                problems.append(f"attempt {attempt['id']}: the 200 answer scored {body['result']['score']}, "
                                f"its answers are worth {request['expected']}")
        elif status != 409 or not isinstance(body, dict) or body.get("code") != "already_submitted":
            problems.append(f"attempt {attempt['id']}: {status} {body}")
    missing = [a["id"] for a in shared if a["id"] not in winners]
    problems += [f"attempt {pk} got no 200 answer" for pk in missing]
    if not missing:
        problems += _check_attempts(shared, {pk: request["answers"] for pk, request in winners.items()})
    codes = [status for status, _ in results]
    lines.append(f"20 attempts x 5 clients at once: {codes.count(200)} x 200, {codes.count(409)} x 409 already_submitted, "
                 f"{len(codes) - codes.count(200) - codes.count(409)} other; database: "
                 + ("each graded once with the winner's answers" if not problems else "PROBLEMS"))
    lines += [f"    {p}" for p in problems[:10]]
    ok &= not problems
    return lines, ok


# --- main ---------------------------------------------------------------------------------------------------


def _server_errors(log_path):
    """Return the 5xx access-log lines and ERROR log records gunicorn wrote."""
    found = []
    for line in Path(log_path).read_text(errors="replace").splitlines():
        if re.search(r'" 5\d\d ', line) or '"level": "ERROR"' in line or "Traceback" in line:
            found.append(line[:300])
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of the warm-up run of each endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs of each endpoint, taken in turn")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--readers", type=int, default=32, help="students whose sessions read the lesson")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit(WRK_INSTALL)
    load_start = os.getloadavg()
    (ROOT / "var").mkdir(exist_ok=True)
    _recreate_database()
    _flush_redis()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    cookies = _students_with_sessions(args.readers)
    job, job_token = _finished_job()
    pool = Attempts("submitter")
    warm_attempts = pool.make(250 * args.warmup)
    connections.close_all()

    workdir = tempfile.mkdtemp(prefix="bench-web-load-")
    static_root = Path(workdir) / "static"
    log_path = ROOT / "var" / "bench-web-load-gunicorn.log"
    _collectstatic(static_root)
    gunicorn_config = runpy.run_path(str(ROOT / "platform" / "gunicorn.conf.py"))
    port = _free_port()
    server = None
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server = _start_gunicorn(port, static_root, log_path)
        endpoints = {
            "minimal view": [_request_line("GET", "/bench/minimal/", "", [FORWARDED])],
            "lesson page": [_request_line("GET", f"/lessons/{LESSON}/", "", [f"Cookie: {c}", FORWARDED]) for c in cookies],
            "job detail": [_request_line("GET", f"/api/v1/jobs/{job.pk}/", "", [f"Authorization: Bearer {job_token}", FORWARDED])],
        }
        # Each endpoint answers as it should before it is loaded.
        status, body = _http(port, "GET", "/bench/minimal/")
        _expect(status == 200 and body == b"ok", "minimal view", status, body)
        status, body = _http(port, "GET", f"/lessons/{LESSON}/", headers={"Cookie": cookies[0]})
        _expect(status == 200 and LESSON_TEXT.encode() in body and b"Log out" in body, "lesson page (logged in)", status, body)
        status, body = _http(port, "GET", f"/api/v1/jobs/{job.pk}/", headers={"Authorization": f"Bearer {job_token}"})
        _expect(status == 200 and json.loads(body)["history"]["epoch"], "job detail with history", status, body)
        print(f"job detail response: {len(body) / 1024:.0f} KiB ({len(job.history['epoch'])} epochs of history, "
              f"decision grid and grade)")

        submitted, submit_lines = [], {}

        def submit_lines_for(attempts):
            requests = [_submit_request(a, a["id"] % 5) for a in attempts]
            submitted.extend(zip(attempts, requests))
            return [_request_line(r["method"], r["path"], r["body"], [f"{k}: {v}" for k, v in r["headers"].items()])
                    for r in requests]

        wrk = dict(threads=args.threads, connections=args.connections, workdir=workdir)
        for name, lines in endpoints.items():
            _measure(server, port, lines, duration=args.warmup, name=f"warmup-{name}", **wrk)
        warm = _measure(server, port, submit_lines_for(warm_attempts), duration=args.warmup, name="warmup-submit", **wrk)
        if warm["wrapped"]:
            raise SystemExit(f"the warm-up sent more submits than the {len(warm_attempts)} open attempts made for it")
        # Enough open attempts for every round at twice the warm-up's rate, made now (gunicorn idle).
        needed = int(warm["rps"] * args.duration * 2) + 300
        for r in range(args.rounds):
            submit_lines[r] = submit_lines_for(pool.make(needed))
        connections.close_all()
        order = ["minimal view", "lesson page", "quiz submit", "job detail"]
        runs = {name: [] for name in order}
        for r in range(args.rounds):
            for name in order:
                lines = submit_lines[r] if name == "quiz submit" else endpoints[name]
                figures = _measure(server, port, lines, duration=args.duration, name=f"round{r}-{name}", **wrk)
                if name == "quiz submit" and figures["wrapped"]:
                    raise SystemExit(f"round {r}: the submits ran out of open attempts ({needed}, twice the warm-up's "
                                     "rate); the server got much faster after the warm-up: run again")
                runs[name].append(figures)
        concurrency_lines, concurrency_ok = _concurrency(port, pool)
    finally:
        _stop(server)
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)

    # Every attempt the load submitted: graded exactly once, with the score its answers are worth.
    from quizzes.models import Attempt

    submit_runs = [warm, *runs["quiz submit"]]
    ok_submits = sum(f["statuses"].get("200", 0) for f in submit_runs)
    sent = sum(f["sent"] for f in submit_runs)
    other = {k: v for f in submit_runs for k, v in f["statuses"].items() if k != "200"}
    graded_ids = set(Attempt.objects.filter(pk__in=[a["id"] for a, _ in submitted], state="graded").values_list("pk", flat=True))
    graded_now = len(graded_ids)
    load_problems = _check_attempts([a for a, _ in submitted if a["id"] in graded_ids],
                                    {a["id"]: r["answers"] for a, r in submitted})
    # wrk stops counting at the end of its run: requests still in flight then are graded but not counted.
    if not ok_submits <= graded_now <= sent:
        load_problems.insert(0, f"{ok_submits} submits answered 200 and {sent} were sent, but {graded_now} attempts are graded")
    if other:
        load_problems.insert(0, f"submits answered other than 200: {other}")
    server_errors = _server_errors(log_path)
    _flush_redis()
    load_end = os.getloadavg()

    base = runs["minimal view"]
    workers, threads = gunicorn_config["workers"], gunicorn_config["threads"]
    print(f"gunicorn {workers} workers x {threads} threads (platform/gunicorn.conf.py, worker recycling off; production settings, DEBUG off) "
          f"on Postgres + Redis; {os.cpu_count()} cores shared with wrk")
    print(f"wrk -t{args.threads} -c{args.connections}, {args.warmup} s warm-up per endpoint, then {args.rounds} rounds "
          f"x {args.duration} s per endpoint in turn; medians over the rounds")
    print(f"load average at start {load_start[0]:.2f}, at end {load_end[0]:.2f} (1 min)")
    print()
    print(f"{'endpoint':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s vs minimal':>18}{'p50 vs minimal':>16}"
          f"{'app CPU ms/req':>16}{'db CPU ms/req':>15}{'non-2xx':>9}")
    base_rps = statistics.median(f["rps"] for f in base)
    base_p50 = statistics.median(f["p50_us"] for f in base)
    for name in order:
        figures = runs[name]
        rps = statistics.median(f["rps"] for f in figures)
        p50 = statistics.median(f["p50_us"] for f in figures)
        p99 = statistics.median(f["p99_us"] for f in figures)
        bad = sum(f["requests"] - sum(v for k, v in f["statuses"].items() if k.startswith("2")) for f in figures)
        bad += sum(sum(f["errors"].values()) - f["errors"]["status"] for f in figures)
        app_cpu = statistics.median(f["app_cpu_ms"] for f in figures)
        db_cpu = [f["db_cpu_ms"] for f in figures if f["db_cpu_ms"] is not None]
        db_cpu = f"{statistics.median(db_cpu):>15.2f}" if db_cpu else f"{'n/a':>15}"
        print(f"{name:<14}{rps:>9.0f}{p50 / 1000:>9.1f}{p99 / 1000:>9.1f}{rps / base_rps:>17.3f}x{p50 / base_p50:>15.1f}x"
              f"{app_cpu:>16.2f}{db_cpu}{bad:>9}")
    print()
    print("per round req/s: " + "; ".join(f"{name} " + " ".join(f"{f['rps']:.0f}" for f in runs[name]) for name in order))
    print(f"quiz submits under load: {sent} sent, {ok_submits} answered 200 within the runs, {graded_now} attempts graded "
          "in the database; "
          + ("each graded once, scores right" if not load_problems else "PROBLEMS"))
    for problem in load_problems[:10]:
        print(f"    {problem}")
    for line in concurrency_lines:
        print(line)
    print(f"server log: {len(server_errors)} 5xx answers or errors" + (f" (see {log_path})" if server_errors else ""))
    for line in server_errors[:10]:
        print(f"    {line}")
    if load_problems or not concurrency_ok or server_errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
