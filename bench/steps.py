"""Where an export's time goes, step by step: read, map, validate, write per format.

    python -m bench.steps CORPUS_JSON [--out docs/performance.md]

Runs every step of the export over the corpus in ONE process (no workers), event by event,
exactly as a worker does (kg.pipeline.Worker), and adds up the CPU time of each step:

- read, JSON: the records decoded from the files, with the depth guard (the main process);
- read, records: records to model events, language identification excluded;
- read, languages: identifying the language of every headline (cached per process, as a
  worker does);
- spill: an event pickled and unpickled (phase 1 hands events to phase 2 this way);
- map: events to triples; validate: the compiled SHACL shapes, per event;
- write: each format's bytes of each event.

The sum is the CPU an export spends on its own work; the export's wall time on two cores
(bench.run) is about half of it plus what the processes spend passing data to each other. The
table goes into the report between markers (``make bench`` writes it).
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

BEGIN, END = "<!-- bench.steps: begin -->", "<!-- bench.steps: end -->"
FORMATS = ("turtle", "jsonld", "ntriples", "nquads")


def measure(corpus_json: Path) -> dict:
    """CPU seconds per step over every record of the corpus, in this process."""
    from kg.model import triples
    from kg.namespaces import AIMID
    from kg.pipeline import Job, Worker
    from kg.read import lang, record
    from kg.read.sources import discover, read_units
    from kg.write import format_named

    clock = time.process_time
    spent: Counter = Counter()
    detect = lang.detect

    def timed_detect(text: str):
        start = clock()
        try:
            return detect(text)
        finally:
            spent["read, languages"] += clock() - start

    record.lang = _Lang(timed_detect)
    worker = Worker(Job(AIMID, tuple(format_named(n) for n in FORMATS)))
    files, _ = discover([str(corpus_json)], outputs=[])
    events = triple_count = 0
    try:
        for name in files:
            units = iter(read_units(name))
            while True:
                start = clock()
                unit = next(units, None)
                spent["read, JSON"] += clock() - start
                if unit is None:
                    break
                start = clock()
                read = worker._read_unit(unit)
                spent["read, records"] += clock() - start
                if read.data is None:
                    continue
                start = clock()
                event = pickle.loads(read.data)
                spent["spill"] += clock() - start
                start = clock()
                block = triples.event_block(event, worker.vocab, worker.minter, frozenset())
                spent["map"] += clock() - start
                start = clock()
                places = triples.country_block(block.countries, worker.countries)
                worker.shapes.validate(
                    [*block.triples, *places], triples.outlet_stubs(o for o, _ in block.outlets)
                )
                spent["validate"] += clock() - start
                for fmt, writer in zip(FORMATS, worker.writers, strict=True):
                    start = clock()
                    writer.block(block.triples, block.iri)
                    spent[f"write, {fmt}"] += clock() - start
                events += 1
                triple_count += len(block.triples)
    finally:
        record.lang = lang
        worker.close()
    # Pickling is timed inside "read, records" (the worker pickles what it read): move it.
    spent["read, records"] -= spent["read, languages"]
    return {"events": events, "triples": triple_count, "cpu": dict(spent)}


class _Lang:
    """kg.read.lang as the record reader sees it, with detect timed."""

    def __init__(self, detect):
        self.detect = detect


STEPS = [
    ("read, JSON", "read: API JSON decoded, depth guard (the main process)"),
    ("read, records", "read: records to events, without languages (pickled for phase 2)"),
    ("read, languages", "read: headline languages (fastText + CLD2, cached per process)"),
    ("spill", "spill: an event unpickled in phase 2"),
    ("map", "map: event to triples"),
    ("validate", "validate: compiled SHACL shapes, per event"),
    ("write, turtle", "write: Turtle"),
    ("write, jsonld", "write: JSON-LD"),
    ("write, ntriples", "write: N-Triples"),
    ("write, nquads", "write: N-Quads"),
]


def section(result: dict) -> str:
    cpu = result["cpu"]
    three = sum(cpu.get(k, 0) for k, _ in STEPS if k not in ("write, nquads",))
    nt_only = sum(
        cpu.get(k, 0) for k, _ in STEPS if not k.startswith("write") or k == "write, ntriples"
    )
    lines = [
        BEGIN,
        "## Export, step by step",
        "",
        f"CPU seconds of each step of the export over the {result['events']:,}-event corpus "
        f"({result['triples']:,} triples), in one process, event by event as a worker runs them "
        "(`python -m bench.steps`, run by `make bench`). Two workers share these steps; the "
        "export's wall time is about half of the sum, plus the passing of data between "
        "processes and what the main process does alone.",
        "",
        "| step | CPU s | µs per event | share of .ttl + .jsonld + .nt |",
        "|---|---|---|---|",
    ]
    for key, label in STEPS:
        value = cpu.get(key, 0.0)
        share = f"{100 * value / three:.0f}%" if key != "write, nquads" else "—"
        per_event = 1e6 * value / max(result["events"], 1)
        lines.append(f"| {label} | {value:.1f} | {per_event:,.0f} | {share} |")
    lines += [
        f"| **sum, .ttl + .jsonld + .nt** | **{three:.1f}** | "
        f"{1e6 * three / max(result['events'], 1):,.0f} | 100% |",
        f"| **sum, .nt alone** | **{nt_only:.1f}** | "
        f"{1e6 * nt_only / max(result['events'], 1):,.0f} | |",
        "",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("corpus", type=Path, help="a folder of API JSON (build/corpus/json)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--out", type=Path, help="write the section into this report")
    args = parser.parse_args(argv)
    result = measure(args.corpus)
    if args.json:
        print(json.dumps(result))
    else:
        print(section(result))
    if args.out:
        from bench.measure import write_section

        write_section(args.out, section(result), BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
