from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself as an app, so its operations commands (``run_embedded``, ``celery_ping``) load."""

    name = "config"
    label = "project"
    verbose_name = "Labs ICT"
