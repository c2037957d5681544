"""Spec validation: every problem reported at once, with its JSON path and a readable message."""

import copy
import json

import numpy as np
import pytest

from sandbox.engine import SpecError, validate_spec

SPEC = {
    "dataset": {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1},
    "model": {"layers": [{"units": 16, "activation": "tanh"}, {"units": 16, "activation": "tanh"}],
              "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "training": {"epochs": 200, "batch_size": 32, "validation_split": 0.2, "seed": 0},
}


def spec_with(**changes):
    """Return a copy of SPEC with dotted paths set ("training.epochs": 5) or removed (value ...)."""
    spec = copy.deepcopy(SPEC)
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        node = spec
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is Ellipsis:
            del node[int(key) if key.isdigit() else key]
        else:
            node[int(key) if key.isdigit() else key] = value
    return spec


def errors_of(spec, **kwargs):
    with pytest.raises(SpecError) as info:
        validate_spec(spec, **kwargs)
    return {e["path"]: e["message"] for e in info.value.errors}


def test_issue_example_is_valid_and_keeps_its_values():
    spec = validate_spec(SPEC)
    assert spec["dataset"] == {"name": "spirals", "samples": 1000, "noise": 0.2, "classes": 3, "turns": 0.65,
                               "seed": 1}
    assert [layer["units"] for layer in spec["model"]["layers"]] == [16, 16]
    assert spec["optimizer"]["learning_rate"] == 0.01
    assert spec["training"]["epochs"] == 200
    json.dumps(spec)


def test_defaults_are_filled_in():
    spec = validate_spec({"dataset": {"name": "moons"}, "model": {"layers": [{"units": 8}]}})
    assert spec["loss"] == "cross_entropy"
    assert spec["model"]["output"] == "softmax"
    assert spec["model"]["layers"][0] == {"units": 8, "activation": "relu", "dropout": 0.0, "l2": 0.0,
                                          "init": "he_normal"}
    assert spec["optimizer"] == {"name": "adam", "learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999,
                                 "epsilon": 1e-8, "schedule": {"name": "constant"}}
    assert spec["training"] == {"epochs": 100, "batch_size": 32, "validation_split": 0.2, "seed": 0,
                                "shuffle": True, "dtype": "float32", "early_stopping": None}


def test_normalised_spec_validates_to_itself():
    once = validate_spec(SPEC)
    assert validate_spec(once) == once


def test_initialiser_follows_the_activation_unless_given():
    spec = validate_spec(spec_with(model__layers=[{"units": 4, "activation": "relu"},
                                                  {"units": 4, "activation": "tanh"},
                                                  {"units": 4, "activation": "relu", "init": "glorot_normal"}]))
    assert [layer["init"] for layer in spec["model"]["layers"]] == ["he_normal", "glorot_uniform", "glorot_normal"]


def test_aliases_become_canonical_names():
    spec = validate_spec(spec_with(loss="categorical_cross_entropy", optimizer="adam",
                                   **{"model__layers__0__init": "xavier_uniform"}))
    assert spec["loss"] == "cross_entropy"
    assert spec["model"]["layers"][0]["init"] == "glorot_uniform"


def test_unknown_activation_names_the_choices():
    errors = errors_of(spec_with(model__layers__1__activation="relux"))
    assert errors == {"model.layers[1].activation": "'relux' is not an activation (did you mean 'relu'?); choose "
                                                    "one of sigmoid, tanh, relu, leaky_relu, linear"}


def test_softmax_on_a_hidden_layer_is_explained():
    errors = errors_of(spec_with(model__layers__0__activation="softmax"))
    assert "only be the output" in errors["model.layers[0].activation"]


@pytest.mark.parametrize("path,value,expected", [
    ("training__epochs", True, "must be a whole number like 200, not true"),
    ("training__epochs", "200", 'must be a whole number like 200, not the text "200"'),
    ("training__epochs", 2.5, "must be a whole number like 200, not 2.5"),
    ("training__batch_size", None, "must be a whole number like 32, not null"),
    ("model__layers__0__units", [16], "must be a whole number like 16, not a list"),
    ("optimizer__learning_rate", "fast", 'must be a number like 0.01, not the text "fast"'),
    ("optimizer__learning_rate", False, "must be a number like 0.01, not false"),
    ("training__shuffle", "yes", 'must be true or false, not the text "yes"'),
    ("model__layers", {"units": 3}, "must be a list of layers [...], not an object"),
])
def test_wrong_types_are_reported_with_their_path(path, value, expected):
    errors = errors_of(spec_with(**{path: value}))
    assert errors == {path.replace("__0__", "[0].").replace("__", "."): expected}


@pytest.mark.parametrize("path,value,expected", [
    ("training__epochs", 0, "must be at least 1, not 0"),
    ("training__batch_size", -32, "must be at least 1, not -32"),
    ("model__layers__0__units", -4, "must be at least 1, not -4"),
    ("dataset__samples", -10, "must be at least 4, not -10"),
    ("optimizer__learning_rate", -0.1, "must be greater than 0, not -0.1"),
    ("training__validation_split", 1.0, "must be at most 0.9, not 1"),
    ("model__layers__0__dropout", 1.0, "must be at most 0.95, not 1"),
    ("dataset__seed", -1, "must be at least 0, not -1"),
])
def test_out_of_range_values_are_reported(path, value, expected):
    errors = errors_of(spec_with(**{path: value}))
    assert errors == {path.replace("__0__", "[0].").replace("__", "."): expected}


def test_huge_sizes_are_refused_even_without_caller_limits():
    errors = errors_of(spec_with(model__layers__0__units=10 ** 9, dataset__samples=10 ** 12, training__epochs=10 ** 9))
    assert errors["model.layers[0].units"] == "must be at most 16,384, not 1,000,000,000"
    assert errors["dataset.samples"] == "1,000,000,000,000 is more than the limit of 200,000 samples (max_samples)"
    assert errors["training.epochs"] == "1,000,000,000 is more than the limit of 100,000 epochs (max_epochs)"


def test_caller_limits_are_enforced_and_named():
    limits = {"max_parameters": 300, "max_epochs": 100, "max_samples": 500, "max_batch_size": 16}
    errors = errors_of(SPEC, limits=limits)
    assert errors == {
        "dataset.samples": "1,000 is more than the limit of 500 samples (max_samples)",
        "model": "the network would have 371 parameters, more than the limit of 300 parameters (max_parameters); "
                 "use fewer or smaller layers",
        "training.epochs": "200 is more than the limit of 100 epochs (max_epochs)",
        "training.batch_size": "32 is more than the limit of 16 samples per batch (max_batch_size)",
    }


def test_spec_within_limits_passes():
    limits = {"max_parameters": 371, "max_epochs": 200, "max_samples": 1000, "max_batch_size": 32}
    assert validate_spec(SPEC, limits=limits)["training"]["epochs"] == 200


def test_defaults_respect_caller_limits():
    spec = validate_spec({"dataset": {"name": "digits"}, "model": {"layers": []}},
                         limits={"max_epochs": 20, "max_samples": 500, "max_batch_size": 8})
    assert (spec["training"]["epochs"], spec["dataset"]["samples"], spec["training"]["batch_size"]) == (20, 500, 8)


def test_parameter_count_includes_the_output_layer():
    # digits: 64 inputs -> 32 -> 10 = (64+1)*32 + (32+1)*10 = 2410
    spec = {"dataset": {"name": "digits"}, "model": {"layers": [{"units": 32}]}}
    assert validate_spec(spec, limits={"max_parameters": 2410})
    assert "model" in errors_of(spec, limits={"max_parameters": 2409})


def test_missing_fields_are_reported():
    errors = errors_of({"dataset": {"samples": 10}, "model": {"layers": [{"activation": "relu"}]},
                        "optimizer": {"learning_rate": 0.1}})
    assert errors == {
        "dataset.name": "missing; choose one of xor, circles, moons, spirals, blobs, sine, digits",
        "model.layers[0].units": "missing; give the number of neurons, e.g. 16",
        "optimizer.name": "missing; choose one of sgd, momentum, rmsprop, adam",
    }


def test_missing_sections_are_reported():
    errors = errors_of({})
    assert set(errors) == {"dataset", "model"}


def test_extra_fields_are_reported_with_a_suggestion():
    errors = errors_of(spec_with(extra=1, training__epoch=5, **{"model__layers__0__unit": 3}))
    assert errors["extra"].startswith("unknown field; a spec has only the fields dataset, model")
    assert errors["training.epoch"].startswith("unknown field; did you mean 'epochs'?")
    assert errors["model.layers[0].unit"].startswith("unknown field; did you mean 'units'?")


def test_dataset_fields_depend_on_the_dataset():
    errors = errors_of(spec_with(dataset={"name": "xor", "classes": 3, "features": 5, "turns": 2}))
    assert errors == {
        "dataset.classes": "the 'xor' dataset always has 2 classes; remove this field",
        "dataset.features": "the 'xor' dataset always has 2 features; remove this field",
        "dataset.turns": "unknown field; the 'xor' dataset's fields are name, seed, samples, noise",
    }


def test_optimizer_fields_depend_on_the_optimizer():
    errors = errors_of(spec_with(optimizer={"name": "sgd", "momentum": 0.9}))
    assert list(errors) == ["optimizer.momentum"]


def test_unknown_names_everywhere():
    errors = errors_of(spec_with(dataset__name="spiral", loss="hinge", optimizer__name="adamw",
                                 model__output="softmaxx", training__dtype="float16",
                                 optimizer__schedule="linear"))
    assert errors["dataset.name"].startswith("'spiral' is not a dataset (did you mean 'spirals'?)")
    assert errors["loss"] == "'hinge' is not a loss; choose one of mse, binary_cross_entropy, cross_entropy"
    assert errors["optimizer.name"].startswith("'adamw' is not an optimiser")
    assert errors["model.output"].startswith("'softmaxx' is not an output activation")
    assert errors["training.dtype"].endswith("choose one of float32, float64")


def test_several_problems_are_reported_together():
    spec = spec_with(**{"model__layers__1__activation": "relux", "training__epochs": True,
                        "training__batch_size": -3, "optimizer__name": "adamw", "extra": 1})
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    paths = [e["path"] for e in info.value.errors]
    assert sorted(paths) == sorted(["extra", "model.layers[1].activation", "training.epochs",
                                    "training.batch_size", "optimizer.name"])
    lines = str(info.value).splitlines()
    assert len(lines) == 5
    assert "model.layers[1].activation: 'relux' is not an activation (did you mean 'relu'?); choose one of " \
           "sigmoid, tanh, relu, leaky_relu, linear" in lines


def test_loss_and_output_must_fit_together_and_fit_the_task():
    errors = errors_of(spec_with(loss="binary_cross_entropy"))
    assert errors == {"loss": "'binary_cross_entropy' needs model.output 'sigmoid', not 'softmax'; for 'softmax' "
                              "use 'cross_entropy'"}
    errors = errors_of(spec_with(model__output="sigmoid", loss=...))
    assert errors == {"model.output": "'sigmoid' gives one probability, so it fits 2 classes, but the data has 3 "
                                      "classes; use 'softmax'"}
    errors = errors_of({"dataset": {"name": "sine"}, "model": {"layers": []}, "loss": "cross_entropy"})
    assert errors == {"loss": "'cross_entropy' needs class labels, but the targets are real numbers (regression); "
                              "use 'mse'"}


def test_binary_output_for_two_classes():
    spec = validate_spec({"dataset": {"name": "circles"}, "model": {"layers": [{"units": 4}], "output": "sigmoid"}})
    assert spec["loss"] == "binary_cross_entropy"


def test_validation_split_must_leave_training_samples():
    errors = errors_of(spec_with(dataset__samples=4, training__validation_split=0.9))
    assert "leaves no training samples" in errors["training.validation_split"]


def test_early_stopping_forms():
    assert validate_spec(spec_with(training__early_stopping=True))["training"]["early_stopping"] == {
        "patience": 10, "min_delta": 0.0, "monitor": "val_loss", "restore_best": True}
    assert validate_spec(spec_with(training__early_stopping=False))["training"]["early_stopping"] is None
    errors = errors_of(spec_with(training__early_stopping={"patience": 0, "monitor": "loss"}))
    assert set(errors) == {"training.early_stopping.patience", "training.early_stopping.monitor"}
    errors = errors_of(spec_with(training__validation_split=0, training__early_stopping={"monitor": "val_loss"}))
    assert "needs a validation set" in errors["training.early_stopping.monitor"]


def test_schedule_forms():
    spec = validate_spec(spec_with(optimizer__schedule="step"))
    assert spec["optimizer"]["schedule"] == {"name": "step", "step_size": 50, "gamma": 0.5}
    spec = validate_spec(spec_with(optimizer__schedule={"name": "cosine", "min_learning_rate": 0.001}))
    assert spec["optimizer"]["schedule"] == {"name": "cosine", "min_learning_rate": 0.001}
    errors = errors_of(spec_with(optimizer__schedule={"name": "step", "gamma": 2, "step": 3}))
    assert set(errors) == {"optimizer.schedule.gamma", "optimizer.schedule.step"}


@pytest.mark.parametrize("text,fragment", [
    ("{not json", "the spec is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
    ("", "the spec is not valid JSON: Expecting value at line 1, column 1"),
    ('{"training": {"epochs": NaN}}', "the spec is not valid JSON: NaN is not allowed in JSON"),
    (b"\xff\xfe", "the spec is not UTF-8 text"),
])
def test_non_json_text_is_a_clear_error(text, fragment):
    errors = errors_of(text)
    assert errors == {"spec": fragment}


def test_json_text_is_accepted():
    assert validate_spec(json.dumps(SPEC)) == validate_spec(SPEC)


@pytest.mark.parametrize("value,described", [([1, 2], "a list"), ("spirals", 'the text "spirals"'), (None, "null"),
                                              (3, "3")])
def test_spec_must_be_an_object(value, described):
    errors = errors_of(json.dumps(value))
    assert errors["spec"].endswith(f"not {described}")


def test_duplicate_fields_in_json_text_are_reported():
    errors = errors_of('{"dataset": {"name": "xor"}, "model": {"layers": []}, "model": {"layers": []}}')
    assert errors == {"spec": "the field 'model' appears more than once; keep one"}


def test_non_json_python_values_are_errors_not_exceptions():
    errors = errors_of(spec_with(training__epochs={1, 2}, optimizer__learning_rate=float("nan"),
                                 training__seed=object()))
    assert errors["training.epochs"].startswith("must be a whole number like 200, not a set")
    assert errors["optimizer.learning_rate"] == "must be a finite number"
    assert set(errors) == {"training.epochs", "optimizer.learning_rate", "training.seed"}


def test_numpy_integers_are_accepted():
    assert validate_spec(spec_with(training__epochs=np.int64(12)))["training"]["epochs"] == 12


def test_spec_error_str_joins_one_line_per_error():
    err = SpecError([{"path": "a.b", "message": "first"}, {"path": "c", "message": "second"}])
    assert str(err) == "a.b: first\nc: second"
    assert err.errors == [{"path": "a.b", "message": "first"}, {"path": "c", "message": "second"}]


def test_bad_limits_are_a_programming_error():
    with pytest.raises(ValueError):
        validate_spec(SPEC, limits={"max_layers": 3})


def test_data_replaces_the_dataset():
    X = np.zeros((50, 3))
    y = np.arange(50) % 4
    spec = {"model": {"layers": [{"units": 5}]}}
    assert "dataset" not in validate_spec(spec, data=(X, y, None, None))
    errors = errors_of(spec, data=(X, y, None, None), limits={"max_parameters": 10, "max_samples": 20})
    assert errors["data"] == "50 samples is more than the limit of 20 samples (max_samples)"
    assert "max_parameters" in errors["model"]


def test_bad_data_is_reported():
    errors = errors_of({"model": {"layers": []}}, data=(np.zeros(5), np.zeros(5), None, None))
    assert "data.X_train" in errors
    errors = errors_of({"model": {"layers": []}}, data=(np.zeros((5, 2)), np.zeros(4, int), None, None))
    assert "data.y_train" in errors
    errors = errors_of({"model": {"layers": []}}, data=(np.full((5, 2), np.nan), np.zeros(5, int), None, None))
    assert errors["data.X_train"] == "contains NaN or infinite values"


def test_errors_with_lone_surrogates_still_encode():
    errors = errors_of('{"dataset": {"name": "\\ud800"}, "model": {"layers": []}, "\\udfff": 1}')
    for path, message in errors.items():
        (path + message).encode("utf-8")
    assert "dataset.name" in errors


def test_huge_nesting_is_a_clear_error():
    assert "not valid JSON" in errors_of("[" * 100000 + "]" * 100000)["spec"]
