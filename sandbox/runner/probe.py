"""Find out which layers work on this machine: apply them all in a throwaway child and test each."""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import socket
import tempfile

from . import landlock, layers
from .limits import DEFAULT_LIMITS

PROBE_UID = 65534


def _verify(job_dir: str, active: list, uid) -> dict:
    """In the restricted child: check that every layer does what it claims."""
    verified = {}

    def denied(fn, codes=(errno.EPERM, errno.EACCES)):
        try:
            fn()
        except OSError as exc:
            return exc.errno in codes
        return False

    if "landlock" in active:
        verified["landlock"] = denied(lambda: open("/etc/passwd", "rb").close()) and not denied(
            lambda: open(os.path.join(job_dir, "probe"), "wb").close()) and not denied(
            lambda: open(os.path.join(os.path.dirname(os.__file__), "this.py"), "rb").close())
    if "seccomp" in active:
        verified["seccomp"] = denied(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
    if "uid" in active:
        verified["uid"] = os.getuid() == uid and os.geteuid() == uid
    if "rlimits" in active:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        verified["rlimits"] = soft == hard == DEFAULT_LIMITS["memory_mb"] * 1024 * 1024
    if "netns" in active:
        try:
            with open(f"/proc/{os.getpid()}/net/dev") as fh:
                names = [line.split(":")[0].strip() for line in fh.readlines()[2:]]
            verified["netns"] = names == ["lo"]
        except OSError:
            verified["netns"] = False
    if "mountns" in active:
        stats = os.statvfs(job_dir)
        verified["mountns"] = stats.f_blocks * stats.f_frsize <= DEFAULT_LIMITS["files_mb"] * 1024 * 1024
    return verified


def run_probe() -> dict:
    """Return ``{"layers": {name: {"active": bool, "detail": str}}, ...}`` for this machine and user."""
    root = os.geteuid() == 0
    layers.read_paths()
    job_dir = tempfile.mkdtemp(prefix="labs-ict-probe-")
    uid = PROBE_UID if root else None
    if uid is not None:
        os.chown(job_dir, uid, uid)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            active, failed = layers.apply(job_dir, dict(DEFAULT_LIMITS), uid=uid, wanted=layers.LAYER_NAMES,
                                          parent_pid=os.getppid())
            report = {"active": active, "failed": failed, "verified": _verify(job_dir, active, uid)}
            os.write(write_fd, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    data = b""
    while chunk := os.read(read_fd, 65536):
        data += chunk
    os.close(read_fd)
    os.waitpid(pid, 0)
    shutil.rmtree(job_dir, ignore_errors=True)
    try:
        report = json.loads(data)
    except ValueError:
        report = {"active": [], "failed": {"probe": "the probe child died"}, "verified": {}}
    result = {}
    for name in layers.LAYER_NAMES:
        if name in report["active"] and report["verified"].get(name):
            result[name] = {"active": True, "detail": "applied and verified"}
        elif name in report["active"]:
            result[name] = {"active": False, "detail": "applied but did not take effect"}
        elif name in report["failed"]:
            result[name] = {"active": False, "detail": report["failed"][name]}
        else:
            result[name] = {"active": False, "detail": "needs root" if not root else "not attempted"}
    return {"layers": result, "landlock_abi": landlock.abi_version(), "root": root,
            "kernel": platform.release(), "python": platform.python_version()}
