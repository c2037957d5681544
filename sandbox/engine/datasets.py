"""Datasets generated in-process from a seed, and the bundled 8x8 digits.

Every generator is ``make_<name>(samples, noise, rng, **options) -> (X, y)`` with
``X: (samples, features)`` float64 and ``y: (samples,)`` int64 class labels (float64 targets for
``sine``). Randomness comes only from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
DIGITS_PATH = os.path.join(DATA_DIR, "digits.npz")
DIGITS_SAMPLES = 1797


def _split_counts(samples: int, classes: int) -> list[int]:
    """Return per-class counts that add up to samples, as equal as possible."""
    base, extra = divmod(samples, classes)
    return [base + (1 if k < extra else 0) for k in range(classes)]


def _shuffle(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(X.shape[0])
    return X[order], y[order]


def make_xor(samples: int, noise: float, rng: np.random.Generator):
    """Return points uniform in [-1, 1]^2, class 1 where x0 * x1 > 0, plus N(0, noise^2) jitter."""
    X = rng.uniform(-1.0, 1.0, size=(samples, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    X += noise * rng.standard_normal(X.shape)
    return X, y


def make_circles(samples: int, noise: float, rng: np.random.Generator, factor: float = 0.5):
    """Return two concentric circles (radius 1 is class 0, radius ``factor`` class 1) with jitter."""
    n_out, n_in = _split_counts(samples, 2)
    t_out = rng.uniform(0.0, 2 * np.pi, n_out)
    t_in = rng.uniform(0.0, 2 * np.pi, n_in)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)],
                        factor * np.c_[np.cos(t_in), np.sin(t_in)]])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X += noise * rng.standard_normal(X.shape)
    return _shuffle(X, y, rng)


def make_moons(samples: int, noise: float, rng: np.random.Generator):
    """Return two interleaving half circles (as in scikit-learn's make_moons) with jitter."""
    n_a, n_b = _split_counts(samples, 2)
    t_a = rng.uniform(0.0, np.pi, n_a)
    t_b = rng.uniform(0.0, np.pi, n_b)
    X = np.concatenate([np.c_[np.cos(t_a), np.sin(t_a)],
                        np.c_[1.0 - np.cos(t_b), 0.5 - np.sin(t_b)]])
    y = np.concatenate([np.zeros(n_a, np.int64), np.ones(n_b, np.int64)])
    X += noise * rng.standard_normal(X.shape)
    return _shuffle(X, y, rng)


def make_spirals(samples: int, noise: float, rng: np.random.Generator, classes: int = 3,
                 turns: float = 0.65):
    """Return ``classes`` interleaved spiral arms in the unit disc.

    Arm k: radius r ~ U(0, 1), angle 2 pi (k / classes + turns * r) + noise * N(0, 1); the noise
    is in radians, so it moves a point along its circle, more at the rim than at the centre.
    """
    counts = _split_counts(samples, classes)
    Xs, ys = [], []
    for k, count in enumerate(counts):
        r = rng.uniform(0.0, 1.0, count)
        angle = 2 * np.pi * (k / classes + turns * r) + noise * rng.standard_normal(count)
        Xs.append(np.c_[r * np.cos(angle), r * np.sin(angle)])
        ys.append(np.full(count, k, np.int64))
    return _shuffle(np.concatenate(Xs), np.concatenate(ys), rng)


def make_blobs(samples: int, noise: float, rng: np.random.Generator, classes: int = 3, features: int = 2):
    """Return Gaussian blobs: centres U(-10, 10)^features, one per class, spread ``noise`` (std)."""
    centres = rng.uniform(-10.0, 10.0, size=(classes, features))
    y = np.repeat(np.arange(classes, dtype=np.int64), _split_counts(samples, classes))
    X = centres[y] + noise * rng.standard_normal((samples, features))
    return _shuffle(X, y, rng)


def make_sine(samples: int, noise: float, rng: np.random.Generator):
    """Return regression data x ~ U(-pi, pi) (samples, 1), target sin(x) + N(0, noise^2) (samples,)."""
    x = rng.uniform(-np.pi, np.pi, size=(samples, 1))
    y = np.sin(x[:, 0]) + noise * rng.standard_normal(samples)
    return x, y


@lru_cache(maxsize=1)
def _digits_arrays():
    with np.load(DIGITS_PATH, allow_pickle=False) as f:
        images = f["images"]
        labels = f["labels"]
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_digits():
    """Return the 1,797 8x8 digits as X (1797, 64) float64 in [0, 1] (pixel / 16) and y (1797,) int64."""
    images, labels = _digits_arrays()
    return images.reshape(images.shape[0], 64).astype(np.float64) / 16.0, labels.astype(np.int64)


def make_digits(samples: int, noise: float, rng: np.random.Generator):
    """Return ``samples`` digits drawn without replacement in a seeded random order."""
    X, y = load_digits()
    order = rng.permutation(X.shape[0])[:samples]
    X, y = X[order], y[order]
    if noise:
        X = X + noise * rng.standard_normal(X.shape)
    return X, y


# name -> (generator, task, features, default options); "classes" None means fixed by the data.
DATASETS = {
    "xor": {"make": make_xor, "task": "classification", "classes": 2, "features": 2,
            "defaults": {"samples": 400, "noise": 0.05}},
    "circles": {"make": make_circles, "task": "classification", "classes": 2, "features": 2,
                "defaults": {"samples": 400, "noise": 0.05, "factor": 0.5}},
    "moons": {"make": make_moons, "task": "classification", "classes": 2, "features": 2,
              "defaults": {"samples": 400, "noise": 0.1}},
    "spirals": {"make": make_spirals, "task": "classification", "classes": None, "features": 2,
                "defaults": {"samples": 600, "noise": 0.2, "classes": 3, "turns": 0.65}},
    "blobs": {"make": make_blobs, "task": "classification", "classes": None, "features": None,
              "defaults": {"samples": 600, "noise": 1.0, "classes": 3, "features": 2}},
    "sine": {"make": make_sine, "task": "regression", "classes": None, "features": 1,
             "defaults": {"samples": 400, "noise": 0.1}},
    "digits": {"make": make_digits, "task": "classification", "classes": 10, "features": 64,
               "defaults": {"samples": DIGITS_SAMPLES, "noise": 0.0}},
}


def make_dataset(dataset_spec: dict):
    """Return (X, y) for the ``dataset`` part of a validated spec.

    X: (samples, features) float64; y: (samples,) int64 labels, or float64 targets for ``sine``.
    Missing fields take the documented defaults, so ``make_dataset({"name": "moons"})`` works.
    """
    name = dataset_spec["name"]
    info = DATASETS[name]
    options = {**info["defaults"], **{k: v for k, v in dataset_spec.items() if k not in ("name", "seed")}}
    rng = np.random.default_rng(dataset_spec.get("seed", 0))
    samples = options.pop("samples")
    noise = options.pop("noise")
    return info["make"](int(samples), float(noise), rng, **options)


def dataset_shape(dataset_spec: dict) -> tuple[str, int, int]:
    """Return (task, features, classes or outputs) a dataset spec will produce, without making it."""
    info = DATASETS[dataset_spec["name"]]
    options = {**info["defaults"], **dataset_spec}
    features = info["features"] if info["features"] is not None else int(options["features"])
    if info["task"] == "regression":
        return "regression", features, 1
    classes = info["classes"] if info["classes"] is not None else int(options["classes"])
    return "classification", features, classes
