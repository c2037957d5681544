"""Users with a role and Pro membership, Pro codes and their redemptions, revoked API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person using the platform: a student by default, or an instructor or staff member."""

    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        INSTRUCTOR = "instructor", "Instructor"
        STAFF = "staff", "Staff"

    role = models.CharField("role", max_length=16, choices=Role.choices, default=Role.STUDENT)
    pro_until = models.DateTimeField(
        "Pro until", null=True, blank=True, help_text="The user is Pro while this moment is in the future."
    )

    class Meta:
        ordering = ["username"]
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self):
        return self.username

    def save(self, *args, **kwargs):
        # Instructors and staff work in the admin (authoring, granting Pro); students never do.
        if self.role in (self.Role.INSTRUCTOR, self.Role.STAFF):
            self.is_staff = True
        elif not self.is_superuser:
            self.is_staff = False
        super().save(*args, **kwargs)

    @property
    def is_pro(self):
        """Return True while the Pro membership runs."""
        return self.pro_until is not None and self.pro_until > timezone.now()

    @property
    def is_instructor(self):
        """Return True for instructors, staff and superusers: those who author and see analytics."""
        return self.is_superuser or self.role in (self.Role.INSTRUCTOR, self.Role.STAFF)

    @property
    def is_staff_member(self):
        """Return True for staff and superusers: those who manage users and memberships."""
        return self.is_superuser or self.role == self.Role.STAFF

    @property
    def plan_name(self):
        """Return the name of the plan whose limits apply: ``pro`` or ``free``."""
        return "pro" if self.is_pro else "free"


class ProCode(models.Model):
    """A code that grants ``days`` of Pro to each of up to ``max_uses`` users before ``expires_at``."""

    code = models.CharField("code", max_length=32, unique=True)
    days = models.PositiveIntegerField("days of Pro granted")
    max_uses = models.PositiveIntegerField("uses allowed", default=1)
    uses = models.PositiveIntegerField("uses so far", default=0)
    expires_at = models.DateTimeField("expires at")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pro_codes_created"
    )
    created_at = models.DateTimeField("created at", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "Pro code"
        verbose_name_plural = "Pro codes"
        constraints = [
            models.CheckConstraint(condition=models.Q(uses__lte=models.F("max_uses")), name="pro_code_uses_within_max"),
            models.CheckConstraint(condition=models.Q(days__gte=1), name="pro_code_days_positive"),
        ]

    def __str__(self):
        return f"{self.code} ({self.days} days, {self.uses}/{self.max_uses} used)"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def uses_left(self):
        return self.max_uses - self.uses


class ProCodeRedemption(models.Model):
    """One user's use of one Pro code; a user redeems a given code once."""

    code = models.ForeignKey(ProCode, on_delete=models.CASCADE, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pro_redemptions")
    redeemed_at = models.DateTimeField("redeemed at", auto_now_add=True)
    pro_until_after = models.DateTimeField("Pro until, after redeeming")

    class Meta:
        ordering = ["-redeemed_at"]
        verbose_name = "Pro code redemption"
        verbose_name_plural = "Pro code redemptions"
        constraints = [models.UniqueConstraint(fields=["code", "user"], name="pro_code_redeemed_once_per_user")]

    def __str__(self):
        return f"{self.user} redeemed {self.code.code}"


class RevokedToken(models.Model):
    """A refresh token that may no longer be used, known by its id (``jti``), never by its text."""

    jti = models.CharField("token id", max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="revoked_tokens")
    expires_at = models.DateTimeField("token expiry", help_text="After this the row can be deleted.")
    revoked_at = models.DateTimeField("revoked at", auto_now_add=True)

    class Meta:
        ordering = ["-revoked_at"]
        verbose_name = "revoked token"
        verbose_name_plural = "revoked tokens"

    def __str__(self):
        return f"{self.jti} ({self.user})"
