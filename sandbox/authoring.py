"""Checking and saving what instructors author: assignments with their dataset, rubric and exercise."""

from django.db import transaction

from .models import Assignment

ASSIGNMENT_FIELDS = (
    "title", "slug", "instructions", "kind", "is_pro", "published", "order", "points", "dataset", "hidden_test",
    "limits", "starter_spec", "rubric", "exercise", "exercise_params", "starter_code",
)
LIMIT_KEYS = ("max_parameters", "max_epochs", "max_samples", "max_wall_seconds")


class AssignmentError(Exception):
    """Authoring input that cannot be saved; ``errors`` maps field names to one message each."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _positive_int(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _check_rubric(rubric, errors):
    if not isinstance(rubric, dict):
        errors["rubric"] = "must be an object with 'metric' and 'thresholds'"
        return
    unknown = set(rubric) - {"metric", "thresholds", "pass_fraction", "bonus"}
    if unknown:
        errors["rubric"] = f"unknown key(s) {', '.join(sorted(unknown))}"
    elif rubric.get("metric", "accuracy") not in ("accuracy", "loss"):
        errors["rubric"] = "metric must be 'accuracy' or 'loss'"
    elif not isinstance(rubric.get("thresholds"), list) or not rubric["thresholds"]:
        errors["rubric"] = "thresholds must be a non-empty list of {'at': number, 'fraction': 0..1}"
    elif not all(isinstance(t, dict) and set(t) == {"at", "fraction"} and isinstance(t["at"], (int, float))
                 and not isinstance(t["at"], bool) and isinstance(t["fraction"], (int, float)) and 0 < t["fraction"] <= 1
                 for t in rubric["thresholds"]):
        errors["rubric"] = "each threshold is {'at': number, 'fraction': a number in (0, 1]}"
    elif "pass_fraction" in rubric and not (isinstance(rubric["pass_fraction"], (int, float)) and 0 <= rubric["pass_fraction"] <= 1):
        errors["rubric"] = "pass_fraction must be a number from 0 to 1"
    elif "bonus" in rubric and not (isinstance(rubric["bonus"], dict) and set(rubric["bonus"]) == {"max_parameters", "points"}
                                    and _positive_int(rubric["bonus"]["max_parameters"]) and _positive_int(rubric["bonus"]["points"])):
        errors["rubric"] = "bonus is {'max_parameters': n > 0, 'points': n > 0}"


def _check_config(fields, errors):
    from sandbox.engine import SpecError, validate_spec

    starter = dict(fields.get("starter_spec") or {})
    probe = {"model": {"layers": [{"units": 4}]}, **starter, "dataset": fields.get("dataset")}
    try:
        validate_spec(probe)
    except SpecError as exc:
        for error in exc.errors:
            path = error.get("path") or ""
            field = "dataset" if path.startswith("dataset") else "starter_spec"
            errors.setdefault(field, f"{path}: {error['message']}" if path else error["message"])
    hidden = fields.get("hidden_test")
    if not (isinstance(hidden, dict) and set(hidden) <= {"samples", "seed", "noise"} and _positive_int(hidden.get("samples"))
            and isinstance(hidden.get("seed"), int)):
        errors["hidden_test"] = "give {'samples': n > 0, 'seed': an integer} (optionally 'noise')"
    elif isinstance(fields.get("dataset"), dict) and hidden.get("seed") == fields["dataset"].get("seed"):
        errors["hidden_test"] = "use a seed other than the training data's, or the test set is the training set"
    _check_rubric(fields.get("rubric"), errors)


def _check_code(fields, errors):
    from sandbox.runner.exercises import EXERCISES

    kind = fields.get("exercise")
    if kind not in EXERCISES:
        errors["exercise"] = f"choose one of {', '.join(sorted(EXERCISES))}"
        return
    try:
        EXERCISES[kind].validate_params(fields.get("exercise_params") or {})
    except ValueError as exc:
        errors["exercise_params"] = str(exc)


def check_assignment(fields):
    """Raise AssignmentError naming every field that is wrong in a complete set of assignment fields."""
    errors = {}
    limits = fields.get("limits", {})
    if not isinstance(limits, dict) or set(limits) - set(LIMIT_KEYS) or not all(_positive_int(v) for v in limits.values()):
        errors["limits"] = f"an object with positive whole numbers for any of {', '.join(LIMIT_KEYS)}"
    if not isinstance(fields.get("exercise_params", {}), dict):
        errors["exercise_params"] = "must be an object (empty for none)"
    if fields.get("kind") == Assignment.Kind.CONFIG:
        _check_config(fields, errors)
    elif fields.get("kind") == Assignment.Kind.CODE:
        _check_code(fields, errors)
    else:
        errors["kind"] = "must be 'config' or 'code'"
    if errors:
        raise AssignmentError(errors)


@transaction.atomic
def assignment_save(*, assignment=None, created_by=None, lesson=None, **fields):
    """Create or update an assignment after checking all of it; nothing is saved if anything is wrong."""
    unknown = set(fields) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise AssignmentError({name: "is not an assignment field" for name in sorted(unknown)})
    if "slug" in fields and Assignment.objects.filter(slug=fields["slug"]).exclude(pk=getattr(assignment, "pk", None)).exists():
        raise AssignmentError({"slug": f"the slug '{fields['slug']}' is taken"})
    assignment = assignment or Assignment(created_by=created_by)
    merged = {name: getattr(assignment, name) for name in ASSIGNMENT_FIELDS}
    merged.update(fields)
    check_assignment(merged)
    for name, value in fields.items():
        setattr(assignment, name, value)
    if lesson is not None:
        assignment.lesson = lesson
    assignment.save()
    return assignment
