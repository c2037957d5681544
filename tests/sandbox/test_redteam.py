"""Hostile code against the sandbox: each attack is contained, with the right reason, the host alive,
and nothing outside the job's directory changed (the ``untouched`` fixture)."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from .helpers import ROOT, run

pytestmark = pytest.mark.usefixtures("untouched")


def assert_contained(result, reason):
    if result.get("reason") == "sandbox_unavailable":
        # A machine without a required layer refuses code: the report must say which, then nothing ran.
        assert result["sandbox"]["weak"] and "not available" in result["message"], result
        assert result["stdout"] == "" and result["usage"]["cpu_seconds"] == 0.0
        pytest.skip(f"code is refused on this machine: {result['message']}")
    assert result["status"] == "failed", result
    assert result["reason"] == reason, (result["reason"], result["message"])


def test_infinite_loop_is_stopped_by_the_cpu_limit():
    result = run("while True:\n    pass\n", cpu_seconds=1, wall_seconds=30)  # a busy machine: room to get 1 s
    assert_contained(result, "cpu_limit")
    assert result["usage"]["cpu_seconds"] >= 0.9


def test_sleeping_forever_is_stopped_by_the_wall_clock():
    started = time.monotonic()
    result = run("import time\ntime.sleep(10**6)\n", wall_seconds=1)
    assert_contained(result, "timed_out")
    assert time.monotonic() - started < 4
    assert result["usage"]["cpu_seconds"] < 0.5


def test_python_memory_bomb_hits_the_memory_limit():
    result = run("chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 2**20))\n", memory_mb=400)
    assert_contained(result, "memory_limit")


def test_numpy_memory_bomb_allocated_and_touched_hits_the_memory_limit():
    result = run("import numpy as np\nkeep = []\nwhile True:\n    a = np.empty(2**24)\n    a.fill(1.0)\n"
                 "    keep.append(a)\n", memory_mb=400)
    assert_contained(result, "memory_limit")
    assert "line 4" in result["message"] or "line 5" in result["message"]


def test_fork_bomb_is_refused():
    result = run("import os\nwhile True:\n    os.fork()\n")
    assert_contained(result, "sandbox_violation")
    assert "line 3" in result["message"]


def test_thread_bomb_is_stopped():
    result = run("import threading, time\nwhile True:\n"
                 "    threading.Thread(target=time.sleep, args=(100,), daemon=True).start()\n")
    assert_contained(result, "sandbox_violation")
    assert "can't start new thread" in result["message"]


def test_one_huge_file_hits_the_file_limit():
    result = run("with open('big.bin', 'wb') as fh:\n    while True:\n        fh.write(b'x' * 2**20)\n")
    assert_contained(result, "output_limit")


def test_many_small_files_hit_the_job_folder_limit(active_layers):
    result = run("i = 0\nwhile True:\n    open(f'f{i}', 'w').close()\n    i += 1\n", wall_seconds=5)
    if "mountns" not in active_layers:
        # Without a private tmpfs only the wall clock bounds the number of files: the report says so.
        assert "mountns" not in result["sandbox"]["layers"]
        pytest.skip("no private tmpfs on this machine (mountns layer inactive)")
    assert_contained(result, "output_limit")


@pytest.mark.parametrize("path", ["/etc/passwd", "/etc/shadow", str(ROOT / "pyproject.toml"),
                                  str(ROOT / "config" / "__init__.py"), str(ROOT / ".env.example")])
def test_files_outside_the_allowed_tree_cannot_be_read(path):
    result = run(f"print(open({path!r}).read()[:100])\n")
    assert result["stdout"] == ""
    if result.get("reason") == "error_in_code":
        # A checkout under a directory the job's uid cannot enter (e.g. a 0700 mkdtemp under /tmp) is not
        # even there: the mountns layer covers that directory with a tmpfs holding only Python and the engine.
        assert_contained(result, "error_in_code")
        assert path.startswith("/tmp/") and "FileNotFoundError" in result["message"], result
    else:
        assert_contained(result, "sandbox_violation")


def test_a_symlink_out_of_the_job_directory_does_not_help():
    result = run("import os\nos.symlink('/etc/passwd', 'passwd')\nprint(open('passwd').read()[:50])\n")
    assert_contained(result, "sandbox_violation")
    result = run("print(open('/proc/self/root/etc/passwd').read()[:50])\n")
    assert_contained(result, "sandbox_violation")


def test_a_crash_of_the_interpreter_is_contained():
    result = run("import ctypes\nctypes.string_at(0)\n")
    assert_contained(result, "error_in_code")
    assert "SIGSEGV" in result["message"]
    assert run("print('alive')")["stdout"] == "alive\n"


def test_a_project_env_file_cannot_be_read(tmp_path):
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    (project / ".env").write_text("SECRET_KEY=do-not-leak\n")
    os.chmod(tmp_path, 0o755)
    result = run(f"print(open({str(project / '.env')!r}).read())\n")
    assert_contained(result, "sandbox_violation")
    assert "do-not-leak" not in str(result)


def test_another_jobs_directory_cannot_be_read(jobs_dir):
    other = jobs_dir / "job-other-for-test"
    other.mkdir(mode=0o755)
    try:
        (other / "answer.txt").write_text("other job's data")
        os.chmod(other / "answer.txt", 0o644)
        result = run(f"import os\nprint(os.listdir({str(jobs_dir)!r}))\n")
        assert_contained(result, "sandbox_violation")
        result = run(f"print(open({str(other / 'answer.txt')!r}).read())\n")
        assert_contained(result, "sandbox_violation")
        assert "other job's data" not in str(result)
    finally:
        (other / "answer.txt").unlink()
        other.rmdir()


def test_a_running_jobs_files_cannot_be_read_by_another_job(jobs_dir):
    before = set(os.listdir(jobs_dir))
    results = []
    first = threading.Thread(target=lambda: results.append(run(
        "import time\nopen('secret.txt', 'w').write('first job only')\ntime.sleep(2)\n", wall_seconds=5)))
    first.start()
    deadline = time.monotonic() + 5
    while not set(os.listdir(jobs_dir)) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    (other,) = set(os.listdir(jobs_dir)) - before
    time.sleep(0.3)
    result = run(f"print(open({str(jobs_dir / other / 'secret.txt')!r}).read())\n")
    first.join(10)
    # Denied by Landlock (EACCES), or not even there: the first job's files live in its private tmpfs.
    assert result["status"] == "failed" and result["reason"] in ("sandbox_violation", "error_in_code")
    assert "PermissionError" in result["message"] or "FileNotFoundError" in result["message"]
    assert "first job only" not in result["stdout"]
    assert results and results[0]["status"] == "succeeded"


def test_the_parents_environment_cannot_be_read(monkeypatch):
    result = run(f"import os\nprint(open('/proc/{os.getpid()}/environ').read())\n")
    assert_contained(result, "sandbox_violation")
    result = run("import os\nprint(open(f'/proc/{os.getppid()}/environ').read())\n")
    assert_contained(result, "sandbox_violation")


def test_the_jobs_environment_holds_no_secret(monkeypatch):
    from sandbox.runner import host

    monkeypatch.setenv("DJANGO_SECRET_KEY", "leaky")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://secret@localhost")
    host._zygote.close()  # a new zygote is started from this (dirty) environment
    result = run("import os\nprint(sorted(os.environ.items()))\n")
    assert result["status"] == "succeeded", result
    assert "leaky" not in result["stdout"] and "DJANGO" not in result["stdout"]
    assert "BROKER" not in result["stdout"]


class Listener:
    """A TCP and a UDP listener on 127.0.0.1 that count what reaches them."""

    def __init__(self):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.tcp.settimeout(0.1)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.1)
        self.connections = 0
        self.datagrams = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.tcp.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass
            try:
                self.udp.recvfrom(100)
                self.datagrams += 1
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def test_tcp_to_localhost_is_refused(listener):
    port = listener.tcp.getsockname()[1]
    result = run(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\n")
    assert_contained(result, "sandbox_violation")
    time.sleep(0.3)
    assert listener.connections == 0


def test_udp_to_localhost_is_refused(listener):
    port = listener.udp.getsockname()[1]
    result = run(f"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                 f"s.sendto(b'x', ('127.0.0.1', {port}))\n")
    assert_contained(result, "sandbox_violation")
    time.sleep(0.3)
    assert listener.datagrams == 0


def test_socket_through_ctypes_is_refused(listener):
    port = listener.tcp.getsockname()[1]
    code = f"""
import ctypes, struct, socket
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(2, 1, 0)
assert fd >= 0, f"socket failed errno={{ctypes.get_errno()}}"
addr = struct.pack('<HH4s8x', 2, socket.htons({port}), bytes([127, 0, 0, 1]))
libc.connect(fd, addr, len(addr))
print('CONNECTED')
"""
    result = run(code)
    assert_contained(result, "error_in_code")  # the learner's own assert: socket() returned -1
    assert "errno=1" in result["message"]
    assert "CONNECTED" not in result["stdout"]
    time.sleep(0.3)
    assert listener.connections == 0


def test_subprocess_is_refused():
    result = run("import subprocess\nsubprocess.run(['/bin/true'])\n")
    assert_contained(result, "sandbox_violation")


def test_os_system_is_refused():
    result = run("import os\nstatus = os.system('touch /tmp/owned-by-job')\nassert status == 0, status\n")
    assert result["status"] == "failed"
    assert not os.path.exists("/tmp/owned-by-job")


def test_exec_is_refused():
    result = run("import os\nos.execv('/bin/sh', ['sh', '-c', 'echo pwned'])\n")
    assert_contained(result, "sandbox_violation")
    assert "pwned" not in result["stdout"]


def test_fork_through_ctypes_is_refused():
    result = run("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\npid = libc.fork()\n"
                 "print('PID', pid, ctypes.get_errno())\nif pid == 0:\n    print('CHILD')\n")
    assert "CHILD" not in result["stdout"]
    assert "PID -1 1" in result["stdout"]  # fork() failed with EPERM


INT80_GETPID = """
import ctypes, mmap
# mov eax, 20 (getpid in the i386 table); int 0x80; ret
code = bytes([0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xC3])
buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
address = ctypes.addressof(ctypes.c_char.from_buffer(buf))
fn = ctypes.CFUNCTYPE(ctypes.c_int)(address)
print('RESULT', fn())
"""


def test_a_32_bit_syscall_kills_the_job():
    result = run(INT80_GETPID)
    assert_contained(result, "sandbox_violation")
    assert "RESULT" not in result["stdout"]


def test_ptrace_kills_the_job():
    result = run("import ctypes, os\nlibc = ctypes.CDLL(None)\nprint('R', libc.ptrace(16, os.getppid(), 0, 0))\n")
    assert_contained(result, "sandbox_violation")
    assert "R " not in result["stdout"]


def test_killing_the_parent_is_refused_and_the_host_survives():
    from sandbox.runner import host

    zygote_pid = host._zygote._proc.pid if host._zygote._proc else None
    result = run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n")
    assert_contained(result, "sandbox_violation")
    result = run(f"import os, signal\nos.kill({os.getpid()}, signal.SIGKILL)\n")
    assert_contained(result, "sandbox_violation")
    result = run("import os, signal\nos.kill(-1, signal.SIGKILL)\n")
    assert_contained(result, "sandbox_violation")
    if zygote_pid is not None:
        assert host._zygote._proc.pid == zygote_pid and host._zygote._proc.poll() is None
    assert run("print('still here')")["stdout"] == "still here\n"


def test_a_job_may_signal_itself():
    result = run("import os, signal\nsignal.signal(signal.SIGUSR1, lambda *a: print('got it'))\n"
                 "os.kill(os.getpid(), signal.SIGUSR1)\n")
    assert result["status"] == "succeeded", result
    assert "got it" in result["stdout"]


def test_raising_its_own_limits_is_refused():
    result = run("import resource\nsoft, hard = resource.getrlimit(resource.RLIMIT_CPU)\n"
                 "resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))\n")
    assert_contained(result, "sandbox_violation")
    result = run("import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))\n")
    assert_contained(result, "sandbox_violation")


def test_stdout_flood_is_capped():
    result = run("while True:\n    print('x' * 1000)\n", output_kb=16)
    assert_contained(result, "output_limit")
    assert len(result["stdout"]) <= 16 * 1024 + 100


@pytest.mark.parametrize("payload", [
    b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94.\n",   # pickle bytes
    b'{"type": "result", "outcome": "ok", "message": NaN}\n',                            # NaN
    b'[' * 5000 + b']' * 5000 + b'\n',                                                   # deep nesting
    b'{"type": "result", "outcome": "ok", "message": "' + b'a' * (17 * 2**20) + b'"}\n',  # oversized
    b'{"type": "result", "outcome": "ok", "message": "", "checks": [], "admin": true}\n',  # extra keys
], ids=["pickle", "nan", "deep", "oversized", "extra-keys"])
def test_result_smuggling_is_rejected(payload):
    code = f"import os\nos.write(4, {payload!r}) if len({payload!r}) < 65536 else None\n"
    if len(payload) >= 65536:
        code = ("import os\ndata = b'{\"type\": \"result\", \"outcome\": \"ok\", \"message\": \"' + b'a' * (17 * 2**20) "
                "+ b'\"}\\n'\nview = memoryview(data)\nwhile view:\n    view = view[os.write(4, view):]\n")
    result = run(code, memory_mb=768)
    assert_contained(result, "sandbox_violation")
    assert "result channel" in result["message"]
    assert set(result) <= {"status", "reason", "message", "kind", "exercise", "stdout", "stderr", "usage", "sandbox"}
