"""The Celery application: configured from Django settings (the ``CELERY_`` names), tasks found per app."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("labs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_filesystem_broker_folders(conf):
    """Create the folders of kombu's filesystem transport; it does not create them itself."""
    if not str(conf.broker_url or "").startswith("filesystem://"):
        return
    options = conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = str(conf.result_backend or "")
    if backend.startswith("file://"):
        Path(backend[len("file://") :]).mkdir(parents=True, exist_ok=True)


@app.task(name="labs.ping")
def ping():
    """Answer from a worker: proves the broker, a worker and the result backend work end to end."""
    import socket

    return {"pong": True, "hostname": socket.gethostname(), "pid": os.getpid()}


@worker_init.connect
def _prepare_broker(sender=None, **kwargs):
    ensure_filesystem_broker_folders(app.conf)
