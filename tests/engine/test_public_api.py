"""The names other code imports, and the learner-facing building blocks."""

import numpy as np
import pytest

import sandbox.engine as engine
from sandbox.engine import ACTIVATIONS, INITIALIZERS, LOSSES, OPTIMIZERS, Dense, Network


def test_contract_names_are_exported():
    for name in ("ENGINE_VERSION", "SpecError", "validate_spec", "train", "make_dataset", "Network", "Dense",
                 "ACTIVATIONS", "LOSSES", "INITIALIZERS", "OPTIMIZERS", "accuracy", "confusion_matrix",
                 "decision_grid"):
        assert hasattr(engine, name), name
    assert isinstance(engine.ENGINE_VERSION, str) and engine.ENGINE_VERSION.count(".") == 2
    assert issubclass(engine.SpecError, Exception)


def test_registries_hold_the_issue_names():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"}
    assert set(LOSSES) == {"mse", "binary_cross_entropy", "cross_entropy"}
    assert set(OPTIMIZERS) == {"sgd", "momentum", "rmsprop", "adam"}
    assert {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal"} <= set(INITIALIZERS)


def test_sigmoid_reference_values_for_the_exercise_checker():
    x = np.array([-2.0, 0.0, 3.0])
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].forward(x), s, rtol=1e-15)
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].grad(x), s * (1 - s), rtol=1e-15)
    np.testing.assert_allclose(ACTIVATIONS["relu"].grad(np.array([-1.0, 2.0])), [0.0, 1.0])


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal"])
def test_initialisers_have_the_right_scale(name):
    W = INITIALIZERS[name](400, 600, np.random.default_rng(0), np.float64)
    assert W.shape == (400, 600)
    expected_var = 2.0 / (400 + 600) if name.startswith("glorot") else 2.0 / 400
    assert W.var() == pytest.approx(expected_var, rel=0.02)
    assert abs(W.mean()) < 0.01


def test_weights_are_views_into_one_flat_buffer():
    net = Network(3, [Dense(4, "relu"), Dense(2, "softmax")], seed=1)
    assert net.n_params == (3 + 1) * 4 + (4 + 1) * 2
    for layer in net.layers:
        assert np.shares_memory(layer.W, net.params) and np.shares_memory(layer.b, net.params)
        assert np.shares_memory(layer.dW, net.grads)
    net.params[:] = 0.5
    assert np.all(net.layers[0].W == 0.5)


def test_initialiser_is_chosen_by_activation():
    assert Dense(3, "relu").init == "he_normal"
    assert Dense(3, "tanh").init == "glorot_uniform"
    assert Dense(3, "relu", init="glorot_normal").init == "glorot_normal"


def test_network_rejects_mismatched_input():
    net = Network(3, [Dense(2, "softmax")])
    with pytest.raises(ValueError, match=r"\(n_samples, 3\)"):
        net.predict(np.zeros((4, 2)))


def test_engine_does_not_import_django():
    import subprocess
    import sys

    code = ("import sys, sandbox.engine, sandbox.engine.cli, sandbox.engine.training; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'sklearn', 'torch', 'scipy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
