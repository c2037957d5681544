"""``python -m sandbox.runner SUBMISSION.json`` runs one submission under the worker's sandbox and prints the
result JSON; ``python -m sandbox.runner --probe`` prints which layers work on this machine.

Exit status: 0 when the submission ran (whatever its status), 2 for a bad submission file or usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys


def _fail(message: str) -> int:
    print(f"sandbox.runner: {message}", file=sys.stderr)
    return 2


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.runner",
                                     description="Run one submission in the Labs ICT sandbox.")
    parser.add_argument("submission", nargs="?", help="a submission JSON file ('-' for standard input)")
    parser.add_argument("--probe", action="store_true", help="print which sandbox layers work here")
    parser.add_argument("--limits", help="the caller's limits as a JSON object (as the worker passes them)")
    parser.add_argument("--verbose", action="store_true", help="log the sandbox's start-up to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from . import SubmissionError, probe_layers, run_submission

    if args.probe:
        return _print(probe_layers())
    if not args.submission:
        return _fail("give a submission file, or --probe")
    try:
        if args.submission == "-":
            text = sys.stdin.read(4 * 1024 * 1024)
        else:
            with open(args.submission, encoding="utf-8") as fh:
                text = fh.read(4 * 1024 * 1024)
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.submission}: {exc}")
    try:
        submission = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    except ValueError as exc:
        return _fail(f"{args.submission} is not valid JSON: {exc}")
    limits = None
    if args.limits:
        try:
            limits = json.loads(args.limits)
        except ValueError as exc:
            return _fail(f"--limits is not valid JSON: {exc}")
        if not isinstance(limits, dict):
            return _fail("--limits must be a JSON object")
    try:
        result = run_submission(submission, limits=limits)
    except SubmissionError as exc:
        return _fail(f"bad submission: {exc}")
    except ValueError as exc:  # bad --limits
        return _fail(str(exc))
    return _print(result)


def _print(obj) -> int:
    try:
        print(json.dumps(obj, indent=2))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
