"""The process sandbox that runs learner code and training specs (see docs/sandbox.md).

    from sandbox.runner import run_submission, probe_layers
    result = run_submission({"spec": {...}}, limits={"wall_seconds": 30}, on_progress=print)

Never imports Django: the worker passes its settings in as ``limits``.
"""

from .host import REASONS, probe_layers, run_submission  # noqa: F401
from .limits import DEFAULT_LIMITS  # noqa: F401
from .submission import SubmissionError  # noqa: F401

__all__ = ["run_submission", "probe_layers", "SubmissionError", "DEFAULT_LIMITS", "REASONS"]
