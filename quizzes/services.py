"""Everything that writes quizzes, questions, attempts and regrades; the API and the pages both call these."""

import functools
import secrets
import time
from datetime import timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.text import slugify

from lessons.services import progress_mark_mastered

from . import gift, grading
from .models import Attempt, AttemptAnswer, Choice, Question, Quiz, Regrade, RegradeChange


class QuizError(Exception):
    """A request the quiz rules refuse: ``status`` is the HTTP status, ``errors`` maps fields to messages."""

    status = 400
    code = "invalid"

    def __init__(self, message, *, code=None, status=None, errors=None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.errors = errors or {}


class QuizNotFound(QuizError):
    status, code = 404, "not_found"


class QuizForbidden(QuizError):
    status, code = 403, "permission_denied"


class QuizConflict(QuizError):
    status, code = 409, "conflict"


# --- keys and access ----------------------------------------------------------------------------------------


def question_key(question):
    """Return the grading.QuestionKey of a Question whose choices are loaded (prefetched)."""
    return grading.QuestionKey(
        kind=question.kind,
        points=question.points,
        choices=tuple(
            grading.ChoiceKey(uid=c.uid, is_correct=c.is_correct, position=c.position) for c in question.choices.all()
        ),
        key=question.key or {},
        rule=question.scoring_rule,
    )


def quiz_check_access(*, quiz, user):
    """Raise unless ``user`` may see and take ``quiz`` (its lesson and course are loaded with it).

    Unpublished quizzes, lessons and courses are hidden (404) from learners; a Pro lesson's quiz needs Pro (403).
    Instructors see everything: they author it.
    """
    if user.is_authenticated and user.is_instructor:
        return
    lesson = quiz.lesson
    if not quiz.published or (lesson is not None and (not lesson.published or not lesson.course.published)):
        raise QuizNotFound("No quiz with this id.")
    if lesson is not None and lesson.is_pro and not user.is_pro:
        raise QuizForbidden(
            "This quiz belongs to a Pro lesson: redeem a Pro code on your profile page to take it.", code="pro_required"
        )


def _check_owner(attempt, user):
    if attempt.user_id != user.pk:
        raise QuizForbidden("This attempt belongs to another user.", code="not_your_attempt")


def _load_attempt_for_update(attempt_id):
    try:
        return Attempt.objects.select_for_update().get(pk=attempt_id)
    except Attempt.DoesNotExist:
        raise QuizNotFound("No attempt with this id.") from None


def _answers_of(attempt):
    """Return the answers of a locked attempt with their questions and choices, in their order (two queries).

    They are also kept as ``attempt.answers.all()``, so the graded attempt can be shown without reading
    it again.
    """
    answers = AttemptAnswer.objects.select_related("question").prefetch_related("question__choices").order_by("position")
    prefetch_related_objects([attempt], Prefetch("answers", queryset=answers))
    return list(attempt.answers.all())


_GRADED_ANSWER_FIELDS = ("response", "fraction", "points", "max_points")


def _answers_write(rows, fields):
    """Write ``fields`` of each answer row: one prepared UPDATE run for all rows (``executemany``).

    ``bulk_update`` builds a CASE expression per field and row, which costs more to compile than the
    statement costs to run; the same statement with parameters is compiled once.
    """
    if not rows:
        return
    meta = AttemptAnswer._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table), ", ".join(f"{quote(field.column)} = %s" for field in columns), quote(meta.pk.column)
    )
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- attempts -----------------------------------------------------------------------------------------------


def _retry_when_sqlite_is_locked(function):
    """Retry a write that SQLite refused because another transaction held the lock.

    SQLite has no row locks: two racing transactions that both read and then write make one of them fail
    at once with "database is locked". Retried, it sees the other's committed state (e.g. already graded).
    Postgres uses ``select_for_update`` instead and never gets here.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        for attempt_number in range(5):
            try:
                return function(*args, **kwargs)
            except OperationalError as exc:
                if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt_number == 4:
                    raise
                time.sleep(0.05 * (attempt_number + 1))
        raise AssertionError("unreachable")

    return wrapper



@_retry_when_sqlite_is_locked
def attempt_start(*, quiz, user, now=None):
    """Start an attempt at ``quiz`` for ``user``, or return the one still open: ``(attempt, created)``.

    Questions are drawn and shuffled with a seed kept on the attempt, so a reload shows the same order.
    """
    now = now or timezone.now()
    quiz_check_access(quiz=quiz, user=user)
    if quiz.opens_at and now < quiz.opens_at:
        raise QuizConflict(f"This quiz opens at {quiz.opens_at:%Y-%m-%d %H:%M} UTC.", code="quiz_not_open")
    attempts_close_overdue(quiz=quiz, user=user, now=now)
    open_attempt = Attempt.objects.filter(quiz=quiz, user=user, state=Attempt.State.IN_PROGRESS).first()
    if open_attempt is not None:
        return open_attempt, False
    if quiz.closes_at and now >= quiz.closes_at:
        raise QuizConflict("This quiz has closed.", code="quiz_closed")
    used = Attempt.objects.filter(quiz=quiz, user=user).aggregate(last=Max("number"))["last"] or 0
    if quiz.attempts_allowed is not None and used >= quiz.attempts_allowed:
        raise QuizForbidden(
            f"You have used all {quiz.attempts_allowed} attempt{'s' if quiz.attempts_allowed != 1 else ''} "
            "this quiz allows.",
            code="no_attempts_left",
        )
    questions = {q.pk: q for q in quiz.questions.prefetch_related("choices")}
    if not questions:
        raise QuizConflict("This quiz has no questions yet.", code="quiz_empty")
    seed = secrets.randbits(48)
    drawn = grading.draw_questions(
        list(questions), seed=seed, draw_count=quiz.draw_count, shuffle=quiz.shuffle_questions
    )
    deadline = None
    if quiz.time_limit_seconds:
        deadline = now + timedelta(seconds=quiz.time_limit_seconds)
    if quiz.closes_at:
        deadline = min(deadline, quiz.closes_at) if deadline else quiz.closes_at
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz, user=user, number=used + 1, seed=seed, started_at=now, deadline=deadline
            )
            AttemptAnswer.objects.bulk_create(
                AttemptAnswer(
                    attempt=attempt,
                    question_id=qid,
                    position=index,
                    choice_order=grading.order_choices(
                        question_key(questions[qid]), seed=seed, shuffle=quiz.shuffle_choices
                    ),
                )
                for index, qid in enumerate(drawn, start=1)
            )
    except IntegrityError:
        # A concurrent request started it first: both callers get that one attempt.
        open_attempt = Attempt.objects.filter(quiz=quiz, user=user, state=Attempt.State.IN_PROGRESS).first()
        if open_attempt is None:
            raise QuizConflict("Another attempt was started at the same moment; try again.", code="conflict")
        return open_attempt, False
    return attempt, True


def _clean_answers(rows, answers):
    """Return ``{row: cleaned answer}`` for a ``{question id: answer}`` map, or raise naming every fault."""
    if not isinstance(answers, dict):
        raise QuizError("answers: Give an object mapping question ids to answers.", errors={"answers": ["Expected an object."]})
    by_question = {str(row.question_id): row for row in rows}
    errors, cleaned = {}, {}
    for question_id, raw in answers.items():
        row = by_question.get(str(question_id))
        if row is None:
            errors[f"answers.{question_id}"] = ["This question is not part of the attempt."]
            continue
        try:
            cleaned[row] = grading.clean_answer(question_key(row.question), raw)
        except grading.AnswerError as exc:
            errors[f"answers.{question_id}"] = [str(exc)]
    if errors:
        field, messages = next(iter(errors.items()))
        raise QuizError(f"{field}: {messages[0]}", errors=errors)
    return cleaned


def _is_overdue(attempt, now):
    return attempt.is_open and attempt.deadline is not None and now >= attempt.deadline


@_retry_when_sqlite_is_locked
def attempt_save(*, attempt, user, answers, now=None):
    """Save some answers of an open attempt (``{question id: answer}``; None clears one) and return it.

    Nothing is saved when any answer is refused. After the deadline nothing is accepted, and the attempt
    is submitted with what was saved before it.
    """
    now = now or timezone.now()
    _check_owner(attempt, user)
    overdue = False
    with transaction.atomic():
        locked = _load_attempt_for_update(attempt.pk)
        locked.quiz = attempt.quiz
        if _is_overdue(locked, now):
            overdue = True
            _grade(locked, _answers_of(locked), submitted_at=locked.deadline, auto=True)
        elif not locked.is_open:
            raise QuizConflict("This attempt has been submitted; answers can no longer change.", code="already_submitted")
        else:
            rows = _answers_of(locked)
            cleaned = _clean_answers(rows, answers)
            for row, value in cleaned.items():
                row.response = value
            _answers_write(list(cleaned), ["response"])
            locked.last_saved_at = now
            locked.save(update_fields=["last_saved_at"])
    if overdue:
        raise QuizConflict(
            "The time limit has passed: this answer was not accepted, and the attempt was submitted with the "
            "answers saved before the deadline.",
            code="deadline_passed",
        )
    return locked


@_retry_when_sqlite_is_locked
def attempt_submit(*, attempt, user, answers=None, now=None):
    """Submit and grade an open attempt, saving ``answers`` first if given; return the graded attempt.

    Exactly one of any number of concurrent submits grades it; the others get ``already_submitted``.
    Past the deadline, the answers sent now are not accepted and what was saved is graded.

    The attempt returned is the one read under the row lock and graded: its quiz (from ``attempt``), its
    user, its answers with their questions and choices, and ``quiz_grade_percent`` are loaded, so
    ``selectors.attempt_view`` shows it without reading it again.
    """
    now = now or timezone.now()
    _check_owner(attempt, user)
    with transaction.atomic():
        locked = _load_attempt_for_update(attempt.pk)
        locked.quiz = attempt.quiz
        locked.user = user
        if not locked.is_open:
            raise QuizConflict("This attempt has already been submitted.", code="already_submitted")
        rows = _answers_of(locked)
        if _is_overdue(locked, now):
            _grade(locked, rows, submitted_at=locked.deadline, auto=True)
            return locked
        if answers:
            cleaned = _clean_answers(rows, answers)
            for row, value in cleaned.items():
                row.response = value
            locked.last_saved_at = now
        _grade(locked, rows, submitted_at=now, auto=False)
    return locked


def _grade(attempt, rows, *, submitted_at, auto):
    """Grade every answer of a locked, open attempt and record the result (inside a transaction)."""
    grades = []
    for row in rows:
        grade = grading.grade_question(question_key(row.question), row.response)
        row.fraction, row.points, row.max_points = grade.fraction, grade.points, grade.max_points
        grades.append(grade)
    score, max_score, percent = grading.total(grades)
    quiz = attempt.quiz
    did_pass = grading.passed(percent, quiz.pass_percent)
    # Compare-and-set on the state: even where row locks do not exist (SQLite), only one submit wins.
    won = Attempt.objects.filter(pk=attempt.pk, state=Attempt.State.IN_PROGRESS).update(
        state=Attempt.State.GRADED, submitted_at=submitted_at, auto_submitted=auto, score=score,
        max_score=max_score, percent=percent, passed=did_pass, last_saved_at=attempt.last_saved_at,
    )
    if not won:
        raise QuizConflict("This attempt has already been submitted.", code="already_submitted")
    _answers_write(rows, _GRADED_ANSWER_FIELDS)
    attempt.state, attempt.submitted_at, attempt.auto_submitted = Attempt.State.GRADED, submitted_at, auto
    attempt.score, attempt.max_score, attempt.percent, attempt.passed = score, max_score, percent, did_pass
    attempt.quiz_grade_percent = _record_mastery(quiz=quiz, user_id=attempt.user_id)


def quiz_overall_percent(*, quiz, user_id):
    """Return the learner's grade for ``quiz`` under its grading policy, or None before any graded attempt."""
    # Ordered by number alone: the model's default ordering would join the quiz and user tables.
    graded = Attempt.objects.filter(quiz=quiz, user_id=user_id, state=Attempt.State.GRADED).order_by("number").values_list(
        "number", "percent"
    )
    return grading.overall_percent(quiz.grading_policy, list(graded))


def _record_mastery(*, quiz, user_id):
    """Mark the quiz's lesson mastered if the learner's grade passes; return that grade (quiz_overall_percent)."""
    overall = quiz_overall_percent(quiz=quiz, user_id=user_id)
    if quiz.lesson_id is not None and grading.passed(overall, quiz.pass_percent):
        from django.contrib.auth import get_user_model

        from lessons.models import Lesson

        # Only the ids are needed to write the progress row.
        progress_mark_mastered(user=get_user_model()(pk=user_id), lesson=Lesson(pk=quiz.lesson_id))
    return overall


def attempts_close_overdue(*, quiz=None, user=None, now=None):
    """Submit every open attempt past its deadline with what was saved; return how many were submitted."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(state=Attempt.State.IN_PROGRESS, deadline__lte=now)
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    if user is not None:
        overdue = overdue.filter(user=user)
    closed = 0
    for attempt_id in overdue.values_list("pk", flat=True):
        with transaction.atomic():
            locked = _load_attempt_for_update(attempt_id)
            if _is_overdue(locked, now):
                _grade(locked, _answers_of(locked), submitted_at=locked.deadline, auto=True)
                closed += 1
    return closed


def attempt_close_if_overdue(*, attempt, now=None):
    """Submit ``attempt`` if it is open and past its deadline; return True if it was."""
    now = now or timezone.now()
    if not _is_overdue(attempt, now):
        return False
    with transaction.atomic():
        locked = _load_attempt_for_update(attempt.pk)
        if not _is_overdue(locked, now):
            return False
        _grade(locked, _answers_of(locked), submitted_at=locked.deadline, auto=True)
    return True


# --- authoring ----------------------------------------------------------------------------------------------

QUIZ_FIELDS = (
    "title", "slug", "description", "lesson", "order", "published", "attempts_allowed", "grading_policy",
    "pass_percent", "shuffle_questions", "shuffle_choices", "draw_count", "time_limit_seconds", "opens_at",
    "closes_at", "review_detail", "review_when",
)


def _unique_slug(title):
    base = slugify(title)[:80] or "quiz"
    slug, n = base, 1
    while Quiz.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def quiz_create(*, created_by, title, **fields):
    """Create a quiz (unpublished unless ``published``), with a slug made from the title if none is given."""
    unknown = set(fields) - set(QUIZ_FIELDS)
    if unknown:
        raise TypeError(f"Unknown quiz fields: {sorted(unknown)}")
    fields["slug"] = fields.get("slug") or _unique_slug(title)
    return Quiz.objects.create(title=title, created_by=created_by, **fields)


def quiz_update(*, quiz, **fields):
    """Change a quiz's settings."""
    for name, value in fields.items():
        if name not in QUIZ_FIELDS:
            raise TypeError(f"Unknown quiz field {name!r}")
        setattr(quiz, name, value)
    quiz.save()
    return quiz


def _choices_for_true_false(key):
    answer = key.get("answer")
    if not isinstance(answer, bool):
        raise QuizError("key.answer: Give true or false.", errors={"key.answer": ["Give true or false."]})
    return [
        {"text": "True", "is_correct": answer is True, "feedback": key.get("feedback_true", "")},
        {"text": "False", "is_correct": answer is False, "feedback": key.get("feedback_false", "")},
    ]


def _validate_question(*, kind, choices, key, scoring_rule, points, text="", explanation=""):
    errors = {}
    for field, value in (("text", text), ("explanation", explanation)):
        if "\x00" in (value or ""):
            errors[field] = ["Remove the NUL character."]
    for field, message in grading.key_errors(kind=kind, choices=choices, key=key, rule=scoring_rule, points=points):
        errors.setdefault(field, []).append(message)
    if errors:
        field, messages = next(iter(errors.items()))
        raise QuizError(f"{field}: {messages[0]}", errors=errors)


def question_next_order(*, quiz):
    """Return the order that places a new question after every question of ``quiz``."""
    return (quiz.questions.aggregate(last=Max("order"))["last"] or 0) + 1


@transaction.atomic
def question_create(*, quiz, kind, text, points=1.0, explanation="", scoring_rule="", key=None, choices=None,
                    order=None):
    """Add a question to ``quiz``; ``choices`` are dicts of text, is_correct, position and feedback.

    A true/false question may give ``key={"answer": true}`` instead of its two choices.
    """
    if key is not None and not isinstance(key, dict):
        raise QuizError("key: Give an object.", errors={"key": ["Give an object."]})
    key = dict(key or {})
    choices = [dict(c) for c in (choices or [])]
    if kind == grading.TRUE_FALSE and not choices:
        choices = _choices_for_true_false(key)
    if kind in grading.CHOICE_KINDS:
        key = {}
    _validate_question(kind=kind, choices=choices, key=key, scoring_rule=scoring_rule, points=points, text=text,
                       explanation=explanation)
    if order is None:
        order = question_next_order(quiz=quiz)
    question = Question.objects.create(
        quiz=quiz, kind=kind, text=text, points=points, explanation=explanation, scoring_rule=scoring_rule,
        key=key, order=order,
    )
    Choice.objects.bulk_create(
        Choice(
            question=question, text=c["text"], is_correct=bool(c.get("is_correct")), position=c.get("position"),
            feedback=c.get("feedback", ""), order=index,
        )
        for index, c in enumerate(choices, start=1)
    )
    return question


@transaction.atomic
def question_update(*, question, choices=None, **fields):
    """Change a question; ``choices`` (if given) replaces the list: an item with an ``id`` keeps that choice.

    Fixing a key does not change grades already given: request a regrade for that.
    """
    allowed = {"kind", "text", "points", "explanation", "scoring_rule", "key", "order"}
    if "key" in fields and not isinstance(fields["key"], dict):
        raise QuizError("key: Give an object.", errors={"key": ["Give an object."]})
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"Unknown question field {name!r}")
        setattr(question, name, value)
    existing = {c.uid: c for c in question.choices.all()}
    if choices is None:
        new_choices = [
            {"id": c.uid, "text": c.text, "is_correct": c.is_correct, "position": c.position, "feedback": c.feedback}
            for c in existing.values()
        ]
    else:
        new_choices = [dict(c) for c in choices]
        unknown = [c["id"] for c in new_choices if c.get("id") and c["id"] not in existing]
        if unknown:
            raise QuizError(f"choices: {unknown[0]!r} is not a choice of this question.",
                            errors={"choices": [f"{unknown[0]!r} is not a choice of this question."]})
    if question.kind in grading.CHOICE_KINDS:
        question.key = {}
    elif choices is None:
        new_choices = []
    _validate_question(kind=question.kind, choices=new_choices, key=question.key or {},
                       scoring_rule=question.scoring_rule, points=question.points, text=question.text,
                       explanation=question.explanation)
    question.save()
    if choices is not None or question.kind not in grading.CHOICE_KINDS:
        kept = {c["id"] for c in new_choices if c.get("id")}
        question.choices.exclude(uid__in=kept).delete()
        for index, c in enumerate(new_choices, start=1):
            values = {"text": c["text"], "is_correct": bool(c.get("is_correct")), "position": c.get("position"),
                      "feedback": c.get("feedback", ""), "order": index}
            if c.get("id"):
                Choice.objects.filter(uid=c["id"]).update(**values)
            else:
                Choice.objects.create(question=question, **values)
    return question


def question_delete(*, question):
    """Delete a question; refused once attempts include it (their grades would change under the learners)."""
    if question.answers.exists():
        raise QuizConflict("Attempts include this question; it cannot be deleted.", code="question_in_use")
    question.delete()


@transaction.atomic
def questions_import_gift(*, quiz, text):
    """Import every question of a GIFT text into ``quiz``, or none: raise QuizError listing faults by line."""
    result = gift.parse(text)
    if result.errors:
        messages = [f"line {e.line}: {e.message}" for e in result.errors]
        raise QuizError(
            f"The GIFT file has {len(messages)} problem{'s' if len(messages) != 1 else ''}; nothing was imported. "
            + messages[0],
            code="gift_invalid", errors={"file": messages},
        )
    created = []
    for item in result.questions:
        try:
            created.append(question_create(quiz=quiz, **item.as_question_fields()))
        except QuizError as exc:
            raise QuizError(f"line {item.line}: {exc.message}", code="gift_invalid",
                            errors={"file": [f"line {item.line}: {exc.message}"]}) from None
    return created, result.warnings


# --- regrading ----------------------------------------------------------------------------------------------


def regrade_request(*, question, requested_by):
    """Record a regrade of ``question`` and queue it once the transaction commits; return the Regrade."""
    from . import tasks

    regrade = Regrade.objects.create(question=question, requested_by=requested_by)
    transaction.on_commit(lambda: tasks.regrade_question.delay(regrade.pk))
    return regrade


def regrade_run(*, regrade_id, now=None):
    """Re-score every graded attempt of the regrade's question with its current key; safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        regrade = Regrade.objects.select_for_update().select_related("question__quiz").get(pk=regrade_id)
        if regrade.state == Regrade.State.DONE:
            return regrade
        question = Question.objects.prefetch_related("choices").get(pk=regrade.question_id)
        key = question_key(question)
        quiz = question.quiz
        attempts = {
            a.pk: a
            for a in Attempt.objects.select_for_update().filter(
                state=Attempt.State.GRADED,
                pk__in=AttemptAnswer.objects.filter(question=question).values("attempt_id"),
            )
        }
        rows = list(AttemptAnswer.objects.filter(question=question, attempt_id__in=list(attempts)))
        changes, newly_passed = [], set()
        for row in rows:
            attempt = attempts[row.attempt_id]
            grade = grading.grade_question(key, row.response)
            old_points, old_max = row.points or 0.0, row.max_points or 0.0
            old_score, old_percent = attempt.score or 0.0, attempt.percent or 0.0
            row.fraction, row.points, row.max_points = grade.fraction, grade.points, grade.max_points
            attempt.score = round(old_score - old_points + grade.points, 6)
            attempt.max_score = round((attempt.max_score or 0.0) - old_max + grade.max_points, 6)
            attempt.percent = round(100.0 * attempt.score / attempt.max_score, 4) if attempt.max_score > 0 else 0.0
            was_passed = attempt.passed
            attempt.passed = grading.passed(attempt.percent, quiz.pass_percent)
            if attempt.passed and not was_passed:
                newly_passed.add(attempt.user_id)
            changes.append(RegradeChange(
                regrade=regrade, attempt=attempt, old_points=old_points, new_points=grade.points,
                old_score=old_score, new_score=attempt.score, old_percent=old_percent, new_percent=attempt.percent,
            ))
        AttemptAnswer.objects.bulk_update(rows, ["fraction", "points", "max_points"])
        Attempt.objects.bulk_update(list(attempts.values()), ["score", "max_score", "percent", "passed"])
        RegradeChange.objects.bulk_create(changes)
        for user_id in newly_passed:
            _record_mastery(quiz=quiz, user_id=user_id)
        regrade.state = Regrade.State.DONE
        regrade.finished_at = now
        regrade.attempts_regraded = len(changes)
        regrade.attempts_changed = sum(1 for c in changes if abs(c.new_score - c.old_score) > 1e-9)
        regrade.save()
    return regrade
