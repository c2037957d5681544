"""Accuracy, confusion matrix and the decision grid."""

import json

import numpy as np
import pytest

from sandbox.engine import Dense, Network, accuracy, confusion_matrix, decision_grid, train


def test_accuracy():
    assert accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    with pytest.raises(ValueError):
        accuracy([0, 1], [0])


def test_confusion_matrix_counts_true_rows_predicted_columns():
    matrix = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2])
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert confusion_matrix([0, 1], [1, 1], classes=4).shape == (4, 4)
    with pytest.raises(ValueError):
        confusion_matrix([0, 5], [0, 1], classes=3)


def test_decision_grid_is_json_and_matches_predict():
    X = np.array([[-1.0, -1.0], [1.0, 2.0], [0.0, 0.5]])
    net = Network(2, [Dense(5, "tanh"), Dense(3, "softmax")], seed=2)
    grid = decision_grid(net, X, resolution=7)
    json.dumps(grid, allow_nan=False)
    assert len(grid["x"]) == 7 and len(grid["y"]) == 7
    assert grid["x"][0] == pytest.approx(-1.2) and grid["x"][-1] == pytest.approx(1.2)
    assert grid["y"][0] == pytest.approx(-1.3) and grid["y"][-1] == pytest.approx(2.3)
    assert np.array(grid["classes"]).shape == (7, 7)
    # row i is y[i], column j is x[j]
    point = np.array([[grid["x"][5], grid["y"][2]]])
    assert grid["classes"][2][5] == int(net.predict(point)[0])
    assert grid["probability"][2][5] == pytest.approx(float(net.predict_proba(point).max()), abs=1e-6)
    assert all(isinstance(v, int) for v in grid["classes"][0])


def test_decision_grid_of_a_trained_binary_model():
    result, net = train({"dataset": {"name": "circles", "samples": 300},
                         "model": {"layers": [{"units": 8, "activation": "tanh"}], "output": "sigmoid"},
                         "optimizer": {"name": "adam", "learning_rate": 0.03}, "training": {"epochs": 60}},
                        return_network=True)
    grid = decision_grid(net, np.array([[-1.0, -1.0], [1.0, 1.0]]), resolution=21)
    assert grid["classes"][10][10] == 1  # the centre is the inner circle
    assert grid["classes"][0][0] == 0  # the corner is outside both circles, nearer the outer one
    assert 0.5 <= min(min(row) for row in grid["probability"])


def test_decision_grid_needs_two_features():
    net = Network(3, [Dense(2, "softmax")])
    with pytest.raises(ValueError):
        decision_grid(net, np.zeros((4, 3)))


def test_decision_grid_of_regression_gives_values():
    net = Network(2, [Dense(4, "tanh"), Dense(1, "linear")], loss="mse")
    grid = decision_grid(net, np.array([[0.0, 0.0], [1.0, 1.0]]), resolution=5)
    assert grid["classes"] is None and np.array(grid["value"]).shape == (5, 5)
