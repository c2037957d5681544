"""Worker start-up: probe the sandbox layers once, log them and record them for /readyz."""

import logging

from celery.signals import worker_ready

log = logging.getLogger(__name__)


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs):
    record_sandbox_layers(getattr(sender, "hostname", None) or "worker")


def record_sandbox_layers(hostname):
    """Probe this process's sandbox and store the report under ``hostname``; return the active layers."""
    from sandbox.runner import probe_layers

    from .models import WorkerProbe

    try:
        report = probe_layers()
    except Exception:
        log.exception("the sandbox could not be probed; training jobs will fail on this worker")
        report = {"layers": {}, "code_allowed": False}
    active = sorted(name for name, info in report.get("layers", {}).items() if info.get("active"))
    failed = {name: info.get("detail", "") for name, info in report.get("layers", {}).items() if not info.get("active")}
    WorkerProbe.objects.update_or_create(
        hostname=hostname, defaults={"layers": {"active": active, "failed": failed}, "code_allowed": bool(report.get("code_allowed"))})
    log.info("sandbox layers on %s: %s", hostname, ", ".join(active) or "none")
    return active
