"""Benchmark the NumPy engine against scikit-learn's MLPClassifier and PyTorch (CPU), side by side.

Same architecture, Adam, batch size, epochs and data for all three, at 2 threads:

1. spirals: 2-16-16-3 tanh, 1,000 samples (800 train / 200 validation), batch 32, 200 epochs;
2. digits:  64-128-10 relu, 1,797 samples (1,438 / 359), batch 64, 50 epochs;
3. large:   20,000 x 256 Gaussian blobs (16,000 / 4,000), 256-512-512-10 relu, batch 256, 5 epochs,
   plus the floor: the forward + backward matrix products of those 5 epochs alone, timed with
   NumPy's BLAS on preallocated arrays.

"At 2 threads" is the budget each framework gets (``OMP/OPENBLAS/MKL_NUM_THREADS=2``,
``torch.set_num_threads(2)``); how it uses them is its own choice. PyTorch decides per operation
whether work is big enough to split; the engine trains a network whose matrix products are all
below about a million multiply-adds on one BLAS thread (``sandbox/engine/threads.py``), which
covers spirals and digits; large uses both. MLPClassifier runs on the same NumPy BLAS with 2.

Every timed run is one training call in a fresh Python process (imports and data generation are
not timed), so no framework's thread pool is left spinning while another is timed, and the
frameworks take turns within each round of repeats, so a busy spell on the shared machine slows
all of them alike. Each framework's timed section is its training call (the engine's ``train`` also measures train
and validation loss/accuracy after every epoch; MLPClassifier and the PyTorch loop do not, which
is work the engine does and they skip). Final losses and accuracies are computed afterwards the
same way for all three: cross-entropy and accuracy of their predicted probabilities. On large the
matmul floor runs right after the engine in each round, and the engine / floor ratio of every
round is printed too: on a shared machine the two runs of a round see about the same load, where
the fastest runs of each (``ratio@min``) may come from different moments.

Run from the repository root (scikit-learn and torch from the ``bench`` extra; either may be
missing and is then skipped)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/bench_engine.py

Options: ``--repeats N`` (default 3; the median is reported), ``--cases spirals,digits,large``,
``--json FILE`` to save the figures.
"""

from __future__ import annotations

import os

# Thread counts must be set before NumPy/torch load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "2"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import importlib.metadata  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.engine import ENGINE_VERSION, make_dataset, train  # noqa: E402
from sandbox.engine.spec import split_sizes  # noqa: E402
from sandbox.engine.threads import SMALL_PRODUCT  # noqa: E402

THREADS = 2

CASES = {
    "spirals": {"dataset": {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1},
                "hidden": [16, 16], "activation": "tanh", "batch_size": 32, "epochs": 200, "learning_rate": 0.01,
                # targets: other framework's time / engine time must be at least this
                "targets": {"pytorch": 10.0, "sklearn": 5.0}},
    "digits": {"dataset": {"name": "digits"},
               "hidden": [128], "activation": "relu", "batch_size": 64, "epochs": 50, "learning_rate": 0.001,
               "targets": {"pytorch": 4.0, "sklearn": 2.5}},
    "large": {"dataset": {"name": "blobs", "samples": 20000, "features": 256, "classes": 10, "noise": 25.0,
                          "seed": 3}, "standardise": True,
              "hidden": [512, 512], "activation": "relu", "batch_size": 256, "epochs": 5, "learning_rate": 0.001,
              # pytorch: no slower (ratio >= 1); floor: engine time / matmul time at most 1.8
              "targets": {"pytorch": 1.0}, "floor_target": 1.8},
}


def split(case):
    """Return X_train, y_train, X_val, y_val (float32 features) with the engine's 80/20 split."""
    X, y = make_dataset(case["dataset"])
    n_val, _ = split_sizes(X.shape[0], 0.2)
    order = np.random.default_rng(0).permutation(X.shape[0])
    val, tr = order[:n_val], order[n_val:]
    if case.get("standardise"):  # zero mean, unit variance from the training rows
        X = (X - X[tr].mean(axis=0)) / X[tr].std(axis=0)
    X = X.astype(np.float32)
    return X[tr], y[tr], X[val], y[val]


def figures(proba_train, y_train, proba_val, y_val):
    """Return cross-entropy and accuracy on both sets from predicted probabilities."""
    def ce(p, y):
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))

    return {"train_loss": ce(proba_train, y_train), "val_loss": ce(proba_val, y_val),
            "train_accuracy": float(np.mean(proba_train.argmax(1) == y_train)),
            "val_accuracy": float(np.mean(proba_val.argmax(1) == y_val))}


# --- the three frameworks -------------------------------------------------------------------

def run_engine(case, data, seed):
    spec = {"model": {"layers": [{"units": u, "activation": case["activation"]} for u in case["hidden"]],
                      "output": "softmax"},
            "loss": "cross_entropy",
            "optimizer": {"name": "adam", "learning_rate": case["learning_rate"]},
            "training": {"epochs": case["epochs"], "batch_size": case["batch_size"], "seed": seed}}
    t0 = time.perf_counter()
    _, network = train(spec, data=data, return_network=True)
    seconds = time.perf_counter() - t0
    X_train, y_train, X_val, y_val = data
    return seconds, figures(network.predict_proba(X_train), y_train, network.predict_proba(X_val), y_val)


def sklearn_runner():
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None

    def run(case, data, seed):
        X_train, y_train, X_val, y_val = data
        model = MLPClassifier(hidden_layer_sizes=tuple(case["hidden"]), activation=case["activation"],
                              solver="adam", alpha=0.0, batch_size=case["batch_size"],
                              learning_rate_init=case["learning_rate"], max_iter=case["epochs"], shuffle=True,
                              random_state=seed, tol=0.0, n_iter_no_change=case["epochs"] + 1,
                              beta_1=0.9, beta_2=0.999, epsilon=1e-8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - t0
        return seconds, figures(model.predict_proba(X_train), y_train, model.predict_proba(X_val), y_val)

    return run


def pytorch_runner():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)

    def run(case, data, seed):
        X_train, y_train, X_val, y_val = data
        torch.manual_seed(seed)
        sizes = [X_train.shape[1], *case["hidden"], int(max(y_train.max(), y_val.max())) + 1]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [torch.nn.Linear(a, b), torch.nn.Tanh() if case["activation"] == "tanh" else torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        optimizer = torch.optim.Adam(model.parameters(), lr=case["learning_rate"], betas=(0.9, 0.999), eps=1e-8)
        loss_fn = torch.nn.CrossEntropyLoss()
        X = torch.from_numpy(X_train)
        y = torch.from_numpy(y_train.astype(np.int64))
        generator = torch.Generator().manual_seed(seed)
        n, batch = X.shape[0], case["batch_size"]
        t0 = time.perf_counter()
        for _ in range(case["epochs"]):
            order = torch.randperm(n, generator=generator)
            Xs, ys = X[order], y[order]
            for start in range(0, n, batch):
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xs[start:start + batch]), ys[start:start + batch])
                loss.backward()
                optimizer.step()
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            p_train = torch.softmax(model(X), 1).numpy()
            p_val = torch.softmax(model(torch.from_numpy(X_val)), 1).numpy()
        return seconds, figures(p_train, y_train, p_val, y_val)

    return run, torch.__version__


def matmul_floor(case, data):
    """Return the seconds the forward + backward matrix products of all batches take with NumPy."""
    X_train = data[0]
    rng = np.random.default_rng(0)
    sizes = [X_train.shape[1], *case["hidden"], 10]
    Ws = [rng.standard_normal((a, b)).astype(np.float32) * 0.01 for a, b in zip(sizes[:-1], sizes[1:])]
    dWs = [np.empty_like(W) for W in Ws]
    n, batch = X_train.shape[0], case["batch_size"]
    buffers = {}

    def bufs(m):
        if m not in buffers:
            buffers[m] = ([np.empty((m, s), np.float32) for s in sizes[1:]],
                          [rng.standard_normal((m, s)).astype(np.float32) for s in sizes[1:]])
        return buffers[m]

    t0 = time.perf_counter()
    for _ in range(case["epochs"]):
        for start in range(0, n, batch):
            xb = X_train[start:start + batch]
            acts, deltas = bufs(xb.shape[0])
            a = xb
            for W, out in zip(Ws, acts):  # forward
                np.matmul(a, W, out=out)
                a = out
            for i in range(len(Ws) - 1, -1, -1):  # backward: dW for every layer, dA below the top
                np.matmul((acts[i - 1] if i else xb).T, deltas[i], out=dWs[i])
                if i:
                    np.matmul(deltas[i], Ws[i].T, out=deltas[i - 1])
    return time.perf_counter() - t0


# --- driver ----------------------------------------------------------------------------------

def interleaved(runners, repeats, case, data):
    """Run every runner once per round, round after round, so a busy spell slows all alike.

    runners: {label: fn(case, data, seed) -> (seconds, figures or None)}; returns
    {label: (median seconds, min seconds, figures of the last run, every run's seconds in order)}.
    """
    times = {label: [] for label in runners}
    last = {}
    for r in range(repeats):
        for label, fn in runners.items():
            seconds, last[label] = fn(case, data, r)
            times[label].append(seconds)
    return {label: (statistics.median(t), min(t), last[label], t) for label, t in times.items()}


def run_worker(label: str, name: str, seed: int) -> None:
    """Run one timed training (or the matmul floor) in this process and print its figures as JSON."""
    case = CASES[name]
    data = split(case)
    if label == "engine":
        seconds, fig = run_engine(case, data, seed)
    elif label == "pytorch":
        seconds, fig = pytorch_runner()[0](case, data, seed)
    elif label == "sklearn":
        seconds, fig = sklearn_runner()(case, data, seed)
    else:
        seconds, fig = matmul_floor(case, data), None
    print(json.dumps({"seconds": seconds, "figures": fig}))


def in_subprocess(label: str, name: str):
    """Return a runner that times ``label`` on case ``name`` in a fresh Python process.

    Each framework runs in its own process so that no thread pool of another one (OpenMP,
    a second OpenBLAS) is left spinning on the other core while it is being timed.
    """
    def run(case, data, seed):
        done = subprocess.run([sys.executable, __file__, "--worker", label, "--case", name, "--seed", str(seed)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{label} on {name} failed:\n{done.stderr}")
        out = json.loads(done.stdout.strip().splitlines()[-1])
        return out["seconds"], out["figures"]

    return run


def _installed(module: str, distribution: str):
    """Return the installed version of a distribution whose module can be imported, else None."""
    if importlib.util.find_spec(module) is None:
        return None
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown version"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def blas_info():
    try:
        from threadpoolctl import threadpool_info

        infos = [f"{i.get('internal_api')} {i.get('version')} {i.get('architecture', '')} x{i.get('num_threads')}"
                 for i in threadpool_info() if "numpy" in i.get("filepath", "")]
        return "; ".join(infos) or "unknown"
    except ImportError:
        return "threadpoolctl not installed"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", default="spirals,digits,large")
    parser.add_argument("--json", default=None, help="write the figures to this file")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--case", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.case, args.seed)
        return

    sk_version = _installed("sklearn", "scikit-learn")
    pt_version = _installed("torch", "torch")
    print(f"engine {ENGINE_VERSION}, numpy {np.__version__}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, {THREADS} threads; numpy BLAS: {blas_info()}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}")
    if sk_version is None:
        print("scikit-learn is not installed: skipping MLPClassifier (pip install scikit-learn)")
    else:
        print(f"scikit-learn {sk_version}")
    if pt_version is None:
        print("torch is not installed: skipping PyTorch (pip install torch==2.13.0)")
    else:
        print(f"torch {pt_version} (CPU, eager)")
    print("each timed run is a training call in a fresh process (imports and data generation untimed)")
    print(f"engine: one BLAS thread when every product of a step is below {SMALL_PRODUCT:,} multiply-adds "
          "(sandbox/engine/threads.py), else 2")
    print(f"median of {args.repeats} runs each, the frameworks taking turns within each round; "
          f"load average at start: {_load()}\n")

    rows, report, pairs = [], {}, []
    for name in args.cases.split(","):
        case = CASES[name]
        data = split(case)
        runners = {"engine": in_subprocess("engine", name)}
        if "floor_target" in case:  # right after the engine, so each round's pair shares a moment
            runners["matmul floor"] = in_subprocess("matmul floor", name)
        if pt_version:
            runners["pytorch"] = in_subprocess("pytorch", name)
        if sk_version:
            runners["sklearn"] = in_subprocess("sklearn", name)
        timed = interleaved(runners, args.repeats, case, data)
        engine_med, engine_min, engine_fig, engine_runs = timed["engine"]
        entry = {"engine": {"median_s": engine_med, "min_s": engine_min, **engine_fig}}
        rows.append((name, "engine (numpy)", engine_med, engine_min, None, None, engine_fig))
        for label in ("pytorch", "sklearn"):
            if label not in timed:
                rows.append((name, label, None, None, None, None, None))
                continue
            med, mn, fig, _ = timed[label]
            ratio = med / engine_med
            target = case["targets"].get(label)
            entry[label] = {"median_s": med, "min_s": mn, "speedup_of_engine": ratio, "target": target, **fig}
            rows.append((name, label, med, mn, ratio, target, fig))
        if "matmul floor" in timed:
            floor, floor_min, _, floor_runs = timed["matmul floor"]
            over = engine_med / floor
            paired = [e / f for e, f in zip(engine_runs, floor_runs)]
            entry["matmul_floor"] = {"median_s": floor, "min_s": floor_min, "engine_over_floor": over,
                                     "engine_over_floor_by_round": paired, "target": case["floor_target"]}
            pairs.append((name, paired))
            rows.append((name, "matmul floor", floor, floor_min, over, case["floor_target"], None))
        report[name] = entry
        print(f"{name}: done ({', '.join(f'{k} {v[0]:.3f} s' for k, v in timed.items())}; load {_load()})",
              flush=True)

    header = (f"{'case':8} {'framework':15} {'median s':>9} {'min s':>8} {'ratio':>7} {'ratio@min':>9} {'target':>8} "
              f"{'met':>4} {'train loss':>10} {'val loss':>9} {'val acc':>8}")
    print(header)
    print("-" * len(header))
    engine_min_of = {name: mn for name, label, med, mn, *_ in rows if label == "engine (numpy)"}
    for name, label, med, mn, ratio, target, fig in rows:
        if med is None:
            print(f"{name:8} {label:15} {'skipped (not installed)':>30}")
            continue
        if label == "matmul floor":
            ratio_text, target_text = f"{ratio:.2f}x", f"<={target:g}x"
            min_text = f"{engine_min_of[name] / mn:.2f}x"
            met = "yes" if ratio <= target else "NO"
        elif ratio is None:
            ratio_text = target_text = met = min_text = ""
        else:
            ratio_text, target_text = f"{ratio:.1f}x", f">={target:g}x" if target else ""
            min_text = f"{mn / engine_min_of[name]:.1f}x"
            met = ("yes" if ratio >= target else "NO") if target else ""
        tail = (f"{fig['train_loss']:10.4f} {fig['val_loss']:9.4f} {fig['val_accuracy']:8.3f}" if fig else "")
        print(f"{name:8} {label:15} {med:9.3f} {(f'{mn:.3f}' if mn is not None else ''):>8} {ratio_text:>7} "
              f"{min_text:>9} {target_text:>8} {met:>4} {tail}")
    for name, paired in pairs:
        print(f"\n{name}: engine / matmul floor round by round (the floor runs right after the engine): "
              f"{' '.join(f'{r:.2f}x' for r in paired)}; median {statistics.median(paired):.2f}x")
    print("\nratio: the other framework's median time / the engine's (higher is better for the engine);"
          "\nfor the matmul floor: the engine's time / the floor's (lower is better). ratio@min: the same"
          "\nwith each one's fastest run, less sensitive to other work on the machine; met: judged on the"
          f"\nmedian ratio. Load average at the end: {_load()}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
