"""Accuracy, confusion matrix and the decision grid of a 2-D classifier."""

from __future__ import annotations

from typing import Optional

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Return the fraction of labels that match: y_true, y_pred (n_samples,) integer labels."""
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("accuracy of zero samples is undefined")
    return float(np.count_nonzero(y_true == y_pred) / y_true.size)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, classes: Optional[int] = None) -> np.ndarray:
    """Return counts C (classes, classes) with C[i, j] = samples of true class i predicted as j.

    y_true, y_pred: (n_samples,) integer labels in 0..classes-1 (classes defaults to the largest
    label + 1). One ``bincount``, no loop over samples.
    """
    y_true = np.asarray(y_true, dtype=np.int64).ravel()
    y_pred = np.asarray(y_pred, dtype=np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    if classes is None:
        classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= classes):
        raise ValueError(f"labels must be in 0..{classes - 1}")
    return np.bincount(y_true * classes + y_pred, minlength=classes * classes).reshape(classes, classes)


def decision_grid(network, X: np.ndarray, resolution: int = 60, padding: float = 0.1) -> dict:
    """Return the network's prediction over a grid covering 2-D inputs X (n_samples, 2).

    The grid spans X's range widened by ``padding`` (a fraction of the range) on each side, with
    ``resolution`` points per axis. Returns JSON-serialisable lists:
    ``{"x": [resolution], "y": [resolution], "classes": [[resolution] * resolution],
    "probability": [[...]]}`` where ``classes[i][j]`` is the predicted class at (x[j], y[i]) and
    ``probability[i][j]`` that class's probability. For a regression network ``classes`` and
    ``probability`` are None and ``value`` holds the first output instead.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_grid needs 2-D inputs (n_samples, 2), not shape {X.shape}")
    if network.input_dim != 2:
        raise ValueError(f"decision_grid needs a network with 2 inputs, not {network.input_dim}")
    resolution = int(resolution)
    if not 2 <= resolution <= 1000:
        raise ValueError("resolution must be between 2 and 1000")
    lo = X.min(axis=0) if X.size else np.array([-1.0, -1.0])
    hi = X.max(axis=0) if X.size else np.array([1.0, 1.0])
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    lo = lo - padding * span
    hi = hi + padding * span
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    points = np.c_[gx.ravel(), gy.ravel()]
    grid = {"x": [round(float(v), 6) for v in xs], "y": [round(float(v), 6) for v in ys]}
    if network.task == "regression":
        values = network.predict(points)[:, 0].reshape(resolution, resolution)
        grid.update(classes=None, probability=None,
                    value=np.round(values.astype(np.float64), 6).tolist())
        return grid
    proba = network.predict_proba(points)
    labels = np.argmax(proba, axis=1)
    best = proba[np.arange(proba.shape[0]), labels]
    grid["classes"] = labels.reshape(resolution, resolution).tolist()
    grid["probability"] = np.round(best.astype(np.float64), 6).reshape(resolution, resolution).tolist()
    return grid
