"""Send a ping task through the broker and wait for a worker's answer."""

from django.core.management.base import BaseCommand, CommandError

from config.celery_app import app, ensure_filesystem_broker_folders, ping


class Command(BaseCommand):
    help = "Send a task to the Celery workers and print the answer; exit 1 if none answers in time."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for an answer.")

    def handle(self, *args, timeout, **options):
        ensure_filesystem_broker_folders(app.conf)
        try:
            answer = ping.delay().get(timeout=timeout)
        except Exception as exc:
            raise CommandError(f"No worker answered within {timeout:g} s ({type(exc).__name__}: {exc}).") from None
        self.stdout.write(f"pong from {answer['hostname']} (worker pid {answer['pid']})")
