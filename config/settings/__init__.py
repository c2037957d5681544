"""Settings split by runtime: ``local`` (default), ``production`` and ``test``, all built on ``base``."""
