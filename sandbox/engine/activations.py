"""Activation functions and their derivatives, registered by name in ``ACTIVATIONS``.

Each entry is an :class:`Activation` with three pure functions:

- ``forward(x)``: ``x: (n_samples, units)`` pre-activation -> activation, same shape.
- ``grad(x)``: the derivative with respect to ``x``. Elementwise activations return an array
  of ``x``'s shape (``f'(x)``); softmax returns the full Jacobian ``(n_samples, units, units)``.
- ``backward(x, upstream)``: the vector-Jacobian product ``dL/dx`` given ``upstream = dL/df(x)``,
  both ``(n_samples, units)``; this is what back-propagation needs and works for softmax too.

These are the reference versions (clear, allocating, numerically stable). The network's hot loop
uses in-place variants in ``network.py`` that are tested against these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

LEAKY_RELU_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative; see the module docstring for shapes."""

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray]
    elementwise: bool = True
    hidden: bool = True  # usable on a hidden layer
    description: str = ""

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Return the logistic function 1 / (1 + exp(-x)) elementwise, without overflow."""
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(x, np.float32), copy=False)


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Return d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x)) elementwise."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    """Return the hyperbolic tangent elementwise."""
    return np.tanh(x)


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """Return d tanh(x) / dx = 1 - tanh(x)**2 elementwise."""
    t = np.tanh(x)
    return 1.0 - t * t


def relu(x: np.ndarray) -> np.ndarray:
    """Return max(x, 0) elementwise."""
    return np.maximum(x, 0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Return 1 where x > 0, else 0 (the derivative at 0 is taken as 0)."""
    x = np.asarray(x)
    return (x > 0).astype(np.result_type(x, np.float32))


def leaky_relu(x: np.ndarray) -> np.ndarray:
    """Return x where x > 0, else 0.01 * x, elementwise."""
    x = np.asarray(x)
    return np.where(x > 0, x, LEAKY_RELU_SLOPE * x)


def leaky_relu_grad(x: np.ndarray) -> np.ndarray:
    """Return 1 where x > 0, else 0.01."""
    x = np.asarray(x)
    return np.where(x > 0, 1.0, LEAKY_RELU_SLOPE).astype(np.result_type(x, np.float32))


def linear(x: np.ndarray) -> np.ndarray:
    """Return x unchanged (the identity)."""
    return np.asarray(x)


def linear_grad(x: np.ndarray) -> np.ndarray:
    """Return ones shaped like x."""
    x = np.asarray(x)
    return np.ones_like(x, dtype=np.result_type(x, np.float32))


def softmax(x: np.ndarray) -> np.ndarray:
    """Return row-wise softmax: x (n_samples, classes) -> probabilities summing to 1 per row."""
    x = np.asarray(x)
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_grad(x: np.ndarray) -> np.ndarray:
    """Return the softmax Jacobian: x (n, k) -> J (n, k, k), J[n, i, j] = s_i (delta_ij - s_j)."""
    s = softmax(x)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def softmax_backward(x: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    """Return dL/dx for softmax given upstream = dL/dsoftmax(x); both (n, k)."""
    s = softmax(x)
    return s * (upstream - np.sum(upstream * s, axis=-1, keepdims=True))


def _elementwise_backward(grad: Callable[[np.ndarray], np.ndarray]):
    def backward(x: np.ndarray, upstream: np.ndarray) -> np.ndarray:
        return upstream * grad(x)

    backward.__doc__ = f"Return upstream * {grad.__name__}(x); both (n, units)."
    return backward


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad, _elementwise_backward(sigmoid_grad),
                          description="logistic 1/(1+e^-x), output in (0, 1)"),
    "tanh": Activation("tanh", tanh, tanh_grad, _elementwise_backward(tanh_grad),
                       description="hyperbolic tangent, output in (-1, 1)"),
    "relu": Activation("relu", relu, relu_grad, _elementwise_backward(relu_grad),
                       description="max(x, 0)"),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_grad,
                             _elementwise_backward(leaky_relu_grad),
                             description=f"x if x > 0 else {LEAKY_RELU_SLOPE} x"),
    "linear": Activation("linear", linear, linear_grad, _elementwise_backward(linear_grad),
                         description="identity"),
    "softmax": Activation("softmax", softmax, softmax_grad, softmax_backward, elementwise=False,
                          hidden=False, description="row-wise normalised exponentials (output layer only)"),
}

HIDDEN_ACTIVATIONS = tuple(name for name, a in ACTIVATIONS.items() if a.hidden)
OUTPUT_ACTIVATIONS = ("softmax", "sigmoid", "linear", "tanh")
