"""Racing requests (threads, each with its own connection): one grade, one open attempt.

On Postgres the attempt row is locked (select_for_update); on SQLite, which has no row locks, the
compare-and-set on the attempt's state does the same. Both runtimes run these tests.
"""

import threading

from django.db import connections

from quizzes.models import Attempt, AttemptAnswer

from .conftest import right_answers


def _race(n, request):
    """Run ``request(i)`` in ``n`` threads released together; return their responses."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = request(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_two_concurrent_submits_produce_one_grade(transactional_db, make_quiz, student):
    quiz = make_quiz()
    attempt = _client(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    answers = [right_answers(quiz.kinds), {}]
    url = f"/api/v1/attempts/{attempt['id']}/submit/"

    responses = _race(2, lambda i: _client(student).post(url, {"answers": answers[i]}, format="json"))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["code"] == "already_submitted"
    graded = Attempt.objects.get(pk=attempt["id"])
    assert graded.state == "graded"
    assert graded.score == winner["result"]["score"]
    # The rows match the one grade that was recorded, not a mix of the two requests.
    assert sum(a.points for a in AttemptAnswer.objects.filter(attempt=graded)) == graded.score


def test_many_concurrent_submits_still_produce_one_grade(transactional_db, make_quiz, student):
    quiz = make_quiz()
    attempt = _client(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    url = f"/api/v1/attempts/{attempt['id']}/submit/"
    responses = _race(6, lambda i: _client(student).post(url, {}, format="json"))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5


def test_two_concurrent_starts_produce_one_attempt(transactional_db, make_quiz, student):
    quiz = make_quiz()
    url = f"/api/v1/quizzes/{quiz.pk}/attempts/"
    responses = _race(2, lambda i: _client(student).post(url))
    assert {r.status_code for r in responses} <= {200, 201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert Attempt.objects.filter(quiz=quiz, user=student).count() == 1


def test_a_save_racing_a_submit_never_changes_a_graded_attempt(transactional_db, make_quiz, student):
    quiz = make_quiz()
    attempt = _client(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").json()
    single = quiz.kinds["single"]
    right = single.choices.get(is_correct=True).uid

    def request(i):
        client = _client(student)
        if i == 0:
            return client.post(f"/api/v1/attempts/{attempt['id']}/submit/", {}, format="json")
        return client.patch(f"/api/v1/attempts/{attempt['id']}/", {"answers": {single.pk: right}}, format="json")

    submit, save = _race(2, request)
    assert submit.status_code == 200
    row = AttemptAnswer.objects.get(attempt_id=attempt["id"], question=single)
    if save.status_code == 200:  # the save went first: the grade includes it
        assert row.response == right and row.points == 2.0
    else:
        assert save.status_code == 409 and row.response is None and row.points == 0.0
