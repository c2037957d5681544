"""Landlock (Linux >= 5.13) through ctypes: restrict this process's filesystem, TCP and signal access.

Only what the job needs is granted: read access beneath a few directories (the Python installation,
the engine package, system libraries) and read-write access beneath the job directory. Every right
the kernel's ABI knows of is "handled", so anything not granted is refused with EACCES. With ABI >= 4
TCP bind/connect are handled with no port allowed, and with ABI >= 6 signals to processes outside
the Landlock domain and abstract UNIX sockets are scoped.

Reference: https://docs.kernel.org/userspace-api/landlock.html
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import stat

SYS_LANDLOCK_CREATE_RULESET = 444  # the same number on every architecture
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
LANDLOCK_RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38
HIGH_FD = 1000  # prepared rulesets live at or above this fd

ACCESS_FS_EXECUTE = 1 << 0
ACCESS_FS_WRITE_FILE = 1 << 1
ACCESS_FS_READ_FILE = 1 << 2
ACCESS_FS_READ_DIR = 1 << 3
ACCESS_FS_REMOVE_DIR = 1 << 4
ACCESS_FS_REMOVE_FILE = 1 << 5
ACCESS_FS_MAKE_CHAR = 1 << 6
ACCESS_FS_MAKE_DIR = 1 << 7
ACCESS_FS_MAKE_REG = 1 << 8
ACCESS_FS_MAKE_SOCK = 1 << 9
ACCESS_FS_MAKE_FIFO = 1 << 10
ACCESS_FS_MAKE_BLOCK = 1 << 11
ACCESS_FS_MAKE_SYM = 1 << 12
ACCESS_FS_REFER = 1 << 13  # ABI 2
ACCESS_FS_TRUNCATE = 1 << 14  # ABI 3
ACCESS_FS_IOCTL_DEV = 1 << 15  # ABI 5
ACCESS_NET_BIND_TCP = 1 << 0  # ABI 4
ACCESS_NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

# Rights that may be granted on a regular file (the rest only make sense on directories).
FILE_RIGHTS = ACCESS_FS_EXECUTE | ACCESS_FS_WRITE_FILE | ACCESS_FS_READ_FILE | ACCESS_FS_TRUNCATE | ACCESS_FS_IOCTL_DEV

READ = ACCESS_FS_READ_FILE | ACCESS_FS_READ_DIR
# Everything a job may do beneath its own directory; never EXECUTE, MAKE_CHAR/BLOCK or IOCTL_DEV.
READ_WRITE = (READ | ACCESS_FS_WRITE_FILE | ACCESS_FS_REMOVE_DIR | ACCESS_FS_REMOVE_FILE | ACCESS_FS_MAKE_DIR
              | ACCESS_FS_MAKE_REG | ACCESS_FS_MAKE_SYM | ACCESS_FS_MAKE_FIFO | ACCESS_FS_TRUNCATE | ACCESS_FS_REFER)


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


class LandlockError(OSError):
    pass


def _raise(what: str) -> None:
    err = ctypes.get_errno()
    raise LandlockError(err, f"{what}: {os.strerror(err)}")


def abi_version() -> int:
    """Return the kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    version = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def handled_fs(abi: int) -> int:
    """Return every filesystem right ABI ``abi`` knows."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= ACCESS_FS_REFER
    if abi >= 3:
        rights |= ACCESS_FS_TRUNCATE
    if abi >= 5:
        rights |= ACCESS_FS_IOCTL_DEV
    return rights


def set_no_new_privs() -> None:
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _raise("prctl(PR_SET_NO_NEW_PRIVS)")


class Ruleset:
    """A Landlock ruleset being built; ``enforce()`` restricts the calling process with it."""

    def __init__(self):
        self.abi = abi_version()
        if self.abi < 1:
            raise LandlockError(errno.ENOSYS, "Landlock is not available on this kernel")
        self.fs = handled_fs(self.abi)
        attr = _RulesetAttr(handled_access_fs=self.fs)
        size = ctypes.sizeof(_RulesetAttr)
        if self.abi >= 4:
            attr.handled_access_net = ACCESS_NET_BIND_TCP | ACCESS_NET_CONNECT_TCP
        if self.abi >= 6:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        else:
            size = 16 if self.abi >= 4 else 8
        self.fd = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                                ctypes.c_uint32(0))
        if self.fd < 0:
            _raise("landlock_create_ruleset")
        self.fd = self._move_high(self.fd)
        self.granted = []

    @staticmethod
    def _move_high(fd: int) -> int:
        """Keep the ruleset out of the low fds a job's pipes are placed on (see zygote._arrange_fds)."""
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, HIGH_FD)
        os.close(fd)
        return high

    def allow(self, paths, rights: int) -> None:
        """Grant ``rights`` beneath each path; an int is an O_PATH fd opened earlier (e.g. before a uid
        change, for a directory whose parents the new uid cannot enter). Missing paths are skipped."""
        for path in paths:
            try:
                fd = os.dup(path) if isinstance(path, int) else os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                allowed = rights & self.fs
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    allowed &= FILE_RIGHTS
                rule = _PathBeneathAttr(allowed_access=allowed, parent_fd=fd)
                if _libc.syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(self.fd), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                                 ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
                    _raise(f"landlock_add_rule({path})")
                self.granted.append(path)
            finally:
                os.close(fd)

    def enforce(self) -> dict:
        try:
            set_no_new_privs()
            if _libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(self.fd), ctypes.c_uint32(0)) != 0:
                _raise("landlock_restrict_self")
        finally:
            self.close()
        return {"abi": self.abi, "net": self.abi >= 4, "scoped": self.abi >= 6, "granted": self.granted}

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def restrict(read_paths, write_paths) -> dict:
    """Restrict this process (and its future threads) to the given paths; return what was applied.

    Paths that do not exist are skipped. Raises LandlockError when Landlock is unavailable.
    """
    ruleset = Ruleset()
    try:
        ruleset.allow(read_paths, READ)
        ruleset.allow(write_paths, READ_WRITE)
    except BaseException:
        ruleset.close()
        raise
    return ruleset.enforce()
