"""The hot loop's preallocated arrays for one batch size, and its in-place activations.

Layout, and why: inside the network every layer's activations are stored feature-major,
``(units, n)`` with column j for sample j.

- A hidden layer's activations are the top rows of an ``(units + 1, n)`` array whose last row is
  all ones, and each layer's weights and bias form one block ``Wb: (fan_in + 1, units)`` of the
  flat parameter buffer (W's rows, then b). So ``Wb.T @ a`` is ``W.T a + b`` and ``a @ delta.T``
  is ``[dW; db]``: one matrix product each, instead of a product plus a bias add, and a product
  plus a column sum. On small networks the number of NumPy calls per step is the cost.
- The softmax reduces across the k rows of ``(k, n)``, which NumPy does as k - 1 contiguous
  passes; along rows of length k (sample-major) it is several times slower for small k.

Inputs stay sample-major, ``(n, features + 1)`` with a ones column, so a shuffle moves whole rows
and a batch is a contiguous block; BLAS reads them transposed at no cost.

The in-place ufuncs here and in the training step pass their output positionally
(``np.tanh(z, z)``): on small arrays that costs about a fifth less than ``out=z`` or ``z *= ...``,
whose argument handling is most of a call's cost.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .activations import LEAKY_RELU_SLOPE

# Up to this many elements a relu is one np.maximum call; above it (z + |z|) / 2, three calls that
# are each much faster than np.maximum on large arrays.
SMALL_RELU = 4096


class Workspace:
    """Preallocated arrays (and dtype constants) for one batch size n; see the module docstring.

    ``x: (n, input_dim + 1)`` inputs with a ones column (for callers who pass plain X);
    ``act[l]: (units_l + 1, n)`` hidden activations with a ones last row; ``pre[l]: (units_l, n)``
    the activation before dropout (the top rows of ``act[l]`` when the layer has none);
    ``out: (outputs, n)``; ``delta[l]`` and ``tmp[l]``: ``(units_l, n)`` for every layer.
    """

    __slots__ = ("n", "x", "act", "pre", "out", "delta", "tmp", "mask", "keep", "uniform", "colmax", "colsum",
                 "pred", "hit", "grad_scale", "half", "one", "zero", "slope", "one_minus_slope",
                 "forward_plan", "backward_plan")

    def __init__(self, n: int, input_dim: int, layers: Sequence, dtype: np.dtype, training: bool,
                 grad_scale: float):
        self.n = n
        self.x = np.ones((n, input_dim + 1), dtype)
        hidden = layers[:-1]
        self.act = [np.ones((layer.units + 1, n), dtype) for layer in hidden]
        dropped = [training and bool(layer.dropout) for layer in hidden]
        self.pre = [np.empty((layer.units, n), dtype) if drop else act[:-1]
                    for layer, act, drop in zip(hidden, self.act, dropped)]
        self.out = np.empty((layers[-1].units, n), dtype)
        self.delta = [np.empty((layer.units, n), dtype) for layer in layers] if training else []
        self.tmp = [np.empty((layer.units, n), dtype) for layer in layers]
        self.mask = [np.empty((layer.units, n), dtype) if drop else None for layer, drop in zip(hidden, dropped)]
        self.keep = [np.empty((layer.units, n), bool) if drop else None for layer, drop in zip(hidden, dropped)]
        self.uniform = [np.empty((layer.units, n), dtype) if drop else None for layer, drop in zip(hidden, dropped)]
        self.colmax = np.empty(n, dtype)
        self.colsum = np.empty(n, dtype)
        self.pred = np.empty(n, np.intp)
        self.hit = np.empty(n, bool)
        # 0-d arrays of the working dtype: a ufunc takes them faster than Python floats.
        self.grad_scale = np.array(grad_scale / n, dtype)
        self.half = np.array(0.5, dtype)
        self.one = np.array(1.0, dtype)
        self.zero = np.array(0.0, dtype)
        self.slope = np.array(LEAKY_RELU_SLOPE, dtype)
        self.one_minus_slope = np.array(1.0 - LEAKY_RELU_SLOPE, dtype)
        # Per-layer tuples of the arrays the training step touches, bound by Network._plan, so
        # the hot loop does no attribute lookups or indexing.
        self.forward_plan = None
        self.backward_plan = None


def activate(name: str, z: np.ndarray, tmp: np.ndarray, ws: Workspace) -> None:
    """Overwrite z (units, n) with activation(z); tmp is scratch of the same shape."""
    if name == "tanh":
        np.tanh(z, z)
    elif name == "relu":
        if z.size <= SMALL_RELU:
            np.maximum(z, ws.zero, out=z)  # (NumPy deprecates a positional out for maximum)
        else:  # (z + |z|) / 2 is exactly max(z, 0)
            np.abs(z, tmp)
            np.add(z, tmp, z)
            np.multiply(z, ws.half, z)
    elif name == "sigmoid":
        # sigmoid(z) = (1 + tanh(z / 2)) / 2: no overflow for any z, four passes.
        np.multiply(z, ws.half, z)
        np.tanh(z, z)
        np.add(z, ws.one, z)
        np.multiply(z, ws.half, z)
    elif name == "leaky_relu":
        np.multiply(z, ws.slope, tmp)
        np.maximum(z, tmp, out=z)
    elif name == "softmax":  # over the k rows of each column
        np.maximum.reduce(z, axis=0, out=ws.colmax)
        np.subtract(z, ws.colmax, z)
        np.exp(z, z)
        np.add.reduce(z, axis=0, out=ws.colsum)
        np.divide(z, ws.colsum, z)
    # linear: nothing to do


def sigmoid_into(z: np.ndarray, out: np.ndarray, ws: Workspace) -> None:
    """Write sigmoid(z) into out (same shape), leaving z as it is."""
    np.multiply(z, ws.half, out)
    np.tanh(out, out)
    np.add(out, ws.one, out)
    np.multiply(out, ws.half, out)


def derivative(name: str, out: np.ndarray, delta: np.ndarray, tmp: np.ndarray, ws: Workspace) -> None:
    """Multiply delta (dL/d activation) in place by activation'(z), computed from out = activation(z)."""
    if name == "tanh":
        np.multiply(out, out, tmp)
        np.subtract(ws.one, tmp, tmp)
        np.multiply(delta, tmp, delta)
    elif name == "relu":
        np.greater(out, ws.zero, tmp)
        np.multiply(delta, tmp, delta)
    elif name == "sigmoid":
        np.subtract(ws.one, out, tmp)
        np.multiply(tmp, out, tmp)
        np.multiply(delta, tmp, delta)
    elif name == "leaky_relu":
        np.greater(out, ws.zero, tmp)
        np.multiply(tmp, ws.one_minus_slope, tmp)
        np.add(tmp, ws.slope, tmp)
        np.multiply(delta, tmp, delta)
    elif name == "softmax":
        # Vector-Jacobian product of softmax: s * (delta - sum_k(delta * s)), per column.
        np.multiply(delta, out, tmp)
        np.add.reduce(tmp, axis=0, out=ws.colsum)
        np.subtract(delta, ws.colsum, delta)
        np.multiply(delta, out, delta)
    # linear: derivative 1
