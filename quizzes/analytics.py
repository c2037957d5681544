"""Item analytics as pure functions over plain numbers (the selectors fetch them, this computes)."""

import math


def facility_index(points, max_points):
    """Return the share of the possible points earned on an item over its attempts (0..1), or None."""
    possible = sum(max_points)
    return round(sum(points) / possible, 4) if possible > 0 else None


def discrimination_index(item_scores, rest_scores):
    """Return the Pearson correlation of item scores with the rest of the quiz (total minus the item).

    None when fewer than two attempts or when either side does not vary (the correlation is undefined).
    """
    n = len(item_scores)
    if n < 2 or n != len(rest_scores):
        return None
    mean_x = sum(item_scores) / n
    mean_y = sum(rest_scores) / n
    sxx = sum((x - mean_x) ** 2 for x in item_scores)
    syy = sum((y - mean_y) ** 2 for y in rest_scores)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(item_scores, rest_scores))
    return round(sxy / math.sqrt(sxx * syy), 4)


def distribution(percents, *, bins=10):
    """Return counts of attempts per score band: ``[{"from": 0, "to": 10, "count": n}, ...]`` (100 in the last)."""
    width = 100 / bins
    counts = [0] * bins
    for percent in percents:
        index = min(bins - 1, max(0, int(percent // width)))
        counts[index] += 1
    return [
        {"from": round(i * width, 2), "to": round((i + 1) * width, 2), "count": counts[i]} for i in range(bins)
    ]


def counted_attempts(attempts, which):
    """Keep the attempts that count: ``all``, or each learner's ``first`` or ``last`` graded attempt.

    ``attempts`` are objects with ``user_id`` and ``number``.
    """
    if which == "all":
        return list(attempts)
    chosen = {}
    for attempt in attempts:
        current = chosen.get(attempt.user_id)
        if current is None or (attempt.number < current.number if which == "first" else attempt.number > current.number):
            chosen[attempt.user_id] = attempt
    return sorted(chosen.values(), key=lambda a: (a.user_id, a.number))
