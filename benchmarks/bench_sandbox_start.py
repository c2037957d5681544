"""Per-job start cost of the sandbox (warm zygote) against a fresh ``python -c "import numpy"`` spawn.

    .venv/bin/python benchmarks/bench_sandbox_start.py [--jobs 60] [--spawns 20]

Prints, as medians over the runs:
- ``sandbox job``: a whole trivial code job (``pass``) through ``run_submission``, every layer on:
  job directory, pipes, handing the job to the zygote's spare child, tmpfs, rlimits, uid, Landlock,
  seccomp, running, exit, reaping, validation and cleanup; once with a short untimed gap between jobs
  (``--gap``, as a worker has between tasks, when the zygote forks the next spare), once back-to-back;
- ``sandbox spec``: the same for a one-epoch spec (the engine already imported in the zygote);
- ``fresh numpy``: ``subprocess.run([python, "-c", "import numpy"])``, no sandbox at all;
and the ratio. Target: the sandbox job's median at most 20 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SPEC = {"dataset": {"name": "xor", "samples": 64, "noise": 0.1, "seed": 1},
        "model": {"layers": [{"units": 4, "activation": "tanh"}], "output": "sigmoid"},
        "training": {"epochs": 1, "batch_size": 32, "validation_split": 0.0, "seed": 0}}


def timed(fn, runs: int, gap: float = 0.0) -> list[float]:
    samples = []
    for _ in range(runs):
        if gap:
            time.sleep(gap)  # not timed: the worker's time between jobs, when the zygote forks the spare
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _process_cpu(pid: int) -> float:
    """Return the user+system CPU seconds of a process (from /proc, clock-tick resolution)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--spawns", type=int, default=20)
    parser.add_argument("--gap", type=float, default=50.0,
                        help="ms between jobs (untimed), as a worker has between tasks; 0 for back-to-back")
    args = parser.parse_args()

    from sandbox.runner import probe_layers, run_submission

    started = time.perf_counter()
    report = probe_layers()  # starts the zygote (once per worker process)
    zygote_ms = (time.perf_counter() - started) * 1000
    active = [n for n, info in report["layers"].items() if info["active"]]

    def code_job():
        result = run_submission({"code": "pass"})
        assert result["status"] == "succeeded", result

    def spec_job():
        result = run_submission({"spec": SPEC})
        assert result["status"] == "succeeded", result

    code_job()
    from sandbox.runner import host

    zygote_pid = host._zygote._proc.pid
    zygote_cpu0, host_cpu0 = _process_cpu(zygote_pid), time.process_time()
    job_cpu = []

    def code_job_counted():
        result = run_submission({"code": "pass"})
        job_cpu.append(result["usage"]["cpu_seconds"] * 1000)

    jobs = timed(code_job_counted, args.jobs, gap=args.gap / 1000)
    zygote_cpu = (_process_cpu(zygote_pid) - zygote_cpu0) * 1000 / args.jobs
    host_cpu = (time.process_time() - host_cpu0) * 1000 / args.jobs
    back_to_back = timed(code_job, args.jobs)
    specs = timed(spec_job, max(10, args.jobs // 3))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    fresh = timed(lambda: subprocess.run([sys.executable, "-c", "import numpy"], check=True, env=env), args.spawns)

    job_median, fresh_median = statistics.median(jobs), statistics.median(fresh)
    print(f"layers active: {', '.join(active)}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"zygote start (once): {zygote_ms:.1f} ms")
    print(f"sandbox job  median {job_median:6.1f} ms  (p10 {statistics.quantiles(jobs, n=10)[0]:.1f}, "
          f"p90 {statistics.quantiles(jobs, n=10)[-1]:.1f}, n={len(jobs)}, {args.gap:g} ms between jobs)")
    print(f"sandbox job  median {statistics.median(back_to_back):6.1f} ms  back-to-back (the next spare is forked "
          "and prepared on the critical path)")
    print(f"  CPU per job: host {host_cpu:.1f} ms + zygote {zygote_cpu:.1f} ms + job {statistics.median(job_cpu):.1f} ms "
          "(contention-proof: wall times on a busy machine include waiting for a core)")
    print(f"sandbox spec median {statistics.median(specs):6.1f} ms  (n={len(specs)})")
    print(f"fresh numpy  median {fresh_median:6.1f} ms  (n={len(fresh)})")
    print(f"ratio fresh/sandbox job: {fresh_median / job_median:.1f}x; target <= 20 ms: "
          f"{'met' if job_median <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
