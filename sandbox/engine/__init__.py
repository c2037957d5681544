"""Labs ICT network engine: fully connected networks in pure NumPy.

No Django and no dependency besides NumPy. The one way a job describes a training run is a spec
(JSON; documented in docs/spec.md)::

    from sandbox.engine import train
    result = train({"dataset": {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1},
                    "model": {"layers": [{"units": 16, "activation": "tanh"}], "output": "softmax"},
                    "loss": "cross_entropy",
                    "optimizer": {"name": "adam", "learning_rate": 0.01},
                    "training": {"epochs": 200, "batch_size": 32, "validation_split": 0.2, "seed": 0}})

Learners' code uses the building blocks directly: ``Network``, ``Dense``, ``ACTIVATIONS``
(``ACTIVATIONS["sigmoid"].forward(x)`` / ``.grad(x)``), ``LOSSES``, ``INITIALIZERS`` and
``OPTIMIZERS`` (``update(params, grads)``).
"""

ENGINE_VERSION = "1.1.0"

from .activations import ACTIVATIONS, Activation  # noqa: E402
from .datasets import DATASETS, load_digits, make_dataset  # noqa: E402
from .initializers import INITIALIZERS, default_initializer  # noqa: E402
from .losses import LOSSES, Loss  # noqa: E402
from .metrics import accuracy, confusion_matrix, decision_grid  # noqa: E402
from .network import Dense, Network  # noqa: E402
from .optimizers import OPTIMIZERS, SCHEDULES, Optimizer  # noqa: E402
from .spec import DEFAULT_LIMITS, SpecError, validate_spec  # noqa: E402
from .training import train  # noqa: E402

__all__ = [
    "ENGINE_VERSION",
    "SpecError",
    "validate_spec",
    "train",
    "make_dataset",
    "load_digits",
    "Network",
    "Dense",
    "ACTIVATIONS",
    "LOSSES",
    "INITIALIZERS",
    "OPTIMIZERS",
    "SCHEDULES",
    "DATASETS",
    "DEFAULT_LIMITS",
    "Activation",
    "Loss",
    "Optimizer",
    "default_initializer",
    "accuracy",
    "confusion_matrix",
    "decision_grid",
]
