"""Instructors create quizzes and questions over the API; the key is validated so every question can be graded."""

import pytest
from rest_framework import status

from quizzes.models import Choice, Question, Quiz


def test_instructor_creates_a_quiz_with_a_slug(api_as, instructor, make_lesson):
    lesson = make_lesson()
    response = api_as(instructor).post("/api/v1/quizzes/", {
        "title": "Backprop check", "lesson": lesson.pk, "attempts_allowed": 2, "grading_policy": "average",
        "pass_percent": 75, "time_limit_seconds": 300, "review_detail": "correctness"}, format="json")
    assert response.status_code == status.HTTP_201_CREATED
    body = response.json()
    assert (body["slug"], body["lesson"], body["grading_policy"], body["published"]) == (
        "backprop-check", lesson.pk, "average", False)
    assert Quiz.objects.get(pk=body["id"]).created_by == instructor


def test_quiz_settings_are_validated(api_as, instructor):
    response = api_as(instructor).post("/api/v1/quizzes/", {"title": "x", "grading_policy": "best",
                                                             "pass_percent": 150}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert set(response.json()["errors"]) >= {"grading_policy"}


def test_students_cannot_author(api_as, student, make_quiz):
    quiz = make_quiz()
    api = api_as(student)
    assert api.post("/api/v1/quizzes/", {"title": "mine"}, format="json").status_code == 403
    assert api.patch(f"/api/v1/quizzes/{quiz.pk}/", {"title": "mine"}, format="json").status_code == 403
    assert api.post(f"/api/v1/quizzes/{quiz.pk}/questions/", {"kind": "numeric", "text": "?"}, format="json"
                    ).status_code == 403


@pytest.mark.parametrize("payload", [
    {"kind": "single", "text": "Q", "choices": [{"text": "a", "is_correct": True}, {"text": "b"}]},
    {"kind": "multiple", "text": "Q", "scoring_rule": "all_or_nothing",
     "choices": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}, {"text": "c"}]},
    {"kind": "true_false", "text": "Q", "key": {"answer": False}},
    {"kind": "numeric", "text": "Q", "key": {"answers": [{"value": 2.5, "tolerance": 0.1, "mode": "relative"}]}},
    {"kind": "short_text", "text": "Q", "key": {"answers": [{"text": "relu"}], "patterns": [{"regex": "re ?lu"}]}},
    {"kind": "ordering", "text": "Q", "scoring_rule": "adjacent_pairs",
     "choices": [{"text": "a", "position": 2}, {"text": "b", "position": 1}]},
])
def test_instructor_adds_each_kind(api_as, instructor, make_quiz, payload):
    quiz = make_quiz(questions=False)
    response = api_as(instructor).post(f"/api/v1/quizzes/{quiz.pk}/questions/", payload, format="json")
    assert response.status_code == status.HTTP_201_CREATED, response.json()
    body = response.json()
    assert body["kind"] == payload["kind"]
    question = Question.objects.get(pk=body["id"])
    if payload["kind"] == "true_false":
        assert [(c.text, c.is_correct) for c in question.choices.all()] == [("True", False), ("False", True)]


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "single", "text": "Q", "choices": [{"text": "a"}, {"text": "b"}]}, "choices"),
    ({"kind": "numeric", "text": "Q", "key": {"answers": [{"value": "pi"}]}}, "key.answers[0]"),
    ({"kind": "short_text", "text": "Q", "key": {"patterns": [{"regex": "(unclosed"}]}}, "key.patterns[0]"),
    ({"kind": "ordering", "text": "Q", "choices": [{"text": "a", "position": 1}, {"text": "b", "position": 3}]},
     "choices"),
    ({"kind": "true_false", "text": "Q", "key": {"answer": "yes"}}, "key.answer"),
    ({"kind": "essay", "text": "Q"}, "kind"),
])
def test_a_question_that_cannot_be_graded_is_refused(api_as, instructor, make_quiz, payload, field):
    quiz = make_quiz(questions=False)
    response = api_as(instructor).post(f"/api/v1/quizzes/{quiz.pk}/questions/", payload, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert field in response.json()["errors"]
    assert quiz.questions.count() == 0


def test_updating_choices_keeps_the_ids_given(api_as, instructor, make_quiz):
    quiz = make_quiz()
    question = quiz.kinds["single"]
    kept = list(question.choices.all())[:2]
    response = api_as(instructor).patch(f"/api/v1/questions/{question.pk}/", {"choices": [
        {"id": kept[0].uid, "text": "renamed", "is_correct": False},
        {"id": kept[1].uid, "text": kept[1].text, "is_correct": True},
        {"text": "brand new"}]}, format="json")
    assert response.status_code == status.HTTP_200_OK
    choices = response.json()["choices"]
    assert [c["id"] for c in choices[:2]] == [kept[0].uid, kept[1].uid]
    assert [c["text"] for c in choices] == ["renamed", kept[1].text, "brand new"]
    assert Choice.objects.filter(question=question).count() == 3


def test_an_unknown_choice_id_is_refused(api_as, instructor, make_quiz):
    question = make_quiz().kinds["single"]
    response = api_as(instructor).patch(f"/api/v1/questions/{question.pk}/", {"choices": [
        {"id": "nope", "text": "a", "is_correct": True}, {"text": "b"}]}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["detail"] == "choices: 'nope' is not a choice of this question."


def test_a_question_in_attempts_cannot_be_deleted(api_as, instructor, student, make_quiz):
    quiz = make_quiz()
    api_as(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    response = api_as(instructor).delete(f"/api/v1/questions/{quiz.kinds['single'].pk}/")
    assert response.status_code == status.HTTP_409_CONFLICT
    assert response.json()["code"] == "question_in_use"


def test_instructors_read_the_questions_with_their_keys(api_as, instructor, make_quiz):
    quiz = make_quiz()
    body = api_as(instructor).get(f"/api/v1/quizzes/{quiz.pk}/questions/").json()
    numeric = next(q for q in body if q["kind"] == "numeric")
    assert numeric["key"]["answers"][0]["value"] == 73519.25


def test_unknown_quiz_is_404_with_the_error_shape(api_as, instructor, db):
    response = api_as(instructor).get("/api/v1/quizzes/987654/questions/")
    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json() == {"detail": "No quiz with this id.", "code": "not_found"}


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "x", "pass_percent": 150}, "pass_percent"),
    ({"title": "x", "attempts_allowed": 0}, "attempts_allowed"),
    ({"title": "x", "draw_count": 0}, "draw_count"),
    ({"title": "x", "review_when": "after_close"}, "closes_at"),
    ({"title": "x", "opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"}, "closes_at"),
])
def test_quiz_settings_out_of_range_are_refused(api_as, instructor, payload, field):
    response = api_as(instructor).post("/api/v1/quizzes/", payload, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert field in response.json()["errors"]
    assert not Quiz.objects.exists()


def test_a_partial_update_is_checked_against_the_saved_settings(api_as, instructor, make_quiz):
    quiz = make_quiz()
    response = api_as(instructor).patch(f"/api/v1/quizzes/{quiz.pk}/", {"review_when": "after_close"}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    ok = api_as(instructor).patch(f"/api/v1/quizzes/{quiz.pk}/", {"pass_percent": 80, "published": False}, format="json")
    assert ok.status_code == status.HTTP_200_OK and ok.json()["pass_percent"] == 80.0


def test_the_admin_warns_when_a_question_cannot_be_graded(client, instructor, make_quiz):
    quiz = make_quiz(questions=False)
    client.force_login(instructor)
    response = client.post("/admin/quizzes/question/add/", {
        "quiz": quiz.pk, "kind": "single", "text": "No right choice", "points": "1", "explanation": "",
        "scoring_rule": "", "key": "{}", "order": "1",
        "choices-TOTAL_FORMS": "2", "choices-INITIAL_FORMS": "0", "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "choices-0-text": "a", "choices-0-order": "1", "choices-0-feedback": "",
        "choices-1-text": "b", "choices-1-order": "2", "choices-1-feedback": "",
    }, follow=True)
    assert response.status_code == 200
    assert "This question cannot be graded yet: choices: Mark exactly one choice correct." in response.content.decode()


def _admin_question_form(quiz, text, order):
    return {
        "quiz": quiz.pk, "kind": "single", "text": text, "points": "1", "explanation": "", "scoring_rule": "",
        "key": "{}", "order": order, "choices-TOTAL_FORMS": "2", "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0", "choices-MAX_NUM_FORMS": "1000",
        "choices-0-text": "right", "choices-0-is_correct": "on", "choices-0-order": "1", "choices-0-feedback": "",
        "choices-1-text": "wrong", "choices-1-order": "2", "choices-1-feedback": "",
    }


def test_a_question_added_in_the_admin_goes_last_unless_its_place_is_chosen(client, instructor, make_quiz):
    quiz = make_quiz()
    last = max(quiz.questions.values_list("order", flat=True))
    client.force_login(instructor)
    client.post("/admin/quizzes/question/add/", _admin_question_form(quiz, "Appended", "0"))
    client.post("/admin/quizzes/question/add/", _admin_question_form(quiz, "Placed", "1"))
    orders = dict(quiz.questions.values_list("text", "order"))
    assert orders["Appended"] == last + 1
    assert orders["Placed"] == 1


@pytest.mark.parametrize("key", [[1, 2], "3.14", 7])
def test_a_key_that_is_not_an_object_is_refused(api_as, instructor, make_quiz, key):
    quiz = make_quiz()
    api = api_as(instructor)
    created = api.post(f"/api/v1/quizzes/{quiz.pk}/questions/", {"kind": "numeric", "text": "Q", "key": key},
                       format="json")
    assert created.status_code == status.HTTP_400_BAD_REQUEST
    assert created.json()["errors"] == {"key": ["Give an object."]}
    changed = api.patch(f"/api/v1/questions/{quiz.kinds['numeric'].pk}/", {"key": key}, format="json")
    assert changed.status_code == status.HTTP_400_BAD_REQUEST


def test_a_key_with_a_nul_character_is_refused_not_a_server_error(api_as, instructor, make_quiz):
    quiz = make_quiz(questions=False)
    response = api_as(instructor).post(f"/api/v1/quizzes/{quiz.pk}/questions/", {
        "kind": "short_text", "text": "Q", "key": {"answers": [{"text": "a\u0000b"}]}}, format="json")
    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == {"key": ["Text in the key or choices contains a NUL character."]}
