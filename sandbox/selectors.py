"""Reads of assignments and jobs for the pages and the API."""

from django.db.models import Count, Max, Q

from lessons import access as lesson_access

from .models import Assignment, TrainingJob


def assignments_visible(*, user):
    """Return the assignments ``user`` may see: published ones outside draft lessons and courses, or all for instructors."""
    assignments = Assignment.objects.select_related("lesson", "lesson__course")
    if lesson_access.sees_drafts(user):
        return assignments
    return assignments.filter(published=True).filter(
        Q(lesson__isnull=True) | Q(lesson__published=True, lesson__course__published=True))


def assignments_for_lesson(*, lesson, user):
    """Return the assignments of ``lesson`` that ``user`` may see, as light rows for listing on its page.

    ``lesson`` comes with its course loaded, so the visibility rules of ``assignments_visible`` are applied
    to it here rather than joined into the query. Only the fields a listing shows are loaded (not the
    datasets, hidden splits or starter code), and ``assignment.lesson`` is the ``lesson`` given.
    """
    assignments = Assignment.objects.filter(lesson=lesson)
    if not lesson_access.sees_drafts(user):
        if not (lesson.published and lesson.course.published):
            return []
        assignments = assignments.filter(published=True)
    assignments = list(
        assignments.only("lesson_id", "title", "slug", "kind", "is_pro", "published", "order", "points")
        .order_by("order", "id")
    )
    for assignment in assignments:
        assignment.lesson = lesson
    return assignments


def is_author(*, user, assignment):
    """Return True if ``user`` may see all of ``assignment`` (hidden split, scores): staff, or the instructor who made it."""
    return user.is_staff_member or (user.is_instructor and assignment.created_by_id in (None, user.pk))


def jobs_visible(*, user):
    """Return the jobs ``user`` may read: their own; instructors also those on their assignments; staff all."""
    jobs = TrainingJob.objects.select_related("assignment", "user")
    if user.is_staff_member:
        return jobs
    if user.is_instructor:
        return jobs.filter(Q(user=user) | Q(assignment__created_by=user))
    return jobs.filter(user=user)


def job_for(*, user, job_id):
    """Return the job with ``job_id`` if ``user`` may read it, else None."""
    return jobs_visible(user=user).filter(pk=job_id).first()


def assignment_scores(*, assignment):
    """Return one row per learner: best score, number of runs, last run time."""
    rows = (
        TrainingJob.objects.filter(assignment=assignment)
        .values("user__username")
        .annotate(best_score=Max("score"), runs=Count("id"), last_run=Max("created_at"),
                  passed=Count("id", filter=Q(grade__passed=True)))
        .order_by("-best_score", "user__username")
    )
    return [
        {"username": r["user__username"], "best_score": r["best_score"], "runs": r["runs"], "last_run": r["last_run"],
         "passed": r["passed"] > 0}
        for r in rows
    ]
