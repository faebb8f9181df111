"""The precomputed figures (docs/graph.md, "Figures") equal the SPARQL counts they stand for.

An event's aim:articleCount, aim:languageCount and aim:articleRationaleCount, an outlet's aim:coveredEventCount and
aim:publishedArticleCount, a co-occurrence's aim:eventCount are written by the export; aim-kg
load recounts the outlets' figures and the co-occurrences over the whole store after every load.
Checked on the bundled examples and on the mirror records: in a plain export (its one graph, no
union), in the store of one load, and in a store after partial loads, one of which drops articles
that the store's outlets had been counted with, another changes an event's principles.
"""

from __future__ import annotations

import json
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import MIRROR, ROOT

import kg
from kg.model.triples import Minter
from kg.namespaces import AIMID, XSD
from kg.sparql import store

XSD_INTEGER = XSD + "integer"

EXAMPLES = ROOT / "kg" / "examples"
PREFIXES = """
PREFIX aim:    <https://w3id.org/aim-kg/ontology#>
PREFIX aimid:  <https://w3id.org/aim-kg/id/>
PREFIX schema: <https://schema.org/>
"""

# What each figure counts, as SPARQL: the definitions of ontology/aim.ttl.
EVENT_COUNTS = (
    PREFIXES
    + """
SELECT ?node (COUNT(DISTINCT ?article) AS ?articleCount) (COUNT(DISTINCT ?language) AS ?languageCount)
       (COUNT(DISTINCT ?rationale) AS ?articleRationaleCount)
WHERE {
  ?node a aim:Event .
  OPTIONAL {
    ?node aim:article ?article .
    OPTIONAL { ?article schema:inLanguage ?language }
    OPTIONAL { ?article aim:rationale ?rationale . ?rationale schema:about ?node }
  }
}
GROUP BY ?node
"""
)
OUTLET_COUNTS = (
    PREFIXES
    + """
SELECT ?node (COUNT(DISTINCT ?event) AS ?coveredEventCount)
       (COUNT(DISTINCT ?article) AS ?publishedArticleCount)
WHERE {
  ?node a aim:Outlet .
  OPTIONAL { ?article schema:publisher ?node ; schema:about ?event }
}
GROUP BY ?node
"""
)
# The figures as written: every value, so that a missing or a second one shows.
FIGURES = (
    PREFIXES
    + """
SELECT DISTINCT ?node ?figure ?value
WHERE {
  { ?node a aim:Event } UNION { ?node a aim:Outlet }
  VALUES ?figure {
    aim:articleCount aim:languageCount aim:articleRationaleCount
    aim:coveredEventCount aim:publishedArticleCount
  }
  ?node ?figure ?value .
}
"""
)
AIM = "https://w3id.org/aim-kg/ontology#"

# A co-occurrence's figure, as SPARQL: the events that carry both principles (one row per pair).
PAIR_COUNTS = (
    PREFIXES
    + """
SELECT ?a ?b (COUNT(DISTINCT ?event) AS ?events)
WHERE { ?event aim:principle ?a , ?b . FILTER (STR(?a) < STR(?b)) }
GROUP BY ?a ?b
"""
)
# The co-occurrences as written: every concept and value, so that a third or a second one shows.
PAIRS = (
    PREFIXES
    + """
SELECT ?node ?concept ?value
WHERE {
  ?node a aim:Cooccurrence .
  OPTIONAL { ?node aim:concept ?concept }
  OPTIONAL { ?node aim:eventCount ?value }
}
"""
)


def assert_cooccurrences_right(st: ox.Store, union: bool, base_iri: str = AIMID) -> int:
    """Every pair of principles on an event has one node, named by its two concepts, whose
    aim:eventCount is the number of those events; no other node. Returns the number of pairs."""
    counted = {
        (row["a"].value, row["b"].value): int(row["events"].value)
        for row in st.query(PAIR_COUNTS, use_default_graph_as_union=union)
    }
    concepts, values = defaultdict(set), defaultdict(set)
    for row in st.query(PAIRS, use_default_graph_as_union=union):
        if row["concept"] is not None:
            concepts[row["node"].value].add(row["concept"].value)
        if row["value"] is not None:
            values[row["node"].value].add(row["value"])
    written = {}
    for node, pair in concepts.items():
        assert len(pair) == 2, f"{node} pairs {sorted(pair)}"
        assert len(values[node]) == 1, f"{node} has the counts {values[node]}"
        (value,) = values[node]
        assert value.datatype.value == XSD_INTEGER
        a, b = sorted(pair)
        assert node == Minter(base_iri).cooccurrence(a, b)
        written[a, b] = int(value.value)
    assert written == counted
    assert counted, "the data has events with two principles or more"
    return len(counted)


def figures_and_counts(st: ox.Store, union: bool) -> tuple[dict, dict]:
    """{(node, figure): sorted values} as written, and as counted."""
    written: dict = {}
    for row in st.query(FIGURES, use_default_graph_as_union=union):
        written.setdefault((str(row["node"]), row["figure"].value), []).append(str(row["value"]))
    counted: dict = {}
    for query in (EVENT_COUNTS, OUTLET_COUNTS):
        result = st.query(query, use_default_graph_as_union=union)
        names = [v.value for v in result.variables][1:]
        for row in result:
            for name in names:
                counted[(str(row["node"]), AIM + name)] = [str(row[name])]
    return {k: sorted(v) for k, v in written.items()}, counted


def assert_figures_right(st: ox.Store, union: bool, events: int, outlets: int) -> None:
    written, counted = figures_and_counts(st, union)
    nodes = {node for node, _ in counted}
    assert len(nodes) == events + outlets, "the data holds the events and outlets expected"
    wrong = {k: (written.get(k), v) for k, v in counted.items() if written.get(k) != v}
    assert not wrong, f"figures (written, counted) that differ: {sorted(wrong.items())[:5]}"
    assert written.keys() == counted.keys()


def export(folder: Path, inputs: list[str]) -> tuple[kg.ExportResult, Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    nq, nt = folder / "data.nq", folder / "data.nt"
    result = kg.export(inputs, [nq, nt], jobs=1)
    assert result.rejected == 0 and result.events > 0
    return result, nq, nt


def load(st: ox.Store, data: Path) -> store.LoadReport:
    with ExitStack() as stack:
        return store.load(st, store.read([str(data)], stack))


def store_counts(st: ox.Store) -> tuple[int, int]:
    """(events, outlets) in a store."""
    ask = PREFIXES + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a aim:%s }"
    return tuple(
        int(next(iter(st.query(ask % cls, use_default_graph_as_union=True)))["n"].value)
        for cls in ("Event", "Outlet")
    )


def split(inputs: list[Path], folder: Path) -> tuple[list[str], list[str]]:
    """Two halves of the inputs (the mirror's one file is cut into two files of records)."""
    if len(inputs) == 1:
        records = json.loads(inputs[0].read_text(encoding="utf-8"))
        half = len(records) // 2
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "first.json", folder / "second.json"]
        for path, part in zip(paths, (records[:half], records[half:]), strict=True):
            path.write_text(json.dumps(part), encoding="utf-8")
        return [str(paths[0])], [str(paths[1])]
    half = len(inputs) // 2
    return [str(p) for p in inputs[:half]], [str(p) for p in inputs[half:]]


CORPORA = {
    "examples": sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".txt", ".json", ".jsonl")),
    "mirror": [MIRROR],
}


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_figures_equal_their_counts_in_the_export_and_the_store(corpus, tmp_path):
    result, nq, nt = export(tmp_path / "all", [str(p) for p in CORPORA[corpus]])
    plain = ox.Store()
    plain.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    assert_figures_right(plain, False, result.events, result.outlets)
    pairs = assert_cooccurrences_right(plain, False)
    loaded = ox.Store()
    report = load(loaded, nq)
    assert report.recounted == 0  # the export's outlet figures are the store's
    assert report.recounted_cooccurrences == 0  # and so are its co-occurrences
    assert_figures_right(loaded, True, result.events, result.outlets)
    assert assert_cooccurrences_right(loaded, True) == pairs


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_figures_stay_right_after_partial_loads(corpus, tmp_path):
    first, second = split(CORPORA[corpus], tmp_path / "inputs")
    _, first_nq, _ = export(tmp_path / "first", first)
    _, second_nt, _ = export(tmp_path / "second", second)
    st = ox.Store()
    load(st, first_nq)
    load(st, second_nt)  # the second part, from a one-graph export (split into events by load)
    assert_figures_right(st, True, *store_counts(st))
    assert_cooccurrences_right(st, True)


def test_a_load_that_drops_articles_recounts_the_outlets(tmp_path):
    """A record loaded again without its articles: the outlets it cited count less, and an
    outlet no event cites any more counts 0 and 0."""
    st = loaded_examples(tmp_path)
    records = json.loads((EXAMPLES / "records" / "aim-records.json").read_text(encoding="utf-8"))
    # 2025-08-27-e12c is the only event of the examples citing The New York Times
    record = next(r for r in records if r["id"] == "2025-08-27-e12c")
    changed = [dict(record, articles=[], n_articles=0)]
    (tmp_path / "changed.json").write_text(json.dumps(changed), encoding="utf-8")
    _, changed_nq, _ = export(tmp_path / "changed", [str(tmp_path / "changed.json")])
    report = load(st, changed_nq)
    assert report.events == 1 and report.replaced == 1
    assert report.recounted > 0  # the export's figures were not the store's: corrected
    assert_figures_right(st, True, *store_counts(st))
    zero = PREFIXES + (
        "ASK { aimid:outlet-the-new-york-times aim:coveredEventCount 0 ; "
        "aim:publishedArticleCount 0 }"
    )
    assert st.query(zero, use_default_graph_as_union=True)


def test_a_reload_that_changes_principles_recounts_the_cooccurrences(tmp_path):
    """A record loaded again with other principles: the pairs it no longer has count one event
    less (a pair it alone had loses its node), its new pairs count one more (a new pair gets a
    node); loading the first version back puts every node back as it was."""
    _, nq, _ = export(tmp_path / "all", [str(EXAMPLES)])
    st = ox.Store()
    load(st, nq)
    before = assert_cooccurrences_right(st, True)
    records = json.loads((EXAMPLES / "records" / "aim-records.json").read_text(encoding="utf-8"))
    # 2025-08-27-e12c is the only event with Accountability and Human wellbeing; no event has
    # Sustainability
    record = next(r for r in records if r["id"] == "2025-08-27-e12c")
    assert {"Accountability", "Human wellbeing"} <= set(record["properties"]["principles"])
    properties = dict(record["properties"], principles=["Sustainability", "Fairness"])
    (tmp_path / "changed.json").write_text(
        json.dumps([dict(record, properties=properties)]), encoding="utf-8"
    )
    _, changed_nq, _ = export(tmp_path / "changed", [str(tmp_path / "changed.json")])
    gone = PREFIXES + (
        "ASK { aimid:cooccurrence-principle-accountability--principle-human-wellbeing ?p ?o }"
    )
    new = PREFIXES + (
        "ASK { aimid:cooccurrence-principle-fairness--principle-sustainability aim:eventCount 1 }"
    )
    assert st.query(gone, use_default_graph_as_union=True)
    assert not st.query(new, use_default_graph_as_union=True)
    report = load(st, changed_nq)
    assert report.replaced == 1 and report.recounted_cooccurrences > 0
    assert_cooccurrences_right(st, True)
    assert not st.query(gone, use_default_graph_as_union=True)
    assert st.query(new, use_default_graph_as_union=True)
    report = load(st, nq)
    assert report.recounted_cooccurrences > 0
    assert assert_cooccurrences_right(st, True) == before
    assert st.query(gone, use_default_graph_as_union=True)
    assert not st.query(new, use_default_graph_as_union=True)


def sparql_blocks() -> list[str]:
    """The SPARQL Updates of docs/graph.md's "Figures": the outlets', the co-occurrences'."""
    docs = (ROOT / "docs" / "graph.md").read_text(encoding="utf-8")
    section = docs.split("## Figures", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0] for block in section.split("```sparql")[1:]]


def loaded_examples(tmp_path) -> ox.Store:
    """The bundled examples, exported to N-Quads and loaded into a store in memory."""
    _, nq, _ = export(tmp_path / "all", [str(EXAMPLES)])
    st = ox.Store()
    load(st, nq)
    return st


def test_the_update_of_docs_graph_md_recounts_the_cooccurrences(tmp_path):
    """docs/graph.md's second Update rewrites every co-occurrence from the events: on a store
    with a wrong count, a node too many and one missing, it makes them right."""
    update = sparql_blocks()[1]
    st = loaded_examples(tmp_path)
    st.update(
        PREFIXES
        + """
        DELETE { GRAPH ?g { ?pair aim:eventCount ?n } } INSERT { GRAPH ?g { ?pair aim:eventCount 99 } }
        WHERE { GRAPH ?g { ?pair aim:eventCount ?n } } ;
        DELETE WHERE {
          GRAPH ?g { aimid:cooccurrence-principle-accountability--principle-human-wellbeing ?p ?o }
        } ;
        INSERT DATA { GRAPH aimid:graph-shared {
          aimid:cooccurrence-principle-fairness--principle-sustainability a aim:Cooccurrence ;
            aim:concept <https://w3id.org/aim-kg/taxonomy/principle-fairness> ,
              <https://w3id.org/aim-kg/taxonomy/principle-sustainability> ;
            aim:eventCount 1 } }
        """
    )
    with pytest.raises(AssertionError):
        assert_cooccurrences_right(st, True)
    st.update(update)
    assert_cooccurrences_right(st, True)
    assert store.recount_cooccurrences(st, store.shared_graph()) == 0  # as the load counts


def test_the_update_of_docs_graph_md_recounts_the_outlets(tmp_path):
    """docs/graph.md gives a SPARQL Update for stores that aim-kg push fills (which cannot
    recount): on a store whose outlet figures are all wrong, it makes them right."""
    update = sparql_blocks()[0]
    st = loaded_examples(tmp_path)
    st.update(
        PREFIXES
        + """
        DELETE { GRAPH ?g { ?o aim:coveredEventCount ?e } } INSERT { GRAPH ?g { ?o aim:coveredEventCount 99 } }
        WHERE { GRAPH ?g { ?o aim:coveredEventCount ?e } }
        """
    )
    with pytest.raises(AssertionError):
        assert_figures_right(st, True, *store_counts(st))
    st.update(update)
    assert_figures_right(st, True, *store_counts(st))
