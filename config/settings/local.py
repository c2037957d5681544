"""Settings for the embedded runtime on a developer's machine (``make run``)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)

# whitenoise serves from the app folders here (no collectstatic); it still wants STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
