"""Network analytics: the monitor as graphs to measure, to open in Gephi, and to look at.

``aim-kg network`` (and this module's ``network()``) projects the RDF graph onto networkx graphs:

- ``cooccurrence``: the taxonomy concepts of the chosen facets (any of the eight AIM facets, named
  as the ontology names their schemes: ``principle``, ``harm-type``...), each with the number of
  events tagged with it; an edge joins two concepts tagged on the same event, weighted by the
  number of such events (within each facet and across facets);
- ``outlets``: the outlets, each with the number of events it covered and of articles it
  published; an edge joins two outlets that covered the same event, weighted by the number of
  such events (co-coverage);
- ``events``: the bipartite event–outlet graph (``bipartite`` 0 for events, 1 for outlets); an
  edge weighs the number of articles the outlet published about the event.

Every node id is its IRI; nodes carry ``label`` (preferred label, outlet name or event title),
``type`` (the concept scheme, or the class) and their counts; edges carry ``weight``. The rows
come from SPARQL over a store loaded as ``aim-kg query`` loads it (kg/sparql/store.py), so any
export, raw input or store works; the facets, their properties and labels are read from the
vocabulary.

``write()`` writes a graph by the extension of the file: ``.graphml``, ``.gexf``, ``.json``
(node-link), the same bytes for the same data; ``.png`` and ``.svg``, a picture of
``PICTURE_SIZE`` (a heatmap for co-occurrence, a circular drawing for outlets and events).
``stats()`` measures a graph: density, weighted degree, betweenness, Louvain communities.
Nothing here prints.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg import __version__
from kg.errors import UsageError
from kg.namespaces import AIM, AIMID, AIMTAX, SCHEMA, PrefixMap, prefixes
from kg.sparql.query import display_width

KINDS = ("cooccurrence", "outlets", "events")
DEFAULT_FACETS = ("principle", "harm-type")
GRAPH_EXTENSIONS = (".graphml", ".gexf", ".json")
PICTURE_EXTENSIONS = (".png", ".svg")
EXTENSIONS = GRAPH_EXTENSIONS + PICTURE_EXTENSIONS
SEED = 0  # Louvain communities (and betweenness sampling on large graphs) are seeded with it
DEFAULT_TOP = 40
PICTURE_INCHES = (12, 12)
PICTURE_DPI = 100
PICTURE_SIZE = (PICTURE_INCHES[0] * PICTURE_DPI, PICTURE_INCHES[1] * PICTURE_DPI)  # PNG pixels
# Betweenness costs a graph traversal per source node: it is exact while nodes × edges stays
# under this budget, and estimated from budget / edges sampled sources (at least 10) above it.
BETWEENNESS_BUDGET = 20_000_000

OUTLET_CLASS = AIM + "Outlet"
EVENT_CLASS = AIM + "Event"


class NetworkError(UsageError):
    """A request that cannot be met: an unknown kind or facet, an output aim-kg cannot write."""


# ---------------------------------------------------------------- facets


def all_facets() -> dict[str, object]:
    """The facets by name: the local name of their concept scheme in the taxonomy
    (``aimtax:harm-type`` is ``harm-type``), read from the vocabulary (kg.vocab.Facet)."""
    from kg.vocab import vocabulary

    return {_local(f.scheme): f for f in vocabulary().facets}


def facet_names(names: Iterable[str] | str) -> tuple[str, ...]:
    """Facet names as given (a sequence, or one comma-separated string; ``all`` is every facet),
    checked, without repeats, in the order given. Raises NetworkError for an unknown name."""
    if isinstance(names, str):
        names = names.split(",")
    known = all_facets()
    chosen: list[str] = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        if name == "all":
            chosen += [n for n in known if n not in chosen]
            continue
        if name not in known:
            raise NetworkError(
                f"unknown facet {name!r}; the facets are: {', '.join(known)} (or all)"
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise NetworkError(f"no facet given; the facets are: {', '.join(known)} (or all)")
    return tuple(chosen)


def _local(iri: str) -> str:
    if iri.startswith(AIMTAX):
        return iri[len(AIMTAX) :]
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# ---------------------------------------------------------------- the data


def open_data(
    data: Sequence[str] = (),
    *,
    store: str | None = None,
    base_iri: str = AIMID,
    jobs: int | None = None,
    progress: bool = False,
):
    """A store holding DATA, as ``aim-kg query`` builds it, and the sources read.

    ``store`` is a folder made by ``aim-kg load`` (opened read-only); otherwise DATA (exports, raw
    AIM input exported on the fly; nothing: the bundled examples) is loaded into a store in
    memory. Returns ``(pyoxigraph.Store, sources)``; the ``summary`` of a source of raw inputs
    holds their rejects and warnings. Raises kg.DataError or kg.StoreError.
    """
    from kg.sparql import store as kgstore

    if store is not None:
        if data:
            raise NetworkError("give either a store or DATA, not both")
        return kgstore.open_store(store, create=False), []
    with ExitStack() as stack:  # temporary files of raw inputs, gone once loaded
        sources = kgstore.read(list(data), stack, base_iri=base_iri, jobs=jobs, progress=progress)
        memory = ox.Store()
        kgstore.load(memory, sources, base_iri)
    return memory, sources


def _rows(store: ox.Store, text: str, base_iri: str) -> Iterable:
    from kg.sparql import query as sparql

    return sparql.run(store, sparql.Query("aim-kg network", text), base_iri)


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris)


# ---------------------------------------------------------------- projections


def network(
    data: Sequence[str] = (),
    *,
    store: str | ox.Store | None = None,
    kind: str = "cooccurrence",
    facets: Iterable[str] | str = DEFAULT_FACETS,
    min_weight: int = 1,
    base_iri: str = AIMID,
    jobs: int | None = None,
) -> nx.Graph:
    """The network of ``kind`` over DATA or a store (see the module docstring).

    ``store`` is a pyoxigraph Store already loaded, or the folder of one made by ``aim-kg load``;
    with neither DATA nor a store, the bundled examples. Raw inputs that are rejected are left
    out (``open_data`` gives their summaries). ``facets`` matter for ``cooccurrence`` only.
    Edges lighter than ``min_weight`` are dropped; nodes are kept (isolated, with their counts).
    """
    if kind not in KINDS:
        raise NetworkError(f"unknown kind {kind!r}; the kinds are: {', '.join(KINDS)}")
    chosen = facet_names(facets)
    if isinstance(store, ox.Store):
        return project(store, kind, chosen, min_weight, base_iri)
    oxstore, _ = open_data(data, store=store, base_iri=base_iri, jobs=jobs)
    return project(oxstore, kind, chosen, min_weight, base_iri)


def project(
    store: ox.Store,
    kind: str = "cooccurrence",
    facets: Iterable[str] | str = DEFAULT_FACETS,
    min_weight: int = 1,
    base_iri: str = AIMID,
) -> nx.Graph:
    """The network of ``kind`` over a store (the default graph being the union of its graphs)."""
    if kind == "cooccurrence":
        return cooccurrence(store, facets, min_weight, base_iri)
    if kind == "outlets":
        return outlets(store, min_weight, base_iri)
    if kind == "events":
        return events(store, min_weight, base_iri)
    raise NetworkError(f"unknown kind {kind!r}; the kinds are: {', '.join(KINDS)}")


def cooccurrence(
    store: ox.Store,
    facets: Iterable[str] | str = DEFAULT_FACETS,
    min_weight: int = 1,
    base_iri: str = AIMID,
) -> nx.Graph:
    """Concepts of the facets tagged on at least one event; edges: events tagged with both."""
    chosen = facet_names(facets)
    known = all_facets()
    by_prop = {known[name].prop: known[name] for name in chosen}
    tags: dict[str, set[str]] = defaultdict(set)  # event -> concepts
    scheme_of: dict[str, str] = {}
    rows = _rows(
        store,
        # Only events carry the facet properties (their rdfs:domain): no need to join on a type.
        f"SELECT ?e ?p ?c WHERE {{ VALUES ?p {{ {_values(by_prop)} }} ?e ?p ?c }}",
        base_iri,
    )
    for e, p, c in rows:
        if isinstance(c, ox.NamedNode):
            tags[e.value].add(c.value)
            scheme_of.setdefault(c.value, by_prop[p.value].scheme)
    labels = {
        c.value: label.value
        for c, label in _rows(
            store,
            "SELECT ?c (MIN(?l) AS ?label) WHERE { "
            f"VALUES ?s {{ {_values(f.scheme for f in by_prop.values())} }} "
            "?c skos:inScheme ?s ; skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), 'en')) "
            "} GROUP BY ?c",
            base_iri,
        )
    }
    counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for concepts in tags.values():
        ordered = sorted(concepts)
        counts.update(ordered)
        pairs.update(itertools.combinations(ordered, 2))
    graph = nx.Graph(
        name="aim-kg co-occurrence of " + ", ".join(chosen),
        kind="cooccurrence",
        facets=",".join(chosen),
        events=len(tags),
    )
    for c in sorted(counts):
        graph.add_node(c, label=labels.get(c) or _local(c), type=scheme_of[c], events=counts[c])
    _add_edges(graph, pairs, min_weight)
    return graph


def _outlet_rows(store: ox.Store, base_iri: str):
    """(event, article, outlet) IRIs, once each (the union default graph is a bag)."""
    rows = _rows(
        store,
        f"SELECT ?e ?a ?o WHERE {{ ?e <{AIM}article> ?a . ?a <{SCHEMA}publisher> ?o }}",
        base_iri,
    )
    return {(e.value, a.value, o.value) for e, a, o in rows}


def _outlet_names(store: ox.Store, base_iri: str) -> dict[str, str]:
    rows = _rows(
        store,
        f"SELECT ?o (MIN(?n) AS ?name) WHERE {{ ?o a <{OUTLET_CLASS}> ; <{SCHEMA}name> ?n }} "
        "GROUP BY ?o",
        base_iri,
    )
    return {o.value: n.value for o, n in rows}


def _outlet_counts(triples) -> tuple[dict[str, set[str]], Counter, Counter]:
    covered: dict[str, set[str]] = defaultdict(set)  # event -> outlets
    events: dict[str, set[str]] = defaultdict(set)  # outlet -> events
    articles: dict[str, set[str]] = defaultdict(set)  # outlet -> articles
    for e, a, o in triples:
        covered[e].add(o)
        events[o].add(e)
        articles[o].add(a)
    return (
        covered,
        Counter({o: len(v) for o, v in events.items()}),
        Counter({o: len(v) for o, v in articles.items()}),
    )


def outlets(store: ox.Store, min_weight: int = 1, base_iri: str = AIMID) -> nx.Graph:
    """Outlets that published an article about an event; edges: events both covered."""
    triples = _outlet_rows(store, base_iri)
    names = _outlet_names(store, base_iri)
    covered, n_events, n_articles = _outlet_counts(triples)
    pairs: Counter[tuple[str, str]] = Counter()
    for outlets_of_event in covered.values():
        pairs.update(itertools.combinations(sorted(outlets_of_event), 2))
    graph = nx.Graph(name="aim-kg outlet co-coverage", kind="outlets", events=len(covered))
    for o in sorted(n_events):
        graph.add_node(
            o,
            label=names.get(o) or _local(o),
            type=OUTLET_CLASS,
            events=n_events[o],
            articles=n_articles[o],
        )
    _add_edges(graph, pairs, min_weight)
    return graph


def events(store: ox.Store, min_weight: int = 1, base_iri: str = AIMID) -> nx.Graph:
    """The bipartite event–outlet graph; an edge weighs the outlet's articles about the event."""
    from kg.vocab import vocabulary

    class_of = vocabulary().class_of_severity
    info = {}
    for e, title, severity in _rows(
        store,
        f"SELECT ?e (MIN(?t) AS ?title) (MIN(?s) AS ?severity) WHERE {{ ?e a <{EVENT_CLASS}> ; "
        f"dcterms:title ?t ; aim:severity ?s }} GROUP BY ?e",
        base_iri,
    ):
        info[e.value] = (title.value, class_of.get(severity.value, EVENT_CLASS))
    triples = _outlet_rows(store, base_iri)
    names = _outlet_names(store, base_iri)
    _, n_events, n_articles = _outlet_counts(triples)
    per_event: Counter[str] = Counter(e for e, _, _ in triples)
    pairs: Counter[tuple[str, str]] = Counter((e, o) for e, _, o in triples)
    graph = nx.Graph(name="aim-kg events and outlets", kind="events", events=len(info))
    for e in sorted(info):
        title, cls = info[e]
        graph.add_node(e, label=title, type=cls, bipartite=0, articles=per_event[e])
    for o in sorted(n_events):
        graph.add_node(
            o,
            label=names.get(o) or _local(o),
            type=OUTLET_CLASS,
            bipartite=1,
            events=n_events[o],
            articles=n_articles[o],
        )
    _add_edges(graph, Counter({k: v for k, v in pairs.items() if k[0] in info}), min_weight)
    return graph


def _add_edges(graph: nx.Graph, pairs: Counter, min_weight: int) -> None:
    for (a, b), weight in sorted(pairs.items()):
        if weight >= min_weight:
            graph.add_edge(a, b, weight=weight)


# ---------------------------------------------------------------- measures


@dataclass
class Ranked:
    id: str
    label: str
    value: float


@dataclass
class Community:
    size: int
    members: list[str]  # node ids, by weighted degree (highest first)
    labels: list[str]


@dataclass
class Stats:
    kind: str
    nodes: int
    edges: int
    density: float
    weighted_degree: list[Ranked] = field(default_factory=list)  # the top nodes
    betweenness: list[Ranked] = field(default_factory=list)  # the top nodes
    betweenness_sources: int | None = None  # None: exact; else sampled sources (seeded)
    communities: list[Community] = field(default_factory=list)  # largest first
    seed: int = SEED

    def as_dict(self) -> dict:
        return asdict(self)


def strength(graph: nx.Graph) -> dict[str, float]:
    """Weighted degree: the sum of the weights of a node's edges."""
    return dict(graph.degree(weight="weight"))


def communities(graph: nx.Graph, seed: int = SEED) -> list[list[str]]:
    """Louvain communities (networkx, weighted, seeded), largest first, members by weighted
    degree (highest first), ties by id."""
    if graph.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    deg = strength(graph)
    ordered = [sorted(c, key=lambda n: (-deg[n], n)) for c in found]
    return sorted(ordered, key=lambda c: (-len(c), -sum(deg[n] for n in c), c[0]))


def betweenness(graph: nx.Graph, seed: int = SEED) -> tuple[dict[str, float], int | None]:
    """Betweenness centrality (unweighted, normalized): exact while nodes × edges is within
    BETWEENNESS_BUDGET, else estimated from that many seeded sample sources; and the number of
    sources sampled (None: exact)."""
    n, m = graph.number_of_nodes(), max(graph.number_of_edges(), 1)
    if n * m <= BETWEENNESS_BUDGET:
        return nx.betweenness_centrality(graph), None
    k = min(n, max(10, BETWEENNESS_BUDGET // m))
    return nx.betweenness_centrality(graph, k=k, seed=seed), k


def _top(values: dict[str, float], graph: nx.Graph, top: int) -> list[Ranked]:
    ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [Ranked(n, graph.nodes[n].get("label", n), v) for n, v in ranked]


def stats(graph: nx.Graph, top: int = DEFAULT_TOP, seed: int = SEED) -> Stats:
    """Nodes, edges, density, the ``top`` nodes by weighted degree and by betweenness, and the
    Louvain communities with their members."""
    between, sources = betweenness(graph, seed)
    return Stats(
        kind=graph.graph.get("kind", ""),
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        density=nx.density(graph),
        weighted_degree=_top(strength(graph), graph, top),
        betweenness=_top(between, graph, top),
        betweenness_sources=sources,
        communities=[
            Community(len(c), c, [graph.nodes[n].get("label", n) for n in c])
            for c in communities(graph, seed)
        ],
        seed=seed,
    )


def stats_table(s: Stats, top: int = DEFAULT_TOP, base_iri: str = AIMID) -> str:
    """The report of ``stats`` as text: a summary line and three tables (IRIs as prefixed
    names; community members by label, the ``top`` first of the ``top`` largest)."""
    compact = PrefixMap(prefixes(base_iri)).compact
    lines = [
        f"{s.kind}: {s.nodes} nodes, {s.edges} edges, density {s.density:.4f}, "
        f"{len(s.communities)} communities",
        "",
    ]
    lines += _table(
        f"top {len(s.weighted_degree)} by weighted degree",
        ["rank", "weighted degree", "label", "id"],
        [[i, _num(r.value), r.label, compact(r.id)] for i, r in enumerate(s.weighted_degree, 1)],
    )
    how = (
        "exact"
        if s.betweenness_sources is None
        else f"estimated from {s.betweenness_sources} sources, seed {s.seed}"
    )
    lines += _table(
        f"top {len(s.betweenness)} by betweenness centrality ({how})",
        ["rank", "betweenness", "label", "id"],
        [[i, f"{r.value:.4f}", r.label, compact(r.id)] for i, r in enumerate(s.betweenness, 1)],
    )
    shown = s.communities[:top]
    rows = []
    for i, c in enumerate(shown, 1):
        names = ", ".join(c.labels[:top])
        if c.size > top:
            names += f", … ({c.size - top} more)"
        rows.append([i, c.size, names])
    more = f", the {len(shown)} largest" if len(shown) < len(s.communities) else ""
    lines += _table(f"communities (Louvain, seed {s.seed}){more}", ["#", "size", "members"], rows)
    return "\n".join(lines).rstrip() + "\n"


def stats_json(s: Stats) -> str:
    return json.dumps(s.as_dict(), ensure_ascii=False, indent=1) + "\n"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def _table(title: str, header: list[str], rows: list[list]) -> list[str]:
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max([display_width(h), *(display_width(r[i]) for r in cells)]) for i, h in enumerate(header)
    ]
    right = [all(_isnum(r[i]) for r in cells) for i in range(len(header))]

    def line(values):
        out = []
        for i, v in enumerate(values):
            gap = " " * (widths[i] - display_width(v))
            out.append(gap + v if right[i] else v + gap)
        return "  ".join(out).rstrip()

    return [title, line(header), line(["-" * w for w in widths]), *map(line, cells), ""]


def _isnum(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------- writing


def check_output(path: str) -> str:
    """The extension of an output file aim-kg can write; NetworkError if none fits or its
    folder does not exist."""
    ext = Path(path).suffix.lower()
    if ext not in EXTENSIONS:
        raise NetworkError(
            f"-o {path}: cannot tell the format from the extension (expected "
            f"{', '.join(EXTENSIONS)})"
        )
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise NetworkError(f"-o {path}: folder {parent} does not exist")
    return ext


def write(graph: nx.Graph, path: str, top: int = DEFAULT_TOP) -> None:
    """Write graph to path, the format from the extension (see EXTENSIONS), atomically."""
    from kg.write import atomic_output

    ext = check_output(path)
    with atomic_output(path) as out:
        if ext == ".graphml":
            nx.write_graphml(graph, out, encoding="utf-8", prettyprint=True)
        elif ext == ".gexf":
            _write_gexf(graph, out)
        elif ext == ".json":
            data = nx.node_link_data(graph, edges="edges")
            out.write((json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        else:
            figure = picture(graph, top)
            _save(figure, out, ext[1:])


def _write_gexf(graph: nx.Graph, out) -> None:
    """GEXF 1.2 as networkx writes it, without the date of the run in the header."""
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = f"aim-kg {__version__} (NetworkX {nx.__version__})"
    writer.add_graph(graph)
    writer.write(out)


# ---------------------------------------------------------------- pictures

# Fallback fonts for labels in scripts DejaVu Sans lacks (outlet names in Chinese, Japanese,
# Korean...): used when installed, in this order.
_FALLBACK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Noto Sans CJK TC",
    "Droid Sans Fallback",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Unifont",
)
_FACET_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
)
_MAX_LABEL = 38  # characters of a label in a picture; longer ones end in "…"
_CIRCLE_LABEL = 34  # the same around a circle
_ANNOTATED = 25  # a heatmap of at most this many concepts shows the numbers in its cells


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(f for f in _FALLBACK_FONTS if f in installed)]


def _short(text: str, limit: int = _MAX_LABEL) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def top_nodes(graph: nx.Graph, top: int = DEFAULT_TOP) -> list[str]:
    """The ``top`` nodes a picture shows: by weighted degree, then by count, then by id."""
    deg = strength(graph)

    def key(n):
        data = graph.nodes[n]
        return (-deg[n], -data.get("events", data.get("articles", 0)), n)

    return sorted(graph.nodes, key=key)[:top]


def _ordered(graph: nx.Graph, nodes: list[str]) -> tuple[list[str], list[int]]:
    """Nodes grouped by Louvain community on their subgraph (largest first) so that clusters
    show; and the community index of each."""
    sub = graph.subgraph(nodes)
    order, group = [], []
    for i, members in enumerate(communities(sub)):
        order += members
        group += [i] * len(members)
    return order, group


def picture(graph: nx.Graph, top: int = DEFAULT_TOP):
    """A matplotlib Figure of PICTURE_SIZE: a heatmap of the weights for co-occurrence, a
    circular drawing for the other kinds (the ``top`` nodes)."""
    from matplotlib.figure import Figure

    heatmap = graph.graph.get("kind") == "cooccurrence"
    figure = Figure(
        figsize=PICTURE_INCHES, dpi=PICTURE_DPI, layout="constrained" if heatmap else None
    )
    with _style():
        if heatmap:
            _heatmap(figure, graph, top)
        else:
            _circle(figure, graph, top)
    return figure


def _style():
    import matplotlib as mpl

    return mpl.rc_context(
        {
            "font.family": _fonts(),
            "font.size": 9,
            "svg.hashsalt": "aim-kg",
            "svg.fonttype": "path",
            "axes.titlesize": 13,
        }
    )


def _save(figure, out, fmt: str) -> None:
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with _style(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        figure.savefig(out, format=fmt, dpi=PICTURE_DPI, metadata=metadata)


def _heatmap(figure, graph: nx.Graph, top: int) -> None:
    import numpy as np
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    ax = figure.add_subplot()
    chosen = graph.graph.get("facets", "").split(",")
    known = all_facets()
    colour = {known[f].scheme: _FACET_COLOURS[i % 8] for i, f in enumerate(chosen) if f in known}
    by_events = sorted(graph.nodes, key=lambda n: (-graph.nodes[n]["events"], n))[:top]
    nodes, group = _ordered(graph, by_events)
    n = len(nodes)
    matrix = np.zeros((n, n))
    for i, a in enumerate(nodes):
        for j, b in enumerate(nodes):
            if i != j and graph.has_edge(a, b):
                matrix[i, j] = graph.edges[a, b]["weight"]
    shown = np.ma.masked_where(matrix == 0, matrix)
    ax.set_facecolor("white")
    image = ax.imshow(shown, cmap="YlOrRd", vmin=0, vmax=max(1, matrix.max()), aspect="equal")
    for i in range(n):
        ax.add_patch(_cell(i, i, "#d9d9d9"))
    if n <= _ANNOTATED:
        high = matrix.max() or 1
        for i in range(n):
            for j in range(n):
                if matrix[i, j]:
                    ax.text(
                        j,
                        i,
                        str(int(matrix[i, j])),
                        ha="center",
                        va="center",
                        fontsize=8 if n <= 20 else 7,
                        color="white" if matrix[i, j] > 0.6 * high else "black",
                    )
    for k in range(1, n):  # lines between the communities
        if group[k] != group[k - 1]:
            ax.axhline(k - 0.5, color="#444444", linewidth=0.8)
            ax.axvline(k - 0.5, color="#444444", linewidth=0.8)
    labels = [f"{_short(graph.nodes[x]['label'])} ({graph.nodes[x]['events']})" for x in nodes]
    ax.set_xticks(range(n), labels, rotation=90)
    ax.set_yticks(range(n), labels)
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        for tick, node in zip(ticks, nodes, strict=True):
            tick.set_color(colour.get(graph.nodes[node]["type"], "black"))
    ax.tick_params(length=0)
    headings = {known[f].scheme: known[f].heading for f in chosen if f in known}
    names = [_lower_first(h) for h in headings.values()]
    if len(names) > 3:
        title = f"Co-occurrence of the concepts of {len(names)} facets"
    else:
        title = "Co-occurrence of " + (", ".join(names[:-1]) + " and " if len(names) > 1 else "")
        title += names[-1] if names else "concepts"
    total = graph.number_of_nodes()
    more = f" (the {n} most frequent of {total} concepts)" if n < total else ""
    ax.set_title(
        f"{title} in {graph.graph.get('events', 0)} events{more}\n"
        "cell: events tagged with both; in brackets: events tagged; "
        "lines: Louvain communities"
    )
    bar = figure.colorbar(image, ax=ax, shrink=0.5, pad=0.01)
    bar.set_label("events tagged with both")
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(headings) > 1:
        ax.legend(
            handles=[Patch(color=colour[s], label=h) for s, h in headings.items()],
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            frameon=False,
        )


def _lower_first(heading: str) -> str:
    """ "Harm types" -> "harm types"; "AI principles" stays."""
    if len(heading) > 1 and heading[1].islower():
        return heading[0].lower() + heading[1:]
    return heading


def _cell(i: int, j: int, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=colour, edgecolor="none")


def _circle(figure, graph: nx.Graph, top: int) -> None:
    from matplotlib import colormaps
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    # Room for the labels around the circle: a label is at most _CIRCLE_LABEL characters.
    ax = figure.add_axes((0.0, 0.0, 1.0, 0.91))
    ax.set_axis_off()
    ax.set_aspect("equal")
    nodes, group = _ordered(graph, top_nodes(graph, top))
    n = len(nodes)
    kind = graph.graph.get("kind")
    where = {}
    for i, node in enumerate(nodes):
        angle = 2 * math.pi * i / max(n, 1)
        where[node] = (math.cos(angle), math.sin(angle), angle)
    sub = graph.subgraph(nodes)
    weights = [w for _, _, w in sub.edges(data="weight")]
    low, high = min(weights, default=1), max(weights, default=1)
    for a, b, w in sorted(sub.edges(data="weight"), key=lambda e: (e[2], e[0], e[1])):
        share = (w - low) / (high - low) if high > low else 0.0
        (xa, ya, _), (xb, yb, _) = where[a], where[b]
        # A chord bent toward the centre, so that edges between neighbours stay visible.
        curve = Path(
            [(xa, ya), (0.35 * (xa + xb) / 2, 0.35 * (ya + yb) / 2), (xb, yb)],
            [Path.MOVETO, Path.CURVE3, Path.CURVE3],
        )
        ax.add_patch(
            PathPatch(
                curve,
                facecolor="none",
                edgecolor="#4d4d4d",
                alpha=0.25 + 0.5 * share,
                linewidth=0.8 + 4.2 * share,
                zorder=1,
            )
        )
    count = "articles" if kind == "events" else "events"
    size = {x: graph.nodes[x].get(count, 0) for x in nodes}
    biggest = max(size.values(), default=1) or 1
    palette = colormaps["tab10"]
    for i, node in enumerate(nodes):
        x, y, angle = where[node]
        data = graph.nodes[node]
        if kind == "events":
            colour = "#1f77b4" if data.get("bipartite") == 0 else "#d62728"
        else:
            colour = palette(group[i] % 10)
        ax.scatter(
            [x],
            [y],
            s=40 + 460 * size[node] / biggest,
            color=colour,
            edgecolors="white",
            linewidths=0.8,
            zorder=2,
        )
        degrees = math.degrees(angle)
        left = 90 < degrees < 270
        ax.text(
            1.09 * x,
            1.09 * y,
            f"{_short(data.get('label', node), _CIRCLE_LABEL)} ({size[node]})",
            rotation=degrees + 180 if left else degrees,
            rotation_mode="anchor",
            ha="right" if left else "left",
            va="center",
            fontsize=9,
        )
    ax.set_xlim(-2.2, 2.2)
    ax.set_ylim(-2.2, 2.2)
    total = graph.number_of_nodes()
    if kind == "events":
        title = "Events and the outlets that covered them"
        note = "edge: the outlet's articles about the event; in brackets: articles"
        ax.legend(
            handles=[
                Line2D([], [], marker="o", linestyle="", color="#1f77b4", label="event"),
                Line2D([], [], marker="o", linestyle="", color="#d62728", label="outlet"),
            ],
            loc="upper left",
            bbox_to_anchor=(0.0, 1.0),
            bbox_transform=figure.transFigure,
            frameon=False,
        )
    else:
        title = "Outlets that covered the same events"
        note = "edge: events both covered; in brackets: events covered; colour: Louvain community"
    more = f"the {n} of {total} nodes of highest weighted degree" if n < total else f"{n} nodes"
    figure.suptitle(
        f"{title} ({graph.graph.get('events', 0)} events): {more}\n{note}", fontsize=13, y=0.985
    )
