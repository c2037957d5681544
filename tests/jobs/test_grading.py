"""Grading is a pure function of the rubric and the outcome: every threshold, bonus and failure case."""

import math

import pytest

from sandbox.grading import grade_code, grade_config

RUBRIC = {"metric": "accuracy", "thresholds": [{"at": 0.85, "fraction": 0.6}, {"at": 0.95, "fraction": 1.0}]}


def _ok(accuracy=None, loss=None, parameters=500):
    return {"status": "succeeded", "evaluation": {"test_accuracy": accuracy, "test_loss": loss}, "parameters": parameters}


@pytest.mark.parametrize(
    ("accuracy", "score", "passed"),
    [(0.0, 0.0, False), (0.8499, 0.0, False), (0.85, 6.0, True), (0.9, 6.0, True), (0.9499, 6.0, True),
     (0.95, 10.0, True), (1.0, 10.0, True)],
)
def test_accuracy_thresholds_give_their_fraction_of_the_points(accuracy, score, passed):
    grade = grade_config(rubric=RUBRIC, points=10, outcome=_ok(accuracy))
    assert grade["score"] == score
    assert grade["max_score"] == 10
    assert grade["passed"] is passed
    assert grade["criteria"][0]["points"] == score


def test_feedback_names_the_value_and_the_next_target():
    grade = grade_config(rubric=RUBRIC, points=10, outcome=_ok(0.9))
    assert grade["criteria"][0]["message"] == "Hidden-test accuracy 0.900 reached 0.85 (60% of the points); reach 0.95 for 100%."
    low = grade_config(rubric=RUBRIC, points=10, outcome=_ok(0.5))
    assert low["criteria"][0]["message"] == "Hidden-test accuracy 0.500: below every threshold; reach 0.85 for 60% of the points."
    full = grade_config(rubric=RUBRIC, points=10, outcome=_ok(0.97))
    assert full["criteria"][0]["message"] == "Hidden-test accuracy 0.970 reached 0.95: full marks."


def test_thresholds_in_any_order_give_the_best_reached():
    rubric = {"metric": "accuracy", "thresholds": [{"at": 0.95, "fraction": 1.0}, {"at": 0.7, "fraction": 0.3}, {"at": 0.85, "fraction": 0.6}]}
    assert grade_config(rubric=rubric, points=10, outcome=_ok(0.9))["score"] == 6.0
    assert grade_config(rubric=rubric, points=10, outcome=_ok(0.75))["score"] == 3.0


@pytest.mark.parametrize(("loss", "score"), [(0.5, 0.0), (0.3, 5.0), (0.2, 5.0), (0.1, 10.0), (0.01, 10.0)])
def test_loss_thresholds_reward_lower_values(loss, score):
    rubric = {"metric": "loss", "thresholds": [{"at": 0.3, "fraction": 0.5}, {"at": 0.1, "fraction": 1.0}]}
    assert grade_config(rubric=rubric, points=10, outcome=_ok(loss=loss))["score"] == score


def test_the_bonus_is_added_for_a_small_network_that_scored():
    rubric = {**RUBRIC, "bonus": {"max_parameters": 300, "points": 2}}
    small = grade_config(rubric=rubric, points=10, outcome=_ok(0.96, parameters=300))
    assert (small["score"], small["max_score"]) == (12.0, 12.0)
    assert small["criteria"][1] == {"name": "small network bonus", "passed": True, "points": 2.0, "max_points": 2.0,
                                    "message": "300 parameters, at most 300: bonus earned."}
    big = grade_config(rubric=rubric, points=10, outcome=_ok(0.96, parameters=301))
    assert big["score"] == 10.0 and big["criteria"][1]["passed"] is False
    useless = grade_config(rubric=rubric, points=10, outcome=_ok(0.2, parameters=10))
    assert useless["score"] == 0.0 and useless["criteria"][1]["message"].startswith("The parameter bonus needs points")


def test_pass_fraction_is_configurable():
    rubric = {**RUBRIC, "pass_fraction": 1.0}
    assert grade_config(rubric=rubric, points=10, outcome=_ok(0.9))["passed"] is False
    assert grade_config(rubric=rubric, points=10, outcome=_ok(0.95))["passed"] is True


@pytest.mark.parametrize("status_reason", [("failed", "diverged"), ("failed", "timed_out"), ("failed", "invalid_spec")])
def test_a_failed_run_scores_zero_and_says_why(status_reason):
    status, reason = status_reason
    grade = grade_config(rubric=RUBRIC, points=10, outcome={"status": status, "reason": reason, "message": "loss became NaN at epoch 3"})
    assert grade["score"] == 0 and grade["passed"] is False and grade["max_score"] == 10
    assert "loss became NaN at epoch 3" in grade["criteria"][0]["message"]


@pytest.mark.parametrize("value", [None, math.nan, math.inf, "0.99", True])
def test_a_missing_or_non_finite_metric_scores_zero(value):
    grade = grade_config(rubric=RUBRIC, points=10, outcome=_ok(value))
    assert grade["score"] == 0 and "no hidden-test accuracy" in grade["criteria"][0]["message"]


def test_code_checks_earn_their_points_scaled_to_the_assignment():
    checks = [
        {"name": "values", "passed": True, "points": 4, "message": "ok"},
        {"name": "gradient", "passed": False, "points": 4, "message": "sigmoid_grad(0) returned 0.5, expected 0.25"},
        {"name": "extremes", "passed": True, "points": 2, "message": "ok"},
    ]
    grade = grade_code(points=20, outcome={"status": "succeeded", "checks": checks})
    assert grade["score"] == 12.0 and grade["max_score"] == 20.0 and grade["passed"] is True  # 60% passes
    assert grade["criteria"][1]["message"] == "sigmoid_grad(0) returned 0.5, expected 0.25"
    assert [c["points"] for c in grade["criteria"]] == [8.0, 0.0, 4.0]


def test_code_with_every_check_passing_passes():
    checks = [{"name": "a", "passed": True, "points": 5, "message": ""}, {"name": "b", "passed": True, "points": 5, "message": ""}]
    assert grade_code(points=10, outcome={"status": "succeeded", "checks": checks}) == {
        "score": 10.0, "max_score": 10.0, "passed": True,
        "criteria": [{"name": "a", "passed": True, "points": 5.0, "max_points": 5.0, "message": ""},
                     {"name": "b", "passed": True, "points": 5.0, "max_points": 5.0, "message": ""}],
    }


def test_code_that_crashed_before_any_check_scores_zero():
    grade = grade_code(points=10, outcome={"status": "failed", "reason": "error_in_code", "message": "NameError on line 3"})
    assert grade["score"] == 0 and "NameError on line 3" in grade["criteria"][0]["message"]


def test_grading_does_not_touch_the_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        grade_config(rubric=RUBRIC, points=10, outcome=_ok(0.9))
        grade_code(points=10, outcome={"status": "succeeded", "checks": []})
