"""Helpers shared by the sandbox tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **limits) -> dict:
    """Run learner code through run_submission with small limits (fast tests)."""
    from sandbox.runner import run_submission

    defaults = {"cpu_seconds": 3, "wall_seconds": 5, "memory_mb": 512, "output_kb": 64}
    defaults.update(limits)
    return run_submission({"code": code}, limits=defaults)


def run_cli(*args, stdin: str | None = None, env=None):
    return subprocess.run([sys.executable, "-m", "sandbox.runner", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60, env=env)
