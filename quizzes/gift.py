"""A parser for Moodle's GIFT question format, as a pure function: text in, questions and problems out.

Supported (https://docs.moodle.org/en/GIFT_format): comments (``//``), titles (``::title::``, parsed and
reported as a warning: questions have no title of their own), the text
formats ``[plain]``, ``[moodle]``, ``[markdown]`` (``[html]`` is kept as text, with a warning), escapes
(``\\~ \\= \\# \\{ \\} \\: \\\\ \\n``), single choice (``{=right ~wrong}``), multiple answers (``{~%50%a
~%50%b ~%-100%c}``, equal positive weights), true/false (``{T}``, ``{FALSE#wrong-feedback#right-feedback}``),
short answer (``{=a =%50%b}``), numeric (``{#3.14:0.01}``, ``{#1..5}``, ``{#=3:0 =%50%3:1}``), missing word
(text after the answer block), per-choice feedback (``#...``) and general feedback (``####...``).

Not supported, and reported as errors by line: matching (``->``), essay (``{}``), description (no answer
block), more than one answer block, partial credit or penalties on a single-choice question, unequal
weights in multiple answers. ``$CATEGORY`` lines are reported as warnings and ignored; feedback on
short-answer and numeric answers is moved into the explanation, with a warning.
"""

import re
from dataclasses import dataclass, field

_ESCAPES = {"\\\\": "\ue006", "\\~": "\ue000", "\\=": "\ue001", "\\#": "\ue002", "\\{": "\ue003",
            "\\}": "\ue004", "\\:": "\ue005", "\\n": "\ue007"}
_UNESCAPE = {"\ue000": "~", "\ue001": "=", "\ue002": "#", "\ue003": "{", "\ue004": "}", "\ue005": ":",
             "\ue006": "\\", "\ue007": "\n"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"


@dataclass(frozen=True)
class GiftIssue:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


@dataclass
class GiftQuestion:
    line: int
    kind: str
    text: str
    title: str = ""
    explanation: str = ""
    choices: list = field(default_factory=list)
    key: dict = field(default_factory=dict)
    scoring_rule: str = ""
    points: float = 1.0

    def as_question_fields(self):
        """Return the keyword arguments of ``services.question_create`` for this question."""
        return {"kind": self.kind, "text": self.text, "explanation": self.explanation, "choices": self.choices,
                "key": self.key, "scoring_rule": self.scoring_rule, "points": self.points}


@dataclass
class GiftResult:
    questions: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


class _Unsupported(Exception):
    def __init__(self, message, offset=0):
        super().__init__(message)
        self.message = message
        self.offset = offset


def _escape(text):
    return re.sub(r"\\[\\~=#{}:n]", lambda m: _ESCAPES[m.group(0)], text)


def _unescape(text):
    return "".join(_UNESCAPE.get(ch, ch) for ch in text)


def _clean(text):
    return _unescape(" ".join(part.strip() for part in text.strip().splitlines()).strip())


def parse(text):
    """Parse GIFT ``text`` into a GiftResult; a question with a problem is reported, never half-imported."""
    result = GiftResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if "\x00" in line:
            result.errors.append(GiftIssue(number, "The line contains a NUL character."))
    if result.errors:
        return result
    for start_line, block in _blocks(text):
        if block.lstrip().startswith("$CATEGORY"):
            result.warnings.append(GiftIssue(start_line, "Categories are not supported; the line was ignored."))
            first_newline = block.find("\n")
            if first_newline < 0:
                continue
            start_line += 1
            block = block[first_newline + 1 :]
            if not block.strip():
                continue
        try:
            question, warnings = _question(block, start_line)
        except _Unsupported as exc:
            result.errors.append(GiftIssue(start_line + block[: exc.offset].count("\n"), exc.message))
            continue
        result.questions.append(question)
        result.warnings.extend(warnings)
    if not result.questions and not result.errors:
        result.errors.append(GiftIssue(1, "The file holds no questions."))
    return result


def _blocks(text):
    """Yield ``(first line number, text)`` of each question: lines up to a blank line, comments removed."""
    lines, start = [], None
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line.strip().startswith("//"):
            line = ""
            if lines:  # a comment inside a question keeps it going
                lines.append(line)
                continue
        if not line.strip():
            if lines and any(part.strip() for part in lines):
                yield start, "\n".join(lines).rstrip()
            lines, start = [], None
            continue
        if start is None:
            start = number
        lines.append(_escape(line))
    if lines and any(part.strip() for part in lines):
        yield start, "\n".join(lines).rstrip()


def _question(block, line):
    warnings = []
    body = block.strip()
    offset = len(block) - len(block.lstrip())
    title = ""
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            raise _Unsupported("The title starting with :: is not closed.", offset)
        title = _clean(body[2:end])
        body = body[end + 2 :].lstrip()
    format_match = _FORMAT.match(body)
    if format_match:
        if format_match.group(1).lower() == "html":
            warnings.append(GiftIssue(line, "HTML text is imported as plain text."))
        body = body[format_match.end() :]
    open_at = body.find("{")
    if open_at < 0:
        raise _Unsupported("Description items (text without an answer block) are not supported.", offset)
    close_at = body.find("}", open_at)
    if close_at < 0:
        raise _Unsupported("The answer block opened with { is not closed.", block.find("{"))
    answer_line_offset = block.find("{")
    if "{" in body[close_at + 1 :]:
        raise _Unsupported("More than one answer block in a question (embedded answers) is not supported.",
                           answer_line_offset)
    before, inner, after = body[:open_at].strip(), body[open_at + 1 : close_at], body[close_at + 1 :].strip()
    after_format = _FORMAT.match(inner.strip())
    if after_format:
        inner = inner.strip()[after_format.end() :]
    text = _clean(before + (" _____ " + after if after else ""))
    if not text:
        raise _Unsupported("The question has no text.", offset)
    general = ""
    if "####" in inner:
        inner, general = inner.split("####", 1)
        general = _clean(general)
    question = _answers(inner, answer_line_offset, line, warnings)
    question.text = text
    question.title = title
    if title:
        warnings.append(GiftIssue(line, f"Question titles are not stored; the title '{title}' was left out."))
    question.explanation = "\n\n".join(part for part in (general, question.explanation) if part)
    return question, warnings


def _answers(inner, offset, line, warnings):
    stripped = inner.strip()
    if not stripped:
        raise _Unsupported("Essay questions ({}) are not supported.", offset)
    if "->" in stripped:
        raise _Unsupported("Matching questions (->) are not supported.", offset)
    if stripped.startswith("#"):
        return _numeric(stripped[1:], offset, line, warnings)
    head, *feedbacks = stripped.split("#")
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        if len(feedbacks) > 2:
            raise _Unsupported("A true/false answer takes at most two feedbacks (#wrong#right).", offset)
        answer = head.strip().upper().startswith("T")
        wrong_feedback = _clean(feedbacks[0]) if feedbacks else ""
        right_feedback = _clean(feedbacks[1]) if len(feedbacks) > 1 else ""
        return GiftQuestion(line, "true_false", "", choices=[
            {"text": "True", "is_correct": answer, "feedback": right_feedback if answer else wrong_feedback},
            {"text": "False", "is_correct": not answer, "feedback": wrong_feedback if answer else right_feedback},
        ])
    items = _items(stripped, offset)
    if not items:
        raise _Unsupported("The answer block has no answers starting with = or ~.", offset)
    marks = [mark for mark, _, _, _ in items]
    if "~" not in marks:
        explanation = []
        answers = []
        for _, weight, answer, feedback in items:
            if weight is not None and not 0 <= weight <= 100:
                raise _Unsupported(f"A short answer's weight must be between 0% and 100%, not {weight:g}%.", offset)
            answers.append({"text": answer, "fraction": 1.0 if weight is None else weight / 100})
            if feedback:
                explanation.append(f"{answer}: {feedback}")
        if explanation:
            warnings.append(GiftIssue(line, "Feedback on short answers is not supported; it was added to the explanation."))
        return GiftQuestion(line, "short_text", "", key={"answers": answers}, explanation="\n".join(explanation))
    choices = []
    right_marked = marks.count("=")
    positive = [weight for mark, weight, _, _ in items if mark == "~" and weight is not None and weight > 0]
    negative = [weight for mark, weight, _, _ in items if weight is not None and weight < 0]
    if right_marked == 1 and not positive:
        if negative:
            raise _Unsupported("Penalties (negative weights) on a single-choice question are not supported.", offset)
        for mark, weight, answer, feedback in items:
            if mark == "=" and weight is not None and weight != 100:
                raise _Unsupported("Partial credit on the right answer of a single-choice question is not supported.", offset)
            choices.append({"text": answer, "is_correct": mark == "=", "feedback": feedback})
        return GiftQuestion(line, "single", "", choices=choices)
    if right_marked == 0 and positive:
        if max(positive) - min(positive) > 0.01:
            raise _Unsupported(
                "Unequal weights in a multiple-answer question are not supported: each right choice scores an "
                "equal share (right picks minus wrong picks).", offset)
        for _, weight, answer, feedback in items:
            choices.append({"text": answer, "is_correct": weight is not None and weight > 0, "feedback": feedback})
        return GiftQuestion(line, "multiple", "", choices=choices, scoring_rule="right_minus_wrong")
    if right_marked == 0:
        raise _Unsupported("No answer is marked right (= or a positive %weight%).", offset)
    raise _Unsupported("Partial credit on the choices of a single-choice question is not supported.", offset)


def _items(inner, offset):
    """Split ``=a#f ~b`` into ``(mark, weight, text, feedback)``."""
    positions = [m.start() for m in re.finditer(r"[=~]", inner)]
    if not positions or inner[: positions[0]].strip():
        raise _Unsupported("Every answer starts with = (right) or ~ (wrong).", offset)
    items = []
    for start, end in zip(positions, positions[1:] + [len(inner)]):
        mark, chunk = inner[start], inner[start + 1 : end].strip()
        weight = None
        match = _WEIGHT.match(chunk)
        if match:
            weight = float(match.group(1))
            chunk = chunk[match.end() :]
        answer, _, feedback = chunk.partition("#")
        answer = _clean(answer)
        if not answer:
            raise _Unsupported("An answer is empty.", offset)
        items.append((mark, weight, answer, _clean(feedback)))
    return items


def _numeric(spec, offset, line, warnings):
    spec = spec.strip()
    entries = []
    feedback_seen = False
    if spec.startswith("="):
        for part in re.split(r"(?==)", spec):
            part = part.strip()
            if not part:
                continue
            weight = None
            body = part[1:].strip()
            match = _WEIGHT.match(body)
            if match:
                weight = float(match.group(1))
                body = body[match.end() :]
            body, _, feedback = body.partition("#")
            feedback_seen = feedback_seen or bool(feedback.strip())
            entries.append((_numeric_value(body.strip(), offset), 1.0 if weight is None else weight / 100))
    else:
        body, _, feedback = spec.partition("#")
        feedback_seen = bool(feedback.strip())
        entries.append((_numeric_value(body.strip(), offset), 1.0))
    for _, fraction in entries:
        if not 0 <= fraction <= 1:
            raise _Unsupported("A numeric answer's weight must be between 0% and 100%.", offset)
    if feedback_seen:
        warnings.append(GiftIssue(line, "Feedback on numeric answers is not supported; it was left out."))
    answers = [{"value": value, "tolerance": tolerance, "mode": "absolute", "fraction": fraction}
               for (value, tolerance), fraction in entries]
    return GiftQuestion(line, "numeric", "", key={"answers": answers})


def _numeric_value(body, offset):
    """Return ``(value, tolerance)`` of ``3.14:0.01``, ``3.14`` or ``1..5``."""
    body = _unescape(body).strip()
    range_match = re.fullmatch(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})", body)
    if range_match:
        low, high = sorted((float(range_match.group(1)), float(range_match.group(2))))
        return (low + high) / 2, (high - low) / 2
    value_match = re.fullmatch(rf"({_NUMBER})\s*(?::\s*({_NUMBER}))?", body)
    if not value_match:
        raise _Unsupported(f"{body!r} is not a numeric answer (value, value:tolerance or min..max).", offset)
    tolerance = abs(float(value_match.group(2))) if value_match.group(2) else 0.0
    return float(value_match.group(1)), tolerance
