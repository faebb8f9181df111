"""``aim-kg validate``: any RDF files against the shapes, with a readable report."""

from __future__ import annotations

import gzip
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from kg import terms
from kg.namespaces import SH
from kg.shacl.engine import Result, data_shapes, sort_key
from kg.shacl.report import pyshacl_results, report_triples
from kg.terms import Triple
from kg.write import atomic_output, format_named, format_of


class LoadError(Exception):
    """A file cannot be read or parsed."""


def _rdf_format(name: str, format_name: str | None) -> ox.RdfFormat:
    if name == "-" or format_name:
        return format_named(format_name or "turtle").rdf_format
    suffix = name[:-3] if name.lower().endswith(".gz") else name
    found = ox.RdfFormat.from_extension(Path(suffix).suffix.lstrip(".").lower())
    if found is None:
        raise LoadError(
            f"{name}: cannot tell the RDF format from the extension "
            "(expected .ttl, .nt, .nq, .trig, .jsonld, .rdf, optionally .gz)"
        )
    return found


def load(name: str, format_name: str | None = None) -> list[Triple]:
    """The triples of an RDF file (quads of every graph, as triples)."""
    fmt = _rdf_format(name, format_name)
    try:
        if name == "-":
            data = sys.stdin.buffer.read()
        elif name.lower().endswith(".gz"):
            with gzip.open(name, "rb") as f:
                data = f.read()
        else:
            data = Path(name).read_bytes()
    except OSError as exc:
        raise LoadError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        return terms.parse(data, format=fmt)
    except SyntaxError as exc:
        raise LoadError(f"{name}: not valid {fmt.name}: {exc}") from None


def validate_files(names: list[str], format_name: str | None, engine: str) -> list[Result]:
    data: list[Triple] = []
    for name in names:
        data += load(name, format_name)
    if engine == "pyshacl":
        import rdflib

        graph = rdflib.Graph()
        graph.parse(data=terms.serialize(data, ox.RdfFormat.N_TRIPLES), format="nt")
        return sorted(pyshacl_results(graph), key=sort_key)
    return sorted(data_shapes().validate(data), key=sort_key)


def describe(results: list[Result]) -> list[str]:
    """Readable lines: each result, then a count per shape."""
    lines = [str(r) for r in results]
    counts = Counter((r.severity, str(r.shape).rsplit("#", 1)[-1]) for r in results)
    for (severity, shape), n in sorted(counts.items()):
        lines.append(f"  {n:6d} {severity.lower()}(s) from {shape}")
    return lines


def write_report(results: list[Result], path: str) -> None:
    fmt = format_of(path)
    with atomic_output(path) as out:
        out.write(
            terms.serialize(
                report_triples(results),
                fmt.rdf_format,
                **({"prefixes": {"sh": SH}} if fmt.name == "turtle" else {}),
            )
        )
