"""Plan limits on training jobs: how many at once, how many a day, and how big."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.selectors import plan_limits

from .models import TrainingJob


class QuotaExceeded(Exception):
    """The learner has used up a quota; ``resets_at`` says when it frees up (None: when a job finishes)."""

    def __init__(self, message, resets_at=None):
        super().__init__(message)
        self.message = message
        self.resets_at = resets_at


@dataclass(frozen=True)
class JobLimits:
    max_epochs: int
    max_parameters: int
    max_samples: int
    max_wall_seconds: int

    def engine(self):
        """Return the limits in the engine's vocabulary."""
        return {"max_epochs": self.max_epochs, "max_parameters": self.max_parameters, "max_samples": self.max_samples}


def job_limits(*, user, assignment=None):
    """Return the size limits of a job: the plan's, lowered by the assignment's own."""
    plan = plan_limits(user=user)
    own = (assignment.limits if assignment else None) or {}
    values = {
        "max_epochs": plan["max_epochs"],
        "max_parameters": plan["max_parameters"],
        "max_samples": plan["max_samples"],
        "max_wall_seconds": plan["max_wall_seconds"],
    }
    for key in values:
        if isinstance(own.get(key), int) and own[key] > 0:
            values[key] = min(values[key], own[key])
    return JobLimits(**values)


def _next_midnight(now):
    tomorrow = (now + timedelta(days=1)).date()
    return datetime.combine(tomorrow, time.min, tzinfo=now.tzinfo)


def check_quota(*, user, now=None):
    """Raise QuotaExceeded if ``user`` may not start another job now."""
    now = now or timezone.now()
    plan = plan_limits(user=user)
    start_of_day = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
    # Both counts in one query: a submission pays one round trip for its quota.
    active_q = Q(status__in=[TrainingJob.Status.QUEUED, TrainingJob.Status.RUNNING])
    today_q = Q(created_at__gte=start_of_day)
    counts = TrainingJob.objects.filter(active_q | today_q, user=user).aggregate(
        active=Count("pk", filter=active_q), today=Count("pk", filter=today_q))
    active, today = counts["active"], counts["today"]
    if active >= plan["concurrent_jobs"]:
        raise QuotaExceeded(
            f"You already have {active} job{'s' if active != 1 else ''} queued or running; your {plan['name']} plan "
            f"allows {plan['concurrent_jobs']} at a time. Wait for one to finish or cancel it."
        )
    if today >= plan["jobs_per_day"]:
        resets_at = _next_midnight(now)
        raise QuotaExceeded(
            f"You have submitted {today} jobs today, the daily limit of your {plan['name']} plan; "
            f"it resets at {resets_at:%Y-%m-%d %H:%M} UTC.",
            resets_at=resets_at,
        )
