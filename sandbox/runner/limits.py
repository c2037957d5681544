"""Default limits of a job, and how the caller's and the submission's limits combine with them.

The caller (the Celery worker, from Django settings) may set any key; a submission may only lower
the four documented ones. Nothing here imports Django.
"""

from __future__ import annotations

import math

DEFAULT_LIMITS = {
    "cpu_seconds": 30.0,     # RLIMIT_CPU of the job (all its threads together)
    "wall_seconds": 60.0,    # the host kills the job after this long, busy or sleeping
    "memory_mb": 1024,       # RLIMIT_AS; NumPy with OpenBLAS threads maps ~200 MB before any work
    "output_kb": 256,        # stdout and stderr, each
    "files_mb": 16,          # largest file, and the size of the job's private tmpfs where there is one
    "files_count": 2000,     # inodes of the job's private tmpfs
    "open_files": 64,        # RLIMIT_NOFILE
    "threads": 16,           # RLIMIT_NPROC for the job's own uid (threads count as processes)
}

# Keys a submission may set, only to lower what the caller allows.
SUBMISSION_LIMIT_KEYS = ("cpu_seconds", "wall_seconds", "memory_mb", "output_kb")

# Hard bounds on what even a caller may ask for: a limit past these is a configuration mistake.
MAXIMUM = {"cpu_seconds": 3600, "wall_seconds": 7200, "memory_mb": 16384, "output_kb": 16384,
           "files_mb": 1024, "files_count": 100_000, "open_files": 1024, "threads": 256}
MINIMUM = {"cpu_seconds": 0.1, "wall_seconds": 0.1, "memory_mb": 256, "output_kb": 1,
           "files_mb": 1, "files_count": 16, "open_files": 16, "threads": 4}
INTEGER_KEYS = ("memory_mb", "output_kb", "files_mb", "files_count", "open_files", "threads")

# Engine limits (max_parameters, max_epochs, ...) travel under this key, passed to the engine as is.
ENGINE_KEY = "engine"


def _number(key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"limit {key!r} must be a finite number, not {value!r}")
    if value <= 0:
        raise ValueError(f"limit {key!r} must be positive, not {value!r}")
    return value


def resolve(caller: dict | None = None, submission: dict | None = None) -> dict:
    """Return the job's limits: defaults, overridden by the caller, lowered (never raised) by the submission."""
    limits = dict(DEFAULT_LIMITS)
    engine = None
    for key, value in (caller or {}).items():
        if key == ENGINE_KEY:
            if value is not None and not isinstance(value, dict):
                raise ValueError("limit 'engine' must be a dict of engine limits")
            engine = dict(value) if value else None
            continue
        if key not in DEFAULT_LIMITS:
            raise ValueError(f"unknown limit {key!r}; known: {', '.join(sorted(DEFAULT_LIMITS))}")
        limits[key] = _number(key, value)
    for key, value in (submission or {}).items():
        limits[key] = min(limits[key], _number(key, value))
    for key in limits:
        limits[key] = min(max(limits[key], MINIMUM[key]), MAXIMUM[key])
        if key in INTEGER_KEYS:
            limits[key] = int(limits[key])
        else:
            limits[key] = float(limits[key])
    if engine is not None:
        limits[ENGINE_KEY] = engine
    return limits
