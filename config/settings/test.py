"""Settings for the test suite, on either runtime (embedded or Postgres + Redis)."""

import os

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, VAR_DIR, filesystem_broker_options

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "labs-test"}}

# Each test run gets its own SQLite file and filesystem broker, so runs side by side (and a `make run`
# on the same checkout) never share a queue or a database. The names go into the environment, so the
# worker processes a run starts find the same ones.
_run = os.environ.setdefault("LABS_TEST_RUN", str(os.getpid()))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker processes open the same database, so SQLite tests use a file, not memory.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{_run}.sqlite3")}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_DIR = Path(os.environ.setdefault("CELERY_BROKER_DIR", str(VAR_DIR / f"test-broker-{_run}")))  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_DIR)
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"

# whitenoise serves from the app folders here (no collectstatic); it still wants STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
