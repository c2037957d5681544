"""Regrading after a key is fixed: every graded attempt of the question is re-scored, old and new recorded."""

import time

import pytest

from lessons.models import LessonProgress
from quizzes import services
from quizzes.models import Attempt, Regrade, RegradeChange


def _quiz_with_a_wrong_key(make_quiz, **settings):
    """A one-question quiz whose key marks "Making predictions" right (the author's mistake)."""
    quiz = make_quiz(questions=False, **settings)
    question = services.question_create(quiz=quiz, kind="single", text="What is backpropagation used for?", points=2,
                                        choices=[{"text": "Computing gradients", "is_correct": False},
                                                 {"text": "Making predictions", "is_correct": True}])
    return quiz, question


def _take(quiz, question, user, text):
    attempt, _ = services.attempt_start(quiz=quiz, user=user)
    return services.attempt_submit(attempt=attempt, user=user,
                                   answers={question.pk: question.choices.get(text=text).uid})


def _fix_key(api, question):
    choices = [{"id": c.uid, "text": c.text, "is_correct": c.text == "Computing gradients"}
               for c in question.choices.all()]
    response = api.patch(f"/api/v1/questions/{question.pk}/", {"choices": choices}, format="json")
    assert response.status_code == 200
    return response


def test_regrade_rescores_and_records_old_and_new_scores(make_quiz, student, other_student, instructor):
    quiz, question = _quiz_with_a_wrong_key(make_quiz)
    right = _take(quiz, question, student, "Computing gradients")
    wrong = _take(quiz, question, other_student, "Making predictions")
    assert (right.score, wrong.score) == (0.0, 2.0)
    services.question_update(question=question, choices=[
        {"id": c.uid, "text": c.text, "is_correct": c.text == "Computing gradients"} for c in question.choices.all()])
    regrade = Regrade.objects.create(question=question, requested_by=instructor)

    services.regrade_run(regrade_id=regrade.pk)

    regrade.refresh_from_db()
    assert (regrade.state, regrade.attempts_regraded, regrade.attempts_changed) == ("done", 2, 2)
    changes = {c.attempt_id: (c.old_score, c.new_score, c.old_percent, c.new_percent) for c in regrade.changes.all()}
    assert changes == {right.pk: (0.0, 2.0, 0.0, 100.0), wrong.pk: (2.0, 0.0, 100.0, 0.0)}
    assert Attempt.objects.get(pk=right.pk).passed is True
    assert Attempt.objects.get(pk=wrong.pk).percent == 0.0
    # Newly passing the quiz marks its lesson mastered.
    assert LessonProgress.objects.get(user=student, lesson=quiz.lesson).mastered_at is not None


def test_running_a_regrade_twice_changes_nothing_more(make_quiz, student, instructor):
    quiz, question = _quiz_with_a_wrong_key(make_quiz)
    attempt = _take(quiz, question, student, "Computing gradients")
    services.question_update(question=question, points=4)
    regrade = Regrade.objects.create(question=question, requested_by=instructor)
    services.regrade_run(regrade_id=regrade.pk)
    services.regrade_run(regrade_id=regrade.pk)
    assert RegradeChange.objects.filter(regrade=regrade).count() == 1
    attempt.refresh_from_db()
    assert (attempt.score, attempt.max_score) == (0.0, 4.0)


def test_open_attempts_are_not_regraded(make_quiz, student, instructor):
    quiz, question = _quiz_with_a_wrong_key(make_quiz)
    services.attempt_start(quiz=quiz, user=student)
    regrade = Regrade.objects.create(question=question, requested_by=instructor)
    services.regrade_run(regrade_id=regrade.pk)
    regrade.refresh_from_db()
    assert regrade.attempts_regraded == 0
    assert Attempt.objects.get(user=student).state == "in_progress"


def test_students_cannot_request_a_regrade(make_quiz, student, api_as):
    quiz, question = _quiz_with_a_wrong_key(make_quiz)
    assert api_as(student).post(f"/api/v1/questions/{question.pk}/regrade/").status_code == 403
    assert Regrade.objects.count() == 0


@pytest.mark.worker
def test_regrade_runs_in_a_celery_worker(transactional_db, celery_worker_process, make_quiz, make_user, api_as):
    student, instructor = make_user("learner"), make_user("author", role="instructor")
    quiz, question = _quiz_with_a_wrong_key(make_quiz)
    attempt = _take(quiz, question, student, "Computing gradients")
    api = api_as(instructor)
    _fix_key(api, question)
    assert Attempt.objects.get(pk=attempt.pk).score == 0.0  # fixing a key alone changes no grade

    response = api.post(f"/api/v1/questions/{question.pk}/regrade/")
    assert response.status_code == 202
    regrade_id = response.json()["id"]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = api.get(f"/api/v1/regrades/{regrade_id}/").json()
        if body["state"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert body["state"] == "done", body
    assert body["changes"] == [{"attempt": attempt.pk, "old_points": 0.0, "new_points": 2.0, "old_score": 0.0,
                                "new_score": 2.0, "old_percent": 0.0, "new_percent": 100.0}]
    assert Attempt.objects.get(pk=attempt.pk).score == 2.0


def test_the_overdue_sweeper_task_submits_expired_attempts(make_quiz, student):
    from datetime import timedelta

    from django.utils import timezone

    from quizzes.tasks import close_overdue_attempts

    quiz, question = _quiz_with_a_wrong_key(make_quiz, time_limit_seconds=30)
    attempt, _ = services.attempt_start(quiz=quiz, user=student)
    services.attempt_save(attempt=attempt, user=student,
                          answers={question.pk: question.choices.get(text="Making predictions").uid})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert close_overdue_attempts() == {"closed": 1}
    attempt.refresh_from_db()
    assert (attempt.state, attempt.auto_submitted, attempt.score) == ("graded", True, 2.0)
    assert close_overdue_attempts() == {"closed": 0}


def test_a_regrade_task_for_a_missing_regrade_does_nothing(db):
    from quizzes.tasks import regrade_question

    assert regrade_question(424242) == {"regrade": 424242, "state": "missing"}
