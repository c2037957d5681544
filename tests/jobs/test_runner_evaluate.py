"""The sandbox scores a trained network on a hidden test split inside the job; only scores come out."""

import json

import pytest

from sandbox.runner import run_submission
from sandbox.runner.submission import SubmissionError

SPEC = {"dataset": {"name": "moons", "samples": 300, "noise": 0.1, "seed": 1},
        "model": {"layers": [{"units": 16, "activation": "tanh"}], "output": "softmax"}, "loss": "cross_entropy",
        "optimizer": {"name": "adam", "learning_rate": 0.03},
        "training": {"epochs": 40, "batch_size": 32, "validation_split": 0.2, "seed": 0}}
HIDDEN = {"name": "moons", "samples": 257, "noise": 0.1, "seed": 918273645}


def test_hidden_test_scores_and_the_decision_grid_come_back_but_not_the_hidden_data():
    result = run_submission({"spec": SPEC, "evaluate": {"test_dataset": HIDDEN, "decision_grid": True}})
    assert result["status"] == "succeeded"
    evaluation = result["evaluation"]
    assert evaluation["test_samples"] == 257
    assert 0.8 <= evaluation["test_accuracy"] <= 1.0 and evaluation["test_loss"] > 0
    grid = result["decision_grid"]
    assert len(grid["x"]) == 50 and len(grid["classes"]) == 50 and {c for row in grid["classes"] for c in row} <= {0, 1}
    assert "918273645" not in json.dumps(result)


def test_without_evaluate_there_are_no_scores():
    result = run_submission({"spec": SPEC})
    assert result["status"] == "succeeded" and "evaluation" not in result and "decision_grid" not in result


def test_no_grid_for_inputs_that_are_not_two_dimensional():
    digits = {**SPEC, "dataset": {"name": "digits", "samples": 200, "seed": 1}}
    digits["model"] = {"layers": [{"units": 16, "activation": "relu"}], "output": "softmax"}
    result = run_submission({"spec": digits, "evaluate": {"test_dataset": None, "decision_grid": True}})
    assert result["status"] == "succeeded" and "decision_grid" not in result


@pytest.mark.parametrize("evaluate", [[], {"test_dataset": 3}, {"decision_grid": "yes"}, {"other": 1}])
def test_a_malformed_evaluate_is_refused(evaluate):
    with pytest.raises(SubmissionError):
        run_submission({"spec": SPEC, "evaluate": evaluate})
