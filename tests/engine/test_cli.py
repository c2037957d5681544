"""The command line: result JSON on stdout, progress and errors on stderr, exit 2 for a bad spec."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SPEC = {"dataset": {"name": "moons", "samples": 100, "seed": 1},
        "model": {"layers": [{"units": 4, "activation": "tanh"}]},
        "optimizer": {"name": "adam", "learning_rate": 0.05},
        "training": {"epochs": 5}}


def run_cli(*args, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sandbox.engine", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, input=stdin, timeout=120)


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC))
    return path


def test_train_prints_the_result_json(spec_file):
    done = run_cli("train", str(spec_file))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["history"]["epoch"] == [1, 2, 3, 4, 5]
    assert result["stopped"]["reason"] == "completed"
    assert done.stderr == ""


def test_progress_goes_to_stderr(spec_file):
    done = run_cli("train", str(spec_file), "--progress")
    assert done.returncode == 0
    assert "epoch 5/5" in done.stderr and "val_loss" in done.stderr
    assert json.loads(done.stdout)["stopped"]["epoch"] == 5


def test_spec_from_stdin():
    done = run_cli("train", "-", stdin=json.dumps(SPEC))
    assert done.returncode == 0
    assert json.loads(done.stdout)["spec"]["dataset"]["name"] == "moons"


def test_bad_spec_lists_the_problems_and_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**SPEC, "model": {"layers": [{"units": -1, "activation": "relux"}]},
                                "training": {"epochs": True}}))
    done = run_cli("train", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "error: the spec has 3 problems:" in done.stderr
    assert "model.layers[0].units: must be at least 1, not -1" in done.stderr
    assert "model.layers[0].activation: 'relux' is not an activation" in done.stderr
    assert "training.epochs: must be a whole number like 200, not true" in done.stderr


def test_non_json_file_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{'dataset': 'single quotes'}")
    done = run_cli("train", str(path))
    assert done.returncode == 2
    assert "the spec is not valid JSON" in done.stderr and "Traceback" not in done.stderr


def test_binary_file_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    done = run_cli("train", str(path))
    assert done.returncode == 2
    assert "not UTF-8" in done.stderr and "Traceback" not in done.stderr


def test_missing_file_exits_2(tmp_path):
    done = run_cli("train", str(tmp_path / "nope.json"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "Traceback" not in done.stderr


def test_directory_instead_of_file_exits_2(tmp_path):
    done = run_cli("train", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_limits_on_the_command_line(spec_file):
    done = run_cli("train", str(spec_file), "--max-epochs", "3")
    assert done.returncode == 2
    assert "training.epochs: 5 is more than the limit of 3 epochs (max_epochs)" in done.stderr


def test_validate_prints_the_normalised_spec(spec_file):
    done = run_cli("validate", str(spec_file))
    assert done.returncode == 0
    assert json.loads(done.stdout)["training"]["batch_size"] == 32


def test_diverged_run_still_exits_0_with_the_reason(tmp_path):
    path = tmp_path / "diverge.json"
    path.write_text(json.dumps({"dataset": {"name": "sine"}, "model": {"layers": [{"units": 8, "activation": "relu"}]},
                                "optimizer": {"name": "sgd", "learning_rate": 50}, "training": {"epochs": 5}}))
    done = run_cli("train", str(path))
    assert done.returncode == 0
    assert json.loads(done.stdout)["stopped"]["reason"] == "diverged"
