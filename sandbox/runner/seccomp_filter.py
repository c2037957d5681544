"""The job's seccomp filter (libseccomp through pyseccomp): a deny list on a default-allow filter.

Why a deny list: CPython, NumPy and OpenBLAS use a wide and version-dependent set of syscalls, and an
allow list that misses one turns into jobs dying for no reason the learner can see. What a job must
never do is a short list: create sockets, exec, create processes (threads only), trace or signal
other processes, touch mounts or namespaces, raise its own limits, or reach the kernel through a
foreign syscall ABI (x86 ``int 0x80``, x32). Landlock, the rlimits and the separate uid back this up.

Two kinds of denial:
- ``EPERM`` for what a learner may hit innocently (``socket``, ``subprocess``, ``os.fork``): Python
  raises ``PermissionError`` and the runner reports ``sandbox_violation`` with their line.
- kill the whole process (``SIGSYS``) for what only an attack does (ptrace, mount, unshare, bpf,
  io_uring, a foreign ABI): nothing after it runs.

``clone3`` fails with ``ENOSYS`` so glibc falls back to ``clone``, whose flags seccomp can inspect
(``clone3`` passes them in memory, out of a filter's reach); ``EPERM`` would make thread creation
fail instead of falling back, and NumPy's import would hang waiting for OpenBLAS threads.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import tempfile

try:
    import pyseccomp as seccomp
except (ImportError, OSError):  # no binding or no libseccomp: the layer is reported unavailable
    seccomp = None

CLONE_THREAD = 0x00010000
CLONE_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
#                       NEWNS       NEWCGROUP   NEWUTS      NEWIPC      NEWUSER     NEWPID      NEWNET

KILL_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "syslog", "iopl", "ioperm", "modify_ldt",
    "open_by_handle_at", "name_to_handle_at", "keyctl", "add_key", "request_key",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    "vhangup", "uselib", "fanotify_init", "lookup_dcookie", "_sysctl", "nfsservctl",
)

EPERM_SYSCALLS = (
    "socket", "socketpair", "execve", "execveat", "fork", "vfork", "setrlimit", "tkill",
    "pidfd_send_signal", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
    "setfsuid", "setfsgid", "capset", "mknod", "mknodat", "personality",
)


def _add(flt, action, name, *args) -> bool:
    try:
        flt.add_rule(action, name, *args)
    except (OSError, ValueError, RuntimeError):
        return False  # a syscall this libseccomp or architecture does not know
    return True


def build(own_pid: int | None = None):
    """Return the job's filter, not yet loaded. ``own_pid``: the job's pid, the only one it may signal."""
    own_pid = os.getpid() if own_pid is None else own_pid
    if seccomp is None:
        raise OSError(errno.ENOSYS, "pyseccomp/libseccomp is not installed")
    eperm = seccomp.ERRNO(errno.EPERM)
    flt = seccomp.SyscallFilter(seccomp.ALLOW)
    # Only the native ABI is in the filter: a syscall made through another (i386 int 0x80, x32) kills.
    flt.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    for name in KILL_SYSCALLS:
        _add(flt, seccomp.KILL_PROCESS, name)
    for name in EPERM_SYSCALLS:
        _add(flt, eperm, name)
    _add(flt, seccomp.ERRNO(errno.ENOSYS), "clone3")
    # clone: threads only, and never with a namespace flag.
    _add(flt, eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    for flag in CLONE_NAMESPACE_FLAGS:
        _add(flt, eperm, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    # Limits may be read (prlimit64 with new_limit NULL, which getrlimit uses) but never set.
    _add(flt, eperm, "prlimit64", seccomp.Arg(2, seccomp.NE, 0))
    # Signals only to itself (its own threads included: tgkill(own_pid, tid, sig)).
    _add(flt, eperm, "kill", seccomp.Arg(0, seccomp.NE, own_pid))
    _add(flt, eperm, "tgkill", seccomp.Arg(0, seccomp.NE, own_pid))
    _add(flt, eperm, "rt_sigqueueinfo", seccomp.Arg(0, seccomp.NE, own_pid))
    _add(flt, eperm, "rt_tgsigqueueinfo", seccomp.Arg(0, seccomp.NE, own_pid))
    return flt


# Compiling with libseccomp costs ~4 ms, too much for every job: the zygote compiles once with a
# placeholder pid, and each job patches its own pid into the BPF program and loads it directly.
PID_PLACEHOLDER = 0x7FFFF00D
_BPF_INSTRUCTION = struct.Struct("<HBBI")
BPF_JMP_JEQ_K = 0x15
SECCOMP_SET_MODE_FILTER = 1
SYS_SECCOMP = 317 if platform.machine() == "x86_64" else None
_program: bytes | None = None


def compiled() -> bytes:
    """Return the filter as BPF bytes with PID_PLACEHOLDER where the job's pid goes (cached)."""
    global _program
    if _program is None and seccomp is None:
        _program = b""
    if _program is None:
        with tempfile.TemporaryFile() as fh:
            build(PID_PLACEHOLDER).export_bpf(fh)
            fh.seek(0)
            _program = fh.read()
        patched = sum(1 for i in range(0, len(_program), 8)
                      if _BPF_INSTRUCTION.unpack_from(_program, i) [0] == BPF_JMP_JEQ_K
                      and _BPF_INSTRUCTION.unpack_from(_program, i)[3] == PID_PLACEHOLDER)
        if patched < 4:  # kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo
            _program = b""
    return _program


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def patched(own_pid: int) -> bytearray | None:
    """Return the compiled filter with ``own_pid`` in place, or None when it must be built by libseccomp."""
    program = compiled()
    if not program or SYS_SECCOMP is None:
        return None
    code = bytearray(program)
    for i in range(0, len(code), 8):
        op, jt, jf, k = _BPF_INSTRUCTION.unpack_from(code, i)
        if op == BPF_JMP_JEQ_K and k == PID_PLACEHOLDER:
            _BPF_INSTRUCTION.pack_into(code, i, op, jt, jf, own_pid)
    return code


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def apply(own_pid: int | None = None, program: bytearray | None = None) -> None:
    """Load the filter into this process; it is inherited by every thread created afterwards.

    ``program``: the result of ``patched(own_pid)``, when prepared in advance.
    """
    own_pid = os.getpid() if own_pid is None else own_pid
    code = program if program is not None else patched(own_pid)
    if code is None:
        build(own_pid).load()
        return
    buffer = (ctypes.c_char * len(code)).from_buffer(code)
    prog = _SockFprog(len(code) // 8, ctypes.addressof(buffer))
    if _libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if _libc.syscall(ctypes.c_long(SYS_SECCOMP), ctypes.c_uint(SECCOMP_SET_MODE_FILTER), ctypes.c_uint(0),
                     ctypes.byref(prog)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp(SET_MODE_FILTER): {os.strerror(err)}")
