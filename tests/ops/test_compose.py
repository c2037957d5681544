"""docker-compose.yml, the Dockerfile and .env.example describe a production shape that can work.

Docker cannot run on our machines, so these checks read the files: every service is there, every
file the image copies exists, every process command points at code that exists, and every variable
the settings read is documented in .env.example.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_redis_web_worker_and_sweeper():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "sweeper"}
    for name in ("web", "worker", "sweeper"):
        assert services[name]["build"]["dockerfile"] == "platform/Dockerfile"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}
    assert [services[name]["command"] for name in ("web", "worker", "sweeper")] == [["web"], ["worker"], ["sweeper"]]


def test_entrypoint_roles_start_gunicorn_a_training_worker_and_beat():
    script = (ROOT / "platform" / "entrypoint.sh").read_text()
    assert "gunicorn --config platform/gunicorn.conf.py config.wsgi:application" in script
    assert re.search(r"celery -A config worker -Q \"\$\{CELERY_QUEUES:-training,default\}\"", script)
    assert "celery -A config beat" in script
    assert (ROOT / "platform" / "gunicorn.conf.py").exists()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_every_file_the_image_copies_exists():
    dockerfile = (ROOT / "platform" / "Dockerfile").read_text()
    copied = [line.split()[1:-1] for line in dockerfile.splitlines() if line.startswith("COPY ")]
    sources = [source for sources in copied for source in sources]
    assert "config" in sources and "sandbox" in sources
    for source in sources:
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    assert 'ENTRYPOINT ["platform/entrypoint.sh"]' in dockerfile
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile


def test_every_environment_variable_is_documented_in_env_example():
    documented = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))
    read = set()
    for path in list((ROOT / "config" / "settings").glob("*.py")) + [ROOT / "platform" / "gunicorn.conf.py"]:
        text = path.read_text()
        read |= set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", text))
        read |= set(re.findall(r"os\.environ(?:\.get)?[\(\[]\s*[\"']([A-Z0-9_]+)[\"']", text))
    read |= set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (ROOT / "platform" / "entrypoint.sh").read_text()))
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DEMO_PASSWORD"} <= read
    assert sorted(read - documented) == []
