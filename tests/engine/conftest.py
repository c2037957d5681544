"""The engine's tests need no Django: they run with ``pytest -p no:django tests/engine`` too.

The suite-wide autouse fixtures of tests/conftest.py that touch Django (the cache, the Celery
broker folder) are overridden here with no-ops, because nothing in the engine uses either.
"""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield


@pytest.fixture(scope="session", autouse=True)
def _remove_run_broker_folder():
    yield
