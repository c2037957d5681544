"""Run one training job described by a spec: ``train(spec) -> result dict``.

The loop: each epoch sets the scheduled learning rate, shuffles the training set once (one
``take`` into a preallocated buffer, so batches are contiguous views), runs the batches
(forward + backward into the flat gradient buffer, one fused optimiser update each). Each batch
leaves its outputs in its columns of one epoch-wide array, so the train loss/accuracy of the
epoch are read off those forward passes in a few calls after the last batch (each sample with
the weights before its batch's step and dropout as drawn, as Keras and scikit-learn report
them); the validation loss/accuracy are a full pass over the validation split with the epoch's
final weights and no dropout. A run whose matrix products are all small uses one BLAS thread
(``threads.py``).

Randomness: the training seed is split with ``numpy.random.SeedSequence`` into independent
streams for the initial weights, the validation split, the shuffles and dropout (plus a fifth
stream, once used for a train-metrics sample, still spawned so the others stay as they were), so
changing (say) dropout does not change the split.
"""

from __future__ import annotations

import math
import time
from typing import Callable, Optional

import numpy as np

from . import ENGINE_VERSION
from .datasets import make_dataset
from .metrics import confusion_matrix
from .network import Dense, Network
from .optimizers import DEFAULT_LEARNING_RATES, OPTIMIZERS, SCHEDULES
from .spec import split_sizes, validate_spec_facts
from .threads import blas_threads

# The loss before training (the scale for the divergence rule) is measured once, without dropout,
# on at most this many training samples (every k-th one when the training set is larger).
INITIAL_LOSS_SAMPLES = 2048
# A finite loss this many times above the loss before training (taken as at least 1) counts as
# diverged: for cross-entropy that is a network confidently wrong on average, never a learning curve.
DIVERGENCE_FACTOR = 10.0

MONITOR_LABELS = {"val_loss": "validation loss", "train_loss": "training loss",
                  "val_accuracy": "validation accuracy", "train_accuracy": "training accuracy"}


def _finite_or_none(value) -> Optional[float]:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def build_network(spec: dict, facts: dict, rng: np.random.Generator, dropout_rng: np.random.Generator) -> Network:
    """Return the Network a normalised spec describes, for inputs/outputs given by facts."""
    model = spec["model"]
    layers = [Dense(layer["units"], layer["activation"], dropout=layer["dropout"], l2=layer["l2"],
                    init=layer["init"]) for layer in model["layers"]]
    layers.append(Dense(facts["outputs"], model["output"], l2=model["l2"], init=model["init"]))
    return Network(facts["features"], layers, spec["loss"], dtype=spec["training"]["dtype"], rng=rng,
                   dropout_rng=dropout_rng, classes=facts["classes"], task=facts["task"])


def build_optimizer(optimizer_spec: dict):
    """Return the optimiser a normalised ``optimizer`` section describes."""
    options = {k: v for k, v in optimizer_spec.items() if k not in ("name", "schedule")}
    return OPTIMIZERS[optimizer_spec["name"]](**options)


def _learning_rate(optimizer_spec: dict, epoch: int, epochs: int) -> float:
    schedule = dict(optimizer_spec["schedule"])
    fn = SCHEDULES[schedule.pop("name")]
    return fn(optimizer_spec["learning_rate"], epoch, epochs, **schedule)


def _prepare_data(spec: dict, data, split_rng: np.random.Generator):
    """Return X_train, y_train, X_val, y_val (X_val/y_val may be None) as numpy arrays."""
    split = spec["training"]["validation_split"]
    if data is None:
        X, y = make_dataset(spec["dataset"])
        X_val = y_val = None
    else:
        X, y, X_val, y_val = (None if a is None else np.asarray(a) for a in data)
    if X_val is None and split > 0:
        n_val, _ = split_sizes(X.shape[0], split)
        order = split_rng.permutation(X.shape[0])
        val_idx, train_idx = np.sort(order[:n_val]), np.sort(order[n_val:])
        return X[train_idx], y[train_idx], X[val_idx], y[val_idx]
    return X, y, X_val, y_val


def train(spec, *, limits: Optional[dict] = None, on_epoch: Optional[Callable[[dict], Optional[bool]]] = None,
          data=None, return_network: bool = False):
    """Train the network a spec describes and return a JSON-serialisable result dict.

    ``spec``: dict or JSON text (see docs/spec.md); raises SpecError if invalid. ``limits``: see
    ``validate_spec``. ``on_epoch(figures)`` is called after each epoch with
    ``{"epoch", "epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy"}``; returning
    True stops training ("cancelled"). ``data=(X_train, y_train, X_val, y_val)`` replaces the
    spec's dataset (``X: (n, features)``, ``y: (n,)`` integer labels, or real targets for
    regression; X_val/y_val may be None, and then ``training.validation_split`` of X_train is held
    out). With ``return_network=True`` returns ``(result, network)``.

    Divergence (a non-finite or exploding loss) stops training with ``stopped.reason`` "diverged";
    it never raises.
    """
    norm, facts = validate_spec_facts(spec, limits=limits, data=data)
    tr = norm["training"]
    seq = np.random.SeedSequence(tr["seed"])
    init_seq, split_seq, shuffle_seq, dropout_seq, _unused = seq.spawn(5)
    init_rng, split_rng, shuffle_rng, dropout_rng = (
        np.random.Generator(np.random.PCG64(s)) for s in (init_seq, split_seq, shuffle_seq, dropout_seq))

    X_train, y_train, X_val, y_val = _prepare_data(norm, data, split_rng)
    network = build_network(norm, facts, init_rng, dropout_rng)
    optimizer = build_optimizer(norm["optimizer"])
    classification = network.task == "classification"

    # Inputs end in a ones column (the first layer's bias rides in its matrix product); targets
    # are feature-major (outputs, n), like the network's outputs (see workspace.py).
    x_tr = network.with_ones_column(X_train)
    Yt_tr = np.ascontiguousarray(network.targets(y_train).T)
    labels_tr = network.labels(y_train) if classification else None
    has_val = X_val is not None and len(X_val) > 0
    if has_val:
        x_v = network.with_ones_column(X_val)
        Yt_v = np.ascontiguousarray(network.targets(y_val).T)
        labels_v = network.labels(y_val) if classification else None
    n_train = x_tr.shape[0]

    # Predicted labels: of the epoch's batches (in the shuffled order, next to the shuffled labels
    # labels_s) and of the last validation pass, for the confusion matrices.
    pred_s = np.zeros(n_train, np.intp) if classification else None
    pred_v = np.zeros(x_v.shape[0], np.intp) if (classification and has_val) else None

    epochs = tr["epochs"]
    batch = min(tr["batch_size"], n_train)
    shuffle = tr["shuffle"]
    x_s = np.empty_like(x_tr) if shuffle else x_tr
    Yt_s = np.empty_like(Yt_tr) if shuffle else Yt_tr
    labels_s = (np.empty_like(labels_tr) if shuffle else labels_tr) if classification else None
    # Every batch leaves its outputs (and softmax sums) in its columns of these, so the epoch's
    # train loss and accuracy are read off them in a few calls after its last batch.
    outputs = np.empty((network.outputs, n_train), network.dtype)
    colsums = np.empty(n_train, network.dtype)
    scratch = np.empty_like(outputs)
    # The shuffled buffers never move, so each batch is the same views every epoch.
    batches = [(x_s[start:start + batch], Yt_s[:, start:start + batch], outputs[:, start:start + batch],
                colsums[start:start + batch]) for start in range(0, n_train, batch)]
    rates = [_learning_rate(norm["optimizer"], epoch, epochs) for epoch in range(epochs)]
    default_lr = DEFAULT_LEARNING_RATES[norm["optimizer"]["name"]]
    params, grads = network.params, network.grads
    train_batch = network._train_batch
    step = optimizer.bind(params, grads)

    history = {"epoch": [], "train_loss": [], "val_loss": [], "train_accuracy": [], "val_accuracy": [],
               "learning_rate": [], "seconds": []}
    es = tr["early_stopping"]
    best_value = None
    best_epoch = 0
    best_params = None
    best_figures = best_train_confusion = None
    wait = 0
    stopped = {"reason": "completed", "epoch": epochs, "message": f"trained for all {epochs} epochs"}
    restored = False

    with np.errstate(all="ignore"), blas_threads(network, batch):
        stride = -(-n_train // INITIAL_LOSS_SAMPLES)
        initial_loss, _ = network._evaluate(np.ascontiguousarray(x_tr[::stride]), Yt_tr[:, ::stride], None)
        threshold = DIVERGENCE_FACTOR * max(initial_loss, 1.0) if math.isfinite(initial_loss) else math.inf
        for epoch in range(epochs):
            t0 = time.perf_counter()
            lr = rates[epoch]
            optimizer.learning_rate = lr
            if shuffle:
                perm = shuffle_rng.permutation(n_train)
                np.take(x_tr, perm, axis=0, out=x_s)
                np.take(Yt_tr, perm, axis=1, out=Yt_s)
                if classification:
                    np.take(labels_tr, perm, out=labels_s)
            for xb, yb, ob, cb in batches:
                train_batch(xb, yb, ob, cb)
                step()

            train_loss = network._outputs_loss_sum(outputs, Yt_s, colsums, pred_s, scratch) / n_train
            train_acc = int(np.count_nonzero(pred_s == labels_s)) / n_train if classification else None
            if has_val:
                val_loss, correct_v = network._evaluate(x_v, Yt_v, labels_v, pred_v)
                val_acc = correct_v / x_v.shape[0] if classification else None
            else:
                val_loss = val_acc = None
            n = epoch + 1
            figures = {"epoch": n, "epochs": epochs, "train_loss": _finite_or_none(train_loss),
                       "val_loss": _finite_or_none(val_loss), "train_accuracy": _finite_or_none(train_acc),
                       "val_accuracy": _finite_or_none(val_acc)}
            history["epoch"].append(n)
            for key in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
                history[key].append(figures[key])
            history["learning_rate"].append(float(lr))
            history["seconds"].append(round(time.perf_counter() - t0, 6))

            diverged = None
            if not (train_loss <= threshold) or (val_loss is not None and not math.isfinite(val_loss)):
                diverged = _divergence(train_loss, val_loss, threshold, initial_loss, n, lr, default_lr)
            elif not math.isfinite(float(np.dot(params, params))):
                # the last steps of the epoch broke the weights after its batches were measured
                diverged = (f"the weights became NaN or infinite at epoch {n}; "
                            f"try a smaller learning rate, e.g. {_smaller(lr, default_lr)}")
            if diverged:
                stopped = {"reason": "diverged", "epoch": n, "message": diverged}
                break
            if on_epoch is not None and on_epoch(dict(figures)) is True:
                stopped = {"reason": "cancelled", "epoch": n, "message": f"training was cancelled after epoch {n}"}
                break
            if es is not None:
                value = figures[es["monitor"]]
                higher = es["monitor"].endswith("accuracy")
                improved = value is not None and (
                    best_value is None or (value > best_value + es["min_delta"] if higher
                                           else value < best_value - es["min_delta"]))
                if improved:
                    best_value, best_epoch, wait = value, n, 0
                    if es["restore_best"]:
                        best_params = network.get_params()
                        best_figures = dict(figures)
                        if classification:
                            best_train_confusion = confusion_matrix(labels_s, pred_s, network.classes)
                else:
                    wait += 1
                    if wait >= es["patience"]:
                        label = MONITOR_LABELS[es["monitor"]]
                        message = (f"{label} did not improve for {es['patience']} epochs; best {best_value:.4g} at "
                                   f"epoch {best_epoch}")
                        if best_params is not None:
                            network.set_params(best_params)
                            restored = True
                            message += f"; restored the weights from epoch {best_epoch}"
                        stopped = {"reason": "early_stopping", "epoch": n, "message": message}
                        break

        train_confusion = None
        if restored:
            # the best epoch's figures; its validation pass is redone for the predicted labels
            figures = best_figures
            train_confusion = best_train_confusion
            if has_val:
                network._evaluate(x_v, Yt_v, labels_v, pred_v)
        elif classification:
            train_confusion = confusion_matrix(labels_s, pred_s, network.classes)
        metrics = {k: figures[k] for k in ("train_loss", "val_loss", "train_accuracy", "val_accuracy")}
        confusion = None
        if classification:
            confusion = {"train": train_confusion.tolist(),
                         "validation": (confusion_matrix(labels_v, pred_v, network.classes).tolist()
                                        if has_val else None)}

    result = {
        "history": history,
        "metrics": metrics,
        "parameters": int(network.n_params),
        "engine_version": ENGINE_VERSION,
        "seed": {"dataset": norm["dataset"]["seed"] if (data is None and "dataset" in norm) else None,
                 "training": tr["seed"]},
        "stopped": stopped,
        "spec": norm,
        "data": {"task": network.task, "features": int(network.input_dim),
                 "classes": network.classes, "outputs": int(network.outputs),
                 "train_samples": int(n_train), "validation_samples": int(x_v.shape[0]) if has_val else 0},
        "confusion_matrix": confusion,
    }
    if return_network:
        return result, network
    return result


def _divergence(train_loss: float, val_loss: Optional[float], threshold: float, initial_loss: float, epoch: int,
                lr: float, default_lr: float):
    """Return a message if the loss is non-finite or has exploded, else None."""
    suggestion = f"try a smaller learning rate, e.g. {_smaller(lr, default_lr)}"
    for name, value in (("loss", train_loss), ("validation loss", val_loss)):
        if value is None:
            continue
        if math.isnan(value):
            return f"{name} became NaN at epoch {epoch}; {suggestion}"
        if math.isinf(value):
            return f"{name} became infinite at epoch {epoch}; {suggestion}"
    if train_loss > threshold:
        return (f"loss exploded to {train_loss:.3g} at epoch {epoch} (more than {DIVERGENCE_FACTOR:g} times the "
                f"loss of {initial_loss:.3g} before training); {suggestion}")
    return None


def _smaller(lr: float, default_lr: float) -> str:
    """Return a learning rate to suggest, as text: the optimiser's default if lr is far above it, else lr / 10."""
    target = default_lr if lr > 10 * default_lr else lr / 10.0
    exponent = math.floor(math.log10(target))
    mantissa = round(target / 10 ** exponent)
    value = mantissa * 10 ** exponent
    return f"{value:.{max(0, -exponent)}f}" if exponent >= -6 else f"{value:g}"
