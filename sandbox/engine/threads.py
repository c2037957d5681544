"""How many BLAS threads a training run uses: one when its matrix products are small.

OpenBLAS splits a product over its threads once it is big enough by its own rule, and the hand-off
costs a few microseconds when the other core is free, but a whole scheduler time slice (several
milliseconds) when that core is busy with other work: on a shared machine a small network's run
then takes several times as long, and its time varies from run to run. A second thread only pays
for itself on products of about a million multiply-adds and more, so a run whose largest product
(a batch through the widest layer) is below that uses one thread, and larger runs keep what the
process was given (``OPENBLAS_NUM_THREADS``).

The controller is made once, when this module is imported (it looks through the loaded shared
libraries, which the sandbox does before it locks a job in); a run only calls the library's
set-threads function on entry and exit.
"""

from __future__ import annotations

from contextlib import nullcontext

from threadpoolctl import ThreadpoolController

# Multiply-adds of the largest product in a training step below which one BLAS thread is used.
SMALL_PRODUCT = 1 << 20

_controller = ThreadpoolController()


def blas_threads(network, batch_size: int):
    """Return a context manager that runs a training of ``network`` with batches of ``batch_size``.

    One BLAS thread when every product of a step is small (see the module docstring), the process's
    setting otherwise.
    """
    largest = max((layer.fan_in + 1) * layer.units for layer in network.layers) * batch_size
    if largest >= SMALL_PRODUCT:
        return nullcontext()
    return _controller.limit(limits=1, user_api="blas")
