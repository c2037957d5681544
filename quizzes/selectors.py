"""Reads shared by the API and the pages: quizzes for a learner, attempts as a learner may see them, analytics."""

import csv
import io

from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from . import analytics, grading
from .models import Attempt, AttemptAnswer, Question, Quiz
from .services import QuizNotFound, question_key, quiz_overall_percent

SCORING_TEXT = {
    ("single", ""): "The whole points for the right choice.",
    ("true_false", ""): "The whole points for the right answer.",
    ("multiple", "right_minus_wrong"): (
        "Partial credit: (right choices picked - wrong choices picked) / right choices, never below 0."
    ),
    ("multiple", "all_or_nothing"): "The whole points only for picking exactly the right choices.",
    ("numeric", ""): "The whole points for a value within the tolerance.",
    ("short_text", ""): "Case and extra spaces do not matter.",
    ("ordering", "positions"): "Partial credit: the share of items in their right place.",
    ("ordering", "adjacent_pairs"): "Partial credit: the share of neighbouring pairs in the right order.",
    ("ordering", "all_or_nothing"): "The whole points only for the exact order.",
}


def scoring_text(kind, rule, *, case_sensitive=False):
    """Return the sentence telling a learner how a question is scored."""
    if kind == "short_text" and case_sensitive:
        return "Extra spaces do not matter; capital letters do."
    return SCORING_TEXT.get((kind, rule or grading.DEFAULT_RULE.get(kind, "")), "")


def quiz_queryset():
    return Quiz.objects.select_related("lesson__course").annotate(question_count=Count("questions"))


def quiz_get(*, quiz_id):
    """Return a quiz with its lesson and course (for access checks) and its question count, or raise 404."""
    try:
        return quiz_queryset().get(pk=quiz_id)
    except (Quiz.DoesNotExist, ValueError):
        raise QuizNotFound("No quiz with this id.") from None


def quizzes_visible_to(*, user):
    """Return the quizzes ``user`` may see: all for instructors, else published ones of published lessons."""
    quizzes = quiz_queryset()
    if user.is_authenticated and user.is_instructor:
        return quizzes
    return quizzes.filter(published=True).filter(
        Q(lesson__isnull=True) | Q(lesson__published=True, lesson__course__published=True)
    )


def lesson_quizzes(*, lesson, user):
    """Return the published quizzes of ``lesson`` as a list, each with ``best_percent`` for ``user`` (or None).

    One query, whatever the number of quizzes. The best score is a subquery, not a join: joined with the
    questions, every learner's attempts would make the query grow with questions x attempts of the quiz.
    """
    quizzes = Quiz.objects.filter(lesson=lesson, published=True).annotate(question_count=Count("questions"))
    if user is not None and user.is_authenticated:
        best = (
            Attempt.objects.filter(quiz=OuterRef("pk"), user=user, state=Attempt.State.GRADED)
            .order_by().values("quiz").annotate(best=Max("percent")).values("best")
        )
        return list(quizzes.annotate(best_percent=Subquery(best)).order_by("order", "id"))
    result = list(quizzes.order_by("order", "id"))
    for quiz in result:
        quiz.best_percent = None
    return result


def attempts_of(*, quiz, user):
    """Return ``user``'s attempts at ``quiz``, oldest first."""
    return list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))


def quiz_summary_for(*, quiz, user, attempts=None):
    """Return what a learner needs before starting: attempts used and left, grade so far, open attempt."""
    attempts = attempts if attempts is not None else attempts_of(quiz=quiz, user=user)
    graded = [(a.number, a.percent) for a in attempts if a.state == Attempt.State.GRADED]
    overall = grading.overall_percent(quiz.grading_policy, graded)
    open_attempt = next((a for a in attempts if a.is_open), None)
    used = len(attempts)
    left = None if quiz.attempts_allowed is None else max(0, quiz.attempts_allowed - used)
    return {
        "attempts_used": used,
        "attempts_left": left,
        "open_attempt_id": open_attempt.pk if open_attempt else None,
        "grade_percent": overall,
        "passed": grading.passed(overall, quiz.pass_percent) if overall is not None else None,
    }


def attempt_get(*, attempt_id, with_answers=True):
    """Return an attempt with its quiz, lesson, course and user, and (``with_answers``) every answer with its
    question and choices: one query, three with the answers."""
    attempts = Attempt.objects.select_related("quiz__lesson__course", "user")
    if with_answers:
        answers = AttemptAnswer.objects.select_related("question").prefetch_related("question__choices").order_by("position")
        attempts = attempts.prefetch_related(Prefetch("answers", queryset=answers))
    try:
        return attempts.get(pk=attempt_id)
    except (Attempt.DoesNotExist, ValueError):
        raise QuizNotFound("No attempt with this id.") from None


def attempt_for(*, attempt_id, user, allow_instructor=False, with_answers=True):
    """Return ``user``'s attempt (instructors may read anyone's) or raise: 404 unknown, 403 someone else's.

    The quiz's access rules (published, Pro) apply to the attempt too. Without ``with_answers`` only the
    attempt is read (for a caller that reads the answers under the row lock, like ``attempt_submit``).
    """
    from .services import QuizForbidden, quiz_check_access

    attempt = attempt_get(attempt_id=attempt_id, with_answers=with_answers)
    if attempt.user_id != user.pk and not (allow_instructor and user.is_instructor):
        raise QuizForbidden("This attempt belongs to another user.", code="not_your_attempt")
    quiz_check_access(quiz=attempt.quiz, user=user)
    return attempt


def attempt_view(*, attempt, viewer, now=None):
    """Return the attempt as ``viewer`` may see it now: questions, saved answers, and what review allows.

    Keys, explanations and choice feedback appear only in a graded attempt whose review policy shows
    them (instructors always see the full review of a graded attempt). Nothing here is secret before.
    """
    now = now or timezone.now()
    quiz = attempt.quiz
    graded = attempt.state == Attempt.State.GRADED
    level = grading.review_level(
        graded=graded, review_detail=quiz.review_detail, review_when=quiz.review_when,
        closes_at=quiz.closes_at, now=now,
    )
    if graded and viewer.is_instructor:
        level = "full"
    questions = []
    review = []
    for row in attempt.answers.all():
        question = row.question
        by_uid = {c.uid: c for c in question.choices.all()}
        order = [uid for uid in row.choice_order if uid in by_uid] + [u for u in by_uid if u not in row.choice_order]
        questions.append({
            "id": question.pk,
            "number": row.position,
            "kind": question.kind,
            "text": question.text,
            "points": question.points,
            "scoring": scoring_text(question.kind, question.scoring_rule,
                                    case_sensitive=bool((question.key or {}).get("case_sensitive"))),
            "choices": [{"id": uid, "text": by_uid[uid].text} for uid in order],
            "answer": row.response,
        })
        if level in ("correctness", "full"):
            item = {"id": question.pk, "points_awarded": row.points, "max_points": row.max_points,
                    "status": _status(row)}
            if level == "full":
                key = question_key(question)
                item["correct_answer"] = grading.correct_answer(key)
                item["explanation"] = question.explanation
                item["choices"] = [
                    {"id": uid, "is_correct": by_uid[uid].is_correct if question.kind != "ordering" else None,
                     "position": by_uid[uid].position if question.kind == "ordering" else None,
                     "feedback": by_uid[uid].feedback}
                    for uid in order
                ]
            review.append(item)
    seconds_left = None
    if attempt.is_open and attempt.deadline:
        seconds_left = max(0, int((attempt.deadline - now).total_seconds()))
    result = None
    if graded:
        # A just graded attempt carries the grade computed while grading it (services.attempt_submit).
        overall = getattr(attempt, "quiz_grade_percent", None)
        if overall is None:
            overall = quiz_overall_percent(quiz=quiz, user_id=attempt.user_id)
        result = {
            "score": attempt.score, "max_score": attempt.max_score, "percent": attempt.percent,
            "passed": attempt.passed, "pass_percent": quiz.pass_percent, "review": level,
            "quiz_grade_percent": overall, "quiz_passed": grading.passed(overall, quiz.pass_percent),
            "questions": review if level in ("correctness", "full") else None,
        }
    return {
        "id": attempt.pk, "quiz": quiz.pk, "quiz_title": quiz.title, "user": attempt.user.username,
        "number": attempt.number, "state": attempt.state, "started_at": attempt.started_at,
        "deadline": attempt.deadline, "seconds_left": seconds_left, "last_saved_at": attempt.last_saved_at,
        "submitted_at": attempt.submitted_at, "auto_submitted": attempt.auto_submitted,
        "questions": questions, "result": result,
    }


def _status(row):
    if row.response is None or row.response == []:
        return "unanswered"
    if row.fraction is None:
        return None
    if row.fraction >= 1 - 1e-9:
        return "correct"
    return "incorrect" if row.fraction <= 1e-9 else "partial"


def questions_of(*, quiz):
    """Return a quiz's questions with their choices, for authoring."""
    return list(Question.objects.filter(quiz=quiz).prefetch_related("choices"))


# --- analytics ----------------------------------------------------------------------------------------------


def _graded_attempts(quiz):
    return list(
        Attempt.objects.filter(quiz=quiz, state=Attempt.State.GRADED).select_related("user").order_by("user_id", "number")
    )


def quiz_stats(*, quiz, which="all"):
    """Return item analytics of ``quiz`` over the attempts that count (``first``, ``last`` or ``all``).

    Per question: facility index (share of the points earned), discrimination index (correlation of the
    item score with the rest of the quiz) and, for choice questions, how often each choice was picked.
    Three queries, whatever the number of attempts and questions.
    """
    attempts = analytics.counted_attempts(_graded_attempts(quiz), which)
    attempt_ids = [a.pk for a in attempts]
    questions = questions_of(quiz=quiz)
    rows = list(AttemptAnswer.objects.filter(attempt_id__in=attempt_ids).values(
        "attempt_id", "question_id", "response", "points", "max_points"))
    per_question = {q.pk: [] for q in questions}
    for row in rows:
        per_question.setdefault(row["question_id"], []).append(row)
    totals = {a.pk: a.score or 0.0 for a in attempts}
    items = []
    for question in questions:
        answered = per_question.get(question.pk, [])
        points = [r["points"] or 0.0 for r in answered]
        max_points = [r["max_points"] or 0.0 for r in answered]
        rest = [totals[r["attempt_id"]] - (r["points"] or 0.0) for r in answered]
        picks = None
        if question.kind in grading.CHOICE_KINDS and question.kind != "ordering":
            counts = {c.uid: 0 for c in question.choices.all()}
            for r in answered:
                response = r["response"]
                for uid in (response if isinstance(response, list) else [response] if response else []):
                    if uid in counts:
                        counts[uid] += 1
            picks = [{"id": c.uid, "text": c.text, "is_correct": c.is_correct, "count": counts[c.uid]}
                     for c in question.choices.all()]
        items.append({
            "id": question.pk, "kind": question.kind, "text": question.text,
            "attempts": len(answered),
            "unanswered": sum(1 for r in answered if r["response"] in (None, [])),
            "mean_points": round(sum(points) / len(points), 4) if points else None,
            "max_points": question.points,
            "facility_index": analytics.facility_index(points, max_points),
            "discrimination_index": analytics.discrimination_index(points, rest),
            "choices": picks,
        })
    percents = [a.percent or 0.0 for a in attempts]
    return {
        "quiz": quiz.pk, "which": which, "attempts": len(attempts),
        "learners": len({a.user_id for a in attempts}),
        "mean_percent": round(sum(percents) / len(percents), 4) if percents else None,
        "pass_rate": round(sum(1 for a in attempts if a.passed) / len(attempts), 4) if attempts else None,
        "distribution": analytics.distribution(percents),
        "questions": items,
    }


def attempts_export_rows(*, quiz, which="all"):
    """Yield the CSV rows of a quiz's graded attempts: a header, then one row per attempt, points per question."""
    attempts = analytics.counted_attempts(_graded_attempts(quiz), which)
    questions = list(Question.objects.filter(quiz=quiz).order_by("order", "id").values_list("pk", flat=True))
    points = {}
    for row in AttemptAnswer.objects.filter(attempt_id__in=[a.pk for a in attempts]).values_list(
        "attempt_id", "question_id", "points"
    ):
        points[(row[0], row[1])] = row[2]
    yield ["attempt", "username", "number", "started_at", "submitted_at", "auto_submitted", "score",
           "max_score", "percent", "passed"] + [f"q{qid}" for qid in questions]
    for a in attempts:
        yield [a.pk, a.user.username, a.number, a.started_at.isoformat(),
               a.submitted_at.isoformat() if a.submitted_at else "", int(a.auto_submitted), a.score, a.max_score,
               a.percent, int(bool(a.passed))] + [
            "" if points.get((a.pk, qid)) is None else points[(a.pk, qid)] for qid in questions
        ]


def _csv_cell(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: quote it (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def attempts_export_csv(*, quiz, which="all"):
    """Return the CSV text of a quiz's counted attempts (see ``attempts_export_rows``), formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in attempts_export_rows(quiz=quiz, which=which):
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue()
