"""Fixtures for training jobs: the demo assignments and specs that pass or fail them."""

import copy
import pytest

GOOD_SPIRALS = {
    "model": {"layers": [{"units": 32, "activation": "tanh"}, {"units": 32, "activation": "tanh"}], "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "adam", "learning_rate": 0.01},
    "training": {"epochs": 150, "batch_size": 32, "validation_split": 0.2, "seed": 0},
}
BAD_SPIRALS = {
    "model": {"layers": [{"units": 2, "activation": "linear"}], "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "sgd", "learning_rate": 0.01},
    "training": {"epochs": 5, "batch_size": 32, "validation_split": 0.2, "seed": 0},
}
FREE_PLAY = {
    "dataset": {"name": "xor", "samples": 200, "noise": 0.1, "seed": 3},
    "model": {"layers": [{"units": 8, "activation": "tanh"}], "output": "softmax"},
    "loss": "cross_entropy",
    "optimizer": {"name": "adam", "learning_rate": 0.05},
    "training": {"epochs": 30, "batch_size": 32, "validation_split": 0.25, "seed": 0},
}
SIGMOID_RIGHT = '''import numpy as np

def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out

def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
'''
SIGMOID_WRONG_GRAD = SIGMOID_RIGHT.replace("return s * (1 - s)", "return s")


def spec(base):
    return copy.deepcopy(base)


@pytest.fixture
def demo_assignments(db):
    from lessons.content_files import import_course_folder
    from lessons.demo import DEMO_COURSES
    from sandbox.models import Assignment

    assert import_course_folder(DEMO_COURSES[0]).problems == []
    return {a.slug: a for a in Assignment.objects.all()}


@pytest.fixture
def spirals(demo_assignments):
    return demo_assignments["separate-the-spirals"]


@pytest.fixture
def sigmoid_exercise(demo_assignments):
    return demo_assignments["implement-sigmoid"]
