"""Exercise ``training_loop``: the learner writes ``train(X, y)`` and is scored on a hidden test split.

``train(X, y)`` returns a function ``predict(X)`` (or an object with ``.predict``), or the module
defines ``predict(X)`` itself; or the learner writes ``train(X, y, X_test)`` returning the predictions
for ``X_test``. Predictions are labels ``(n,)``, or scores ``(n, classes)`` /
``(n, 1)`` that are turned into labels. The test labels never leave the host; the dataset's seed and
the split are new secrets on every run.

Params: ``dataset`` (an engine dataset, classification; default moons, 400 samples, noise 0.2),
``test_fraction`` (default 0.25), ``min_accuracy`` (default 0.85), ``points``.
"""

from __future__ import annotations

import numpy as np

from . import Handle, LearnerError, as_array, points_param
from .base import Exercise

DEFAULT_DATASET = {"name": "moons", "samples": 400, "noise": 0.2}
MAX_SAMPLES = 5000


class TrainingLoopExercise(Exercise):
    name = "training_loop"
    DEFAULT_POINTS = {"returns_predictor": 1.0, "predictions_shape": 1.0, "test_accuracy": 3.0}

    @classmethod
    def validate_params(cls, params: dict) -> dict:
        from sandbox.engine import DATASETS

        unknown = set(params) - {"dataset", "test_fraction", "min_accuracy", "points"}
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)}; known: dataset, test_fraction, min_accuracy, points")
        dataset = dict(params.get("dataset") or DEFAULT_DATASET)
        name = dataset.get("name")
        if name not in DATASETS or DATASETS[name]["task"] != "classification":
            choices = sorted(n for n, d in DATASETS.items() if d["task"] == "classification")
            raise ValueError(f"'dataset.name' must be one of {', '.join(choices)}")
        samples = dataset.get("samples", 400)
        if not isinstance(samples, int) or not 20 <= samples <= MAX_SAMPLES:
            raise ValueError(f"'dataset.samples' must be an integer from 20 to {MAX_SAMPLES}")
        fraction = params.get("test_fraction", 0.25)
        accuracy = params.get("min_accuracy", 0.85)
        for key, value in (("test_fraction", fraction), ("min_accuracy", accuracy)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise ValueError(f"'{key}' must be a number between 0 and 1")
        return {"dataset": dataset, "test_fraction": float(fraction), "min_accuracy": float(accuracy),
                "points": points_param(params, cls.DEFAULT_POINTS)}

    @classmethod
    def required_functions(cls, params):
        return ["train"]

    @classmethod
    def checks(cls, session, params, rng):
        from sandbox.engine import make_dataset

        dataset = dict(params["dataset"], seed=int(rng.integers(0, 2**31 - 1)))
        X, y = make_dataset(dataset)
        order = rng.permutation(len(y))
        n_test = max(1, int(round(params["test_fraction"] * len(y))))
        test, train_idx = order[:n_test], order[n_test:]
        hidden_test_split = (X[test], y[test])
        state = {}

        def returns_predictor():
            try:
                value = session.call("train", X[train_idx], y[train_idx], keep=True)
            except LearnerError as exc:
                if exc.type != "TypeError" or "positional argument" not in exc.message:
                    raise
                # train(X, y, X_test) -> predictions for X_test
                predictions = session.call("train", X[train_idx], y[train_idx], hidden_test_split[0])
                state["predict"] = lambda data: predictions
                return True, "train(X, y, X_test) returned predictions"
            if isinstance(value, Handle):
                state["predict"] = lambda data: session.call_handle(value.number, data)
            elif "predict" in session.job.ready:
                state["predict"] = lambda data: session.call("predict", data)
            else:
                return False, ("train(X, y) must return a function predict(X) (or an object with .predict), "
                               "or define predict(X) in your module")
            return True, "train(X, y) gave a predictor"

        def predictions_shape():
            if "predict" not in state:
                return False, "Not checked: train(X, y) gave no predictor."
            X_test = hidden_test_split[0]
            got = as_array(state["predict"](X_test), "predict")
            labels = _labels(got, len(X_test))
            if labels is None:
                return False, (f"predict(X) returned shape {got.shape} for X of shape {X_test.shape}; expected "
                               f"({len(X_test)},) labels or ({len(X_test)}, classes) scores")
            state["labels"] = labels
            return True, f"predict(X) returns one prediction per sample ({len(X_test)} samples)"

        def test_accuracy():
            if "labels" not in state:
                return False, "Not checked: there were no usable predictions."
            accuracy = float(np.mean(state["labels"] == hidden_test_split[1]))
            needed = params["min_accuracy"]
            if accuracy >= needed:
                return True, f"accuracy on the hidden test split is {accuracy:.3f} (needed {needed:.2f})"
            return False, (f"accuracy on the hidden test split is {accuracy:.3f}; at least {needed:.2f} is needed: "
                           "train longer, use a better learning rate or a bigger model")

        return [("returns_predictor", returns_predictor), ("predictions_shape", predictions_shape),
                ("test_accuracy", test_accuracy)]


def _labels(predictions: np.ndarray, n: int):
    if predictions.ndim == 2 and predictions.shape[0] == n:
        if predictions.shape[1] == 1:
            predictions = predictions[:, 0]
        else:
            return np.argmax(predictions, axis=1)
    if predictions.ndim != 1 or predictions.shape[0] != n:
        return None
    if predictions.dtype.kind == "f" and not np.all(predictions == np.round(predictions)):
        return (predictions >= 0.5).astype(np.int64)
    return predictions.astype(np.int64)
