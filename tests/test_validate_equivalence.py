"""Validation keeps its meaning: the compiled per-event validation finds exactly what pySHACL
finds on the whole graph, on a corpus of a thousand events with violations planted in it."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import MIRROR

from kg import resources, terms
from kg.countries import countries
from kg.model.triples import (
    Minter,
    OutletFigures,
    concept_block,
    country_block,
    event_block,
    outlet_block,
    outlet_stubs,
)
from kg.namespaces import AIM, AIMTAX, DCTERMS, RDF_TYPE, SCHEMA, XSD
from kg.read.record import read_record
from kg.shacl.engine import Shapes, data_shapes, sort_key
from kg.shacl.report import pyshacl_results
from kg.terms import Lit

HEADLINES = [
    line.split("\t")[1]
    for line in (Path(__file__).parent / "data" / "headlines.tsv")
    .read_text(encoding="utf-8")
    .splitlines()[1:]
]
OUTLETS = [
    "Europa Press",
    "europa press",
    "Reuters",
    "AP News",
    "El País",
    "El Pais",
    "BBC News",
    "Le Monde",
]


def corpus(vocab, size: int = 300):
    """Every real mirror record (228), some twice under new ids, each with a few synthetic
    articles: the variety of real data at the size where pySHACL runs in seconds."""
    rng = random.Random(7)
    records = json.loads(MIRROR.read_text(encoding="utf-8"))
    minter = Minter()
    blocks = []
    for n in range(size):
        data = dict(records[n % len(records)])
        data["id"] = f"{data['id'][:10]}-{n:04x}"
        data["articles"] = [
            {
                "title": rng.choice(HEADLINES),
                "date": data["data"],
                "publisher": rng.choice(OUTLETS),
                "url": f"https://example.org/{n}/{k}",
                "evidences": [f"Rationale {k} of event {n}."],
            }
            for k in range(rng.randint(1, 4))
        ]
        event, _ = read_record(data, "corpus.json", n, vocab)
        blocks.append(event_block(event, vocab, minter))
    return blocks


def _without(triples, predicate: str, count: int = 1):
    out, removed = [], 0
    for t in triples:
        if t[1] == predicate and removed < count:
            removed += 1
            continue
        out.append(t)
    return out


def _first(triples, predicate: str):
    return next(t for t in triples if t[1] == predicate)


def plant(blocks, tail):
    """One violation (or warning) in every 25th event; returns what was planted where."""
    planted = {}
    kinds = [
        "missing title", "two severities", "AI task from the harm scheme", "plain-string article date",
        "article without publisher", "incident with hazard severity", "generated text without source type",
        "headline that is a number", "two autonomy levels", "country outside the EU authority",
        "unmapped label (warning)", "no article (warning)",
    ]  # fmt: skip
    for i, block in enumerate(blocks[::25]):
        kind = kinds[i % len(kinds)]
        e = block.iri
        t = list(block.triples)
        if kind == "missing title":
            t = _without(t, DCTERMS + "title")
        elif kind == "two severities":
            other = {"severity-ai-hazard", "severity-ai-incident"} - {
                x[2].rsplit("/", 1)[1] for x in t if x[1] == AIM + "severity"
            }
            t.append((e, AIM + "severity", AIMTAX + other.pop()))
        elif kind == "AI task from the harm scheme":
            t.append((e, AIM + "aiTask", AIMTAX + "harm-type-other"))
        elif kind == "plain-string article date":
            date = _first(t, SCHEMA + "datePublished")
            t = [x for x in t if x != date] + [(date[0], date[1], Lit(date[2].value))]
        elif kind == "article without publisher":
            t = _without(t, SCHEMA + "publisher")
        elif kind == "incident with hazard severity":
            t = [
                *_without(t, AIM + "severity"),
                (e, AIM + "severity", AIMTAX + "severity-ai-hazard"),
            ]
            t = [x for x in t if x[1:] != (RDF_TYPE, AIM + "Hazard")]
            t.append((e, RDF_TYPE, AIM + "Incident"))
        elif kind == "generated text without source type":
            t = _without(t, SCHEMA + "digitalSourceType")
        elif kind == "headline that is a number":
            h = _first(t, SCHEMA + "headline")
            t = [x for x in t if x != h] + [(h[0], h[1], Lit("42", XSD + "integer"))]
        elif kind == "two autonomy levels":
            t = _without(t, AIM + "autonomyLevel", count=9)
            t += [
                (
                    e,
                    AIM + "autonomyLevel",
                    AIMTAX + "autonomy-level-no-action-autonomy-human-support",
                ),
                (
                    e,
                    AIM + "autonomyLevel",
                    AIMTAX + "autonomy-level-high-action-autonomy-human-out-of-the-loop",
                ),
            ]
        elif kind == "country outside the EU authority":
            t.append((e, AIM + "country", "http://example.org/country/FRA"))
            planted["http://example.org/country/FRA"] = kind  # a country without name or code
        elif kind == "unmapped label (warning)":
            t.append((e, AIM + "unmappedLabel", Lit("Privacy and data governance")))
        elif kind == "no article (warning)":
            articles = {x[2] for x in t if x[1] == AIM + "article"}
            t = [x for x in t if x[1] != AIM + "article" and not x[0].startswith(tuple(articles))]
        block.triples = t
        planted[block.iri] = kind
    # And an outlet without its name, in the shared part of the graph.
    name = _first(tail, SCHEMA + "name")
    tail.remove(name)
    planted[name[0]] = "outlet without name"
    return planted


@pytest.mark.slow
def test_compiled_validation_equals_whole_graph_pyshacl(vocab):
    blocks = corpus(vocab)
    spellings = defaultdict(Counter)
    concepts = set()
    figures = OutletFigures()
    for b in blocks:
        concepts |= b.concepts
        for outlet, spelling in b.outlets:
            spellings[outlet][spelling] += 1
        figures.add(b.published)
    tail = [t for o in sorted(spellings) for t in outlet_block(o, spellings[o], figures.of(o))]
    tail += concept_block(concepts, vocab)
    tail += country_block({c for b in blocks for c in b.countries}, countries())
    planted = plant(blocks, tail)

    shapes = data_shapes()
    fast = []
    for b in blocks:
        places = country_block(b.countries, countries())  # as the pipeline validates them
        fast += shapes.validate([*b.triples, *places], outlet_stubs(o for o, _ in b.outlets))
    fast += shapes.validate(tail)

    everything = [t for b in blocks for t in b.triples] + tail
    assert len(everything) > 12000
    graph = rdflib.Graph()
    graph.parse(data=terms.serialize(everything, ox.RdfFormat.N_TRIPLES), format="nt")
    whole = pyshacl_results(graph)

    assert sorted(fast, key=sort_key) == sorted(whole, key=sort_key)
    # Every planted break is reported, on a node of the block it was planted in, and nothing
    # is reported anywhere else.
    owner = {t[0]: b.iri for b in blocks for t in b.triples}
    owner.update({t[0]: "tail" for t in tail})
    found = defaultdict(set)
    for r in whole:
        found[owner.get(r.focus, r.focus)].add(r.severity)
    name_planted = next(iri for iri, kind in planted.items() if kind == "outlet without name")
    assert found.pop("tail") == {"Violation"}
    for iri, kind in planted.items():
        if iri == name_planted:
            continue
        expected = "Warning" if "warning" in kind else "Violation"
        assert expected in found.pop(iri, set()), (iri, kind)
    assert not found, f"reported outside the planted events: {sorted(found)[:5]}"


def test_generated_evaluation_equals_the_generic_method(vocab):
    """Each shape's generated evaluate and conforms (Shape.generate) give the generic methods' results, in
    the same order, on every event of the corpus with every planted break."""
    blocks = corpus(vocab, size=150)
    tail = concept_block({c for b in blocks for c in b.concepts}, vocab)
    planted = plant(blocks, [*tail, ("urn:x", SCHEMA + "name", Lit("x"))])
    generated = data_shapes()
    generic = Shapes(resources.data_shapes(), vocab, generate=False)
    assert "evaluate" in vars(generated.targets[0][0])
    assert "evaluate" not in vars(generic.targets[0][0])
    reported = 0
    for b in blocks:
        context = outlet_stubs(o for o, _ in b.outlets)
        places = country_block(b.countries, countries())
        ours = generated.validate([*b.triples, *places], context)
        assert ours == generic.validate([*b.triples, *places], context)
        reported += len(ours)
    assert reported >= len(planted) - 1  # every break planted in an event is reported
