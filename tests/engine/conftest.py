"""The engine's tests need no Django: they run with ``pytest -p no:django tests/engine`` too.

The suite-wide ``_fresh_cache`` fixture (tests/conftest.py) is autouse and touches Django's cache;
it is overridden here with a no-op because nothing in the engine uses a cache.
"""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    yield
