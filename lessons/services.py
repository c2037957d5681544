"""Everything that writes courses, lessons and progress."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import LessonProgress


# ``last_viewed_at`` is kept to this resolution: a view within it of the recorded one writes nothing, so
# reading a lesson again and again costs one SELECT and no write.
LAST_VIEWED_RESOLUTION = timedelta(minutes=15)


def _progress_row(*, user, lesson):
    try:
        with transaction.atomic():
            return LessonProgress.objects.get_or_create(user=user, lesson=lesson)[0]
    except IntegrityError:  # created by a concurrent request
        return LessonProgress.objects.get(user=user, lesson=lesson)


def _progress_ensure(*, user, lesson):
    """Make sure the progress row of ``user`` and ``lesson`` exists: one INSERT ... ON CONFLICT DO NOTHING."""
    LessonProgress.objects.bulk_create([LessonProgress(user=user, lesson=lesson)], ignore_conflicts=True)


_NOT_READ = object()


def progress_record_view(*, user, lesson, now=None, current=_NOT_READ):
    """Record that ``user`` viewed ``lesson`` and return the progress row.

    The row is written only when something changes: the first view creates it (or sets ``first_viewed_at``
    on a row that completing or mastering created), and ``last_viewed_at`` moves only when the recorded
    view is more than LAST_VIEWED_RESOLUTION old. Any other view reads the row and writes nothing; a
    caller that read it already passes it as ``current`` (None if there was none), and then nothing runs.
    """
    now = now or timezone.now()
    row = LessonProgress.objects.filter(user=user, lesson=lesson).first() if current is _NOT_READ else current
    if row is None:
        try:
            with transaction.atomic():
                return LessonProgress.objects.create(user=user, lesson=lesson, first_viewed_at=now, last_viewed_at=now)
        except IntegrityError:  # created by a concurrent request
            row = LessonProgress.objects.get(user=user, lesson=lesson)
    changes = {}
    if row.first_viewed_at is None:
        changes["first_viewed_at"] = Coalesce("first_viewed_at", Value(now))
    if row.last_viewed_at is None or now - row.last_viewed_at >= LAST_VIEWED_RESOLUTION:
        changes["last_viewed_at"] = now
    if changes:
        LessonProgress.objects.filter(pk=row.pk).update(**changes)
        row.first_viewed_at = row.first_viewed_at or now
        row.last_viewed_at = now
    return row


def progress_mark_complete(*, user, lesson, now=None):
    """Mark ``lesson`` complete for ``user`` (kept as the first completion time)."""
    now = now or timezone.now()
    row = _progress_row(user=user, lesson=lesson)
    LessonProgress.objects.filter(pk=row.pk, completed_at__isnull=True).update(completed_at=now)
    return row


def progress_mark_mastered(*, user, lesson, now=None):
    """Mark ``lesson`` mastered (a quiz of it was passed) and complete for ``user``.

    Two statements whatever the row's state: ensure the row exists, then set the times still unset (the
    first mastery and completion times are kept).
    """
    now = now or timezone.now()
    _progress_ensure(user=user, lesson=lesson)
    LessonProgress.objects.filter(user=user, lesson=lesson).filter(
        Q(mastered_at__isnull=True) | Q(completed_at__isnull=True)
    ).update(mastered_at=Coalesce("mastered_at", Value(now)), completed_at=Coalesce("completed_at", Value(now)))


class ContentError(Exception):
    """Authoring input that cannot be saved; ``errors`` maps field names to messages."""

    def __init__(self, errors):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


COURSE_FIELDS = ("title", "slug", "summary", "description", "order", "published")
LESSON_FIELDS = ("title", "slug", "summary", "body", "order", "estimated_minutes", "is_pro", "published")


def _check_slug(model, slug, instance=None):
    taken = model.objects.filter(slug=slug)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ContentError({"slug": f"The slug '{slug}' is already used by another {model._meta.verbose_name}."})


@transaction.atomic
def course_save(*, course=None, **fields):
    """Create a course, or update ``course`` with ``fields`` (any of COURSE_FIELDS)."""
    from .models import Course

    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ContentError({name: "is not a course field." for name in sorted(unknown)})
    if "slug" in fields:
        _check_slug(Course, fields["slug"], course)
    course = course or Course()
    for name, value in fields.items():
        setattr(course, name, value)
    course.save()
    return course


def _set_prerequisites(lesson, slugs):
    from .models import Lesson

    found = {l.slug: l for l in Lesson.objects.filter(slug__in=slugs, course_id=lesson.course_id)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ContentError({"prerequisites": f"No lesson {', '.join(missing)} in the course {lesson.course.slug}."})
    if lesson.slug in found:
        raise ContentError({"prerequisites": "A lesson cannot be its own prerequisite."})
    lesson.prerequisites.set([found[slug] for slug in slugs])


@transaction.atomic
def lesson_save(*, lesson=None, course=None, prerequisites=None, **fields):
    """Create a lesson in ``course``, or update ``lesson``; ``prerequisites`` is a list of lesson slugs."""
    from .models import Lesson

    unknown = set(fields) - set(LESSON_FIELDS)
    if unknown:
        raise ContentError({name: "is not a lesson field." for name in sorted(unknown)})
    if "slug" in fields:
        _check_slug(Lesson, fields["slug"], lesson)
    lesson = lesson or Lesson(course=course)
    if course is not None:
        lesson.course = course
    for name, value in fields.items():
        setattr(lesson, name, value)
    lesson.save()
    if prerequisites is not None:
        _set_prerequisites(lesson, prerequisites)
    return lesson


@transaction.atomic
def lessons_reorder(*, course, slugs):
    """Put the course's lessons in the order of ``slugs``, which must name each of them exactly once."""
    lessons = {lesson.slug: lesson for lesson in course.lessons.select_for_update()}
    if sorted(slugs) != sorted(lessons) or len(set(slugs)) != len(slugs):
        missing = sorted(set(lessons) - set(slugs))
        extra = sorted(set(slugs) - set(lessons))
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"not in this course: {', '.join(extra)}")
        if len(set(slugs)) != len(slugs):
            parts.append("a lesson is listed twice")
        raise ContentError({"lessons": "List every lesson of the course exactly once (" + "; ".join(parts) + ")."})
    for position, slug in enumerate(slugs, start=1):
        lessons[slug].order = position
    course.lessons.model.objects.bulk_update(lessons.values(), ["order"])
    return [lessons[slug] for slug in slugs]


def publish_set(*, obj, published):
    """Publish or unpublish a course or a lesson."""
    obj.published = published
    obj.save(update_fields=["published", "updated_at"])
    return obj
