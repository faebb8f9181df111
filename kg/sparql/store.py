"""The SPARQL store: exports (or raw inputs, exported on the fly) in a pyoxigraph (Oxigraph) store.

``aim-kg load`` keeps a store on disk; ``aim-kg query -d`` and ``aim-kg serve -d`` build the same
store in memory or in a temporary folder. Its layout is the N-Quads export's, plus the vocabulary:

    <event IRI>                         one graph per event: the event, its generated texts, its
                                        articles and their rationales for it (kg/write/nquads.py)
    <aimid:graph-shared>                the outlets (every triple that belongs to no event)
    <https://w3id.org/aim-kg/ontology>  ontology/aim.ttl and ontology/alignments.ttl
    <https://w3id.org/aim-kg/taxonomy>  ontology/taxonomies.ttl (every concept, used or not)
    <aimid:graph-description>           the dataset description (aim-kg describe), when one of
                                        the DATA files is a description (it has a dcat:Dataset
                                        and no event); a new one replaces it

The default graph stays empty: queries run with the default graph as the union of all graphs
(Oxigraph's union-default-graph), so a query written for a single exported file works unchanged.

Loading replaces, never duplicates:
- an event's graph is dropped and written anew, so loading an event again replaces its triples
  (an event that a load does not mention is kept as it was);
- an outlet's triples in the shared graph are replaced by those of the latest load that has it
  (its display name is then the most frequent spelling in that load);
- the outlets' figures (aim:coveredEventCount, aim:publishedArticleCount), which count across
  events, are recounted over the whole store after every load (``recount_outlets``), so that
  they stay right whatever part of the data a load replaces (but one: a single export loaded
  into a new store keeps the figures it carries, counted over the same events, when every
  outlet has them); so are the co-occurrences of concepts (aim:Cooccurrence,
  ``recount_cooccurrences``); the events' figures are event-local and come and go with their
  event's graph;
- the vocabulary graphs are rewritten from the installed aim-kg on every load. Triples that an
  export carries about vocabulary terms (the concepts and schemes it uses, the ontology with
  ``--with-ontology``) are not stored twice: the vocabulary graphs hold them.
If the same event comes in two inputs of one load, the later input wins. Every input is read and
parsed before the store is touched, but one: a single N-Quads file loaded into a new store (a
missing or empty folder) is read by bulk-loading its lines, Oxigraph's parser checking them as
it goes; if it proves broken, the store is emptied again (and the folder put back as it was), so
a broken input loads nothing either way. The writing itself is not one transaction (Oxigraph's
bulk loader writes chunk by chunk), so an interrupted load is repaired by running it again. The
store is compacted after every load.

Oxigraph's union default graph is a bag, not a set: a triple in two graphs is seen twice. The only
triples that can be in two graphs are those of an article about several events (its headline,
date, publisher... are in each event's graph), so queries that count articles count them with
COUNT(DISTINCT ...). Every query of the catalogue (queries/) does.
"""

from __future__ import annotations

import fcntl
import gzip
import itertools
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg import rdffile, resources
from kg.errors import DataError, RdfFileError, StoreError
from kg.namespaces import AIM, AIMID, ONTOLOGY_IRI, RDF_TYPE, SCHEMA, TAXONOMY_IRI
from kg.tempfiles import temp_dir
from kg.write.nquads import SHARED_GRAPH

ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_IRI)
TAXONOMY_GRAPH = ox.NamedNode(TAXONOMY_IRI)

_TYPE = ox.NamedNode(RDF_TYPE)
_EVENT = ox.NamedNode(AIM + "Event")
_SUMMARY = ox.NamedNode(AIM + "summary")
_RATIONALE = ox.NamedNode(AIM + "rationale")
_ARTICLE = ox.NamedNode(AIM + "article")
_ABOUT = ox.NamedNode(SCHEMA + "about")
_OUTLET = ox.NamedNode(AIM + "Outlet")
_DATASET = ox.NamedNode("http://www.w3.org/ns/dcat#Dataset")

# Quads handed to the bulk loader at a time: memory stays near 300 MB whatever the store's size.
_BATCH = 200_000
# N-Quads lines are handed to it as they are, by _THREADS threads, _CHUNK bytes at a time each
# (about 60,000 lines of an export: two chunks in flight hold less than one batch of _BATCH).
_CHUNK = 12 << 20
_THREADS = 2
# No valid N-Quads line is longer: four tokens of at most 16 MiB (Oxigraph's buffer) and spaces.
_LONGEST_LINE = 65 << 20


def shared_graph(base_iri: str = AIMID) -> ox.NamedNode:
    return ox.NamedNode(base_iri + SHARED_GRAPH)


def description_graph(base_iri: str = AIMID) -> ox.NamedNode:
    return ox.NamedNode(base_iri + "graph-description")  # kg.description.DESCRIPTION_GRAPH


# ---------------------------------------------------------------- reading DATA


@dataclass
class Source:
    """The events and shared triples of one DATA file (or of all raw inputs, exported together)."""

    name: str
    events: set[ox.NamedNode]
    shared: list[ox.Triple]
    quads: Callable[[], Iterator[ox.Quad]]  # the events' quads; streamed, read once
    summary: object = None  # kg.pipeline.Summary, for raw inputs
    description: bool = False  # a dataset description (its triples are in ``shared``)
    # An N-Quads file (plain or .gz) that Oxigraph can bulk-load as it is (its lines, never
    # turned into Python objects), and the names of its graphs that are not events'.
    nquads: str | None = None
    other_graphs: frozenset = frozenset()
    loaded: bool = False  # its lines are in the store already (read_by_loading)


def _parse(path: str) -> Iterator[ox.Quad]:
    try:
        yield from rdffile.parse(path)
    except RdfFileError as exc:
        raise DataError(str(exc)) from None


def _quads_source(path: str, name: str) -> Source:
    """An N-Quads export: each event's graph is named by the event; any other graph is shared."""
    events: set[ox.NamedNode] = set()
    pending: dict = defaultdict(list)  # graph -> quads, until it is known to be an event's
    for quad in _parse(path):
        graph = quad.graph_name
        if graph in events:
            continue
        if quad.subject == graph and quad.predicate == _TYPE and quad.object == _EVENT:
            events.add(graph)
            pending.pop(graph, None)
            continue
        pending[graph].append(quad)
    others = frozenset(graph for graph in pending if graph not in events)
    shared = [q.triple for graph, quads in pending.items() if graph not in events for q in quads]

    def quads() -> Iterator[ox.Quad]:
        return (q for q in _parse(path) if q.graph_name in events)

    nquads = path if rdffile.rdf_format(path) == ox.RdfFormat.N_QUADS else None
    return Source(name, events, shared, quads, nquads=nquads, other_graphs=others)


class Router:
    """Which event graphs a triple of a single-graph export belongs to, as the N-Quads export
    splits them: each event with its generated texts and its articles (an article about several
    events is in each of their graphs, with its schema:about and rationale for that event only).
    It learns from one pass over the triples and keeps only small indexes (IRIs as strings)."""

    def __init__(self) -> None:
        self.events: set[str] = set()
        self.text_owner: dict[str, str] = {}  # a summary or rationale -> its event or article
        self.article_events: dict[str, list[str]] = defaultdict(list)
        self.about: dict[str, set[str]] = defaultdict(set)

    def learn(self, t: ox.Triple) -> None:
        p = t.predicate
        if p == _TYPE:
            if t.object == _EVENT and isinstance(t.subject, ox.NamedNode):
                self.events.add(t.subject.value)
        elif p == _ABOUT:
            self.about[t.subject.value].add(t.object.value)
        elif p == _ARTICLE:
            self.article_events[t.object.value].append(t.subject.value)
        elif p in (_SUMMARY, _RATIONALE) and isinstance(t.object, ox.NamedNode):
            self.text_owner[t.object.value] = t.subject.value

    def graphs(self, t: ox.Triple) -> list[str] | None:
        """The event graphs of a triple; None when it belongs to no event (shared)."""
        s = t.subject.value
        if s in self.events:
            return [s]
        events = self.article_events.get(s)
        if events is not None:
            events = [e for e in events if e in self.events]
            if t.predicate == _ABOUT:
                return [t.object.value] if t.object.value in events else None
            if t.predicate == _RATIONALE:
                return [e for e in events if e in self.about.get(t.object.value, ())] or None
            return events or None
        owner = self.text_owner.get(s)
        if owner is None:
            return None
        if owner in self.events:
            return [owner]
        cited = [e for e in self.article_events.get(owner, ()) if e in self.events]
        return [e for e in cited if e in self.about.get(s, ())] or None


def partition(triples: Iterable[ox.Triple]) -> tuple[dict[ox.NamedNode, list[ox.Triple]], list]:
    """Triples of a single-graph export, split into event graphs and the shared rest."""
    triples = list(triples)
    router = Router()
    for t in triples:
        router.learn(t)
    events: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
    shared = []
    for t in triples:
        graphs = router.graphs(t)
        if graphs is None:
            shared.append(t)
        for graph in graphs or ():
            events[ox.NamedNode(graph)].append(t)
    return dict(events), shared


def _triples_source(path: str, name: str) -> Source:
    """A Turtle, N-Triples or JSON-LD export (one graph): split into events by a Router, in
    passes over the file, so that only its indexes are held in memory."""
    router = Router()
    for quad in _parse(path):
        router.learn(quad.triple)
    shared = [q.triple for q in _parse(path) if router.graphs(q.triple) is None]

    def quads() -> Iterator[ox.Quad]:
        for quad in _parse(path):
            for graph in router.graphs(quad.triple) or ():
                yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(graph))

    return Source(name, {ox.NamedNode(e) for e in router.events}, shared, quads)


def _raw_source(inputs: list[str], stack: ExitStack, base_iri: str, jobs, progress) -> Source:
    """Raw AIM inputs (pages, API JSON, folders of them), exported to N-Quads first."""
    from kg.pipeline import export as run_export
    from kg.read.sources import InputError
    from kg.write import format_named
    from kg.write.outputs import Output

    folder = stack.enter_context(temp_dir("data"))
    path = os.path.join(folder, "data.nq")
    try:
        summary = run_export(
            inputs,
            [Output(path, format_named("nquads"))],
            base_iri=base_iri,
            jobs=jobs,
            progress=progress,
        )
    except InputError as exc:
        raise DataError(str(exc)) from None
    source = _quads_source(path, ", ".join(inputs) or "the bundled examples")
    source.summary = summary
    return source


def read(
    data: list[str],
    stack: ExitStack,
    base_iri: str = AIMID,
    jobs: int | None = None,
    progress: bool = False,
) -> list[Source]:
    """DATA as sources, in the order given (raw inputs go together, where the first one is).

    RDF files are read by their extension (.ttl .nt .nq .jsonld, optionally .gz); anything else
    (pages, API JSON, folders, -) is exported on the fly. Temporary files live as long as
    ``stack``. No DATA is the bundled example corpus. Raises DataError before anything is
    loaded if a file cannot be read or parsed.
    """
    if not data:
        return [_raw_source([], stack, base_iri, jobs, progress)]
    raw = [d for d in data if not rdffile.is_rdf_file(d)]
    sources: list[Source] = []
    raw_done = False
    for item in data:
        if rdffile.is_rdf_file(item):
            if not os.path.isfile(item):
                raise DataError(f"{item}: no such file")
            source = None
            if rdffile.rdf_format(item).supports_datasets:
                source = _quads_source(item, item)  # event graphs as they are named
                if not source.events:
                    source = None  # one graph after all (JSON-LD, a TriG default graph)
            source = source or _triples_source(item, item)
            source.description = not source.events and any(
                t.predicate == _TYPE and t.object == _DATASET for t in source.shared
            )
            sources.append(source)
        elif not raw_done:
            sources.append(_raw_source(raw, stack, base_iri, jobs, progress))
            raw_done = True
    return sources


# ---------------------------------------------------------------- writing the store


@cache
def _vocabulary() -> tuple[tuple[ox.Quad, ...], frozenset]:
    """The vocabulary quads (ontology + alignments, taxonomies) and the subjects they describe."""
    aim, alignments, taxonomies = resources.ontology_files()
    quads: list[ox.Quad] = []
    for path, graph in (
        (aim, ONTOLOGY_GRAPH),
        (alignments, ONTOLOGY_GRAPH),
        (taxonomies, TAXONOMY_GRAPH),
    ):
        quads += (
            ox.Quad(q.subject, q.predicate, q.object, graph) for q in ox.parse(path=str(path))
        )
    subjects = frozenset(q.subject for q in quads if isinstance(q.subject, ox.NamedNode))
    return tuple(quads), subjects


class Steps(dict):
    """Wall and CPU seconds (of every thread of the process) of each step of a load, by name:
    what the benchmark reports as the load's split."""

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            before = self.get(name, (0.0, 0.0))
            self[name] = (
                before[0] + time.perf_counter() - wall,
                before[1] + time.process_time() - cpu,
            )


@dataclass
class LoadReport:
    events: int = 0  # events written
    replaced: int = 0  # of which were in the store before
    shared_subjects: int = 0  # outlets, co-occurrences, countries (every shared node) written
    outlets: int = 0  # of which outlets
    duplicates: list[str] = field(default_factory=list)  # events in two inputs (the later won)
    quads: int = 0  # quads in the store afterwards
    described: bool = False  # a dataset description was loaded (into aimid:graph-description)
    recounted: int = 0  # outlets whose figures the load corrected (counted over the whole store)
    recounted_cooccurrences: int = 0  # co-occurrence nodes the load wrote, rewrote or removed
    problems: list = field(default_factory=list)  # of raw inputs exported on the fly
    steps: Steps = field(default_factory=Steps)  # (wall s, CPU s) of each step


def load(
    store: ox.Store, sources: list[Source], base_iri: str = AIMID, clear: bool = False
) -> LoadReport:
    """Write sources into store, replacing what they replace (see the module docstring)."""
    report = LoadReport()
    step = report.steps
    # A source already in the store was bulk-loaded into a new store (read_by_loading): there is
    # nothing else to clear, and clearing would take it out again.
    first = len(sources) == 1 and sources[0].loaded
    if clear and not first:
        with step("clear"):
            store.clear()
    owner: dict[ox.NamedNode, int] = {}
    for i, source in enumerate(sources):
        for graph in source.events:
            if graph in owner:
                report.duplicates.append(graph.value)
            owner[graph] = i
    report.events = len(owner)

    # 1. Drop the graphs being replaced: the events', the vocabulary's. (A source already in
    # the store was loaded into a new store: it replaces nothing.)
    with step("drop replaced graphs"):
        for graph in owner:
            if not sources[owner[graph]].loaded and store.contains_named_graph(graph):
                store.remove_graph(graph)
                report.replaced += 1
    with step("vocabulary"):
        vocabulary, vocabulary_subjects = _vocabulary()
        for graph in (ONTOLOGY_GRAPH, TAXONOMY_GRAPH):
            store.remove_graph(graph)
        store.extend(vocabulary)

    # 2. Shared triples, subject by subject: the last source that describes a subject wins.
    with step("shared graph"):
        latest: dict = {}
        for source in sources:
            if source.description:
                continue
            mine: dict = defaultdict(list)
            for t in source.shared:
                if isinstance(t.subject, ox.BlankNode) or t.subject in vocabulary_subjects:
                    continue
                mine[t.subject].append(t)
            latest.update(mine)
        shared = shared_graph(base_iri)
        if not any(source.loaded for source in sources):  # else they are in already, alone
            for subject in latest:
                for quad in list(store.quads_for_pattern(subject, None, None, shared)):
                    store.remove(quad)
            store.extend(
                ox.Quad(t.subject, t.predicate, t.object, shared)
                for ts in latest.values()
                for t in ts
            )
        report.shared_subjects = len(latest)
        report.outlets = sum(
            any(t.predicate == _TYPE and t.object == _OUTLET for t in ts) for ts in latest.values()
        )

        # 2b. The dataset description, in a graph of its own: the last one given replaces it.
        descriptions = [s for s in sources if s.description]
        if descriptions:
            graph = description_graph(base_iri)
            store.remove_graph(graph)
            store.extend(
                ox.Quad(t.subject, t.predicate, t.object, graph) for t in descriptions[-1].shared
            )
            report.described = True

    # 3. The events, streamed.
    if _native(sources, shared):
        # One N-Quads file whose other graph is the shared one: Oxigraph bulk-loads its lines as
        # they are (a third faster than quads made in Python). That adds the file's shared
        # triples again (the same set as step 2's) and the ones step 2 leaves out: remove those.
        if not sources[0].loaded:
            with step("bulk load"):
                _bulk_load_lines(store, sources[0].nquads, lenient=True)  # parsed by read()
        with step("removals"):
            for quad in list(store.quads_for_pattern(None, None, None, shared)):
                if isinstance(quad.subject, ox.BlankNode) or quad.subject in vocabulary_subjects:
                    store.remove(quad)
    else:

        def event_quads() -> Iterator[ox.Quad]:
            for i, source in enumerate(sources):
                for quad in source.quads():
                    if owner.get(quad.graph_name) == i:
                        yield quad

        # Oxigraph's bulk loader holds what it is given in memory: a bounded batch at a time.
        with step("bulk load"):
            quads = event_quads()
            while batch := list(itertools.islice(quads, _BATCH)):
                store.bulk_extend(batch)
    # One export loaded into a new store holds the figures that export counted over the very
    # events the store now holds: they are the store's, unless some are missing (a file that is
    # not an export of aim-kg's), and recounting them would find nothing to correct.
    if not (first and outlet_figures_complete(store, shared)):
        with step("recount"):
            report.recounted = recount_outlets(store, shared)
            report.recounted_cooccurrences = recount_cooccurrences(store, shared, base_iri)
    elif not any(store.quads_for_pattern(None, _TYPE, _COOCCURRENCE, shared)):
        with step("recount"):  # an export without them (of an earlier aim-kg, or none to count)
            report.recounted_cooccurrences = recount_cooccurrences(store, shared, base_iri)
    with step("flush"):
        store.flush()
    # Compact: the files the bulk loader wrote and the tombstones of replaced graphs slow every
    # later query down (up to four times on a store where 20,000 events were replaced; a new
    # store of 20,000 events, not compacted, answered the catalogue's lookups 2-5 times slower,
    # and a store opened read-only, as the queries and the server open it, is never compacted).
    with step("optimize"):
        store.optimize()
    with step("count"):
        report.quads = len(store)
    return report


_COVERED = ox.NamedNode(AIM + "coveredEventCount")  # kg.model.triples.P_COVERED_COUNT
_PUBLISHED = ox.NamedNode(AIM + "publishedArticleCount")  # P_PUBLISHED_COUNT
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
OUTLET_COUNTS = """
SELECT ?outlet (COUNT(DISTINCT ?event) AS ?events) (COUNT(DISTINCT ?article) AS ?articles)
WHERE {
  { SELECT ?article ?outlet WHERE { ?article <https://schema.org/publisher> ?outlet } }
  { SELECT ?article ?event WHERE { ?article <https://schema.org/about> ?event } }
}
GROUP BY ?outlet
"""


def outlet_figures_complete(store: ox.Store, shared: ox.NamedNode) -> bool:
    """Whether every outlet of the shared graph carries each of its figures exactly once, as an
    xsd:integer (as every export writes them)."""
    outlets = {q.subject for q in store.quads_for_pattern(None, _TYPE, _OUTLET, shared)}
    for predicate in (_COVERED, _PUBLISHED):
        seen: set = set()
        for q in store.quads_for_pattern(None, predicate, None, shared):
            literal = q.object
            if (
                q.subject in seen
                or not isinstance(literal, ox.Literal)
                or literal.datatype != _INTEGER
            ):
                return False
            seen.add(q.subject)
        if seen != outlets:
            return False
    return True


def recount_outlets(store: ox.Store, shared: ox.NamedNode) -> int:
    """Count every outlet's figures over the whole store (the union of its graphs: one aggregate)
    and rewrite, in the shared graph, those that differ; returns how many outlets were corrected.

    An export counts its outlets over its own events only, and a load keeps the events of
    earlier loads: after a load of part of the data, an outlet's figures in the export are not
    the store's. An outlet that no event of the store cites any more counts 0 and 0."""
    counted = {
        row[0]: (row[1], row[2])
        for row in store.query(OUTLET_COUNTS, use_default_graph_as_union=True)
    }
    zero = ox.Literal("0", datatype=_INTEGER)
    corrected = 0
    for quad in list(store.quads_for_pattern(None, _TYPE, _OUTLET, shared)):
        outlet = quad.subject
        events, articles = counted.get(outlet, (zero, zero))
        stale = []
        for predicate, value in ((_COVERED, events), (_PUBLISHED, articles)):
            have = list(store.quads_for_pattern(outlet, predicate, None, shared))
            if [q.object for q in have] != [value]:
                stale.append((predicate, value, have))
        for predicate, value, have in stale:
            for q in have:
                store.remove(q)
            store.add(ox.Quad(outlet, predicate, value, shared))
        corrected += bool(stale)
    return corrected


_COOCCURRENCE = ox.NamedNode(AIM + "Cooccurrence")  # kg.model.triples.COOCCURRENCE
_CONCEPT = ox.NamedNode(AIM + "concept")  # P_CONCEPT
_EVENT_COUNT = ox.NamedNode(AIM + "eventCount")  # P_EVENT_COUNT
# The concepts of the paired facets (kg.model.triples.PAIRED_FACETS), by facet property, as the
# store knows them (the taxonomy graph, and the concepts an export carries that it lacks).
_FACET_CONCEPTS = """
SELECT ?facet ?concept
WHERE {
  VALUES ?facet { %s }
  ?scheme <https://w3id.org/aim-kg/ontology#facetProperty> ?facet .
  ?concept <http://www.w3.org/2004/02/skos/core#inScheme> ?scheme .
}
"""
# The events' sets of concepts of one facet, each as a sum of powers of two (one per concept,
# VALUES), and how many events have each set: the engine groups ids, no IRI is decoded, and only
# the few distinct sets come back (a self-join of the facet's triples costs ten times more).
_CONCEPT_SETS = """
SELECT ?set (COUNT(*) AS ?events)
WHERE {
  { SELECT ?event (SUM(?bit) AS ?set) (COUNT(*) AS ?n)
    WHERE { ?event <%s> ?concept . VALUES (?concept ?bit) { %s } }
    GROUP BY ?event }
  FILTER (?n > 1)
}
GROUP BY ?set
"""
_MASK_BITS = 62  # the sums are xsd:integer, 64-bit in Oxigraph


def count_cooccurrences(store: ox.Store) -> dict[tuple[ox.NamedNode, ox.NamedNode], int]:
    """{(concept, concept): events that carry both}, counted over the whole store for each
    paired facet, each pair once (its concepts in code-point order)."""
    from kg.model.triples import PAIRED_FACETS

    facets = " ".join(f"<{facet}>" for facet in PAIRED_FACETS)
    by_facet: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for row in store.query(_FACET_CONCEPTS % facets, use_default_graph_as_union=True):
        by_facet[row[0]].add(row[1])
    pairs: dict = defaultdict(int)
    for facet, known in sorted(by_facet.items(), key=lambda item: item[0].value):
        concepts = sorted(known, key=lambda c: c.value)
        if len(concepts) > _MASK_BITS:  # never so far: count from the triples themselves
            values: dict = defaultdict(set)
            for quad in store.quads_for_pattern(None, facet, None, None):
                values[quad.subject].add(quad.object)
            for members in values.values():
                for a, b in itertools.combinations(sorted(members, key=lambda c: c.value), 2):
                    pairs[a, b] += 1
            continue
        bits = " ".join(f"({c} {1 << i})" for i, c in enumerate(concepts))
        result = store.query(_CONCEPT_SETS % (facet.value, bits), use_default_graph_as_union=True)
        for row in result:
            mask, events = int(row[0].value), int(row[1].value)
            members = [c for i, c in enumerate(concepts) if mask >> i & 1]
            for a, b in itertools.combinations(members, 2):
                pairs[a, b] += events
    return dict(pairs)


def recount_cooccurrences(store: ox.Store, shared: ox.NamedNode, base_iri: str = AIMID) -> int:
    """Count the co-occurrences of concepts over the whole store (``count_cooccurrences``) and
    make the shared graph's aim:Cooccurrence nodes say so: a node per pair that co-occurs on an
    event (written where it is missing or differs), none for a pair that no longer does (an
    export counts its own events only, and a load keeps the events of earlier loads). Returns
    how many nodes were written, rewritten or removed."""
    from kg.model.triples import Minter

    minter = Minter(base_iri)
    wanted: dict[ox.NamedNode, list[tuple[ox.NamedNode, ox.Term]]] = {}
    for (a, b), events in count_cooccurrences(store).items():
        node = ox.NamedNode(minter.cooccurrence(a.value, b.value))
        count = ox.Literal(str(events), datatype=_INTEGER)
        wanted[node] = sorted(
            [(_TYPE, _COOCCURRENCE), (_CONCEPT, a), (_CONCEPT, b), (_EVENT_COUNT, count)], key=str
        )
    have = {q.subject for q in store.quads_for_pattern(None, _TYPE, _COOCCURRENCE, shared)}
    changed = 0
    for node in sorted(have | wanted.keys(), key=lambda n: n.value):
        quads = list(store.quads_for_pattern(node, None, None, shared))
        if sorted(((q.predicate, q.object) for q in quads), key=str) == wanted.get(node):
            continue
        for quad in quads:
            store.remove(quad)
        store.extend(ox.Quad(node, p, o, shared) for p, o in wanted.get(node, ()))
        changed += 1
    return changed


def _native(sources: list[Source], shared: ox.NamedNode) -> bool:
    """Whether the events can be bulk-loaded from the lines of the file: one N-Quads source
    (so no event is in two inputs) whose graphs are its events' and the shared graph."""
    return (
        len(sources) == 1
        and sources[0].nquads is not None
        and not sources[0].description
        and sources[0].other_graphs <= {shared}
    )


class _Unreadable(Exception):
    """The DATA file itself could not be read (not the store written)."""


def _chunks(path: str) -> Iterator[bytes]:
    """The lines of an N-Quads file (plain or .gz), about ``_CHUNK`` bytes of whole lines at a
    time (a line never has a newline inside: N-Quads escapes them)."""
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            rest = b""
            while block := stream.read(_CHUNK):
                block = rest + block
                cut = block.rfind(b"\n") + 1
                if cut == 0 and len(block) < _LONGEST_LINE:
                    rest = block  # no line ends here yet
                    continue
                cut = cut or len(block)  # no valid line is this long: the parser will say so
                rest = block[cut:]
                yield block[:cut]
            if rest:
                yield rest
    except (OSError, EOFError) as exc:
        raise _Unreadable(getattr(exc, "strerror", None) or str(exc)) from None


def _bulk_load_lines(store: ox.Store, path: str, lenient: bool) -> None:
    """Bulk-load the lines of an N-Quads file as they are (never turned into Python objects), in
    ``_THREADS`` threads: Oxigraph parses and indexes a chunk in the thread that hands it over,
    without the GIL, so two threads keep two cores busy. A bounded chunk at a time, because
    Oxigraph's bulk loader holds what it is given in memory; each chunk is written whole or not
    at all, and the first error stops every thread after its chunk under way (then raised
    here). ``lenient``: do not check IRIs again, for lines that were parsed strictly before."""
    chunks = _chunks(path)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not errors:
                with lock:
                    chunk = next(chunks, None)
                if chunk is None:
                    return
                store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS, lenient=lenient)
        except BaseException as exc:  # handed to the caller's thread
            errors.append(exc.with_traceback(None))  # no frame of it keeps the store open

    threads = [threading.Thread(target=work, name=f"bulk-load-{i}") for i in range(_THREADS)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException as exc:  # Ctrl-C, SIGTERM: stop the threads before anything else
        errors.append(exc)
        for thread in threads:
            thread.join()
        raise
    finally:
        with lock:
            chunks.close()
    if errors:
        raise errors[0]


def fresh(path: str) -> bool:
    """Whether the store folder at path is new: missing, or an empty folder."""
    folder = Path(path)
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def read_by_loading(store: ox.Store, path: str, base_iri: str = AIMID) -> Source | None:
    """Read one N-Quads DATA file by bulk-loading its lines into ``store``, which must be new
    (empty), with Oxigraph's parser checking them as it goes, then learn its events and shared
    triples from the store: the file is read once, never turned into Python objects. Returns its
    Source, marked as loaded, or None (and ``store`` is empty again) when the file is not one
    that ``load`` bulk-loads as it is (no event, a description, triples in other graphs than the
    events' and the shared one): then read it as any other. Raises DataError (naming the line,
    as ``read`` would) when the file cannot be read or parsed, after emptying ``store`` again."""
    try:
        _bulk_load_lines(store, path, lenient=False)
    except _Unreadable as exc:
        store.clear()
        raise DataError(f"{path}: cannot read: {exc}") from None
    except (SyntaxError, ValueError) as exc:
        store.clear()
        # The loader counts lines from the start of its chunk: the whole file's parse names
        # the line of the file.
        for _ in _parse(path):
            pass
        raise DataError(f"{path}: not valid N_QUADS: {exc}") from None
    except BaseException:
        store.clear()
        raise
    events = {
        q.subject
        for q in store.quads_for_pattern(None, _TYPE, _EVENT, None)
        if q.subject == q.graph_name
    }
    others = frozenset(g for g in store.named_graphs() if g not in events)
    shared = shared_graph(base_iri)
    in_default = next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None)
    if not events or not others <= {shared} or in_default is not None:
        store.clear()
        return None
    triples = [q.triple for q in store.quads_for_pattern(None, None, None, shared)]

    def quads() -> Iterator[ox.Quad]:
        return (q for q in _parse(path) if q.graph_name in events)

    return Source(path, events, triples, quads, nquads=path, other_graphs=others, loaded=True)


def open_store(path: str, create: bool) -> ox.Store:
    """The on-disk store at path: created if ``create``, else it must exist (opened read-only)."""
    folder = Path(path)
    if create:
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"--store {path}: not a folder")
        if folder.is_dir() and any(folder.iterdir()) and not (folder / "CURRENT").exists():
            raise StoreError(f"--store {path}: the folder is not empty and holds no store")
    elif not (folder / "CURRENT").is_file():
        raise StoreError(
            f"--store {path}: no store there (create one with: aim-kg load DATA --store {path})"
        )
    try:
        return ox.Store(str(folder)) if create else ox.Store.read_only(str(folder))
    except OSError as exc:
        message = str(exc)
        if "lock" in message.lower():
            message = "the store is in use by another process (stop it, then load)"
        raise StoreError(f"--store {path}: {message}") from None


# A server of a store and a load into it must not overlap (Oxigraph's read-only reader does
# not see a writer's changes, and may read a store half written): ``aim-kg serve`` holds a
# shared lock on this file of the store folder while it serves, ``aim-kg load`` an exclusive one.
LOCK_FILE = "aim-kg.lock"


@contextmanager
def _locked(path: str, mode: int, message: str) -> Iterator[None]:
    folder = Path(path)
    if not (folder / "CURRENT").is_file():
        yield  # no store yet: nobody serves it
        return
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield  # a folder we cannot write to: nobody can load into it either
        return
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"--store {path}: {message}") from None
        yield
    finally:
        os.close(fd)


def serving(path: str):
    """Held while ``aim-kg serve`` serves the store at path."""
    return _locked(path, fcntl.LOCK_SH, "the store is being loaded; wait for the load to end")


def writing(path: str):
    """Held while ``aim-kg load`` writes the store at path."""
    return _locked(
        path,
        fcntl.LOCK_EX,
        "the store is in use by aim-kg serve (stop the server, load, then serve again)",
    )
