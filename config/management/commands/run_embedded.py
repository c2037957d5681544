"""Run the web server and a Celery worker together on the embedded runtime (``make run``).

Both are child processes of this command. Ctrl-C or SIGTERM stops both: they get SIGTERM, then
SIGKILL if they have not exited after a grace period. If either dies on its own, the other is stopped
too and the command exits non-zero, so a half-running platform never goes unnoticed.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from config.celery_app import app, ensure_filesystem_broker_folders
from accounts.management.commands.load_demo import DEMO_ACCOUNTS

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Serve the site on 127.0.0.1:PORT and run a Celery worker; stop both on Ctrl-C or SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")

    def handle(self, *args, port, host, concurrency, **options):
        ensure_filesystem_broker_folders(app.conf)
        python = sys.executable
        web = [python, "manage.py", "runserver", f"{host}:{port}", "--noreload", "--skip-checks"]
        worker = [
            python, "-m", "celery", "-A", "config", "worker", "--beat",
            "-Q", "default,training", "--concurrency", str(concurrency), "--loglevel", "INFO",
            "--schedule", str(settings.VAR_DIR / "celerybeat-schedule"),
        ]
        children = {
            "web": subprocess.Popen(web, cwd=settings.BASE_DIR, start_new_session=True),
            "worker": subprocess.Popen(worker, cwd=settings.BASE_DIR, start_new_session=True),
        }
        self._announce(host, port)
        stopping = {"signal": None}

        def request_stop(signum, frame):
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        exited = None
        while stopping["signal"] is None and exited is None:
            time.sleep(0.2)
            exited = next((name for name, proc in children.items() if proc.poll() is not None), None)
        if exited:
            self.stderr.write(f"The {exited} process exited with code {children[exited].returncode}; stopping.")
        else:
            self.stdout.write("Stopping the web server and the worker...")
        self._stop(children)
        self.stdout.write("Stopped.")
        if exited:
            sys.exit(1)

    def _announce(self, host, port):
        self.stdout.write(self.style.SUCCESS(f"Labs ICT is running at http://{host}:{port}/"))
        self.stdout.write(f"  API docs: http://{host}:{port}/api/docs/   admin: http://{host}:{port}/admin/")
        self.stdout.write(f"  Demo logins (password {settings.DEMO_PASSWORD!r}): " + ", ".join(a[0] for a in DEMO_ACCOUNTS))
        self.stdout.write("  Press Ctrl-C to stop.")

    def _stop(self, children):
        # SIGTERM to each main process only: the worker then stops its own pool (a warm shutdown).
        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for proc in children.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
