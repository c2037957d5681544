"""Datasets: shapes, labels, seeds, and the bundled digits."""

import os

import numpy as np
import pytest

from sandbox.engine import DATASETS, load_digits, make_dataset
from sandbox.engine.datasets import DIGITS_PATH


@pytest.mark.parametrize("name,features,classes", [("xor", 2, 2), ("circles", 2, 2), ("moons", 2, 2),
                                                   ("spirals", 2, 3), ("blobs", 2, 3), ("digits", 64, 10)])
def test_classification_datasets_have_balanced_integer_labels(name, features, classes):
    samples = 300
    X, y = make_dataset({"name": name, "samples": samples, "seed": 1})
    assert X.shape == (samples, features) and X.dtype == np.float64
    assert y.shape == (samples,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes
    assert counts.min() >= samples / classes * (0.6 if name in ("xor", "digits") else 0.99)
    assert np.all(np.isfinite(X))


def test_spirals_have_k_arms_and_blobs_any_shape():
    X, y = make_dataset({"name": "spirals", "samples": 500, "classes": 5, "seed": 0})
    assert sorted(np.unique(y)) == [0, 1, 2, 3, 4] and np.all(np.bincount(y) == 100)
    assert np.abs(X).max() < 2.0
    X, y = make_dataset({"name": "blobs", "samples": 700, "classes": 7, "features": 13, "noise": 0.5, "seed": 0})
    assert X.shape == (700, 13) and sorted(np.unique(y)) == list(range(7))


def test_sine_is_regression_targets():
    X, y = make_dataset({"name": "sine", "samples": 200, "noise": 0.0, "seed": 4})
    assert X.shape == (200, 1) and y.shape == (200,) and y.dtype == np.float64
    np.testing.assert_allclose(y, np.sin(X[:, 0]))


def test_noise_zero_gives_exact_shapes():
    X, y = make_dataset({"name": "circles", "samples": 100, "noise": 0.0, "factor": 0.3})
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    X, y = make_dataset({"name": "xor", "samples": 100, "noise": 0.0})
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_seed_same_data_other_seed_other_data(name):
    a = make_dataset({"name": name, "samples": 100, "seed": 5})
    b = make_dataset({"name": name, "samples": 100, "seed": 5})
    c = make_dataset({"name": name, "samples": 100, "seed": 6})
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_datasets_do_not_touch_the_global_random_state():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    for name in DATASETS:
        make_dataset({"name": name, "samples": 50})
    assert np.array_equal(np.random.get_state()[1], before)


def test_digits_file_is_small_and_loads_with_numpy_only():
    assert os.path.getsize(DIGITS_PATH) < 100_000
    with np.load(DIGITS_PATH, allow_pickle=False) as f:
        assert f["images"].shape == (1797, 8, 8) and f["images"].dtype == np.uint8
        assert f["labels"].shape == (1797,) and f["labels"].dtype == np.uint8
        assert f["images"].max() == 16
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_digits_readme_states_source_and_licence():
    readme = open(os.path.join(os.path.dirname(DIGITS_PATH), "README.md")).read()
    assert "Optical Recognition of Handwritten Digits" in readme
    assert "CC BY 4.0" in readme


def test_digits_subset_is_seeded_sample_without_repeats():
    X, y = make_dataset({"name": "digits", "samples": 500, "seed": 2})
    assert X.shape == (500, 64)
    assert len(np.unique(X, axis=0)) >= 495  # a few digits in the data set are exact duplicates
