"""Reads about accounts used by more than one caller."""

from django.conf import settings

from .models import ProCode


def plan_limits(*, user):
    """Return the name and limits of the plan that applies to ``user``."""
    name = user.plan_name
    return {"name": name, **settings.PLANS[name]}


def pro_codes_for(*, user):
    """Return the Pro codes ``user`` may list: their own, or all of them for staff."""
    codes = ProCode.objects.select_related("created_by")
    return codes if user.is_staff_member else codes.filter(created_by=user)
