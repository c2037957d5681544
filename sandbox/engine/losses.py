"""Loss functions and their gradients, registered by name in ``LOSSES``.

Shapes: ``y_pred`` and ``y_true`` are both ``(n_samples, outputs)``; every loss is a mean, so it
does not grow with the batch size.

- ``mse``: mean over all elements of ``(y_pred - y_true)**2``.
- ``binary_cross_entropy``: mean over all elements of
  ``-(y log p + (1 - y) log(1 - p))``; targets in {0, 1} (or probabilities).
- ``cross_entropy`` (categorical): mean over samples of ``-sum_k y_k log p_k``; targets one-hot
  (or rows of probabilities).

Each :class:`Loss` has ``forward(y_pred, y_true) -> float`` and ``grad(y_pred, y_true)`` ->
``dL/dy_pred`` of ``y_pred``'s shape. The cross-entropies also have a fused, numerically stable
form taking the output layer's pre-activation ``z`` (the logits) instead of probabilities:
``forward_logits(z, y_true) -> float`` and ``grad_logits(z, y_true) -> dL/dz``, which is simply
``(softmax(z) - y) / n`` or ``(sigmoid(z) - y) / (n * outputs)``. ``paired_output`` names the
output activation with which the fused form applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .activations import sigmoid, softmax

# Probabilities are clipped to [EPS, 1 - EPS] in the non-fused cross-entropies so log never sees 0.
EPS = 1e-12


@dataclass(frozen=True)
class Loss:
    """A loss with its gradient; see the module docstring for shapes and formulas."""

    name: str
    forward: Callable[[np.ndarray, np.ndarray], float]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    paired_output: Optional[str] = None
    forward_logits: Optional[Callable[[np.ndarray, np.ndarray], float]] = None
    grad_logits: Optional[Callable[[np.ndarray, np.ndarray], np.ndarray]] = None
    description: str = ""

    def __call__(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:
        return self.forward(y_pred, y_true)


def _as_2d(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    return a.reshape(-1, 1) if a.ndim == 1 else a


def mse(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Return mean((y_pred - y_true)**2) over all elements; both (n, outputs)."""
    d = _as_2d(y_pred) - _as_2d(y_true)
    return float(np.mean(d * d))


def mse_grad(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Return dMSE/dy_pred = 2 (y_pred - y_true) / (n * outputs), shaped like y_pred."""
    y_pred = np.asarray(y_pred)
    d = _as_2d(y_pred) - _as_2d(y_true)
    return (2.0 * d / d.size).reshape(y_pred.shape)


def binary_cross_entropy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Return the mean binary cross-entropy of probabilities y_pred (n, outputs) for targets y_true."""
    p = np.clip(_as_2d(y_pred), EPS, 1.0 - EPS)
    y = _as_2d(y_true)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


def binary_cross_entropy_grad(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Return dBCE/dy_pred = (p - y) / (p (1 - p) n outputs), shaped like y_pred."""
    y_pred = np.asarray(y_pred)
    p = np.clip(_as_2d(y_pred), EPS, 1.0 - EPS)
    y = _as_2d(y_true)
    return ((p - y) / (p * (1.0 - p)) / p.size).reshape(y_pred.shape)


def binary_cross_entropy_logits(z: np.ndarray, y_true: np.ndarray) -> float:
    """Return BCE of sigmoid(z) from the logits z (n, outputs): mean(max(z,0) - z y + log1p(e^-|z|))."""
    z = _as_2d(z)
    y = _as_2d(y_true)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def binary_cross_entropy_logits_grad(z: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Return dBCE/dz = (sigmoid(z) - y) / (n * outputs), shaped like z."""
    z = np.asarray(z)
    z2 = _as_2d(z)
    return ((sigmoid(z2) - _as_2d(y_true)) / z2.size).reshape(z.shape)


def cross_entropy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Return mean over samples of -sum_k y_k log p_k; y_pred probabilities (n, k), y_true one-hot (n, k)."""
    p = np.clip(_as_2d(y_pred), EPS, 1.0)
    y = _as_2d(y_true)
    return float(-np.sum(y * np.log(p)) / p.shape[0])


def cross_entropy_grad(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Return dCE/dy_pred = -y / (p n), shaped like y_pred (n, k)."""
    y_pred = np.asarray(y_pred)
    p = np.clip(_as_2d(y_pred), EPS, 1.0)
    y = _as_2d(y_true)
    return (-y / p / p.shape[0]).reshape(y_pred.shape)


def cross_entropy_logits(z: np.ndarray, y_true: np.ndarray) -> float:
    """Return CE of softmax(z) from logits z (n, k): mean(logsumexp(z) - sum_k y_k z_k) for one-hot y."""
    z = _as_2d(z)
    y = _as_2d(y_true)
    m = z.max(axis=1, keepdims=True)
    log_softmax = z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return float(-np.sum(y * log_softmax) / z.shape[0])


def cross_entropy_logits_grad(z: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Return dCE/dz = (softmax(z) * sum_k y_k - y) / n, i.e. (p - y) / n for one-hot y; (n, k)."""
    z = _as_2d(z)
    y = _as_2d(y_true)
    return (softmax(z) * y.sum(axis=1, keepdims=True) - y) / z.shape[0]


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, description="mean squared error (regression)"),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", binary_cross_entropy, binary_cross_entropy_grad,
        paired_output="sigmoid", forward_logits=binary_cross_entropy_logits,
        grad_logits=binary_cross_entropy_logits_grad,
        description="binary cross-entropy (2 classes, sigmoid output)"),
    "cross_entropy": Loss(
        "cross_entropy", cross_entropy, cross_entropy_grad,
        paired_output="softmax", forward_logits=cross_entropy_logits,
        grad_logits=cross_entropy_logits_grad,
        description="categorical cross-entropy (softmax output)"),
}

# Other spellings a learner may reasonably write; the normalised spec uses the key of LOSSES.
LOSS_ALIASES = {
    "mean_squared_error": "mse",
    "categorical_cross_entropy": "cross_entropy",
    "categorical_crossentropy": "cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
    "bce": "binary_cross_entropy",
}
