"""Liveness and readiness probes for load balancers and orchestrators."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery_app import app as celery_app
from .celery_app import ensure_filesystem_broker_folders


@require_GET
@never_cache
def healthz(request):
    """Say the process is alive; touches nothing else."""
    return JsonResponse({"status": "ok"})


def check_database():
    """Return ``None`` when the database answers a query, else the reason it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def check_broker():
    """Return ``None`` when the Celery broker accepts a connection, else the reason it does not."""
    try:
        ensure_filesystem_broker_folders(celery_app.conf)
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
            conn.default_channel  # opens a channel, which is what a send needs
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@require_GET
@never_cache
def readyz(request):
    """Report whether the database and the broker are reachable: 200, or 503 naming what failed."""
    checks = {"database": check_database(), "broker": check_broker()}
    failed = [name for name, error in checks.items() if error]
    body = {
        "status": "ok" if not failed else "unavailable",
        "checks": {name: ("ok" if error is None else f"failed: {error}") for name, error in checks.items()},
    }
    if failed:
        body["failed"] = failed
    else:
        body["sandbox"] = sandbox_report()
    return JsonResponse(body, status=503 if failed else 200)


def sandbox_report():
    """Return the sandbox layers each worker reported when it started (most recent first)."""
    from sandbox.models import WorkerProbe

    return [
        {"worker": probe.hostname, "active_layers": probe.layers.get("active", []), "code_allowed": probe.code_allowed,
         "probed_at": probe.updated_at.isoformat()}
        for probe in WorkerProbe.objects.all()[:20]
    ]
