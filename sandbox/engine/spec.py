"""Validation of training specs: every problem reported at once, with its JSON path.

``validate_spec(spec, limits=None)`` returns the normalised spec (every default filled in, aliases
replaced by canonical names) or raises :class:`SpecError` whose ``errors`` list holds
``{"path": "model.layers[1].activation", "message": "..."}`` for every problem found. It never lets
another exception escape for a bad spec: wrong types, unknown names, negative or huge sizes,
missing or extra fields and text that is not JSON all become errors a learner can read. The
fields are documented in ``docs/spec.md``.
"""

from __future__ import annotations

import difflib
import json
import math
from typing import Any, Optional

import numpy as np

from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .datasets import DATASETS, DIGITS_SAMPLES
from .initializers import INITIALIZER_ALIASES, INITIALIZERS, default_initializer
from .losses import LOSS_ALIASES, LOSSES
from .optimizers import DEFAULT_LEARNING_RATES, OPTIMIZERS, SCHEDULES

# Used when the caller passes no limit of that name.
DEFAULT_LIMITS = {
    "max_parameters": 5_000_000,
    "max_epochs": 100_000,
    "max_samples": 200_000,
    "max_batch_size": 100_000,
}
LIMIT_NOUNS = {"max_parameters": "parameters", "max_epochs": "epochs", "max_samples": "samples",
               "max_batch_size": "samples per batch"}

# Fixed bounds that keep a spec's memory use sane whatever the caller's limits.
MAX_LAYERS = 50
MAX_UNITS = 16_384
MAX_FEATURES = 4096
MAX_CLASSES = 100
MAX_SPIRAL_ARMS = 20
MAX_DATA_VALUES = 50_000_000  # samples * features
MAX_SEED = 2 ** 63 - 1


class SpecError(Exception):
    """A spec (or the data given with it) is invalid; ``errors`` lists every problem.

    Each error is ``{"path": "model.layers[1].activation", "message": "..."}``; ``str(err)`` gives
    one ``path: message`` line per error.
    """

    def __init__(self, errors: list[dict]):
        # Escape lone surrogates a learner's JSON may carry, so the errors always print and encode.
        self.errors = [{"path": _printable(e["path"]), "message": _printable(e["message"])} for e in errors]
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(f"{e['path']}: {e['message']}" if e["path"] else e["message"] for e in self.errors)


def _printable(text) -> str:
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def _describe(value: Any) -> str:
    """Return how a learner would name this JSON value: 'true', 'the text "32"', 'a list', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if math.isfinite(value) else "a non-finite number"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f'the text "{text}"'
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} (not a JSON value)"


def _quoted(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else _describe(value)


def _choices(names) -> str:
    return ", ".join(names)


def _fmt(n) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:g}"


class _Checker:
    """Collects errors while walking the spec; every reader returns None for an invalid value."""

    def __init__(self, limits: dict):
        self.errors: list[dict] = []
        self.limits = limits

    def add(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    # --- structure -------------------------------------------------------------------------

    def obj(self, value: Any, path: str, what: str) -> Optional[dict]:
        if not isinstance(value, dict):
            self.add(path, f"must be an object {{...}} describing {what}, not {_describe(value)}")
            return None
        for key in value:
            if not isinstance(key, str):
                self.add(path, f"field names must be text, not {_describe(key)}")
                return None
        return value

    def extra(self, obj: dict, path: str, allowed, hint: str = "") -> None:
        allowed = list(allowed)
        for key in obj:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            guess = f"did you mean '{close[0]}'? " if close else ""
            self.add(_join(path, key), f"unknown field; {guess}{hint or 'the allowed fields are ' + _choices(allowed)}")

    # --- scalars ---------------------------------------------------------------------------

    def integer(self, obj: dict, key: str, path: str, *, default=None, required=False, minimum=None,
                maximum=None, limit: Optional[str] = None, example: str = "", what: str = "") -> Optional[int]:
        p = _join(path, key)
        if key not in obj:
            if required:
                self.add(p, f"missing; give {what or 'a whole number'}{', e.g. ' + example if example else ''}")
            return default
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            self.add(p, f"must be a whole number{' like ' + example if example else ''}, not {_describe(v)}")
            return None
        if isinstance(v, (float, np.floating)):
            if not math.isfinite(v) or not float(v).is_integer():
                self.add(p, f"must be a whole number{' like ' + example if example else ''}, not {_describe(v)}")
                return None
        v = int(v)
        if minimum is not None and v < minimum:
            self.add(p, f"must be at least {_fmt(minimum)}, not {_fmt(v)}")
            return None
        if limit is not None and v > self.limits[limit]:
            self.add(p, f"{_fmt(v)} is more than the limit of {_fmt(self.limits[limit])} "
                        f"{LIMIT_NOUNS[limit]} ({limit})")
            return None
        if maximum is not None and v > maximum:
            self.add(p, f"must be at most {_fmt(maximum)}, not {_fmt(v)}")
            return None
        return v

    def number(self, obj: dict, key: str, path: str, *, default=None, required=False, minimum=None,
               maximum=None, min_exclusive=False, max_exclusive=False, example: str = "") -> Optional[float]:
        p = _join(path, key)
        if key not in obj:
            if required:
                self.add(p, f"missing; give a number{', e.g. ' + example if example else ''}")
            return default
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            self.add(p, f"must be a number{' like ' + example if example else ''}, not {_describe(v)}")
            return None
        v = float(v)
        if not math.isfinite(v):
            self.add(p, "must be a finite number")
            return None
        if minimum is not None and (v <= minimum if min_exclusive else v < minimum):
            self.add(p, f"must be {'greater than' if min_exclusive else 'at least'} {_fmt(minimum)}, not {_fmt(v)}")
            return None
        if maximum is not None and (v >= maximum if max_exclusive else v > maximum):
            self.add(p, f"must be {'less than' if max_exclusive else 'at most'} {_fmt(maximum)}, not {_fmt(v)}")
            return None
        return v

    def boolean(self, obj: dict, key: str, path: str, *, default=None) -> Optional[bool]:
        if key not in obj:
            return default
        v = obj[key]
        if not isinstance(v, bool):
            self.add(_join(path, key), f"must be true or false, not {_describe(v)}")
            return None
        return v

    def name(self, value: Any, path: str, kind: str, choices, aliases: Optional[dict] = None) -> Optional[str]:
        choices = list(choices)
        if not isinstance(value, str):
            self.add(path, f"must be the name of {kind} (one of {_choices(choices)}), not {_describe(value)}")
            return None
        key = value.strip().lower()
        key = (aliases or {}).get(key, key)
        if key in choices:
            return key
        close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
        guess = f" (did you mean '{close[0]}'?)" if close else ""
        self.add(path, f"'{value}' is not {kind}{guess}; choose one of {_choices(choices)}")
        return None


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed in JSON")


def _parse_json(text) -> tuple[Any, list[dict]]:
    """Return (value, errors) for JSON text given as str or bytes."""
    duplicates: list[str] = []

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                duplicates.append(k)
            out[k] = v
        return out

    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return None, [{"path": "spec", "message": "the spec is not UTF-8 text"}]
    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, [{"path": "spec", "message": f"the spec is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                                  f"column {exc.colno}"}]
    except (ValueError, RecursionError) as exc:
        return None, [{"path": "spec", "message": f"the spec is not valid JSON: {exc}"}]
    errors = [{"path": "spec", "message": f"the field '{k}' appears more than once; keep one"} for k in duplicates]
    return value, errors


def resolve_limits(limits: Optional[dict]) -> dict:
    """Return DEFAULT_LIMITS updated with the caller's; a bad limit is a programming error (ValueError)."""
    merged = dict(DEFAULT_LIMITS)
    if limits is None:
        return merged
    if not isinstance(limits, dict):
        raise TypeError("limits must be a dict")
    for key, value in limits.items():
        if key not in DEFAULT_LIMITS:
            raise ValueError(f"unknown limit {key!r}; known limits: {', '.join(DEFAULT_LIMITS)}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"limit {key} must be a positive int, not {value!r}")
        merged[key] = int(value)
    return merged


# --- data given by the caller instead of a dataset ---------------------------------------------

def describe_data(data, errors: list[dict]) -> Optional[dict]:
    """Check data=(X_train, y_train, X_val, y_val); return its shape facts or None (errors appended)."""
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        errors.append({"path": "data", "message": "must be (X_train, y_train, X_val, y_val); X_val and y_val may be None"})
        return None
    X_train, y_train, X_val, y_val = data
    facts = {"features": None, "train_samples": 0, "validation_samples": 0, "float_targets": False,
             "classes": None, "target_width": 1}
    ok = True
    for name, X, y in (("train", X_train, y_train), ("val", X_val, y_val)):
        if name == "val" and X is None and y is None:
            continue
        if X is None or y is None:
            errors.append({"path": f"data.X_{name}" if X is None else f"data.y_{name}",
                           "message": "is missing while its partner is given; pass both or neither"})
            ok = False
            continue
        try:
            Xa = np.asarray(X)
            ya = np.asarray(y)
        except Exception:  # noqa: BLE001 - anything array-like that numpy cannot read
            errors.append({"path": f"data.X_{name}", "message": "is not an array of numbers"})
            ok = False
            continue
        if Xa.ndim != 2 or Xa.shape[0] == 0 or Xa.shape[1] == 0 or not np.issubdtype(Xa.dtype, np.number) \
                or np.issubdtype(Xa.dtype, np.complexfloating):
            errors.append({"path": f"data.X_{name}", "message": f"must be a non-empty 2-D array of numbers "
                                                                 f"(n_samples, n_features), not shape {Xa.shape} "
                                                                 f"of {Xa.dtype}"})
            ok = False
            continue
        if not np.all(np.isfinite(Xa)):
            errors.append({"path": f"data.X_{name}", "message": "contains NaN or infinite values"})
            ok = False
        if facts["features"] is not None and Xa.shape[1] != facts["features"]:
            errors.append({"path": f"data.X_{name}", "message": f"has {Xa.shape[1]} features but X_train has "
                                                                 f"{facts['features']}"})
            ok = False
        facts["features"] = facts["features"] or Xa.shape[1]
        if ya.ndim not in (1, 2) or ya.shape[0] != Xa.shape[0] or not (
                np.issubdtype(ya.dtype, np.number) or ya.dtype == bool):
            errors.append({"path": f"data.y_{name}", "message": f"must be {Xa.shape[0]} labels (one per row of "
                                                                 f"X_{name}), not shape {ya.shape} of {ya.dtype}"})
            ok = False
            continue
        if np.issubdtype(ya.dtype, np.floating):
            if not np.all(np.isfinite(ya)):
                errors.append({"path": f"data.y_{name}", "message": "contains NaN or infinite values"})
                ok = False
                continue
            facts["float_targets"] = True
        facts[f"{'train' if name == 'train' else 'validation'}_samples"] = int(Xa.shape[0])
        facts.setdefault("_ys", []).append(ya)
    if not ok:
        return None
    ys = facts.pop("_ys", [])
    widths = {1 if y.ndim == 1 else y.shape[1] for y in ys}
    facts["target_width"] = max(widths) if widths else 1
    integral = all(y.dtype == bool or np.issubdtype(y.dtype, np.integer)
                   or np.all(np.equal(np.mod(y, 1), 0)) for y in ys)
    facts["integral"] = bool(integral and all(y.ndim == 1 for y in ys))
    if facts["integral"]:
        lo = min(int(np.min(y)) for y in ys)
        hi = max(int(np.max(y)) for y in ys)
        if lo < 0:
            errors.append({"path": "data.y_train", "message": "class labels must be 0, 1, 2, ...; found a negative label"})
            return None
        facts["classes"] = max(hi + 1, 2)
    return facts


# --- the spec ---------------------------------------------------------------------------------

def validate_spec(spec, *, limits: Optional[dict] = None, data=None) -> dict:
    """Return the normalised spec (defaults filled in) or raise SpecError listing every problem.

    ``spec``: a dict, or JSON text (str/bytes). ``limits``: optional dict with ``max_parameters``,
    ``max_epochs``, ``max_samples``, ``max_batch_size`` (defaults in ``DEFAULT_LIMITS``).
    ``data``: optional ``(X_train, y_train, X_val, y_val)`` as passed to ``train``; then
    ``dataset`` may be omitted and sizes are checked against the arrays.
    """
    return validate_spec_facts(spec, limits=limits, data=data)[0]


def validate_spec_facts(spec, *, limits: Optional[dict] = None, data=None) -> tuple[dict, dict]:
    """Return (normalised spec, facts) where facts has task, features, classes, outputs, parameters."""
    limits = resolve_limits(limits)
    c = _Checker(limits)
    if isinstance(spec, (str, bytes, bytearray)):
        spec, errors = _parse_json(spec)
        if errors:
            if spec is None:
                raise SpecError(errors)
            c.errors.extend(errors)
    if not isinstance(spec, dict):
        c.add("spec", f"the spec must be a JSON object {{...}} with dataset, model, loss, optimizer and "
                      f"training, not {_describe(spec)}")
        raise SpecError(c.errors)

    data_facts = None
    if data is not None:
        data_errors: list[dict] = []
        data_facts = describe_data(data, data_errors)
        c.errors.extend(data_errors)

    top = ("dataset", "model", "loss", "optimizer", "training")
    c.extra(spec, "", top, hint="a spec has only the fields " + _choices(top))
    out: dict = {}

    # dataset -> task, features, classes
    task = features = classes = None
    n_samples = None
    if "dataset" in spec and (data is None or spec.get("dataset") is not None):
        ds = _validate_dataset(c, spec["dataset"])
        if ds is not None:
            if ds["spec"] is not None:
                out["dataset"] = ds["spec"]
            if data is None:
                task, features, classes, n_samples = ds["task"], ds["features"], ds["classes"], ds["samples"]
    elif data is None:
        c.add("dataset", "missing; give the data to learn from, e.g. {\"name\": \"spirals\", \"samples\": 1000}")

    explicit_loss = _peek_name(spec.get("loss"), LOSSES, LOSS_ALIASES)
    explicit_output = None
    if isinstance(spec.get("model"), dict):
        explicit_output = _peek_name(spec["model"].get("output"), OUTPUT_ACTIVATIONS, {})

    if data_facts is not None:
        features = data_facts["features"]
        n_samples = data_facts["train_samples"] + data_facts["validation_samples"]
        wants_classes = explicit_loss in ("cross_entropy", "binary_cross_entropy") or (
            explicit_loss is None and explicit_output in ("softmax", "sigmoid"))
        # Whole-number labels mean classes, except real-typed targets with an explicit mse loss.
        if data_facts["integral"] and (not data_facts["float_targets"] or explicit_loss != "mse"):
            task, classes = "classification", data_facts["classes"]
        else:
            task, classes = "regression", data_facts["target_width"]
            if wants_classes:
                c.add("data.y_train", "holds real numbers, but the loss/output is for class labels; pass integer "
                                      "labels 0, 1, 2, ... or use loss 'mse'")
        if n_samples > limits["max_samples"]:
            c.add("data", f"{_fmt(n_samples)} samples is more than the limit of {_fmt(limits['max_samples'])} "
                          f"samples (max_samples)")
        if features is not None and features * n_samples > MAX_DATA_VALUES:
            c.add("data", f"the data holds {_fmt(features * n_samples)} values; the most allowed is "
                          f"{_fmt(MAX_DATA_VALUES)}")

    # loss and output, which depend on each other and on the task
    loss, output = _validate_loss_output(c, spec, task, classes, explicit_loss)
    out["model"], n_params = _validate_model(c, spec.get("model"), output, features, task, classes, loss,
                                             present="model" in spec)
    if loss is not None:
        out["loss"] = loss
    if n_params is not None and n_params > limits["max_parameters"]:
        c.add("model", f"the network would have {_fmt(n_params)} parameters, more than the limit of "
                       f"{_fmt(limits['max_parameters'])} parameters (max_parameters); use fewer or smaller layers")

    training = _validate_training(c, spec.get("training", {}), n_samples, has_data_val=bool(
        data_facts and data_facts["validation_samples"]))
    out["optimizer"] = _validate_optimizer(c, spec.get("optimizer", {"name": "adam"}),
                                           training.get("epochs") if training else None)
    if training is not None:
        out["training"] = training
    if c.errors:
        raise SpecError(c.errors)
    model = out["model"]
    outputs = (1 if model["output"] == "sigmoid" and classes == 2 else classes) if task == "classification" \
        else classes
    facts = {"task": task, "features": features, "classes": classes if task == "classification" else None,
             "outputs": outputs, "parameters": n_params}
    # key order as documented
    return {k: out[k] for k in top if k in out}, facts


def _peek_name(value, choices, aliases) -> Optional[str]:
    if isinstance(value, str):
        key = aliases.get(value.strip().lower(), value.strip().lower())
        if key in choices:
            return key
    return None


def _validate_dataset(c: _Checker, value) -> Optional[dict]:
    path = "dataset"
    ds = c.obj(value, path, "the data to learn from")
    if ds is None:
        return None
    if "name" not in ds:
        c.add("dataset.name", f"missing; choose one of {_choices(DATASETS)}")
        return None
    name = c.name(ds["name"], "dataset.name", "a dataset", DATASETS)
    if name is None:
        return None
    info = DATASETS[name]
    defaults = info["defaults"]
    allowed = ["name", "seed", *defaults]
    for key in ds:
        if key not in allowed:
            if key in ("classes", "features") and info[key] is not None:
                c.add(_join(path, key), f"the '{name}' dataset always has {info[key]} {key}; remove this field")
            else:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                guess = f"did you mean '{close[0]}'? " if close else ""
                c.add(_join(path, key), f"unknown field; {guess}the '{name}' dataset's fields are {_choices(allowed)}")
    result = {"name": name}
    ok = True
    if name == "spirals":
        result["classes"] = c.integer(ds, "classes", path, default=defaults["classes"], minimum=2,
                                      maximum=MAX_SPIRAL_ARMS, example="3")
        result["turns"] = c.number(ds, "turns", path, default=defaults["turns"], minimum=0.0, maximum=5.0,
                                   min_exclusive=True, example="0.65")
    elif name == "blobs":
        result["classes"] = c.integer(ds, "classes", path, default=defaults["classes"], minimum=2,
                                      maximum=MAX_CLASSES, example="3")
        result["features"] = c.integer(ds, "features", path, default=defaults["features"], minimum=1,
                                       maximum=MAX_FEATURES, example="2")
    elif name == "circles":
        result["factor"] = c.number(ds, "factor", path, default=defaults["factor"], minimum=0.0, maximum=1.0,
                                    min_exclusive=True, max_exclusive=True, example="0.5")
    max_samples = c.limits["max_samples"]
    if name == "digits":
        samples = c.integer(ds, "samples", path, default=min(defaults["samples"], max_samples), minimum=10,
                            maximum=DIGITS_SAMPLES, limit="max_samples", example="1797")
        result["noise"] = c.number(ds, "noise", path, default=defaults["noise"], minimum=0.0, maximum=1.0,
                                   example="0.0")
    else:
        samples = c.integer(ds, "samples", path, default=min(defaults["samples"], max_samples), minimum=4,
                            limit="max_samples", example="1000")
        result["noise"] = c.number(ds, "noise", path, default=defaults["noise"], minimum=0.0, maximum=100.0,
                                   example=str(defaults["noise"]))
    result["samples"] = samples
    result["seed"] = c.integer(ds, "seed", path, default=0, minimum=0, maximum=MAX_SEED, example="1")
    if any(v is None for v in result.values()):
        ok = False
    features = info["features"] if info["features"] is not None else result.get("features")
    if ok and samples * features > MAX_DATA_VALUES:
        c.add("dataset.samples", f"{_fmt(samples)} samples of {_fmt(features)} features is "
                                 f"{_fmt(samples * features)} values; the most allowed is {_fmt(MAX_DATA_VALUES)}")
        ok = False
    task = info["task"]
    classes = (info["classes"] if info["classes"] is not None else result.get("classes")) if task == "classification" else 1
    order = ["name", "samples", "noise", "classes", "features", "factor", "turns", "seed"]
    # The shape facts stay usable (for the parameter count) even when, say, samples is invalid.
    return {"spec": {k: result[k] for k in order if k in result} if ok else None,
            "task": task, "features": features, "classes": classes, "samples": samples if ok else None}


def _validate_loss_output(c: _Checker, spec: dict, task, classes, explicit_loss):
    """Return (loss, output activation) with defaults chosen by the task; either may be None."""
    loss = None
    if "loss" in spec:
        loss = c.name(spec["loss"], "loss", "a loss", LOSSES, LOSS_ALIASES)
    model = spec.get("model") if isinstance(spec.get("model"), dict) else {}
    output = None
    output_given = "output" in model
    if output_given:
        output = c.name(model["output"], "model.output", "an output activation", OUTPUT_ACTIVATIONS)
    if ("loss" in spec and loss is None) or (output_given and output is None):
        return loss, output
    # defaults
    if output is None:
        if loss == "cross_entropy":
            output = "softmax"
        elif loss == "binary_cross_entropy":
            output = "sigmoid"
        elif loss == "mse":
            output = "linear" if task != "classification" else "softmax"
        else:
            output = "linear" if task == "regression" else "softmax"
    if loss is None:
        if output == "softmax":
            loss = "cross_entropy" if task != "regression" else "mse"
        elif output == "sigmoid" and task == "classification":
            loss = "binary_cross_entropy"
        else:
            loss = "mse"
    # compatibility
    if task == "regression":
        if loss != "mse":
            c.add("loss", f"'{loss}' needs class labels, but the targets are real numbers (regression); use 'mse'")
        if output == "softmax" and output_given:
            c.add("model.output", "'softmax' is for classification, but the targets are real numbers; "
                                  "use 'linear'")
    else:
        if loss == "cross_entropy" and output != "softmax":
            c.add("loss", f"'cross_entropy' needs model.output 'softmax', not '{output}'"
                          + ("; for a 'sigmoid' output use 'binary_cross_entropy'" if output == "sigmoid" else ""))
        if loss == "binary_cross_entropy" and output != "sigmoid":
            c.add("loss", f"'binary_cross_entropy' needs model.output 'sigmoid', not '{output}'"
                          + ("; for 'softmax' use 'cross_entropy'" if output == "softmax" else ""))
        if output == "sigmoid" and classes is not None and classes != 2:
            c.add("model.output", f"'sigmoid' gives one probability, so it fits 2 classes, but the data has "
                                  f"{classes} classes; use 'softmax'")
    return loss, output


def _validate_model(c: _Checker, value, output, features, task, classes, loss, present: bool):
    path = "model"
    if not present:
        c.add(path, "missing; describe the network, e.g. {\"layers\": [{\"units\": 16, \"activation\": \"tanh\"}]}")
        return None, None
    model = c.obj(value, path, "the network")
    if model is None:
        return None, None
    c.extra(model, path, ("layers", "output", "init", "l2"))
    model_l2 = c.number(model, "l2", path, default=0.0, minimum=0.0, maximum=10.0, example="0.0001")
    model_init = "auto"
    if "init" in model:
        model_init = c.name(model["init"], "model.init", "an initialiser", ["auto", *INITIALIZERS],
                            INITIALIZER_ALIASES)
    layers_out = []
    units_list = []
    if "layers" not in model:
        c.add("model.layers", "missing; give a list of hidden layers, e.g. [{\"units\": 16, \"activation\": "
                              "\"tanh\"}] (or [] for none)")
        units_list = None
    elif not isinstance(model["layers"], list):
        c.add("model.layers", f"must be a list of layers [...], not {_describe(model['layers'])}")
        units_list = None
    elif len(model["layers"]) > MAX_LAYERS:
        c.add("model.layers", f"{len(model['layers'])} layers is more than the most allowed, {MAX_LAYERS}")
        units_list = None
    else:
        for i, raw in enumerate(model["layers"]):
            lp = f"model.layers[{i}]"
            layer = c.obj(raw, lp, "one hidden layer, e.g. {\"units\": 16, \"activation\": \"relu\"}")
            if layer is None:
                units_list = None
                continue
            c.extra(layer, lp, ("units", "activation", "dropout", "l2", "init"))
            units = c.integer(layer, "units", lp, required=True, minimum=1, maximum=MAX_UNITS, example="16",
                              what="the number of neurons")
            activation = "relu"
            if "activation" in layer:
                activation = c.name(layer["activation"], f"{lp}.activation", "an activation", HIDDEN_ACTIVATIONS)
                if activation is None and isinstance(layer["activation"], str) \
                        and layer["activation"].strip().lower() == "softmax":
                    c.errors[-1]["message"] = ("'softmax' can only be the output (set model.output); choose one of "
                                               + _choices(HIDDEN_ACTIVATIONS))
            dropout = c.number(layer, "dropout", lp, default=0.0, minimum=0.0, maximum=0.95, example="0.2")
            l2 = c.number(layer, "l2", lp, default=model_l2, minimum=0.0, maximum=10.0, example="0.0001")
            init = model_init
            if "init" in layer:
                init = c.name(layer["init"], f"{lp}.init", "an initialiser", ["auto", *INITIALIZERS],
                              INITIALIZER_ALIASES)
            if init == "auto" and activation is not None:
                init = default_initializer(activation)
            if units_list is not None:
                units_list.append(units)
            layers_out.append({"units": units, "activation": activation, "dropout": dropout, "l2": l2, "init": init})
    if output is None:
        output_units = None
    elif task == "classification" and classes is not None:
        output_units = 1 if output == "sigmoid" and classes == 2 else classes
    elif task == "regression":
        output_units = classes  # the target width
    else:
        output_units = None
    n_params = None
    if units_list is not None and None not in units_list and features is not None and output_units is not None:
        sizes = [features, *units_list, output_units]
        n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    normalised = {"layers": layers_out, "output": output, "init": model_init, "l2": model_l2}
    return normalised, n_params


def _validate_optimizer(c: _Checker, value, epochs) -> Optional[dict]:
    path = "optimizer"
    if isinstance(value, str):
        value = {"name": value}
    opt = c.obj(value, path, "how the weights are updated, e.g. {\"name\": \"adam\", \"learning_rate\": 0.01}")
    if opt is None:
        return None
    if "name" not in opt:
        c.add("optimizer.name", f"missing; choose one of {_choices(OPTIMIZERS)}")
        return None
    name = c.name(opt["name"], "optimizer.name", "an optimiser", OPTIMIZERS)
    if name is None:
        return None
    fields = {"sgd": (), "momentum": ("momentum", "nesterov"), "rmsprop": ("rho", "epsilon"),
              "adam": ("beta1", "beta2", "epsilon")}[name]
    c.extra(opt, path, ("name", "learning_rate", "schedule", *fields))
    result = {"name": name,
              "learning_rate": c.number(opt, "learning_rate", path, default=DEFAULT_LEARNING_RATES[name],
                                        minimum=0.0, maximum=1000.0, min_exclusive=True, example="0.01")}
    if name == "momentum":
        result["momentum"] = c.number(opt, "momentum", path, default=0.9, minimum=0.0, maximum=1.0,
                                      max_exclusive=True, example="0.9")
        result["nesterov"] = c.boolean(opt, "nesterov", path, default=False)
    elif name == "rmsprop":
        result["rho"] = c.number(opt, "rho", path, default=0.9, minimum=0.0, maximum=1.0, max_exclusive=True,
                                 example="0.9")
        result["epsilon"] = c.number(opt, "epsilon", path, default=1e-8, minimum=0.0, maximum=1.0,
                                     min_exclusive=True, example="1e-8")
    elif name == "adam":
        result["beta1"] = c.number(opt, "beta1", path, default=0.9, minimum=0.0, maximum=1.0, max_exclusive=True,
                                   example="0.9")
        result["beta2"] = c.number(opt, "beta2", path, default=0.999, minimum=0.0, maximum=1.0,
                                   max_exclusive=True, example="0.999")
        result["epsilon"] = c.number(opt, "epsilon", path, default=1e-8, minimum=0.0, maximum=1.0,
                                     min_exclusive=True, example="1e-8")
    result["schedule"] = _validate_schedule(c, opt.get("schedule", "constant"), epochs, result["learning_rate"])
    if any(v is None for v in result.values()):
        return None
    return result


def _validate_schedule(c: _Checker, value, epochs, learning_rate) -> Optional[dict]:
    path = "optimizer.schedule"
    if isinstance(value, str):
        value = {"name": value}
    sch = c.obj(value, path, "how the learning rate changes, e.g. {\"name\": \"cosine\"}")
    if sch is None:
        return None
    if "name" not in sch:
        c.add(f"{path}.name", f"missing; choose one of {_choices(SCHEDULES)}")
        return None
    name = c.name(sch["name"], f"{path}.name", "a learning-rate schedule", SCHEDULES)
    if name is None:
        return None
    fields = {"constant": (), "step": ("step_size", "gamma"), "cosine": ("min_learning_rate",)}[name]
    c.extra(sch, path, ("name", *fields))
    result = {"name": name}
    if name == "step":
        default_step = max(1, (epochs or 4) // 4)
        result["step_size"] = c.integer(sch, "step_size", path, default=default_step, minimum=1, example="50")
        result["gamma"] = c.number(sch, "gamma", path, default=0.5, minimum=0.0, maximum=1.0, min_exclusive=True,
                                   example="0.5")
    elif name == "cosine":
        result["min_learning_rate"] = c.number(sch, "min_learning_rate", path, default=0.0, minimum=0.0,
                                               example="0.0001")
        if (result["min_learning_rate"] is not None and learning_rate is not None
                and result["min_learning_rate"] > learning_rate):
            c.add(f"{path}.min_learning_rate", f"must not be above optimizer.learning_rate ({_fmt(learning_rate)})")
            return None
    if any(v is None for v in result.values()):
        return None
    return result


def _validate_training(c: _Checker, value, n_samples, has_data_val: bool) -> Optional[dict]:
    path = "training"
    tr = c.obj(value, path, "how long and in what batches to train")
    if tr is None:
        return None
    c.extra(tr, path, ("epochs", "batch_size", "validation_split", "seed", "shuffle", "dtype", "early_stopping"))
    result = {
        "epochs": c.integer(tr, "epochs", path, default=min(100, c.limits["max_epochs"]), minimum=1,
                            limit="max_epochs", example="200"),
        "batch_size": c.integer(tr, "batch_size", path, default=min(32, c.limits["max_batch_size"]), minimum=1,
                                limit="max_batch_size",
                                example="32"),
        "validation_split": c.number(tr, "validation_split", path, default=0.2, minimum=0.0, maximum=0.9,
                                     example="0.2"),
        "seed": c.integer(tr, "seed", path, default=0, minimum=0, maximum=MAX_SEED, example="0"),
        "shuffle": c.boolean(tr, "shuffle", path, default=True),
        "dtype": "float32",
    }
    if "dtype" in tr:
        result["dtype"] = c.name(tr["dtype"], "training.dtype", "a number type", ("float32", "float64"))
    split = result["validation_split"]
    if split is not None and n_samples is not None and not has_data_val:
        n_val, n_train = split_sizes(n_samples, split)
        if n_train < 1:
            c.add("training.validation_split", f"{_fmt(split)} of {_fmt(n_samples)} samples leaves no training "
                                               f"samples; use a smaller split")
    result["early_stopping"] = _validate_early_stopping(c, tr.get("early_stopping"), result["epochs"],
                                                        has_validation=bool(split) or has_data_val)
    if any(v is None for k, v in result.items() if k != "early_stopping") or (
            "early_stopping" in tr and tr["early_stopping"] not in (None, False) and result["early_stopping"] is None):
        return None
    return result


def _validate_early_stopping(c: _Checker, value, epochs, has_validation: bool) -> Optional[dict]:
    path = "training.early_stopping"
    if value is None or value is False:
        return None
    if value is True:
        value = {}
    es = c.obj(value, path, "when to stop early, e.g. {\"patience\": 10}, or true/false")
    if es is None:
        return None
    c.extra(es, path, ("patience", "min_delta", "monitor", "restore_best"))
    monitors = ("val_loss", "train_loss", "val_accuracy", "train_accuracy")
    monitor = "val_loss" if has_validation else "train_loss"
    if "monitor" in es:
        monitor = c.name(es["monitor"], f"{path}.monitor", "a figure to watch", monitors)
        if monitor is not None and monitor.startswith("val") and not has_validation:
            c.add(f"{path}.monitor", f"'{monitor}' needs a validation set; set training.validation_split above 0 "
                                     f"or watch 'train_loss'")
            monitor = None
    result = {
        "patience": c.integer(es, "patience", path, default=10, minimum=1, example="10"),
        "min_delta": c.number(es, "min_delta", path, default=0.0, minimum=0.0, example="0.001"),
        "monitor": monitor,
        "restore_best": c.boolean(es, "restore_best", path, default=True),
    }
    if any(v is None for v in result.values()):
        return None
    return result


def split_sizes(n_samples: int, validation_split: float) -> tuple[int, int]:
    """Return (validation, training) sample counts: round(n * split), at least 1 when split > 0."""
    if validation_split <= 0:
        return 0, n_samples
    n_val = max(1, int(round(n_samples * validation_split)))
    return n_val, n_samples - n_val
