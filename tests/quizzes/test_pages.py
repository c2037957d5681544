"""Taking a quiz in the browser without JavaScript: start, save, submit, result, past attempts; refusals."""

import re

import pytest
from django.template.loader import render_to_string

from quizzes import selectors, services
from quizzes.models import Attempt, AttemptAnswer

from .conftest import MARKERS


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def _start(client, quiz):
    response = client.post(f"/quizzes/{quiz.pk}/start/")
    assert response.status_code == 302
    return Attempt.objects.get(quiz=quiz, state="in_progress"), response["Location"]


def _form_for_right_answers(quiz, attempt):
    """The form fields a learner would send to answer every question right."""
    k = quiz.kinds
    data = {f"present-{q.pk}": "1" for q in k.values()}
    data[f"q{k['single'].pk}"] = k["single"].choices.get(is_correct=True).uid
    data[f"q{k['true_false'].pk}"] = k["true_false"].choices.get(is_correct=True).uid
    data[f"q{k['multiple'].pk}"] = [c.uid for c in k["multiple"].choices.filter(is_correct=True)]
    data[f"q{k['numeric'].pk}"] = "73519,25"
    data[f"q{k['short_text'].pk}"] = " ZebraFishMarker "
    for choice in k["ordering"].choices.all():
        data[f"q{k['ordering'].pk}-{choice.uid}"] = str(choice.position)
    return data


def test_quiz_page_shows_the_rules_and_a_start_button(logged_in, make_quiz):
    quiz = make_quiz(attempts_allowed=3, pass_percent=70)
    page = logged_in.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert "Start the quiz" in page and "0 of 3 used" in page and "70%" in page


def test_take_save_and_submit_without_javascript(logged_in, make_quiz):
    quiz = make_quiz()
    attempt, location = _start(logged_in, quiz)
    page = logged_in.get(location)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<fieldset") == 6 and 'name="action" value="submit"' in html

    data = _form_for_right_answers(quiz, attempt)
    saved = logged_in.post(location, {**data, "action": "save"})
    assert saved.status_code == 302
    assert AttemptAnswer.objects.get(attempt=attempt, question=quiz.kinds["numeric"]).response == 73519.25
    reloaded = logged_in.get(location).content.decode()
    assert 'value="73519.25"' in reloaded  # the saved answer is back in the form

    submitted = logged_in.post(location, {**data, "action": "submit"})
    assert submitted.status_code == 302 and submitted["Location"].endswith("/result/")
    result = logged_in.get(submitted["Location"]).content.decode()
    assert "7 / 7" in result and "passed" in result
    attempt.refresh_from_db()
    assert attempt.percent == 100.0


def test_a_submitted_attempt_page_goes_to_the_result(logged_in, make_quiz, student):
    quiz = make_quiz()
    attempt, location = _start(logged_in, quiz)
    services.attempt_submit(attempt=attempt, user=student)
    assert logged_in.get(location)["Location"].endswith(f"/quizzes/attempts/{attempt.pk}/result/")


def test_bad_ordering_places_are_shown_by_the_question_and_nothing_is_saved(logged_in, make_quiz):
    quiz = make_quiz()
    attempt, location = _start(logged_in, quiz)
    data = _form_for_right_answers(quiz, attempt)
    for choice in quiz.kinds["ordering"].choices.all():
        data[f"q{quiz.kinds['ordering'].pk}-{choice.uid}"] = "1"
    response = logged_in.post(location, {**data, "action": "save"})
    assert response.status_code == 400
    assert "Give each item a different place, from 1 to 4." in response.content.decode()
    assert not AttemptAnswer.objects.filter(attempt=attempt, response__isnull=False).exists()


def test_a_bad_number_is_shown_and_nothing_is_saved(logged_in, make_quiz):
    quiz = make_quiz()
    attempt, location = _start(logged_in, quiz)
    data = {**_form_for_right_answers(quiz, attempt), f"q{quiz.kinds['numeric'].pk}": "lots"}
    response = logged_in.post(location, {**data, "action": "submit"})
    assert response.status_code == 400
    assert "&#x27;lots&#x27; is not a number." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_autosave_answers_json(logged_in, make_quiz):
    quiz = make_quiz()
    attempt, location = _start(logged_in, quiz)
    single = quiz.kinds["single"]
    uid = single.choices.get(is_correct=True).uid
    response = logged_in.post(location, {f"present-{single.pk}": "1", f"q{single.pk}": uid, "action": "autosave"})
    assert response.status_code == 200 and response.json() == {"saved": True}
    assert AttemptAnswer.objects.get(attempt=attempt, question=single).response == uid


def test_the_page_has_the_timer_and_the_script(logged_in, make_quiz):
    quiz = make_quiz(time_limit_seconds=600)
    _, location = _start(logged_in, quiz)
    html = logged_in.get(location).content.decode()
    assert re.search(r'data-deadline-seconds="(59\d|600)"', html)
    assert "quizzes/quiz.js" in html


def test_past_attempts_are_listed_with_links_to_their_results(logged_in, make_quiz, student):
    quiz = make_quiz()
    attempt, _ = _start(logged_in, quiz)
    services.attempt_submit(attempt=attempt, user=student)
    html = logged_in.get(f"/quizzes/{quiz.pk}/").content.decode()
    assert f"/quizzes/attempts/{attempt.pk}/result/" in html and "Start another attempt" in html


def test_score_only_result_page_has_no_review(logged_in, make_quiz, student):
    quiz = make_quiz(review_detail="score")
    attempt, _ = _start(logged_in, quiz)
    services.attempt_submit(attempt=attempt, user=student)
    html = logged_in.get(f"/quizzes/attempts/{attempt.pk}/result/").content.decode()
    assert "This quiz shows the score only." in html
    assert MARKERS["explanation"] not in html and not re.search(r'data-testid="review-\d', html)


def test_pro_lesson_quiz_page_is_refused_with_a_reason(logged_in, make_quiz, make_lesson):
    quiz = make_quiz(lesson=make_lesson(is_pro=True))
    response = logged_in.get(f"/quizzes/{quiz.pk}/")
    assert response.status_code == 403
    assert "redeem a Pro code" in response.content.decode()
    assert logged_in.post(f"/quizzes/{quiz.pk}/start/").status_code == 403
    assert not Attempt.objects.exists()


def test_unpublished_quiz_page_is_404(logged_in, make_quiz):
    quiz = make_quiz(published=False)
    assert logged_in.get(f"/quizzes/{quiz.pk}/").status_code == 404
    assert logged_in.post(f"/quizzes/{quiz.pk}/start/").status_code == 404


def test_another_learners_attempt_page_is_refused(client, make_quiz, student, other_student):
    quiz = make_quiz()
    attempt, _ = services.attempt_start(quiz=quiz, user=student)
    client.force_login(other_student)
    assert client.get(f"/quizzes/attempts/{attempt.pk}/").status_code == 403
    assert client.post(f"/quizzes/attempts/{attempt.pk}/", {"action": "submit"}).status_code == 403
    attempt.refresh_from_db()
    assert attempt.state == "in_progress"


def test_pages_need_a_login(client, make_quiz):
    quiz = make_quiz()
    assert client.get(f"/quizzes/{quiz.pk}/")["Location"].startswith("/accounts/login/")


def test_lesson_quizzes_lists_published_quizzes_with_the_best_score(make_quiz, make_lesson, student,
                                                                     django_assert_num_queries):
    lesson = make_lesson()
    shown = make_quiz(lesson=lesson, title="Shown")
    make_quiz(lesson=lesson, title="Hidden", published=False)
    other = make_quiz(lesson=lesson, title="Not taken")
    attempt, _ = services.attempt_start(quiz=shown, user=student)
    services.attempt_submit(attempt=attempt, user=student, answers={
        shown.kinds["single"].pk: shown.kinds["single"].choices.get(is_correct=True).uid})
    with django_assert_num_queries(1):
        quizzes = selectors.lesson_quizzes(lesson=lesson, user=student)
        html = render_to_string("quizzes/_lesson_quizzes.html", {"quizzes": quizzes})
    assert [q.title for q in quizzes] == ["Shown", "Not taken"]
    assert quizzes[0].best_percent == pytest.approx(200 / 7, abs=1e-3) and quizzes[1].best_percent is None
    assert f"/quizzes/{shown.pk}/" in html and f"/quizzes/{other.pk}/" in html
    assert "your best: <strong data-testid=\"best-score\">29%</strong>" in html


def test_lesson_quizzes_count_questions_and_best_score_of_this_learner_only(make_quiz, make_lesson, make_user,
                                                                              student):
    lesson = make_lesson()
    quiz = make_quiz(lesson=lesson)
    right = {quiz.kinds["single"].pk: quiz.kinds["single"].choices.get(is_correct=True).uid}
    for learner in [make_user(f"peer{n}") for n in range(3)]:
        for _ in range(2):
            attempt, _ = services.attempt_start(quiz=quiz, user=learner)
            services.attempt_submit(attempt=attempt, user=learner, answers=right)
    assert selectors.lesson_quizzes(lesson=lesson, user=student)[0].best_percent is None
    attempt, _ = services.attempt_start(quiz=quiz, user=student)
    services.attempt_submit(attempt=attempt, user=student, answers={})
    (listed,) = selectors.lesson_quizzes(lesson=lesson, user=student)
    assert listed.question_count == len(quiz.kinds) and listed.best_percent == 0


def test_take_and_quiz_pages_query_counts_are_pinned(logged_in, make_quiz, django_assert_max_num_queries):
    quiz = make_quiz()
    _, location = _start(logged_in, quiz)
    with django_assert_max_num_queries(6):  # session, user, then the attempt, its answers and choices
        assert logged_in.get(location).status_code == 200
    with django_assert_max_num_queries(5):
        assert logged_in.get(f"/quizzes/{quiz.pk}/").status_code == 200


def test_a_quiz_without_a_lesson_is_listed_and_taken(make_quiz, student, api_as):
    quiz = make_quiz(lesson=None)
    listed = api_as(student).get("/api/v1/quizzes/").json()
    assert [(q["id"], q["lesson"], q["lesson_title"]) for q in listed] == [(quiz.pk, None, None)]
    assert api_as(student).post(f"/api/v1/quizzes/{quiz.pk}/attempts/").status_code == 201


def test_lesson_quizzes_query_does_not_join_every_learners_attempts(make_quiz, make_lesson, student):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lesson = make_lesson()
    make_quiz(lesson=lesson)
    with CaptureQueriesContext(connection) as queries:
        selectors.lesson_quizzes(lesson=lesson, user=student)
    (sql,) = [q["sql"] for q in queries]
    # Joined with the questions, the rows grow as questions x attempts of all learners; as a subquery the
    # best score reads the learner's attempts through an index.
    assert 'JOIN "quizzes_attempt"' not in sql
