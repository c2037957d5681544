"""Training end to end: the classic problems are solved, failures are reported, the result is JSON."""

import json

import numpy as np
import pytest

from sandbox.engine import ENGINE_VERSION, SpecError, make_dataset, train


def spec(dataset, layers, optimizer=None, **training):
    return {"dataset": dataset, "model": {"layers": layers},
            "optimizer": optimizer or {"name": "adam", "learning_rate": 0.01},
            "training": {"epochs": 100, "batch_size": 32, "validation_split": 0.2, "seed": 0, **training}}


def test_solves_xor():
    result = train(spec({"name": "xor", "samples": 400, "seed": 3}, [{"units": 16, "activation": "tanh"}],
                        {"name": "adam", "learning_rate": 0.02}, epochs=150))
    assert result["metrics"]["val_accuracy"] >= 0.97


def test_solves_circles():
    result = train(spec({"name": "circles", "samples": 400, "noise": 0.05, "seed": 2},
                        [{"units": 8, "activation": "tanh"}], {"name": "adam", "learning_rate": 0.02}, epochs=80))
    assert result["metrics"]["val_accuracy"] >= 0.97


def test_solves_spirals_from_the_issue_example():
    result = train({"dataset": {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1},
                    "model": {"layers": [{"units": 16, "activation": "tanh"}, {"units": 16, "activation": "tanh"}],
                              "output": "softmax"},
                    "loss": "cross_entropy",
                    "optimizer": {"name": "adam", "learning_rate": 0.01},
                    "training": {"epochs": 200, "batch_size": 32, "validation_split": 0.2, "seed": 0}})
    assert result["metrics"]["val_accuracy"] >= 0.97
    assert result["stopped"]["reason"] == "completed"
    assert result["history"]["val_loss"][-1] < result["history"]["val_loss"][0] / 10


def test_solves_digits():
    result = train(spec({"name": "digits"}, [{"units": 64, "activation": "relu"}],
                        {"name": "adam", "learning_rate": 0.005}, epochs=30))
    assert result["metrics"]["val_accuracy"] >= 0.95
    assert result["data"]["features"] == 64 and result["data"]["classes"] == 10
    assert np.trace(np.array(result["confusion_matrix"]["validation"])) == round(
        result["metrics"]["val_accuracy"] * result["data"]["validation_samples"])


def test_fits_sine_regression_with_null_accuracies():
    result = train(spec({"name": "sine", "samples": 400, "noise": 0.05}, [{"units": 32, "activation": "tanh"}],
                        epochs=150))
    assert result["metrics"]["val_loss"] < 0.02
    assert result["metrics"]["val_accuracy"] is None and result["metrics"]["train_accuracy"] is None
    assert set(result["history"]["val_accuracy"]) == {None}
    assert result["confusion_matrix"] is None


@pytest.mark.parametrize("optimizer", [
    {"name": "sgd", "learning_rate": 0.5},
    {"name": "momentum", "learning_rate": 0.1},
    {"name": "momentum", "learning_rate": 0.1, "nesterov": True},
    {"name": "rmsprop", "learning_rate": 0.01},
    {"name": "adam", "learning_rate": 0.02, "schedule": {"name": "cosine"}},
    {"name": "adam", "learning_rate": 0.02, "schedule": {"name": "step", "step_size": 20, "gamma": 0.5}},
])
def test_every_optimiser_learns_moons(optimizer):
    result = train(spec({"name": "moons", "samples": 400, "noise": 0.1}, [{"units": 16, "activation": "tanh"}],
                        optimizer, epochs=100))
    assert result["metrics"]["val_accuracy"] >= 0.97


def test_binary_cross_entropy_with_sigmoid_output():
    s = spec({"name": "circles", "samples": 400}, [{"units": 8, "activation": "tanh"}],
             {"name": "adam", "learning_rate": 0.02}, epochs=80)
    s["model"]["output"] = "sigmoid"
    result, network = train(s, return_network=True)
    assert result["spec"]["loss"] == "binary_cross_entropy"
    assert result["metrics"]["val_accuracy"] >= 0.97
    assert network.predict_proba(np.zeros((3, 2))).shape == (3, 2)


def test_known_bad_learning_rate_reports_divergence():
    result = train(spec({"name": "sine"}, [{"units": 16, "activation": "relu"}],
                        {"name": "sgd", "learning_rate": 50}, epochs=50))
    assert result["stopped"]["reason"] == "diverged"
    assert result["stopped"]["message"].startswith(f"loss became NaN at epoch {result['stopped']['epoch']}; "
                                                   "try a smaller learning rate, e.g. 0.1")
    assert len(result["history"]["epoch"]) == result["stopped"]["epoch"]
    json.dumps(result, allow_nan=False)


def test_exploding_cross_entropy_is_reported_as_divergence():
    result = train(spec({"name": "spirals"}, [{"units": 16, "activation": "tanh"}],
                        {"name": "adam", "learning_rate": 50}, epochs=30))
    assert result["stopped"]["reason"] == "diverged"
    assert "try a smaller learning rate, e.g. 0.001" in result["stopped"]["message"]
    json.dumps(result, allow_nan=False)


def test_result_has_the_contract_shape_and_is_plain_json():
    result = train(spec({"name": "moons", "samples": 100}, [{"units": 4, "activation": "tanh"}], epochs=3))
    assert set(result) >= {"history", "metrics", "parameters", "engine_version", "seed", "stopped", "spec"}
    assert set(result["history"]) >= {"epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "seconds"}
    assert result["history"]["epoch"] == [1, 2, 3]
    assert set(result["metrics"]) == {"train_loss", "val_loss", "train_accuracy", "val_accuracy"}
    assert result["parameters"] == (2 + 1) * 4 + (4 + 1) * 2
    assert result["engine_version"] == ENGINE_VERSION
    assert result["seed"] == {"dataset": 0, "training": 0}
    assert result["stopped"] == {"reason": "completed", "epoch": 3, "message": "trained for all 3 epochs"}
    text = json.dumps(result, allow_nan=False)
    for value in json.loads(text)["history"]["train_loss"]:
        assert type(value) is float
    assert type(result["parameters"]) is int


def test_on_epoch_gets_figures_and_can_cancel():
    seen = []

    def on_epoch(figures):
        seen.append(figures)
        return figures["epoch"] == 4

    result = train(spec({"name": "moons", "samples": 100}, [{"units": 4}], epochs=50), on_epoch=on_epoch)
    assert [f["epoch"] for f in seen] == [1, 2, 3, 4]
    assert set(seen[0]) == {"epoch", "epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy"}
    assert seen[0]["epochs"] == 50
    assert result["stopped"]["reason"] == "cancelled" and result["stopped"]["epoch"] == 4
    assert len(result["history"]["epoch"]) == 4
    assert seen[-1]["val_loss"] == result["history"]["val_loss"][-1]


def test_early_stopping_stops_and_restores_the_best_weights():
    s = spec({"name": "moons", "samples": 200, "noise": 0.3}, [{"units": 64, "activation": "relu"}],
             {"name": "adam", "learning_rate": 0.05}, epochs=500, early_stopping={"patience": 5})
    result = train(s)
    stopped = result["stopped"]
    assert stopped["reason"] == "early_stopping"
    assert stopped["epoch"] < 500
    val = result["history"]["val_loss"]
    best_epoch = int(np.argmin(val)) + 1
    assert stopped["epoch"] == best_epoch + 5
    assert f"restored the weights from epoch {best_epoch}" in stopped["message"]
    assert result["metrics"]["val_loss"] == pytest.approx(min(val), rel=1e-6)


def test_data_argument_replaces_the_dataset():
    X, y = make_dataset({"name": "blobs", "samples": 300, "classes": 4, "features": 5, "noise": 1.0, "seed": 7})
    s = {"model": {"layers": [{"units": 8, "activation": "relu"}]}, "training": {"epochs": 30}}
    result, network = train(s, data=(X[:200], y[:200], X[200:], y[200:]), return_network=True)
    assert result["data"]["train_samples"] == 200 and result["data"]["validation_samples"] == 100
    assert result["seed"]["dataset"] is None
    assert result["metrics"]["val_accuracy"] >= 0.95
    assert network.predict(X[200:]).shape == (100,)
    assert network.predict_proba(X[200:]).shape == (100, 4)
    np.testing.assert_allclose(network.predict_proba(X[200:]).sum(axis=1), 1.0, rtol=1e-5)
    evaluation = network.evaluate(X[200:], y[200:])
    assert evaluation["accuracy"] == pytest.approx(result["metrics"]["val_accuracy"])
    assert evaluation["loss"] == pytest.approx(result["metrics"]["val_loss"], rel=1e-5)


def test_data_without_validation_arrays_uses_the_split_or_none():
    X, y = make_dataset({"name": "moons", "samples": 100})
    s = {"model": {"layers": [{"units": 4}]}, "training": {"epochs": 2, "validation_split": 0.25}}
    assert train(s, data=(X, y, None, None))["data"]["validation_samples"] == 25
    s["training"]["validation_split"] = 0
    result = train(s, data=(X, y, None, None))
    assert result["data"]["validation_samples"] == 0
    assert result["history"]["val_loss"] == [None, None] and result["metrics"]["val_loss"] is None


def test_bad_spec_raises_spec_error():
    with pytest.raises(SpecError) as info:
        train({"dataset": {"name": "xor"}, "model": {"layers": [{"units": 0}]}})
    assert info.value.errors[0]["path"] == "model.layers[0].units"


def test_float64_on_request():
    result, network = train(spec({"name": "xor", "samples": 100}, [{"units": 4}], epochs=2, dtype="float64"),
                            return_network=True)
    assert network.params.dtype == np.float64
    _, network32 = train(spec({"name": "xor", "samples": 100}, [{"units": 4}], epochs=2), return_network=True)
    assert network32.params.dtype == np.float32


def test_dropout_and_l2_train():
    s = spec({"name": "moons", "samples": 300}, [{"units": 32, "activation": "relu", "dropout": 0.3}],
             {"name": "adam", "learning_rate": 0.02}, epochs=60)
    s["model"]["l2"] = 0.001
    assert train(s)["metrics"]["val_accuracy"] >= 0.95


def test_history_records_the_scheduled_learning_rate():
    s = spec({"name": "moons", "samples": 100}, [{"units": 4}],
             {"name": "sgd", "learning_rate": 0.4, "schedule": {"name": "step", "step_size": 2, "gamma": 0.5}},
             epochs=5)
    assert train(s)["history"]["learning_rate"] == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1])


def test_batch_larger_than_the_data_is_full_batch():
    result = train(spec({"name": "moons", "samples": 50}, [{"units": 4}], epochs=3, batch_size=1000))
    assert result["stopped"]["reason"] == "completed"


def test_data_targets_decide_classification_or_regression():
    X = np.random.default_rng(0).standard_normal((60, 3))
    s = {"model": {"layers": [{"units": 4, "activation": "tanh"}]}, "training": {"epochs": 2}}
    assert train(s, data=(X, X[:, 0] * 2.0, None, None))["data"]["task"] == "regression"
    whole_floats = (X[:, 0] > 0).astype(float)
    assert train(s, data=(X, whole_floats, None, None))["data"]["task"] == "classification"
    assert train({**s, "loss": "mse"}, data=(X, whole_floats, None, None))["data"]["task"] == "regression"
    assert train({**s, "loss": "mse"}, data=(X, (X[:, 0] > 0).astype(int), None, None))["data"]["classes"] == 2


def test_final_metrics_are_the_last_epoch_figures():
    result = train(spec({"name": "moons", "samples": 200}, [{"units": 8, "activation": "tanh"}], epochs=5))
    for key in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert result["metrics"][key] == result["history"][key][-1]


def test_train_figures_cover_the_whole_training_set():
    X, y = make_dataset({"name": "blobs", "samples": 3000, "classes": 3, "features": 2, "seed": 1})
    result = train({"model": {"layers": [{"units": 4}]}, "training": {"epochs": 1, "batch_size": 500}},
                   data=(X, y, None, None))
    assert result["data"]["train_samples"] == 2400
    assert "train_metric_samples" not in result["data"]
    assert sum(map(sum, result["confusion_matrix"]["train"])) == 2400
    train_correct = np.trace(np.array(result["confusion_matrix"]["train"]))
    assert result["metrics"]["train_accuracy"] == pytest.approx(train_correct / 2400)
    assert sum(map(sum, result["confusion_matrix"]["validation"])) == 600


@pytest.mark.parametrize("loss, output", [("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid"),
                                          ("mse", "sigmoid")])
def test_full_batch_train_loss_is_the_loss_before_the_epochs_step(loss, output):
    # With one batch per epoch, epoch 2's train figures are those of the weights after epoch 1.
    X, y = make_dataset({"name": "moons", "samples": 200, "seed": 3})
    s = {"model": {"layers": [{"units": 8, "activation": "tanh"}], "output": output}, "loss": loss,
         "optimizer": {"name": "adam", "learning_rate": 0.05},
         "training": {"epochs": 1, "batch_size": 1000, "seed": 2}}
    data = (X[:150], y[:150], X[150:], y[150:])
    _, after_one = train(s, data=data, return_network=True)
    two = train({**s, "training": {**s["training"], "epochs": 2}}, data=data)
    expected = after_one.evaluate(X[:150], y[:150])
    assert two["history"]["train_loss"][1] == pytest.approx(expected["loss"], rel=1e-5)
    assert two["history"]["train_accuracy"][1] == pytest.approx(expected["accuracy"])


def test_train_loss_is_the_sample_weighted_mean_over_the_batches_without_l2():
    # 150 samples in batches of 64, 64, 22: the mean over samples, not over batches, and no L2 term
    X, y = make_dataset({"name": "blobs", "samples": 150, "classes": 3, "features": 2, "seed": 4})
    s = {"model": {"layers": [{"units": 8, "activation": "tanh", "l2": 0.5}]},
         "optimizer": {"name": "sgd", "learning_rate": 1e-9},
         "training": {"epochs": 2, "batch_size": 64, "seed": 1, "shuffle": False, "validation_split": 0}}
    result, network = train(s, data=(X, y, None, None), return_network=True)
    # the weights barely move, so every batch sees (almost) the final weights
    assert result["history"]["train_loss"][1] == pytest.approx(network.evaluate(X, y)["loss"], rel=1e-6)
    assert result["history"]["train_accuracy"][1] == pytest.approx(network.evaluate(X, y)["accuracy"])


def test_train_figures_include_dropout():
    X, y = make_dataset({"name": "moons", "samples": 300, "seed": 5})
    s = {"model": {"layers": [{"units": 32, "activation": "relu", "dropout": 0.5}]},
         "optimizer": {"name": "sgd", "learning_rate": 1e-9},
         "training": {"epochs": 1, "batch_size": 1000, "seed": 1, "validation_split": 0}}
    result, network = train(s, data=(X, y, None, None), return_network=True)
    assert result["history"]["train_loss"][0] != pytest.approx(network.evaluate(X, y)["loss"], rel=1e-4)
