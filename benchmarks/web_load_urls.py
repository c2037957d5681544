"""URLconf for ``bench_web_load.py``: the project's URLs plus the minimal view the endpoints are compared with."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401


def minimal(request):
    """Return a tiny response: the floor that Django, its middleware and gunicorn cost per request."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench-minimal"), *project_urlpatterns]
