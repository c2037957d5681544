"""Small trainings run on one BLAS thread; large ones keep the process's setting; both restore it."""

from threadpoolctl import ThreadpoolController

from sandbox.engine import Dense, Network, train
from sandbox.engine.threads import blas_threads


def blas_thread_counts():
    return [lib.num_threads for lib in ThreadpoolController().select(user_api="blas").lib_controllers]


def test_a_small_network_trains_on_one_blas_thread():
    net = Network(64, [Dense(128, "relu"), Dense(10, "softmax")])
    with ThreadpoolController().limit(limits=2, user_api="blas"):
        with blas_threads(net, 64):
            assert blas_thread_counts() and set(blas_thread_counts()) == {1}
        assert set(blas_thread_counts()) == {2}


def test_a_large_network_keeps_the_process_setting():
    net = Network(256, [Dense(512, "relu"), Dense(512, "relu"), Dense(10, "softmax")])
    with ThreadpoolController().limit(limits=2, user_api="blas"):
        with blas_threads(net, 256):
            assert set(blas_thread_counts()) == {2}


def test_training_restores_the_thread_setting():
    spec = {"dataset": {"name": "xor", "samples": 64, "seed": 0},
            "model": {"layers": [{"units": 4, "activation": "tanh"}]},
            "training": {"epochs": 2, "batch_size": 16}}
    with ThreadpoolController().limit(limits=2, user_api="blas"):
        train(spec)
        assert set(blas_thread_counts()) == {2}
