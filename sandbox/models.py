"""Training assignments authored by instructors, and the training jobs learners submit."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Assignment(models.Model):
    """A graded training task: tune a network spec on a fixed dataset, or write code for an exercise."""

    class Kind(models.TextChoices):
        CONFIG = "config", "Network configuration"
        CODE = "code", "Code exercise"

    lesson = models.ForeignKey("lessons.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments")
    title = models.CharField("title", max_length=200)
    slug = models.SlugField("slug", max_length=100, unique=True)
    instructions = models.TextField("instructions (Markdown)", blank=True)
    kind = models.CharField("kind", max_length=16, choices=Kind.choices)
    is_pro = models.BooleanField("Pro only", default=False)
    published = models.BooleanField("published", default=False)
    order = models.PositiveIntegerField("order in the lesson", default=0)
    points = models.PositiveIntegerField("points", default=10)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="assignments_created")
    # Config assignments.
    # The dataset every submission trains on (the "dataset" part of a spec), e.g.
    # {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1}.
    dataset = models.JSONField("dataset", null=True, blank=True)
    # The hidden test split: more samples from the same distribution, drawn with a seed learners never
    # see: {"samples": 600, "seed": 424242}. Never sent to a learner.
    hidden_test = models.JSONField("hidden test split", null=True, blank=True)
    # Size limits on top of the learner's plan: {"max_parameters": 2000, "max_epochs": 400,
    # "max_samples": 2000, "max_wall_seconds": 30}; any key may be left out.
    limits = models.JSONField("limits", default=dict, blank=True)
    # A spec to start from (the dataset part is the assignment's): {"model": ..., "optimizer": ..., ...}.
    starter_spec = models.JSONField("starter spec", null=True, blank=True)
    # How hidden-test results become points: {"metric": "accuracy" | "loss", "thresholds":
    # [{"at": 0.85, "fraction": 0.6}, {"at": 0.95, "fraction": 1.0}], "pass_fraction": 0.6,
    # "bonus": {"max_parameters": 300, "points": 2}}.
    rubric = models.JSONField("rubric", null=True, blank=True)
    # Code exercises: a kind from the sandbox's registry, its parameters (never shown to learners),
    # e.g. {"function": "sigmoid", "points": {"values": 4, "gradient": 4, "extremes": 2}}, and starter code.
    exercise = models.CharField("exercise kind", max_length=50, blank=True)
    exercise_params = models.JSONField("exercise parameters", default=dict, blank=True)
    starter_code = models.TextField("starter code", blank=True)
    created_at = models.DateTimeField("created at", auto_now_add=True)
    updated_at = models.DateTimeField("updated at", auto_now=True)

    class Meta:
        ordering = ["lesson_id", "order", "id"]
        verbose_name = "assignment"
        verbose_name_plural = "assignments"

    def __str__(self):
        return self.title

    @property
    def needs_pro(self):
        """Return True if only Pro members may work on it: it is Pro, or its lesson is (like the lesson's quizzes)."""
        return self.is_pro or (self.lesson is not None and self.lesson.is_pro)


class TrainingJob(models.Model):
    """One run a learner submitted. The row is the truth; the broker only carries its id."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    class Kind(models.TextChoices):
        SPEC = "spec", "Network spec"
        CODE = "code", "Code"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_jobs")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    kind = models.CharField("kind", max_length=8, choices=Kind.choices)
    # The normalised spec that runs (the assignment's dataset filled in), or null for code.
    spec = models.JSONField("spec", null=True, blank=True)
    code = models.TextField("code", blank=True)
    status = models.CharField("status", max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # Why a job failed, for learners: invalid_spec, timed_out, cpu_limit, memory_limit, output_limit,
    # diverged, error_in_code, sandbox_violation, cancelled, worker_lost, sandbox_unavailable.
    reason = models.CharField("failure reason", max_length=32, blank=True)
    message = models.TextField("message", blank=True)
    attempts = models.PositiveIntegerField("attempts", default=0, help_text="Times a worker started this job.")
    cancel_requested = models.BooleanField("cancel requested", default=False)
    # Live figures while running: {"epoch": 12, "epochs": 200, "train_loss": 0.41, "val_loss": 0.45,
    # "train_accuracy": 0.83, "val_accuracy": 0.8}.
    progress = models.JSONField("progress", default=dict, blank=True)
    # Per-epoch lists, filled in while running and complete at the end: {"epoch": [...], "train_loss":
    # [...], "val_loss": [...], "train_accuracy": [...], "val_accuracy": [...]}.
    history = models.JSONField("history", default=dict, blank=True)
    # The outcome: {"metrics": {...}, "evaluation": {"test_accuracy": .., "test_loss": ..}, "parameters": n,
    # "engine_version": "1.0.0", "seed": {...}, "stopped": {...}, "usage": {"cpu_seconds", "peak_memory_mb",
    # "wall_seconds"}, "sandbox_layers": [...], "stdout": "...", "stderr": "...", "checks": [...],
    # "errors": [{"path", "message"}], "decision_grid": {...}}.
    result = models.JSONField("result", default=dict, blank=True)
    # The grade: {"score": 6.0, "max_score": 10.0, "passed": true, "criteria": [{"name", "passed",
    # "points", "max_points", "message"}]}; empty for ungraded free play.
    grade = models.JSONField("grade", default=dict, blank=True)
    score = models.FloatField("score", null=True, blank=True)
    worker = models.CharField("worker", max_length=200, blank=True)
    created_at = models.DateTimeField("submitted at", auto_now_add=True, db_index=True)
    enqueued_at = models.DateTimeField("last sent to the broker", default=timezone.now)
    started_at = models.DateTimeField("started at", null=True, blank=True)
    heartbeat_at = models.DateTimeField("last sign of life", null=True, blank=True)
    finished_at = models.DateTimeField("finished at", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "training job"
        verbose_name_plural = "training jobs"
        indexes = [models.Index(fields=["user", "status"]), models.Index(fields=["assignment", "user"])]

    def __str__(self):
        return f"{self.kind} job {self.id} ({self.status})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED


class WorkerProbe(models.Model):
    """The sandbox layers a worker found working when it started (shown on /readyz)."""

    hostname = models.CharField("worker", max_length=200, unique=True)
    # {"active": ["rlimits", "seccomp", ...], "failed": {"netns": "reason", ...}, "code_allowed": true}
    layers = models.JSONField("layers", default=dict)
    code_allowed = models.BooleanField("code submissions allowed", default=False)
    updated_at = models.DateTimeField("probed at", auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = "worker sandbox probe"
        verbose_name_plural = "worker sandbox probes"

    def __str__(self):
        return f"{self.hostname}: {', '.join(self.layers.get('active', []))}"
