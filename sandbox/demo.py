"""The demo course's training assignments (``manage.py load_demo``)."""

from lessons.models import Lesson

from .models import Assignment

SIGMOID_STARTER = '''import numpy as np


def sigmoid(x):
    """Return 1 / (1 + e^-x) for every element of the array x (it must not overflow for large |x|)."""
    raise NotImplementedError


def sigmoid_grad(x):
    """Return the derivative of sigmoid at every element of x."""
    raise NotImplementedError
'''

DENSE_STARTER = '''import numpy as np


def dense_forward(X, W, b):
    """X: (n_samples, n_in), W: (n_in, n_out), b: (n_out,). Return X @ W + b, shape (n_samples, n_out)."""
    return X @ W + b


def dense_backward(dout, X, W):
    """dout: (n_samples, n_out), the gradient of the loss with respect to the layer's output.

    Return (dX, dW, db) with the shapes of X, W and b.
    """
    raise NotImplementedError
'''

DEMO_ASSIGNMENTS = [
    {
        "slug": "separate-the-spirals",
        "lesson": "artificial-neural-networks",
        "title": "Separate the spirals",
        "kind": Assignment.Kind.CONFIG,
        "order": 1,
        "points": 10,
        "instructions": (
            "Three interleaved spirals, 1,000 points. Design a network that tells the arms apart. It is "
            "graded on a hidden test set drawn from the same spirals: 60% of the points at 0.85 accuracy, "
            "all of them at 0.95, and 2 bonus points for doing it with at most 300 parameters."
        ),
        "dataset": {"name": "spirals", "samples": 1000, "classes": 3, "noise": 0.2, "seed": 1},
        "hidden_test": {"samples": 600, "seed": 777001},
        "limits": {"max_parameters": 5000, "max_epochs": 400, "max_samples": 1000, "max_wall_seconds": 30},
        "starter_spec": {
            "model": {"layers": [{"units": 8, "activation": "relu"}], "output": "softmax"},
            "loss": "cross_entropy",
            "optimizer": {"name": "adam", "learning_rate": 0.01},
            "training": {"epochs": 100, "batch_size": 32, "validation_split": 0.2, "seed": 0},
        },
        "rubric": {"metric": "accuracy", "thresholds": [{"at": 0.85, "fraction": 0.6}, {"at": 0.95, "fraction": 1.0}],
                   "bonus": {"max_parameters": 300, "points": 2}},
    },
    {
        "slug": "implement-sigmoid",
        "lesson": "artificial-neural-networks",
        "title": "Implement sigmoid and its derivative",
        "kind": Assignment.Kind.CODE,
        "order": 2,
        "points": 10,
        "instructions": "Write `sigmoid(x)` and `sigmoid_grad(x)` for NumPy arrays. They are checked on hidden inputs, "
                        "including very large and very small values, and the gradient against a numerical one.",
        "exercise": "activation",
        "exercise_params": {"function": "sigmoid"},
        "starter_code": SIGMOID_STARTER,
    },
    {
        "slug": "dense-backward",
        "lesson": "training-in-practice",
        "title": "Write the dense layer's backward pass",
        "kind": Assignment.Kind.CODE,
        "order": 1,
        "points": 10,
        "is_pro": True,
        "instructions": "Complete `dense_backward`: given the gradient of the loss with respect to the layer's output, "
                        "return the gradients with respect to its input, weights and bias. Checked on random shapes.",
        "exercise": "dense_layer",
        "exercise_params": {},
        "starter_code": DENSE_STARTER,
    },
]


def load(stdout):
    """Create the demo assignments that are missing (edits made since are kept)."""
    for spec in DEMO_ASSIGNMENTS:
        fields = dict(spec)
        lesson = Lesson.objects.filter(slug=fields.pop("lesson")).first()
        slug = fields.pop("slug")
        _, created = Assignment.objects.get_or_create(slug=slug, defaults={**fields, "lesson": lesson, "published": True})
        stdout.write(f"demo assignment {slug}: {'created' if created else 'already there'}")
