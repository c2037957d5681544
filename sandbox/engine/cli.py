"""Command line: ``python -m sandbox.engine train SPEC.json [--progress]``.

``train`` prints the result JSON on stdout; ``validate`` prints the normalised spec. A bad spec,
or a file that cannot be read or is not JSON, prints the problems on stderr and exits with 2
(never a traceback). ``-`` reads the spec from standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Optional, Sequence

from .spec import DEFAULT_LIMITS, SpecError, validate_spec

EXIT_BAD_SPEC = 2


def _read_spec(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError([{"path": "spec", "message": f"{path} is not UTF-8 text ({exc.reason})"}]) from None


def _progress_printer(stream, width: int = 30):
    started = time.perf_counter()

    def fmt(value, digits=4):
        return "-" if value is None else f"{value:.{digits}f}"

    def on_epoch(figures: dict) -> bool:
        done = figures["epoch"] / figures["epochs"]
        filled = int(round(width * done))
        bar = "#" * filled + "-" * (width - filled)
        parts = [f"\r[{bar}] epoch {figures['epoch']}/{figures['epochs']}",
                 f"loss {fmt(figures['train_loss'])}", f"val_loss {fmt(figures['val_loss'])}"]
        if figures["val_accuracy"] is not None:
            parts.append(f"val_acc {fmt(figures['val_accuracy'], 3)}")
        elif figures["train_accuracy"] is not None:
            parts.append(f"acc {fmt(figures['train_accuracy'], 3)}")
        parts.append(f"{time.perf_counter() - started:.1f}s")
        stream.write("  ".join(parts) + "   ")
        if figures["epoch"] == figures["epochs"]:
            stream.write("\n")
        stream.flush()
        return False

    return on_epoch


def _limits(args) -> dict:
    return {key: getattr(args, key) for key in DEFAULT_LIMITS if getattr(args, key) is not None}


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad spec or unreadable file)."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.engine",
                                     description="Train a fully connected network described by a JSON spec.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("train", "train and print the result JSON"),
                            ("validate", "check a spec and print it with the defaults filled in")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("spec", help="path of the spec JSON file, or - for standard input")
        for key in DEFAULT_LIMITS:
            p.add_argument("--" + key.replace("_", "-"), dest=key, type=int, default=None,
                           help=f"limit (default {DEFAULT_LIMITS[key]:,})")
        p.add_argument("--indent", type=int, default=None, help="indent the JSON output")
        if name == "train":
            p.add_argument("--progress", action="store_true", help="show a progress bar with losses on stderr")
    args = parser.parse_args(argv)

    try:
        text = _read_spec(args.spec)
    except OSError as exc:
        print(f"error: cannot read {args.spec}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_SPEC
    except SpecError as exc:
        print(f"error: the spec has problems:\n{exc}", file=sys.stderr)
        return EXIT_BAD_SPEC
    try:
        limits = _limits(args)
        if args.command == "validate":
            output = validate_spec(text, limits=limits)
        else:
            from .training import train

            on_epoch = _progress_printer(sys.stderr) if args.progress else None
            output = train(text, limits=limits, on_epoch=on_epoch)
            if args.progress and output["stopped"]["reason"] != "completed":
                sys.stderr.write(f"\nstopped: {output['stopped']['message']}\n")
    except SpecError as exc:
        count = len(exc.errors)
        print(f"error: the spec has {count} problem{'s' if count != 1 else ''}:\n{exc}", file=sys.stderr)
        return EXIT_BAD_SPEC
    except ValueError as exc:  # a bad --max-* value
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SPEC
    json.dump(output, sys.stdout, indent=args.indent, allow_nan=False)
    sys.stdout.write("\n")
    return 0
