"""Fully connected networks: :class:`Dense` layers inside a :class:`Network`.

All of a network's parameters live in one flat buffer ``network.params`` (and their gradients in
``network.grads``); each layer's ``W: (fan_in, units)`` and ``b: (units,)`` are views into it, so an
optimiser updates the whole network with a few fused ufunc calls. Activations, deltas and scratch
arrays are preallocated per batch size and the hot loop works in place (``out=``); nothing loops
over samples or neurons in Python.

Shapes: ``X: (n_samples, n_features)``; a layer's output ``(n_samples, units)``; targets for
classification are integer labels ``(n_samples,)`` (or one-hot ``(n_samples, classes)``), for
regression ``(n_samples,)`` or ``(n_samples, outputs)``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, LEAKY_RELU_SLOPE, OUTPUT_ACTIVATIONS
from .initializers import INITIALIZER_ALIASES, INITIALIZERS, default_initializer
from .losses import LOSS_ALIASES, LOSSES

# Evaluation runs the data through in chunks of this many rows, to bound the memory it needs.
EVAL_CHUNK = 2048


class Dense:
    """A fully connected layer: output = activation(X @ W + b).

    Shapes: input ``X: (n_samples, fan_in)``, ``W: (fan_in, units)``, ``b: (units,)``,
    output ``(n_samples, units)``. ``dropout`` is the fraction of this layer's outputs zeroed at
    random during training (inverted dropout: the rest are scaled by 1 / (1 - dropout)); ``l2``
    adds ``l2 / 2 * sum(W**2)`` to the loss. ``init`` names an entry of ``INITIALIZERS`` or
    ``"auto"`` (He for relu/leaky_relu, Glorot otherwise). ``W``, ``b``, ``dW`` and ``db`` are
    set when the layer is placed in a :class:`Network`.
    """

    def __init__(self, units: int, activation: str = "relu", *, dropout: float = 0.0, l2: float = 0.0,
                 init: str = "auto"):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise ValueError(f"units must be a positive whole number, not {units!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"{activation!r} is not an activation; choose one of {', '.join(ACTIVATIONS)}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), not {dropout!r}")
        if l2 < 0:
            raise ValueError(f"l2 must be zero or positive, not {l2!r}")
        init = INITIALIZER_ALIASES.get(init, init)
        if init != "auto" and init not in INITIALIZERS:
            raise ValueError(f"{init!r} is not an initialiser; choose one of auto, {', '.join(INITIALIZERS)}")
        self.units = int(units)
        self.activation = activation
        self.dropout = float(dropout)
        self.l2 = float(l2)
        self.init = default_initializer(activation) if init == "auto" else init
        self.fan_in: Optional[int] = None
        self.W: Optional[np.ndarray] = None
        self.b: Optional[np.ndarray] = None
        self.dW: Optional[np.ndarray] = None
        self.db: Optional[np.ndarray] = None

    def __repr__(self) -> str:
        extra = "".join(f", {k}={getattr(self, k)}" for k in ("dropout", "l2") if getattr(self, k))
        return f"Dense({self.units}, {self.activation!r}{extra})"

    @property
    def n_params(self) -> int:
        """Return the number of weights and biases, (fan_in + 1) * units (needs fan_in)."""
        if self.fan_in is None:
            raise ValueError("the layer's input size is known only once it is in a Network")
        return (self.fan_in + 1) * self.units

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return activation(X @ W + b) (reference version, allocating): X (n, fan_in) -> (n, units)."""
        return ACTIVATIONS[self.activation].forward(X @ self.W + self.b)

    def backward(self, X: np.ndarray, upstream: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (dX, dW, db) given upstream = dL/doutput (n, units) (reference version, no L2/dropout).

        dX: (n, fan_in), dW: (fan_in, units), db: (units,).
        """
        z = X @ self.W + self.b
        dz = ACTIVATIONS[self.activation].backward(z, upstream)
        return dz @ self.W.T, X.T @ dz, dz.sum(axis=0)


class _Workspace:
    """Preallocated arrays (and dtype constants) for one batch size n."""

    __slots__ = ("n", "act", "pre", "delta", "tmp", "mask", "keep", "uniform", "rowmax", "rowsum",
                 "ones_n", "ones_k", "grad_scale", "half", "one", "slope", "one_minus_slope", "pred",
                 "forward_plan", "backward_plan")

    def __init__(self, n: int, layers: Sequence[Dense], dtype: np.dtype, training: bool, grad_scale: float):
        self.n = n
        self.act = [np.empty((n, layer.units), dtype) for layer in layers]
        # pre[l] is the activation before dropout; the same array as act[l] when there is none.
        self.pre = [np.empty((n, layer.units), dtype) if (training and layer.dropout) else self.act[i]
                    for i, layer in enumerate(layers)]
        self.delta = [np.empty((n, layer.units), dtype) for layer in layers] if training else []
        self.tmp = [np.empty((n, layer.units), dtype) for layer in layers]
        self.mask = [np.empty((n, layer.units), dtype) if (training and layer.dropout) else None
                     for layer in layers]
        self.keep = [np.empty((n, layer.units), bool) if (training and layer.dropout) else None
                     for layer in layers]
        self.uniform = [np.empty((n, layer.units), dtype) if (training and layer.dropout) else None
                        for layer in layers]
        k = layers[-1].units
        self.rowmax = np.empty((n, 1), dtype)
        self.rowsum = np.empty((n, 1), dtype)
        self.pred = np.empty(n, np.intp)
        # Row and column sums as matrix products: much cheaper than np.sum(axis=...) on small arrays.
        self.ones_n = np.ones(n, dtype)
        self.ones_k = np.ones((k, 1), dtype)
        # 0-d arrays of the working dtype: a ufunc takes them faster than Python floats.
        self.grad_scale = np.array(grad_scale / n, dtype)
        self.half = np.array(0.5, dtype)
        self.one = np.array(1.0, dtype)
        self.slope = np.array(LEAKY_RELU_SLOPE, dtype)
        self.one_minus_slope = np.array(1.0 - LEAKY_RELU_SLOPE, dtype)
        # Per-layer tuples of the arrays the training step touches, so the hot loop does no
        # attribute lookups or indexing (see Network._train_batch).
        self.forward_plan = None
        self.backward_plan = None


def _activate_inplace(name: str, z: np.ndarray, tmp: np.ndarray, ws: _Workspace) -> None:
    """Overwrite z (n, units) with activation(z); tmp is scratch of the same shape."""
    if name == "tanh":
        np.tanh(z, out=z)
    elif name == "relu":
        # (z + |z|) / 2 is exactly max(z, 0) and about twice as fast as np.maximum here.
        np.abs(z, out=tmp)
        z += tmp
        z *= ws.half
    elif name == "sigmoid":
        # sigmoid(z) = (1 + tanh(z / 2)) / 2: no overflow for any z, four passes.
        z *= ws.half
        np.tanh(z, out=z)
        z += ws.one
        z *= ws.half
    elif name == "leaky_relu":
        np.multiply(z, ws.slope, out=tmp)
        np.maximum(z, tmp, out=z)
    elif name == "softmax":
        rowmax, rowsum = ws.rowmax, ws.rowsum
        np.maximum.reduce(z, axis=1, keepdims=True, out=rowmax)
        z -= rowmax
        np.exp(z, out=z)
        np.matmul(z, ws.ones_k, out=rowsum)
        z /= rowsum
    # linear: nothing to do


def _derivative_inplace(name: str, out: np.ndarray, delta: np.ndarray, tmp: np.ndarray, ws: _Workspace) -> None:
    """Multiply delta (dL/d activation) in place by activation'(z), computed from out = activation(z)."""
    if name == "tanh":
        np.multiply(out, out, out=tmp)
        np.subtract(ws.one, tmp, out=tmp)
        delta *= tmp
    elif name == "relu":
        np.greater(out, 0, out=tmp)
        delta *= tmp
    elif name == "sigmoid":
        np.subtract(ws.one, out, out=tmp)
        tmp *= out
        delta *= tmp
    elif name == "leaky_relu":
        np.greater(out, 0, out=tmp)
        tmp *= ws.one_minus_slope
        tmp += ws.slope
        delta *= tmp
    elif name == "softmax":
        # Vector-Jacobian product of softmax: s * (delta - sum(delta * s)).
        np.multiply(delta, out, out=tmp)
        np.matmul(tmp, ws.ones_k, out=ws.rowsum)
        delta -= ws.rowsum
        delta *= out
    # linear: derivative 1


class Network:
    """A stack of :class:`Dense` layers trained on one loss.

    ``Network(input_dim, layers, loss="cross_entropy", dtype="float32", seed=0)``.

    - ``input_dim``: number of features of ``X: (n_samples, input_dim)``.
    - ``layers``: the Dense layers, the last one being the output layer (``softmax`` for
      cross-entropy, ``sigmoid`` with one unit for binary cross-entropy, any for ``mse``).
    - ``loss``: a key of ``LOSSES``. Softmax + cross_entropy and sigmoid + binary_cross_entropy are
      back-propagated in the fused form ``dL/dz = (p - y) / n``.
    - ``classes``: number of classes for classification (default: the output units, or 2 for a
      single sigmoid unit); ``task="regression"`` for real-valued targets (default when the loss is
      ``mse`` and ``classes`` is not given).
    - ``seed`` or ``rng`` (a ``numpy.random.Generator``) draws the initial weights; ``dropout_rng``
      draws the dropout masks (default: a generator spawned from the same seed).
    """

    def __init__(self, input_dim: int, layers: Sequence[Dense], loss: str = "cross_entropy", *,
                 dtype="float32", seed: Optional[int] = 0, rng: Optional[np.random.Generator] = None,
                 dropout_rng: Optional[np.random.Generator] = None, classes: Optional[int] = None,
                 task: Optional[str] = None):
        if isinstance(input_dim, bool) or not isinstance(input_dim, (int, np.integer)) or input_dim < 1:
            raise ValueError(f"input_dim must be a positive whole number, not {input_dim!r}")
        if not layers:
            raise ValueError("a network needs at least one layer (the output layer)")
        loss = LOSS_ALIASES.get(loss, loss)
        if loss not in LOSSES:
            raise ValueError(f"{loss!r} is not a loss; choose one of {', '.join(LOSSES)}")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, not {dtype!r}")
        self.layers = list(layers)
        self.input_dim = int(input_dim)
        self.loss_name = loss
        self.loss = LOSSES[loss]
        out = self.layers[-1]
        for i, layer in enumerate(self.layers[:-1]):
            if layer.activation not in HIDDEN_ACTIVATIONS:
                raise ValueError(f"layer {i}: {layer.activation!r} can only be used on the output layer")
        if out.activation not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"the output activation must be one of {', '.join(OUTPUT_ACTIVATIONS)}")
        if out.dropout:
            raise ValueError("the output layer cannot have dropout")
        if loss == "cross_entropy" and out.activation != "softmax":
            raise ValueError("cross_entropy needs a softmax output layer")
        if loss == "binary_cross_entropy" and (out.activation != "sigmoid" or out.units != 1):
            raise ValueError("binary_cross_entropy needs a sigmoid output layer with 1 unit")
        self.fused = self.loss.paired_output == out.activation
        if task is None:
            task = "regression" if (loss == "mse" and classes is None) else "classification"
        if task not in ("classification", "regression"):
            raise ValueError("task must be 'classification' or 'regression'")
        self.task = task
        if task == "classification":
            self.classes = int(classes) if classes is not None else (2 if out.units == 1 else out.units)
            expected = 1 if (out.units == 1 and self.classes == 2) else self.classes
            if out.units != expected:
                raise ValueError(f"{self.classes} classes need {expected} output units, not {out.units}")
        else:
            self.classes = None
        self.outputs = out.units

        # One flat buffer for all parameters; W and b of each layer are views into it.
        sizes = []
        fan_in = self.input_dim
        for layer in self.layers:
            layer.fan_in = fan_in
            sizes.append(fan_in * layer.units)
            sizes.append(layer.units)
            fan_in = layer.units
        self.n_params = int(sum(sizes))
        self.params = np.zeros(self.n_params, self.dtype)
        self.grads = np.zeros(self.n_params, self.dtype)
        offset = 0
        self._weight_slices = []
        for layer in self.layers:
            n_w = layer.fan_in * layer.units
            layer.W = self.params[offset:offset + n_w].reshape(layer.fan_in, layer.units)
            layer.dW = self.grads[offset:offset + n_w].reshape(layer.fan_in, layer.units)
            self._weight_slices.append(slice(offset, offset + n_w))
            offset += n_w
            layer.b = self.params[offset:offset + layer.units]
            layer.db = self.grads[offset:offset + layer.units]
            offset += layer.units

        # Per-parameter L2 coefficients (zero for biases); None when no layer uses L2.
        if any(layer.l2 for layer in self.layers):
            self._decay = np.zeros(self.n_params, self.dtype)
            for layer, sl in zip(self.layers, self._weight_slices):
                self._decay[sl] = layer.l2
            self._decay_scratch = np.empty(self.n_params, self.dtype)
        else:
            self._decay = None
            self._decay_scratch = None

        seq = np.random.SeedSequence(seed)
        init_seq, dropout_seq = seq.spawn(2)
        init_rng = rng if rng is not None else np.random.Generator(np.random.PCG64(init_seq))
        self.dropout_rng = dropout_rng if dropout_rng is not None else np.random.Generator(
            np.random.PCG64(dropout_seq))
        self.initialize(init_rng)
        self._train_ws: dict[int, _Workspace] = {}
        self._eval_ws: dict[int, _Workspace] = {}
        self._has_dropout = any(layer.dropout for layer in self.layers)
        # dL/dz of the output layer is (output - Y) times this over the batch size.
        if self.fused:
            self._grad_scale = 1.0 if out.activation == "softmax" else 1.0 / out.units
        else:  # mse
            self._grad_scale = 2.0 / out.units

    # --- construction helpers -------------------------------------------------------------

    def initialize(self, rng: np.random.Generator) -> None:
        """(Re)draw every layer's weights with its initialiser and set the biases to zero."""
        for layer in self.layers:
            layer.W[...] = INITIALIZERS[layer.init](layer.fan_in, layer.units, rng, self.dtype)
            layer.b[...] = 0

    def __repr__(self) -> str:
        return (f"Network(input_dim={self.input_dim}, layers={self.layers!r}, loss={self.loss_name!r}, "
                f"parameters={self.n_params})")

    def get_params(self) -> np.ndarray:
        """Return a copy of the flat parameter buffer (n_params,)."""
        return self.params.copy()

    def set_params(self, flat: np.ndarray) -> None:
        """Copy a flat parameter vector (n_params,) into the network."""
        np.copyto(self.params, flat)

    # --- targets --------------------------------------------------------------------------

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Return y as the (n_samples, outputs) target array the loss expects.

        Classification: integer labels (n,) become one-hot (n, classes), or (n, 1) in {0, 1} for a
        single sigmoid unit; a 2-D array of the right width is taken as it is. Regression: (n,)
        becomes (n, 1).
        """
        y = np.asarray(y)
        if self.task == "regression":
            y2 = y.reshape(-1, 1) if y.ndim == 1 else y
            if y2.shape[1] != self.outputs:
                raise ValueError(f"y has {y2.shape[1]} columns but the network has {self.outputs} outputs")
            return np.ascontiguousarray(y2, dtype=self.dtype)
        if y.ndim == 2:
            if y.shape[1] != self.outputs:
                raise ValueError(f"y has {y.shape[1]} columns but the network has {self.outputs} outputs")
            return np.ascontiguousarray(y, dtype=self.dtype)
        labels = y.astype(np.int64, copy=False)
        if labels.size and (labels.min() < 0 or labels.max() >= self.classes):
            raise ValueError(f"labels must be in 0..{self.classes - 1}")
        if self.outputs == 1:
            return labels.reshape(-1, 1).astype(self.dtype)
        onehot = np.zeros((labels.shape[0], self.outputs), self.dtype)
        onehot[np.arange(labels.shape[0]), labels] = 1
        return onehot

    def labels(self, y: np.ndarray) -> np.ndarray:
        """Return integer class labels (n,) from labels or a one-hot/probability target array."""
        y = np.asarray(y)
        if y.ndim == 1:
            return y.astype(np.int64, copy=False)
        if y.shape[1] == 1:
            return (y[:, 0] > 0.5).astype(np.int64)
        return np.argmax(y, axis=1)

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise ValueError(f"X must have shape (n_samples, {self.input_dim}), not {X.shape}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    # --- forward ----------------------------------------------------------------------------

    def _workspace(self, n: int, training: bool) -> _Workspace:
        cache = self._train_ws if training else self._eval_ws
        ws = cache.get(n)
        if ws is None:
            if len(cache) > 4:  # keep only a few sizes (full batch, last batch, eval chunks)
                cache.clear()
            ws = cache[n] = _Workspace(n, self.layers, self.dtype, training, self._grad_scale)
            if training:
                self._plan(ws)
        return ws

    def _plan(self, ws: _Workspace) -> None:
        """Bind each layer's arrays for the training step into ws.forward_plan / ws.backward_plan."""
        forward = []
        for i, layer in enumerate(self.layers):
            dropout = None
            if layer.dropout:
                dropout = (ws.uniform[i], ws.keep[i], ws.mask[i], layer.dropout,
                           np.array(1.0 / (1.0 - layer.dropout), self.dtype))
            forward.append((layer.W, layer.b, ws.pre[i], ws.act[i], layer.activation, ws.tmp[i], dropout))
        backward = []
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            below = (ws.delta[i - 1], self.layers[i - 1].activation, ws.pre[i - 1], ws.tmp[i - 1],
                     ws.mask[i - 1]) if i else None
            backward.append((ws.act[i - 1].T if i else None, ws.delta[i], layer.dW, layer.db, layer.W.T, below))
        ws.forward_plan = forward
        ws.backward_plan = backward

    def _forward_ws(self, X: np.ndarray, ws: _Workspace, training: bool, logits: bool) -> np.ndarray:
        """Run X (n, input_dim) through the layers into ws; return the output (or logits) buffer."""
        a = X
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            z = ws.pre[i]
            np.matmul(a, layer.W, out=z)
            z += layer.b
            if i == last and logits:
                return z
            _activate_inplace(layer.activation, z, ws.tmp[i], ws)
            if training and layer.dropout:
                u, keep, mask = ws.uniform[i], ws.keep[i], ws.mask[i]
                self.dropout_rng.random(out=u, dtype=self.dtype)
                np.greater_equal(u, layer.dropout, out=keep)
                np.multiply(keep, 1.0 / (1.0 - layer.dropout), out=mask)
                np.multiply(z, mask, out=ws.act[i])
            a = ws.act[i]
        return a

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Return the network's output (n_samples, outputs) for X (n_samples, input_dim).

        For a softmax or sigmoid output these are probabilities. ``training=True`` applies dropout.
        """
        X = self._check_X(X)
        if training:
            return self._forward_ws(X, self._workspace(X.shape[0], True), True, False).copy()
        chunks = []
        for start in range(0, X.shape[0], EVAL_CHUNK):
            xb = X[start:start + EVAL_CHUNK]
            chunks.append(self._forward_ws(xb, self._workspace(xb.shape[0], False), False, False).copy())
        return np.concatenate(chunks) if chunks else np.empty((0, self.outputs), self.dtype)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Return class probabilities (n_samples, classes); for one sigmoid unit, [1 - p, p]."""
        if self.task != "classification":
            raise ValueError("predict_proba is for classification; this network does regression")
        out = self.forward(X)
        if self.outputs == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.stack([1.0 - p, p], axis=1)
        if self.layers[-1].activation == "softmax":
            return out
        # mse on a linear/tanh/sigmoid output: clip and normalise the scores into probabilities.
        scores = np.clip(out, 1e-12, None)
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return class labels (n_samples,) for classification, or outputs (n_samples, outputs) for regression."""
        out = self.forward(X)
        if self.task == "regression":
            return out
        if self.outputs == 1:
            return (out[:, 0] > 0.5).astype(np.int64)
        return np.argmax(out, axis=1)

    # --- loss and evaluation ------------------------------------------------------------------

    def _chunk_loss_sum(self, out: np.ndarray, Y: np.ndarray, ws: _Workspace) -> float:
        """Return the data loss of one chunk times its row count (so chunks add up); may clobber out."""
        n = out.shape[0]
        if self.fused and self.layers[-1].activation == "softmax":
            # sum_rows(logsumexp(z)) - sum(Y * z) with z shifted by its row max, all in workspace arrays
            np.maximum.reduce(out, axis=1, keepdims=True, out=ws.rowmax)
            out -= ws.rowmax
            tmp = ws.tmp[-1]
            np.exp(out, out=tmp)
            np.matmul(tmp, ws.ones_k, out=ws.rowsum)
            np.log(ws.rowsum, out=ws.rowsum)
            return float(ws.rowsum.sum(dtype=np.float64)) - float(np.vdot(Y, out))
        if self.fused:
            return self.loss.forward_logits(out, Y) * n
        return self.loss.forward(out, Y) * n

    def penalty(self) -> float:
        """Return the L2 penalty sum_l l2_l / 2 * sum(W_l**2)."""
        total = 0.0
        for layer in self.layers:
            if layer.l2:
                total += 0.5 * layer.l2 * float(np.dot(layer.W.ravel(), layer.W.ravel()))
        return total

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> dict:
        """Return {"loss": mean data loss (no L2 term), "accuracy": fraction correct or None}.

        X: (n_samples, input_dim); y: labels (n,) / targets (n, outputs). Without dropout.
        """
        X = self._check_X(X)
        Y = self.targets(y)
        labels = self.labels(y) if self.task == "classification" else None
        with np.errstate(all="ignore"):
            loss, correct = self._evaluate(X, Y, labels)
        n = X.shape[0]
        return {"loss": loss, "accuracy": (correct / n if labels is not None and n else None)}

    def _evaluate(self, X: np.ndarray, Y: np.ndarray, labels: Optional[np.ndarray],
                  predictions: Optional[np.ndarray] = None) -> tuple[float, int]:
        """Return (mean data loss, number correct) for prepared X (n, d) and targets Y (n, outputs).

        With ``predictions`` (an int array (n,)) the predicted labels are written into it too.
        Call under ``np.errstate(all="ignore")`` when the weights may have diverged.
        """
        n = X.shape[0]
        if n == 0:
            return float("nan"), 0
        total = 0.0
        correct = 0
        single = self.outputs == 1
        threshold = 0.0 if self.fused else 0.5
        for start in range(0, n, EVAL_CHUNK):
            xb = X[start:start + EVAL_CHUNK]
            m = xb.shape[0]
            ws = self._eval_ws.get(m) or self._workspace(m, False)
            out = self._forward_ws(xb, ws, False, self.fused)
            if labels is not None:
                lb = labels[start:start + EVAL_CHUNK]
                if single:
                    np.greater(out[:, 0], threshold, out=ws.pred, casting="unsafe")
                else:
                    # argmax of logits == argmax of softmax (and of any monotonic output)
                    np.argmax(out, axis=1, out=ws.pred)
                correct += int(np.count_nonzero(ws.pred == lb))
                if predictions is not None:
                    predictions[start:start + m] = ws.pred
            total += self._chunk_loss_sum(out, Y[start:start + EVAL_CHUNK], ws)
        return total / n, correct

    def objective(self, X: np.ndarray, y: np.ndarray) -> float:
        """Return the training objective: mean data loss + L2 penalty (no dropout)."""
        X = self._check_X(X)
        with np.errstate(all="ignore"):
            loss, _ = self._evaluate(X, self.targets(y), None)
        return loss + self.penalty()

    # --- backward ---------------------------------------------------------------------------

    def _train_batch(self, X: np.ndarray, Y: np.ndarray, record: bool = False,
                     predictions: Optional[np.ndarray] = None) -> Optional[float]:
        """Fill self.grads with d objective / d params for one batch (hot path, no checks).

        X: (n, input_dim) and Y: (n, outputs), both contiguous in self.dtype. About 30 ufunc
        calls for a 3-layer network, all writing into preallocated arrays.

        With ``record=True`` also return the batch's data loss (no L2 term) times n, computed from
        this forward pass (the weights before the step, dropout as drawn), and write the predicted
        labels into ``predictions`` (an int array (n,)) if given; the gradient is the same either way.
        """
        n = X.shape[0]
        ws = self._train_ws.get(n) or self._workspace(n, True)
        matmul = np.matmul
        # forward; the output layer's activation is applied below, on its logits
        a = X
        *hidden, (W, b, z, _, out_name, out_tmp, _) = ws.forward_plan
        for W_h, b_h, z_h, act_h, name, tmp, dropout in hidden:
            matmul(a, W_h, out=z_h)
            z_h += b_h
            if name == "tanh":
                np.tanh(z_h, out=z_h)
            else:
                _activate_inplace(name, z_h, tmp, ws)
            if dropout is not None:
                u, keep, mask, rate, scale = dropout
                self.dropout_rng.random(out=u, dtype=self.dtype)
                np.greater_equal(u, rate, out=keep)
                np.multiply(keep, scale, out=mask)
                np.multiply(z_h, mask, out=act_h)
            a = act_h
        matmul(a, W, out=z)
        z += b
        loss_sum = None
        if not record:
            _activate_inplace(out_name, z, out_tmp, ws)
        elif self.fused and out_name == "softmax":
            # softmax as in _activate_inplace, reading the loss off the way:
            # sum_rows(log sum exp(z')) - sum(Y * z') with z' = z - rowmax
            rowmax, rowsum = ws.rowmax, ws.rowsum
            np.maximum.reduce(z, axis=1, keepdims=True, out=rowmax)
            z -= rowmax
            yz = float(np.vdot(Y, z))
            np.exp(z, out=z)
            matmul(z, ws.ones_k, out=rowsum)
            z /= rowsum
            np.log(rowsum, out=rowsum)
            loss_sum = float(rowsum.sum(dtype=np.float64)) - yz
            if predictions is not None:
                np.argmax(z, axis=1, out=predictions)
        elif self.fused:  # sigmoid + binary cross-entropy: the stable form on the logits
            loss_sum = self.loss.forward_logits(z, Y) * n
            if predictions is not None:
                np.greater(z[:, 0], 0.0, out=predictions, casting="unsafe")
            _activate_inplace(out_name, z, out_tmp, ws)
        else:
            _activate_inplace(out_name, z, out_tmp, ws)
            loss_sum = self.loss.forward(z, Y) * n
            if predictions is not None:
                if self.outputs == 1:
                    np.greater(z[:, 0], 0.5, out=predictions, casting="unsafe")
                else:
                    np.argmax(z, axis=1, out=predictions)
        # fused cross-entropy: dL/dz = (p - y) / n (per output for sigmoid); mse: dL/dout = 2 (out - y) / (n k)
        delta = ws.delta[-1]
        np.subtract(z, Y, out=delta)
        delta *= ws.grad_scale
        if not self.fused:
            _derivative_inplace(out_name, z, delta, out_tmp, ws)
        # backward
        ones_n = ws.ones_n
        for a_prev_T, d, dW, db, W_T, below in ws.backward_plan:
            matmul(X.T if a_prev_T is None else a_prev_T, d, out=dW)
            matmul(ones_n, d, out=db)
            if below is not None:
                d_prev, name, pre_prev, tmp, mask = below
                matmul(d, W_T, out=d_prev)
                if mask is not None:
                    d_prev *= mask
                if name == "tanh":
                    np.multiply(pre_prev, pre_prev, out=tmp)
                    np.subtract(ws.one, tmp, out=tmp)
                    d_prev *= tmp
                else:
                    _derivative_inplace(name, pre_prev, d_prev, tmp, ws)
        if self._decay is not None:
            np.multiply(self.params, self._decay, out=self._decay_scratch)
            self.grads += self._decay_scratch
        return loss_sum

    def compute_gradients(self, X: np.ndarray, y: np.ndarray, training: bool = False) -> float:
        """Fill ``network.grads`` (and each layer's dW, db) for a batch; return the objective.

        X: (n_samples, input_dim); y: labels or targets. With ``training=False`` (the default)
        dropout is off, so the result is the exact gradient of :meth:`objective`.
        """
        X = self._check_X(X)
        Y = self.targets(y)
        if training or not self._has_dropout:
            self._train_batch(X, Y)
        else:
            saved = [layer.dropout for layer in self.layers]
            try:
                for layer in self.layers:
                    layer.dropout = 0.0
                self._train_ws.clear()
                self._train_batch(X, Y)
            finally:
                for layer, rate in zip(self.layers, saved):
                    layer.dropout = rate
                self._train_ws.clear()
        with np.errstate(all="ignore"):
            loss, _ = self._evaluate(X, Y, None)
        return loss + self.penalty()
