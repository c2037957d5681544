"""The attempt lifecycle over the API: start, save, submit, grade; every refusal is a clear 4xx that changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import status

from lessons.models import LessonProgress
from quizzes import services
from quizzes.models import Attempt, AttemptAnswer

from .conftest import MARKERS, right_answers


def start(api, quiz):
    return api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")


def test_start_returns_the_questions_without_answers(make_quiz, student, api_as):
    quiz = make_quiz()
    response = start(api_as(student), quiz)
    assert response.status_code == status.HTTP_201_CREATED
    body = response.json()
    assert body["state"] == "in_progress" and body["number"] == 1 and body["result"] is None
    assert sorted(q["kind"] for q in body["questions"]) == sorted(quiz.kinds)
    assert all(q["answer"] is None for q in body["questions"])
    multiple = next(q for q in body["questions"] if q["kind"] == "multiple")
    assert multiple["scoring"].startswith("Partial credit: (right choices picked - wrong choices picked)")


def test_starting_again_returns_the_open_attempt(make_quiz, student, api_as):
    quiz = make_quiz()
    first = start(api_as(student), quiz).json()
    again = start(api_as(student), quiz)
    assert again.status_code == status.HTTP_200_OK
    assert again.json()["id"] == first["id"]
    assert again.json()["questions"] == first["questions"]
    assert Attempt.objects.count() == 1


def test_a_reload_shows_the_same_order(make_quiz, student, api_as):
    quiz = make_quiz(shuffle_questions=True, shuffle_choices=True)
    api = api_as(student)
    started = start(api, quiz).json()
    reread = api.get(f"/api/v1/attempts/{started['id']}/").json()
    order = lambda body: [(q["id"], [c["id"] for c in q["choices"]]) for q in body["questions"]]  # noqa: E731
    assert order(reread) == order(started)


def test_orders_differ_between_attempts(make_quiz, make_user, api_as):
    quiz = make_quiz(shuffle_questions=True)
    orders = set()
    for n in range(8):
        body = start(api_as(make_user(f"learner{n}")), quiz).json()
        orders.add(tuple(q["id"] for q in body["questions"]))
    assert len(orders) > 1


def test_draw_k_questions_from_the_pool(make_quiz, student, api_as):
    quiz = make_quiz(draw_count=3)
    body = start(api_as(student), quiz).json()
    assert len(body["questions"]) == 3
    assert {q["id"] for q in body["questions"]} <= {q.pk for q in quiz.kinds.values()}
    detail = api_as(student).get(f"/api/v1/quizzes/{quiz.pk}/").json()
    assert (detail["question_count"], detail["questions_per_attempt"]) == (6, 3)


def test_save_then_read_then_submit_grades_everything_right(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    saved = api.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": right_answers(quiz.kinds)}, format="json")
    assert saved.status_code == status.HTTP_200_OK
    numeric = next(q for q in saved.json()["questions"] if q["kind"] == "numeric")
    assert numeric["answer"] == float(MARKERS["numeric_value"])
    submitted = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
    assert submitted.status_code == status.HTTP_200_OK
    result = submitted.json()["result"]
    assert (result["score"], result["max_score"], result["percent"], result["passed"]) == (7.0, 7.0, 100.0, True)
    assert {item["status"] for item in result["questions"]} == {"correct"}


def test_partial_answers_are_graded_by_the_stated_rules(make_quiz, student, api_as):
    quiz = make_quiz(pass_percent=50)
    api = api_as(student)
    attempt = start(api, quiz).json()
    k = quiz.kinds
    right = {c.text: c.uid for q in k.values() for c in q.choices.all()}
    answers = {
        k["single"].pk: right["Making predictions"],  # 0 of 2
        k["multiple"].pk: [right["Sigmoid"], right["ReLU"], right["MSE"]],  # (2-1)/2 = 0.5
        k["ordering"].pk: [right["Forward pass"], right["Loss"], right["Update"], right["Backward pass"]],  # 2/4
        k["numeric"].pk: "73519.26",  # within 0.0173
        k["short_text"].pk: "QUOKKA42MARKER",  # matches the regex
    }
    body = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json").json()
    points = {item["id"]: item["points_awarded"] for item in body["result"]["questions"]}
    assert points == {k["single"].pk: 0.0, k["multiple"].pk: 0.5, k["ordering"].pk: 0.5, k["numeric"].pk: 1.0,
                      k["short_text"].pk: 1.0, k["true_false"].pk: 0.0}
    assert body["result"]["score"] == 3.0 and body["result"]["percent"] == pytest.approx(300 / 7, abs=1e-3)
    assert body["result"]["passed"] is False


def test_passing_marks_the_lesson_mastered(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": right_answers(quiz.kinds)}, format="json")
    progress = LessonProgress.objects.get(user=student, lesson=quiz.lesson)
    assert progress.mastered_at is not None


def test_failing_does_not_mark_the_lesson_mastered(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
    assert not LessonProgress.objects.filter(user=student, lesson=quiz.lesson, mastered_at__isnull=False).exists()


def test_answer_to_a_question_not_in_the_attempt_is_refused_and_nothing_changes(make_quiz, student, api_as):
    quiz = make_quiz(draw_count=2)
    api = api_as(student)
    attempt = start(api, quiz).json()
    inside = attempt["questions"][0]
    outside = next(q for q in quiz.kinds.values() if q.pk not in {x["id"] for x in attempt["questions"]})
    response = api.patch(f"/api/v1/attempts/{attempt['id']}/",
                         {"answers": {inside["id"]: None, outside.pk: "x", 999999: "y"}}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][f"answers.{outside.pk}"] == ["This question is not part of the attempt."]
    assert "answers.999999" in body["errors"]
    assert AttemptAnswer.objects.filter(attempt_id=attempt["id"], response__isnull=False).count() == 0


def test_malformed_answer_is_refused_and_the_good_ones_in_the_same_request_are_not_saved(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    k = quiz.kinds
    response = api.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": {
        k["numeric"].pk: "seventy", k["short_text"].pk: "fine"}}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["detail"] == f"answers.{k['numeric'].pk}: 'seventy' is not a number."
    assert AttemptAnswer.objects.get(attempt_id=attempt["id"], question=k["short_text"]).response is None


@pytest.mark.parametrize("payload", [{}, {"answers": "nope"}, {"answers": [1, 2]}])
def test_a_body_without_an_answers_object_is_refused(make_quiz, student, api_as, payload):
    quiz = make_quiz()
    attempt = start(api_as(student), quiz).json()
    response = api_as(student).patch(f"/api/v1/attempts/{attempt['id']}/", payload, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"]["answers"]


def test_answers_after_submission_are_refused(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
    single = quiz.kinds["single"]
    response = api.patch(f"/api/v1/attempts/{attempt['id']}/",
                         {"answers": {single.pk: single.choices.get(is_correct=True).uid}}, format="json")
    assert response.status_code == status.HTTP_409_CONFLICT
    assert response.json()["code"] == "already_submitted"
    assert AttemptAnswer.objects.get(attempt_id=attempt["id"], question=single).response is None


def test_submitting_twice_keeps_the_first_grade(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    first = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
    second = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": right_answers(quiz.kinds)}, format="json")
    assert first.status_code == status.HTTP_200_OK
    assert second.status_code == status.HTTP_409_CONFLICT
    assert second.json() == {"detail": "This attempt has already been submitted.", "code": "already_submitted"}
    assert Attempt.objects.get(pk=attempt["id"]).score == 0.0


def test_another_users_attempt_is_refused(make_quiz, student, other_student, api_as):
    quiz = make_quiz()
    attempt = start(api_as(student), quiz).json()
    other = api_as(other_student)
    single = quiz.kinds["single"]
    for response in (
        other.get(f"/api/v1/attempts/{attempt['id']}/"),
        other.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": {single.pk: None}}, format="json"),
        other.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json"),
    ):
        assert response.status_code == status.HTTP_403_FORBIDDEN
        assert response.json() == {"detail": "This attempt belongs to another user.", "code": "not_your_attempt"}
    assert Attempt.objects.get(pk=attempt["id"]).state == "in_progress"


def test_unknown_attempt_is_404(student, api_as, db):
    response = api_as(student).get("/api/v1/attempts/424242/")
    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["code"] == "not_found"


def test_anonymous_is_refused(make_quiz, api_client):
    quiz = make_quiz()
    assert api_client.get(f"/api/v1/quizzes/{quiz.pk}/").status_code in (401, 403)
    assert api_client.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").status_code in (401, 403)


def test_attempts_allowed_is_enforced(make_quiz, student, api_as):
    quiz = make_quiz(attempts_allowed=1)
    api = api_as(student)
    attempt = start(api, quiz).json()
    api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
    response = start(api, quiz)
    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert response.json() == {"detail": "You have used all 1 attempt this quiz allows.", "code": "no_attempts_left"}
    detail = api.get(f"/api/v1/quizzes/{quiz.pk}/").json()
    assert detail["me"]["attempts_used"] == 1 and detail["me"]["attempts_left"] == 0


@pytest.mark.parametrize(("policy", "expected"), [("highest", 100.0), ("latest", 0.0), ("first", 100.0),
                                                  ("average", 50.0)])
def test_grading_policy_over_attempts_in_the_quiz_detail(make_quiz, student, api_as, policy, expected):
    quiz = make_quiz(grading_policy=policy)
    api = api_as(student)
    for answers in (right_answers(quiz.kinds), {}):
        attempt = start(api, quiz).json()
        api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json")
    assert api.get(f"/api/v1/quizzes/{quiz.pk}/").json()["me"]["grade_percent"] == expected


def test_pro_lesson_quiz_needs_pro(make_quiz, make_lesson, student, pro_student, api_as):
    quiz = make_quiz(lesson=make_lesson("pro-lesson", is_pro=True))
    for response in (api_as(student).get(f"/api/v1/quizzes/{quiz.pk}/"), start(api_as(student), quiz)):
        assert response.status_code == status.HTTP_403_FORBIDDEN
        assert response.json()["code"] == "pro_required"
        assert "Pro lesson" in response.json()["detail"]
    assert start(api_as(pro_student), quiz).status_code == status.HTTP_201_CREATED


@pytest.mark.parametrize("hidden", ["quiz", "lesson", "course"])
def test_unpublished_quiz_or_lesson_is_404(make_quiz, make_lesson, student, instructor, api_as, hidden):
    lesson = make_lesson("hidden", published=hidden != "lesson", course_published=hidden != "course")
    quiz = make_quiz(lesson=lesson, published=hidden != "quiz")
    assert api_as(student).get(f"/api/v1/quizzes/{quiz.pk}/").status_code == status.HTTP_404_NOT_FOUND
    assert start(api_as(student), quiz).status_code == status.HTTP_404_NOT_FOUND
    assert quiz.pk not in [q["id"] for q in api_as(student).get("/api/v1/quizzes/").json()]
    assert api_as(instructor).get(f"/api/v1/quizzes/{quiz.pk}/").status_code == status.HTTP_200_OK


def test_quiz_without_questions_cannot_be_started(make_quiz, student, api_as):
    quiz = make_quiz(questions=False)
    response = start(api_as(student), quiz)
    assert response.status_code == status.HTTP_409_CONFLICT
    assert response.json()["code"] == "quiz_empty"


def test_closed_quiz_cannot_be_started(make_quiz, student, api_as):
    quiz = make_quiz(closes_at=timezone.now() - timedelta(minutes=1))
    response = start(api_as(student), quiz)
    assert response.status_code == status.HTTP_409_CONFLICT
    assert response.json()["code"] == "quiz_closed"


def _expire(attempt_id):
    Attempt.objects.filter(pk=attempt_id).update(deadline=timezone.now() - timedelta(seconds=1))


def test_answer_after_the_deadline_is_refused_and_the_saved_answers_are_graded(make_quiz, student, api_as):
    quiz = make_quiz(time_limit_seconds=60)
    api = api_as(student)
    attempt = start(api, quiz).json()
    assert 0 < attempt["seconds_left"] <= 60
    single = quiz.kinds["single"]
    right = single.choices.get(is_correct=True).uid
    api.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": {single.pk: right}}, format="json")
    _expire(attempt["id"])
    late = api.patch(f"/api/v1/attempts/{attempt['id']}/",
                     {"answers": {quiz.kinds["true_false"].pk: quiz.kinds["true_false"].choices.get(is_correct=True).uid}},
                     format="json")
    assert late.status_code == status.HTTP_409_CONFLICT
    assert late.json()["code"] == "deadline_passed"
    graded = Attempt.objects.get(pk=attempt["id"])
    assert (graded.state, graded.auto_submitted, graded.score) == ("graded", True, 2.0)
    assert graded.submitted_at == graded.deadline


def test_submit_after_the_deadline_grades_what_was_saved(make_quiz, student, api_as):
    quiz = make_quiz(time_limit_seconds=60)
    api = api_as(student)
    attempt = start(api, quiz).json()
    _expire(attempt["id"])
    body = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": right_answers(quiz.kinds)},
                    format="json").json()
    assert body["auto_submitted"] is True and body["result"]["score"] == 0.0


def test_reading_an_overdue_attempt_submits_it(make_quiz, student, api_as):
    quiz = make_quiz(time_limit_seconds=60)
    api = api_as(student)
    attempt = start(api, quiz).json()
    _expire(attempt["id"])
    body = api.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert body["state"] == "graded" and body["auto_submitted"] is True


def test_the_sweeper_submits_overdue_attempts(make_quiz, student, api_as):
    quiz = make_quiz(time_limit_seconds=60)
    attempt = start(api_as(student), quiz).json()
    _expire(attempt["id"])
    assert services.attempts_close_overdue() == 1
    assert Attempt.objects.get(pk=attempt["id"]).state == "graded"
    assert services.attempts_close_overdue() == 0


def test_quiz_detail_query_count_is_pinned(make_quiz, student, api_as, django_assert_max_num_queries):
    quiz = make_quiz()
    api = api_as(student)
    for _ in range(3):
        attempt = start(api, quiz).json()
        api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
    with django_assert_max_num_queries(2):
        assert api.get(f"/api/v1/quizzes/{quiz.pk}/").status_code == 200


def test_attempt_endpoints_query_counts_are_pinned(make_quiz, student, api_as, django_assert_max_num_queries):
    quiz = make_quiz()
    api = api_as(student)
    answers = right_answers(quiz.kinds)
    with django_assert_max_num_queries(13):
        attempt = start(api, quiz).json()
    with django_assert_max_num_queries(3):
        assert api.get(f"/api/v1/attempts/{attempt['id']}/").status_code == 200
    with django_assert_max_num_queries(13):
        response = api.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": answers}, format="json")
        assert response.status_code == 200
    # Read the attempt, lock it, read its answers and choices once, write the grade and the answers, the
    # quiz grade, mark the lesson mastered; plus the transaction's own statements on some databases.
    with django_assert_max_num_queries(12):
        assert api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json").status_code == 200
    with django_assert_max_num_queries(4):
        assert api.get(f"/api/v1/attempts/{attempt['id']}/").status_code == 200


def test_query_counts_do_not_grow_with_the_number_of_questions(make_quiz, student, api_as, django_assert_num_queries):
    from .conftest import add_every_kind

    small, big = make_quiz(title="small"), make_quiz(title="big")
    for _ in range(3):
        add_every_kind(big)
    api = api_as(student)
    counts = []
    for quiz in (small, big):
        attempt = start(api, quiz).json()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as read:
            api.get(f"/api/v1/attempts/{attempt['id']}/")
        with CaptureQueriesContext(connection) as submit:
            api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
        counts.append((len(read), len(submit)))
    assert counts[0] == counts[1]


ODD_VALUES = [None, True, 0, -1, 1e308, "", " ", "x" * 600, "1e999", [], [None], [[]], {}, {"a": 1}, ["x"] * 50,
              "\u0000", "nan", 3.5, "12,5"]


def test_odd_answers_never_cause_a_server_error(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    for question in attempt["questions"]:
        for value in ODD_VALUES:
            response = api.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": {question["id"]: value}},
                                 format="json")
            assert response.status_code in (200, 400), (question["kind"], value, response.status_code)
            if response.status_code == 400:
                assert response.json()["detail"].startswith(f"answers.{question['id']}: ")
    assert api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json").status_code == 200


def _selects_from(queries, table):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"]]


def test_submit_reads_the_attempt_and_its_answers_once_under_the_lock(make_quiz, student, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quiz = make_quiz()
    api = api_as(student)
    attempt = start(api, quiz).json()
    answers = right_answers(quiz.kinds)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json")
    assert response.status_code == status.HTTP_200_OK
    assert len(_selects_from(queries, "quizzes_attemptanswer")) == 1
    assert len(_selects_from(queries, "quizzes_choice")) == 1
    # One read of the attempt before the lock (ownership and access), one under it.
    reads = [sql for sql in _selects_from(queries, "quizzes_attempt") if '"quizzes_attempt"."seed"' in sql]
    assert len(reads) == 2
    if connection.vendor == "postgresql":
        assert [" FOR UPDATE" in sql for sql in reads] == [False, True]


def test_submit_answers_with_what_a_later_read_of_the_attempt_shows(make_quiz, student, api_as):
    quiz = make_quiz(review_detail="full")
    api = api_as(student)
    attempt = start(api, quiz).json()
    answers = right_answers(quiz.kinds)
    wrong = quiz.kinds["numeric"].pk
    answers[wrong] = 1.0
    submitted = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": answers}, format="json").json()
    assert submitted["state"] == "graded" and submitted["result"]["review"] == "full"
    assert submitted["result"]["quiz_grade_percent"] == submitted["result"]["percent"] < 100
    assert next(q for q in submitted["result"]["questions"] if q["id"] == wrong)["status"] == "incorrect"
    assert next(q for q in submitted["questions"] if q["id"] == wrong)["answer"] == 1.0
    assert api.get(f"/api/v1/attempts/{attempt['id']}/").json() == submitted
