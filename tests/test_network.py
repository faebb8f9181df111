"""aim-kg network (kg/network.py): the projections against SPARQL, the files in networkx and igraph,
the pictures, the report against networkx, the same bytes for the same data.

The bundled examples and the 228 real mirror records are exported once per module (N-Quads and
Turtle); every test loads those exports.
"""

from __future__ import annotations

import itertools
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import DATA

from bench import corpus
from kg import network as net
from kg.cli import cli
from kg.namespaces import AIM, prefixes
from kg.pipeline import export
from kg.write import format_named
from kg.write.outputs import Output


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    """The bundled examples as N-Quads, the mirror records as Turtle, and a small synthetic
    corpus (bench.corpus: many outlets covering the same events) as N-Quads."""
    folder = tmp_path_factory.mktemp("network")
    paths = {
        "examples": folder / "examples.nq",
        "mirror": folder / "mirror.ttl",
        "corpus": folder / "corpus.nq",
    }
    export([], [Output(str(paths["examples"]), format_named("nquads"))])
    mirror = str(DATA / "aim-mirror-sample.json")
    export([mirror], [Output(str(paths["mirror"]), format_named("turtle"))])
    corpus.write_corpus(folder / "corpus", corpus.Options(events=60, seed=7))
    export(
        [str(folder / "corpus" / "json")], [Output(str(paths["corpus"]), format_named("nquads"))]
    )
    return paths


@pytest.fixture(scope="module")
def stores(exports) -> dict[str, ox.Store]:
    return {name: net.open_data([str(path)])[0] for name, path in exports.items()}


def run(*args: str):
    return CliRunner().invoke(cli, ["network", *args])


def select(store: ox.Store, text: str) -> list[tuple]:
    result = store.query(text, use_default_graph_as_union=True, prefixes=prefixes())
    return [tuple(term.value for term in row) for row in result]


def weight(graph: nx.Graph, a: str, b: str) -> int:
    return graph.edges[a, b]["weight"] if graph.has_edge(a, b) else 0


# ---------------------------------------------------------------- the projections


@pytest.mark.parametrize("data", ["examples", "mirror"])
@pytest.mark.parametrize("facets", [("principle", "harm-type"), ("industry",), ("all",)])
def test_cooccurrence_equals_sparql_count_distinct(stores, vocab, data, facets):
    store = stores[data]
    graph = net.network(store=store, facets=facets)
    names = net.facet_names(facets)
    props = " ".join(f"<{net.all_facets()[n].prop}>" for n in names)
    counts = {
        c: int(n)
        for c, n in select(
            store,
            f"SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?p {{ {props} }} "
            "?e a aim:Event ; ?p ?c } GROUP BY ?c",
        )
    }
    pairs = {
        (a, b): int(n)
        for a, b, n in select(
            store,
            f"SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?p {{ {props} }} "
            f"VALUES ?q {{ {props} }} ?e a aim:Event ; ?p ?a ; ?q ?b FILTER(STR(?a) < STR(?b)) }} "
            "GROUP BY ?a ?b",
        )
    }
    assert counts and set(graph.nodes) == set(counts)
    schemes = {net.all_facets()[n].scheme for n in names}
    for node, attrs in graph.nodes(data=True):
        assert attrs["events"] == counts[node]
        assert attrs["type"] in schemes and attrs["type"] == vocab.concepts[node].scheme
        assert attrs["label"] == vocab.concepts[node].pref_label
    for a, b in itertools.combinations(sorted(graph.nodes), 2):
        assert weight(graph, a, b) == pairs.get((a, b), 0), (a, b)
    assert graph.number_of_edges() == len(pairs) > 0
    if len(names) == 2:  # edges within each facet and across
        kinds = {frozenset(graph.nodes[x]["type"] for x in e) for e in graph.edges}
        assert len(kinds) == 3


def test_min_weight_drops_edges_and_keeps_nodes(stores):
    full = net.network(store=stores["mirror"], facets="all")
    light = net.network(store=stores["mirror"], facets="all", min_weight=10)
    assert list(light.nodes(data=True)) == list(full.nodes(data=True))
    assert sorted(light.edges(data="weight")) == sorted(
        e for e in full.edges(data="weight") if e[2] >= 10
    )
    assert 0 < light.number_of_edges() < full.number_of_edges()
    assert any(light.degree(n) == 0 for n in light)  # isolated nodes stay


OUTLET_PAIRS = """SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e aim:article ?x . ?x schema:publisher ?a . ?e aim:article ?y . ?y schema:publisher ?b .
  FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b"""
OUTLET_COUNTS = """SELECT ?o (COUNT(DISTINCT ?e) AS ?events) (COUNT(DISTINCT ?x) AS ?articles)
  WHERE { ?e aim:article ?x . ?x schema:publisher ?o } GROUP BY ?o"""


@pytest.mark.parametrize("data", ["examples", "mirror", "corpus"])
def test_outlet_cocoverage_equals_sparql_count_distinct(stores, data):
    store = stores[data]
    graph = net.network(store=store, kind="outlets")
    counts = {o: (int(e), int(a)) for o, e, a in select(store, OUTLET_COUNTS)}
    pairs = {(a, b): int(n) for a, b, n in select(store, OUTLET_PAIRS)}
    names = dict(select(store, "SELECT ?o ?n WHERE { ?o a aim:Outlet ; schema:name ?n }"))
    assert set(graph.nodes) == set(counts)
    for node, attrs in graph.nodes(data=True):
        assert (attrs["events"], attrs["articles"]) == counts[node]
        assert attrs["label"] == names[node] and attrs["type"] == AIM + "Outlet"
    for a, b in itertools.combinations(sorted(graph.nodes), 2):
        assert weight(graph, a, b) == pairs.get((a, b), 0), (a, b)
    assert graph.number_of_edges() == len(pairs)
    if data == "examples":
        assert graph.number_of_nodes() == 27 and graph.number_of_edges() > 20
    elif data == "corpus":
        assert graph.number_of_nodes() > 100 and max(pairs.values()) > 3
    else:  # the mirror has no articles
        assert graph.number_of_nodes() == 0


def test_events_is_the_bipartite_event_outlet_graph(stores):
    store = stores["examples"]
    graph = net.network(store=store, kind="events")
    events = {e for (e,) in select(store, "SELECT ?e WHERE { ?e a aim:Event }")}
    articles = {
        (e, o): int(n)
        for e, o, n in select(
            store,
            "SELECT ?e ?o (COUNT(DISTINCT ?x) AS ?n) WHERE { ?e aim:article ?x . "
            "?x schema:publisher ?o } GROUP BY ?e ?o",
        )
    }
    top = {n for n, b in graph.nodes(data="bipartite") if b == 0}
    assert top == events and nx.is_bipartite(graph)
    assert {graph.nodes[n]["type"] for n in top} == {AIM + "Incident", AIM + "Hazard"}
    assert {n for n, b in graph.nodes(data="bipartite") if b == 1} == {o for _, o in articles}
    assert {(a, b): w for a, b, w in graph.edges(data="weight")} == articles


def test_the_kinds_and_facets_come_from_the_vocabulary(vocab):
    kind = next(p for p in cli.commands["network"].params if p.name == "kind")
    assert tuple(kind.type.choices) == net.KINDS
    assert set(net.all_facets()) == {f.scheme.rsplit("/", 1)[1] for f in vocab.facets}
    assert len(net.all_facets()) == 8
    assert net.facet_names("all") == tuple(net.all_facets())
    with pytest.raises(net.NetworkError, match="unknown facet 'harm'"):
        net.facet_names("principle,harm")


# ---------------------------------------------------------------- files


@pytest.fixture(scope="module")
def written(exports, tmp_path_factory) -> dict[str, Path]:
    """Every kind of the examples in every format, through the command."""
    folder = tmp_path_factory.mktemp("written")
    for kind in net.KINDS:
        outs = [f"-o{folder / kind}{ext}" for ext in net.EXTENSIONS]
        result = run(str(exports["examples"]), "--kind", kind, "-q", *outs)
        assert result.exit_code == 0, result.output
        assert result.output == ""  # with -o and without --stats, nothing on stdout
    return {"folder": folder}


def _edges_nx(graph: nx.Graph) -> dict:
    return {frozenset((a, b)): float(w) for a, b, w in graph.edges(data="weight")}


@pytest.mark.parametrize("kind", net.KINDS)
def test_graphml_and_gexf_load_in_networkx_and_igraph(stores, written, kind):
    folder = written["folder"]
    graph = net.network(store=stores["examples"], kind=kind)
    nodes = {n: a["label"] for n, a in graph.nodes(data=True)}
    edges = _edges_nx(graph)
    assert edges

    for read in (nx.read_graphml, nx.read_gexf):
        back = read(folder / f"{kind}{'.graphml' if read is nx.read_graphml else '.gexf'}")
        assert {n: a["label"] for n, a in back.nodes(data=True)} == nodes
        assert _edges_nx(back) == edges
        for n, attrs in graph.nodes(data=True):
            assert {k: back.nodes[n][k] for k in attrs} == attrs

    ig = igraph.Graph.Read_GraphML(str(folder / f"{kind}.graphml"))
    assert not ig.is_directed()
    assert dict(zip(ig.vs["id"], ig.vs["label"], strict=True)) == nodes
    ids = ig.vs["id"]
    assert {frozenset((ids[e.source], ids[e.target])): e["weight"] for e in ig.es} == edges
    for attr in ("events", "articles", "bipartite"):
        if attr in ig.vs.attributes():
            for v in ig.vs:
                if attr in graph.nodes[v["id"]]:
                    assert v[attr] == graph.nodes[v["id"]][attr]

    # igraph reads no GEXF: the GEXF 1.2 file read as plain XML gives the same graph too.
    ns = {"g": "http://www.gexf.net/1.2draft"}
    root = ET.parse(folder / f"{kind}.gexf").getroot()
    assert {n.get("id"): n.get("label") for n in root.iterfind(".//g:node", ns)} == nodes
    assert {
        frozenset((e.get("source"), e.get("target"))): float(e.get("weight"))
        for e in root.iterfind(".//g:edge", ns)
    } == edges
    assert igraph.Graph.from_networkx(nx.read_gexf(folder / f"{kind}.gexf")).ecount() == len(edges)

    data = json.loads((folder / f"{kind}.json").read_text(encoding="utf-8"))
    assert _edges_nx(nx.node_link_graph(data, edges="edges")) == edges


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("kind", net.KINDS)
def test_pictures_are_written_at_the_documented_size(written, kind):
    png = written["folder"] / f"{kind}.png"
    svg = written["folder"] / f"{kind}.svg"
    assert png.stat().st_size > 20_000 and svg.stat().st_size > 20_000
    assert _png_size(png) == net.PICTURE_SIZE == (1200, 1200)
    root = ET.parse(svg).getroot()
    inches = net.PICTURE_INCHES
    assert (root.get("width"), root.get("height")) == (f"{inches[0] * 72}pt", f"{inches[1] * 72}pt")
    assert "<dc:date>" not in svg.read_text(encoding="utf-8")


def test_same_data_same_bytes(exports, written, tmp_path):
    """Written again, and from the raw examples instead of their export: the same bytes."""
    first = written["folder"]
    outs = [f"-o{tmp_path / 'outlets'}{ext}" for ext in net.EXTENSIONS]
    result = run("--kind", "outlets", "-q", *outs)  # the bundled examples, exported on the fly
    assert result.exit_code == 0, result.output
    for ext in net.EXTENSIONS:
        assert (tmp_path / f"outlets{ext}").read_bytes() == (first / f"outlets{ext}").read_bytes()
    gexf = (first / "cooccurrence.gexf").read_text(encoding="utf-8")
    assert "lastmodifieddate" not in gexf


# ---------------------------------------------------------------- the report


@pytest.mark.parametrize("kind", ["cooccurrence", "outlets"])
def test_stats_equal_networkx_on_the_graphml(exports, tmp_path, kind):
    path = tmp_path / "g.graphml"
    result = run(
        str(exports["examples"]), "--kind", kind, "--stats", "--format", "json", "-o", str(path)
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    graph = nx.read_graphml(path)
    assert report["kind"] == kind
    assert report["nodes"] == graph.number_of_nodes()
    assert report["edges"] == graph.number_of_edges()
    assert report["density"] == pytest.approx(nx.density(graph))
    strength = dict(graph.degree(weight="weight"))
    top = sorted(strength.items(), key=lambda kv: (-kv[1], kv[0]))[:40]
    assert [(r["id"], r["value"]) for r in report["weighted_degree"]] == top
    between = nx.betweenness_centrality(graph)
    assert {r["id"]: r["value"] for r in report["betweenness"]} == pytest.approx(
        dict(sorted(between.items(), key=lambda kv: (-kv[1], kv[0]))[:40])
    )
    assert report["betweenness_sources"] is None
    louvain = nx.community.louvain_communities(graph, weight="weight", seed=report["seed"])
    assert {frozenset(c["members"]) for c in report["communities"]} == {
        frozenset(c) for c in louvain
    }
    assert [c["size"] for c in report["communities"]] == sorted(map(len, louvain), reverse=True)
    for c in report["communities"]:
        assert c["labels"] == [graph.nodes[m]["label"] for m in c["members"]]


def test_stats_table_is_the_default_on_stdout(exports):
    result = run(str(exports["examples"]), "--top", "5")
    assert result.exit_code == 0, result.output
    graph = net.network([str(exports["examples"])])
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        f"cooccurrence: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
    )
    assert "top 5 by weighted degree" in result.stdout
    assert "communities (Louvain, seed 0)" in result.stdout
    best = max(graph.nodes, key=lambda n: (graph.degree(n, weight="weight"), n))
    assert graph.nodes[best]["label"] in result.stdout
    assert "nodes" in result.stderr  # the summary line


# ---------------------------------------------------------------- the command


def test_a_store_gives_the_same_graph(exports, tmp_path):
    store = tmp_path / "store"
    loaded = CliRunner().invoke(cli, ["load", str(exports["examples"]), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    for kind in ("cooccurrence", "outlets"):
        a, b = tmp_path / f"{kind}-store.graphml", tmp_path / f"{kind}-data.graphml"
        assert run("--store", str(store), "--kind", kind, "-q", "-o", str(a)).exit_code == 0
        assert (
            run("-d", str(exports["examples"]), "--kind", kind, "-q", "-o", str(b)).exit_code == 0
        )
        assert a.read_bytes() == b.read_bytes()


def test_user_errors(exports, tmp_path):
    data = str(exports["examples"])
    result = run(data, "--facets", "principle,harms")
    assert result.exit_code == 1 and "unknown facet 'harms'" in result.output
    result = run(data, "-o", str(tmp_path / "graph.dot"))
    assert result.exit_code == 1 and ".graphml, .gexf, .json, .png, .svg" in result.output
    result = run(data, "-o", str(tmp_path / "missing" / "graph.gexf"))
    assert result.exit_code == 1 and "does not exist" in result.output
    result = run(data, "--store", str(tmp_path))
    assert result.exit_code == 2
    result = run("--store", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "no store there" in result.output
    result = run(data, "--kind", "people")
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_rejected_raw_inputs_exit_3(tmp_path):
    good = tmp_path / "2025-08-28-2d85.txt"
    good.write_text(
        (Path(net.__file__).parent / "examples" / "pages" / "2025-08-28-2d85.txt").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    result = run(str(tmp_path), "--kind", "outlets", "--format", "json", "-j", "1")
    assert result.exit_code == 3
    assert "empty.txt" in result.stderr
    assert json.loads(result.stdout)["nodes"] > 0
