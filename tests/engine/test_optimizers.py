"""Each optimiser's step against a hand-computed one, and the learning-rate schedules."""

import math

import numpy as np
import pytest

from sandbox.engine import OPTIMIZERS, SCHEDULES

P0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [-0.25, 2.0]


def run(name, steps, dtype=np.float64, **options):
    opt = OPTIMIZERS[name](**options)
    p = np.array(P0, dtype)
    for g in steps:
        opt.update(p, np.array(g, dtype))
    return p


def test_sgd_step():
    # p - lr g
    np.testing.assert_allclose(run("sgd", [G1], learning_rate=0.1), [1.0 - 0.05, -2.0 + 0.1], rtol=1e-15)


def test_momentum_two_steps():
    # v1 = g1; p1 = p0 - lr v1; v2 = 0.9 v1 + g2; p2 = p1 - lr v2
    lr, mu = 0.1, 0.9
    v1 = np.array(G1)
    p1 = np.array(P0) - lr * v1
    v2 = mu * v1 + np.array(G2)
    p2 = p1 - lr * v2
    np.testing.assert_allclose(p2, [1.0 - 0.05 - 0.1 * (0.45 - 0.25), -2.0 + 0.1 - 0.1 * (-0.9 + 2.0)], rtol=1e-15)
    np.testing.assert_allclose(run("momentum", [G1, G2], learning_rate=lr, momentum=mu), p2, rtol=1e-15)


def test_nesterov_two_steps():
    # v = mu v + g; p -= lr (g + mu v)
    lr, mu = 0.1, 0.9
    # step 1: v = [0.5, -1]; p -= 0.1 * ([0.5, -1] + 0.9 [0.5, -1]) = 0.1 * 1.9 g1
    p1 = [1.0 - 0.1 * 0.95, -2.0 + 0.1 * 1.9]
    np.testing.assert_allclose(run("momentum", [G1], learning_rate=lr, momentum=mu, nesterov=True), p1, rtol=1e-15)
    # step 2: v = 0.9 [0.5, -1] + [-0.25, 2] = [0.2, 1.1]; p -= 0.1 * ([-0.25, 2] + 0.9 [0.2, 1.1])
    p2 = [p1[0] - 0.1 * (-0.25 + 0.18), p1[1] - 0.1 * (2.0 + 0.99)]
    np.testing.assert_allclose(run("momentum", [G1, G2], learning_rate=lr, momentum=mu, nesterov=True), p2,
                               rtol=1e-14)


def test_nesterov_differs_from_plain_momentum():
    plain = run("momentum", [G1, G2], learning_rate=0.1, momentum=0.9)
    nesterov = run("momentum", [G1, G2], learning_rate=0.1, momentum=0.9, nesterov=True)
    assert not np.allclose(plain, nesterov)


def test_rmsprop_two_steps():
    lr, rho, eps = 0.01, 0.9, 1e-8
    # s1 = 0.1 g1^2 = [0.025, 0.1]; p1 = p0 - lr g1 / (sqrt(s1) + eps)
    s1 = np.array([0.025, 0.1])
    p1 = np.array(P0) - lr * np.array(G1) / (np.sqrt(s1) + eps)
    s2 = rho * s1 + 0.1 * np.array(G2) ** 2
    p2 = p1 - lr * np.array(G2) / (np.sqrt(s2) + eps)
    np.testing.assert_allclose(run("rmsprop", [G1], learning_rate=lr, rho=rho, epsilon=eps), p1, rtol=1e-14)
    np.testing.assert_allclose(run("rmsprop", [G1, G2], learning_rate=lr, rho=rho, epsilon=eps), p2, rtol=1e-14)
    # first step moves each weight by lr / sqrt(1 - rho) in the sign of -g
    np.testing.assert_allclose(p1, [1.0 - 0.01 / math.sqrt(0.1), -2.0 + 0.01 / math.sqrt(0.1)], rtol=1e-6)


def test_adam_first_step_is_learning_rate_times_sign():
    # m_hat = g, v_hat = g^2, so the first step is lr * g / (|g| + eps) ~ lr * sign(g)
    np.testing.assert_allclose(run("adam", [G1], learning_rate=0.01), [0.99, -1.99], rtol=1e-7)


def test_adam_two_steps_match_textbook_formula():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p = np.array(P0)
    m = np.zeros(2)
    v = np.zeros(2)
    for t, g in enumerate([G1, G2], start=1):
        g = np.array(g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(run("adam", [G1, G2], learning_rate=lr, beta1=b1, beta2=b2, epsilon=eps), p,
                               rtol=1e-13)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_update_on_lists_equals_update_on_one_flat_array(name):
    flat = run(name, [G1, G2], learning_rate=0.05)
    opt = OPTIMIZERS[name](learning_rate=0.05)
    parts = [np.array(P0[:1]), np.array(P0[1:])]
    for g in (G1, G2):
        opt.update(parts, [np.array(g[:1]), np.array(g[1:])])
    np.testing.assert_allclose(np.concatenate(parts), flat, rtol=1e-15)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_update_works_in_float32_in_place(name):
    opt = OPTIMIZERS[name](learning_rate=0.01)
    p = np.array(P0, np.float32)
    before = p.copy()
    same = p
    opt.update(p, np.array(G1, np.float32))
    assert same is p and p.dtype == np.float32
    assert np.all(p != before)


def test_update_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        OPTIMIZERS["sgd"]().update([np.zeros(2)], [np.zeros(3)])


def test_learning_rate_change_takes_effect_on_next_step():
    opt = OPTIMIZERS["sgd"](learning_rate=0.1)
    p = np.array([1.0])
    opt.update(p, np.array([1.0]))
    opt.learning_rate = 0.01
    opt.update(p, np.array([1.0]))
    assert p[0] == pytest.approx(1.0 - 0.1 - 0.01)


def test_constant_schedule():
    assert [SCHEDULES["constant"](0.1, e, 10) for e in (0, 5, 9)] == [0.1, 0.1, 0.1]


def test_step_schedule_halves_every_step_size_epochs():
    rates = [SCHEDULES["step"](0.1, e, 100, step_size=10, gamma=0.5) for e in (0, 9, 10, 19, 20, 35)]
    assert rates == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.0125])


def test_cosine_schedule_goes_from_base_to_minimum():
    rates = [SCHEDULES["cosine"](0.1, e, 10, min_learning_rate=0.01) for e in range(10)]
    assert rates[0] == pytest.approx(0.1)
    assert rates[5] == pytest.approx(0.055)  # half-way: the mean of base and minimum
    assert rates[9] == pytest.approx(0.01 + 0.09 * 0.5 * (1 + math.cos(math.pi * 0.9)))
    assert all(a > b for a, b in zip(rates, rates[1:]))


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_bound_step_equals_update(name):
    bound = OPTIMIZERS[name](learning_rate=0.05)
    p = np.array(P0)
    g = np.zeros(2)
    step = bound.bind(p, g)
    for grad in (G1, G2):
        g[:] = grad
        step()
    np.testing.assert_array_equal(p, run(name, [G1, G2], learning_rate=0.05))
    assert bound.iterations == 2


def test_adam_in_float32_matches_the_textbook_formula_to_rounding():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    rng = np.random.default_rng(0)
    steps = [rng.standard_normal(50) for _ in range(20)]
    p = rng.standard_normal(50)
    start = p.copy()
    m = np.zeros(50)
    v = np.zeros(50)
    for t, g in enumerate(steps, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    opt = OPTIMIZERS["adam"](learning_rate=lr, beta1=b1, beta2=b2, epsilon=eps)
    p32 = start.astype(np.float32)
    for g in steps:
        opt.update(p32, g.astype(np.float32))
    np.testing.assert_allclose(p32 - start, p - start, rtol=1e-4, atol=1e-6)
