"""Quizzes, their questions and choices, learners' attempts and answers, and regrades.

The answer key of a question lives in two places and nowhere else: ``Choice.is_correct`` /
``Choice.position`` for the choice-based kinds, and ``Question.key`` for numeric and short-text
questions. Learner-facing code reads them only through ``grading`` and ``services.attempt_review``.
"""

import secrets

from django.conf import settings
from django.db import models


def new_choice_uid():
    """Return an opaque, random choice id: it says nothing about the choice's place or correctness."""
    return secrets.token_urlsafe(8)


class Quiz(models.Model):
    """A set of questions with its rules: attempts, grading over attempts, shuffling, time and review."""

    class GradingPolicy(models.TextChoices):
        HIGHEST = "highest", "Highest attempt"
        LATEST = "latest", "Latest attempt"
        FIRST = "first", "First attempt"
        AVERAGE = "average", "Average of attempts"

    class ReviewDetail(models.TextChoices):
        SCORE = "score", "Score only"
        CORRECTNESS = "correctness", "Score and which answers were right"
        FULL = "full", "Everything: right answers, explanations and feedback"

    class ReviewWhen(models.TextChoices):
        IMMEDIATELY = "immediately", "Immediately after submitting"
        AFTER_CLOSE = "after_close", "After the quiz closes"

    title = models.CharField("title", max_length=200)
    slug = models.SlugField("slug", max_length=100, unique=True)
    description = models.TextField("description", blank=True)
    lesson = models.ForeignKey(
        "lessons.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes",
        verbose_name="lesson",
        help_text="Passing the quiz marks this lesson mastered.",
    )
    order = models.PositiveIntegerField("order in the lesson", default=0)
    published = models.BooleanField("published", default=False)
    attempts_allowed = models.PositiveIntegerField(
        "attempts allowed", null=True, blank=True, help_text="Leave empty for unlimited attempts."
    )
    grading_policy = models.CharField(
        "grading policy", max_length=16, choices=GradingPolicy.choices, default=GradingPolicy.HIGHEST
    )
    pass_percent = models.FloatField("pass mark (%)", default=60.0)
    shuffle_questions = models.BooleanField("shuffle questions", default=True)
    shuffle_choices = models.BooleanField("shuffle choices", default=True)
    draw_count = models.PositiveIntegerField(
        "questions drawn per attempt", null=True, blank=True,
        help_text="Draw this many questions at random from the quiz's pool; empty means all of them.",
    )
    time_limit_seconds = models.PositiveIntegerField(
        "time limit (seconds)", null=True, blank=True, help_text="Empty means no time limit."
    )
    opens_at = models.DateTimeField("opens at", null=True, blank=True)
    closes_at = models.DateTimeField("closes at", null=True, blank=True)
    review_detail = models.CharField(
        "review shows", max_length=16, choices=ReviewDetail.choices, default=ReviewDetail.FULL
    )
    review_when = models.CharField(
        "review is shown", max_length=16, choices=ReviewWhen.choices, default=ReviewWhen.IMMEDIATELY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="quizzes_created", verbose_name="created by",
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        ordering = ["lesson_id", "order", "id"]
        verbose_name = "quiz"
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_percent__gte=0) & models.Q(pass_percent__lte=100), name="quiz_pass_percent_0_100"
            ),
        ]

    def __str__(self):
        return self.title


class Question(models.Model):
    """One question of a quiz, with its points, scoring rule, explanation and key."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TRUE_FALSE = "true_false", "True / false"
        NUMERIC = "numeric", "Numeric"
        SHORT_TEXT = "short_text", "Short text"
        ORDERING = "ordering", "Ordering"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name="quiz")
    kind = models.CharField("kind", max_length=16, choices=Kind.choices)
    text = models.TextField("question text")
    points = models.FloatField("points", default=1.0)
    explanation = models.TextField("explanation", blank=True, help_text="Shown in the full review.")
    scoring_rule = models.CharField(
        "scoring rule", max_length=32, blank=True,
        help_text="multiple: right_minus_wrong (default) or all_or_nothing; "
        "ordering: positions (default), adjacent_pairs or all_or_nothing.",
    )
    # The key of numeric and short-text questions (empty for the choice-based kinds):
    # numeric:    {"answers": [{"value": 3.14, "tolerance": 0.01, "mode": "absolute"|"relative", "fraction": 1.0}]}
    # short_text: {"answers": [{"text": "backpropagation", "fraction": 1.0}],
    #              "patterns": [{"regex": "back ?prop(agation)?", "fraction": 1.0}], "case_sensitive": false}
    key = models.JSONField("key", default=dict, blank=True)
    order = models.PositiveIntegerField("order", default=0)
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        ordering = ["quiz", "order", "id"]
        verbose_name = "question"
        verbose_name_plural = "questions"
        constraints = [models.CheckConstraint(condition=models.Q(points__gte=0), name="question_points_not_negative")]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"{self.get_kind_display()}: {text}"


class Choice(models.Model):
    """An option of a single, multiple, true/false or ordering question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name="question")
    uid = models.CharField("public id", max_length=16, unique=True, default=new_choice_uid, editable=False)
    text = models.CharField("text", max_length=500)
    is_correct = models.BooleanField("correct", default=False, help_text="Single, multiple and true/false questions.")
    position = models.PositiveIntegerField(
        "correct position", null=True, blank=True, help_text="Ordering questions: the item's place, from 1."
    )
    feedback = models.TextField("feedback", blank=True, help_text="Shown in the full review when picked.")
    order = models.PositiveIntegerField("order shown when not shuffled", default=0)

    class Meta:
        ordering = ["question", "order", "id"]
        verbose_name = "choice"
        verbose_name_plural = "choices"

    def __str__(self):
        return self.text


class Attempt(models.Model):
    """One learner's go at a quiz: started, answers saved any number of times, then submitted and graded."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        GRADED = "graded", "Graded"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts", verbose_name="quiz")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name="learner"
    )
    number = models.PositiveIntegerField("attempt number")
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    seed = models.BigIntegerField("shuffle seed")
    started_at = models.DateTimeField("started at")
    deadline = models.DateTimeField("deadline", null=True, blank=True)
    last_saved_at = models.DateTimeField("last saved at", null=True, blank=True)
    submitted_at = models.DateTimeField("submitted at", null=True, blank=True)
    auto_submitted = models.BooleanField(
        "submitted at the deadline", default=False, help_text="Submitted by the server when the time ran out."
    )
    score = models.FloatField("points scored", null=True, blank=True)
    max_score = models.FloatField("points possible", null=True, blank=True)
    percent = models.FloatField("score (%)", null=True, blank=True)
    passed = models.BooleanField("passed", null=True, blank=True)

    class Meta:
        ordering = ["quiz", "user", "number"]
        verbose_name = "attempt"
        verbose_name_plural = "attempts"
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "number"], name="attempt_number_unique_per_learner"),
            models.UniqueConstraint(
                fields=["quiz", "user"], condition=models.Q(state="in_progress"), name="one_open_attempt_per_learner"
            ),
        ]
        indexes = [models.Index(fields=["quiz", "state"], name="attempt_quiz_state")]

    def __str__(self):
        return f"{self.user} · {self.quiz} · attempt {self.number}"

    @property
    def is_open(self):
        return self.state == self.State.IN_PROGRESS


class AttemptAnswer(models.Model):
    """One question as drawn into one attempt: its place, its choices' order, the saved answer and its grade."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers", verbose_name="attempt")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", verbose_name="question")
    position = models.PositiveIntegerField("position in the attempt")
    # The order the choices are shown in: a list of Choice.uid, e.g. ["h3Kx9aQ2", "Zq81mPw0"]; [] for
    # numeric and short-text questions.
    choice_order = models.JSONField("choice order", default=list, blank=True)
    # The learner's saved answer, already validated; null means unanswered. Shape by kind:
    # single, true_false: "<choice uid>"; multiple: ["<uid>", ...]; numeric: 3.14;
    # short_text: "text"; ordering: ["<uid>", ...] (every item, in the learner's order).
    response = models.JSONField("answer", null=True, blank=True)
    fraction = models.FloatField("fraction of the points", null=True, blank=True)
    points = models.FloatField("points awarded", null=True, blank=True)
    max_points = models.FloatField("points possible", null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        verbose_name = "attempt answer"
        verbose_name_plural = "attempt answers"
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="question_once_per_attempt"),
        ]

    def __str__(self):
        return f"{self.attempt} · question {self.position}"


class Regrade(models.Model):
    """A request to re-score every graded attempt of one question after its key was fixed."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="regrades", verbose_name="question")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="requested by",
    )
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.PENDING)
    requested_at = models.DateTimeField("requested at", auto_now_add=True)
    finished_at = models.DateTimeField("finished at", null=True, blank=True)
    attempts_regraded = models.PositiveIntegerField("attempts regraded", default=0)
    attempts_changed = models.PositiveIntegerField("attempts whose score changed", default=0)
    error = models.TextField("error", blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "regrade"
        verbose_name_plural = "regrades"

    def __str__(self):
        return f"Regrade of question {self.question_id} ({self.get_state_display()})"


class RegradeChange(models.Model):
    """One attempt's scores before and after a regrade."""

    regrade = models.ForeignKey(Regrade, on_delete=models.CASCADE, related_name="changes", verbose_name="regrade")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="regrade_changes", verbose_name="attempt")
    old_points = models.FloatField("question points before")
    new_points = models.FloatField("question points after")
    old_score = models.FloatField("attempt score before")
    new_score = models.FloatField("attempt score after")
    old_percent = models.FloatField("attempt % before")
    new_percent = models.FloatField("attempt % after")

    class Meta:
        ordering = ["regrade", "attempt"]
        verbose_name = "regrade change"
        verbose_name_plural = "regrade changes"
        constraints = [models.UniqueConstraint(fields=["regrade", "attempt"], name="regrade_change_once_per_attempt")]

    def __str__(self):
        return f"{self.attempt}: {self.old_score:g} -> {self.new_score:g}"
