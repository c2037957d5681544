"""The registry of exercise kinds. An assignment names a kind and gives its params; the checks are ours.

Checks run on the host, never in the job: the job only imports the learner's module and answers
calls (``Session.call``), so learner code can neither see the expected answers or hidden labels nor
forge a verdict. Hidden inputs are generated from a fresh secret seed per run and never put in a
result: messages about them give sizes of errors, not values, and learner output printed during the
checks is dropped.
"""

from __future__ import annotations

import math

import numpy as np

from .. import wire


class LearnerError(Exception):
    """The learner's function raised; ``reason`` is how the runner classifies it."""

    def __init__(self, error: dict):
        self.type = str(error.get("type", "Exception"))[:100]
        self.message = str(error.get("message", ""))[:300]
        self.line = error.get("line") if isinstance(error.get("line"), int) else None
        self.reason = error.get("reason")
        super().__init__(self.type)

    def describe(self, *, hidden: bool) -> str:
        where = f" at line {self.line} of submission.py" if self.line else ""
        if hidden:  # the message could carry the hidden input back out
            return f"raised {self.type}{where}"
        return f"raised {self.type}{where}: {self.message}" if self.message else f"raised {self.type}{where}"


class NotAnArray(Exception):
    def __init__(self, what: str):
        self.what = what
        super().__init__(what)


class Session:
    """Calls into the learner's module in the job."""

    def __init__(self, job):
        self.job = job

    def call(self, name: str, *args, keep: bool = False):
        return self._unpack(self.job.call({"op": "call", "name": name, "args": [_encode(a) for a in args],
                                           "keep": keep}))

    def call_handle(self, handle: int, *args):
        return self._unpack(self.job.call({"op": "call_handle", "handle": handle,
                                           "args": [_encode(a) for a in args]}))

    @staticmethod
    def _unpack(reply: dict):
        if not reply["ok"]:
            error = reply.get("error")
            raise LearnerError(error if isinstance(error, dict) else {})
        return _decode(reply.get("value"))


def _encode(value):
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    return wire.encode_array(value)


def _decode(value):
    if value is None:
        return None
    if isinstance(value, dict) and "nd" in value:
        return wire.decode_array(value)
    if isinstance(value, dict) and "tuple" in value and isinstance(value["tuple"], list):
        return tuple(_decode(v) for v in value["tuple"])
    if isinstance(value, dict) and set(value) == {"handle"} and isinstance(value["handle"], int):
        return Handle(value["handle"])
    if isinstance(value, dict) and set(value) == {"type"}:
        return Opaque(str(value["type"]))
    raise wire.WireError("bad value in a reply")


class Handle:
    def __init__(self, number: int):
        self.number = number


class Opaque:
    """A value the job could not send as an array (a string, a dict, ...): only its type is known."""

    def __init__(self, type_name: str):
        self.type_name = type_name


def as_array(value, what: str) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, Opaque):
        raise NotAnArray(f"{what} returned a {value.type_name}, expected a NumPy array")
    if value is None:
        raise NotAnArray(f"{what} returned None: did you forget `return`?")
    raise NotAnArray(f"{what} returned a {type(value).__name__}, expected a NumPy array")


def fmt(x) -> str:
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def check(name: str, passed: bool, max_points: float, message: str) -> dict:
    return {"name": name, "passed": bool(passed), "points": float(max_points if passed else 0.0),
            "max_points": float(max_points), "message": message}


def points_param(params: dict, defaults: dict) -> dict:
    """Return the points per check: the defaults, overridden by ``params["points"]``."""
    points = dict(defaults)
    given = params.get("points", {})
    if not isinstance(given, dict):
        raise ValueError("'points' must be an object of check name -> points")
    for key, value in given.items():
        if key not in defaults:
            raise ValueError(f"unknown check {key!r} in 'points'; known: {', '.join(defaults)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
            raise ValueError(f"points for {key!r} must be a number between 0 and 1000")
        points[key] = float(value)
    return points


from .activation import ActivationExercise  # noqa: E402
from .dense_layer import DenseLayerExercise  # noqa: E402
from .training_loop import TrainingLoopExercise  # noqa: E402

EXERCISES = {
    "activation": ActivationExercise,
    "dense_layer": DenseLayerExercise,
    "training_loop": TrainingLoopExercise,
}
