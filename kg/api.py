"""The Python API: the functions behind every command, returning objects rather than text.

    import kg

    result = kg.export(["records.json"], ["aim.ttl", "aim.jsonld"], problems="problems.jsonl")
    result.events, result.triples, result.rejects, result.warnings
    g = kg.graph(["records.json"])                 # an rdflib.Graph, for notebooks
    conforms, report, text = kg.validate(g)         # pySHACL's convention
    rows = kg.query("events-per-year", data=["aim.ttl"])
    kg.load(["aim.nq"], "store/")

Every error a user can cause is a ``kg.AimKgError`` with the message the command line prints.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.errors import UsageError
from kg.model.events import Problem
from kg.namespaces import AIMID, SH, prefixes
from kg.pipeline import ExportResult
from kg.sparql.push import PushReport
from kg.sparql.store import LoadReport
from kg.tempfiles import temp_dir

PathLike = str | os.PathLike

__all__ = [
    "ExportResult",
    "LoadReport",
    "Problem",
    "PushReport",
    "Rows",
    "describe",
    "export",
    "graph",
    "load",
    "push",
    "query",
]


def _paths(value: PathLike | Iterable[PathLike] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | os.PathLike):
        return [os.fspath(value)]
    return [os.fspath(v) for v in value]


def export(
    inputs: PathLike | Iterable[PathLike] = (),
    outputs: PathLike | Iterable[PathLike] = (),
    *,
    problems: PathLike | None = None,
    rejects: PathLike | None = None,
    base_iri: str = AIMID,
    with_ontology: bool = False,
    jobs: int | None = None,
    format: str | None = None,
    progress: bool = False,
    aiid_links: PathLike | bool | None = True,
    describe: PathLike | None = None,
    base_url: str | None = None,
    license: str | None = None,
    endpoint: str | None = None,
    publisher: str | None = None,
    timestamp: bool = False,
) -> ExportResult:
    """Export AIM pages and records to validated RDF files.

    ``inputs``: files, folders (searched for .txt pages and .json/.jsonl/.ndjson records,
    gzipped or not) or ``-``; none means the bundled examples. ``outputs``: file names whose
    extension gives the format (.ttl .jsonld .nt .nq, optionally .gz); ``-`` is standard output
    (in ``format``, Turtle by default); none validates and counts without writing. ``problems``
    (``rejects`` is the older name) receives every rejected input and every warning as JSON
    Lines. Every event is validated before it is written; an event that breaks the shapes is
    left out and listed, never written. ``aiid_links``: the AI Incident Database's table of
    links to AIM pages that adds ``aim:aiidIncident`` to the events it names: True the table
    shipped with aim-kg, False (or None, or "none") no table, a path a newer table of the same
    form. ``describe``: also write the dataset description (DCAT, VoID, PROV; see
    ``kg.describe``) of the outputs to this file, with ``base_url``, ``license``,
    ``endpoint``, ``publisher`` and ``timestamp`` as ``kg.describe`` takes them.

    Returns an ``ExportResult``: the counts (events, triples, outlets, concepts, rejected,
    warned), the outputs written, and ``problems`` (``rejects``, ``warnings``) as ``Problem``
    objects with file, line, event, kind, code, reason and SHACL messages. Raises
    ``kg.UsageError`` or ``kg.InputError`` before anything is written.
    """
    from kg.pipeline import export as run
    from kg.write.outputs import resolve_outputs

    if problems is not None and rejects is not None:
        raise UsageError("give problems= or its older name rejects=, not both")
    resolved = resolve_outputs(_paths(outputs), format)
    if describe is not None:
        from kg.description import check_options

        check_options(os.fspath(describe), [o.path for o in resolved], base_url, license, endpoint)
    result = run(
        _paths(inputs),
        resolved,
        problems=problems if problems is not None else rejects,
        base_iri=base_iri,
        jobs=jobs,
        progress=progress,
        with_ontology=with_ontology,
        aiid_links=aiid_links,
    )
    if describe is not None:
        from kg.description import describe_export

        describe_export(
            result, os.fspath(describe), base_iri=base_iri, base_url=base_url,
            license=license, endpoint=endpoint, publisher=publisher, time=timestamp,
        )  # fmt: skip
    return result


def graph(
    inputs: PathLike | Iterable[PathLike] = (),
    *,
    base_iri: str = AIMID,
    with_ontology: bool = False,
    jobs: int | None = None,
    aiid_links: PathLike | bool | None = True,
) -> rdflib.Graph:
    """The export of ``inputs`` as an ``rdflib.Graph`` in memory, with the export's prefixes.

    Convenient in a notebook and for small corpora (thousands of events). rdflib holds about
    1 KB per triple, so for the whole monitor prefer ``export`` to files and ``load`` + ``query``
    on a store. Rejected inputs are left out silently here: use ``export`` to see them.
    """
    with temp_dir("graph") as folder:
        path = os.path.join(folder, "graph.nt")
        export(
            inputs,
            [path],
            base_iri=base_iri,
            with_ontology=with_ontology,
            jobs=jobs,
            aiid_links=aiid_links,
        )
        g = _rdflib_graph(prefixes(base_iri))
        g.parse(path, format="nt")
    return g


def describe(
    data: PathLike | Iterable[PathLike] = (),
    *,
    store: PathLike | None = None,
    output: PathLike | None = None,
    inputs: PathLike | Iterable[PathLike] = (),
    base_iri: str = AIMID,
    base_url: str | None = None,
    license: str | None = None,
    endpoint: str | None = None,
    publisher: str | None = None,
    aiid_links: PathLike | bool | None = True,
    timestamp: bool = False,
) -> rdflib.Graph:
    """The dataset description of exported files or of a store, as an ``rdflib.Graph``.

    ``data``: the files of one export (each becomes a ``dcat:Distribution``, with its byte
    size and SHA-256; the counts are those of their graph), or ``store``: a store made by
    ``load`` (the counts are those of all its graphs but the description's). The description is
    DCAT-AP 3.0 (dataset, distributions, a ``dcat:DataService`` for ``endpoint``), VoID (counts,
    class and property partitions, the AI Incident Database's links as a ``void:Linkset``
    counted against the ``aiid_links`` table) and PROV (``inputs``: the files the export read,
    named with their SHA-256). ``base_url``: where the files are published (their download
    URLs are their names under it); ``license``: the dataset's licence IRI; ``publisher``: its
    publisher's name. No time is stated unless SOURCE_DATE_EPOCH is set or ``timestamp`` is
    true. ``output`` also writes it (format from the extension).
    """
    from kg import description as kgdescribe

    if output is not None:
        kgdescribe.check_options(
            os.fspath(output), _paths(data), base_url, license, endpoint, option="-o"
        )
    triples = kgdescribe.describe(
        _paths(data),
        store=os.fspath(store) if store is not None else None,
        inputs=_paths(inputs),
        base_iri=base_iri,
        base_url=base_url,
        license=license,
        endpoint=endpoint,
        publisher=publisher,
        aiid_links=aiid_links,
        time=timestamp,
    )
    if output is not None:
        kgdescribe.write(triples, os.fspath(output), base_iri)
    return _rdflib_graph({**prefixes(base_iri), **kgdescribe.DESCRIPTION_PREFIXES}, triples)


def _rdflib_graph(names: dict[str, str], triples=()) -> rdflib.Graph:
    """An rdflib graph with these prefixes bound (and no others), holding triples (plain terms)."""
    from kg.terms import serialize

    g = rdflib.Graph(bind_namespaces="none")
    for name, namespace in names.items():
        g.bind(name, namespace, override=True)
    if triples:
        g.parse(data=serialize(triples, ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return g


def validate(
    data: rdflib.Graph | PathLike | Iterable[PathLike],
    *,
    engine: str = "fast",
    allow_warnings: bool = False,
) -> tuple[bool, rdflib.Graph, str]:
    """Validate RDF against the aim-kg shapes: ``(conforms, results_graph, results_text)``.

    pySHACL's convention: ``data`` is an ``rdflib.Graph`` or RDF files (read by extension:
    .ttl .nt .nq .trig .jsonld .rdf, optionally .gz), validated together as one graph with
    the ontology and taxonomies (RDFS inference). As SHACL says, the data conforms only if
    there is no result at all; ``allow_warnings=True`` lets warnings and infos pass, as
    pySHACL's option of that name does. ``engine``: "fast" (the compiled shapes) or "pyshacl".
    """
    from kg.shacl import check
    from kg.shacl.report import report_triples

    if engine not in ("fast", "pyshacl"):
        raise UsageError(f"engine {engine!r}: expected 'fast' or 'pyshacl'")
    if isinstance(data, rdflib.Graph):
        results = check.validate_triples(check.from_rdflib(data), engine)
    else:
        results = check.validate_files(_paths(data), None, engine)
    conforms = check.conforms(results, allow_warnings)
    report = _rdflib_graph({"sh": SH}, report_triples(results, conforms))
    text = "\n".join(check.describe(results, conforms))
    return conforms, report, text


class Rows(list):
    """The rows of a SELECT answer: each a mapping from variable name to an rdflib term
    (``URIRef``, ``Literal``, ``BNode``); an unbound variable is absent from its row.
    ``variables`` lists the variables in the order of the query."""

    variables: list[str]

    def __init__(self, rows: Iterable[Mapping[str, Any]], variables: list[str]):
        super().__init__(rows)
        self.variables = variables


def _rdflib_term(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")  # triple terms are not in aim-kg's graphs


def query(
    sparql: str,
    *,
    data: PathLike | Iterable[PathLike] | None = None,
    store: PathLike | None = None,
    base_iri: str = AIMID,
    jobs: int | None = None,
    allow_service: bool = False,
) -> Rows | bool | rdflib.Graph:
    """Run a SPARQL query (text, a .rq file or a catalogue name) over data or a store.

    ``data``: exports (any RDF file) or raw AIM inputs, exported on the fly; ``store``: a store
    folder made by ``load``; neither: the bundled examples. The default graph is the union of
    all graphs and the graph's prefixes are declared. SELECT gives ``Rows`` (a list of dicts),
    ASK a bool, CONSTRUCT and DESCRIBE an ``rdflib.Graph``. A federated query (SERVICE) is
    refused unless ``allow_service=True``; so is a query nested too deep to run safely.
    """
    from kg.sparql import query as sparql_query
    from kg.sparql import store as kgstore

    if store is not None and data is not None:
        raise UsageError("give either store= or data=, not both")
    parsed = sparql_query.resolve(sparql)
    sparql_query.prepare(parsed, base_iri, allow_service)
    with ExitStack() as stack:
        if store is not None:
            st = kgstore.open_store(os.fspath(store), create=False)
        else:
            sources = kgstore.read(_paths(data), stack, base_iri=base_iri, jobs=jobs)
            st = ox.Store()
            kgstore.load(st, sources, base_iri)
        answer = sparql_query.run(st, parsed, base_iri, allow_service)
        kind = sparql_query.kind(answer)
        if kind == "boolean":
            return bool(answer)
        if kind == "graph":
            g = _rdflib_graph(prefixes(base_iri))
            for t in answer:
                g.add((_rdflib_term(t.subject), _rdflib_term(t.predicate), _rdflib_term(t.object)))
            return g
        variables = [v.value for v in answer.variables]
        return Rows(
            (
                {
                    name: _rdflib_term(value)
                    for name, value in zip(variables, solution, strict=True)
                    if value is not None
                }
                for solution in answer
            ),
            variables,
        )


def load(
    data: PathLike | Iterable[PathLike] | None,
    store: PathLike,
    *,
    clear: bool = False,
    base_iri: str = AIMID,
    jobs: int | None = None,
    progress: bool = False,
) -> LoadReport:
    """Load exports (any RDF file) or raw AIM inputs into the store folder ``store``.

    One named graph per event: loading an event again replaces it. Returns the ``LoadReport``
    (events, replaced, outlets, duplicates, quads; ``problems`` of raw inputs exported on the
    fly). None or () loads the bundled examples.
    """
    from kg import rdffile
    from kg.sparql import store as kgstore

    paths, folder, steps = _paths(data), os.fspath(store), kgstore.Steps()
    with ExitStack() as stack:
        st = sources = None
        # One N-Quads file into a new store (the first load of an export): Oxigraph reads it,
        # checking it as it bulk-loads its lines, and Python never parses it. If the file proves
        # broken, the store folder is put back as it was (missing or empty): nothing was loaded.
        if (
            len(paths) == 1
            and rdffile.rdf_format(paths[0]) == ox.RdfFormat.N_QUADS
            and os.path.isfile(paths[0])
            and kgstore.fresh(folder)
        ):
            existed = os.path.isdir(folder)
            stack.enter_context(kgstore.writing(folder))
            with steps("open store"):
                st = kgstore.open_store(folder, create=True)
            failed = None
            try:
                with steps("bulk load (read and check)"):
                    source = kgstore.read_by_loading(st, paths[0], base_iri)
                if source is None:  # to be read as any other file
                    with steps("read and check"):
                        sources = kgstore.read(paths, stack, base_iri=base_iri)
                else:
                    sources = [source]
            except BaseException as exc:
                failed = exc
            if failed is not None:
                _forget_frames(failed)  # their references to the store, which must close
                del st
                _empty(folder, existed)
                raise failed
        else:
            with steps("read and check"):
                sources = kgstore.read(
                    paths, stack, base_iri=base_iri, jobs=jobs, progress=progress
                )
            stack.enter_context(kgstore.writing(folder))
            with steps("open store"):
                st = kgstore.open_store(folder, create=True)
        try:
            report = kgstore.load(st, sources, base_iri, clear=clear)
        finally:
            with steps("close store"):
                del st
    closed = steps.pop("close store")
    report.steps = kgstore.Steps(steps | report.steps | {"close store": closed})
    report.problems = [p for s in sources if s.summary for p in s.summary.problems]
    return report


def _forget_frames(error: BaseException) -> None:
    """Drop the tracebacks of an error and of the errors it came from (their frames hold
    references to objects that must be freed now, such as an open store)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        error.__traceback__ = None
        error = error.__cause__ or error.__context__


def _empty(folder: str, existed: bool) -> None:
    """Put a store folder that was new back as it was: missing, or empty."""
    if not existed:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            os.unlink(entry.path)


def push(
    data: PathLike | Iterable[PathLike] | None,
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    auth: str = "any",
    parallel: int = 4,
    retries: int = 4,
    timeout: float = 60.0,
    backoff: float = 0.5,
    base_iri: str = AIMID,
    jobs: int | None = None,
) -> PushReport:
    """Write exports or raw AIM inputs into a store that speaks the SPARQL 1.1 Graph Store HTTP
    Protocol (``endpoint``: its graph store URL, e.g. ``http://127.0.0.1:7878/store`` for
    Oxigraph), one named graph per event exactly as ``load`` lays them out: ``PUT`` replaces,
    never duplicates. ``user``/``password`` for HTTP basic or digest authentication (``auth``);
    a failed request is retried ``retries`` times, waiting ``backoff`` seconds, then twice that...
    Returns a ``PushReport`` (events, graphs, triples, outlets, requests, retries, problems)."""
    from kg.sparql.push import push as run

    return run(
        _paths(data),
        endpoint,
        user=user,
        password=password,
        auth=auth,
        base_iri=base_iri,
        jobs=jobs,
        parallel=parallel,
        retries=retries,
        timeout=timeout,
        backoff=backoff,
    )
