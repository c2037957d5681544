"""Validate a submission dict before anything runs: known keys, right types, bounded sizes."""

from __future__ import annotations

from .limits import SUBMISSION_LIMIT_KEYS

MAX_CODE_CHARS = 200_000
MAX_SPEC_BYTES = 1_000_000


class SubmissionError(ValueError):
    """The submission is malformed; ``str(exc)`` says what to fix."""


def _evaluate(evaluate) -> dict:
    """Check a spec submission's ``evaluate``: ``{"test_dataset": {dataset spec} | None, "decision_grid": bool}``.

    The test dataset is the caller's (a hidden test split); the trained network is scored on it inside
    the job, and only the scores leave it.
    """
    if evaluate is None:
        return {"test_dataset": None, "decision_grid": False}
    if not isinstance(evaluate, dict) or set(evaluate) - {"test_dataset", "decision_grid"}:
        raise SubmissionError("'evaluate' is an object with optional 'test_dataset' and 'decision_grid'")
    test = evaluate.get("test_dataset")
    if test is not None and not isinstance(test, dict):
        raise SubmissionError("'evaluate.test_dataset' must be a dataset object or null")
    grid = evaluate.get("decision_grid", False)
    if not isinstance(grid, bool):
        raise SubmissionError("'evaluate.decision_grid' must be true or false")
    return {"test_dataset": test, "decision_grid": grid}


def validate(submission) -> dict:
    """Return a normalised copy ``{"kind": "spec"|"code", ...}`` or raise SubmissionError."""
    from .exercises import EXERCISES

    if not isinstance(submission, dict):
        raise SubmissionError("a submission must be a JSON object with either 'spec' or 'code'")
    known = {"spec", "code", "exercise", "params", "limits", "evaluate"}
    unknown = sorted(set(submission) - known)
    if unknown:
        raise SubmissionError(f"unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(known))}")
    if ("spec" in submission) == ("code" in submission):
        raise SubmissionError("a submission has exactly one of 'spec' or 'code'")
    limits = submission.get("limits")
    if limits is None:
        limits = {}
    if not isinstance(limits, dict):
        raise SubmissionError("'limits' must be an object")
    for key, value in limits.items():
        if key not in SUBMISSION_LIMIT_KEYS:
            raise SubmissionError(f"unknown limit {key!r}; a submission may set {', '.join(SUBMISSION_LIMIT_KEYS)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value != value \
                or value == float("inf"):
            raise SubmissionError(f"limit {key!r} must be a positive number")
    if "spec" in submission:
        if set(submission) - {"spec", "limits", "evaluate"}:
            raise SubmissionError("a spec submission has only 'spec' and optionally 'limits' and 'evaluate'")
        spec = submission["spec"]
        if not isinstance(spec, dict):
            raise SubmissionError("'spec' must be an object")
        import json

        try:
            size = len(json.dumps(spec, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise SubmissionError(f"'spec' must be plain JSON: {exc}") from None
        if size > MAX_SPEC_BYTES:
            raise SubmissionError(f"'spec' is larger than {MAX_SPEC_BYTES} bytes")
        return {"kind": "spec", "spec": spec, "limits": limits, "evaluate": _evaluate(submission.get("evaluate"))}
    code = submission["code"]
    if not isinstance(code, str):
        raise SubmissionError("'code' must be a string of Python source")
    if len(code) > MAX_CODE_CHARS:
        raise SubmissionError(f"'code' is longer than {MAX_CODE_CHARS} characters")
    exercise = submission.get("exercise")
    if exercise is not None:
        if not isinstance(exercise, str) or exercise not in EXERCISES:
            raise SubmissionError(f"unknown exercise {exercise!r}; known: {', '.join(sorted(EXERCISES))}")
    params = submission.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise SubmissionError("'params' must be an object")
    if params and exercise is None:
        raise SubmissionError("'params' belong to an exercise; give 'exercise' too")
    if exercise is not None:
        try:
            params = EXERCISES[exercise].validate_params(params)
        except ValueError as exc:
            raise SubmissionError(f"params of exercise {exercise!r}: {exc}") from None
    return {"kind": "code", "code": code, "exercise": exercise, "params": params, "limits": limits}
