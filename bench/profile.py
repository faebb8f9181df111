"""Where aim-kg's export spends its time: cProfile over one in-process export.

    python -m bench.profile [--events 2000] [--form json|pages] [--jobs 1] [--top 25]

Exports the benchmark corpus of ``--events`` events (build/corpus-N, generated if missing) to
.ttl + .jsonld + .nt in a temporary folder, under cProfile, and prints the time of each phase
(read, write) and the top functions by cumulative and by own time. With ``--jobs 1`` (the
default) every step runs in this process, so the profile sees all of it. With more jobs the
profile shows the main process's own work only, and the workers, forked from a profiled process,
are profiled too (and run several times slower) without being reported: use ``--phases-only``
(no cProfile) for the phase times of a parallel run. The profile is saved to
build/bench/profile-N-FORM.prof for snakeviz or pstats.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus as corpus_mod

ROOT = Path(__file__).resolve().parent.parent


def _timed(fn, into: dict, name: str):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            into[name] = time.perf_counter() - t

    return wrapper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--form", choices=["json", "pages"], default="json")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=corpus_mod.DEFAULT_SEED)
    parser.add_argument(
        "--phases-only", action="store_true", help="time the phases without cProfile"
    )
    args = parser.parse_args(argv)

    opts = corpus_mod.Options(events=args.events, seed=args.seed)
    source = None
    for candidate in (ROOT / "build" / f"corpus-{args.events}", ROOT / "build" / "corpus"):
        if corpus_mod.matches(candidate, opts):
            source = candidate
            break
    if source is None:
        source = ROOT / "build" / f"corpus-{args.events}"
        corpus_mod.write_corpus(source, opts, log=lambda m: print(m, file=sys.stderr))

    from kg import pipeline as kx
    from kg.write import format_named
    from kg.write.outputs import Output

    phases: dict[str, float] = {}
    kx._phase_one = _timed(kx._phase_one, phases, "phase 1 (read)")
    kx._phase_two = _timed(kx._phase_two, phases, "phase 2 (map, validate, write)")
    with tempfile.TemporaryDirectory(prefix="aim-kg-profile-") as tmp:
        outputs = [
            Output(str(Path(tmp) / f"out.{ext}"), format_named(name))
            for ext, name in (("ttl", "turtle"), ("jsonld", "jsonld"), ("nt", "ntriples"))
        ]
        profiler = cProfile.Profile()
        t = time.perf_counter()
        if not args.phases_only:
            profiler.enable()
        summary = kx.export([str(source / args.form)], outputs, jobs=args.jobs)
        profiler.disable()
        total = time.perf_counter() - t
    if args.phases_only:
        print(
            f"{summary.events} events, {summary.triples} triples, {summary.rejected} rejected; "
            f"{total:.1f} s (--jobs {args.jobs})"
        )
        for name, seconds in phases.items():
            print(f"  {name}: {seconds:.1f} s")
        return 0
    saved = ROOT / "build" / "bench" / f"profile-{args.events}-{args.form}.prof"
    saved.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(saved)
    print(
        f"{summary.events} events, {summary.triples} triples, {summary.rejected} rejected; "
        f"{total:.1f} s under cProfile (--jobs {args.jobs})"
    )
    for name, seconds in phases.items():
        print(f"  {name}: {seconds:.1f} s")
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        lines = text.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        print(f"\ntop {args.top} by {order} time:")
        print("\n".join(lines[start:]).rstrip())
    print(f"\nprofile saved to {saved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
