"""Fully connected networks: :class:`Dense` layers inside a :class:`Network`.

All of a network's parameters live in one flat buffer ``network.params`` (and their gradients in
``network.grads``); each layer's ``W: (fan_in, units)`` and ``b: (units,)`` are views into it, laid
out one after the other so that together they form one block ``Wb: (fan_in + 1, units)``. An
optimiser updates the whole network with a few fused ufunc calls. Activations, deltas and scratch
arrays are preallocated per batch size (see ``workspace.py`` for their feature-major layout) and
the hot loop works in place (``out=``); nothing loops over samples or neurons in Python.

Shapes: ``X: (n_samples, n_features)``; a layer's output ``(n_samples, units)``; targets for
classification are integer labels ``(n_samples,)`` (or one-hot ``(n_samples, classes)``), for
regression ``(n_samples,)`` or ``(n_samples, outputs)``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .initializers import INITIALIZER_ALIASES, INITIALIZERS, default_initializer
from .losses import LOSS_ALIASES, LOSSES
from .workspace import Workspace, activate, derivative, sigmoid_into

# Evaluation runs the data through in chunks of this many rows, to bound the memory it needs.
EVAL_CHUNK = 2048


class Dense:
    """A fully connected layer: output = activation(X @ W + b).

    Shapes: input ``X: (n_samples, fan_in)``, ``W: (fan_in, units)``, ``b: (units,)``,
    output ``(n_samples, units)``. ``dropout`` is the fraction of this layer's outputs zeroed at
    random during training (inverted dropout: the rest are scaled by 1 / (1 - dropout)); ``l2``
    adds ``l2 / 2 * sum(W**2)`` to the loss. ``init`` names an entry of ``INITIALIZERS`` or
    ``"auto"`` (He for relu/leaky_relu, Glorot otherwise). ``W``, ``b``, ``dW`` and ``db`` (and
    ``Wb``/``dWb``, the same numbers as one ``(fan_in + 1, units)`` block, b as its last row) are
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
        self.Wb: Optional[np.ndarray] = None
        self.dWb: Optional[np.ndarray] = None

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
        self._softmax_ce = self.fused and out.activation == "softmax"
        self._out_name = out.activation
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
            # W's rows then b: together one (fan_in + 1, units) block, the bias as its last row
            block = slice(offset, offset + (layer.fan_in + 1) * layer.units)
            layer.Wb = self.params[block].reshape(layer.fan_in + 1, layer.units)
            layer.dWb = self.grads[block].reshape(layer.fan_in + 1, layer.units)
            layer.W, layer.b = layer.Wb[:-1], layer.Wb[-1]
            layer.dW, layer.db = layer.dWb[:-1], layer.dWb[-1]
            self._weight_slices.append(slice(offset, offset + layer.fan_in * layer.units))
            offset = block.stop

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
        self._train_ws: dict[int, Workspace] = {}
        self._eval_ws: dict[int, Workspace] = {}
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


    def with_ones_column(self, X: np.ndarray) -> np.ndarray:
        """Return X (n, input_dim) as a new (n, input_dim + 1) array of self.dtype ending in a column of ones.

        The training loop keeps its inputs in this form: the ones column carries the first layer's
        bias through the same matrix product as its weights.
        """
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise ValueError(f"X must have shape (n_samples, {self.input_dim}), not {X.shape}")
        ones = np.empty((X.shape[0], self.input_dim + 1), self.dtype)
        ones[:, :-1] = X
        ones[:, -1] = 1
        return ones

    # --- forward ----------------------------------------------------------------------------

    def _workspace(self, n: int, training: bool) -> Workspace:
        cache = self._train_ws if training else self._eval_ws
        ws = cache.get(n)
        if ws is None:
            if len(cache) > 4:  # keep only a few sizes (full batch, last batch, eval chunks)
                cache.clear()
            ws = cache[n] = Workspace(n, self.input_dim, self.layers, self.dtype, training, self._grad_scale)
            if training:
                self._plan(ws)
        return ws

    def _plan(self, ws: Workspace) -> None:
        """Bind each layer's arrays for the training step into ws.forward_plan / ws.backward_plan."""
        forward = []
        for i, layer in enumerate(self.layers[:-1]):
            dropout = None
            if layer.dropout:
                dropout = (ws.uniform[i], ws.keep[i], ws.mask[i], layer.dropout,
                           np.array(1.0 / (1.0 - layer.dropout), self.dtype), ws.act[i][:-1])
            forward.append((layer.Wb.T, ws.pre[i], layer.activation, ws.tmp[i], dropout, ws.act[i]))
        backward = []
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            below = (layer.W, ws.delta[i - 1], self.layers[i - 1].activation, ws.pre[i - 1], ws.tmp[i - 1],
                     ws.mask[i - 1]) if i else None
            backward.append((ws.act[i - 1] if i else None, ws.delta[i], ws.delta[i].T, layer.dWb, below))
        ws.forward_plan = (forward, self.layers[-1].Wb.T)
        ws.backward_plan = backward

    def _forward_ws(self, x: np.ndarray, ws: Workspace, training: bool, logits: bool) -> np.ndarray:
        """Run x (n, input_dim + 1, ones last) through the layers into ws; return ws.out (outputs, n).

        ws.out holds the outputs, or the output layer's logits with ``logits=True``.
        """
        a = x.T
        for i, layer in enumerate(self.layers[:-1]):
            pre = ws.pre[i]
            np.matmul(layer.Wb.T, a, out=pre)
            activate(layer.activation, pre, ws.tmp[i], ws)
            if training and layer.dropout:
                u, keep, mask = ws.uniform[i], ws.keep[i], ws.mask[i]
                self.dropout_rng.random(out=u, dtype=self.dtype)
                np.greater_equal(u, layer.dropout, out=keep)
                np.multiply(keep, 1.0 / (1.0 - layer.dropout), out=mask)
                np.multiply(pre, mask, out=ws.act[i][:-1])
            a = ws.act[i]
        np.matmul(self.layers[-1].Wb.T, a, out=ws.out)
        if not logits:
            activate(self.layers[-1].activation, ws.out, ws.tmp[-1], ws)
        return ws.out

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """Return the network's output (n_samples, outputs) for X (n_samples, input_dim).

        For a softmax or sigmoid output these are probabilities. ``training=True`` applies dropout.
        """
        X = self._check_X(X)
        if training:
            ws = self._workspace(X.shape[0], True)
            ws.x[:, :-1] = X
            return self._forward_ws(ws.x, ws, True, False).T.copy()
        chunks = []
        for start in range(0, X.shape[0], EVAL_CHUNK):
            xb = X[start:start + EVAL_CHUNK]
            ws = self._workspace(xb.shape[0], False)
            ws.x[:, :-1] = xb
            chunks.append(self._forward_ws(ws.x, ws, False, False).T.copy())
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

    def _outputs_loss_sum(self, out: np.ndarray, Yt: np.ndarray, colsum: np.ndarray,
                          predictions: Optional[np.ndarray], scratch: np.ndarray) -> float:
        """Return the data loss summed over the m columns of out (outputs, m) as _train_batch leaves it.

        Yt: (outputs, m) targets; colsum: (m,), overwritten; scratch: (outputs, m). For
        classification the predicted labels are written into ``predictions`` (m,) if given.
        """
        m = out.shape[1]
        if self._softmax_ce:
            # out is z - max(z) per column and colsum is sum_k exp of it, so the loss of column j
            # is log(colsum_j) - sum_k y_kj out_kj: the stable form, without forming log-softmax.
            if predictions is not None:
                np.argmax(out, axis=0, out=predictions)
            np.multiply(Yt, out, out=scratch)
            label_logits = float(scratch.sum(dtype=np.float64))
            np.log(colsum, out=colsum)
            return float(colsum.sum(dtype=np.float64)) - label_logits
        if predictions is not None:
            if self.outputs == 1:
                # fused: out holds logits, so p > 0.5 is z > 0
                np.greater(out[0], 0.0 if self.fused else 0.5, out=predictions, casting="unsafe")
            else:
                np.argmax(out, axis=0, out=predictions)
        if self.fused:
            return self.loss.forward_logits(out.T, Yt.T) * m
        return self.loss.forward(out.T, Yt.T) * m

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
            loss, correct = self._evaluate(self.with_ones_column(X), Y.T, labels)
        n = X.shape[0]
        return {"loss": loss, "accuracy": (correct / n if labels is not None and n else None)}

    def _evaluate(self, x: np.ndarray, Yt: np.ndarray, labels: Optional[np.ndarray],
                  predictions: Optional[np.ndarray] = None) -> tuple[float, int]:
        """Return (mean data loss, number correct) for x (n, input_dim + 1, ones last) and Yt (outputs, n).

        With ``predictions`` (an int array (n,)) the predicted labels are written into it too.
        Call under ``np.errstate(all="ignore")`` when the weights may have diverged.
        """
        n = x.shape[0]
        if n == 0:
            return float("nan"), 0
        total = 0.0
        correct = 0
        for start in range(0, n, EVAL_CHUNK):
            xb = x[start:start + EVAL_CHUNK]
            m = xb.shape[0]
            ws = self._eval_ws.get(m) or self._workspace(m, False)
            out = self._forward_ws(xb, ws, False, self.fused)
            if self._softmax_ce:  # leave out and colsum as the training step does
                np.maximum.reduce(out, axis=0, out=ws.colmax)
                out -= ws.colmax
                np.exp(out, out=ws.tmp[-1])
                np.add.reduce(ws.tmp[-1], axis=0, out=ws.colsum)
            pred = None
            if labels is not None:
                pred = ws.pred if predictions is None else predictions[start:start + m]
            total += self._outputs_loss_sum(out, Yt[:, start:start + m], ws.colsum, pred, ws.tmp[-1])
            if labels is not None:
                correct += int(np.count_nonzero(np.equal(pred, labels[start:start + m], out=ws.hit)))
        return total / n, correct

    def objective(self, X: np.ndarray, y: np.ndarray) -> float:
        """Return the training objective: mean data loss + L2 penalty (no dropout)."""
        X = self._check_X(X)
        with np.errstate(all="ignore"):
            loss, _ = self._evaluate(self.with_ones_column(X), self.targets(y).T, None)
        return loss + self.penalty()

    # --- backward ---------------------------------------------------------------------------

    def _train_batch(self, x: np.ndarray, Yt: np.ndarray, out: np.ndarray, colsum: np.ndarray) -> None:
        """Fill self.grads with d objective / d params for one batch (hot path, no checks).

        x: (n, input_dim + 1) inputs ending in a ones column, Yt: (outputs, n) targets, both of
        self.dtype. ``out`` (outputs, n) and ``colsum`` (n,) receive what the batch's loss and
        predictions are read from later (:meth:`_outputs_loss_sum`, which the training loop calls
        once per epoch on all batches at once): for softmax + cross-entropy the logits minus their
        column max and the column sums of their exp; for sigmoid + binary cross-entropy the logits;
        otherwise the outputs. Dropout masks are drawn afresh. About 20 NumPy calls for a network
        with two hidden layers, all writing into preallocated arrays.
        """
        n = x.shape[0]
        ws = self._train_ws.get(n) or self._workspace(n, True)
        # np.dot where the output is contiguous: it reaches BLAS with a quarter less overhead than
        # np.matmul; the output layer writes into a slice of the epoch's outputs, so it needs matmul.
        # Outputs are passed positionally (see workspace.py).
        dot, multiply, subtract = np.dot, np.multiply, np.subtract
        hidden, WbT_out = ws.forward_plan
        a = x.T
        for WbT, pre, name, tmp, dropout, act in hidden:
            dot(WbT, a, pre)
            if name == "tanh":
                np.tanh(pre, pre)
            else:
                activate(name, pre, tmp, ws)
            if dropout is not None:
                u, keep, mask, rate, scale, top = dropout
                self.dropout_rng.random(out=u, dtype=self.dtype)
                np.greater_equal(u, rate, keep)
                multiply(keep, scale, mask)
                multiply(pre, mask, top)
            a = act
        np.matmul(WbT_out, a, out)
        # fused cross-entropy: dL/dz = (p - y) / n (per output for sigmoid); mse: dL/dout = 2 (out - y) / (n k)
        delta = ws.delta[-1]
        if self._softmax_ce:
            np.maximum.reduce(out, 0, None, ws.colmax)
            subtract(out, ws.colmax, out)
            np.exp(out, delta)
            np.add.reduce(delta, 0, None, colsum)
            np.divide(delta, colsum, delta)
            subtract(delta, Yt, delta)
        elif self.fused:  # sigmoid + binary cross-entropy; out keeps the logits
            sigmoid_into(out, delta, ws)
            subtract(delta, Yt, delta)
        else:
            activate(self._out_name, out, ws.tmp[-1], ws)
            subtract(out, Yt, delta)
        multiply(delta, ws.grad_scale, delta)
        if not self.fused:
            derivative(self._out_name, out, delta, ws.tmp[-1], ws)
        # backward: [dW; db] = a_prev @ delta.T in one product thanks to a_prev's ones row
        one = ws.one
        for a_prev, delta, delta_T, dWb, below in ws.backward_plan:
            dot(x.T if a_prev is None else a_prev, delta_T, dWb)
            if below is not None:
                W, d_prev, name, pre_prev, tmp, mask = below
                dot(W, delta, d_prev)
                if mask is not None:
                    multiply(d_prev, mask, d_prev)
                if name == "tanh":
                    multiply(pre_prev, pre_prev, tmp)
                    subtract(one, tmp, tmp)
                    multiply(d_prev, tmp, d_prev)
                else:
                    derivative(name, pre_prev, d_prev, tmp, ws)
        if self._decay is not None:
            multiply(self.params, self._decay, self._decay_scratch)
            np.add(self.grads, self._decay_scratch, self.grads)

    def compute_gradients(self, X: np.ndarray, y: np.ndarray, training: bool = False) -> float:
        """Fill ``network.grads`` (and each layer's dW, db) for a batch; return the objective.

        X: (n_samples, input_dim); y: labels or targets. With ``training=False`` (the default)
        dropout is off, so the result is the exact gradient of :meth:`objective`.
        """
        X = self._check_X(X)
        Yt = self.targets(y).T

        def step():
            ws = self._workspace(X.shape[0], True)
            ws.x[:, :-1] = X
            self._train_batch(ws.x, Yt, ws.out, ws.colsum)

        if training or not self._has_dropout:
            step()
        else:
            saved = [layer.dropout for layer in self.layers]
            try:
                for layer in self.layers:
                    layer.dropout = 0.0
                self._train_ws.clear()
                step()
            finally:
                for layer, rate in zip(self.layers, saved):
                    layer.dropout = rate
                self._train_ws.clear()
        with np.errstate(all="ignore"):
            loss, _ = self._evaluate(self.with_ones_column(X), Yt, None)
        return loss + self.penalty()
