"""Exercise ``dense_layer``: ``dense_forward(X, W, b)`` and ``dense_backward(dout, X, W)``.

Shapes: ``X: (n_samples, n_in)``, ``W: (n_in, n_out)``, ``b: (n_out,)``; forward returns
``X @ W + b: (n_samples, n_out)``; backward gets ``dout: (n_samples, n_out)`` and returns
``(dX, dW, db)`` with the shapes of X, W and b. Checked on a small public example and on hidden
random shapes.
"""

from __future__ import annotations

import numpy as np

from . import NotAnArray, as_array, points_param
from .base import Exercise, close

EXAMPLE_X = np.array([[1.0, 2.0]])
EXAMPLE_W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
EXAMPLE_B = np.array([0.5, 0.0, -0.5])


class DenseLayerExercise(Exercise):
    name = "dense_layer"
    DEFAULT_POINTS = {"forward_example": 1.0, "forward_shapes": 2.0, "backward_dX": 2.0, "backward_dW": 2.0,
                      "backward_db": 2.0}

    @classmethod
    def validate_params(cls, params: dict) -> dict:
        unknown = set(params) - {"points"}
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)}; known: points")
        return {"points": points_param(params, cls.DEFAULT_POINTS)}

    @classmethod
    def required_functions(cls, params):
        return ["dense_forward", "dense_backward"]

    @classmethod
    def checks(cls, session, params, rng):
        shapes = [(int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(1, 8))) for _ in range(3)]
        cases = []
        for n, d, k in shapes:
            cases.append((rng.normal(size=(n, d)), rng.normal(size=(d, k)), rng.normal(size=k),
                          rng.normal(size=(n, k))))
        backward = {}

        def forward_example():
            got = as_array(session.call("dense_forward", EXAMPLE_X, EXAMPLE_W, EXAMPLE_B), "dense_forward")
            expected = EXAMPLE_X @ EXAMPLE_W + EXAMPLE_B
            if got.shape != expected.shape:
                return False, (f"dense_forward(X, W, b) with X (1, 2), W (2, 3), b (3,) returned shape {got.shape}, "
                               f"expected (1, 3)")
            ok, _ = close(got, expected)
            if not ok:
                return False, (f"dense_forward([[1, 2]], W, b) returned {got.tolist()}, expected {expected.tolist()} "
                               "(X @ W + b)")
            return True, "dense_forward gives X @ W + b on the example"

        def forward_shapes():
            for X, W, b, _ in cases:
                got = as_array(session.call("dense_forward", X, W, b), "dense_forward")
                if got.shape != (X.shape[0], W.shape[1]):
                    return False, (f"dense_forward returned shape {got.shape} for X {X.shape}, W {W.shape}, "
                                   f"b {b.shape}; expected {(X.shape[0], W.shape[1])}")
                ok, error = close(got, X @ W + b)
                if not ok:
                    return False, f"dense_forward is off on hidden inputs (largest error {error:.3g})"
            return True, "dense_forward is right for hidden random shapes"

        def gradients():
            if not backward:
                for index, (X, W, b, dout) in enumerate(cases):
                    got = session.call("dense_backward", dout, X, W)
                    if not isinstance(got, tuple) or len(got) != 3:
                        raise NotAnArray("dense_backward must return a tuple (dX, dW, db)")
                    backward[index] = tuple(as_array(v, "dense_backward") for v in got)
            return backward

        def grad_check(position, name, formula):
            def run():
                got_all = gradients()
                for index, (X, W, b, dout) in enumerate(cases):
                    expected = {"dX": dout @ W.T, "dW": X.T @ dout, "db": dout.sum(axis=0)}[name]
                    got = got_all[index][position]
                    if got.shape != expected.shape:
                        return False, (f"dense_backward's {name} has shape {got.shape}, expected {expected.shape} "
                                       f"({formula})")
                    ok, error = close(got, expected)
                    if not ok:
                        return False, f"dense_backward's {name} is off on hidden inputs (largest error {error:.3g}; " \
                                      f"expected {formula})"
                return True, f"{name} is right ({formula})"
            return run

        return [
            ("forward_example", forward_example),
            ("forward_shapes", forward_shapes),
            ("backward_dX", grad_check(0, "dX", "dout @ W.T")),
            ("backward_dW", grad_check(1, "dW", "X.T @ dout")),
            ("backward_db", grad_check(2, "db", "dout summed over the samples, axis 0")),
        ]
