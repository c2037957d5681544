"""Everything that writes lessons and progress."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import LessonProgress


def _progress_row(*, user, lesson):
    try:
        with transaction.atomic():
            return LessonProgress.objects.get_or_create(user=user, lesson=lesson)[0]
    except IntegrityError:  # created by a concurrent request
        return LessonProgress.objects.get(user=user, lesson=lesson)


def progress_record_view(*, user, lesson, now=None):
    """Record that ``user`` viewed ``lesson``."""
    now = now or timezone.now()
    row = _progress_row(user=user, lesson=lesson)
    LessonProgress.objects.filter(pk=row.pk, first_viewed_at__isnull=True).update(first_viewed_at=now)
    LessonProgress.objects.filter(pk=row.pk).update(last_viewed_at=now)
    return row


def progress_mark_complete(*, user, lesson, now=None):
    """Mark ``lesson`` complete for ``user`` (kept as the first completion time)."""
    now = now or timezone.now()
    row = _progress_row(user=user, lesson=lesson)
    LessonProgress.objects.filter(pk=row.pk, completed_at__isnull=True).update(completed_at=now)
    return row


def progress_mark_mastered(*, user, lesson, now=None):
    """Mark ``lesson`` mastered (a quiz of it was passed) and complete for ``user``."""
    now = now or timezone.now()
    row = _progress_row(user=user, lesson=lesson)
    LessonProgress.objects.filter(pk=row.pk, mastered_at__isnull=True).update(mastered_at=now)
    LessonProgress.objects.filter(pk=row.pk, completed_at__isnull=True).update(completed_at=now)
    return row
