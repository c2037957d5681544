"""Item analytics (facility, discrimination, choice picks), the score distribution and the CSV export."""

import csv
import io

import pytest

from quizzes import analytics, services


def test_discrimination_is_the_correlation_with_the_rest_of_the_quiz():
    assert analytics.discrimination_index([1, 1, 0, 0], [2, 1, 1, 0]) == pytest.approx(0.7071, abs=1e-4)
    assert analytics.discrimination_index([1, 0, 1, 0], [2, 2, 0, 0]) == 0.0
    assert analytics.discrimination_index([1, 1, 1], [0, 1, 2]) is None  # the item does not vary
    assert analytics.discrimination_index([1], [1]) is None


def test_facility_is_the_share_of_points_earned():
    assert analytics.facility_index([2, 0, 1], [2, 2, 2]) == 0.5
    assert analytics.facility_index([], []) is None


def test_distribution_puts_100_percent_in_the_last_band():
    bands = analytics.distribution([0, 33.3, 66.7, 100, 100])
    assert [b["count"] for b in bands] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 2]


@pytest.fixture
def graded_quiz(make_quiz, make_user):
    """Three single-choice questions; four learners; learner a also has a second, all-wrong attempt."""
    quiz = make_quiz(questions=False, shuffle_questions=False)
    questions = [
        services.question_create(quiz=quiz, kind="single", text=f"Q{n}", choices=[
            {"text": "right", "is_correct": True}, {"text": "wrong"}, {"text": "other"}])
        for n in (1, 2, 3)
    ]
    pattern = {"a": (1, 1, 1), "b": (1, 1, 0), "c": (0, 0, 1), "d": (0, 0, 0)}

    def take(user, marks):
        attempt, _ = services.attempt_start(quiz=quiz, user=user)
        answers = {}
        for question, mark in zip(questions, marks):
            answers[question.pk] = question.choices.get(text="right" if mark else "wrong").uid
        services.attempt_submit(attempt=attempt, user=user, answers=answers)

    users = {}
    for name, marks in pattern.items():
        users[name] = make_user(f"learner-{name}")
        take(users[name], marks)
    take(users["a"], (0, 0, 0))
    quiz.questions_list = questions
    return quiz


def test_stats_over_first_attempts(graded_quiz, instructor, api_as, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = api_as(instructor).get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/?attempts=first")
    assert response.status_code == 200
    body = response.json()
    assert (body["attempts"], body["learners"], body["which"]) == (4, 4, "first")
    q1, q2, q3 = body["questions"]
    assert q1["facility_index"] == 0.5 and q3["facility_index"] == 0.5
    assert q1["discrimination_index"] == pytest.approx(0.7071, abs=1e-4)
    assert q3["discrimination_index"] == 0.0
    assert {c["text"]: c["count"] for c in q1["choices"]} == {"right": 2, "wrong": 2, "other": 0}
    assert [band["count"] for band in body["distribution"]] == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert body["mean_percent"] == pytest.approx(50.0)


def test_stats_match_the_schema(graded_quiz, instructor, api_as):
    from tests.openapi import assert_documented

    services.question_create(quiz=graded_quiz, kind="numeric", text="How many?",
                             key={"answers": [{"value": 3, "tolerance": 0}]})
    response = api_as(instructor).get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/")
    questions = response.json()["questions"]
    assert [len(q["choices"] or []) for q in questions] == [3, 3, 3, 0]
    assert questions[-1]["choices"] is None
    assert_documented(response, "GET", "/api/v1/quizzes/{quiz_id}/stats/")


def test_stats_over_all_and_last_attempts(graded_quiz, instructor, api_as):
    api = api_as(instructor)
    everything = api.get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/").json()
    assert everything["attempts"] == 5 and everything["questions"][0]["facility_index"] == 0.4
    last = api.get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/?attempts=last").json()
    assert last["attempts"] == 4 and last["questions"][0]["facility_index"] == 0.25


def test_stats_refuse_an_unknown_attempt_choice(graded_quiz, instructor, api_as):
    response = api_as(instructor).get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/?attempts=best")
    assert response.status_code == 400
    assert response.json()["detail"] == "attempts: Use all, first or last."


def test_stats_query_count_does_not_grow_with_attempts(graded_quiz, instructor, api_as, make_user,
                                                        django_assert_max_num_queries):
    for n in range(5):
        user = make_user(f"extra{n}")
        attempt, _ = services.attempt_start(quiz=graded_quiz, user=user)
        services.attempt_submit(attempt=attempt, user=user)
    with django_assert_max_num_queries(5):
        assert api_as(instructor).get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/").status_code == 200


def test_csv_export_has_one_row_per_counted_attempt(graded_quiz, instructor, api_as):
    response = api_as(instructor).get(f"/api/v1/quizzes/{graded_quiz.pk}/attempts/export/?attempts=first")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, data = rows[0], rows[1:]
    assert header[:3] == ["attempt", "username", "number"]
    assert header[-3:] == [f"q{q.pk}" for q in graded_quiz.questions_list]
    by_user = {row[1]: row for row in data}
    assert set(by_user) == {"learner-a", "learner-b", "learner-c", "learner-d"}
    assert by_user["learner-b"][header.index("score")] == "2.0"
    assert by_user["learner-b"][-3:] == ["1.0", "1.0", "0.0"]


def test_csv_export_quotes_formula_like_cells(make_quiz, make_user, instructor, api_as):
    quiz = make_quiz()
    user = make_user("-cmd")
    attempt, _ = services.attempt_start(quiz=quiz, user=user)
    services.attempt_submit(attempt=attempt, user=user)
    body = api_as(instructor).get(f"/api/v1/quizzes/{quiz.pk}/attempts/export/").content.decode()
    assert ",'-cmd," in body


def test_students_cannot_read_stats(graded_quiz, student, api_as):
    assert api_as(student).get(f"/api/v1/quizzes/{graded_quiz.pk}/stats/").status_code == 403


def test_instructors_see_the_stats_page_and_download_csv(graded_quiz, instructor, client):
    client.force_login(instructor)
    page = client.get(f"/quizzes/{graded_quiz.pk}/stats/?attempts=first")
    assert page.status_code == 200
    html = page.content.decode()
    assert "4 by 4 learners" in html
    q1 = graded_quiz.questions_list[0]
    assert f'data-testid="stats-question-{q1.pk}"' in html and "0.71" in html
    export = client.get(f"/quizzes/{graded_quiz.pk}/attempts.csv?attempts=last")
    assert export.status_code == 200 and len(export.content.decode().strip().splitlines()) == 5


def test_students_cannot_see_the_stats_page(graded_quiz, student, client):
    client.force_login(student)
    assert client.get(f"/quizzes/{graded_quiz.pk}/stats/").status_code == 403
    assert client.get(f"/quizzes/{graded_quiz.pk}/attempts.csv").status_code == 403
