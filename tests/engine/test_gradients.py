"""Analytic gradients against central finite differences, in float64."""

import numpy as np
import pytest

from sandbox.engine import ACTIVATIONS, LOSSES, Dense, Network
from sandbox.engine.activations import softmax

H = 1e-6
TOLERANCE = 1e-6


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def numeric_gradient(f, x: np.ndarray) -> np.ndarray:
    """Return d f(x) / dx by central differences; f returns a scalar, x is changed and restored."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)
    g = grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + H
        up = f()
        flat[i] = saved - H
        down = f()
        flat[i] = saved
        g[i] = (up - down) / (2 * H)
    return grad


def away_from_zero(x: np.ndarray) -> np.ndarray:
    """Move values off the relu kink so a finite difference never straddles it."""
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
@pytest.mark.parametrize("shape", [(1, 1), (5, 3), (7, 11)])
def test_elementwise_activation_grad_matches_finite_differences(name, shape, rng):
    activation = ACTIVATIONS[name]
    x = away_from_zero(rng.standard_normal(shape) * 2)
    numeric = np.empty_like(x)
    for idx in np.ndindex(*shape):
        up, down = x.copy(), x.copy()
        up[idx] += H
        down[idx] -= H
        numeric[idx] = (activation.forward(up)[idx] - activation.forward(down)[idx]) / (2 * H)
    assert activation.grad(x).shape == shape
    assert relative_error(activation.grad(x), numeric) < TOLERANCE


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(1, 2), (4, 3), (6, 9)])
def test_activation_backward_matches_finite_differences(name, shape, rng):
    activation = ACTIVATIONS[name]
    x = away_from_zero(rng.standard_normal(shape) * 2)
    upstream = rng.standard_normal(shape)

    def f():
        return float(np.sum(activation.forward(x) * upstream))

    assert relative_error(activation.backward(x, upstream), numeric_gradient(f, x)) < TOLERANCE


def test_softmax_jacobian_matches_finite_differences(rng):
    x = rng.standard_normal((3, 4))
    jac = ACTIVATIONS["softmax"].grad(x)
    assert jac.shape == (3, 4, 4)
    for n in range(3):
        for j in range(4):
            up, down = x.copy(), x.copy()
            up[n, j] += H
            down[n, j] -= H
            column = (softmax(up)[n] - softmax(down)[n]) / (2 * H)
            assert relative_error(jac[n, :, j], column) < TOLERANCE


def test_activations_are_stable_for_huge_inputs():
    x = np.array([[-1000.0, 0.0, 1000.0]])
    assert np.all(np.isfinite(ACTIVATIONS["sigmoid"].forward(x)))
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].forward(x), [[0.0, 0.5, 1.0]])
    np.testing.assert_allclose(ACTIVATIONS["softmax"].forward(x), [[0.0, 0.0, 1.0]])


def _targets(name, shape, rng):
    if name == "mse":
        return rng.standard_normal(shape)
    if name == "binary_cross_entropy":
        return (rng.random(shape) > 0.5).astype(np.float64)
    return np.eye(shape[1])[rng.integers(0, shape[1], shape[0])]


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("shape", [(1, 2), (6, 3), (10, 5)])
def test_loss_grad_matches_finite_differences(name, shape, rng):
    loss = LOSSES[name]
    if name == "binary_cross_entropy" or name == "cross_entropy":
        y_pred = rng.uniform(0.05, 0.95, shape)
    else:
        y_pred = rng.standard_normal(shape)
    y_true = _targets(name, shape, rng)
    numeric = numeric_gradient(lambda: loss.forward(y_pred, y_true), y_pred)
    assert relative_error(loss.grad(y_pred, y_true), numeric) < TOLERANCE


@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy"])
@pytest.mark.parametrize("shape", [(1, 2), (6, 3), (10, 5)])
def test_fused_logit_grad_matches_finite_differences(name, shape, rng):
    loss = LOSSES[name]
    z = rng.standard_normal(shape) * 3
    y_true = _targets(name, shape, rng)
    numeric = numeric_gradient(lambda: loss.forward_logits(z, y_true), z)
    assert relative_error(loss.grad_logits(z, y_true), numeric) < TOLERANCE


@pytest.mark.parametrize("name,output", [("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")])
def test_fused_loss_equals_loss_of_probabilities(name, output, rng):
    loss = LOSSES[name]
    z = rng.standard_normal((8, 3))
    y_true = _targets(name, (8, 3), rng)
    probabilities = ACTIVATIONS[output].forward(z)
    assert loss.forward_logits(z, y_true) == pytest.approx(loss.forward(probabilities, y_true), rel=1e-12)


def test_fused_cross_entropy_is_finite_for_huge_logits():
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]])
    y = np.array([[0.0, 1.0], [0.0, 1.0]])
    assert LOSSES["cross_entropy"].forward_logits(z, y) == pytest.approx(1000.0)
    assert LOSSES["binary_cross_entropy"].forward_logits(np.array([[800.0]]), np.array([[0.0]])) == pytest.approx(800.0)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_dense_backward_matches_finite_differences(activation, rng):
    layer = Dense(4, activation)
    if activation == "softmax":  # output-only: place it as the output layer
        net = Network(3, [layer], loss="mse", dtype="float64", seed=1, classes=4)
    else:
        net = Network(3, [layer, Dense(1, "linear")], loss="mse", dtype="float64", seed=1)
    layer.W[...] = rng.standard_normal(layer.W.shape)
    layer.b[...] = rng.standard_normal(layer.b.shape)
    X = rng.standard_normal((5, 3))
    upstream = rng.standard_normal((5, 4))

    def f():
        return float(np.sum(layer.forward(X) * upstream))

    dX, dW, db = layer.backward(X, upstream)
    assert (dX.shape, dW.shape, db.shape) == ((5, 3), (3, 4), (4,))
    assert relative_error(dX, numeric_gradient(f, X)) < TOLERANCE
    assert relative_error(dW, numeric_gradient(f, layer.W)) < TOLERANCE
    assert relative_error(db, numeric_gradient(f, layer.b)) < TOLERANCE
    assert net.n_params == (16 if activation == "softmax" else 16 + 5)


NETWORKS = [
    # (hidden layers, output activation, loss, classes)
    ([(5, "tanh"), (4, "sigmoid")], "softmax", "cross_entropy", 3),
    ([(6, "relu"), (5, "leaky_relu")], "softmax", "cross_entropy", 4),
    ([(4, "linear"), (3, "tanh")], "sigmoid", "binary_cross_entropy", 2),
    ([(5, "relu")], "linear", "mse", None),
    ([(5, "sigmoid")], "tanh", "mse", None),
    ([(4, "tanh")], "softmax", "mse", 3),
    ([(4, "leaky_relu")], "sigmoid", "mse", 2),
    ([], "softmax", "cross_entropy", 3),
]


def _network(hidden, output, loss, classes, l2, seed=0):
    layers = [Dense(units, act, l2=l2) for units, act in hidden]
    units = (1 if output == "sigmoid" else classes) if classes else 2
    layers.append(Dense(units, output, l2=l2))
    return Network(3, layers, loss=loss, dtype="float64", seed=seed, classes=classes)


@pytest.mark.parametrize("hidden,output,loss,classes", NETWORKS)
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_network_parameter_gradients_match_finite_differences(hidden, output, loss, classes, l2, rng):
    net = _network(hidden, output, loss, classes, l2)
    net.params[...] = rng.standard_normal(net.n_params) * 0.8
    X = rng.standard_normal((7, 3))
    y = rng.integers(0, classes, 7) if classes else rng.standard_normal((7, 2))
    objective = net.compute_gradients(X, y)
    analytic = net.grads.copy()
    numeric = numeric_gradient(lambda: net.objective(X, y), net.params)
    assert objective == pytest.approx(net.objective(X, y), rel=1e-12)
    assert relative_error(analytic, numeric) < TOLERANCE
    # the per-layer views are the same numbers
    assert np.array_equal(np.concatenate([np.r_[layer.dW.ravel(), layer.db] for layer in net.layers]), analytic)


def test_l2_adds_its_gradient(rng):
    plain = _network([(4, "tanh")], "softmax", "cross_entropy", 3, 0.0)
    decayed = _network([(4, "tanh")], "softmax", "cross_entropy", 3, 0.1)
    decayed.params[...] = plain.params
    X = rng.standard_normal((6, 3))
    y = rng.integers(0, 3, 6)
    plain.compute_gradients(X, y)
    decayed.compute_gradients(X, y)
    for p_layer, d_layer in zip(plain.layers, decayed.layers):
        np.testing.assert_allclose(d_layer.dW - p_layer.dW, 0.1 * d_layer.W, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(d_layer.db, p_layer.db, rtol=1e-12)


def test_network_forward_equals_layer_by_layer_reference(rng):
    for hidden, output, loss, classes in NETWORKS:
        net = _network(hidden, output, loss, classes, 0.0)
        X = rng.standard_normal((9, 3)) * 3
        expected = X
        for layer in net.layers:
            expected = layer.forward(expected)
        np.testing.assert_allclose(net.forward(X), expected, rtol=1e-10, atol=1e-12)


def test_dropout_gradient_uses_the_same_mask(rng):
    """With dropout on, the gradient is that of the masked network the forward pass drew."""
    net = Network(3, [Dense(6, "tanh", dropout=0.5), Dense(2, "softmax")], loss="cross_entropy",
                  dtype="float64", seed=3)
    X = rng.standard_normal((5, 3))
    y = rng.integers(0, 2, 5)
    Y = net.targets(y)
    net.compute_gradients(X, y, training=True)
    mask = net._train_ws[5].mask[0].T.copy()  # the workspace keeps it feature-major: (units, n)
    assert set(np.unique(mask)) <= {0.0, 2.0}
    analytic = net.grads.copy()

    def masked_objective():
        hidden = np.tanh(X @ net.layers[0].W + net.layers[0].b) * mask
        return LOSSES["cross_entropy"].forward_logits(hidden @ net.layers[1].W + net.layers[1].b, Y)

    assert relative_error(analytic, numeric_gradient(masked_objective, net.params)) < TOLERANCE
