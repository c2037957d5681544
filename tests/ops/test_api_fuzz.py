"""Fuzz every operation of the OpenAPI schema in-process, as each role: no 5xx, every response as documented.

Schemathesis reads the schema the app serves at /api/schema/ and generates requests for each operation;
the app answers them in this process (WSGI). Every request runs as anonymous, a student and an
instructor, against the demo course plus an attempt, a regrade and jobs, and it gets real ids and slugs
often enough to reach past the 404s. Each request runs in a savepoint that is rolled back, so every one
sees the same data, and nothing commits: a submitted job or regrade is never handed to the broker.
"""

import copy
import io
from collections import defaultdict

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import strategies as st
from rest_framework import status
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.jobs.conftest import FREE_PLAY, GOOD_SPIRALS, SIGMOID_RIGHT

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and role: the budget that keeps the whole run within a few minutes on two cores.
MAX_EXAMPLES = 25
SEED = 20261202

APP = WSGIHandler()


def _load_schema(phases):
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["too_slow", "filter_too_much"],
        "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": phases,
    })
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, config=config)


# Random requests for every role; the instructor, who passes every permission check, also gets the
# coverage phase: boundary and out-of-range values for each parameter and body field, one at a time.
fuzzed = _load_schema({"coverage": {"enabled": False}})
covered = _load_schema({})

# Real ids, slugs and bodies, filled in by the ``world`` fixture; the hooks below read them at draw time.
WORLD = {}
# Operation label -> the statuses it answered, for the check that fuzzing got past the refusals.
ANSWERED = defaultdict(set)


def _real_path_values(path):
    """Return ``{parameter: [real values]}`` for an operation's path."""
    first = path.removeprefix("/api/v1/").split("/", 1)[0]
    by_collection = {"courses": "course_slugs", "lessons": "lesson_slugs", "assignments": "assignment_slugs"}
    values = {name: WORLD[name] for name in ("quiz_id", "attempt_id", "question_id", "regrade_id", "job_id")}
    if first in by_collection:
        values["slug"] = WORLD[by_collection[first]]
    return values


def flatmap_path_parameters(context, path_parameters):
    if not isinstance(path_parameters, dict):
        return st.just(path_parameters)
    values = _real_path_values(context.operation.path)
    real = [{**path_parameters, name: value} for name in path_parameters for value in values.get(name, [])]
    if not real:
        return st.just(path_parameters)
    return st.one_of(st.sampled_from(real), st.just(path_parameters))


def flatmap_body(context, body):
    bodies = WORLD["bodies"].get((context.operation.method.upper(), context.operation.path), [])
    if not bodies or not isinstance(body, dict):
        return st.just(body)
    return st.one_of(st.sampled_from(bodies).map(copy.deepcopy), st.just(body))


def _build_world():
    from accounts.models import User
    from accounts.tokens import tokens_for
    from lessons.models import Course, Lesson
    from quizzes import services as quiz_services
    from quizzes.models import Question, Quiz
    from sandbox.models import Assignment, TrainingJob

    call_command("load_demo", stdout=io.StringIO())
    student = User.objects.get(username="student")
    instructor = User.objects.get(username="instructor")
    quizzes = list(Quiz.objects.filter(published=True, lesson__is_pro=False).order_by("pk"))
    open_attempt, _ = quiz_services.attempt_start(quiz=quizzes[0], user=student)
    graded, _ = quiz_services.attempt_start(quiz=quizzes[1], user=student)
    quiz_services.attempt_submit(attempt=graded, user=student, answers={})
    question = Question.objects.filter(quiz=quizzes[0]).order_by("pk").first()
    regrade = quiz_services.regrade_request(question=question, requested_by=instructor)
    quiz_services.question_create(quiz=quizzes[0], kind="single", text="Not in any attempt yet",
                                  choices=[{"text": "yes", "is_correct": True}, {"text": "no"}])
    spirals = Assignment.objects.get(slug="separate-the-spirals")
    jobs = [
        TrainingJob.objects.create(user=student, kind=TrainingJob.Kind.SPEC, spec=FREE_PLAY),
        TrainingJob.objects.create(user=student, assignment=spirals, kind=TrainingJob.Kind.SPEC, spec=GOOD_SPIRALS,
                                   status=TrainingJob.Status.SUCCEEDED),
    ]
    course = Course.objects.order_by("pk").first()
    lesson_slugs = sorted(Lesson.objects.values_list("slug", flat=True))
    question_ids = sorted(Question.objects.filter(quiz=quizzes[0]).values_list("pk", flat=True))
    answers = {str(pk): None for pk in question_ids}
    refresh = tokens_for(student)["refresh"]
    return {
        "headers": {
            "anonymous": {},
            "student": {"Authorization": f"Bearer {tokens_for(student)['access']}"},
            "instructor": {"Authorization": f"Bearer {tokens_for(instructor)['access']}"},
        },
        "course_slugs": sorted(Course.objects.values_list("slug", flat=True)),
        "lesson_slugs": lesson_slugs,
        "assignment_slugs": sorted(Assignment.objects.values_list("slug", flat=True)),
        "quiz_id": sorted(Quiz.objects.values_list("pk", flat=True)),
        "attempt_id": [open_attempt.pk, graded.pk],
        "question_id": question_ids,
        "regrade_id": [regrade.pk],
        "job_id": [str(job.pk) for job in jobs],
        "bodies": {
            ("POST", "/api/v1/auth/token/"): [{"username": "student", "password": "demo"}],
            ("POST", "/api/v1/auth/token/refresh/"): [{"refresh": refresh}],
            ("POST", "/api/v1/auth/logout/"): [{"refresh": refresh}],
            ("POST", "/api/v1/pro-codes/redeem/"): [{"code": "DEMO-PRO-CODE"}],
            ("POST", "/api/v1/jobs/"): [
                {"spec": FREE_PLAY},
                {"assignment": "separate-the-spirals", "spec": GOOD_SPIRALS},
                {"assignment": "implement-sigmoid", "code": SIGMOID_RIGHT},
            ],
            ("POST", "/api/v1/lessons/"): [{"course": course.slug, "title": "Fuzzed", "slug": "fuzzed"}],
            ("POST", "/api/v1/courses/{slug}/reorder/"): [{"lessons": list(
                course.lessons.order_by("-order").values_list("slug", flat=True))}],
            ("POST", "/api/v1/assignments/"): [{"lesson": lesson_slugs[0], "title": "Fuzzed", "slug": "fuzzed",
                                                 "kind": "config", "dataset": spirals.dataset,
                                                 "hidden_test": spirals.hidden_test, "rubric": spirals.rubric}],
            ("POST", "/api/v1/quizzes/{quiz_id}/questions/"): [{"kind": "single", "text": "Which?", "choices": [
                {"text": "this", "is_correct": True}, {"text": "that"}]}],
            ("POST", "/api/v1/quizzes/{quiz_id}/import-gift/"): [{"text": "::Sum:: 2 + 2 = ? {=4 ~3 ~5}"}],
            ("PATCH", "/api/v1/attempts/{attempt_id}/"): [{"answers": answers}],
            ("POST", "/api/v1/attempts/{attempt_id}/submit/"): [{"answers": answers}, {}],
        },
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Build the demo world once for the module, inside a transaction that is rolled back at the end.

    Requests go through Django's WSGI handler, which would close the connection between requests (and
    with it the transaction); Django's own test client stops that the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            WORLD.update(_build_world())
            WORLD["on_commit_after_build"] = len(connection.run_on_commit)
            yield WORLD
            transaction.set_rollback(True)
    finally:
        WORLD.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


for loaded in (fuzzed, covered):
    loaded.hook(flatmap_path_parameters)
    loaded.hook(flatmap_body)


def _aim_at_real_objects(case):
    """Give a coverage-phase case that varies a body or query value real path parameters.

    Coverage cases are built when the tests are collected, before the world exists; without this, each
    one aimed at an object's body would stop at the object's 404 before its value is looked at.
    """
    data = case.meta.phase.data if case.meta is not None else None
    if not isinstance(data, CoveragePhaseData) or data.parameter_location == ParameterLocation.PATH:
        return
    values = _real_path_values(case.operation.path)
    for name in case.path_parameters or {}:
        if values.get(name):
            case.path_parameters[name] = values[name][0]


def _call_and_validate(case, headers):
    _aim_at_real_objects(case)
    with transaction.atomic():
        cache.clear()  # login-failure counters: every request starts from the same state
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            ANSWERED[case.operation.label].add(response.status_code)
        finally:
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "student"])
@fuzzed.parametrize()
def test_operation_answers_as_documented(case, role, world):
    _call_and_validate(case, world["headers"][role])


@pytest.mark.django_db
@covered.parametrize()
def test_operation_answers_an_instructor_as_documented(case, world):
    _call_and_validate(case, world["headers"]["instructor"])


@pytest.mark.django_db
def test_fuzzing_reached_a_success_on_every_operation(world):
    """Every operation answered 2xx at least once: the real ids and bodies got past the refusals.

    Run after the fuzz tests above (pytest keeps the file's order); alone, it has nothing to look at.
    """
    labels = [result.ok().label for result in covered.get_all_operations()]
    assert ANSWERED, "run the whole module: this checks what the fuzz tests above recorded"
    unreached = [label for label in labels if not any(200 <= code < 300 for code in ANSWERED[label])]
    assert unreached == []


@pytest.mark.django_db
def test_fuzzed_submissions_left_nothing_for_the_broker(world):
    """Jobs and regrades were accepted, yet every one went with its rolled-back savepoint: no task was sent."""
    assert status.HTTP_201_CREATED in ANSWERED["POST /api/v1/jobs/"], "run the whole module"
    assert status.HTTP_202_ACCEPTED in ANSWERED["POST /api/v1/questions/{question_id}/regrade/"]
    assert len(connection.run_on_commit) == world["on_commit_after_build"]
