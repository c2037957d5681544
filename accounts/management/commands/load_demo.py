"""Create the demo accounts and load each app's demo content (embedded runtime only)."""

import importlib
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import ProCode, User

DEMO_ACCOUNTS = [
    # username, role, superuser, Pro
    ("student", User.Role.STUDENT, False, False),
    ("pro", User.Role.STUDENT, False, True),
    ("instructor", User.Role.INSTRUCTOR, False, False),
    ("admin", User.Role.STAFF, True, False),
]
DEMO_PRO_CODE = "DEMO-PRO-CODE"


class Command(BaseCommand):
    help = "Create the demo accounts (student, pro, instructor, admin) and load the demo content."

    def handle(self, *args, **options):
        if not settings.DEMO_ACCOUNTS_ALLOWED:
            raise CommandError("Demo accounts are refused under production settings.")
        password = settings.DEMO_PASSWORD
        for username, role, superuser, pro in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role})
            user.role = role
            user.is_superuser = superuser
            if pro and not user.is_pro:
                user.pro_until = timezone.now() + timedelta(days=365)
            user.set_password(password)
            user.save()
            self.stdout.write(f"{'created' if created else 'updated'} demo account {username} ({role})")
        ProCode.objects.get_or_create(
            code=DEMO_PRO_CODE,
            defaults={
                "days": 30,
                "max_uses": 1000,
                "expires_at": timezone.now() + timedelta(days=365),
                "created_by": User.objects.get(username="instructor"),
            },
        )
        self.stdout.write(f"demo Pro code {DEMO_PRO_CODE} (30 days)")
        # Each app with a ``demo`` module contributes its demo content through ``demo.load(stdout)``.
        for app in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{app.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app.name}.demo":
                    raise
                continue
            module.load(self.stdout)
