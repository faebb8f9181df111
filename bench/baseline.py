"""The straightforward pipeline, for comparison: one rdflib Graph, rdflib's serializers, pySHACL.

    python -m bench.baseline INPUT... --out DIR [--skip-shacl]

Reads the inputs with aim-kg's own readers and maps them with aim-kg's own triples (so the graph
is the one aim-kg exports), then does what one would do without aim-kg's pipeline: add every
triple to ONE rdflib Graph, serialize it with rdflib to Turtle, JSON-LD (with the project's
context) and N-Triples, and validate the whole graph in ONE pySHACL run with RDFS inference, the
ontology and alignments as ``ont_graph`` and the taxonomies added to the data graph (as
kg.shacl.report.pyshacl_results does). Each step prints one JSON line on stdout as soon as it ends
(seconds, the process's peak RSS so far), so a run stopped by a timeout still reports the steps
it finished.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _report(step: str, started: float, **extra) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = {"step": step, "seconds": round(time.perf_counter() - started, 3), "rss_mb": peak}
    line.update(extra)
    print(json.dumps(line), flush=True)


def read_and_map(inputs: list[str]) -> tuple[list, int]:
    """aim-kg's readers and triples, in one process: the pyoxigraph triples of the corpus."""
    from kg.model import triples as kt
    from kg.model.events import merge
    from kg.read.page import read_page
    from kg.read.record import read_record
    from kg.read.sources import discover, read_units
    from kg.vocab import vocabulary

    vocab = vocabulary()
    files, _ = discover(inputs)
    copies = defaultdict(list)
    rejected = 0
    for name in files:
        for unit in read_units(name):
            if unit.kind == "page":
                event, _ = read_page(unit.payload, unit.file, unit.stem, vocab)
            elif unit.kind == "record":
                event, _ = read_record(unit.payload, unit.file, unit.line, vocab)
            else:
                event = None
            if event is None:
                rejected += 1
                continue
            copies[event.id].append(event)
    minter = kt.Minter()
    out: list = []
    spellings: dict[str, Counter] = defaultdict(Counter)
    figures = kt.OutletFigures()
    concepts: set[str] = set()
    for event_id in sorted(copies):
        group = copies[event_id]
        event = merge(group) if len(group) > 1 else group[0]
        event.id = event_id
        block = kt.event_block(event, vocab, minter)
        out += block.triples
        for outlet, spelling in block.outlets:
            spellings[outlet][spelling] += 1
        figures.add(block.published)
        concepts |= block.concepts
    for outlet in sorted(spellings):
        out += kt.outlet_block(outlet, spellings[outlet], figures.of(outlet))
    out += kt.concept_block(concepts, vocab)
    return out, rejected


def to_rdflib(term):
    """An aim-kg term as an rdflib term: a pyoxigraph term, or aim-kg's plain values (an IRI as a
    str, a blank node as a str subclass named BNode, a literal with value/datatype/language)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, str):
        return BNode(str(term)) if type(term).__name__ == "BNode" else URIRef(term)
    value, datatype, language = term.value, term.datatype, term.language
    datatype = getattr(datatype, "value", datatype)
    if language:
        return Literal(value, lang=language)
    if datatype == XSD_STRING:
        return Literal(value)
    return Literal(value, datatype=URIRef(datatype))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--skip-shacl", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    import pyshacl
    import rdflib

    from kg import resources
    from kg.context import build_context
    from kg.namespaces import prefixes

    t = time.perf_counter()
    triples, rejected = read_and_map(args.inputs)
    _report("read", t, triples=len(triples), rejected=rejected)

    t = time.perf_counter()
    graph = rdflib.Graph()
    for name, iri in prefixes().items():
        graph.bind(name, iri, override=True, replace=True)
    add = graph.add
    for subject, predicate, obj in triples:
        add((to_rdflib(subject), to_rdflib(predicate), to_rdflib(obj)))
    del triples
    _report("graph", t, triples=len(graph))

    t = time.perf_counter()
    graph.serialize(args.out / "baseline.ttl", format="turtle", encoding="utf-8")
    _report("turtle", t)

    t = time.perf_counter()
    graph.serialize(
        args.out / "baseline.jsonld", format="json-ld", context=build_context(), encoding="utf-8"
    )
    _report("jsonld", t)

    t = time.perf_counter()
    graph.serialize(args.out / "baseline.nt", format="nt", encoding="utf-8")
    _report("ntriples", t)

    if args.skip_shacl:
        return 0
    t = time.perf_counter()
    ontology, alignments, taxonomies = resources.ontology_files()
    ont = rdflib.Graph()
    ont.parse(ontology)
    ont.parse(alignments)
    graph.parse(taxonomies)
    shapes = rdflib.Graph().parse(resources.data_shapes())
    conforms, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ont, inference="rdfs", allow_warnings=True
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    results = Counter(str(o).rsplit("#", 1)[-1] for o in report.objects(None, sh.resultSeverity))
    _report("shacl", t, conforms=bool(conforms), results=dict(results), data_triples=len(graph))
    return 0


if __name__ == "__main__":
    sys.exit(main())
