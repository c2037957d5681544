"""Grading is a pure function: every kind, every rule, the edge cases, without a database."""

from datetime import datetime, timedelta, timezone

import pytest

from quizzes import grading
from quizzes.grading import AnswerError, ChoiceKey, QuestionKey, clean_answer, grade_question


def single(points=2.0):
    return QuestionKey("single", points, (ChoiceKey("a", True), ChoiceKey("b"), ChoiceKey("c")))


def multiple(rule=""):
    return QuestionKey("multiple", 1.0, (ChoiceKey("a", True), ChoiceKey("b", True), ChoiceKey("c"), ChoiceKey("d")),
                       rule=rule)


def ordering(rule=""):
    return QuestionKey("ordering", 1.0, tuple(ChoiceKey(uid, position=i) for i, uid in enumerate("wxyz", start=1)),
                       rule=rule)


def numeric(*answers):
    return QuestionKey("numeric", 1.0, key={"answers": list(answers)})


def short(case_sensitive=False):
    return QuestionKey("short_text", 1.0, key={
        "answers": [{"text": "Back  Propagation", "fraction": 1.0}, {"text": "chain rule", "fraction": 0.5}],
        "patterns": [{"regex": r"backprop(agation)?s?", "fraction": 1.0}], "case_sensitive": case_sensitive})


def test_single_choice_right_scores_the_points():
    grade = grade_question(single(), "a")
    assert (grade.fraction, grade.points, grade.max_points, grade.status) == (1.0, 2.0, 2.0, "correct")


def test_single_choice_wrong_scores_nothing():
    grade = grade_question(single(), "b")
    assert (grade.points, grade.status) == (0.0, "incorrect")


def test_unanswered_scores_nothing_and_says_so():
    grade = grade_question(single(), None)
    assert (grade.points, grade.max_points, grade.status) == (0.0, 2.0, "unanswered")


def test_true_false_is_graded_like_one_choice():
    question = QuestionKey("true_false", 1.0, (ChoiceKey("t", True), ChoiceKey("f")))
    assert grade_question(question, "t").points == 1.0
    assert grade_question(question, "f").points == 0.0


@pytest.mark.parametrize(
    ("picked", "fraction"),
    [(["a", "b"], 1.0), (["a"], 0.5), (["a", "c"], 0.0), (["a", "b", "c"], 0.5), (["c", "d"], 0.0),
     (["a", "b", "c", "d"], 0.0)],
)
def test_multiple_choice_right_minus_wrong_floored_at_zero(picked, fraction):
    assert grade_question(multiple(), picked).fraction == pytest.approx(fraction)


def test_multiple_choice_partial_credit_is_marked_partial():
    assert grade_question(multiple(), ["a"]).status == "partial"


def test_multiple_choice_empty_selection_is_unanswered():
    assert grade_question(multiple(), []).status == "unanswered"


@pytest.mark.parametrize(("picked", "fraction"), [(["a", "b"], 1.0), (["a"], 0.0), (["a", "b", "c"], 0.0)])
def test_multiple_choice_all_or_nothing(picked, fraction):
    assert grade_question(multiple("all_or_nothing"), picked).fraction == fraction


def test_numeric_absolute_tolerance_includes_its_bounds():
    question = numeric({"value": 3.14, "tolerance": 0.01, "mode": "absolute"})
    assert grade_question(question, 3.15).fraction == 1.0
    assert grade_question(question, 3.13).fraction == 1.0
    assert grade_question(question, 3.1501).fraction == 0.0


def test_numeric_relative_tolerance_scales_with_the_value():
    question = numeric({"value": 200.0, "tolerance": 0.05, "mode": "relative"})
    assert grade_question(question, 210.0).fraction == 1.0
    assert grade_question(question, 189.0).fraction == 0.0


def test_numeric_exact_value_with_no_tolerance():
    question = numeric({"value": 0.1 + 0.2, "tolerance": 0})
    assert grade_question(question, 0.3).fraction == 1.0


def test_numeric_best_of_several_accepted_values():
    question = numeric({"value": 10, "tolerance": 0, "fraction": 1.0}, {"value": 10, "tolerance": 1, "fraction": 0.5})
    assert grade_question(question, 10).fraction == 1.0
    assert grade_question(question, 10.5).fraction == 0.5


@pytest.mark.parametrize("raw", ["3.5", " 3.5 ", "3,5", 3.5, "35e-1"])
def test_numeric_answers_accept_numbers_and_numeric_text(raw):
    assert clean_answer(numeric({"value": 3.5}), raw) == 3.5


@pytest.mark.parametrize("raw", ["three", "nan", "inf", True, [3], {"v": 3}])
def test_numeric_answers_refuse_what_is_not_a_finite_number(raw):
    with pytest.raises(AnswerError):
        clean_answer(numeric({"value": 3.5}), raw)


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [("back propagation", 1.0), ("  BACK   propagation ", 1.0), ("backprop", 1.0), ("BackPropagations", 1.0),
     ("Chain Rule", 0.5), ("back-propagation", 0.0), ("xbackprop", 0.0), ("", 0.0)],
)
def test_short_text_normalises_case_and_whitespace_and_matches_patterns_in_full(answer, fraction):
    assert grade_question(short(), answer).fraction == fraction


def test_short_text_can_be_case_sensitive():
    assert grade_question(short(case_sensitive=True), "back propagation").fraction == 0.0
    assert grade_question(short(case_sensitive=True), "Back Propagation").fraction == 1.0


def test_short_text_refuses_overlong_answers():
    with pytest.raises(AnswerError):
        clean_answer(short(), "x" * (grading.MAX_TEXT_ANSWER + 1))


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [(list("wxyz"), 1.0), (list("wxzy"), 0.5), (list("zyxw"), 0.0), (list("xwyz"), 0.5), (list("xyzw"), 0.0)],
)
def test_ordering_by_correctly_placed_items(answer, fraction):
    assert grade_question(ordering(), answer).fraction == fraction


@pytest.mark.parametrize(
    ("answer", "fraction"),
    [(list("wxyz"), 1.0), (list("xyzw"), 2 / 3), (list("zyxw"), 0.0), (list("wxzy"), 1 / 3)],
)
def test_ordering_by_adjacent_pairs(answer, fraction):
    assert grade_question(ordering("adjacent_pairs"), answer).fraction == pytest.approx(fraction)


def test_ordering_all_or_nothing():
    assert grade_question(ordering("all_or_nothing"), list("wxyz")).fraction == 1.0
    assert grade_question(ordering("all_or_nothing"), list("wxzy")).fraction == 0.0


@pytest.mark.parametrize("raw", [list("wxy"), list("wxyzz"), list("wxyq"), "wxyz", [1, 2, 3, 4]])
def test_ordering_answers_must_list_every_item_once(raw):
    with pytest.raises(AnswerError):
        clean_answer(ordering(), raw)


@pytest.mark.parametrize("raw", ["zz", 1, ["a"]])
def test_single_choice_answers_must_name_one_choice(raw):
    with pytest.raises(AnswerError):
        clean_answer(single(), raw)


@pytest.mark.parametrize("raw", ["a", ["a", "a"], ["a", "zz"], [1]])
def test_multiple_choice_answers_must_be_distinct_known_choices(raw):
    with pytest.raises(AnswerError):
        clean_answer(multiple(), raw)


def test_none_clears_any_answer():
    assert clean_answer(multiple(), None) is None


def test_zero_point_question_grades_without_dividing_by_zero():
    grade = grade_question(single(points=0), "a")
    assert (grade.points, grade.max_points) == (0.0, 0.0)
    assert grading.total([grade]) == (0.0, 0.0, 0.0)


def test_total_sums_points_and_gives_a_percentage():
    grades = [grade_question(single(), "a"), grade_question(multiple(), ["a"]), grade_question(single(), "b")]
    assert grading.total(grades) == (2.5, 5.0, 50.0)


def test_pass_mark_is_inclusive():
    assert grading.passed(60.0, 60.0) is True
    assert grading.passed(59.99, 60.0) is False


@pytest.mark.parametrize(
    ("policy", "expected"), [("highest", 80.0), ("latest", 40.0), ("first", 60.0), ("average", 60.0)]
)
def test_grading_policy_over_attempts(policy, expected):
    attempts = [(2, 80.0), (1, 60.0), (3, 40.0)]
    assert grading.overall_percent(policy, attempts) == expected


def test_grading_policy_without_attempts_is_none():
    assert grading.overall_percent("highest", []) is None


def test_review_waits_for_the_quiz_to_close():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    common = {"graded": True, "review_detail": "full", "review_when": "after_close", "now": now}
    assert grading.review_level(closes_at=now + timedelta(hours=1), **common) == "score"
    assert grading.review_level(closes_at=None, **common) == "score"
    assert grading.review_level(closes_at=now - timedelta(seconds=1), **common) == "full"


def test_no_review_before_grading():
    assert grading.review_level(graded=False, review_detail="full", review_when="immediately", closes_at=None,
                                now=None) == "none"


def test_draw_and_shuffle_are_repeatable_with_the_seed():
    ids = list(range(1, 21))
    first = grading.draw_questions(ids, seed=42, draw_count=5)
    assert first == grading.draw_questions(ids, seed=42, draw_count=5)
    assert len(first) == 5 and len(set(first)) == 5 and set(first) <= set(ids)
    assert any(grading.draw_questions(ids, seed=seed, draw_count=5) != first for seed in range(5))


def test_questions_keep_their_order_without_shuffling():
    assert grading.draw_questions([3, 1, 2], seed=7, shuffle=False) == [3, 1, 2]


def test_ordering_items_are_never_shown_in_the_right_order():
    question = ordering()
    for seed in range(200):
        assert grading.order_choices(question, seed=seed, shuffle=False) != list("wxyz")


def test_right_choice_is_not_always_shown_first():
    question = QuestionKey("single", 1.0, (ChoiceKey("right", True), ChoiceKey("b"), ChoiceKey("c"), ChoiceKey("d")))
    firsts = {grading.order_choices(question, seed=seed)[0] for seed in range(50)}
    assert firsts == {"right", "b", "c", "d"}


def test_key_errors_name_what_is_wrong():
    errors = dict(grading.key_errors(kind="single", choices=[{"text": "a"}, {"text": "b"}], key={}))
    assert errors == {"choices": "Mark exactly one choice correct."}
    errors = dict(grading.key_errors(kind="short_text", choices=[], key={"patterns": [{"regex": "("}]}))
    assert "key.patterns[0]" in errors
    errors = dict(grading.key_errors(kind="ordering", choices=[{"text": "a", "position": 1}, {"text": "b", "position": 1}],
                                     key={}))
    assert errors == {"choices": "Give each item a position, 1 to n, each once."}
    assert dict(grading.key_errors(kind="multiple", choices=[{"text": "a", "is_correct": True}, {"text": "b"}],
                                   key={}, rule="pairs")) == {
        "scoring_rule": "'pairs' is not a rule for multiple questions (allowed: right_minus_wrong, all_or_nothing)."}


def test_short_text_refuses_nul_characters():
    with pytest.raises(AnswerError, match="NUL"):
        clean_answer(short(), "back\x00prop")


def test_keys_with_nul_characters_are_refused():
    errors = grading.key_errors(kind="short_text", choices=[], key={"answers": [{"text": "a\x00"}]})
    assert errors == [("key", "Text in the key or choices contains a NUL character.")]
