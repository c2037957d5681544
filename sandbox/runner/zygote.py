"""The warm fork server: a process that has imported NumPy and the engine, and forks one child per job.

It holds no submission, no result and no secret (its memory is copied into every job): the host
sends it only a job directory, limits, a uid and the four pipe ends of the job; the submission
goes from the host straight to the job over one of those pipes, and the result straight back.

Protocol (SOCK_SEQPACKET, one JSON object per message, file descriptors as SCM_RIGHTS):
- zygote -> host at start: ``{"hello": pid, "probe": {...}}``
- ``{"op": "spawn", "job_dir", "limits", "uid", "wanted", "required"}`` + 4 fds ->
  ``{"pid": n}`` + a pidfd of the job
- ``{"op": "reap", "pid": n}`` -> ``{"pid", "status", "utime", "stime", "maxrss_kb"}``
A job is the zygote's *spare*: a child forked in advance (between jobs) that has done the
job-independent set-up (see ``Spare``) and waits, holding nothing, until a spawn hands it its job.
A job stays a zombie until the host asks to reap it, so its pid and process group cannot be reused
while the host may still signal them. When the host goes away, the zygote kills its jobs and exits.
"""

from __future__ import annotations

import array
import gc
import json
import os
import signal
import socket

MAX_MESSAGE = 1 << 16
CHILD_FDS = (1, 2, 3, 4)  # stdout, stderr, requests, messages


def _recv(sock: socket.socket):
    fds = array.array("i")
    data, ancdata, _flags, _addr = sock.recvmsg(MAX_MESSAGE, socket.CMSG_SPACE(8 * fds.itemsize))
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    return (json.loads(data) if data else None), list(fds)


def _send(sock: socket.socket, message: dict, fds=()) -> None:
    data = json.dumps(message).encode()
    if fds:
        sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    else:
        sock.send(data)


def _warm_up() -> None:
    """Import everything a job needs, so that no job reads a module file after its layers are on."""
    import ctypes  # noqa: F401
    import numpy  # noqa: F401

    from . import child, landlock, layers, seccomp_filter, wire  # noqa: F401

    layers.read_paths()
    seccomp_filter.compiled()

    try:
        import sandbox.engine  # noqa: F401
        from sandbox.engine import training  # noqa: F401
    except ImportError:
        pass
    # Modules learners commonly import, so their first import costs no file reads.
    import collections, functools, itertools, math, random, re, statistics, string, textwrap, typing  # noqa: E401,F401
    import dataclasses, decimal, fractions, heapq, bisect, copy, operator, numbers, enum  # noqa: E401,F401
    import json, traceback, linecache, io, time  # noqa: E401,F401


def _arrange_fds(fds: list, keep: int | None = None) -> None:
    """Put the job's pipes on 1..4, /dev/null on 0, and close everything else but ``keep`` (a high fd)."""
    high = [os.dup(fd) for fd in fds]  # move out of the way of 0..4 before dup2
    for fd in fds:
        os.close(fd)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    for target, fd in zip(CHILD_FDS, high):
        os.dup2(fd, target)
    if keep is None:
        os.closerange(5, 1 << 16)
    else:
        os.closerange(5, keep)
        os.closerange(keep + 1, 1 << 16)


def _spare_child(host_sock: socket.socket, spare_sock: socket.socket, parent: int, wanted: tuple) -> None:
    """In a pre-forked child: do the job-independent setup, wait for a job, then run it. Never returns."""
    try:
        host_sock.close()
        from . import child, layers

        layers.die_with_parent(parent)
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_IGN)
        prepared = layers.prepare(wanted)
        child.rehearse()
        message, fds = _recv(spare_sock)
        spare_sock.close()
        if message is None or len(fds) != len(CHILD_FDS):
            os._exit(0)
        _arrange_fds(fds, keep=prepared.ruleset.fd if prepared.ruleset is not None else None)
        active, failed = layers.apply(message["job_dir"], message["limits"], uid=message.get("uid"),
                                      wanted=tuple(message["wanted"]), parent_pid=parent, prepared=prepared)
        child.main(active, failed, message["limits"], tuple(message["required"]))
    finally:
        os._exit(70)


class Spare:
    """A pre-forked child waiting for its job: fork, setsid and the namespaces are paid before the job comes."""

    def __init__(self, host_sock: socket.socket, wanted: tuple):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            ours.close()
            _spare_child(host_sock, theirs, parent, wanted)
        theirs.close()
        self.pid, self.sock, self.pidfd = pid, ours, os.pidfd_open(pid)

    def close(self) -> None:
        self.sock.close()
        os.close(self.pidfd)


def serve(sock_fd: int) -> None:
    """Run the zygote on an inherited SOCK_SEQPACKET socket until the host closes it."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
    _warm_up()
    from . import probe

    sock = socket.socket(fileno=sock_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    jobs: set[int] = set()
    report = probe.run_probe()
    _send(sock, {"hello": os.getpid(), "probe": report})
    wanted = tuple(name for name, info in report["layers"].items() if info["active"])
    # Objects that exist now are never collected in a job: its GC does not touch (and so copy) their pages.
    gc.collect()
    gc.freeze()
    spare = None
    try:
        spare = Spare(sock, wanted)
        while True:
            message, fds = _recv(sock)
            if message is None:
                break
            op = message.get("op")
            if op == "spawn":
                for _attempt in (1, 2):
                    if spare is None:
                        spare = Spare(sock, wanted)
                    try:
                        _send(spare.sock, message, fds)
                        break
                    except OSError:  # the spare died: reap it, make another
                        spare.close()
                        os.waitpid(spare.pid, 0)
                        spare = None
                for fd in fds:
                    os.close(fd)
                jobs.add(spare.pid)
                _send(sock, {"pid": spare.pid}, [spare.pidfd])
                spare.close()
                spare = None
            elif op == "reap":
                pid = int(message["pid"])
                if pid not in jobs:
                    _send(sock, {"error": "unknown pid"})
                    continue
                _, status, usage = os.wait4(pid, 0)
                jobs.discard(pid)
                _send(sock, {"pid": pid, "status": status, "utime": usage.ru_utime, "stime": usage.ru_stime,
                             "maxrss_kb": usage.ru_maxrss})
                if spare is None:
                    # Fork the next job's child between jobs: forking while a job runs measured slower
                    # (it competes with the job for a core), and a worker has time between tasks.
                    spare = Spare(sock, wanted)
            elif op == "ping":
                _send(sock, {"pong": os.getpid()})
            else:
                for fd in fds:
                    os.close(fd)
                _send(sock, {"error": f"unknown op {op!r}"})
    except (ConnectionError, OSError):
        pass
    finally:
        if spare is not None:
            spare.sock.close()  # a spare that has not reached setsid yet sees EOF and exits
            jobs.add(spare.pid)
        for pid in jobs:
            for kill in (os.kill, os.killpg):  # the leader is unreaped, so neither id can be reused
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        for pid in jobs:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
        os._exit(0)
