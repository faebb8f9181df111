"""The write floor: the same triples, already in memory, written out with nothing else to do.

    python -m bench.floor EXPORT.nt --out DIR

Parses aim-kg's N-Triples export into a list of pyoxigraph triples (timed apart, not part of the
floor), then times writing them: N-Triples bytes formatted directly (one string per triple) and
through pyoxigraph's serializer, plus pyoxigraph's Turtle and JSON-LD serializers for reference.
The floor is the fastest N-Triples write: what an export cannot beat however fast its reading,
mapping and validation get. Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import pyoxigraph as ox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.floor")
    parser.add_argument("export", type=Path, help="an N-Triples export")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    from kg.namespaces import prefixes

    result: dict = {}
    t = time.perf_counter()
    triples = [q.triple for q in ox.parse(path=str(args.export), format=ox.RdfFormat.N_TRIPLES)]
    result["parse"] = time.perf_counter() - t
    result["triples"] = len(triples)

    # Terms as their N-Triples strings, as a writer that keeps them so would hold them.
    lines = [(str(tr.subject), str(tr.predicate), str(tr.object)) for tr in triples]
    t = time.perf_counter()
    with open(args.out / "floor-direct.nt", "wb") as f:
        f.write("".join(f"{s} {p} {o} .\n" for s, p, o in lines).encode("utf-8"))
    result["direct_nt"] = time.perf_counter() - t
    del lines

    t = time.perf_counter()
    ox.serialize(triples, str(args.out / "floor-ox.nt"), ox.RdfFormat.N_TRIPLES)
    result["ox_nt"] = time.perf_counter() - t

    t = time.perf_counter()
    ox.serialize(triples, str(args.out / "floor-ox.ttl"), ox.RdfFormat.TURTLE, prefixes=prefixes())
    result["ox_turtle"] = time.perf_counter() - t

    t = time.perf_counter()
    ox.serialize(triples, str(args.out / "floor-ox.jsonld"), ox.RdfFormat.JSON_LD)
    result["ox_jsonld"] = time.perf_counter() - t

    result["floor_nt"] = min(result["direct_nt"], result["ox_nt"])
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
