"""Running a list of checks against a job, turning a stopped job into "not run" checks."""

from __future__ import annotations

import secrets

import numpy as np

from ..host import JobEnded
from . import LearnerError, NotAnArray, Session, check


class Exercise:
    """An exercise kind: ``validate_params(params)`` then ``run(job, params)`` -> list of checks."""

    name = ""
    DEFAULT_POINTS: dict = {}

    @classmethod
    def validate_params(cls, params: dict) -> dict:
        raise NotImplementedError

    @classmethod
    def checks(cls, session: Session, params: dict, rng: np.random.Generator):
        """Yield (check name, function returning (passed, message))."""
        raise NotImplementedError

    @classmethod
    def run(cls, job, params: dict) -> list[dict]:
        session = Session(job)
        rng = np.random.default_rng(secrets.randbits(128))  # hidden inputs differ on every run
        points = params["points"]
        results = []
        missing = [f for f in cls.required_functions(params) if f not in job.ready]
        if missing:
            names = ", ".join(f"{f}()" for f in missing)
            for name in points:
                results.append(check(name, False, points[name], f"Define {names} in your code."))
            return results
        stopped = False
        for name, fn in cls.checks(session, params, rng):
            if stopped:
                results.append(check(name, False, points[name], "Not checked: the job stopped before this check."))
                continue
            try:
                passed, message = fn()
            except JobEnded:
                stopped = True
                results.append(check(name, False, points[name], "Not checked: the job stopped during this check."))
                continue
            except LearnerError as exc:
                passed, message = False, f"{exc.describe(hidden=True)}."
            except NotAnArray as exc:
                passed, message = False, f"{exc.what}."
            except ValueError as exc:  # a malformed reply (wire.WireError): the check fails, nothing more
                passed, message = False, f"could not read the value your function returned ({exc})."
            results.append(check(name, passed, points[name], message))
        return results

    @classmethod
    def required_functions(cls, params: dict) -> list[str]:
        raise NotImplementedError


def close(actual: np.ndarray, expected: np.ndarray, *, rtol=1e-5, atol=1e-7) -> tuple[bool, float]:
    """Return (all close and finite where expected is, the largest absolute error)."""
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(actual.astype(np.float64) - expected)
        ok = bool(np.all(np.isfinite(actual)) and np.all(error <= atol + rtol * np.abs(expected)))
        largest = float(np.nanmax(error)) if error.size and not np.all(np.isnan(error)) else float("nan")
    return ok, largest
