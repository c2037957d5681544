"""Quiz pages: the quiz and my attempts, taking an attempt (works without JavaScript), the result and review.

They call the same services and selectors as the API.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .models import Attempt


def _refused(request, exc, quiz=None):
    if exc.status == 404:
        raise Http404(exc.message)
    return render(request, "quizzes/refused.html", {"message": exc.message, "quiz": quiz}, status=exc.status)


@login_required
def quiz_list(request):
    """List the quizzes the learner may take."""
    quizzes = selectors.quizzes_visible_to(user=request.user).order_by("lesson__course__order", "lesson__order", "order", "id")
    return render(request, "quizzes/quiz_list.html", {"quizzes": quizzes})


@login_required
def quiz_detail(request, quiz_id):
    """Show a quiz's rules, the learner's past attempts and a button to start or continue."""
    try:
        quiz = selectors.quiz_get(quiz_id=quiz_id)
        services.quiz_check_access(quiz=quiz, user=request.user)
    except services.QuizError as exc:
        return _refused(request, exc)
    attempts = selectors.attempts_of(quiz=quiz, user=request.user)
    summary = selectors.quiz_summary_for(quiz=quiz, user=request.user, attempts=attempts)
    return render(request, "quizzes/quiz_detail.html", {"quiz": quiz, "attempts": attempts, "summary": summary})


@login_required
@require_POST
def attempt_start(request, quiz_id):
    """Start an attempt (or go back to the open one) and show it."""
    try:
        quiz = selectors.quiz_get(quiz_id=quiz_id)
        attempt, _ = services.attempt_start(quiz=quiz, user=request.user)
    except services.QuizError as exc:
        if exc.status in (403, 409) and exc.code != "pro_required":
            messages.error(request, exc.message)
            return redirect("quizzes:detail", quiz_id=quiz_id)
        return _refused(request, exc)
    return redirect("quizzes:take", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id):
    return selectors.attempt_for(attempt_id=attempt_id, user=request.user)


def answers_from_form(questions, post):
    """Return ``({question id: answer}, {question id: message})`` from the take page's form data.

    Only the questions present in the form (``present-<id>``) are read, so a page that lost one never clears it.
    """
    answers, errors = {}, {}
    for question in questions:
        qid = question["id"]
        if f"present-{qid}" not in post:
            continue
        name = f"q{qid}"
        kind = question["kind"]
        if kind == "multiple":
            answers[qid] = post.getlist(name)
        elif kind == "ordering":
            places = {}
            for choice in question["choices"]:
                try:
                    places[choice["id"]] = int(post.get(f"{name}-{choice['id']}", ""))
                except ValueError:
                    places[choice["id"]] = None
            if any(p is None for p in places.values()) or sorted(places.values()) != list(range(1, len(places) + 1)):
                errors[qid] = "Give each item a different place, from 1 to {}.".format(len(places))
                continue
            answers[qid] = sorted(places, key=places.get)
        else:
            value = post.get(name, "")
            answers[qid] = value if value.strip() != "" else None
    return answers, errors


def _take_rows(view, posted=None, errors=None):
    """Return the questions with what the form shows: the posted values after an error, else the saved answers."""
    rows = []
    for question in view["questions"]:
        answer = question["answer"] if posted is None or question["id"] not in posted else posted[question["id"]]
        row = dict(question)
        row["error"] = (errors or {}).get(question["id"])
        if question["kind"] in ("single", "true_false"):
            row["selected"] = [answer] if answer else []
        elif question["kind"] == "multiple":
            row["selected"] = list(answer or [])
        elif question["kind"] == "ordering":
            order = answer if isinstance(answer, list) and len(answer) == len(question["choices"]) else [
                c["id"] for c in question["choices"]]
            place = {uid: index for index, uid in enumerate(order, start=1)}
            row["items"] = [{"id": c["id"], "text": c["text"], "place": place.get(c["id"], 1)} for c in question["choices"]]
            row["places"] = list(range(1, len(question["choices"]) + 1))
        else:
            row["value"] = "" if answer is None else (format(answer, ".15g") if isinstance(answer, float) else str(answer))
        rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def attempt_take(request, attempt_id):
    """Show an open attempt as one form; save (also by autosave), or submit it."""
    try:
        attempt = _own_attempt(request, attempt_id)
    except services.QuizError as exc:
        return _refused(request, exc)
    autosave = request.POST.get("action") == "autosave"
    if services.attempt_close_if_overdue(attempt=attempt) or not attempt.is_open:
        if autosave:
            return JsonResponse({"detail": "This attempt has been submitted.", "code": "already_submitted"}, status=409)
        return redirect("quizzes:result", attempt_id=attempt.pk)
    view = selectors.attempt_view(attempt=attempt, viewer=request.user)
    if request.method == "GET":
        return render(request, "quizzes/attempt_take.html", {"attempt": view, "rows": _take_rows(view)})

    answers, errors = answers_from_form(view["questions"], request.POST)
    if not errors:
        try:
            if request.POST.get("action") == "submit":
                services.attempt_submit(attempt=attempt, user=request.user, answers=answers)
                return redirect("quizzes:result", attempt_id=attempt.pk)
            services.attempt_save(attempt=attempt, user=request.user, answers=answers)
        except services.QuizConflict as exc:
            if autosave:
                return JsonResponse({"detail": exc.message, "code": exc.code}, status=409)
            messages.error(request, exc.message)
            return redirect("quizzes:result", attempt_id=attempt.pk)
        except services.QuizError as exc:
            for field, field_messages in exc.errors.items():
                qid = field.rsplit(".", 1)[-1]
                if qid.isdigit():
                    errors[int(qid)] = field_messages[0]
            if not errors:
                errors[0] = exc.message
    if autosave:
        if errors:
            return JsonResponse({"detail": "Some answers were not saved.", "code": "invalid",
                                 "errors": {str(k): [v] for k, v in errors.items()}}, status=400)
        return JsonResponse({"saved": True})
    if errors:
        form_error = errors.pop(0, "Some answers could not be saved; see the messages by each question.")
        return render(request, "quizzes/attempt_take.html",
                      {"attempt": view, "rows": _take_rows(view, answers, errors), "form_error": form_error}, status=400)
    messages.success(request, "Your answers are saved.")
    return redirect(reverse("quizzes:take", kwargs={"attempt_id": attempt.pk}))


@login_required
def attempt_result(request, attempt_id):
    """Show a submitted attempt's score and the review its quiz's policy allows."""
    try:
        attempt = _own_attempt(request, attempt_id)
    except services.QuizError as exc:
        return _refused(request, exc)
    if services.attempt_close_if_overdue(attempt=attempt):
        attempt = selectors.attempt_get(attempt_id=attempt_id)
    if attempt.state != Attempt.State.GRADED:
        return redirect("quizzes:take", attempt_id=attempt.pk)
    view = selectors.attempt_view(attempt=attempt, viewer=request.user)
    review = {item["id"]: item for item in (view["result"]["questions"] or [])}
    rows = []
    for question in view["questions"]:
        item = review.get(question["id"])
        choice_review = {c["id"]: c for c in (item or {}).get("choices", [])}
        answer = question["answer"]
        picked = set(answer if isinstance(answer, list) else [answer] if answer else [])
        rows.append({
            **question, "review": item,
            "choices": [{**c, "picked": c["id"] in picked, "review": choice_review.get(c["id"])} for c in question["choices"]],
            "answer_order": [next((c["text"] for c in question["choices"] if c["id"] == uid), uid)
                             for uid in (answer if question["kind"] == "ordering" and answer else [])],
            "correct_order": [next((c["text"] for c in question["choices"] if c["id"] == uid), uid)
                              for uid in (item.get("correct_answer") or [] if item and question["kind"] == "ordering" else [])],
        })
    return render(request, "quizzes/attempt_result.html", {"attempt": view, "rows": rows, "quiz": attempt.quiz})


def _instructor_quiz(request, quiz_id):
    if not request.user.is_instructor:
        raise services.QuizForbidden("Only instructors can see quiz statistics.")
    return selectors.quiz_get(quiz_id=quiz_id)


def _which(request):
    which = request.GET.get("attempts", "all")
    return which if which in ("all", "first", "last") else "all"


@login_required
def quiz_stats(request, quiz_id):
    """Instructors: item analytics of a quiz over the attempts that count (all, first or last)."""
    try:
        quiz = _instructor_quiz(request, quiz_id)
    except services.QuizError as exc:
        return _refused(request, exc)
    which = _which(request)
    stats = selectors.quiz_stats(quiz=quiz, which=which)
    peak = max([band["count"] for band in stats["distribution"]] + [1])
    for band in stats["distribution"]:
        band["width"] = round(100 * band["count"] / peak)
    return render(request, "quizzes/quiz_stats.html", {"quiz": quiz, "stats": stats, "which": which})


@login_required
def quiz_export(request, quiz_id):
    """Instructors: download the counted attempts as CSV (the same rows as the API export)."""
    try:
        quiz = _instructor_quiz(request, quiz_id)
    except services.QuizError as exc:
        return _refused(request, exc)
    response = HttpResponse(selectors.attempts_export_csv(quiz=quiz, which=_which(request)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{quiz.slug}-attempts.csv"'
    return response
