"""Grade a finished training job: pure functions of the rubric and the job's outcome, no database.

Config assignments are graded on the hidden test split. The rubric's thresholds give a fraction of the
points: the highest threshold reached counts (accuracy: at least ``at``; loss: at most ``at``). An
optional bonus adds points when the network uses at most ``bonus.max_parameters`` parameters and the
main criterion earned something. A job passes when it earns at least ``pass_fraction`` (default 0.6)
of the assignment's points. Code exercises earn the points of each check that passed.
"""

import math

DEFAULT_PASS_FRACTION = 0.6


def _criterion(name, passed, points, max_points, message):
    return {"name": name, "passed": passed, "points": round(points, 4), "max_points": round(max_points, 4), "message": message}


def _grade(criteria, points, pass_fraction):
    score = round(sum(c["points"] for c in criteria), 4)
    max_score = round(sum(c["max_points"] for c in criteria), 4)
    return {"score": score, "max_score": max_score, "passed": score >= pass_fraction * points - 1e-9, "criteria": criteria}


def _failed(points, name, message):
    return _grade([_criterion(name, False, 0.0, points, message)], points, 1.0)


def _threshold_fraction(rubric, value):
    """Return (fraction earned, best threshold reached or None, next better threshold or None)."""
    lower_is_better = rubric.get("metric") == "loss"

    def met(threshold):
        return value <= threshold["at"] if lower_is_better else value >= threshold["at"]

    ordered = sorted(rubric.get("thresholds", []), key=lambda t: t["fraction"])
    reached = [t for t in ordered if met(t)]
    best = reached[-1] if reached else None
    fraction = best["fraction"] if best else 0.0
    following = next((t for t in ordered if not met(t) and t["fraction"] > fraction), None)
    return fraction, best, following


def grade_config(*, rubric, points, outcome):
    """Grade a config job. ``outcome``: {"status", "reason", "message", "evaluation": {"test_accuracy", "test_loss"},
    "parameters"}."""
    metric = rubric.get("metric", "accuracy")
    pass_fraction = rubric.get("pass_fraction", DEFAULT_PASS_FRACTION)
    name = f"hidden-test {metric}"
    if outcome.get("status") != "succeeded":
        return _failed(points, name, f"No grade: the run failed ({outcome.get('message') or outcome.get('reason')}).")
    value = (outcome.get("evaluation") or {}).get(f"test_{metric}")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return _failed(points, name, f"No grade: the run reported no hidden-test {metric}.")
    fraction, reached, following = _threshold_fraction(rubric, value)
    shown = f"{value:.3f}"
    if reached is None:
        target = f"; reach {following['at']} for {following['fraction']:.0%} of the points" if following else ""
        message = f"Hidden-test {metric} {shown}: below every threshold{target}."
    elif following is not None:
        message = (f"Hidden-test {metric} {shown} reached {reached['at']} ({fraction:.0%} of the points); "
                   f"reach {following['at']} for {following['fraction']:.0%}.")
    else:
        message = f"Hidden-test {metric} {shown} reached {reached['at']}: full marks."
    criteria = [_criterion(name, reached is not None, fraction * points, points, message)]
    bonus = rubric.get("bonus")
    if bonus:
        parameters = outcome.get("parameters")
        earned = isinstance(parameters, int) and parameters <= bonus["max_parameters"] and fraction > 0
        if earned:
            text = f"{parameters} parameters, at most {bonus['max_parameters']}: bonus earned."
        elif fraction == 0:
            text = "The parameter bonus needs points on the hidden test first."
        else:
            text = f"{parameters} parameters; use at most {bonus['max_parameters']} for the bonus."
        criteria.append(_criterion("small network bonus", earned, bonus["points"] if earned else 0.0, bonus["points"], text))
    return _grade(criteria, points, pass_fraction)


def grade_code(*, points, pass_fraction=DEFAULT_PASS_FRACTION, outcome):
    """Grade a code exercise from its checks: ``outcome["checks"]`` = [{"name", "passed", "points", "max_points"?, "message"}]."""
    checks = outcome.get("checks") or []
    if outcome.get("status") != "succeeded" and not checks:
        return _failed(points, "checks", f"No grade: {outcome.get('message') or outcome.get('reason')}.")
    criteria = []
    for check in checks:
        max_points = float(check.get("max_points", check.get("points", 0)) or 0)
        earned = float(check.get("points", 0) or 0) if check.get("passed") else 0.0
        criteria.append(_criterion(str(check.get("name", "check")), bool(check.get("passed")), earned, max_points,
                                   str(check.get("message", ""))))
    total = sum(c["max_points"] for c in criteria)
    if total > 0 and total != points:  # scale the checks' own points to the assignment's
        factor = points / total
        for c in criteria:
            c["points"], c["max_points"] = round(c["points"] * factor, 4), round(c["max_points"] * factor, 4)
    return _grade(criteria, points, pass_fraction)
