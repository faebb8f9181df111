"""The SPARQL side: the queries of the catalogue on a pyoxigraph store holding an export.

    python -m bench.sparql load EXPORT.nt --store DIR      bulk-load an on-disk store (timed)
    python -m bench.sparql query QUERY.rq --store DIR [--runs 5] [--union]

The harness builds the store with ``aim-kg load`` when aim-kg has it (one named graph per event,
the vocabulary graphs; queried with the union default graph, as ``aim-kg query`` does) and with
``load`` here otherwise (the export in the default graph).

``load`` builds a RocksDB-backed store in DIR (replacing it) and prints the load time; ``query``
opens it read-only and runs one query ``--runs`` times (fewer once ``--budget`` seconds are
spent), consuming every result, and prints its median and worst time (the first, cold run
included) and the number of results. The harness runs each query in its own process, so a query
that runs away is stopped by a timeout without losing the others. Each command prints one JSON
object on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox


def query_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.rq") if not p.name.startswith("."))


def _consume(result) -> int:
    if isinstance(result, bool | ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in result)


def load(export: Path, store_dir: Path) -> dict:
    shutil.rmtree(store_dir, ignore_errors=True)
    store_dir.mkdir(parents=True)
    t = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(export), format=ox.RdfFormat.N_TRIPLES)
    store.optimize()
    store.flush()
    seconds = time.perf_counter() - t
    return {"load": seconds, "quads": len(store)}


def run_query(text: str, store_dir: Path, runs: int, budget: float, union: bool) -> dict:
    """Run a query ``runs`` times, or fewer once ``budget`` seconds are spent (at least once).
    ``union``: the default graph is the union of all graphs (as ``aim-kg query`` runs them)."""
    store = ox.Store.read_only(str(store_dir))
    times, results = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        results = _consume(store.query(text, use_default_graph_as_union=union))
        times.append(time.perf_counter() - t)
        if sum(times) > budget:
            break
    return {
        "results": results,
        "median": statistics.median(times),
        "worst": max(times),
        "runs": len(times),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sparql")
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load", help="bulk-load an export into an on-disk store")
    p_load.add_argument("export", type=Path)
    p_load.add_argument("--store", type=Path, required=True)
    p_query = sub.add_parser("query", help="time one query on the store")
    p_query.add_argument("query", type=Path)
    p_query.add_argument("--store", type=Path, required=True)
    p_query.add_argument("--runs", type=int, default=5)
    p_query.add_argument(
        "--union", action="store_true", help="the default graph is the union of all graphs"
    )
    p_query.add_argument(
        "--budget", type=float, default=30.0, help="stop repeating after this many seconds"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "load":
            out = load(args.export, args.store)
        else:
            text = args.query.read_text(encoding="utf-8")
            out = run_query(text, args.store, args.runs, args.budget, args.union)
    except (SyntaxError, ValueError, OSError) as exc:  # a broken query is reported, not fatal
        out = {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
