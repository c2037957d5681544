"""No learner response, API or page, holds a key, an explanation or choice feedback before review allows it."""

import json

import pytest

from quizzes.models import Attempt

from .conftest import MARKERS, all_markers, right_answers

SECRET_FIELDS = ("is_correct", "position", "explanation", "feedback", "correct_answer", "key", "fraction", "regex")


def assert_no_secret(body, *, where):
    text = body.decode() if isinstance(body, bytes) else body
    for marker in all_markers():
        assert marker.lower() not in text.lower(), f"{where} leaks {marker!r}"


def assert_no_secret_fields(data, *, where):
    """Walk a JSON body: no object may have a key field."""
    if isinstance(data, dict):
        for name, value in data.items():
            assert name not in SECRET_FIELDS, f"{where} has a {name!r} field"
            assert_no_secret_fields(value, where=where)
    elif isinstance(data, list):
        for item in data:
            assert_no_secret_fields(item, where=where)


def _lesson_partial(quiz, user):
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from quizzes.selectors import lesson_quizzes

    return HttpResponse(render_to_string("quizzes/_lesson_quizzes.html",
                                         {"quizzes": lesson_quizzes(lesson=quiz.lesson, user=user)}))


def _learner_responses(api, client, quiz, user):
    """Yield (where, response) for every learner-facing response before grading."""
    yield "quiz detail", api.get(f"/api/v1/quizzes/{quiz.pk}/")
    yield "quiz list", api.get("/api/v1/quizzes/")
    started = api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    yield "attempt start", started
    attempt_id = started.json()["id"]
    yield "attempt read", api.get(f"/api/v1/attempts/{attempt_id}/")
    wrong = {q["id"]: None for q in started.json()["questions"]}
    yield "save", api.patch(f"/api/v1/attempts/{attempt_id}/", {"answers": wrong}, format="json")
    yield "my attempts", api.get(f"/api/v1/quizzes/{quiz.pk}/attempts/")
    yield "quiz page", client.get(f"/quizzes/{quiz.pk}/")
    yield "take page", client.get(f"/quizzes/attempts/{attempt_id}/")
    yield "quiz list page", client.get("/quizzes/")
    yield "lesson quizzes partial", _lesson_partial(quiz, user)


@pytest.mark.parametrize("kind", ["single", "multiple", "true_false", "numeric", "short_text", "ordering"])
def test_learner_responses_before_grading_hold_no_key(kind, make_quiz, student, api_as, client):
    quiz = make_quiz(review_detail="full", review_when="immediately")
    # Keep only the question of this kind, so each kind is checked on its own.
    for other, question in quiz.kinds.items():
        if other != kind:
            question.delete()
    client.force_login(student)
    for where, response in _learner_responses(api_as(student), client, quiz, student):
        assert response.status_code in (200, 201), (where, response.status_code)
        assert_no_secret(response.content, where=f"{kind}: {where}")
        if response["Content-Type"].startswith("application/json"):
            assert_no_secret_fields(response.json(), where=f"{kind}: {where}")


def test_ordering_items_are_not_shown_in_the_right_order(make_quiz, student, api_as):
    quiz = make_quiz(shuffle_choices=False)
    question = quiz.kinds["ordering"]
    right = [c.uid for c in sorted(question.choices.all(), key=lambda c: c.position)]
    body = api_as(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    shown = next(q for q in body["questions"] if q["id"] == question.pk)
    assert [c["id"] for c in shown["choices"]] != right


def test_choice_ids_are_opaque(make_quiz, student, api_as):
    quiz = make_quiz()
    body = api_as(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    ids = [c["id"] for q in body["questions"] for c in q["choices"]]
    assert len(ids) == len(set(ids)) > 0
    assert all(len(uid) >= 10 and not uid.isdigit() for uid in ids)


def _submit_everything(api, quiz):
    attempt = api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    return api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {"answers": right_answers(quiz.kinds)}, format="json")


def test_score_only_review_shows_no_key_after_submitting(make_quiz, student, api_as, client):
    quiz = make_quiz(review_detail="score")
    api = api_as(student)
    submitted = _submit_everything(api, quiz)
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["result"]["percent"] == 100.0
    assert body["result"]["review"] == "score"
    assert body["result"]["questions"] is None
    attempt_id = body["id"]
    client.force_login(student)
    for where, response in [
        ("submit", submitted),
        ("attempt read", api.get(f"/api/v1/attempts/{attempt_id}/")),
        ("result page", client.get(f"/quizzes/attempts/{attempt_id}/result/")),
        ("quiz page", client.get(f"/quizzes/{quiz.pk}/")),
    ]:
        assert response.status_code == 200, where
        # The learner's own right answers are in the body (they typed them); nothing else of the key is.
        text = response.content.decode()
        for marker in ("EXPLAINMARKER", "FEEDBACKMARKER", MARKERS["short_regex"], MARKERS["numeric_tolerance"]):
            assert marker not in text, f"score only: {where} leaks {marker!r}"
        if response["Content-Type"].startswith("application/json"):
            assert_no_secret_fields(response.json(), where=where)


def test_review_after_close_shows_only_the_score_while_the_quiz_is_open(make_quiz, student, api_as):
    from datetime import timedelta

    from django.utils import timezone

    quiz = make_quiz(review_detail="full", review_when="after_close", closes_at=timezone.now() + timedelta(days=1))
    body = _submit_everything(api_as(student), quiz).json()
    assert body["result"]["review"] == "score"
    assert "EXPLAINMARKER" not in json.dumps(body)
    quiz.closes_at = timezone.now() - timedelta(seconds=1)
    quiz.save()
    later = api_as(student).get(f"/api/v1/attempts/{body['id']}/").json()
    assert later["result"]["review"] == "full"
    assert "EXPLAINMARKER" in json.dumps(later)


def test_correctness_review_shows_right_or_wrong_but_no_key(make_quiz, student, api_as):
    quiz = make_quiz(review_detail="correctness")
    api = api_as(student)
    attempt = api.post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    body = api.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json").json()
    assert body["result"]["review"] == "correctness"
    assert {item["status"] for item in body["result"]["questions"]} == {"unanswered"}
    assert_no_secret(json.dumps(body), where="correctness review")
    assert_no_secret_fields(body["result"]["questions"], where="correctness review")


def test_full_review_shows_keys_explanations_and_feedback_after_grading(make_quiz, student, api_as, client):
    quiz = make_quiz(review_detail="full")
    body = _submit_everything(api_as(student), quiz).json()
    text = json.dumps(body)
    assert "EXPLAINMARKER" in text and "FEEDBACKMARKER" in text and MARKERS["short_answer"] in text
    single = next(item for item in body["result"]["questions"] if item["id"] == quiz.kinds["single"].pk)
    right_uid = quiz.kinds["single"].choices.get(is_correct=True).uid
    assert single["correct_answer"] == right_uid
    client.force_login(student)
    page = client.get(f"/quizzes/attempts/{body['id']}/result/").content.decode()
    assert "single EXPLAINMARKER" in page


def test_another_learner_cannot_read_a_graded_attempt(make_quiz, student, other_student, api_as):
    quiz = make_quiz(review_detail="full")
    body = _submit_everything(api_as(student), quiz).json()
    response = api_as(other_student).get(f"/api/v1/attempts/{body['id']}/")
    assert response.status_code == 403
    assert "EXPLAINMARKER" not in response.content.decode()
    assert Attempt.objects.get(pk=body["id"]).user == student


def test_learners_cannot_read_the_authoring_endpoints(make_quiz, student, api_as):
    quiz = make_quiz()
    api = api_as(student)
    for url in (f"/api/v1/quizzes/{quiz.pk}/questions/", f"/api/v1/questions/{quiz.kinds['single'].pk}/",
                f"/api/v1/quizzes/{quiz.pk}/stats/", f"/api/v1/quizzes/{quiz.pk}/attempts/export/"):
        response = api.get(url)
        assert response.status_code == 403, url
        assert_no_secret(response.content, where=url)
