#!/usr/bin/env python3
"""An example client of the Labs ICT REST API, with nothing but the standard library.

It logs in with a token, lists the courses, takes a quiz (start an attempt, answer, submit, print the
score), then submits a training job for the spirals assignment and waits for its grade:

    python examples/api_client.py http://127.0.0.1:8000 student demo

The base URL, username and password may also come from LABS_URL, LABS_USERNAME and LABS_PASSWORD.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

# A network for the three spirals (see docs/spec.md); the assignment fixes the dataset.
SPIRALS_SPEC = {
    "model": {"layers": [{"units": 32, "activation": "tanh"}, {"units": 32, "activation": "tanh"}], "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "training": {"epochs": 150, "batch_size": 32, "validation_split": 0.2, "seed": 0},
}
FINISHED = ("succeeded", "failed", "cancelled")


class ApiError(Exception):
    """An answer of 4xx or 5xx: ``status`` and the API's ``{"detail", "code", "errors"}`` body."""

    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body.get('detail', body)}")
        self.status = status
        self.body = body


class Client:
    """Call the API with a bearer token, refreshing the pair once when the access token has expired."""

    def __init__(self, base_url):
        self.api = base_url.rstrip("/") + "/api/v1/"
        self.access = self.refresh = None

    def call(self, method, path, body=None, *, retry=True):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.access:
            headers["Authorization"] = f"Bearer {self.access}"
        request = urllib.request.Request(self.api + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode()
            try:
                error = json.loads(text)
            except ValueError:
                error = {"detail": text[:200]}
            if exc.code == 401 and retry and self.refresh and error.get("code") == "token_not_valid":
                self.log_in_again()
                return self.call(method, path, body, retry=False)
            raise ApiError(exc.code, error) from None
        return json.loads(text) if text else None

    def log_in(self, username, password):
        tokens = self.call("POST", "auth/token/", {"username": username, "password": password})
        self.access, self.refresh = tokens["access"], tokens["refresh"]

    def log_in_again(self):
        """Exchange the refresh token for a new pair (the old refresh token stops working)."""
        self.access = None
        tokens = self.call("POST", "auth/token/refresh/", {"refresh": self.refresh}, retry=False)
        self.access, self.refresh = tokens["access"], tokens["refresh"]


def pick_answer(question):
    """Return an answer of the right shape for a question; a real client would ask the learner."""
    choices = [choice["id"] for choice in question["choices"]]
    kind = question["kind"]
    if kind in ("single", "true_false"):
        return choices[0]
    if kind == "multiple":
        return choices[:1]
    if kind == "ordering":
        return choices  # every item, in the order shown
    if kind == "numeric":
        return 0.5
    return "softmax"  # short_text


def list_courses(client):
    courses = client.call("GET", "courses/")
    print(f"{len(courses)} course(s):")
    for course in courses:
        print(f"  {course['slug']}: {course['title']}")


def take_quiz(client, quiz_id=None):
    """Start an attempt at the quiz (the first one that can be taken unless given), answer, submit; return the result."""
    quizzes = client.call("GET", "quizzes/")
    candidates = [q for q in quizzes if quiz_id in (None, q["id"])]
    for quiz in candidates:
        try:
            attempt = client.call("POST", f"quizzes/{quiz['id']}/attempts/")
        except ApiError as exc:
            if exc.status in (403, 409):  # a Pro quiz, no attempts left, closed or empty
                print(f"Skipping quiz {quiz['id']} ({quiz['title']}): {exc.body.get('detail')}")
                continue
            raise
        print(f"Quiz {quiz['id']} ({quiz['title']}): attempt {attempt['id']} started, "
              f"{len(attempt['questions'])} question(s)")
        answers = {str(q["id"]): pick_answer(q) for q in attempt["questions"]}
        client.call("PATCH", f"attempts/{attempt['id']}/", {"answers": answers})
        print(f"Saved {len(answers)} answer(s); submitting")
        graded = client.call("POST", f"attempts/{attempt['id']}/submit/", {})
        result = graded["result"]
        print(f"Quiz score: {result['score']:.2f} / {result['max_score']:.2f} ({result['percent']:.1f}%), "
              f"{'passed' if result['passed'] else 'not passed'}")
        return result
    raise SystemExit("No quiz could be started.")


def train_spirals(client, assignment="separate-the-spirals", timeout=300.0, interval=1.0):
    """Submit a job for the assignment and poll it until it finishes (or ``timeout`` seconds pass)."""
    job = client.call("POST", "jobs/", {"assignment": assignment, "spec": SPIRALS_SPEC})
    print(f"Job {job['id']} submitted for {assignment}: {job['status']}")
    deadline = time.monotonic() + timeout
    last = None
    while job["status"] not in FINISHED:
        if time.monotonic() > deadline:
            raise SystemExit(f"Job {job['id']} did not finish within {timeout:g} s (last status: {job['status']}).")
        time.sleep(interval)
        job = client.call("GET", f"jobs/{job['id']}/")
        progress = job["progress"] or {}
        line = job["status"]
        if job["status"] == "running" and progress.get("epoch"):
            loss = progress.get("train_loss")
            line += f": epoch {progress['epoch']}/{progress['epochs']}"
            line += f", training loss {loss:.3f}" if isinstance(loss, (int, float)) else ""
        if line != last and job["status"] not in FINISHED:
            print(f"  {line}")
            last = line
    print(f"Job {job['status']}" + (f" ({job['reason']}: {job['message']})" if job["reason"] else ""))
    grade = job["grade"]
    if grade:
        print(f"Grade: {grade['score']:g} / {grade['max_score']:g}, {'passed' if grade['passed'] else 'not passed'}")
        for criterion in grade.get("criteria", []):
            print(f"  {criterion['name']}: {criterion['points']:g}/{criterion['max_points']:g} {criterion['message']}")
    return job


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("LABS_URL", "http://127.0.0.1:8000"))
    parser.add_argument("username", nargs="?", default=os.environ.get("LABS_USERNAME"))
    parser.add_argument("password", nargs="?", default=os.environ.get("LABS_PASSWORD"))
    parser.add_argument("--quiz", type=int, help="the id of the quiz to take (default: the first that can be taken)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the job's grade")
    args = parser.parse_args(argv)
    if not args.username or not args.password:
        parser.error("give a username and a password (or set LABS_USERNAME and LABS_PASSWORD)")

    client = Client(args.url)
    try:
        client.log_in(args.username, args.password)
        me = client.call("GET", "me/")
        print(f"Logged in to {args.url} as {me['username']} ({me['role']}, plan {me['plan']['name']})")
        list_courses(client)
        take_quiz(client, args.quiz)
        job = train_spirals(client, timeout=args.timeout)
    except ApiError as exc:
        print(f"The API refused: {exc}", file=sys.stderr)
        for field, messages in exc.body.get("errors", {}).items():
            print(f"  {field}: {' '.join(messages)}", file=sys.stderr)
        return 1
    except urllib.error.URLError as exc:
        print(f"Cannot reach {args.url}: {exc.reason}", file=sys.stderr)
        return 1
    return 0 if job["status"] == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
