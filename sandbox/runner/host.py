"""The host side: run one submission in a job forked from the zygote and return a validated result.

Host-side layers (always on): a clean environment for the zygote, a fresh private job directory
(mkdtemp 0700, removed without following symlinks), a wall-clock deadline, caps on stdout/stderr,
kill of the whole job (pidfd and process group) on any limit, and the result read only as
size-capped, validated JSON lines from a dedicated pipe (wire.py). Nothing a job wrote is unpickled.
"""

from __future__ import annotations

import logging
import os
import secrets
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, Optional

from . import layers as layer_info
from . import wire
from .limits import resolve as resolve_limits
from .submission import validate as validate_submission

log = logging.getLogger("sandbox.runner")

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST_LAYERS = ("clean_env", "private_dir", "wall_clock", "output_caps", "result_validation")
REASONS = ("timed_out", "cpu_limit", "memory_limit", "output_limit", "sandbox_violation", "error_in_code",
           "invalid_spec", "diverged", "cancelled", "sandbox_unavailable", "internal_error")
CANCEL_POLL_SECONDS = 0.1
UID_BASE = int(os.environ.get("SANDBOX_UID_BASE", "1500000000"))
UID_RANGE = 10_000_000
FIGURE_KEYS = {"epoch", "epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "learning_rate",
               "seconds"}
TRAINING_KEYS = ("history", "metrics", "parameters", "engine_version", "seed", "stopped", "spec", "data",
                 "confusion_matrix", "evaluation", "decision_grid")
OUTCOMES = {"ok", "error_in_code", "invalid_spec", "diverged", "memory_limit", "output_limit",
            "sandbox_violation", "sandbox_unavailable"}
ZYGOTE_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
               "from sandbox.runner.zygote import serve; serve(int(sys.argv[2]))")


def allow_weak() -> bool:
    return os.environ.get("SANDBOX_ALLOW_WEAK", "") not in ("", "0", "false", "no")


def clean_env() -> dict:
    """Return the whole environment of the zygote (and so of every job): no secret, no DJANGO_*, no broker.

    One BLAS thread per job by default: a worker runs one job per core, and the networks learners
    train are too small for BLAS threads to pay for themselves (SANDBOX_BLAS_THREADS raises it).
    """
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/nonexistent",
            "OPENBLAS_NUM_THREADS": os.environ.get("SANDBOX_BLAS_THREADS", "1"), "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "0"}


# --- the zygote ---------------------------------------------------------------------------------

class ZygoteError(RuntimeError):
    pass


class Zygote:
    """A client of one zygote process; restarts it when it died or this process forked."""

    def __init__(self):
        self._lock = threading.RLock()
        self._proc = None
        self._sock = None
        self._owner = None
        self.probe = None

    def _start(self) -> None:
        from . import zygote as zygote_module

        self._stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-c", ZYGOTE_BOOT, PROJECT_ROOT, str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=clean_env(), cwd="/", stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, close_fds=True)
        theirs.close()
        ours.settimeout(60)
        self._sock = ours
        self._owner = os.getpid()
        hello, _ = zygote_module._recv(ours)
        if not hello or "hello" not in hello:
            raise ZygoteError("the sandbox zygote did not start")
        ours.settimeout(30)
        self.probe = hello["probe"]
        try:
            swept = sweep_stale_job_dirs()
        except OSError as exc:
            log.warning("could not sweep old job directories: %s", exc)
        else:
            if swept:
                log.info("removed %d job directories left by an earlier host", swept)
        active = [name for name, info in self.probe["layers"].items() if info["active"]]
        log.info("sandbox zygote %s started; active layers: %s", hello["hello"], ", ".join(active) or "none")
        missing = [name for name in layer_info.REQUIRED_FOR_CODE if name not in active]
        if missing:
            log.warning("sandbox layers unavailable here: %s; code submissions are %s", ", ".join(missing),
                        "ALLOWED (SANDBOX_ALLOW_WEAK)" if allow_weak() else "refused")

    def _stop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        if self._proc is not None and self._owner == os.getpid():
            try:
                self._proc.kill()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._proc = None

    def ensure(self) -> None:
        with self._lock:
            if self._owner != os.getpid():
                # Forked (e.g. a prefork pool): the zygote is the parent's; close our copy of its socket
                # (the parent keeps its own) and start a zygote of our own.
                if self._sock is not None:
                    try:
                        self._sock.close()
                    except OSError:
                        pass
                self._sock = None
                self._proc = None
                self._start()
            elif self._proc is None or self._proc.poll() is not None:
                self._start()

    def request(self, message: dict, fds=()):
        from . import zygote as zygote_module

        with self._lock:
            for attempt in (1, 2):
                self.ensure()
                try:
                    zygote_module._send(self._sock, message, fds)
                    reply, reply_fds = zygote_module._recv(self._sock)
                    if reply is None:
                        raise ConnectionError("zygote closed the connection")
                    return reply, reply_fds
                except (OSError, ConnectionError):
                    if attempt == 2 or message.get("op") != "spawn":
                        raise
                    self._stop()  # it died: start a new one and try once more

    def close(self) -> None:
        with self._lock:
            self._stop()


_zygote = Zygote()


def probe_layers() -> dict:
    """Return which layers work here: ``{"layers": {name: {"active", "detail"}}, "code_allowed", ...}``."""
    _zygote.ensure()
    report = dict(_zygote.probe)
    active = [name for name, info in report["layers"].items() if info["active"]]
    report["host_layers"] = list(HOST_LAYERS)
    report["required_for_code"] = list(layer_info.REQUIRED_FOR_CODE)
    report["code_allowed"] = all(n in active for n in layer_info.REQUIRED_FOR_CODE) or allow_weak()
    report["weak_allowed"] = allow_weak()
    return report


# --- the job directory ----------------------------------------------------------------------------

def jobs_base() -> str:
    base = os.environ.get("SANDBOX_JOBS_DIR") or os.path.join(tempfile.gettempdir(), "labs-ict-jobs")
    try:
        os.mkdir(base, 0o711)
    except FileExistsError:
        pass
    st = os.lstat(base)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise ZygoteError(f"{base} must be a directory owned by this user and not writable by others")
    return base


STALE_JOB_SECONDS = 3 * 3600  # longer than any job may run (limits.MAXIMUM["wall_seconds"] is 2 h)


def sweep_stale_job_dirs(max_age: float = STALE_JOB_SECONDS) -> int:
    """Remove job directories left behind by a host that died mid-job; return how many."""
    base = jobs_base()
    removed = 0
    now = time.time()
    for name in os.listdir(base):
        if not name.startswith("job-"):
            continue
        path = os.path.join(base, name)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(st.st_mode) and now - st.st_mtime > max_age:
            remove_tree(path)
            removed += 1
    return removed


def remove_tree(path: str) -> None:
    """Remove a job directory; never follows a symlink the job made (fd-based rmtree)."""
    if not shutil.rmtree.avoids_symlink_attacks:
        raise ZygoteError("this platform's rmtree can follow symlinks")
    try:
        os.rmdir(path)  # the usual case: the job wrote into its own tmpfs, so the host's directory is empty
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        os.unlink(path)
        return
    shutil.rmtree(path, ignore_errors=True)


# --- one job ------------------------------------------------------------------------------------

class JobEnded(Exception):
    """The job stopped (killed, exited or misbehaved) while the host waited for it."""


class Job:
    def __init__(self, kind: str, limits: dict, on_progress, should_cancel, exercise: bool):
        self.kind = kind
        self.limits = limits
        self.on_progress = on_progress
        self.should_cancel = should_cancel
        self.exercise = exercise
        self.output_cap = limits["output_kb"] * 1024
        self.out = {"stdout": bytearray(), "stderr": bytearray()}
        self.discard_output = False
        self.kill_reason = None
        self.kill_message = ""
        self.messages_seen = 0
        self.message_bytes = 0
        self.message_buffer = bytearray()
        self.layers = None
        self.ready = None
        self.replies = {}
        self.result = None
        self.exited = False
        self.status = None
        self.usage = None
        self.send_buffer = bytearray()
        self.job_dir = None
        self.next_id = 0
        self.done_sent = False
        self.exit_time = None
        self.discarded = 0
        self.awaiting = None

    # setup
    def start(self, payload: dict, uid) -> None:
        self.job_dir = tempfile.mkdtemp(prefix="job-", dir=jobs_base())  # 0700
        if uid is not None:
            os.chown(self.job_dir, uid, uid)
        pipes = {name: os.pipe() for name in ("stdout", "stderr", "requests", "messages")}
        child_ends = [pipes["stdout"][1], pipes["stderr"][1], pipes["requests"][0], pipes["messages"][1]]
        self.fds = {"stdout": pipes["stdout"][0], "stderr": pipes["stderr"][0], "messages": pipes["messages"][0]}
        self.request_fd = pipes["requests"][1]
        for fd in list(self.fds.values()) + [self.request_fd]:
            os.set_blocking(fd, False)
        probe = _zygote.probe or {"layers": {}}
        wanted = [n for n in layer_info.LAYER_NAMES if probe["layers"].get(n, {}).get("active")]
        message = {"op": "spawn", "job_dir": self.job_dir, "limits": {k: v for k, v in self.limits.items()
                                                                      if k != "engine"},
                   "uid": uid, "wanted": wanted,
                   "required": [] if allow_weak() else list(layer_info.REQUIRED_FOR_CODE)}
        try:
            reply, fds = _zygote.request(message, child_ends)
        except BaseException:
            for fd in list(self.fds.values()) + [self.request_fd]:
                os.close(fd)
            raise
        finally:
            for fd in child_ends:
                os.close(fd)
        if "pid" not in reply or len(fds) != 1:
            for fd in fds + list(self.fds.values()) + [self.request_fd]:
                os.close(fd)
            raise ZygoteError(f"the zygote could not start the job: {reply}")
        self.pid, self.pidfd = reply["pid"], fds[0]
        self.started = time.monotonic()
        self.deadline = self.started + self.limits["wall_seconds"]
        self.send(payload)

    def send(self, message: dict) -> None:
        self.send_buffer += wire.dumps(message)
        self._flush_requests()

    def _flush_requests(self) -> None:
        while self.send_buffer and self.request_fd is not None:
            try:
                written = os.write(self.request_fd, self.send_buffer)
            except BlockingIOError:
                return
            except (BrokenPipeError, OSError):
                self.send_buffer.clear()
                return
            del self.send_buffer[:written]

    # killing
    def kill(self, reason: str | None, message: str = "") -> None:
        if reason and self.kill_reason is None:
            self.kill_reason, self.kill_message = reason, message
        if not self.exited:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # the job's group; its leader is not reaped yet
        except OSError:
            pass

    # the event loop
    def pump(self, until: Callable[[], bool]) -> None:
        """Run the loop until ``until()`` or the job has exited and its pipes are drained."""
        last_cancel_check = 0.0
        while not until():
            if self.exited and not self.fds:
                return
            now = time.monotonic()
            if now - last_cancel_check >= CANCEL_POLL_SECONDS:
                last_cancel_check = now
                if self.should_cancel is not None and not self.exited and self._cancel_requested():
                    self.kill("cancelled", "The job was cancelled.")
            if now >= self.deadline and not self.exited:
                self.kill("timed_out", f"Your job ran longer than {self.limits['wall_seconds']:g} seconds "
                                       "(wall clock) and was stopped.")
            if self.exited and now >= self.exit_time + 1.0:
                # Something still holds the pipes open after the job's death: stop listening.
                for name in list(self.fds):
                    self._close(name)
                return
            watch = list(self.fds.values()) + ([] if self.exited else [self.pidfd])
            writers = [self.request_fd] if self.send_buffer and self.request_fd is not None else []
            timeout = max(0.0, min(CANCEL_POLL_SECONDS, self.deadline - now))
            readable, writable, _ = select.select(watch, writers, [], timeout)
            if writable:
                self._flush_requests()
            for fd in readable:
                if fd == self.pidfd:
                    self.exited = True
                    self.exit_time = time.monotonic()
                    self.kill(None)  # anything left in its process group goes too
                else:
                    self._read([n for n, f in self.fds.items() if f == fd][0])

    def _cancel_requested(self) -> bool:
        try:
            return bool(self.should_cancel())
        except Exception:  # noqa: BLE001 - a broken callback cancels rather than leaving the job running
            log.exception("should_cancel failed; cancelling the job")
            return True

    def _close(self, name: str) -> None:
        os.close(self.fds.pop(name))

    def _read(self, name: str) -> None:
        try:
            data = os.read(self.fds[name], 1 << 16)
        except BlockingIOError:
            return
        if not data:
            self._close(name)
            return
        if name == "messages":
            self._messages(data)
            return
        if self.discard_output:
            # Dropped, but still counted: a flood during the checks is stopped like any other.
            self.discarded += len(data)
            if self.discarded > self.output_cap:
                self.kill("output_limit", f"Your code printed more than {self.limits['output_kb']} KB during "
                                          "the checks; the job was stopped.")
            return
        buffer = self.out[name]
        room = self.output_cap - len(buffer)
        buffer += data[: max(room, 0)]
        if len(data) > room:
            self.kill("output_limit", f"Your code printed more than {self.limits['output_kb']} KB to {name}; "
                                      "the job was stopped.")

    def _messages(self, data: bytes) -> None:
        self.message_bytes += len(data)
        if self.message_bytes > wire.MAX_TOTAL_BYTES:
            return self._violation("too much data on the result channel")
        self.message_buffer += data
        while True:
            index = self.message_buffer.find(b"\n")
            if index < 0:
                if len(self.message_buffer) > wire.MAX_LINE_BYTES:
                    self._violation("a message on the result channel is too large")
                return
            line = bytes(self.message_buffer[:index])
            del self.message_buffer[: index + 1]
            if self.messages_seen < 0:
                return  # after a violation nothing more is read
            try:
                self._handle(wire.loads(line))
            except wire.WireError as exc:
                return self._violation(str(exc))
            self.messages_seen += 1

    def _violation(self, detail: str) -> None:
        self.message_buffer.clear()
        self.messages_seen = -1 << 30  # ignore everything after
        if self.kind == "spec":
            self.kill("internal_error", f"The training job sent an invalid result ({detail}).")
        else:
            self.kill("sandbox_violation", "Your code wrote to the sandbox's private result channel "
                                           f"({detail}); the job was stopped.")

    def _handle(self, message) -> None:
        if self.messages_seen < 0:
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise wire.WireError("a message is not an object with a type")
        kind = message["type"]
        if self.messages_seen == 0:
            if kind != "layers" or set(message) != {"type", "active", "failed"}:
                raise wire.WireError("the first message must report the layers")
            active, failed = message["active"], message["failed"]
            if not isinstance(active, list) or not all(a in layer_info.LAYER_NAMES for a in active) \
                    or not isinstance(failed, dict) or not all(isinstance(v, str) for v in failed.values()):
                raise wire.WireError("bad layer report")
            self.layers = {"active": active, "failed": failed}
            return
        if self.result is not None:
            raise wire.WireError("a message after the result")
        if kind == "progress" and self.kind == "spec":
            figures = message.get("figures")
            if set(message) != {"type", "figures"} or not isinstance(figures, dict) or set(figures) - FIGURE_KEYS:
                raise wire.WireError("bad progress message")
            if not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                       for v in figures.values()):
                raise wire.WireError("bad progress figures")
            if self.on_progress is not None:
                try:
                    self.on_progress(dict(figures))
                except Exception:  # noqa: BLE001 - a caller's bug must not leave the job running
                    log.exception("on_progress failed")
            return
        if kind == "ready" and self.exercise and self.ready is None:
            functions = message.get("functions")
            if set(message) != {"type", "functions"} or not isinstance(functions, list) \
                    or not all(isinstance(f, str) for f in functions):
                raise wire.WireError("bad ready message")
            self.ready = functions
            self._drain_output()
            self.discard_output = True  # learner output during checks could reveal hidden inputs
            return
        if kind == "reply" and self.ready is not None:
            if set(message) - {"type", "id", "ok", "value", "error"} or message.get("id") != self.awaiting \
                    or not isinstance(message.get("ok"), bool):
                raise wire.WireError("bad reply")
            self.replies[message["id"]] = message
            self.awaiting = None
            return
        if kind == "result":
            allowed = {"type", "outcome", "message", "errors", "training", "line"}
            if set(message) - allowed or message.get("outcome") not in OUTCOMES \
                    or not isinstance(message.get("message"), str):
                raise wire.WireError("bad result message")
            if "training" in message and (self.kind != "spec" or not isinstance(message["training"], dict)):
                raise wire.WireError("bad training result")
            if "errors" in message:
                errors = message["errors"]
                if not isinstance(errors, list) or not all(
                        isinstance(e, dict) and set(e) <= {"path", "message"} and all(isinstance(v, str) for v in e.values())
                        for e in errors):
                    raise wire.WireError("bad spec errors")
            if self.exercise and message["outcome"] == "ok" and not self.done_sent:
                raise wire.WireError("a verdict before the checks ran")
            self.result = message
            return
        raise wire.WireError(f"unexpected message {kind[:40]!r}")

    def _drain_output(self) -> None:
        """Read what is already in the output pipes (bounded: a thread may still be writing)."""
        for name in ("stdout", "stderr"):
            for _ in range(self.output_cap // (1 << 16) + 2):
                if name not in self.fds:
                    break
                try:
                    data = os.read(self.fds[name], 1 << 16)
                except BlockingIOError:
                    break
                if not data:
                    self._close(name)
                    break
                room = self.output_cap - len(self.out[name])
                self.out[name] += data[: max(room, 0)]

    # exercise calls
    def call(self, request: dict):
        """Send one call to the learner's module and wait for its reply (raises JobEnded)."""
        self.next_id += 1
        request = dict(request, id=self.next_id)
        self.awaiting = self.next_id
        self.send(request)
        self.pump(lambda: request["id"] in self.replies or self.exited or self.kill_reason is not None)
        if request["id"] not in self.replies:
            raise JobEnded()
        return self.replies.pop(request["id"])

    # end
    def finish(self) -> None:
        self.pump(lambda: False)
        if not self.exited:  # the loop returns only once the job exited
            self.kill(None)
        reply, _ = _zygote.request({"op": "reap", "pid": self.pid})
        self.status = reply.get("status")
        self.usage = {"cpu_seconds": round(reply.get("utime", 0.0) + reply.get("stime", 0.0), 3),
                      "peak_memory_mb": round(reply.get("maxrss_kb", 0) / 1024, 1),
                      "wall_seconds": round(time.monotonic() - self.started, 3)}
        os.close(self.pidfd)
        for name in list(self.fds):
            self._close(name)
        if self.request_fd is not None:
            os.close(self.request_fd)
            self.request_fd = None

    def cleanup(self) -> None:
        remove_tree(self.job_dir)


# --- results ------------------------------------------------------------------------------------

def _decode(buffer: bytearray, cap: int, truncated: bool) -> str:
    text = bytes(buffer).decode("utf-8", errors="replace")
    if truncated:
        text += f"\n[output truncated at {cap // 1024} KB]"
    return text


def _signal_reason(job: Job) -> tuple[str, str] | None:
    status = job.status
    if status is None or not os.WIFSIGNALED(status):
        return None
    sig = os.WTERMSIG(status)
    cpu = job.usage["cpu_seconds"]
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= job.limits["cpu_seconds"] - 0.05):
        return "cpu_limit", f"Your code used more than {job.limits['cpu_seconds']:g} s of CPU time and was stopped."
    if sig == signal.SIGSYS:
        return "sandbox_violation", "Your code made a system call the sandbox forbids; the job was stopped."
    if sig == signal.SIGXFSZ:
        return "output_limit", f"Your code wrote a file larger than {job.limits['files_mb']} MB."
    if sig in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS) and \
            job.usage["peak_memory_mb"] >= 0.5 * job.limits["memory_mb"]:
        return "memory_limit", f"Your code ran out of memory (the limit is {job.limits['memory_mb']} MB)."
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = str(sig)
    return "error_in_code", f"The job was killed by signal {name}."


def build_result(job: Job, submission: dict, checks=None) -> dict:
    layers_active = list(HOST_LAYERS) + (job.layers["active"] if job.layers else [])
    result = {"status": "failed", "kind": submission["kind"], "message": "",
              "stdout": "", "stderr": "", "usage": job.usage,
              "sandbox": {"layers": layers_active, "failed_layers": job.layers["failed"] if job.layers else {},
                          "weak": False, "warnings": []}}
    if submission["kind"] == "code":
        result["exercise"] = submission["exercise"]
    for name in ("stdout", "stderr"):
        result[name] = _decode(job.out[name], job.output_cap, len(job.out[name]) >= job.output_cap)
    if job.discard_output:
        result["stdout"] += "\n[output printed during the checks is not shown]"
    missing = [n for n in layer_info.REQUIRED_FOR_CODE if n not in layers_active]
    if missing:
        result["sandbox"]["weak"] = True
        result["sandbox"]["warnings"].append(f"layers not active: {', '.join(missing)}")
    reason, message = None, ""
    child = job.result
    if job.kill_reason:
        reason, message = job.kill_reason, job.kill_message
    elif (sig := _signal_reason(job)) is not None:
        reason, message = sig
    elif child is None:
        if submission["kind"] == "code":
            code = os.WEXITSTATUS(job.status) if job.status is not None and os.WIFEXITED(job.status) else None
            reason, message = "error_in_code", f"Your code ended the process early (exit status {code})."
        else:
            reason, message = "internal_error", "The training job ended without a result."
    elif child["outcome"] != "ok":
        reason, message = child["outcome"], child["message"]
    if child is not None and "training" in child and reason in (None, "diverged"):
        training = child["training"]
        for key in TRAINING_KEYS:
            if key in training:
                result[key] = training[key]
    if child is not None and child.get("errors") and reason == "invalid_spec":
        result["errors"] = child["errors"]
    if checks is not None:
        result["checks"] = checks
        result["score"] = {"points": round(sum(c["points"] for c in checks), 6),
                           "max_points": round(sum(c["max_points"] for c in checks), 6)}
        if reason is None and not all(c["passed"] for c in checks):
            failed = [c["name"] for c in checks if not c["passed"]]
            message = f"{len(failed)} of {len(checks)} checks failed: {', '.join(failed)}."
    if reason is None and submission["kind"] == "code" and submission["exercise"] and checks is None:
        reason, message = "internal_error", "The exercise checks did not run."
    if reason is None:
        result["status"] = "succeeded"
        result.pop("reason", None)
    else:
        result["reason"] = reason
    result["message"] = message
    return result


def _refusal(submission: dict, limits: dict, reason: str, message: str) -> dict:
    probe = _zygote.probe or {"layers": {}}
    active = [n for n, info in probe["layers"].items() if info["active"]]
    result = {"status": "failed", "reason": reason, "message": message, "kind": submission["kind"],
              "stdout": "", "stderr": "", "usage": {"cpu_seconds": 0.0, "peak_memory_mb": 0.0, "wall_seconds": 0.0},
              "sandbox": {"layers": list(HOST_LAYERS) + active, "failed_layers": {}, "weak": True, "warnings": []}}
    if submission["kind"] == "code":
        result["exercise"] = submission["exercise"]
    return result


def run_submission(submission: dict, *, limits: Optional[dict] = None,
                   on_progress: Optional[Callable[[dict], None]] = None,
                   should_cancel: Optional[Callable[[], bool]] = None) -> dict:
    """Run one submission in a fresh sandboxed job and return its result (see docs/sandbox.md).

    ``limits``: the caller's limits (defaults in limits.py); a submission's own limits only lower them.
    ``on_progress(figures)`` is called per reported epoch of a spec run; ``should_cancel()`` is polled
    about every 0.1 s and, when it returns True, the job is killed and the result is ``cancelled``.
    Raises SubmissionError for a malformed submission.
    """
    from .exercises import EXERCISES

    submission = validate_submission(submission)
    job_limits = resolve_limits(limits, submission["limits"])
    _zygote.ensure()
    probe = _zygote.probe
    active = [n for n, info in probe["layers"].items() if info["active"]]
    missing = [n for n in layer_info.REQUIRED_FOR_CODE if n not in active]
    weak = bool(missing)
    if submission["kind"] == "code" and missing and not allow_weak():
        return _refusal(submission, job_limits, "sandbox_unavailable",
                        f"Code cannot run here: the sandbox layers {', '.join(missing)} are not available.")
    if weak:
        log.warning("running a %s submission with a weak sandbox (missing: %s)", submission["kind"], ", ".join(missing))
    if submission["kind"] == "spec":
        payload = {"kind": "spec", "spec": submission["spec"], "engine_limits": job_limits.get("engine"),
                   "evaluate": submission["evaluate"]}
    else:
        payload = {"kind": "code", "code": submission["code"], "exercise": submission["exercise"]}
    uid = UID_BASE + secrets.randbelow(UID_RANGE) if "uid" in active else None
    exercise = EXERCISES[submission["exercise"]] if submission["kind"] == "code" and submission["exercise"] else None
    job = Job(submission["kind"], job_limits, on_progress, should_cancel, exercise is not None)
    checks = None
    try:
        job.start(payload, uid)
        try:
            if exercise is not None:
                job.pump(lambda: job.ready is not None or job.result is not None or job.kill_reason is not None)
                if job.ready is not None and job.kill_reason is None:
                    try:
                        checks = exercise.run(job, submission["params"])
                    except Exception:
                        log.exception("exercise %s failed", submission["exercise"])
                        job.kill("internal_error", "The exercise checks failed on our side; please try again.")
                    if job.kill_reason is None and not job.exited:
                        job.done_sent = True
                        job.send({"op": "done"})
        finally:
            job.finish()
    finally:
        if getattr(job, "job_dir", None):
            job.cleanup()
    if exercise is not None and checks is None and job.ready is not None:
        checks = []
    result = build_result(job, submission, checks)
    if weak:
        result["sandbox"]["weak"] = True
        result["sandbox"]["warnings"].append("SANDBOX_ALLOW_WEAK: running without " + ", ".join(missing))
    # What came from the job was checked as it was read (wire.loads); check what the host added.
    wire.check_value({key: value for key, value in result.items() if key not in TRAINING_KEYS})
    return result
