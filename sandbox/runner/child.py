"""What runs inside a job, after fork and after the layers: the spec runner and the code runner.

File descriptors: 0 /dev/null, 1 stdout pipe, 2 stderr pipe, 3 requests from the host (the job
payload, then exercise calls), 4 messages to the host (JSON lines, see wire.py). This module is
imported by the zygote before any layer is applied, so nothing here needs a file at run time.

Learner code shares this process: it can write anything to fd 4 or exit at any moment. The host
therefore never takes a verdict about learner code from here; exercise checks run on the host,
which only asks this process to call the learner's functions (see exercises/).
"""

from __future__ import annotations

import errno
import io
import json
import linecache
import math
import os
import sys
import time
import traceback
import types

from . import wire

REQUEST_FD, MESSAGE_FD = 3, 4
SUBMISSION_FILENAME = "submission.py"
PROGRESS_INTERVAL = 0.1  # at most ~10 progress messages a second (the host writes 4); the last epoch always goes
_reserve = None  # freed on MemoryError so there is room left to report it


def send(message: dict) -> None:
    data = wire.dumps(message)
    view = memoryview(data)
    while view:
        written = os.write(MESSAGE_FD, view)
        view = view[written:]


class RequestReader:
    def __init__(self, fd: int):
        self.fd = fd
        self.buffer = b""

    def readline(self) -> bytes | None:
        while b"\n" not in self.buffer:
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def _finite(value):
    """Return a JSON-safe copy with non-finite floats as None (the engine's figures may carry NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "tolist"):
        return _finite(value.tolist())
    return value


# --- spec jobs --------------------------------------------------------------------------------

def run_spec(payload: dict) -> None:
    from sandbox.engine import SpecError, train

    last = [0.0]

    def on_epoch(figures):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL or figures.get("epoch") == figures.get("epochs"):
            last[0] = now
            send({"type": "progress", "figures": _finite(dict(figures))})
        return False

    evaluate = payload.get("evaluate") or {}
    wants_network = bool(evaluate.get("test_dataset") or evaluate.get("decision_grid"))
    try:
        trained = train(payload["spec"], limits=payload.get("engine_limits"), on_epoch=on_epoch,
                        return_network=wants_network)
        result, network = trained if wants_network else (trained, None)
        if network is not None and result.get("stopped", {}).get("reason") != "diverged":
            result.update(_evaluate(network, result["spec"], evaluate))
    except SpecError as exc:
        send({"type": "result", "outcome": "invalid_spec", "message": "The training spec is not valid.",
              "errors": _finite(list(exc.errors))})
        return
    except MemoryError:
        _free_reserve()
        send({"type": "result", "outcome": "memory_limit",
              "message": "Training ran out of memory: try fewer samples, a smaller network or a smaller batch."})
        return
    result = _finite(result)
    stopped = result.get("stopped") or {}
    outcome = "diverged" if stopped.get("reason") == "diverged" else "ok"
    send({"type": "result", "outcome": outcome, "message": stopped.get("message") or "", "training": result})


def _evaluate(network, spec: dict, evaluate: dict) -> dict:
    """Score the trained network on the caller's test dataset and draw its decision grid (2-D inputs)."""
    from sandbox.engine import decision_grid, make_dataset, validate_spec

    extra = {}
    test = evaluate.get("test_dataset")
    if test:
        X, y = make_dataset(validate_spec({**spec, "dataset": test})["dataset"])
        scores = network.evaluate(X, y)
        extra["evaluation"] = {"test_loss": scores.get("loss"), "test_accuracy": scores.get("accuracy"),
                               "test_samples": int(len(X))}
    if evaluate.get("decision_grid") and network.input_dim == 2:
        X, _ = make_dataset(spec["dataset"])
        grid = decision_grid(network, X, resolution=50)
        grid.pop("probability", None)
        extra["decision_grid"] = grid
    return extra


# --- code jobs --------------------------------------------------------------------------------

def _scrub(text: str) -> str:
    """Replace our own paths in a message by short neutral names."""
    replacements = []
    for path, name in ((os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))), "<project>"),
                       (sys.prefix, "<python>"), (sys.base_prefix, "<python>"), (sys.exec_prefix, "<python>"),
                       (os.getcwd(), ".")):
        if path and len(path) > 1:
            replacements.append((path, name))
    for path, name in sorted(replacements, key=lambda item: -len(item[0])):
        text = text.replace(path, name)
    return text


def learner_traceback(exc: BaseException) -> str:
    """Return the traceback of the learner's own lines only, then the exception."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILENAME]
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(frames))
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return _scrub("".join(lines)).rstrip("\n")


def learner_line(exc: BaseException) -> int | None:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILENAME]
    if frames:
        return frames[-1].lineno
    if isinstance(exc, SyntaxError) and exc.filename == SUBMISSION_FILENAME:
        return exc.lineno
    return None


def classify(exc: BaseException) -> str:
    """Return the failure reason for an exception that escaped learner code."""
    if isinstance(exc, MemoryError):
        return "memory_limit"
    if isinstance(exc, OSError):
        if exc.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
            return "output_limit"
        if exc.errno in (errno.EPERM, errno.EACCES, errno.EMFILE, errno.EAGAIN, errno.ENOSYS):
            return "sandbox_violation"
    if isinstance(exc, ValueError) and "not allowed to raise maximum limit" in str(exc):
        return "sandbox_violation"  # resource.setrlimit's EPERM
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        return "sandbox_violation"
    return "error_in_code"


HEADLINES = {
    "memory_limit": "Your code ran out of memory (the limit is {memory_mb} MB).",
    "output_limit": "Your code wrote more than the job may store: files are limited to {files_mb} MB.",
    "sandbox_violation": "Your code tried something the sandbox does not allow (network, other processes, "
                         "files outside its folder, or too many threads).",
    "error_in_code": "Your code raised an error.",
}


def failure(exc: BaseException, limits: dict) -> dict:
    if isinstance(exc, MemoryError):
        _free_reserve()
    reason = classify(exc)
    headline = HEADLINES[reason].format(**limits)
    return {"type": "result", "outcome": reason, "message": headline + "\n" + learner_traceback(exc),
            "line": learner_line(exc)}


def _free_reserve() -> None:
    global _reserve
    _reserve = None


def load_module(code: str) -> types.ModuleType:
    """Compile and run the learner's source as the module ``submission``."""
    module = types.ModuleType("submission")
    module.__file__ = SUBMISSION_FILENAME
    sys.modules["submission"] = module
    linecache.cache[SUBMISSION_FILENAME] = (len(code), None, code.splitlines(True), SUBMISSION_FILENAME)
    exec(compile(code, SUBMISSION_FILENAME, "exec", dont_inherit=True), module.__dict__)
    return module


def run_code(payload: dict, limits: dict, requests: RequestReader) -> None:
    try:
        module = load_module(payload["code"])
    except SystemExit as exc:
        if exc.code in (None, 0):
            _flush()
            send({"type": "result", "outcome": "ok", "message": ""})
        else:
            _flush()
            send({"type": "result", "outcome": "error_in_code", "message": f"Your code exited with status {exc.code!r}."})
        return
    except BaseException as exc:  # noqa: BLE001 - every learner failure is reported, none escapes
        _flush()
        send(failure(exc, limits))
        return
    _flush()
    if not payload.get("exercise"):
        send({"type": "result", "outcome": "ok", "message": ""})
        return
    functions = sorted(name for name, value in vars(module).items()
                       if callable(value) and not name.startswith("_") and len(name) <= 100)[:200]
    send({"type": "ready", "functions": functions})
    serve_calls(module, limits, requests)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a learner may have replaced or closed them
            pass


# --- exercise calls ---------------------------------------------------------------------------

def decode_arg(obj):
    if isinstance(obj, dict) and "nd" in obj:
        return wire.decode_array(obj)
    if isinstance(obj, dict) and "tuple" in obj:
        return tuple(decode_arg(v) for v in obj["tuple"])
    return obj


def encode_value(value, depth: int = 0):
    import numpy as np

    if value is None:
        return None
    if depth < 3 and isinstance(value, (tuple, list)) and len(value) <= 16:
        return {"tuple": [encode_value(v, depth + 1) for v in value]}
    if isinstance(value, (bool, int, float, np.ndarray, np.generic)) and not isinstance(value, (str, bytes)):
        array = np.asarray(value)
        if array.dtype.kind in "biuf" and array.size <= wire.MAX_ARRAY_ELEMENTS:
            return wire.encode_array(array)
    return {"type": type(value).__name__[:60]}


def serve_calls(module, limits: dict, requests: RequestReader) -> None:
    handles = {}
    while True:
        line = requests.readline()
        if line is None:
            return
        request = json.loads(line)
        if request.get("op") == "done":
            send({"type": "result", "outcome": "ok", "message": ""})
            return
        if request.get("op") == "call":
            target = getattr(module, request["name"], None)
        else:
            target = handles.get(request.get("handle"))
            if target is not None and not callable(target):
                target = getattr(target, "predict", None)
        reply = {"type": "reply", "id": request["id"]}
        try:
            if not callable(target):
                raise NameError(f"{request.get('name', 'the function')} is not defined")
            value = target(*[decode_arg(a) for a in request.get("args", [])])
            _flush()
            if request.get("keep") and (callable(value) or callable(getattr(value, "predict", None))):
                handles[len(handles) + 1] = value
                reply.update(ok=True, value={"handle": len(handles)})
            else:
                reply.update(ok=True, value=encode_value(value))
        except BaseException as exc:  # noqa: BLE001 - reported to the host's check, which decides
            _flush()
            if isinstance(exc, MemoryError):
                _free_reserve()
            reply.update(ok=False, error={"type": type(exc).__name__[:100], "line": learner_line(exc),
                                          "message": _scrub(str(exc))[:500], "reason": classify(exc)})
        send(reply)


def rehearse() -> None:
    """Run the job's code paths once with dummy data, in a spare child before it has a job.

    After fork every page the job writes to is copied; doing the common writes here, while the spare
    waits, takes those copies off the job's start-up time. Leaves no state behind.
    """
    devnull = os.open("/dev/null", os.O_WRONLY)
    try:
        stream = io.TextIOWrapper(io.FileIO(devnull, "w", closefd=False), encoding="utf-8", errors="replace")
        stream.write("warm\n")
        stream.flush()
        stream.detach()
        wire.dumps({"type": "layers", "active": ["rlimits"], "failed": {}})
        json.loads(wire.dumps({"kind": "code", "code": "pass", "exercise": None}))
        module = types.ModuleType("rehearsal")
        exec(compile("x = 1\n", SUBMISSION_FILENAME, "exec", dont_inherit=True), module.__dict__)
        RequestReader(devnull)
    finally:
        os.close(devnull)


# --- entry point from the zygote --------------------------------------------------------------

def main(layers_active: list, layers_failed: dict, limits: dict, required: tuple) -> None:
    """Run one job; never returns (the process exits here)."""
    global _reserve
    code = 0
    try:
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="replace",
                                      line_buffering=False)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="replace",
                                      write_through=True)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        send({"type": "layers", "active": layers_active, "failed": layers_failed})
        requests = RequestReader(REQUEST_FD)
        line = requests.readline()
        if line is None:
            os._exit(0)
        payload = json.loads(line)
        if payload["kind"] == "code":
            missing = [name for name in required if name not in layers_active]
            if missing:
                send({"type": "result", "outcome": "sandbox_unavailable",
                      "message": f"The sandbox layers {', '.join(missing)} could not be applied."})
                os._exit(0)
        _reserve = bytearray(256 << 10)
        if payload["kind"] == "spec":
            run_spec(payload)
        else:
            run_code(payload, limits, requests)
    except BaseException:  # noqa: BLE001 - our own failure; the host reports it as internal_error
        code = 70
    finally:
        _flush()
        os._exit(code)
