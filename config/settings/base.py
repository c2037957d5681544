"""Settings shared by every runtime.

Each value that differs between machines comes from the environment; ``.env.example`` lists them all.
Reference: https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything the embedded runtime writes (SQLite, broker queue, results, logs) lives here.
VAR_DIR = Path(env_str("LABS_VAR_DIR", str(BASE_DIR / "var"))).resolve()

# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-not-for-production")
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env_bool("DEBUG", False)
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# https://docs.djangoproject.com/en/5.2/ref/settings/#installed-apps
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "config.apps.ProjectConfig",
    "accounts",
    "lessons",
    "quizzes",
    "sandbox",
]

# https://docs.djangoproject.com/en/5.2/topics/http/middleware/
MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# https://docs.djangoproject.com/en/5.2/ref/templates/
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# DATABASE_URL selects the database: unset means SQLite under var/ (the embedded runtime).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and workers share one SQLite file: readers never wait for the writer (WAL), a writer
    # takes its lock when its transaction starts (so two never deadlock upgrading), and waits for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/#substituting-a-custom-user-model
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_CHARSET = "utf-8"

# https://docs.djangoproject.com/en/5.2/howto/static-files/ and https://whitenoise.readthedocs.io/
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# https://docs.djangoproject.com/en/5.2/topics/cache/
# CACHE_URL=redis://... shares throttling counters and rendered pages between processes.
_cache_url = env_str("CACHE_URL", "")
if _cache_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "labs"}}

# https://docs.djangoproject.com/en/5.2/topics/email/
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Labs ICT <noreply@labs.invalid>")

# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {},
}

# https://django-rest-framework-simplejwt.readthedocs.io/en/latest/settings.html
# Refresh tokens rotate; a used or revoked refresh token is recorded by its id (jti) only.
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "TOKEN_REFRESH_SERIALIZER": "accounts.tokens.RevocableTokenRefreshSerializer",
}

# Failed logins allowed per window before 429, counted per account and per client address.
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Labs ICT API",
    "DESCRIPTION": "Courses, quizzes and training jobs for learners, instructors and API clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Plans: what a learner may run. Later sections (training jobs) read these limits.
PLANS = {
    "free": {
        "concurrent_jobs": env_int("PLAN_FREE_CONCURRENT_JOBS", 1),
        "jobs_per_day": env_int("PLAN_FREE_JOBS_PER_DAY", 50),
        "max_epochs": env_int("PLAN_FREE_MAX_EPOCHS", 300),
        "max_parameters": env_int("PLAN_FREE_MAX_PARAMETERS", 20_000),
        "max_samples": env_int("PLAN_FREE_MAX_SAMPLES", 5_000),
        "max_wall_seconds": env_int("PLAN_FREE_MAX_WALL_SECONDS", 30),
    },
    "pro": {
        "concurrent_jobs": env_int("PLAN_PRO_CONCURRENT_JOBS", 3),
        "jobs_per_day": env_int("PLAN_PRO_JOBS_PER_DAY", 500),
        "max_epochs": env_int("PLAN_PRO_MAX_EPOCHS", 2000),
        "max_parameters": env_int("PLAN_PRO_MAX_PARAMETERS", 500_000),
        "max_samples": env_int("PLAN_PRO_MAX_SAMPLES", 50_000),
        "max_wall_seconds": env_int("PLAN_PRO_MAX_WALL_SECONDS", 300),
    },
}

# Demo accounts (student, pro, instructor, admin) for the embedded runtime; production refuses them.
DEMO_ACCOUNTS_ALLOWED = True
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo")

# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# CELERY_BROKER_URL unset means kombu's filesystem transport under var/ (no server needed).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker")))
CELERY_TASK_HARD_TIME_LIMIT = env_int("CELERY_TASK_HARD_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_HARD_TIME_LIMIT


def filesystem_broker_options(folder):
    """Return kombu filesystem-transport options that keep the queue under ``folder``."""
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_BROKER_DIR)
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", f"file://{CELERY_BROKER_DIR / 'results'}")
else:
    # A message not acknowledged within the visibility timeout is redelivered: keep it above the
    # hard time limit so a long job is never handed to a second worker while the first still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_HARD_TIME_LIMIT + 300}
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"sandbox.tasks.*": {"queue": "training"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The sweeper re-enqueues jobs that a lost worker or a restarted broker dropped.
CELERY_BEAT_SCHEDULE = {
    "sweep-training-jobs": {"task": "sandbox.tasks.sweep_jobs", "schedule": env_int("JOB_SWEEP_SECONDS", 15)},
    # Submit quiz attempts whose time limit ran out, with the answers they saved.
    "quizzes-close-overdue": {"task": "quizzes.close_overdue_attempts", "schedule": 60},
}

# Training jobs (sandbox app).
# A job whose worker died is retried until it has been started this many times, then failed.
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# A running job writes a heartbeat this often; one silent for JOB_STALE_SECONDS has lost its worker.
JOB_HEARTBEAT_SECONDS = 1.0
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 20)
# A queued job not picked up for this long is sent to the broker again (the broker may have lost it).
JOB_REQUEUE_SECONDS = env_int("JOB_REQUEUE_SECONDS", 30)
# Progress is written to the job row at most this often (seconds).
JOB_PROGRESS_INTERVAL = 0.25
# How often a running job checks for cancellation when it has written nothing meanwhile (seconds);
# every progress or heartbeat write checks it too. Cancelling stops a job within a second.
JOB_CANCEL_POLL_SECONDS = 0.25
# Sandbox limits of every job (the plan's wall-time limit lowers wall_seconds).
SANDBOX_LIMITS = {
    "cpu_seconds": env_int("SANDBOX_CPU_SECONDS", 120),
    "memory_mb": env_int("SANDBOX_MEMORY_MB", 1024),
    "output_kb": env_int("SANDBOX_OUTPUT_KB", 64),
}
# Largest code submission accepted, in characters.
JOB_MAX_CODE_CHARS = 50_000

# https://docs.djangoproject.com/en/5.2/topics/logging/
# One JSON object per line, each carrying the id of the request that logged it.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
    "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
