"""The N-Triples and Turtle text that kg/write/syntax.py makes must be Oxigraph's, byte for byte:
on hostile strings, every kind of local name and literal, and overlapping prefixes."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from kg.namespaces import RDF_TYPE, XSD, prefixes
from kg.terms import BNode, Lit, ox_triples, text
from kg.write.syntax import NTriplesText, TurtleText

BASE = "https://w3id.org/aim-kg/id/"
# Overlapping namespaces: an IRI under "ex:" is also under "exlong:".
PREFIXES = {**prefixes(BASE), "ex": "http://example.org/", "exlong": "http://example.org/long/"}

LOCALS = [
    "b", "b.c", "b-c", "1b", "_b", "b_", "b.", "b%20c", "b/c", "b:c", "b#c", "-b", "é", "b~c",
    "b'c", "", "b(c)", "long/x", "long/", "event-2024-01-01-abcd", "x y", "ü-1", "a.b.c",
]  # fmt: skip
CHARS = [chr(c) for c in range(0x80)] + list("\u0085\u2028\u00a0é\ufeff€𝄞中文")


def _strings(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(CHARS) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def _triples() -> list[tuple]:
    iris = [ns + local for ns in PREFIXES.values() for local in LOCALS]
    iris.append("urn:uuid:0f0e")
    iris = [i for i in iris if _is_iri(i)]
    literals = [Lit(s) for s in _strings(200, 1)]
    literals += [
        text(s, lang)
        for s, lang in zip(_strings(50, 2), ["en", "en-gb", "pt-br"] * 20, strict=False)
    ]
    literals += [
        Lit(v, XSD + d)
        for v, d in [
            ("5", "integer"), ("-5", "integer"), ("+5", "integer"), ("05", "integer"),
            ("abc", "integer"), ("1.5", "decimal"), (".5", "decimal"), ("1e3", "double"),
            ("true", "boolean"), ("1", "boolean"), ("2020-01-01", "date"), ("x\ny", "date"),
        ]
    ]  # fmt: skip
    literals.append(Lit("x", "http://example.org/long/type"))
    rng = random.Random(3)
    out = []
    for s in iris:
        for _ in range(3):
            p = rng.choice([RDF_TYPE, *iris])
            out.append((s, p, rng.choice(iris + literals)))
            out.append((s, p, rng.choice(literals)))
    for o in literals:
        out.append((rng.choice(iris), rng.choice(iris), o))
    return out


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def test_ntriples_and_nquads_are_oxigraphs():
    triples = _triples()
    ours = NTriplesText()
    expected = ox.serialize(ox_triples(triples), format=ox.RdfFormat.N_TRIPLES).decode()
    assert ours.lines(triples) == expected
    graph = ox.NamedNode(BASE + "event-1")
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox_triples(triples)]
    assert (
        ours.lines(triples, graph.value)
        == ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()
    )


@pytest.mark.parametrize("order", ["grouped", "shuffled"])
def test_turtle_is_oxigraphs(order):
    triples = _triples()
    if order == "shuffled":  # runs of one subject broken up, predicates repeated out of order
        random.Random(4).shuffle(triples)
    data = ox.serialize(ox_triples(triples), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    expected = data.decode().split("\n", len(PREFIXES))[-1]
    assert TurtleText(PREFIXES).statements(triples) == expected
    # and it parses back to the same triples
    header = "".join(f"@prefix {n}: <{i}> .\n" for n, i in PREFIXES.items())
    parsed = set(
        ox.parse(header + TurtleText(PREFIXES).statements(triples), format=ox.RdfFormat.TURTLE)
    )
    assert parsed == {ox.Quad(t.subject, t.predicate, t.object) for t in ox_triples(triples)}


def test_turtle_leaves_blank_nodes_to_oxigraph():
    assert TurtleText(PREFIXES).statements([(BNode("b0"), RDF_TYPE, BASE + "x")]) is None
    assert TurtleText(PREFIXES).statements([(BASE + "x", RDF_TYPE, BNode("b0"))]) is None


def test_an_invalid_iri_is_refused_not_written():
    for writer in (NTriplesText(), TurtleText(PREFIXES)):
        with pytest.raises(ValueError):
            writer.iri("http://example.org/a b")
