"""Weight initialisers, registered by name in ``INITIALIZERS``.

Each is ``init(fan_in, fan_out, rng, dtype) -> W`` with ``W: (fan_in, fan_out)``; ``rng`` is a
``numpy.random.Generator``. Biases always start at zero. ``default_initializer(activation)`` picks
He for the ReLU family and Glorot (Xavier) for the rest, which keeps the activations' variance
roughly constant from layer to layer.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

Initializer = Callable[[int, int, np.random.Generator, np.dtype], np.ndarray]


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Return U(-a, a) weights (fan_in, fan_out) with a = sqrt(6 / (fan_in + fan_out))."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype, copy=False)


def glorot_normal(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Return N(0, 2 / (fan_in + fan_out)) weights (fan_in, fan_out)."""
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype, copy=False)


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Return U(-a, a) weights (fan_in, fan_out) with a = sqrt(6 / fan_in)."""
    limit = math.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype, copy=False)


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Return N(0, 2 / fan_in) weights (fan_in, fan_out)."""
    std = math.sqrt(2.0 / fan_in)
    return (rng.standard_normal((fan_in, fan_out)) * std).astype(dtype, copy=False)


def zeros(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Return all-zero weights (fan_in, fan_out); a teaching example of why symmetry must be broken."""
    return np.zeros((fan_in, fan_out), dtype=dtype)


INITIALIZERS: dict[str, Initializer] = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "zeros": zeros,
}

INITIALIZER_ALIASES = {"xavier_uniform": "glorot_uniform", "xavier_normal": "glorot_normal"}


def default_initializer(activation: str) -> str:
    """Return the initialiser name used for a layer with this activation when the spec says "auto"."""
    return "he_normal" if activation in ("relu", "leaky_relu") else "glorot_uniform"
