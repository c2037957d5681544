"""Reads of courses, lessons and progress shared by the pages and the API (a fixed number of queries each)."""

from django.db.models import Count, FilteredRelation, Prefetch, Q

from . import access
from .models import Course, Lesson, LessonProgress


def _visible_lessons(user):
    lessons = Lesson.objects.all()
    return lessons if access.sees_drafts(user) else lessons.filter(published=True)


def courses_for_catalogue(*, user):
    """Return the courses ``user`` may see, each with ``lesson_count`` of the lessons they may see."""
    courses = Course.objects.all()
    lesson_filter = Q()
    if not access.sees_drafts(user):
        courses = courses.filter(published=True)
        lesson_filter = Q(lessons__published=True)
    return courses.annotate(lesson_count=Count("lessons", filter=lesson_filter))


def course_with_lessons(*, slug, user):
    """Return the course with ``slug`` and its visible lessons prefetched as ``visible_lessons``, or None."""
    lessons = _visible_lessons(user).order_by("order", "id")
    course = (
        Course.objects.filter(slug=slug)
        .prefetch_related(Prefetch("lessons", queryset=lessons, to_attr="visible_lessons"))
        .first()
    )
    if course is None or not access.course_is_visible(course, user):
        return None
    return course


def lesson_with_course(*, slug, user, with_progress=False):
    """Return the visible lesson with ``slug``, its course and prerequisites loaded, or None.

    ``with_progress`` also reads, in the same query, the learner's progress row as ``lesson.viewer_progress``
    (None when there is none yet, and for anonymous visitors).
    """
    lessons = (
        Lesson.objects.filter(slug=slug)
        .select_related("course")
        .prefetch_related(Prefetch("prerequisites", queryset=Lesson.objects.only("slug", "title", "course_id")))
    )
    read_progress = with_progress and user.is_authenticated
    if read_progress:
        # A left join on at most one row: (user, lesson) is unique in LessonProgress.
        lessons = lessons.annotate(
            _viewer_progress=FilteredRelation("progress", condition=Q(progress__user=user))
        ).select_related("_viewer_progress")
    lesson = lessons.first()
    if lesson is None or not access.lesson_is_visible(lesson, user):
        return None
    if with_progress:
        # Django sets the attribute only when the joined row exists.
        lesson.viewer_progress = getattr(lesson, "_viewer_progress", None) if read_progress else None
    return lesson


def neighbours(*, lesson, user):
    """Return the previous and next visible lessons of the same course (either may be None)."""
    siblings = list(_visible_lessons(user).filter(course_id=lesson.course_id).order_by("order", "id").only("slug", "title", "order"))
    ids = [s.pk for s in siblings]
    if lesson.pk not in ids:
        return None, None
    i = ids.index(lesson.pk)
    return (siblings[i - 1] if i > 0 else None), (siblings[i + 1] if i + 1 < len(siblings) else None)


def progress_by_lesson(*, user, lesson_ids):
    """Return ``{lesson_id: LessonProgress}`` for ``user`` (empty for anonymous users)."""
    if not user.is_authenticated:
        return {}
    rows = LessonProgress.objects.filter(user=user, lesson_id__in=list(lesson_ids))
    return {row.lesson_id: row for row in rows}


def course_completion(*, lessons, progress):
    """Return the percentage (0-100, an int) of ``lessons`` completed according to ``progress``."""
    if not lessons:
        return 0
    done = sum(1 for lesson in lessons if lesson.pk in progress and progress[lesson.pk].completed_at)
    return round(100 * done / len(lessons))


def progress_overview(*, user):
    """Return the learner's progress per published course: completion % and each lesson's state."""
    courses = courses_for_catalogue(user=user).prefetch_related(
        Prefetch("lessons", queryset=_visible_lessons(user).order_by("order", "id"), to_attr="visible_lessons")
    )
    courses = list(courses)
    progress = progress_by_lesson(user=user, lesson_ids=[l.pk for c in courses for l in c.visible_lessons])
    overview = []
    for course in courses:
        lessons = []
        for lesson in course.visible_lessons:
            row = progress.get(lesson.pk)
            lessons.append({
                "slug": lesson.slug,
                "title": lesson.title,
                "viewed": bool(row and row.first_viewed_at),
                "completed": bool(row and row.completed_at),
                "mastered": bool(row and row.mastered_at),
                "completed_at": row.completed_at if row else None,
            })
        overview.append({
            "course": course.slug,
            "title": course.title,
            "completion_percent": course_completion(lessons=course.visible_lessons, progress=progress),
            "lessons": lessons,
        })
    return overview
