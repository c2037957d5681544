"""Training jobs: the Django app, the NumPy engine (``sandbox.engine``) and the process sandbox (``sandbox.runner``)."""
