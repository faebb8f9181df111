"""aim-kg load: a persistent store in which loading an event again replaces it.

Every input form gives the same store; loading twice changes nothing; a changed event replaces
the old one whole (no stale title, article or facet remains) and leaves the other events alone;
the taxonomies and the ontology come with every load, once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.namespaces import AIM, AIMID, RDF_TYPE, SCHEMA, SKOS, XSD
from kg.pipeline import export
from kg.sparql import store
from kg.write import format_named
from kg.write.outputs import Output

EXAMPLES = Path(__file__).resolve().parent.parent / "kg" / "examples"
SHARED = store.shared_graph(AIMID)
CC0A = ox.NamedNode(AIMID + "event-2025-08-27-cc0a")


def invoke(*args: str):
    return CliRunner().invoke(cli, [*args])


def count(directory: Path, query: str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") -> int:
    st = ox.Store.read_only(str(directory))
    n = int(next(iter(st.query(query, use_default_graph_as_union=True)))[0].value)
    del st
    return n


def quads(directory: Path) -> set[str]:
    """The store's quads as N-Quads lines (blank nodes, from the ontology, left out)."""
    return {q for triples in graphs(directory).values() for q in triples}


def graphs(directory: Path) -> dict[str, set[str]]:
    st = ox.Store.read_only(str(directory))
    out: dict[str, set[str]] = defaultdict(set)
    for q in st:
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode):
            out[q.graph_name.value].add(str(q))
    del st
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    """The bundled examples in every export format."""
    folder = tmp_path_factory.mktemp("exports")
    names = ["x.ttl", "x.nt", "x.nq", "x.jsonld", "x.nq.gz", "x.ttl.gz"]
    paths = {name: folder / name for name in names}
    fmts = {"x.ttl": "turtle", "x.nt": "ntriples", "x.nq": "nquads", "x.jsonld": "jsonld"}
    fmts |= {"x.nq.gz": "nquads", "x.ttl.gz": "turtle"}
    outputs = [Output(str(paths[n]), format_named(fmts[n])) for n in names]
    assert export([], outputs, jobs=1).rejected == 0
    onto = folder / "onto.ttl"
    export([], [Output(str(onto), format_named("turtle"))], jobs=1, with_ontology=True)
    paths["onto.ttl"] = onto
    return paths


def test_load_twice_same_triple_count(tmp_path):
    st = tmp_path / "store"
    first = invoke("load", "--store", str(st), "-j", "1")
    assert first.exit_code == 0, first.output
    n = count(st)
    second = invoke("load", "--store", str(st), "-j", "1")
    assert second.exit_code == 0, second.output
    assert count(st) == n
    assert "loaded 16 events (0 replaced) and 27 outlets" in first.output
    assert "loaded 16 events (16 replaced) and 27 outlets" in second.output
    assert f"the store holds {n} triples" in second.output


def test_every_format_gives_the_same_store(tmp_path, exports):
    """Raw inputs, and every export format: one graph per event, outlets, the vocabulary."""
    stores = {}
    for name in ["raw", "x.ttl", "x.nt", "x.nq", "x.jsonld", "x.nq.gz", "x.ttl.gz", "onto.ttl"]:
        st = tmp_path / name
        data = [str(EXAMPLES)] if name == "raw" else [str(exports[name])]
        result = invoke("load", *data, "--store", str(st), "-j", "1", "-q")
        assert result.exit_code == 0, result.output
        stores[name] = quads(st)
    reference = stores.pop("raw")
    for name, got in stores.items():
        assert got == reference, name
    # the event graphs are exactly the N-Quads export's
    nq = ox.parse(path=str(exports["x.nq"]))
    exported = {str(q) for q in nq if "/event-" in q.graph_name.value}
    assert {q for q in reference if q.endswith(">") and "/id/event-" in q.rsplit(" ", 1)[1]} == (
        exported
    )


def test_partition_matches_the_nquads_export(exports):
    """A single-graph export split into events gives the N-Quads export's graphs."""
    triples = [q.triple for q in ox.parse(path=str(exports["x.ttl"]))]
    events, shared = store.partition(triples)
    graphs = defaultdict(set)
    for q in ox.parse(path=str(exports["x.nq"])):
        graphs[q.graph_name].add(q.triple)
    assert {g: set(ts) for g, ts in events.items()} == {
        g: ts for g, ts in graphs.items() if g != SHARED
    }
    assert set(shared) == graphs[SHARED]
    assert sum(len(ts) for ts in events.values()) + len(shared) == len(triples)


def test_partition_keeps_what_concerns_each_event():
    """An article about two events goes to both graphs, with its about and rationale for each."""
    n = ox.NamedNode
    t = ox.Triple
    a, b, art = n(AIMID + "event-a"), n(AIMID + "event-b"), n(AIMID + "article-1")
    ra, rb = n(AIMID + "article-1-rationale-a"), n(AIMID + "article-1-rationale-b")
    typ, about, rationale = n(RDF_TYPE), store._ABOUT, store._RATIONALE
    event, article = store._EVENT, store._ARTICLE
    headline = t(art, n(SCHEMA + "headline"), ox.Literal("h"))
    data = [
        t(a, typ, event),
        t(b, typ, event),
        t(a, article, art),
        t(b, article, art),
        headline,
        t(art, about, a),
        t(art, about, b),
        t(art, rationale, ra),
        t(art, rationale, rb),
        t(ra, about, a),
        t(rb, about, b),
        t(n(AIMID + "outlet-x"), n(SCHEMA + "name"), ox.Literal("X")),
    ]
    events, shared = store.partition(data)
    assert set(events[a]) == {
        t(a, typ, event),
        t(a, article, art),
        headline,
        t(art, about, a),
        t(art, rationale, ra),
        t(ra, about, a),
    }
    assert t(art, about, b) in events[b] and t(ra, about, a) not in events[b]
    assert shared == [data[-1]]


def test_reloading_an_event_replaces_it(tmp_path):
    """A changed record replaces its event whole; the other events stay as they were."""
    st = tmp_path / "store"
    assert invoke("load", str(EXAMPLES), "--store", str(st), "-j", "1").exit_code == 0
    before = graphs(st)
    records = json.loads((EXAMPLES / "records" / "aim-records.json").read_text(encoding="utf-8"))
    record = next(r for r in records if r["id"] == "2026-03-02-bc30")
    record["title"] = "Waymo Robotaxi Blocks Ambulance in Austin"
    record["articles"] = record["articles"][:1]  # the AP News article is gone
    record["properties"]["harm_types"] = ["Physical (injury)"]
    changed = tmp_path / "bc30.json"
    changed.write_text(json.dumps(record), encoding="utf-8")
    result = invoke("load", str(changed), "--store", str(st), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "loaded 1 events (1 replaced) and 1 outlets" in result.output
    after = graphs(st)
    bc30 = AIMID + "event-2026-03-02-bc30"
    assert set(after) == set(before)
    for graph in before:
        if graph not in (bc30, SHARED.value):
            assert after[graph] == before[graph], graph
    # Reuters: same name in both loads; AP News's figures are recounted over the store (its
    # article about bc30 is gone: one event, one article left, 2026-08-13-d8a7's)
    figures = ("coveredEventCount", "publishedArticleCount")
    ap_news = [f"<{AIMID}outlet-ap-news> <{AIM}{f}>" for f in figures]
    changed = {
        q for q in after[SHARED.value] ^ before[SHARED.value] if q.startswith(tuple(ap_news))
    }
    assert after[SHARED.value] - changed == before[SHARED.value] - changed
    assert (
        sorted(q.split()[2] for q in after[SHARED.value] & changed) == [f'"1"^^<{XSD}integer>'] * 2
    )
    new = after[bc30]
    titles = [q for q in new if "/title>" in q]
    assert len(titles) == 1 and "Blocks Ambulance" in titles[0]
    assert not any("Austin police say" in q for q in new)  # the dropped article
    assert not any("harm-type-public-interest" in q for q in new)
    assert any("harm-type-physical-injury" in q for q in new)
    assert len(new) < len(before[bc30])
    # AP News is still described: another event (2026-08-13-d8a7) has an AP News article
    assert count(st, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{AIMID}outlet-ap-news> ?p ?o }}") == 5


def test_an_outlet_is_replaced_not_doubled(tmp_path):
    """The latest load that has an outlet gives its names; it never gets two display names."""
    st = tmp_path / "store"
    assert invoke("load", str(EXAMPLES), "--store", str(st), "-j", "1").exit_code == 0
    record = {
        "id": "2026-10-01-abcd",
        "title": "A test event",
        "date": "2026-10-01",
        "summary": "A test summary.[AI generated]",
        "properties": {"harm_levels": ["AI hazard"]},
        "articles": [{"title": "Una noticia", "date": "2026-10-01", "publisher": "EUROPA PRESS"}],
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    assert invoke("load", str(path), "--store", str(st), "-j", "1").exit_code == 0
    names = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{AIMID}outlet-europa-press> <{SCHEMA}name> ?n }}"
    assert count(st, names) == 1
    shared = graphs(st)[SHARED.value]
    assert f'<{AIMID}outlet-europa-press> <{SCHEMA}name> "EUROPA PRESS" <{SHARED.value}>' in shared


def test_the_vocabulary_comes_once(tmp_path, exports):
    st = tmp_path / "store"
    assert invoke("load", str(exports["onto.ttl"]), "--store", str(st), "-q").exit_code == 0
    # a concept no example uses still has its label; a used one has one label, not two
    ask = "SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/aim-kg/taxonomy/%s> <%s> ?o }"
    assert count(st, ask % ("industry-agriculture", SKOS + "prefLabel")) == 1
    assert count(st, ask % ("principle-safety", SKOS + "prefLabel")) == 1
    assert count(st, ask % ("principle-safety", SKOS + "broadMatch")) == 1
    graphs = ox.Store.read_only(str(st))
    names = {g.value for g in graphs.named_graphs()}
    del graphs
    assert {store.ONTOLOGY_GRAPH.value, store.TAXONOMY_GRAPH.value, SHARED.value} <= names
    assert len(names) == 16 + 3


def test_an_nquads_file_is_bulk_loaded_as_the_layout_says(tmp_path, exports):
    """An N-Quads input is bulk-loaded from its lines: the concepts it carries in its shared
    graph are still stored once (in the taxonomy graph), and the outlets are still replaced."""
    st = tmp_path / "store"
    for _ in range(2):
        assert invoke("load", str(exports["x.nq"]), "--store", str(st), "-q").exit_code == 0
    ask = "SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/aim-kg/taxonomy/%s> <%s> ?o }"
    assert count(st, ask % ("principle-safety", SKOS + "prefLabel")) == 1
    shared = graphs(st)[SHARED.value]
    assert not any("/taxonomy/" in line.split(" ", 1)[0] for line in shared)
    assert sum(f"<{AIMID}outlet-europa-press> <{SCHEMA}name>" in line for line in shared) == 1


def test_later_input_wins(tmp_path, exports):
    st = tmp_path / "store"
    result = invoke("load", str(exports["x.ttl"]), str(exports["x.nq"]), "--store", str(st))
    assert result.exit_code == 0
    assert "16 events came in more than one input" in result.output
    assert count(st) == count_of_one_load(tmp_path, exports)


def count_of_one_load(tmp_path, exports) -> int:
    other = tmp_path / "one"
    assert invoke("load", str(exports["x.nq"]), "--store", str(other), "-q").exit_code == 0
    return count(other)


def test_clear(tmp_path, exports):
    st = tmp_path / "store"
    assert invoke("load", str(exports["x.nq"]), "--store", str(st), "-q").exit_code == 0
    record = tmp_path / "r.jsonl"
    one = {"id": "2026-10-01-abcd", "title": "T", "date": "2026-10-01", "summary": "S"}
    one["properties"] = {"harm_levels": ["AI hazard"]}
    record.write_text(json.dumps(one), encoding="utf-8")
    assert invoke("load", str(record), "--store", str(st), "--clear", "-q").exit_code == 0
    events = "SELECT (COUNT(*) AS ?n) WHERE { ?e a <https://w3id.org/aim-kg/ontology#Event> }"
    assert count(st, events) == 1


def test_clear_into_a_new_store_loads_everything(tmp_path, exports):
    """--clear with one N-Quads file into a new store: the file, bulk-loaded as the store is
    opened, is not cleared out again (it once was: the events were lost)."""
    st = tmp_path / "store"
    assert invoke("load", str(exports["x.nq"]), "--store", str(st), "--clear", "-q").exit_code == 0
    assert quads(st) == quads_of_one_load(tmp_path, exports)


def quads_of_one_load(tmp_path, exports) -> set[str]:
    other = tmp_path / "one"
    assert invoke("load", str(exports["x.nq"]), "--store", str(other), "-q").exit_code == 0
    return quads(other)


def test_the_first_load_of_an_export_keeps_its_figures(tmp_path, exports):
    """One export into a new store: its outlet figures are the store's (a recount finds nothing
    to correct), so the load does not recount; a load into a store that holds something does.
    Both compact the store."""
    import kg

    st = tmp_path / "store"
    first = kg.load(exports["x.nq"], st)
    assert "recount" not in first.steps and "optimize" in first.steps
    opened = store.open_store(str(st), create=False)
    assert store.outlet_figures_complete(opened, SHARED)
    assert store.recount_outlets(opened, SHARED) == 0
    assert store.recount_cooccurrences(opened, SHARED) == 0  # nor of its co-occurrences
    del opened
    again = kg.load(exports["x.nq"], st)
    assert "recount" in again.steps and "optimize" in again.steps


def test_a_first_load_without_cooccurrences_counts_them(tmp_path, exports):
    """A single N-Quads file into a new store whose outlets have their figures but that has no
    co-occurrence (an export of an aim-kg that wrote none): the load counts them."""
    report = first_load_without(tmp_path, exports, "/cooccurrence-")
    assert "recount" in report.steps and report.recounted == 0
    assert report.recounted_cooccurrences > 0


def test_a_first_load_without_figures_recounts_them(tmp_path, exports):
    """A single N-Quads file into a new store whose outlets lack a figure (not an export of
    aim-kg's, or an edited one): the load counts them."""
    report = first_load_without(tmp_path, exports, "#publishedArticleCount>")
    assert "recount" in report.steps and report.recounted == report.outlets > 0


def first_load_without(tmp_path, exports, marker: str):
    """The examples' N-Quads export without its lines that hold ``marker``, loaded into a new
    store: the load's report, once the store is checked to be that of the whole export."""
    import kg

    lines = exports["x.nq"].read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = [line for line in lines if marker not in line]
    assert len(dropped) < len(lines)
    edited = tmp_path / "edited.nq"
    edited.write_text("".join(dropped), encoding="utf-8")
    st = tmp_path / "store"
    report = kg.load(edited, st)
    assert quads(st) == quads_of_one_load(tmp_path, exports)
    return report


def test_unreadable_data_loads_nothing(tmp_path, exports):
    st = tmp_path / "store"
    assert invoke("load", str(exports["x.nq"]), "--store", str(st), "-q").exit_code == 0
    before = quads(st)
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://a> <http://b> .\n", encoding="utf-8")
    result = invoke("load", str(exports["x.ttl"]), str(broken), "--store", str(st))
    assert result.exit_code == 1
    assert "broken.ttl" in result.output and "nothing was loaded" in result.output
    assert quads(st) == before
    missing = invoke("load", str(tmp_path / "nope.nq"), "--store", str(st))
    assert missing.exit_code == 1 and "nope.nq" in missing.output


def test_rejected_inputs_exit_3_and_the_rest_is_loaded(tmp_path):
    good = json.loads((EXAMPLES / "records" / "aim-records.json").read_text(encoding="utf-8"))[0]
    bad = {"id": "2026-01-01-0000", "date": "2026-01-01", "properties": {}}  # no title
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (good, bad)) + "\n", encoding="utf-8")
    st = tmp_path / "store"
    result = invoke("load", str(path), "--store", str(st), "-j", "1")
    assert result.exit_code == 3
    assert "rejected" in result.output
    assert "loaded 1 events" in result.output


def test_store_folder_errors(tmp_path):
    notastore = tmp_path / "notes"
    notastore.mkdir()
    (notastore / "todo.txt").write_text("x", encoding="utf-8")
    result = invoke("load", "--store", str(notastore), "-q", "-j", "1")
    assert result.exit_code == 1 and "holds no store" in result.output
    result = invoke("query", "events-per-year", "--store", str(tmp_path / "none"))
    assert result.exit_code == 1 and "no store there" in result.output


def test_a_store_in_use_is_not_loaded(tmp_path, exports):
    st = tmp_path / "store"
    assert invoke("load", str(exports["x.nq"]), "--store", str(st), "-q").exit_code == 0
    writer = ox.Store(str(st))  # another process holding the store open for writing
    try:
        result = invoke("load", str(exports["x.nq"]), "--store", str(st), "-q")
        assert result.exit_code == 1
        assert "in use" in result.output
    finally:
        del writer


def test_load_into_memory_with_the_library(exports):
    st = ox.Store()
    with ExitStack() as stack:
        report = store.load(st, store.read([str(exports["x.nq"])], stack))
    assert (report.events, report.replaced, report.outlets) == (16, 0, 27)
    assert report.shared_subjects == 27 + 32 + 11  # outlets, co-occurrences and countries
    assert report.quads == len(st)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 16 KiB, so that the bundled examples' N-Quads (~300 KiB) come in many, loaded
    by both threads at once."""
    monkeypatch.setattr(store, "_CHUNK", 16 << 10)


@pytest.mark.parametrize("name", ["x.nq", "x.nq.gz"])
def test_an_nquads_file_into_a_new_store_is_read_by_loading_it(
    tmp_path, exports, small_chunks, name
):
    """A new store is filled from the file's lines (read once, by Oxigraph): the same store,
    and the same report, as the file read first by Python and loaded into a store in use."""
    new = tmp_path / "new"
    result = invoke("load", str(exports[name]), "--store", str(new))
    assert result.exit_code == 0, result.output
    assert "loaded 16 events (0 replaced) and 27 outlets" in result.output
    used = tmp_path / "used"
    assert invoke("load", str(exports["x.ttl"]), "--store", str(used), "-q").exit_code == 0
    again = invoke("load", str(exports[name]), "--store", str(used))
    assert "loaded 16 events (16 replaced) and 27 outlets" in again.output
    assert graphs(new) == graphs(used)
    with ExitStack() as stack:
        source = store.read_by_loading(ox.Store(), str(exports[name]))
        assert source is not None and source.loaded
        (read,) = store.read([str(exports[name])], stack)
        assert source.events == read.events
        assert set(map(str, source.shared)) == set(map(str, read.shared))


def test_a_broken_nquads_file_leaves_no_new_store(tmp_path, exports, small_chunks):
    """Chunks before the broken line were written: they are removed again, and the error
    names the line of the file (not of its chunk)."""
    lines = exports["x.nq"].read_text(encoding="utf-8").splitlines(keepends=True)
    at = len(lines) * 3 // 4
    broken = tmp_path / "broken.nq"
    broken.write_text("".join([*lines[:at], '<http://a> <http://b> "x .\n', *lines[at:]]))
    missing, empty = tmp_path / "missing", tmp_path / "empty"
    empty.mkdir()
    for folder in (missing, empty):
        result = invoke("load", str(broken), "--store", str(folder))
        assert result.exit_code == 1
        assert f"line {at + 1} " in result.output and "nothing was loaded" in result.output
    assert not missing.exists()
    assert list(empty.iterdir()) == []


def test_an_nquads_file_of_other_graphs_is_read_as_before(tmp_path, exports, small_chunks):
    """A file the bulk load of lines cannot keep as it is (a graph that is no event's, quads
    in the default graph) goes the way of any other file, into a new store too."""
    text = exports["x.nq"].read_text(encoding="utf-8")
    extra = tmp_path / "extra.nq"
    other = "<http://example.org/s> <http://example.org/p> <http://example.org/o>"
    extra.write_text(text + f"{other} <http://example.org/g> .\n{other} .\n", encoding="utf-8")
    st = tmp_path / "store"
    result = invoke("load", str(extra), "--store", str(st))
    assert result.exit_code == 0, result.output
    assert "loaded 16 events (0 replaced) and 27 outlets" in result.output
    # as before: the triples of graphs that are no event's are shared ones
    expected = graphs(_loaded(tmp_path, exports["x.nq"]))
    expected[SHARED.value].add(f"{other} <{SHARED.value}>")
    assert graphs(st) == expected


def _loaded(tmp_path, path) -> Path:
    st = tmp_path / "reference"
    assert invoke("load", str(path), "--store", str(st), "-q").exit_code == 0
    return st
