"""Settings for the test suite, on either runtime (embedded or Postgres + Redis)."""

from .base import *  # noqa: F403
import os

from .base import CELERY_BROKER_URL, DATABASES, VAR_DIR, filesystem_broker_options

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "labs-test"}}
# Worker processes started by the tests open the same database, so SQLite tests use a file, not memory.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# The suite's filesystem broker is its own, so a `make run` on the same checkout is not disturbed.
if CELERY_BROKER_URL.startswith("filesystem://") and not os.environ.get("CELERY_BROKER_DIR"):
    CELERY_BROKER_DIR = VAR_DIR / "test-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_DIR)
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"

# whitenoise serves from the app folders here (no collectstatic); it still wants STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
