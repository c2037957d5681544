"""Exercise ``activation``: the learner writes ``f(x)`` and ``f_grad(x)`` for one activation.

Params: ``{"function": "sigmoid"}`` (any elementwise activation of the engine), optional
``"points": {check: points}``. Checked against ``sandbox.engine.ACTIVATIONS[f]`` at 0, on hidden
random inputs, at extreme values (+-500 and +-1000 must not overflow to NaN), and the learner's derivative
against a numerical derivative of the learner's own function.
"""

from __future__ import annotations

import numpy as np

from . import as_array, fmt, points_param
from .base import Exercise, close

EXTREMES = np.array([-1000.0, -500.0, -100.0, -30.0, 30.0, 100.0, 500.0, 1000.0])
STEP = 1e-5


def _reference(name: str):
    from sandbox.engine import ACTIVATIONS

    return ACTIVATIONS[name]


class ActivationExercise(Exercise):
    name = "activation"
    DEFAULT_POINTS = {"forward_at_zero": 1.0, "grad_at_zero": 1.0, "forward_values": 2.0, "grad_values": 2.0,
                      "extreme_values": 2.0, "numerical_gradient": 2.0}

    @classmethod
    def validate_params(cls, params: dict) -> dict:
        from sandbox.engine import ACTIVATIONS

        unknown = set(params) - {"function", "points"}
        if unknown:
            raise ValueError(f"unknown key(s) {sorted(unknown)}; known: function, points")
        function = params.get("function", "sigmoid")
        choices = sorted(n for n, a in ACTIVATIONS.items() if a.elementwise)
        if function not in choices:
            raise ValueError(f"'function' must be one of {', '.join(choices)}, not {function!r}")
        return {"function": function, "points": points_param(params, cls.DEFAULT_POINTS)}

    @classmethod
    def required_functions(cls, params):
        return [params["function"], params["function"] + "_grad"]

    @classmethod
    def checks(cls, session, params, rng):
        f = params["function"]
        g = f + "_grad"
        ref = _reference(f)

        def at_zero(fn, reference):
            def run():
                x = np.zeros(1)
                got = as_array(session.call(fn, x), f"{fn}(0)")
                expected = float(reference(x)[0])
                if got.size != 1:
                    return False, f"{fn}(np.array([0.0])) returned shape {got.shape}, expected (1,)"
                value = float(got.ravel()[0])
                ok, _ = close(got.ravel(), np.array([expected]))
                if ok:
                    return True, f"{fn}(0) = {fmt(value)}"
                return False, f"{fn}(0) returned {fmt(value)}, expected {fmt(expected)}"
            return run

        def values(fn, reference, label):
            def run():
                for _ in range(3):
                    shape = (int(rng.integers(1, 9)), int(rng.integers(1, 9)))
                    x = rng.normal(0.0, 3.0, size=shape)
                    got = as_array(session.call(fn, x), fn)
                    if got.shape != x.shape:
                        return False, (f"{fn} returned shape {got.shape} for an input of shape {x.shape}: "
                                       "it must work elementwise and keep the shape")
                    ok, error = close(got, reference(x))
                    if not ok:
                        return False, (f"{fn} differs from the expected {label} on hidden inputs "
                                       f"(largest error {fmt(error)})")
                return True, f"{fn} matches the expected {label} on hidden inputs"
            return run

        def extremes():
            for fn, reference in ((f, ref.forward), (g, ref.grad)):
                got = as_array(session.call(fn, EXTREMES.copy()), fn)
                if got.shape != EXTREMES.shape:
                    return False, f"{fn} returned shape {got.shape} for an input of shape {EXTREMES.shape}"
                expected = reference(EXTREMES)
                for x, value, want in zip(EXTREMES, got, expected):
                    if not np.isfinite(value):
                        return False, (f"{fn}({fmt(x)}) returned {fmt(value)}, expected {fmt(want)}: "
                                       "use a formula that does not overflow for large |x| "
                                       "(e.g. compute with np.exp(-np.abs(x)))")
                ok, error = close(got, expected, atol=1e-9)
                if not ok:
                    worst = int(np.argmax(np.abs(got - expected)))
                    return False, (f"{fn}({fmt(EXTREMES[worst])}) returned {fmt(got[worst])}, "
                                   f"expected {fmt(expected[worst])}")
            return True, f"{f} and {g} stay finite and correct for inputs up to |x| = 1000"

        def numerical():
            x = rng.uniform(-4.0, 4.0, size=24)
            x = x[np.abs(x) > 0.05]  # away from the kink of relu-like functions
            plus = as_array(session.call(f, x + STEP), f)
            minus = as_array(session.call(f, x - STEP), f)
            grad = as_array(session.call(g, x), g)
            if plus.shape != x.shape or grad.shape != x.shape:
                return False, f"{f} or {g} changed the shape of its input"
            numeric = (plus - minus) / (2 * STEP)
            ok, error = close(grad, numeric, rtol=1e-3, atol=1e-5)
            if not ok:
                return False, (f"{g} does not match the slope of your {f} on hidden inputs (largest "
                               f"difference {fmt(error)}): check the derivative")
            return True, f"{g} matches the numerical slope of your {f}"

        return [
            ("forward_at_zero", at_zero(f, ref.forward)),
            ("grad_at_zero", at_zero(g, ref.grad)),
            ("forward_values", values(f, ref.forward, "values")),
            ("grad_values", values(g, ref.grad, "derivatives")),
            ("extreme_values", extremes),
            ("numerical_gradient", numerical),
        ]
