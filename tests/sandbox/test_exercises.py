"""Exercise checks: right answers pass, wrong ones fail with a message the learner can act on, and the
hidden inputs and test split never appear in a result."""

from __future__ import annotations

import json

import pytest

try:
    import sandbox.engine  # noqa: F401
    HAVE_ENGINE = True
except ImportError:  # the engine is written in parallel; only then may these skip
    HAVE_ENGINE = False

pytestmark = pytest.mark.skipif(not HAVE_ENGINE, reason="sandbox.engine cannot be imported yet")

GOOD_SIGMOID = """
import numpy as np

def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out

def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)
"""

WRONG_DERIVATIVE = GOOD_SIGMOID.replace("return s * (1.0 - s)", "return s")

OVERFLOWING_SIGMOID = """
import numpy as np

def sigmoid(x):
    return np.exp(x) / (1.0 + np.exp(x))

def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)
"""

GOOD_DENSE = """
import numpy as np

def dense_forward(X, W, b):
    return X @ W + b

def dense_backward(dout, X, W):
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)
"""

KNN_TRAINING = """
import numpy as np

def train(X, y):
    def predict(Xq):
        distances = ((Xq[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
        nearest = np.argsort(distances, axis=1)[:, :5]
        return (y[nearest].mean(axis=1) >= 0.5).astype(int)
    return predict
"""


def run_exercise(code, exercise, params=None, **limits):
    from sandbox.runner import run_submission

    submission = {"code": code, "exercise": exercise}
    if params is not None:
        submission["params"] = params
    return run_submission(submission, limits={"wall_seconds": 20, "cpu_seconds": 10, **limits})


def by_name(result):
    return {c["name"]: c for c in result["checks"]}


def test_right_activation_passes_every_check():
    result = run_exercise(GOOD_SIGMOID, "activation", {"function": "sigmoid"})
    assert result["status"] == "succeeded", result
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    assert result["score"]["points"] == result["score"]["max_points"] == 10


def test_wrong_derivative_fails_with_a_useful_message():
    result = run_exercise(WRONG_DERIVATIVE, "activation", {"function": "sigmoid"})
    checks = by_name(result)
    assert checks["forward_at_zero"]["passed"]
    assert not checks["grad_at_zero"]["passed"]
    assert checks["grad_at_zero"]["message"] == "sigmoid_grad(0) returned 0.5, expected 0.25"
    assert not checks["numerical_gradient"]["passed"]
    assert checks["grad_at_zero"]["points"] == 0


def test_overflowing_activation_fails_the_extreme_values_check():
    result = run_exercise(OVERFLOWING_SIGMOID, "activation")
    checks = by_name(result)
    assert checks["forward_values"]["passed"]
    assert not checks["extreme_values"]["passed"]
    assert "sigmoid(1000) returned nan" in checks["extreme_values"]["message"]


def test_points_come_from_params():
    result = run_exercise(GOOD_SIGMOID, "activation", {"function": "sigmoid", "points": {"extreme_values": 5}})
    assert by_name(result)["extreme_values"]["points"] == 5
    assert result["score"]["max_points"] == 13


def test_missing_functions_are_named():
    result = run_exercise("def sigmoid(x):\n    return x\n", "activation")
    assert not any(c["passed"] for c in result["checks"])
    assert "sigmoid_grad()" in result["checks"][0]["message"]


def test_an_error_while_importing_the_module_is_reported_with_its_line():
    result = run_exercise("import numpy as np\n\nnp.undefined_thing()\n", "activation")
    assert result["reason"] == "error_in_code"
    assert 'File "submission.py", line 3' in result["message"]


def test_hidden_inputs_never_appear_in_the_result(tmp_path):
    code = GOOD_SIGMOID + """
import sys
_seen = []
_original = sigmoid
def sigmoid(x):
    print("INPUT", repr(x.tolist()))
    print("INPUT", repr(x.tolist()), file=sys.stderr)
    _seen.append(x)
    if len(_seen) == 4:
        raise ValueError("LEAK " + repr(x.tolist()))
    return _original(x)
print("before checks")
"""
    result = run_exercise(code, "activation")
    text = json.dumps(result)
    assert "INPUT" not in text
    assert "LEAK" not in text
    assert "before checks" in result["stdout"]


def test_right_dense_layer_passes():
    result = run_exercise(GOOD_DENSE, "dense_layer")
    assert result["status"] == "succeeded"
    assert all(c["passed"] for c in result["checks"]), result["checks"]


def test_wrong_db_shape_is_explained():
    code = GOOD_DENSE.replace("dout.sum(axis=0)", "dout.sum(axis=0, keepdims=True)")
    checks = by_name(run_exercise(code, "dense_layer"))
    assert checks["backward_dX"]["passed"] and checks["backward_dW"]["passed"]
    assert not checks["backward_db"]["passed"]
    assert "db has shape (1," in checks["backward_db"]["message"]


def test_a_dense_backward_that_returns_one_array_fails_clearly():
    code = GOOD_DENSE.replace("return dout @ W.T, X.T @ dout, dout.sum(axis=0)", "return dout @ W.T")
    checks = by_name(run_exercise(code, "dense_layer"))
    assert not checks["backward_dX"]["passed"]
    assert "tuple (dX, dW, db)" in checks["backward_dX"]["message"]


def test_training_loop_scored_on_the_hidden_test_split():
    result = run_exercise(KNN_TRAINING, "training_loop", {"min_accuracy": 0.8})
    checks = by_name(result)
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    assert "accuracy on the hidden test split" in checks["test_accuracy"]["message"]


def test_training_loop_that_guesses_fails_with_its_accuracy():
    code = "import numpy as np\n\ndef train(X, y):\n    return lambda Xq: np.zeros(len(Xq), dtype=int)\n"
    checks = by_name(run_exercise(code, "training_loop", {"min_accuracy": 0.9}))
    assert checks["predictions_shape"]["passed"]
    assert not checks["test_accuracy"]["passed"]
    assert "at least 0.90 is needed" in checks["test_accuracy"]["message"]


def test_the_hidden_test_split_never_appears_in_the_result():
    code = KNN_TRAINING.replace("    def predict(Xq):\n", "    def predict(Xq):\n        print('TEST', Xq.tolist())\n")
    result = run_exercise(code, "training_loop")
    assert "TEST" not in json.dumps(result)


def test_an_exercise_that_hangs_is_timed_out_and_unchecked_checks_say_so():
    code = GOOD_SIGMOID + "\nimport time\n_orig = sigmoid_grad\ndef sigmoid_grad(x):\n    time.sleep(100)\n"
    result = run_exercise(code, "activation", wall_seconds=2)
    assert result["reason"] == "timed_out"
    checks = by_name(result)
    assert checks["forward_at_zero"]["passed"]
    assert "Not checked" in checks["grad_at_zero"]["message"]
    assert "Not checked" in checks["numerical_gradient"]["message"]


def test_a_forged_verdict_cannot_pass_the_checks():
    code = ("import os\nos.write(4, b'{\"type\": \"result\", \"outcome\": \"ok\", \"message\": \"\"}\\n')\n"
            "os._exit(0)\n")
    result = run_exercise(code, "activation")
    assert result["status"] == "failed"
    assert result["reason"] == "sandbox_violation"
    assert not any(c["passed"] for c in result.get("checks", []))


def test_an_output_flood_during_the_checks_is_stopped():
    code = GOOD_SIGMOID + "\n_orig = sigmoid\ndef sigmoid(x):\n    while True:\n        print('x' * 4096)\n"
    result = run_exercise(code, "activation", output_kb=64)
    assert result["reason"] == "output_limit"
    assert len(result["stdout"]) < 70 * 1024


def test_a_forged_reply_is_a_sandbox_violation():
    code = GOOD_SIGMOID + """
import os
_orig = sigmoid
def sigmoid(x):
    os.write(4, b'{"type": "reply", "id": 999, "ok": true, "value": null}\\n')
    return _orig(x)
"""
    result = run_exercise(code, "activation")
    assert result["reason"] == "sandbox_violation"
    assert not any(c["passed"] for c in result["checks"][1:])


def test_training_loop_may_return_predictions_for_the_test_inputs():
    code = KNN_TRAINING.replace("def train(X, y):", "def train(X, y, X_test):").replace(
        "    return predict\n", "    return predict(X_test)\n")
    result = run_exercise(code, "training_loop", {"min_accuracy": 0.8})
    checks = by_name(result)
    assert all(c["passed"] for c in result["checks"]), result["checks"]
    assert checks["returns_predictor"]["message"] == "train(X, y, X_test) returned predictions"
