"""Apply the job's isolation layers to the current (freshly forked) process, in the one safe order.

Order: namespaces and the private tmpfs (need root), rlimits (set soft = hard, so they cannot be
raised back), the separate uid (drops every capability), parent-death signal, Landlock (sets
no_new_privs), seccomp last (it forbids the calls the steps above make).

Layer names, as reported in ``sandbox.layers``:
- ``netns``: an empty network namespace (no interface but a down loopback).
- ``mountns``: a private mount namespace with a size-capped tmpfs over the job directory.
- ``rlimits``: CPU, address space, file size, open files, processes (per uid), no core files.
- ``uid``: a uid of its own, no groups, no capabilities.
- ``landlock``: reads only beneath the Python installation, the engine and system libraries; writes
  only beneath the job directory; no TCP bind/connect; signals scoped to the job (ABI >= 6).
- ``seccomp``: see seccomp_filter.py.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
import sysconfig

from . import landlock, seccomp_filter

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 12, 1 << 14, 1 << 18
PR_SET_PDEATHSIG = 1

LAYER_NAMES = ("netns", "mountns", "rlimits", "uid", "landlock", "seccomp")
# Without these a code submission is refused (unless SANDBOX_ALLOW_WEAK=1).
REQUIRED_FOR_CODE = ("rlimits", "seccomp", "landlock")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def engine_dir() -> str | None:
    """Return the directory of the ``sandbox.engine`` package (the only project code a job may read)."""
    try:
        import sandbox.engine as engine
    except ImportError:
        return None
    return os.path.dirname(os.path.realpath(engine.__file__))


_READ_PATHS: list[str] | None = None


def read_paths() -> list[str]:
    """Return what a job may read: the Python installation, the engine, system libraries, a few /dev nodes.

    Computed once (in the zygote, before any fork: sysconfig imports modules) plus the job's /proc/<pid>.
    """
    global _READ_PATHS
    if _READ_PATHS is None:
        _READ_PATHS = _base_read_paths()
    own = f"/proc/{os.getpid()}"
    return _READ_PATHS + [own]


def _base_read_paths() -> list[str]:
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(sysconfig.get_paths().get(key))
    for entry in sys.path:
        if entry and "site-packages" in entry:
            paths.add(entry)
    paths.update(("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib",
                  "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"))
    paths.add(engine_dir())
    project = _project_root()
    # A virtualenv inside the project is fine to read; the project itself is not.
    return sorted(p for p in paths if p and os.path.exists(p) and not (project and _same_or_parent(p, project)))


def _project_root() -> str | None:
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    return here if os.path.isdir(os.path.join(here, "sandbox")) else None


def _same_or_parent(path: str, project: str) -> bool:
    """True when granting ``path`` would grant the whole project tree."""
    path = os.path.realpath(path)
    return project == path or project.startswith(path.rstrip("/") + "/")


def unshare_network() -> None:
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")


def private_mount_namespace() -> None:
    """Enter a new mount namespace whose mounts never propagate back into the host's."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount(/, MS_PRIVATE)")


def private_tmpfs(job_dir: str, *, uid: int | None, size_mb: int, inodes: int, exposed: bool = False) -> None:
    """Mount a size-capped tmpfs over the job directory (in the job's own mount namespace)."""
    options = f"size={size_mb}m,nr_inodes={inodes},mode=0700"
    if uid is not None:
        options += f",uid={uid},gid={uid}"
    _check(_libc.mount(b"tmpfs", job_dir.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, options.encode()),
           "mount(tmpfs)")
    if uid is not None and not exposed:
        expose_hidden_parents(uid)


def python_paths() -> list[str]:
    """Return the directories of the Python installation and the engine (what imports read)."""
    return sorted(p for p in {sys.prefix, sys.base_prefix, engine_dir()} if p)


def expose_hidden_parents(uid: int) -> list[str]:
    """Let ``uid`` reach the Python installation when it lives under a directory it cannot enter.

    E.g. pyenv under /root (0700): in the job's own mount namespace, a tmpfs replaces each such
    directory, holding bind mounts of just the Python directories beneath it. The job then sees
    nothing else of that directory; the host's view is unchanged.
    """
    hidden = {}
    for path in python_paths():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            ancestor = "/" + "/".join(parts[:i])
            st = os.stat(ancestor)
            if not (st.st_mode & 0o001) and st.st_uid != uid:
                hidden.setdefault(ancestor, []).append(path)
                break
    for ancestor, paths in hidden.items():
        fds = {path: os.open(path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC) for path in paths}
        _check(_libc.mount(b"tmpfs", ancestor.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           b"size=64k,nr_inodes=256,mode=0755"), f"mount(tmpfs on {ancestor})")
        for path, fd in fds.items():
            os.makedirs(path, mode=0o755, exist_ok=True)
            _check(_libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC, None),
                   f"mount(bind {path})")
            os.close(fd)
    return sorted(hidden)


def set_rlimits(limits: dict) -> None:
    cpu = max(1, int(limits["cpu_seconds"] + 0.999))
    memory = int(limits["memory_mb"]) * 1024 * 1024
    files = int(limits["files_mb"]) * 1024 * 1024
    for res, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_CPU, (cpu, cpu + 1)),
                       (resource.RLIMIT_AS, memory), (resource.RLIMIT_FSIZE, files),
                       (resource.RLIMIT_NOFILE, int(limits["open_files"])),
                       (resource.RLIMIT_NPROC, int(limits["threads"])),
                       (resource.RLIMIT_MEMLOCK, 0), (resource.RLIMIT_MSGQUEUE, 0)):
        soft, hard = value if isinstance(value, tuple) else (value, value)
        resource.setrlimit(res, (soft, hard))


def python_readable_by_others() -> bool:
    """True when every directory above the Python installation may be entered by any user."""
    for path in python_paths():
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            if not (os.stat("/" + "/".join(parts[:i])).st_mode & 0o001):
                return False
    return True


def drop_uid(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or 0 in os.getgroups():
        raise OSError("could not drop to the job's uid")


def die_with_parent(parent_pid: int) -> None:
    """Be killed when the zygote dies (set after the uid change, which clears it)."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent_pid:
        os._exit(0)


class Prepared:
    """What a spare child set up before it had a job: namespaces, a Landlock ruleset with the read
    rules, the seccomp program with its pid patched in. Nothing of it depends on the job."""

    def __init__(self, namespaces: list, failed: dict, ruleset=None, program=None):
        self.namespaces, self.failed, self.ruleset, self.program = namespaces, failed, ruleset, program
        self.exposed = False


def prepare(wanted: tuple) -> Prepared:
    """Apply or build the job-independent part of the layers (a spare child does this in advance)."""
    prepared = Prepared([], {})
    if os.geteuid() == 0:
        for name, fn in (("netns", unshare_network), ("mountns", private_mount_namespace)):
            if name in wanted:
                try:
                    fn()
                except Exception as exc:  # reported with the job's layers
                    prepared.failed[name] = f"{type(exc).__name__}: {exc}"
                else:
                    prepared.namespaces.append(name)
        if "mountns" in prepared.namespaces and "uid" in wanted:
            try:
                expose_hidden_parents(-1)  # no job uid owns a directory: the check is the same for all
            except Exception as exc:  # noqa: BLE001 - then the job's uid could not reach Python
                prepared.namespaces.remove("mountns")
                prepared.failed["mountns"] = f"{type(exc).__name__}: {exc}"
            else:
                prepared.exposed = True
    if "landlock" in wanted:
        try:
            prepared.ruleset = landlock.Ruleset()
            prepared.ruleset.allow(read_paths(), landlock.READ)
        except Exception:  # noqa: BLE001 - apply() tries again and reports the error
            if prepared.ruleset is not None:
                prepared.ruleset.close()
            prepared.ruleset = None
    if "seccomp" in wanted:
        prepared.program = seccomp_filter.patched(os.getpid())
    return prepared


def apply(job_dir: str, limits: dict, *, uid: int | None, wanted: tuple, parent_pid: int,
          prepared: Prepared | None = None) -> tuple[list, dict]:
    """Apply the wanted layers; return (active layer names, {layer: error} for those that failed)."""
    root = os.geteuid() == 0
    if prepared is None:
        prepared = prepare(wanted)
    namespaces, failed = prepared.namespaces, dict(prepared.failed)
    active = [name for name in namespaces if name == "netns"]

    def attempt(name, fn):
        if name not in wanted:
            return
        try:
            fn()
        except Exception as exc:  # a layer that fails is reported, never silently skipped
            failed[name] = f"{type(exc).__name__}: {exc}"
        else:
            active.append(name)

    if "mountns" in namespaces:
        attempt("mountns", lambda: private_tmpfs(job_dir, uid=uid if "uid" in wanted else None,
                                                 size_mb=limits["files_mb"], inodes=limits["files_count"],
                                                 exposed=prepared.exposed))
    os.chdir(job_dir)
    job_fd = os.open(".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)  # before the uid change
    attempt("rlimits", lambda: set_rlimits(limits))
    if root and uid is not None and ("mountns" in active or python_readable_by_others()):
        attempt("uid", lambda: drop_uid(uid))
    elif "uid" in wanted:
        failed["uid"] = "not root" if not root else "the Python installation is not readable by another uid"
    die_with_parent(parent_pid)
    def restrict():
        ruleset = prepared.ruleset or landlock.Ruleset()
        if prepared.ruleset is None:
            ruleset.allow(read_paths(), landlock.READ)
        ruleset.allow([job_fd], landlock.READ_WRITE)
        ruleset.enforce()

    attempt("landlock", restrict)
    if prepared.ruleset is not None:
        prepared.ruleset.close()  # unused when landlock was not wanted
    os.close(job_fd)
    attempt("seccomp", lambda: seccomp_filter.apply(os.getpid(), prepared.program))
    return active, failed
