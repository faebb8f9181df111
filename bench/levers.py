"""The levers of the query catalogue's speed, each measured on the same 20,000-event export.

    python -m bench.levers --store STORE --nt EXPORT.nt [--work DIR] [--out docs/performance.md]

For every catalogue query (queries/*.rq), in one process per store, 5 runs each (the median):

- **now**: the query as it is, on the store of ``aim-kg load`` (a named graph per event, the union
  default graph) -- what ``aim-kg query --store`` and the endpoint run;
- **before**: the formulation it replaced (bench/levers/NAME.rq), where there was one;
- **one graph**: the same query on the N-Triples export bulk-loaded into the default graph of a
  bare store (the store layout lever: no named graphs, a third of the index entries);

The precomputation lever is in the catalogue itself: the figures of the graph contract
(docs/graph.md, "Figures") that the export writes and that ``aim-kg load`` keeps right. "now" reads
them where a query counts; "before" is the query counting at query time. The section also gives
the time of the aggregate with which ``aim-kg load`` recounts the outlets' figures
(kg.sparql.store.recount_outlets) and of the count behind its recount of the co-occurrences
(kg.sparql.store.count_cooccurrences).

Answers are checked: each variant must give the answer of "now". Writes a section into ``--out``
between the markers below, and prints it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from bench.measure import replace_section as _replace_section
from bench.measure import write_section

ROOT = Path(__file__).resolve().parent.parent
LEVERS = ROOT / "bench" / "levers"
BEGIN, END = "<!-- bench.levers: begin -->", "<!-- bench.levers: end -->"
TARGET = 0.100


def _answer(result) -> object:
    if isinstance(result, ox.QueryTriples):
        return sorted(str(t) for t in result)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return [tuple(str(v) if v is not None else "" for v in row) for row in result]


def timed(store: ox.Store, text: str, union: bool, runs: int = 5) -> tuple[float, object]:
    times, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = _answer(store.query(text, use_default_graph_as_union=union))
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def measure(
    store_dir: Path, nt: Path, work: Path, runs: int = 5, corpus: Path | None = None
) -> list[dict]:
    from bench.run import corpus_ids, parametrize
    from bench.sparql import query_files

    ids, biggest = corpus_ids(corpus) if corpus else (set(), None)

    def read(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        return parametrize(text, ids, biggest)[0] if corpus else text

    work.mkdir(parents=True, exist_ok=True)
    one_graph = work / "one-graph"
    # Built once per export: the stamp names the export it holds (a store of an earlier export
    # gave another answer to the queries of figures that export did not have yet).
    stamp, made = work / "one-graph.source", nt.stat()
    source = f"{nt.resolve()} {made.st_size} {made.st_mtime_ns}"
    if not (one_graph / "CURRENT").exists() or not stamp.exists() or stamp.read_text() != source:
        shutil.rmtree(one_graph, ignore_errors=True)
        plain = ox.Store(str(one_graph))
        plain.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        plain.optimize()
        del plain
        stamp.write_text(source)
    from kg.sparql.store import OUTLET_COUNTS, count_cooccurrences

    load_before = os.getloadavg()[0]
    now_store = ox.Store.read_only(str(store_dir))
    plain_store = ox.Store.read_only(str(one_graph))
    recount_seconds, _ = timed(now_store, OUTLET_COUNTS, True, runs)
    pair_times = []
    for _ in range(runs):
        started = time.perf_counter()
        count_cooccurrences(now_store)
        pair_times.append(time.perf_counter() - started)
    rows = []
    for path in query_files(ROOT / "queries"):
        text = read(path)
        entry: dict = {"query": path.name}
        entry["now"], answer = timed(now_store, text, True, runs)
        entry["one graph"], other = timed(plain_store, text, False, runs)
        entry["one graph same"] = other == answer
        if (LEVERS / path.name).exists():
            entry["before"], other = timed(now_store, read(LEVERS / path.name), True, runs)
            entry["before same"] = other == answer
        rows.append(entry)
        shown = ", ".join(
            f"{k} {v * 1000:.0f} ms" for k, v in entry.items() if isinstance(v, float)
        )
        print(f"  {path.name}: {shown}", file=sys.stderr)
    load = [load_before, os.getloadavg()[0]]
    head = {
        "recount_seconds": recount_seconds,
        "cooccurrence_seconds": statistics.median(pair_times),
        "load": load,
    }
    return [head, *rows]


def section(results: list[dict]) -> str:
    head, rows = results[0], results[1:]

    def cell(entry: dict, key: str) -> str:
        if key not in entry:
            return ""
        mark = "" if entry.get(f"{key} same", True) else " (other answer!)"
        return f"{entry[key] * 1000:.0f} ms{mark}"

    lines = [
        BEGIN,
        "## Query levers",
        "",
        "Each catalogue query's median (5 runs, in one process, on this machine, 20,000 events) "
        "under each lever of issue 13. **now**: the catalogue as it is, on the `aim-kg load` "
        "store (a named graph per event, union default graph); `multilingual-events`, "
        "`top-outlets`, `events-with-most-articles`, `generated-texts` and "
        "`co-occurring-principles` read the figures of the graph contract "
        '(docs/graph.md, "Figures": written by the export, the outlets\' recounted by '
        "`aim-kg load` with one aggregate, "
        f"{head['recount_seconds'] * 1000:.0f} ms on this store"
        + (
            f", the co-occurrences with one per paired facet, "
            f"{head['cooccurrence_seconds'] * 1000:.0f} ms"
            if "cooccurrence_seconds" in head
            else ""
        )
        + "). **before**: the formulation "
        "it replaced (bench/levers/), for those five the count at query time. **one graph**: "
        "the same query on the N-Triples export in the default graph of a bare store (the "
        "store-layout lever). Every variant gives the answer of **now** unless the cell says "
        "otherwise. Generated by `python -m bench.levers` (and by `make bench`)"
        + (
            f"; the machine's load average (this run included) was {head['load'][0]:.1f} at the "
            f"start and {head['load'][1]:.1f} at the end (on {os.cpu_count()} cores: figures taken "
            "under load are slower than on an idle machine)."
            if "load" in head
            else "."
        ),
        "",
        "| query | now | before | one graph | < 100 ms now |",
        "|---|---|---|---|---|",
    ]
    for e in rows:
        ok = "✅" if e["now"] < TARGET else "❌"
        lines.append(
            f"| {e['query']} | {cell(e, 'now')} | {cell(e, 'before')} | {cell(e, 'one graph')} "
            f"| {ok} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def replace_section(document: str, text: str) -> str:
    """The document with this report's section replaced (or appended)."""
    return _replace_section(document, text, BEGIN, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.levers", description=__doc__)
    parser.add_argument("--store", type=Path, required=True, help="a store made by aim-kg load")
    parser.add_argument("--nt", type=Path, required=True, help="the same export as N-Triples")
    parser.add_argument("--corpus", type=Path, default=None, help="the corpus of the export")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench" / "levers")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="the report to update (.md)")
    args = parser.parse_args(argv)
    results = measure(args.store, args.nt, args.work, args.runs, args.corpus)
    (args.work / "results.json").write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    text = section(results)
    print(text)
    if args.out:
        write_section(args.out, text, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
