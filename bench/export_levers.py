"""What the export's open decisions would buy: the export timed without each costly step.

    python -m bench.export_levers CORPUS_JSON [--rounds 2] [--json] [--out docs/performance.md]

bench.steps says where the export's CPU goes; this module says what the wall time would be if a
step were gone, which is what a decision about the targets of issue 13 turns on. Each variant is
``kg.export`` of the corpus in a fresh process (timed by bench.measure, like the export rows of
bench.run), the variants taking turns for ``--rounds`` rounds, the fastest run of each kept:

- **as is**: the export, every event validated (the target rows of bench.run);
- **no languages**: no headline's language identified (``kg.read.lang.detect`` answers "not
  sure" at once): what identifying each headline once across runs (a cache) would come near,
  or what dropping the tags would give; the graph loses its language tags and figures;
- **no validation**: the compiled shapes skipped (``Shapes.validate`` finds nothing): not a
  proposal, since every export is validated; the cost of validation, measured whole;
- **neither**: both;
- **as is, --jobs 1**: one process, to show what the second core gives.

The variants change the code in the benchmark's own process only (never aim-kg's files), before
``kg.export`` forks its workers, which inherit the change. Writes a section into ``--out``
between the markers below, and prints it; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from bench import measure

BEGIN, END = "<!-- bench.export_levers: begin -->", "<!-- bench.export_levers: end -->"
TARGET_WALL = 10.0  # s, issue 13: 20,000 events to .ttl + .jsonld + .nt
TARGET_EVENTS = 20_000
THREE = ("ttl", "jsonld", "nt")

# name -> (what it is, the steps taken out, the formats, jobs)
VARIANTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], int | None]] = {
    "as-is": ("as is", (), THREE, None),
    "no-languages": ("no languages identified", ("languages",), THREE, None),
    "no-validation": ("no validation", ("validation",), THREE, None),
    "neither": ("neither languages nor validation", ("languages", "validation"), THREE, None),
    "one-process": ("as is, `--jobs 1`", (), THREE, 1),
    "nt": ("as is", (), ("nt",), None),
    "nt-no-languages": ("no languages identified", ("languages",), ("nt",), None),
    "nt-no-validation": ("no validation", ("validation",), ("nt",), None),
    "nt-neither": ("neither languages nor validation", ("languages", "validation"), ("nt",), None),
}


def _take_out(steps: tuple[str, ...]) -> None:
    """Take steps out of the export, in this process (its workers inherit it by forking)."""
    if "languages" in steps:
        from kg.read import lang

        lang.detect = lambda headline: None
    if "validation" in steps:
        from kg.shacl import engine

        engine.Shapes.validate = lambda self, triples, context=(): []


def run_variant(name: str, corpus_json: Path, out_dir: Path) -> dict:
    """One variant's export, in this process: what kg.export reports."""
    import kg

    _, steps, formats, jobs = VARIANTS[name]
    _take_out(steps)
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = [str(out_dir / f"export.{ext}") for ext in formats]
    result = kg.export([str(corpus_json)], outputs, jobs=jobs)
    return {"events": result.events, "triples": result.triples, "rejected": result.rejected}


def measure_levers(
    corpus_json: Path,
    work: Path,
    rounds: int = 2,
    names: tuple[str, ...] = tuple(VARIANTS),
    timeout: float = 900.0,
) -> dict:
    """Every variant ``rounds`` times, taking turns, each in a fresh process: the fastest run of
    each (wall, CPU, max RSS, triples), and every wall time."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(max(1, rounds)):
        for name in names:
            out_dir = work / name
            cmd = [sys.executable, "-m", "bench.export_levers", "--variant", name]
            got = measure.run(
                [*cmd, str(corpus_json), "--work", str(out_dir)],
                timeout=timeout,
                cwd=Path(__file__).resolve().parent.parent,
                pss=False,
            )
            entry = {"wall": got.wall, "cpu": got.cpu, "max_rss_mb": got.max_rss_mb}
            try:
                entry.update(json.loads(got.stdout.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                entry["error"] = (got.stderr.strip().splitlines() or ["no output"])[-1][:300]
                if got.timed_out:
                    entry["error"] = f"timed out after {timeout:.0f} s"
            runs[name].append(entry)
            shutil.rmtree(out_dir, ignore_errors=True)
    best = {}
    for name, entries in runs.items():
        good = [e for e in entries if "error" not in e]
        pick = min(good, key=lambda e: e["wall"]) if good else entries[-1]
        best[name] = {**pick, "walls": [round(e["wall"], 2) for e in entries]}
    return {"corpus": str(corpus_json), "rounds": max(1, rounds), "variants": best}


def section(result: dict, reference: float | None = None) -> str:
    """The report's section: a row per variant, with its share of the as-is time.
    ``reference``: morph-kgc's fastest N-Triples wall time in the same run, if it ran."""
    variants = result["variants"]
    events = next((v.get("events") for v in variants.values() if v.get("events")), 0)
    lines = [
        BEGIN,
        "## Export levers",
        "",
        f"What the export's wall time would be without its costliest steps: `kg.export` of the "
        f"{events:,}-event corpus in a fresh process per run, the variants taking turns, the "
        f"fastest of {result['rounds']} run(s) each (`python -m bench.export_levers`, run by "
        "`make bench`). *No languages* stands for identifying each headline once across runs "
        "(or dropping the tags); *no validation* is not a proposal (every export is validated), "
        "it measures what validation costs. The variants change aim-kg's code in the "
        "benchmark's process only.",
        "",
        "| formats | variant | time | CPU s | max RSS MB | triples | of as is | runs (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, (label, _, formats, _) in VARIANTS.items():
        entry = variants.get(name)
        if entry is None:
            continue
        base = variants.get("nt" if formats == ("nt",) else "as-is", {})
        shown = " + ".join(f".{ext}" for ext in formats)
        walls = ", ".join(f"{w:.1f}" for w in entry.get("walls", []))
        if "error" in entry:
            lines.append(f"| {shown} | {label} | — | | | | {entry['error']} | {walls} |")
            continue
        share = (
            f"{entry['wall'] / base['wall']:.2f}×"
            if base.get("wall") and "error" not in base
            else ""
        )
        lines.append(
            f"| {shown} | {label} | {entry['wall']:.1f} s | {entry['cpu']:.1f} | "
            f"{entry['max_rss_mb']:.0f} | {entry.get('triples', 0):,} | {share} | {walls} |"
        )
    if events >= TARGET_EVENTS:
        lines += ["", *_verdicts(variants, reference)]
    lines += ["", END]
    return "\n".join(lines)


def _verdicts(variants: dict, reference: float | None) -> list[str]:
    """Which variants would meet the targets: three formats within TARGET_WALL, and N-Triples
    alone faster than ``reference``."""

    def within(names: tuple[str, ...], limit: float) -> str:
        ok = [
            f"{VARIANTS[n][0]} ({variants[n]['wall']:.1f} s)"
            for n in names
            if n in variants and "error" not in variants[n] and variants[n]["wall"] < limit
        ]
        return "; ".join(ok) if ok else "no variant"

    out = [
        f"- .ttl + .jsonld + .nt in less than {TARGET_WALL:.0f} s (the target): "
        + within(("as-is", "no-languages", "no-validation", "neither"), TARGET_WALL)
        + "."
    ]
    if reference:
        out.append(
            f"- .nt alone faster than morph-kgc's fastest route in the same run "
            f"({reference:.1f} s): "
            + within(("nt", "nt-no-languages", "nt-no-validation", "nt-neither"), reference)
            + "."
        )
    return out


def replace_section(document: str, text: str) -> str:
    return measure.replace_section(document, text, BEGIN, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_levers", description=__doc__)
    parser.add_argument("corpus", type=Path, help="a folder of API JSON (build/corpus/json)")
    parser.add_argument("--work", type=Path, default=Path("build/bench/export-levers"))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variant", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--reference", type=float, help="morph-kgc's N-Triples wall time, s")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--out", type=Path, help="write the section into this report")
    args = parser.parse_args(argv)
    if args.variant:  # one run, in this process (measure_levers starts these)
        print(json.dumps(run_variant(args.variant, args.corpus, args.work)))
        return 0
    result = measure_levers(args.corpus, args.work, args.rounds)
    text = section(result, args.reference)
    print(json.dumps(result) if args.json else text)
    if args.out:
        measure.write_section(args.out, text, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
