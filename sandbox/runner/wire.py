"""The JSON-lines wire between host and job: encoding values both ways, and the host's validation.

Nothing on this wire is ever unpickled. The host treats every byte the job writes as hostile:
lines are size-capped, parsed without NaN/Infinity, depth- and length-checked, and only known
message types and keys are accepted (see ``validate_message``).
"""

from __future__ import annotations

import json
import math

MAX_LINE_BYTES = 16 * 1024 * 1024     # one message (a long training history fits)
MAX_TOTAL_BYTES = 64 * 1024 * 1024    # everything a job may write to its result pipe
MAX_DEPTH = 12
MAX_STRING = 64 * 1024
MAX_LIST = 2_000_000
MAX_KEYS = 256
MAX_ARRAY_ELEMENTS = 1_000_000
NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class WireError(ValueError):
    """A message from the job that the host refuses."""


def _reject_constant(name):
    raise WireError(f"non-finite number {name} in a message")


def dumps(obj) -> bytes:
    """Return one wire line (strict JSON, no NaN) for a message."""
    return json.dumps(obj, allow_nan=False, separators=(",", ":")).encode() + b"\n"


def loads(line: bytes):
    """Parse one line from the job, refusing oversized, non-finite, too deep or too long content."""
    if len(line) > MAX_LINE_BYTES:
        raise WireError("message too large")
    # Bound the nesting before the parser recurses: count brackets outside strings.
    depth = deepest = 0
    in_string = escaped = False
    for byte in line:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                raise WireError("message nested too deeply")
        elif byte in (0x5D, 0x7D):
            depth -= 1
    try:
        value = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
    except WireError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"not valid JSON: {type(exc).__name__}") from None
    check_value(value)
    return value


def check_value(value, depth: int = 0) -> None:
    """Raise WireError unless value is plain JSON within the size bounds, every number finite."""
    if depth > MAX_DEPTH:
        raise WireError("message nested too deeply")
    if value is None or isinstance(value, (bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            raise WireError("integer out of range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise WireError("non-finite number in a message")
        return
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise WireError("string too long")
        return
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise WireError("list too long")
        for item in value:
            if isinstance(item, (float, int)) and not isinstance(item, bool):
                if isinstance(item, float) and not math.isfinite(item):
                    raise WireError("non-finite number in a message")
                continue
            check_value(item, depth + 1)
        return
    if isinstance(value, dict):
        if len(value) > MAX_KEYS:
            raise WireError("too many keys")
        for key, item in value.items():
            if len(key) > 200:
                raise WireError("key too long")
            check_value(item, depth + 1)
        return
    raise WireError(f"unexpected value of type {type(value).__name__}")


# --- arrays across the wire -------------------------------------------------------------------

def encode_array(array) -> dict:
    """Return ``{"nd": flat values, "shape": [...], "dtype": "float64"|"int64"|"bool"}``; NaN/inf as strings."""
    import numpy as np

    array = np.asarray(array)
    kind = array.dtype.kind
    if kind == "b":
        return {"nd": array.ravel().tolist(), "shape": list(array.shape), "dtype": "bool"}
    if kind in "iu":
        return {"nd": array.astype(np.int64).ravel().tolist(), "shape": list(array.shape), "dtype": "int64"}
    flat = array.astype(np.float64).ravel()
    values = flat.tolist()
    if not np.isfinite(flat).all():
        values = [v if math.isfinite(v) else ("nan" if v != v else ("inf" if v > 0 else "-inf")) for v in values]
    return {"nd": values, "shape": list(array.shape), "dtype": "float64"}


def decode_array(obj):
    """Return the NumPy array an ``encode_array`` dict describes; raise WireError on anything else."""
    import numpy as np

    if not isinstance(obj, dict) or set(obj) != {"nd", "shape", "dtype"}:
        raise WireError("not an array")
    shape, values, dtype = obj["shape"], obj["nd"], obj["dtype"]
    if (not isinstance(shape, list) or len(shape) > 8
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_ARRAY_ELEMENTS for n in shape)):
        raise WireError("bad array shape")
    size = math.prod(shape)
    if not isinstance(values, list) or len(values) != size or size > MAX_ARRAY_ELEMENTS:
        raise WireError("array values do not match its shape")
    if dtype == "float64":
        out = []
        for v in values:
            if isinstance(v, str):
                if v not in NONFINITE:
                    raise WireError("bad array value")
                out.append(NONFINITE[v])
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(float(v))
            else:
                raise WireError("bad array value")
        return np.array(out, dtype=np.float64).reshape(shape)
    if dtype == "int64":
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise WireError("bad array value")
        return np.array(values, dtype=np.int64).reshape(shape)
    if dtype == "bool":
        if not all(isinstance(v, bool) for v in values):
            raise WireError("bad array value")
        return np.array(values, dtype=bool).reshape(shape)
    raise WireError("bad array dtype")
