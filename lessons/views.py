"""Lesson pages: the catalogue, a course with progress ticks, a lesson with its table of contents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import access, selectors, services
from .rendering import render_markdown


def _lesson_extras(*, lesson, user):
    """Return what other apps attach to a lesson page: its quizzes and training assignments."""
    from quizzes.selectors import lesson_quizzes
    from sandbox.selectors import assignments_for_lesson

    return {
        "quizzes": lesson_quizzes(lesson=lesson, user=user),
        "assignments": assignments_for_lesson(lesson=lesson, user=user),
    }


def catalogue(request):
    """List the published courses."""
    courses = selectors.courses_for_catalogue(user=request.user)
    return render(request, "lessons/catalogue.html", {"courses": courses})


def course_detail(request, slug):
    """Show a course's lessons with the learner's ticks, completion and Pro locks."""
    course = selectors.course_with_lessons(slug=slug, user=request.user)
    if course is None:
        raise Http404("No such course.")
    lessons = course.visible_lessons
    progress = selectors.progress_by_lesson(user=request.user, lesson_ids=[l.pk for l in lessons])
    rows = [
        {"lesson": lesson, "progress": progress.get(lesson.pk), "locked": not access.lesson_is_unlocked(lesson, request.user)}
        for lesson in lessons
    ]
    context = {
        "course": course,
        "description": render_markdown(course.description).html if course.description else "",
        "rows": rows,
        "completion": selectors.course_completion(lessons=lessons, progress=progress),
    }
    return render(request, "lessons/course.html", context)


def lesson_detail(request, slug):
    """Show a lesson: its body and contents if unlocked, else its title, summary and an upgrade prompt."""
    user = request.user
    lesson = selectors.lesson_with_course(slug=slug, user=user, with_progress=True)
    if lesson is None:
        raise Http404("No such lesson.")
    unlocked = access.lesson_is_unlocked(lesson, user)
    previous, following = selectors.neighbours(lesson=lesson, user=user)
    context = {"lesson": lesson, "course": lesson.course, "unlocked": unlocked, "previous": previous, "next": following}
    if unlocked:
        context["rendered"] = render_markdown(lesson.body)
        if user.is_authenticated:
            context["progress"] = services.progress_record_view(user=user, lesson=lesson, current=lesson.viewer_progress)
        context.update(_lesson_extras(lesson=lesson, user=user))
    return render(request, "lessons/lesson.html", context)


@login_required
@require_POST
def lesson_complete(request, slug):
    """Mark a lesson complete for the learner."""
    lesson = selectors.lesson_with_course(slug=slug, user=request.user)
    if lesson is None:
        raise Http404("No such lesson.")
    if not access.lesson_is_unlocked(lesson, request.user):
        messages.error(request, "This is a Pro lesson; redeem a Pro code to read and complete it.")
        return redirect("lesson", slug=slug)
    services.progress_mark_complete(user=request.user, lesson=lesson)
    messages.success(request, f"Marked “{lesson.title}” as complete.")
    _, following = selectors.neighbours(lesson=lesson, user=request.user)
    return redirect("lesson", slug=following.slug) if following else redirect("course", slug=lesson.course.slug)
