"""Settings for the embedded runtime on a developer's machine (``make run``)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
