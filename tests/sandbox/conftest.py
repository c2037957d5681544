"""Fixtures of the sandbox suite. No database: these tests run with or without pytest-django.

Outer limit: whatever a job does, this test process (and so the zygote and every job, which
inherit it) stays inside rlimits on CPU, file size and address space, and every test has a
watchdog that ends the run with a traceback instead of hanging the machine. RLIMIT_NPROC is not
enforced for root, so the fork/thread-bomb guard is the jobs' own seccomp filter and uid.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_TIMEOUT_SECONDS = 120
OUTER_LIMITS = {
    resource.RLIMIT_CPU: 900,                     # the whole session, all jobs' CPU excluded (they are children)
    resource.RLIMIT_FSIZE: 2 * 1024 ** 3,         # no file larger than 2 GB from here or any descendant
    resource.RLIMIT_AS: 16 * 1024 ** 3,           # jobs set far lower limits of their own
    resource.RLIMIT_CORE: 0,
}


@pytest.fixture(scope="session", autouse=True)
def _outer_limits():
    """Hold the test process inside OUTER_LIMITS while sandbox tests run, and restore them afterwards.

    Only for these tests: the rest of the suite starts browsers and workers, and Chromium alone maps
    more address space than RLIMIT_AS here allows.
    """
    saved = {res: resource.getrlimit(res) for res in OUTER_LIMITS}
    for res, value in OUTER_LIMITS.items():
        soft, hard = saved[res]
        if hard == resource.RLIM_INFINITY or hard > value:
            resource.setrlimit(res, (min(value, soft) if soft != resource.RLIM_INFINITY else value, value))
    yield
    for res, limits in saved.items():
        try:
            resource.setrlimit(res, limits)
        except (ValueError, OSError):  # raising a hard limit back needs root; later tests then run inside it
            pass


@pytest.fixture(scope="session", autouse=True)
def _own_jobs_dir(tmp_path_factory):
    """Give this run a jobs folder of its own, so other runs' jobs cannot confuse the checks."""
    base = tmp_path_factory.mktemp("sandbox-jobs")
    os.chmod(base, 0o711)
    os.chmod(base.parent, 0o755)
    previous = os.environ.get("SANDBOX_JOBS_DIR")
    os.environ["SANDBOX_JOBS_DIR"] = str(base)
    yield base
    if previous is None:
        os.environ.pop("SANDBOX_JOBS_DIR", None)
    else:
        os.environ["SANDBOX_JOBS_DIR"] = previous


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(TEST_TIMEOUT_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Override the suite-wide cache fixture: the sandbox tests need no Django."""
    yield


@pytest.fixture(scope="session", autouse=True)
def _remove_run_broker_folder():
    """Override the suite-wide broker clean-up: the sandbox tests use no broker and may run without Django."""
    yield


@pytest.fixture(scope="session")
def probe():
    from sandbox.runner import probe_layers

    return probe_layers()


@pytest.fixture(scope="session")
def active_layers(probe):
    return {name for name, info in probe["layers"].items() if info["active"]}


@pytest.fixture
def jobs_dir():
    from sandbox.runner.host import jobs_base

    return Path(jobs_base())


@pytest.fixture
def untouched(tmp_path, jobs_dir):
    """Check that a job changed nothing outside its own directory: a canary tree and the jobs folder."""
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("keep")
    before_jobs = sorted(os.listdir(jobs_dir))

    def snapshot():
        return sorted((str(p.relative_to(canary)), p.stat().st_size, p.stat().st_mtime_ns) for p in canary.rglob("*"))

    before = snapshot()
    yield canary
    assert snapshot() == before
    assert sorted(os.listdir(jobs_dir)) == before_jobs  # the job's directory is gone, no other appeared
