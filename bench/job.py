"""One measured job in a fresh process: ``python -m bench.job export SOURCE OUT ...``.

It calls the Python API (``kg.export``) and prints its result's counts as JSON on stdout, so the
benchmark reads numbers from the library, never from the command line's messages.
"""

from __future__ import annotations

import argparse
import json
import sys

import kg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.job")
    sub = parser.add_subparsers(dest="job", required=True)
    export = sub.add_parser("export", help="kg.export(SOURCE, OUTPUTS, problems=...)")
    export.add_argument("source")
    export.add_argument("outputs", nargs="+")
    export.add_argument("--problems")
    export.add_argument("--jobs", type=int)
    args = parser.parse_args(argv)
    try:
        result = kg.export([args.source], args.outputs, problems=args.problems, jobs=args.jobs)
    except kg.AimKgError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    counts = {
        name: getattr(result, name)
        for name in ("events", "triples", "outlets", "concepts", "rejected", "warned", "files")
    }
    json.dump(counts, sys.stdout)
    return result.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
