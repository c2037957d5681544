"""Re-enqueue training jobs that a lost worker or a restarted broker dropped (the sweeper, once)."""

from django.core.management.base import BaseCommand

from sandbox.services import jobs_sweep


class Command(BaseCommand):
    help = "Send lost and forgotten training jobs to the workers again; fail those past their attempts."

    def handle(self, *args, **options):
        counts = jobs_sweep()
        self.stdout.write(f"requeued {counts['requeued']} job(s), failed {counts['failed']} job(s)")
