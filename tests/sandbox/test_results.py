"""What run_submission returns: spec runs, invalid specs, learner errors, progress, cancel, limits, the CLI."""

from __future__ import annotations

import json
import math
import time

import pytest

from .helpers import ROOT, run, run_cli

try:
    import sandbox.engine  # noqa: F401
    HAVE_ENGINE = True
except ImportError:  # the engine is written in parallel; only then may these skip
    HAVE_ENGINE = False

needs_engine = pytest.mark.skipif(not HAVE_ENGINE, reason="sandbox.engine cannot be imported yet")

SPEC = {"dataset": {"name": "moons", "samples": 200, "noise": 0.2, "seed": 1},
        "model": {"layers": [{"units": 8, "activation": "tanh"}], "output": "sigmoid"},
        "loss": "binary_cross_entropy",
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "training": {"epochs": 5, "batch_size": 32, "validation_split": 0.2, "seed": 0}}
RESULT_KEYS = {"status", "reason", "message", "kind", "exercise", "stdout", "stderr", "usage", "sandbox",
               "history", "metrics", "parameters", "engine_version", "seed", "stopped", "spec", "data",
               "confusion_matrix", "errors", "checks", "score"}


def all_finite(value):
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(all_finite(v) for v in value)
    return True


@needs_engine
def test_a_good_spec_returns_its_training_history():
    from sandbox.runner import run_submission

    result = run_submission({"spec": SPEC})
    assert result["status"] == "succeeded", result
    assert result["history"]["epoch"] == [1, 2, 3, 4, 5]
    assert len(result["history"]["train_loss"]) == 5
    assert result["stopped"]["reason"] == "completed"
    assert result["parameters"] > 0
    assert set(result) <= RESULT_KEYS
    assert all_finite(result)
    assert "seccomp" in result["sandbox"]["layers"] or result["sandbox"]["weak"]


@needs_engine
def test_progress_figures_are_streamed_to_the_host():
    from sandbox.runner import run_submission

    seen = []
    spec = json.loads(json.dumps(SPEC))
    spec["training"]["epochs"] = 30
    result = run_submission({"spec": spec}, on_progress=seen.append)
    assert result["status"] == "succeeded"
    assert seen, "no progress reported"
    assert seen[-1]["epoch"] == 30
    assert set(seen[-1]) <= {"epoch", "epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy",
                             "learning_rate", "seconds"}


@needs_engine
def test_an_invalid_spec_reports_the_json_paths():
    from sandbox.runner import run_submission

    spec = json.loads(json.dumps(SPEC))
    spec["model"]["layers"][0]["activation"] = "sigmoidd"
    result = run_submission({"spec": spec})
    assert result["status"] == "failed"
    assert result["reason"] == "invalid_spec"
    assert "model.layers[0].activation" in [e["path"] for e in result["errors"]]


@needs_engine
def test_cancelling_kills_the_job_within_a_second():
    from sandbox.runner import run_submission

    spec = json.loads(json.dumps(SPEC))
    spec["training"]["epochs"] = 100000
    spec["dataset"]["samples"] = 2000
    started = time.monotonic()
    cancel_at = started + 0.5
    result = run_submission({"spec": spec}, limits={"wall_seconds": 30, "cpu_seconds": 30},
                            should_cancel=lambda: time.monotonic() >= cancel_at)
    assert result["status"] == "failed"
    assert result["reason"] == "cancelled"
    assert time.monotonic() - cancel_at < 1.0


def test_cancelling_a_sleeping_code_job():
    from sandbox.runner import run_submission

    cancel_at = time.monotonic() + 0.3
    result = run_submission({"code": "import time\ntime.sleep(60)"}, should_cancel=lambda: time.monotonic() >= cancel_at)
    assert result["reason"] == "cancelled"
    assert time.monotonic() - cancel_at < 1.0


def test_an_error_shows_only_the_learners_lines():
    result = run("import numpy as np\nx = np.ones(3)\ny = x @ np.ones((4, 4))\n")
    assert result["status"] == "failed"
    assert result["reason"] == "error_in_code"
    message = result["message"]
    assert 'File "submission.py", line 3, in <module>' in message
    assert "ValueError" in message
    assert "/work/main" not in message and "site-packages" not in message and str(ROOT) not in message
    assert "sandbox/runner" not in message


def test_an_error_in_a_function_shows_its_line():
    result = run("def f(x):\n    return x / 0\n\nf(1)\n")
    assert 'File "submission.py", line 4, in <module>' in result["message"]
    assert 'File "submission.py", line 2, in f' in result["message"]
    assert "ZeroDivisionError" in result["message"]


def test_a_syntax_error_names_the_line():
    result = run("x = 1\ny = (\n")
    assert result["reason"] == "error_in_code"
    assert "submission.py" in result["message"] and "SyntaxError" in result["message"]
    assert "/work/main" not in result["message"]


def test_plain_code_output_and_usage():
    result = run("import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n")
    assert result["status"] == "succeeded"
    assert result["stdout"] == "hello\n"
    assert result["stderr"] == "oops\n"
    assert set(result["usage"]) == {"cpu_seconds", "peak_memory_mb", "wall_seconds"}
    assert result["usage"]["wall_seconds"] < 5


def test_numpy_with_openblas_threads_works_under_the_filter():
    result = run("import numpy as np\na = np.ones((400, 400))\nprint(float((a @ a).sum()))\n")
    assert result["status"] == "succeeded", result
    assert result["stdout"] == f"{400.0 ** 3}\n"


def test_sys_exit_zero_is_success_and_nonzero_is_an_error():
    assert run("import sys\nsys.exit(0)")["status"] == "succeeded"
    result = run("import sys\nsys.exit(3)")
    assert result["reason"] == "error_in_code" and "3" in result["message"]


def test_os_exit_without_result_is_an_error_in_code():
    result = run("import os\nos._exit(0)")
    assert result["status"] == "failed" and result["reason"] == "error_in_code"


def test_a_submission_may_lower_but_not_raise_limits():
    from sandbox.runner.limits import resolve

    limits = resolve({"cpu_seconds": 10}, {"cpu_seconds": 2, "wall_seconds": 1000})
    assert limits["cpu_seconds"] == 2
    assert limits["wall_seconds"] == 60  # the default, not the submission's 1000


@pytest.mark.parametrize("submission, fragment", [
    ([], "JSON object"),
    ({}, "exactly one"),
    ({"code": "x", "spec": {}}, "exactly one"),
    ({"code": 3}, "'code' must be a string"),
    ({"code": "x", "extra": 1}, "unknown key"),
    ({"code": "x", "exercise": "nope"}, "unknown exercise"),
    ({"code": "x", "limits": {"cpu_seconds": "lots"}}, "positive number"),
    ({"code": "x", "limits": {"processes": 5}}, "unknown limit"),
    ({"spec": []}, "'spec' must be an object"),
    ({"code": "x", "exercise": "activation", "params": {"function": "softmax"}}, "function"),
])
def test_bad_submissions_are_refused_with_a_clear_message(submission, fragment):
    from sandbox.runner import SubmissionError, run_submission

    with pytest.raises(SubmissionError) as info:
        run_submission(submission)
    assert fragment in str(info.value)


def test_cli_runs_a_submission_file(tmp_path):
    path = tmp_path / "submission.json"
    path.write_text(json.dumps({"code": "print(6 * 7)"}))
    completed = run_cli(str(path))
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["status"] == "succeeded" and result["stdout"] == "42\n"


@pytest.mark.parametrize("content", ["not json", '{"cod": "x"}', '{"code": 1}', "[1, 2]", '{"code": "x", "limits": NaN}'])
def test_cli_rejects_bad_submission_files_with_exit_2(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    completed = run_cli(str(path))
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("sandbox.runner:")


def test_cli_rejects_a_missing_file_with_exit_2(tmp_path):
    completed = run_cli(str(tmp_path / "missing.json"))
    assert completed.returncode == 2 and "Traceback" not in completed.stderr


@needs_engine
def test_a_diverging_spec_fails_as_diverged_with_its_history():
    from sandbox.runner import run_submission

    spec = json.loads(json.dumps(SPEC))
    spec["model"] = {"layers": [{"units": 32, "activation": "relu"}], "output": "linear"}
    spec["dataset"] = {"name": "sine", "samples": 200, "noise": 0.1, "seed": 1}
    spec["loss"] = "mse"
    spec["optimizer"] = {"name": "sgd", "learning_rate": 1000}
    spec["training"]["epochs"] = 50
    result = run_submission({"spec": spec})
    assert result["status"] == "failed", result
    assert result["reason"] == "diverged", result
    assert result["message"]
    assert "history" in result and all_finite(result)
