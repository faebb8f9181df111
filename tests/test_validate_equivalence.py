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
from conftest import DATA

from kg.namespaces import AIM, AIMTAX, DCTERMS, RDF_TYPE, SCHEMA
from kg.read.record import read_record
from kg.triples import Minter, concept_block, event_block, outlet_block, outlet_stubs
from kg.validate import data_shapes, pyshacl_results, sort_key

N = ox.NamedNode
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


def corpus(vocab, size: int = 1000):
    """Real mirror records, repeated under new ids, each with a few synthetic articles."""
    rng = random.Random(7)
    records = json.loads((DATA / "aim-mirror-sample.json").read_text(encoding="utf-8"))
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


def _without(triples, predicate: str, subject=None, count: int = 1):
    out, removed = [], 0
    for t in triples:
        if (
            t.predicate.value == predicate
            and removed < count
            and (subject is None or t.subject == subject)
        ):
            removed += 1
            continue
        out.append(t)
    return out


def _first(triples, predicate: str):
    return next(t for t in triples if t.predicate.value == predicate)


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
        e = N(block.iri)
        t = block.triples
        if kind == "missing title":
            t = _without(t, DCTERMS + "title")
        elif kind == "two severities":
            other = {"severity-ai-hazard", "severity-ai-incident"} - {
                x.object.value.rsplit("/", 1)[1] for x in t if x.predicate.value == AIM + "severity"
            }
            t.append(ox.Triple(e, N(AIM + "severity"), N(AIMTAX + other.pop())))
        elif kind == "AI task from the harm scheme":
            t.append(ox.Triple(e, N(AIM + "aiTask"), N(AIMTAX + "harm-type-other")))
        elif kind == "plain-string article date":
            date = _first(t, SCHEMA + "datePublished")
            t = [x for x in t if x != date] + [
                ox.Triple(date.subject, date.predicate, ox.Literal(date.object.value))
            ]
        elif kind == "article without publisher":
            t = _without(t, SCHEMA + "publisher")
        elif kind == "incident with hazard severity":
            t = [
                *_without(t, AIM + "severity"),
                ox.Triple(e, N(AIM + "severity"), N(AIMTAX + "severity-ai-hazard")),
            ]
            t = [
                x
                for x in t
                if not (x.predicate.value == RDF_TYPE and x.object.value == AIM + "Hazard")
            ]
            t.append(ox.Triple(e, N(RDF_TYPE), N(AIM + "Incident")))
        elif kind == "generated text without source type":
            t = _without(t, SCHEMA + "digitalSourceType")
        elif kind == "headline that is a number":
            h = _first(t, SCHEMA + "headline")
            t = [x for x in t if x != h] + [
                ox.Triple(
                    h.subject,
                    h.predicate,
                    ox.Literal("42", datatype=N("http://www.w3.org/2001/XMLSchema#integer")),
                )
            ]
        elif kind == "two autonomy levels":
            t = _without(t, AIM + "autonomyLevel", count=9)
            t += [
                ox.Triple(
                    e,
                    N(AIM + "autonomyLevel"),
                    N(AIMTAX + "autonomy-level-no-action-autonomy-human-support"),
                ),
                ox.Triple(
                    e,
                    N(AIM + "autonomyLevel"),
                    N(AIMTAX + "autonomy-level-high-action-autonomy-human-out-of-the-loop"),
                ),
            ]
        elif kind == "country outside the EU authority":
            t.append(ox.Triple(e, N(AIM + "country"), N("http://example.org/country/FRA")))
        elif kind == "unmapped label (warning)":
            t.append(
                ox.Triple(e, N(AIM + "unmappedLabel"), ox.Literal("Privacy and data governance"))
            )
        elif kind == "no article (warning)":
            articles = {x.object for x in t if x.predicate.value == AIM + "article"}
            t = [x for x in t if x.predicate.value != AIM + "article" and x.subject not in articles]
            t = [x for x in t if not x.subject.value.startswith(tuple(a.value for a in articles))]
        block.triples = t
        planted[block.iri] = kind
    # And an outlet without its name, in the shared part of the graph.
    name = _first(tail, SCHEMA + "name")
    tail.remove(name)
    planted[name.subject.value] = "outlet without name"
    return planted


@pytest.mark.slow
def test_compiled_validation_equals_whole_graph_pyshacl(vocab):
    blocks = corpus(vocab)
    spellings = defaultdict(Counter)
    concepts = set()
    for b in blocks:
        concepts |= b.concepts
        for outlet, spelling in b.outlets:
            spellings[outlet][spelling] += 1
    tail = [t for o in sorted(spellings) for t in outlet_block(o, spellings[o])]
    tail += concept_block(concepts, vocab)
    planted = plant(blocks, tail)

    shapes = data_shapes()
    fast = []
    for b in blocks:
        fast += shapes.validate(b.triples, outlet_stubs(o for o, _ in b.outlets))
    fast += shapes.validate(tail)

    everything = [t for b in blocks for t in b.triples] + tail
    assert len(everything) > 40000
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(everything, format=ox.RdfFormat.N_TRIPLES), format="nt")
    whole = pyshacl_results(graph)

    assert sorted(fast, key=sort_key) == sorted(whole, key=sort_key)
    # Every planted break is reported, on a node of the block it was planted in, and nothing
    # is reported anywhere else.
    owner = {t.subject.value: b.iri for b in blocks for t in b.triples}
    owner.update({t.subject.value: "tail" for t in tail})
    found = defaultdict(set)
    for r in whole:
        found[owner.get(r.focus.value, r.focus.value)].add(r.severity)
    name_planted = next(iri for iri, kind in planted.items() if kind == "outlet without name")
    assert found.pop("tail") == {"Violation"}
    for iri, kind in planted.items():
        if iri == name_planted:
            continue
        expected = "Warning" if "warning" in kind else "Violation"
        assert expected in found.pop(iri, set()), (iri, kind)
    assert not found, f"reported outside the planted events: {sorted(found)[:5]}"
