"""``aim-kg validate`` and ``kg.validate``: RDF files or graphs against the shapes, with a
readable report."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from kg import rdffile, terms
from kg.namespaces import SH
from kg.shacl.engine import Result, data_shapes, sort_key
from kg.shacl.report import pyshacl_results, report_triples
from kg.terms import Triple
from kg.write import atomic_output, format_of


def load(name: str, format_name: str | None = None) -> list[Triple]:
    """The triples of an RDF file (quads of every graph, as triples); - is standard input."""
    fmt = rdffile.format_named(format_name or "turtle") if name == "-" or format_name else None
    return rdffile.read_triples(name, fmt)


def validate_files(names: list[str], format_name: str | None, engine: str) -> list[Result]:
    data: list[Triple] = []
    for name in names:
        data += load(name, format_name)
    return validate_triples(data, engine)


def from_rdflib(graph) -> list[Triple]:
    """The triples of an rdflib graph (or dataset) as plain terms."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return terms.parse(data, ox.RdfFormat.N_TRIPLES)


def validate_triples(data: list[Triple], engine: str = "fast") -> list[Result]:
    """The results of validating data (with the vocabulary, RDFS inference), sorted."""
    if engine == "pyshacl":
        import rdflib

        graph = rdflib.Graph()
        graph.parse(data=terms.serialize(data, ox.RdfFormat.N_TRIPLES), format="nt")
        return sorted(pyshacl_results(graph), key=sort_key)
    return sorted(data_shapes().validate(data), key=sort_key)


def conforms(results: list[Result], allow_warnings: bool = False) -> bool:
    """SHACL's conformance: no result at all (with ``allow_warnings``: no violation)."""
    if allow_warnings:
        return not any(r.is_violation for r in results)
    return not results


def describe(results: list[Result], conforms: bool | None = None) -> list[str]:
    """Readable lines: each result, a count per shape, then the verdict."""
    lines = [str(r) for r in results]
    counts = Counter((r.severity, str(r.shape).rsplit("#", 1)[-1]) for r in results)
    for (severity, shape), n in sorted(counts.items()):
        lines.append(f"  {n:6d} {severity.lower()}(s) from {shape}")
    if conforms is not None:
        violations = sum(r.is_violation for r in results)
        lines.append(
            f"{'conforms' if conforms else 'does not conform'}: {violations} violations, "
            f"{len(results) - violations} warnings"
        )
    return lines


def write_report(results: list[Result], path: str, allow_warnings: bool = False) -> None:
    fmt = format_of(path)
    with atomic_output(path) as out:
        out.write(
            terms.serialize(
                report_triples(results, conforms(results, allow_warnings)),
                fmt.rdf_format,
                **({"prefixes": {"sh": SH}} if fmt.name == "turtle" else {}),
            )
        )
