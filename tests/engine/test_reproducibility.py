"""Same spec and seed: bit-identical results; the global NumPy random state is never used."""

import numpy as np

from sandbox.engine import train

SPEC = {"dataset": {"name": "spirals", "samples": 300, "classes": 3, "noise": 0.2, "seed": 1},
        "model": {"layers": [{"units": 16, "activation": "tanh", "dropout": 0.1}, {"units": 8, "activation": "relu"}],
                  "l2": 0.0001},
        "optimizer": {"name": "adam", "learning_rate": 0.01},
        "training": {"epochs": 15, "batch_size": 16, "validation_split": 0.2, "seed": 4}}


def without_seconds(result):
    history = dict(result["history"])
    history.pop("seconds")
    return {**result, "history": history}


def test_same_spec_and_seed_give_bit_identical_results():
    first, net1 = train(SPEC, return_network=True)
    second, net2 = train(SPEC, return_network=True)
    assert without_seconds(first) == without_seconds(second)
    assert net1.params.tobytes() == net2.params.tobytes()


def test_another_training_seed_gives_another_curve():
    other = {**SPEC, "training": {**SPEC["training"], "seed": 5}}
    assert train(SPEC)["history"]["train_loss"] != train(other)["history"]["train_loss"]


def test_results_do_not_depend_on_the_global_random_state():
    np.random.seed(1)
    first = train(SPEC)
    np.random.seed(2)
    np.random.random(10)
    second = train(SPEC)
    assert without_seconds(first) == without_seconds(second)


def test_training_does_not_consume_the_global_random_state():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    train(SPEC)
    assert np.array_equal(np.random.get_state()[1], before)


def test_float64_runs_are_reproducible_too():
    spec = {**SPEC, "training": {**SPEC["training"], "dtype": "float64"}}
    assert without_seconds(train(spec)) == without_seconds(train(spec))
