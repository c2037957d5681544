"""Settings for ``bench_web_load.py`` only: the production settings, with a URLconf that adds a minimal view.

The production URLconf does not carry the minimal view; gunicorn loads this module (``--pythonpath
benchmarks``) only while the benchmark runs.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "web_load_urls"
