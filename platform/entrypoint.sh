#!/bin/sh
# Start one process of the platform: web (gunicorn), worker (Celery, training queue) or sweeper (beat).
set -eu
role="${1:-web}"
shift || true
case "$role" in
  web)
    python manage.py migrate --noinput
    exec gunicorn --config platform/gunicorn.conf.py config.wsgi:application "$@"
    ;;
  worker)
    exec celery -A config worker -Q "${CELERY_QUEUES:-training,default}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  sweeper)
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /tmp/celerybeat-schedule "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    echo "entrypoint: unknown role '$role'; use web, worker, sweeper or manage" >&2
    exit 2
    ;;
esac
