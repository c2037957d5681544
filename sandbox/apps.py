from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Training jobs"

    def ready(self):
        from . import signals  # noqa: F401  (connects the worker start-up probe)
