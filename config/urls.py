"""URL configuration: pages, the REST API under ``/api/v1/``, its schema and docs, and health probes."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import health

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("lessons.api_urls")),
    path("", include("quizzes.api_urls")),
    path("", include("sandbox.api_urls")),
]

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("", include("lessons.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("lab/", include("sandbox.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "config.api_errors.bad_request"
handler404 = "config.api_errors.not_found"
handler500 = "config.api_errors.server_error"
