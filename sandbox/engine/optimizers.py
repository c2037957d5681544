"""Optimisers with one interface, ``update(params, grads)``, and learning-rate schedules.

``params`` and ``grads`` are either one ndarray each (the engine passes its single flat parameter
buffer and the matching gradient buffer) or equal-length lists of ndarrays. ``update`` changes
``params`` in place; the optimiser keeps its state (velocities, moment estimates, step count)
inside, allocated on the first call. ``learning_rate`` may be changed between calls (that is how
the schedule is applied, once per epoch).

Formulas, with g the gradient, lr the learning rate, t the step number starting at 1:

- ``sgd``:      p -= lr * g
- ``momentum``: v = mu * v + g;  p -= lr * v                      (PyTorch's form)
  with ``nesterov=True``:  v = mu * v + g;  p -= lr * (g + mu * v)
- ``rmsprop``:  s = rho * s + (1 - rho) * g**2;  p -= lr * g / (sqrt(s) + eps)
- ``adam``:     m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g**2;
  p -= lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)

The updates are fused over the flat buffer with preallocated scratch space (``out=``), so one
step is at most ten in-place ufunc passes whatever the number of layers. Adam folds both bias
corrections into a scalar step size and a scaled eps (see ``Adam._step``); the result is the
textbook formula above, eps added to sqrt(v_hat), up to rounding.
"""

from __future__ import annotations

import math
from typing import Sequence, Union

import numpy as np

Arrays = Union[np.ndarray, Sequence[np.ndarray]]


def _as_list(a: Arrays) -> list[np.ndarray]:
    return [a] if isinstance(a, np.ndarray) else list(a)


class Optimizer:
    """Base class: subclasses implement ``_step(i, p, g)`` for one array pair in place."""

    name = "base"

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self._state: dict[int, dict[str, np.ndarray]] = {}

    def update(self, params: Arrays, grads: Arrays) -> None:
        """Apply one step in place: params (any shape) -= f(grads), arrays pairwise of equal shape."""
        self.iterations += 1
        if isinstance(params, np.ndarray) and isinstance(grads, np.ndarray) and params.shape == grads.shape:
            self._step(0, params, grads)  # the engine's flat buffer: no per-array bookkeeping
            return
        ps, gs = _as_list(params), _as_list(grads)
        if len(ps) != len(gs):
            raise ValueError(f"got {len(ps)} parameter arrays but {len(gs)} gradient arrays")
        for i, (p, g) in enumerate(zip(ps, gs)):
            if p.shape != g.shape:
                raise ValueError(f"parameter {i} has shape {p.shape} but its gradient {g.shape}")
            self._step(i, p, g)

    def bind(self, params: np.ndarray, grads: np.ndarray):
        """Return a no-argument function doing ``update(params, grads)`` for these two arrays.

        The training loop calls it once per batch; binding skips the per-call checks.
        """
        if not (isinstance(params, np.ndarray) and isinstance(grads, np.ndarray) and params.shape == grads.shape):
            raise ValueError("bind needs two ndarrays of the same shape")
        step = self._step

        def bound_step() -> None:
            self.iterations += 1
            step(0, params, grads)

        return bound_step

    def _buffers(self, i: int, p: np.ndarray, names: Sequence[str]) -> list[np.ndarray]:
        state = self._state.get(i)
        if state is None or state["scratch"].shape != p.shape or state["scratch"].dtype != p.dtype:
            state = {n: np.zeros_like(p) for n in names}
            state["scratch"] = np.empty_like(p)
            self._state[i] = state
        return [state[n] for n in names] + [state["scratch"]]

    def _step(self, i: int, p: np.ndarray, g: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def state_dict(self) -> dict:
        """Return the hyper-parameters (JSON-serialisable); the arrays stay inside."""
        return {"name": self.name, "learning_rate": self.learning_rate, "iterations": self.iterations}


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    name = "sgd"

    def _step(self, i, p, g):
        (scratch,) = self._buffers(i, p, ())
        np.multiply(g, self.learning_rate, out=scratch)
        p -= scratch


class Momentum(Optimizer):
    """Heavy-ball momentum, optionally Nesterov: v = mu v + g; p -= lr v (or lr (g + mu v))."""

    name = "momentum"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _step(self, i, p, g):
        v, scratch = self._buffers(i, p, ("velocity",))
        v *= self.momentum
        v += g
        if self.nesterov:
            np.multiply(v, self.momentum, out=scratch)
            scratch += g
            scratch *= self.learning_rate
        else:
            np.multiply(v, self.learning_rate, out=scratch)
        p -= scratch

    def state_dict(self):
        return {**super().state_dict(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """RMSprop: s = rho s + (1 - rho) g^2; p -= lr g / (sqrt(s) + eps)."""

    name = "rmsprop"

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def _step(self, i, p, g):
        s, scratch = self._buffers(i, p, ("square_avg",))
        # s += (1 - rho) (g^2 - s)
        np.square(g, out=scratch)
        scratch -= s
        scratch *= 1.0 - self.rho
        s += scratch
        np.sqrt(s, out=scratch)
        scratch += self.epsilon
        np.divide(g, scratch, out=scratch)
        scratch *= self.learning_rate
        p -= scratch

    def state_dict(self):
        return {**super().state_dict(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction; see the module docstring for the formula."""

    name = "adam"

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.epsilon = float(epsilon)

    def _step(self, i, p, g):
        m, v, scratch = self._buffers(i, p, ("m", "v"))
        dtype = p.dtype.type
        self._apply(p, g, m, v, scratch, dtype(self.beta1), dtype(self.beta2), dtype)

    def bind(self, params: np.ndarray, grads: np.ndarray):
        """Return ``update(params, grads)`` as a no-argument function, its state and constants bound once.

        The same arithmetic as :meth:`update`; the training loop calls it once per batch.
        """
        if not (isinstance(params, np.ndarray) and isinstance(grads, np.ndarray) and params.shape == grads.shape):
            raise ValueError("bind needs two ndarrays of the same shape")
        m, v, scratch = self._buffers(0, params, ("m", "v"))
        dtype = params.dtype.type
        b1, b2 = dtype(self.beta1), dtype(self.beta2)
        apply = self._apply

        def bound_step() -> None:
            self.iterations += 1
            apply(params, grads, m, v, scratch, b1, b2, dtype)

        return bound_step

    def _apply(self, p, g, m, v, scratch, b1, b2, dtype) -> None:
        """Do step number self.iterations on p with gradient g; b1, b2 in p's dtype."""
        t = self.iterations
        # The state is kept scaled: m holds m / (1 - b1) and v holds v / (1 - b2), so the moment
        # updates need no (1 - b) factor: m = b1 m + g (2 passes), v = b2 v + g^2 (3 passes).
        # With the bias corrections folded into scalars the step is the textbook
        #   lr m_hat / (sqrt(v_hat) + eps)
        #   == lr_t m~ / (sqrt(v~) + eps_t)   with c2 = sqrt(1 - b2^t),
        #      lr_t = lr c2 / (1 - b1^t) * (1 - b1) / sqrt(1 - b2),  eps_t = eps c2 / sqrt(1 - b2)
        # exactly (eps is added to sqrt(v_hat), as in the paper); 10 ufunc passes in all.
        beta1, beta2 = self.beta1, self.beta2
        c2 = math.sqrt(1.0 - beta2 ** t)
        root = math.sqrt(1.0 - beta2)
        eps_t = dtype(self.epsilon * c2 / root)
        lr_t = dtype(self.learning_rate * c2 / (1.0 - beta1 ** t) * (1.0 - beta1) / root)
        # outputs passed positionally: less call overhead than out= or m *= b1 on small buffers
        multiply, add = np.multiply, np.add
        multiply(m, b1, m)
        add(m, g, m)
        np.square(g, scratch)  # the same numbers as g * g, reading g once: a third faster on large buffers
        multiply(v, b2, v)
        add(v, scratch, v)
        np.sqrt(v, scratch)
        add(scratch, eps_t, scratch)
        np.divide(m, scratch, scratch)
        multiply(scratch, lr_t, scratch)
        np.subtract(p, scratch, p)

    def state_dict(self):
        return {**super().state_dict(), "beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "rmsprop": RMSprop,
    "adam": Adam,
}

DEFAULT_LEARNING_RATES = {"sgd": 0.1, "momentum": 0.05, "rmsprop": 0.001, "adam": 0.001}


# --- learning-rate schedules: (base_lr, epoch (0-based), epochs, **options) -> lr for that epoch ---

def constant_schedule(base_lr: float, epoch: int, epochs: int) -> float:
    """Return base_lr for every epoch."""
    return base_lr


def step_schedule(base_lr: float, epoch: int, epochs: int, step_size: int = 10, gamma: float = 0.5) -> float:
    """Return base_lr * gamma ** (epoch // step_size): multiply by gamma every step_size epochs."""
    return base_lr * gamma ** (epoch // step_size)


def cosine_schedule(base_lr: float, epoch: int, epochs: int, min_learning_rate: float = 0.0) -> float:
    """Return min + (base_lr - min) (1 + cos(pi epoch / epochs)) / 2: from base_lr at epoch 0 towards min."""
    if epochs <= 1:
        return base_lr
    return min_learning_rate + (base_lr - min_learning_rate) * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


SCHEDULES = {"constant": constant_schedule, "step": step_schedule, "cosine": cosine_schedule}
