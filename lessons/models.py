"""Courses, their lessons, and each learner's progress through them."""

from django.conf import settings
from django.db import models


class Course(models.Model):
    """A sequence of lessons on one subject."""

    title = models.CharField("title", max_length=200)
    slug = models.SlugField("slug", max_length=100, unique=True)
    summary = models.CharField("summary", max_length=300, blank=True)
    description = models.TextField("description (Markdown)", blank=True)
    order = models.PositiveIntegerField("order in the catalogue", default=0)
    published = models.BooleanField("published", default=False)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = "course"
        verbose_name_plural = "courses"

    def __str__(self):
        return self.title


class Lesson(models.Model):
    """One page of a course: Markdown prose, diagrams and code, optionally for Pro members only."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField("title", max_length=200)
    slug = models.SlugField("slug", max_length=100, unique=True)
    summary = models.CharField("summary", max_length=300, blank=True)
    body = models.TextField("body (Markdown)", blank=True)
    order = models.PositiveIntegerField("order in the course", default=0)
    estimated_minutes = models.PositiveIntegerField("estimated minutes", default=10)
    is_pro = models.BooleanField("Pro only", default=False)
    published = models.BooleanField("published", default=False)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks", verbose_name="prerequisites"
    )
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        ordering = ["course", "order", "id"]
        verbose_name = "lesson"
        verbose_name_plural = "lessons"

    def __str__(self):
        return self.title


class LessonProgress(models.Model):
    """What one learner has done with one lesson: viewed, completed, mastered (passed its quiz)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    first_viewed_at = models.DateTimeField("first viewed at", null=True, blank=True)
    last_viewed_at = models.DateTimeField("last viewed at", null=True, blank=True)
    completed_at = models.DateTimeField("completed at", null=True, blank=True)
    mastered_at = models.DateTimeField("mastered at", null=True, blank=True, help_text="When a quiz of the lesson was passed.")

    class Meta:
        ordering = ["user", "lesson"]
        verbose_name = "lesson progress"
        verbose_name_plural = "lesson progress"
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="one_progress_row_per_user_and_lesson")]

    def __str__(self):
        return f"{self.user} · {self.lesson}"
