"""Grading as pure functions: no database, no Django models, only plain values in and out.

Scoring rules, stated once here and shown to instructors in the API schema:

* single, true/false: the whole points for the right choice, nothing otherwise.
* multiple, ``right_minus_wrong`` (default): ``max(0, (right picked - wrong picked) / right choices)``;
  ``all_or_nothing``: the whole points only for exactly the set of right choices.
* numeric: the best ``fraction`` among the accepted values the answer lies within: ``|x - v| <= tolerance``
  (``absolute``) or ``|x - v| <= tolerance * |v|`` (``relative``).
* short text: compared after trimming, collapsing inner whitespace and (unless ``case_sensitive``)
  case folding, with each accepted text, then each regex (matched in full against the normalised answer);
  the best ``fraction`` wins.
* ordering, ``positions`` (default): the share of items in their right place; ``adjacent_pairs``: the share
  of the n-1 neighbouring pairs of the answer that are neighbours, in that order, in the key;
  ``all_or_nothing``: the whole points only for the exact order.
"""

import math
import random
import re
from dataclasses import dataclass, field

SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT_TEXT, ORDERING = (
    "single", "multiple", "true_false", "numeric", "short_text", "ordering",
)
CHOICE_KINDS = (SINGLE, MULTIPLE, TRUE_FALSE, ORDERING)
RULES = {
    MULTIPLE: ("right_minus_wrong", "all_or_nothing"),
    ORDERING: ("positions", "adjacent_pairs", "all_or_nothing"),
}
DEFAULT_RULE = {MULTIPLE: "right_minus_wrong", ORDERING: "positions"}
MAX_TEXT_ANSWER = 500
_EPS = 1e-9


class AnswerError(ValueError):
    """An answer that cannot be saved: wrong type, unknown choice, not a number..."""


@dataclass(frozen=True)
class ChoiceKey:
    uid: str
    is_correct: bool = False
    position: int | None = None


@dataclass(frozen=True)
class QuestionKey:
    """What grading needs to know about a question: its kind, points, rule, choices and key."""

    kind: str
    points: float
    choices: tuple = ()
    key: dict = field(default_factory=dict)
    rule: str = ""

    @property
    def effective_rule(self):
        return self.rule or DEFAULT_RULE.get(self.kind, "")

    @property
    def choice_uids(self):
        return [choice.uid for choice in self.choices]


@dataclass(frozen=True)
class Grade:
    fraction: float
    points: float
    max_points: float
    status: str  # "correct", "partial", "incorrect" or "unanswered"


# --- answers ------------------------------------------------------------------------------------------------


def clean_answer(question, raw):
    """Return ``raw`` as the stored shape of an answer to ``question``, or raise AnswerError saying why.

    ``None`` clears the answer.
    """
    if raw is None:
        return None
    kind = question.kind
    uids = question.choice_uids
    if kind in (SINGLE, TRUE_FALSE):
        if not isinstance(raw, str):
            raise AnswerError("Give the id of one choice, as a string.")
        if raw not in uids:
            raise AnswerError(f"{raw!r} is not a choice of this question.")
        return raw
    if kind == MULTIPLE:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise AnswerError("Give a list of choice ids.")
        if len(set(raw)) != len(raw):
            raise AnswerError("A choice is listed more than once.")
        unknown = [item for item in raw if item not in uids]
        if unknown:
            raise AnswerError(f"{unknown[0]!r} is not a choice of this question.")
        return sorted(raw, key=uids.index)
    if kind == NUMERIC:
        return _clean_number(raw)
    if kind == SHORT_TEXT:
        if not isinstance(raw, str):
            raise AnswerError("Give the answer as text.")
        if len(raw) > MAX_TEXT_ANSWER:
            raise AnswerError(f"Keep the answer under {MAX_TEXT_ANSWER} characters.")
        if "\x00" in raw:
            raise AnswerError("The answer contains a NUL character; remove it.")
        return raw
    if kind == ORDERING:
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            raise AnswerError("Give the list of every item's id, in your order.")
        if sorted(raw) != sorted(uids):
            raise AnswerError("List every item of the question exactly once.")
        return list(raw)
    raise AnswerError(f"Unknown question kind {kind!r}.")


def _clean_number(raw):
    if isinstance(raw, bool):
        raise AnswerError("Give a number.")
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "")
        if text == "":
            return None
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as many learners type it
        try:
            value = float(text)
        except ValueError:
            raise AnswerError(f"{raw!r} is not a number.") from None
    else:
        raise AnswerError("Give a number.")
    if not math.isfinite(value):
        raise AnswerError("Give a finite number.")
    return value


# --- grading ------------------------------------------------------------------------------------------------


def normalise_text(text, *, case_sensitive=False):
    """Return ``text`` trimmed, with runs of whitespace as one space, case-folded unless case-sensitive."""
    text = " ".join(str(text).split())
    return text if case_sensitive else text.casefold()


def grade_question(question, answer):
    """Return the Grade of a cleaned ``answer`` (None: unanswered) to ``question`` (a QuestionKey)."""
    points = float(question.points)
    if answer is None or answer == []:
        return Grade(0.0, 0.0, points, "unanswered")
    fraction = _fraction(question, answer)
    fraction = min(1.0, max(0.0, fraction))
    if fraction >= 1 - _EPS:
        fraction, status = 1.0, "correct"
    elif fraction <= _EPS:
        fraction, status = 0.0, "incorrect"
    else:
        status = "partial"
    return Grade(fraction, round(points * fraction, 6), points, status)


def _fraction(question, answer):
    kind = question.kind
    if kind in (SINGLE, TRUE_FALSE):
        return 1.0 if any(c.uid == answer and c.is_correct for c in question.choices) else 0.0
    if kind == MULTIPLE:
        right = {c.uid for c in question.choices if c.is_correct}
        picked = set(answer)
        if not right:
            return 0.0
        if question.effective_rule == "all_or_nothing":
            return 1.0 if picked == right else 0.0
        return max(0.0, (len(picked & right) - len(picked - right)) / len(right))
    if kind == NUMERIC:
        best = 0.0
        for accepted in question.key.get("answers", []):
            value = float(accepted["value"])
            tolerance = abs(float(accepted.get("tolerance", 0) or 0))
            if accepted.get("mode", "absolute") == "relative":
                tolerance *= abs(value)
            if abs(float(answer) - value) <= tolerance + _EPS * max(1.0, abs(value)):
                best = max(best, float(accepted.get("fraction", 1.0)))
        return best
    if kind == SHORT_TEXT:
        case_sensitive = bool(question.key.get("case_sensitive", False))
        given = normalise_text(answer, case_sensitive=case_sensitive)
        best = 0.0
        for accepted in question.key.get("answers", []):
            if given == normalise_text(accepted["text"], case_sensitive=case_sensitive):
                best = max(best, float(accepted.get("fraction", 1.0)))
        flags = 0 if case_sensitive else re.IGNORECASE
        for pattern in question.key.get("patterns", []):
            if re.fullmatch(pattern["regex"], given, flags):
                best = max(best, float(pattern.get("fraction", 1.0)))
        return best
    if kind == ORDERING:
        key = correct_order(question)
        n = len(key)
        if n == 0:
            return 0.0
        rule = question.effective_rule
        if rule == "all_or_nothing":
            return 1.0 if list(answer) == key else 0.0
        if rule == "adjacent_pairs":
            if n == 1:
                return 1.0 if list(answer) == key else 0.0
            follows = {key[i]: key[i + 1] for i in range(n - 1)}
            good = sum(1 for a, b in zip(answer, answer[1:]) if follows.get(a) == b)
            return good / (n - 1)
        return sum(1 for a, b in zip(answer, key) if a == b) / n
    raise AnswerError(f"Unknown question kind {kind!r}.")


def correct_order(question):
    """Return the uids of an ordering question's items in the right order."""
    return [c.uid for c in sorted(question.choices, key=lambda c: (c.position or 0, c.uid))]


def correct_answer(question):
    """Return the key in the shape of an answer (what the full review shows)."""
    kind = question.kind
    if kind in (SINGLE, TRUE_FALSE):
        right = [c.uid for c in question.choices if c.is_correct]
        return right[0] if right else None
    if kind == MULTIPLE:
        return [c.uid for c in question.choices if c.is_correct]
    if kind == ORDERING:
        return correct_order(question)
    if kind == NUMERIC:
        return [
            {"value": a["value"], "tolerance": a.get("tolerance", 0), "mode": a.get("mode", "absolute"),
             "fraction": a.get("fraction", 1.0)}
            for a in question.key.get("answers", [])
        ]
    if kind == SHORT_TEXT:
        return [{"text": a["text"], "fraction": a.get("fraction", 1.0)} for a in question.key.get("answers", [])]
    return None


def total(grades):
    """Return ``(score, max_score, percent)`` of a list of Grades."""
    score = round(sum(g.points for g in grades), 6)
    max_score = round(sum(g.max_points for g in grades), 6)
    percent = round(100.0 * score / max_score, 4) if max_score > 0 else 0.0
    return score, max_score, percent


def passed(percent, pass_percent):
    """Return True when ``percent`` reaches the pass mark."""
    return percent is not None and percent + _EPS >= pass_percent


def overall_percent(policy, attempts):
    """Return the quiz grade over graded attempts, a list of ``(number, percent)``, under ``policy``.

    ``highest``, ``latest`` (highest number), ``first`` (lowest number) or ``average``; None without attempts.
    """
    attempts = [(number, percent) for number, percent in attempts if percent is not None]
    if not attempts:
        return None
    if policy == "highest":
        return max(percent for _, percent in attempts)
    if policy == "latest":
        return max(attempts)[1]
    if policy == "first":
        return min(attempts)[1]
    if policy == "average":
        return round(sum(percent for _, percent in attempts) / len(attempts), 4)
    raise ValueError(f"Unknown grading policy {policy!r}.")


# --- review -------------------------------------------------------------------------------------------------


def review_level(*, graded, review_detail, review_when, closes_at, now):
    """Return what a learner may see of an attempt: "none", "score", "correctness" or "full"."""
    if not graded:
        return "none"
    if review_when == "after_close" and (closes_at is None or now < closes_at):
        return "score"
    return review_detail


# --- shuffling ----------------------------------------------------------------------------------------------


def draw_questions(question_ids, *, seed, draw_count=None, shuffle=True):
    """Return the questions of an attempt in their order: ``draw_count`` drawn at random, maybe shuffled.

    The same seed gives the same draw and order.
    """
    rng = random.Random(seed)
    ids = list(question_ids)
    if draw_count is not None and draw_count < len(ids):
        chosen = set(rng.sample(ids, draw_count))
        ids = [qid for qid in ids if qid in chosen]
    if shuffle:
        rng.shuffle(ids)
    return ids


def order_choices(question, *, seed, shuffle=True):
    """Return the uids of a question's choices in the order shown in one attempt.

    Ordering items are always shuffled (their authored order is the key), and never shown in the right
    order when there are at least two. True/false keeps True before False: a fixed order tells nothing.
    """
    uids = question.choice_uids
    if question.kind == TRUE_FALSE:
        return uids
    rng = random.Random(f"{seed}:{question.kind}:{','.join(sorted(uids))}")
    if question.kind == ORDERING:
        shown = list(uids)
        rng.shuffle(shown)
        key = correct_order(question)
        if len(shown) > 1 and shown == key:
            shown = shown[1:] + shown[:1]
        return shown
    if shuffle:
        shown = list(uids)
        rng.shuffle(shown)
        return shown
    return uids


# --- authoring ----------------------------------------------------------------------------------------------


def key_errors(*, kind, choices, key, rule="", points=1.0):
    """Return a list of ``(field, message)`` for a question that could not be graded as written.

    ``choices`` is a list of dicts with ``text``, ``is_correct`` and ``position``.
    """
    errors = []
    if kind not in (SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, SHORT_TEXT, ORDERING):
        return [("kind", f"Unknown kind {kind!r}.")]
    if _has_nul(key) or _has_nul(choices):
        return [("key", "Text in the key or choices contains a NUL character.")]
    if points is None or points < 0:
        errors.append(("points", "Points cannot be negative."))
    if rule and rule not in RULES.get(kind, ()):
        allowed = ", ".join(RULES.get(kind, ())) or "none"
        errors.append(("scoring_rule", f"{rule!r} is not a rule for {kind} questions (allowed: {allowed})."))
    right = [c for c in choices if c.get("is_correct")]
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors.append(("choices", "Give at least two choices."))
    elif choices:
        errors.append(("choices", f"{kind} questions have no choices; put the answers in the key."))
    if kind in (SINGLE, TRUE_FALSE) and len(right) != 1:
        errors.append(("choices", "Mark exactly one choice correct."))
    if kind == TRUE_FALSE and len(choices) != 2:
        errors.append(("choices", "A true/false question has exactly two choices."))
    if kind == MULTIPLE and not right:
        errors.append(("choices", "Mark at least one choice correct."))
    if kind == ORDERING:
        positions = [c.get("position") for c in choices]
        if sorted(p for p in positions if p is not None) != list(range(1, len(choices) + 1)):
            errors.append(("choices", "Give each item a position, 1 to n, each once."))
    if kind == NUMERIC:
        answers = key.get("answers") if isinstance(key, dict) else None
        if not answers or not isinstance(answers, list):
            errors.append(("key.answers", "Give at least one accepted value."))
        else:
            for i, accepted in enumerate(answers):
                if not isinstance(accepted, dict):
                    errors.append((f"key.answers[{i}]", "Each accepted value is an object with value and tolerance."))
                    continue
                try:
                    if not math.isfinite(float(accepted.get("value"))) or float(accepted.get("tolerance", 0) or 0) < 0:
                        raise ValueError
                except (TypeError, ValueError):
                    errors.append((f"key.answers[{i}]", "Give a finite value and a tolerance of 0 or more."))
                if accepted.get("mode", "absolute") not in ("absolute", "relative"):
                    errors.append((f"key.answers[{i}].mode", "Use absolute or relative."))
                errors.extend(_fraction_errors(accepted, f"key.answers[{i}]"))
    if kind == SHORT_TEXT:
        answers = key.get("answers", []) if isinstance(key, dict) else []
        patterns = key.get("patterns", []) if isinstance(key, dict) else []
        if not isinstance(answers, list) or not isinstance(patterns, list) or not (answers or patterns):
            errors.append(("key.answers", "Give at least one accepted answer or pattern."))
        else:
            for i, accepted in enumerate(answers):
                if not isinstance(accepted, dict) or not str(accepted.get("text", "")).strip():
                    errors.append((f"key.answers[{i}]", "Each accepted answer has a non-empty text."))
                else:
                    errors.extend(_fraction_errors(accepted, f"key.answers[{i}]"))
            for i, pattern in enumerate(patterns):
                try:
                    re.compile(pattern["regex"])
                except (TypeError, KeyError, re.error) as exc:
                    errors.append((f"key.patterns[{i}]", f"Not a valid regular expression: {exc}."))
                else:
                    errors.extend(_fraction_errors(pattern, f"key.patterns[{i}]"))
    return errors


def _has_nul(value):
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _fraction_errors(item, path):
    try:
        fraction = float(item.get("fraction", 1.0))
    except (TypeError, ValueError):
        return [(f"{path}.fraction", "Give a fraction between 0 and 1.")]
    if not 0 <= fraction <= 1:
        return [(f"{path}.fraction", "Give a fraction between 0 and 1.")]
    return []
