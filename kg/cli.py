"""The ``aim-kg`` command: a thin click layer over the library.

Exit codes (documented in the README):
  0  done: everything exported, or the data conforms
  1  the tool could not run (unreadable input, bad option value, unwritable output); nothing written
  2  usage error (unknown option, missing argument)
  3  export written but some inputs were rejected, or validation found violations
"""

from __future__ import annotations

import functools
import json
import signal
import sys
from pathlib import Path

import click

from kg import __version__
from kg.namespaces import AIMID

EXIT_REJECTED = 3


class AimGroup(click.Group):
    """No traceback ever reaches the user: unexpected errors become a one-line message."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Aborted (interrupted).", err=True)
            raise SystemExit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise SystemExit(1) from None
        except Exception as exc:
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {exc} (please report this)"
            ) from exc


@click.group(cls=AimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aim-kg")
def cli() -> None:
    """aim-kg: the OECD AI Incidents Monitor as a validated knowledge graph.

    Exit codes: 0 done; 1 could not run (nothing written); 2 usage error;
    3 written, but some inputs were rejected (or the data does not conform).
    """


# ---------------------------------------------------------------- shared options


def base_iri_option(fn):
    @click.option(
        "--base-iri",
        default=AIMID,
        show_default=True,
        metavar="IRI",
        help="Namespace of minted instance IRIs (the aimid: prefix follows it).",
    )
    @functools.wraps(fn)
    def wrapper(*args, base_iri: str, **kwargs):
        if not base_iri.startswith(("http://", "https://")) or not base_iri.endswith(("/", "#")):
            raise click.ClickException(
                f"--base-iri {base_iri!r}: expected an http(s) IRI ending in / or #, "
                f"such as {AIMID}"
            )
        return fn(*args, base_iri=base_iri, **kwargs)

    return wrapper


def format_option(help_text: str):
    from kg.write import ALIASES, FORMATS

    return click.option(
        "--format",
        "format_name",
        type=click.Choice(sorted(FORMATS) + sorted(ALIASES), case_sensitive=False),
        default=None,
        help=help_text,
    )


def jobs_option(fn):
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes (default: one per core).",
    )(fn)


def quiet_option(fn):
    return click.option(
        "-q", "--quiet", is_flag=True, help="Print nothing but errors and rejected inputs."
    )(fn)


def _resolve_outputs(outputs: tuple[str, ...], format_name: str | None):
    from kg.export import Output
    from kg.write import extensions, format_named, format_of

    chosen = format_named(format_name) if format_name else None
    resolved = []
    for path in outputs or ("-",):
        if path == "-":
            resolved.append(Output("-", chosen or format_named("turtle")))
            continue
        fmt = format_of(path) or chosen
        if fmt is None:
            raise click.ClickException(
                f"-o {path}: cannot tell the format from the extension (expected {extensions()}, "
                "optionally .gz), and no --format was given"
            )
        parent = Path(path).resolve().parent
        if not parent.is_dir():
            raise click.ClickException(f"-o {path}: folder {parent} does not exist")
        resolved.append(Output(path, fmt))
    stdout = [o for o in resolved if o.path == "-"]
    if len(stdout) > 1:
        raise click.ClickException("-o -: standard output can be named only once")
    paths = [str(Path(o.path).resolve()) for o in resolved if o.path != "-"]
    if len(paths) != len(set(paths)):
        raise click.ClickException("the same output file is named twice")
    return resolved


# ---------------------------------------------------------------- export


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Output file, format from the extension: .ttl, .jsonld, .nt, .nq (also .gz). "
    "Repeat for several formats in one pass; - is standard output. Default: Turtle on stdout.",
)
@format_option(
    "Format for -o - (standard output): turtle, jsonld, ntriples or nquads. Default: turtle."
)
@click.option(
    "--rejects",
    metavar="FILE",
    help="Write rejected inputs as JSON Lines (file, line, event, reason, SHACL messages).",
)
@click.option(
    "--with-ontology", is_flag=True, help="Add the ontology and its alignments to the export."
)
@base_iri_option
@jobs_option
@quiet_option
def export(inputs, outputs, format_name, rejects, with_ontology, base_iri, jobs, quiet):
    """Export AIM pages and records to validated Turtle, JSON-LD and N-Triples.

    INPUT is a file, a folder (searched recursively for .txt pages and .json, .jsonl, .ndjson
    records, gzipped or not) or - for standard input. With no INPUT, the bundled example
    corpus is exported.

    Every event is validated against the SHACL shapes before it is written. Inputs that cannot
    be read or that break the shapes are left out, named on stderr and listed in --rejects;
    the rest is exported all the same (exit code 3).
    """
    from kg.export import export as run
    from kg.read.sources import InputError

    resolved = _resolve_outputs(outputs, format_name)
    if rejects:
        _check_writable(rejects, "--rejects")
    try:
        summary = run(
            list(inputs),
            resolved,
            base_iri=base_iri,
            jobs=jobs,
            progress=not quiet,
            with_ontology=with_ontology,
        )
    except InputError as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None
    if rejects:
        from kg.write import atomic_output

        with atomic_output(rejects) as out:
            for problem in summary.problems:
                if problem.kind == "reject":
                    out.write((json.dumps(problem.as_dict(), ensure_ascii=False) + "\n").encode())
    for problem in summary.problems:
        if problem.kind == "reject" or not quiet:
            click.echo(str(problem), err=True)
    if not quiet:
        if summary.skipped and inputs:
            click.echo(
                f"skipped {len(summary.skipped)} file(s) that are not inputs "
                f"(.txt, .json, .jsonl, .ndjson): {', '.join(summary.skipped[:5])}"
                + (" ..." if len(summary.skipped) > 5 else ""),
                err=True,
            )
        where = ", ".join("stdout" if o.path == "-" else o.path for o in resolved)
        click.echo(
            f"exported {summary.events} events ({summary.triples} triples, "
            f"{summary.outlets} outlets, {summary.concepts} concepts) to {where}; "
            f"{summary.rejected} rejected, {summary.warned} with warnings",
            err=True,
        )
    if summary.exit_code:
        sys.exit(summary.exit_code)


def _check_writable(path: str, option: str) -> None:
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise click.ClickException(f"{option} {path}: folder {parent} does not exist")


# ---------------------------------------------------------------- validate


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@format_option("Format of - (standard input); files go by their extension.")
@click.option(
    "--report",
    metavar="FILE",
    help="Write the SHACL validation report graph (format from the extension).",
)
@click.option(
    "--engine",
    type=click.Choice(["fast", "pyshacl"]),
    default="fast",
    show_default=True,
    help="fast: aim-kg's compiled shapes; pyshacl: pySHACL with RDFS inference (slow).",
)
@quiet_option
def validate(files, format_name, report, engine, quiet):
    """Validate RDF files against the aim-kg shapes.

    The files are validated together, as one graph, with the ontology and taxonomies (RDFS
    inference: an aim:Incident is an aim:Event). Exit code 0 if the data conforms (warnings
    allowed), 3 if it has violations, 1 if a file cannot be read or parsed.
    """
    from kg import check

    if report:
        from kg.write import extensions, format_of

        if format_of(report) is None:
            raise click.ClickException(f"--report {report}: expected {extensions()}")
        _check_writable(report, "--report")
    try:
        results = check.validate_files(list(files), format_name, engine)
    except check.LoadError as exc:
        raise click.ClickException(str(exc)) from None
    if report:
        check.write_report(results, report)
    violations = [r for r in results if r.is_violation]
    if not quiet or violations:
        for line in check.describe(results):
            click.echo(line, err=True)
    if not quiet:
        click.echo(
            f"{'does not conform' if violations else 'conforms'}: {len(violations)} violations, "
            f"{len(results) - len(violations)} warnings",
            err=True,
        )
    if violations:
        sys.exit(EXIT_REJECTED)


# ---------------------------------------------------------------- context


@cli.command()
@click.option("-o", "--output", metavar="FILE", default="-", help="Write to FILE (default stdout).")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 if ontology/context.jsonld differs from what the vocabulary generates.",
)
@base_iri_option
def context(output, check, base_iri):
    """Generate the JSON-LD context from the ontology, taxonomies and shapes.

    ontology/context.jsonld is this command's output; regenerate it with
    `aim-kg context -o ontology/context.jsonld` after changing the vocabulary.
    """
    from kg import resources
    from kg.context import context_document
    from kg.write import atomic_output

    text = context_document(base_iri)
    if check:
        committed = resources.context_file()
        if not committed.exists() or committed.read_text(encoding="utf-8") != text:
            raise click.ClickException(
                f"{committed} is out of date; run: aim-kg context -o {committed}"
            )
        return
    with atomic_output(output) as out:
        out.write(text.encode("utf-8"))


# ---------------------------------------------------------------- query, load, serve (SPARQL)


def _data_option(fn):
    return click.option(
        "-d",
        "--data",
        "data",
        multiple=True,
        metavar="DATA",
        help="An export (.ttl .nt .nq .jsonld, optionally .gz) or raw AIM input (pages, API JSON, "
        "a folder of them, -), exported on the fly. Repeat for several.",
    )(fn)


def _report_problems(sources, quiet: bool) -> int:
    """Rejects (always) and warnings (unless quiet) of inputs exported on the fly; the exit code."""
    code = 0
    for source in sources:
        summary = source.summary
        if summary is None:
            continue
        for problem in summary.problems:
            if problem.kind == "reject" or not quiet:
                click.echo(str(problem), err=True)
        code = max(code, summary.exit_code)
    return code


def _read_data(data, stack, base_iri, jobs, quiet):
    from kg import store as kgstore

    try:
        return kgstore.read(list(data), stack, base_iri=base_iri, jobs=jobs, progress=not quiet)
    except kgstore.DataError as exc:
        raise click.ClickException(f"{exc}; nothing was loaded") from None


@cli.command()
@click.argument("query_arg", required=False, metavar="QUERY")
@_data_option
@click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Query this store (made by aim-kg load) instead of DATA.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
    default=None,
    help="SELECT and ASK: table (default), csv, tsv, json (SPARQL JSON), xml (SPARQL XML). "
    "CONSTRUCT and DESCRIBE: ttl (default), nt, jsonld.",
)
@click.option("--list", "list_queries", is_flag=True, help="List the query catalogue and exit.")
@base_iri_option
@jobs_option
@quiet_option
def query(query_arg, data, store_dir, format_name, list_queries, base_iri, jobs, quiet):
    """Run a SPARQL query over exports, raw AIM inputs or a store.

    QUERY is SPARQL text, a .rq file, - (standard input) or the name of a query of the catalogue
    (see --list). DATA is loaded into an in-memory store as aim-kg load would load it; with
    neither -d nor --store, the bundled example corpus is queried. The default graph is the union
    of all graphs, and the prefixes of the graph contract (aim:, aimid:, aimtax:, schema:, skos:,
    dcterms: ...) are declared. A syntax error is shown with its line and column (exit code 1);
    exit code 3 if some raw inputs were rejected (the answer covers the rest).
    """
    from contextlib import ExitStack

    import pyoxigraph

    from kg import sparql
    from kg import store as kgstore

    if list_queries:
        for name, path in sparql.catalogue().items():
            click.echo(f"{name:36} {sparql.question(path)}")
        return
    if query_arg is None:
        raise click.UsageError("missing QUERY (SPARQL text, a .rq file, -, or see --list)")
    if store_dir and data:
        raise click.UsageError("give either --store or -d DATA, not both")
    try:
        parsed = sparql.resolve(query_arg)
        fmt = sparql.check_format(sparql.prepare(parsed, base_iri), format_name)
    except sparql.QueryError as exc:
        raise click.ClickException(str(exc)) from None
    code = 0
    with ExitStack() as stack:
        if store_dir:
            try:
                store = kgstore.open_store(store_dir, create=False)
            except kgstore.StoreError as exc:
                raise click.ClickException(str(exc)) from None
        else:
            sources = _read_data(data, stack, base_iri, jobs, quiet)
            code = _report_problems(sources, quiet)
            store = pyoxigraph.Store()  # in memory
            kgstore.load(store, sources, base_iri)
        try:
            result = sparql.run(store, parsed, base_iri)
            sparql.write(result, fmt, sys.stdout.buffer, base_iri)
            sys.stdout.buffer.flush()
        except sparql.QueryError as exc:
            raise click.ClickException(str(exc)) from None
    if code:
        sys.exit(code)


@cli.command()
@click.argument("data", nargs=-1, metavar="[DATA]...")
@click.option(
    "--store",
    "store_dir",
    required=True,
    metavar="DIR",
    help="The store folder; created if it does not exist.",
)
@click.option("--clear", is_flag=True, help="Empty the store before loading.")
@base_iri_option
@jobs_option
@quiet_option
def load(data, store_dir, clear, base_iri, jobs, quiet):
    """Load exports or raw AIM inputs into a persistent SPARQL store.

    DATA is an export (.ttl .nt .nq .jsonld, optionally .gz; .nq is the fastest) or raw AIM
    input (pages, API JSON, folders of them, -), which is exported on the fly; with no DATA, the
    bundled example corpus. Each event is a named graph: loading an event again replaces its
    triples, it never duplicates them; events not in DATA stay. Outlets are replaced one by one;
    the ontology and the taxonomies (labels, broadMatch) are loaded with every load. Stop any
    server of the store first. Exit code 3 if some raw inputs were rejected (the rest is loaded).
    """
    from contextlib import ExitStack

    from kg import store as kgstore

    with ExitStack() as stack:
        sources = _read_data(data, stack, base_iri, jobs, quiet)
        code = _report_problems(sources, quiet)
        try:
            store = kgstore.open_store(store_dir, create=True)
            report = kgstore.load(store, sources, base_iri, clear=clear)
        except kgstore.StoreError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"--store {store_dir}: {exc}") from None
        del store
    if not quiet:
        if report.duplicates:
            click.echo(
                f"{len(report.duplicates)} events came in more than one input (first: "
                f"{report.duplicates[0]}); each was loaded from the last input that has it",
                err=True,
            )
        click.echo(
            f"loaded {report.events} events ({report.replaced} replaced) and "
            f"{report.shared_subjects} outlets into {store_dir}; "
            f"the store holds {report.quads} triples",
            err=True,
        )
    if code:
        sys.exit(code)


@cli.command()
@_data_option
@click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Serve this store (made by aim-kg load). Default: DATA, or the bundled examples.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address to listen on; 0.0.0.0 opens the endpoint to the network.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=7878,
    show_default=True,
    metavar="N",
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="Cancel a query that runs longer than this.",
)
@click.option(
    "--cors/--no-cors",
    default=True,
    show_default=True,
    help="Allow cross-origin requests from browser clients.",
)
@base_iri_option
@jobs_option
@quiet_option
def serve(data, store_dir, host, port, timeout, cors, base_iri, jobs, quiet):
    """Serve a read-only SPARQL 1.1 endpoint (Oxigraph's own server).

    The first line on stdout is the query URL (http://127.0.0.1:7878/query). GET and POST
    (form or application/sparql-query); the answer's format follows the Accept header (SPARQL
    JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD for CONSTRUCT). Updates and graph-store
    writes are refused (403). The default graph is the union of all graphs. Stop with Ctrl-C.
    """
    import shutil
    import tempfile
    from contextlib import ExitStack

    from kg import serve as kgserve
    from kg import store as kgstore

    if store_dir and data:
        raise click.UsageError("give either --store or -d DATA, not both")
    try:
        kgserve.oxigraph_executable()
    except kgserve.ServeError as exc:
        raise click.ClickException(str(exc)) from None
    with ExitStack() as stack:
        if store_dir:
            try:
                kgstore.open_store(store_dir, create=False)
            except kgstore.StoreError as exc:
                raise click.ClickException(str(exc)) from None
            location = store_dir
        else:
            sources = _read_data(data, stack, base_iri, jobs, quiet)
            _report_problems(sources, quiet)
            location = tempfile.mkdtemp(prefix="aim-kg-serve-")
            stack.callback(shutil.rmtree, location, ignore_errors=True)
            store = kgstore.open_store(location, create=True)
            kgstore.load(store, sources, base_iri)
            del store

        def ready(url: str) -> None:
            click.echo(url)
            sys.stdout.flush()
            if not quiet:
                click.echo(
                    f"serving {store_dir or 'the data'} read-only at {url} "
                    f"(queries time out after {timeout} s); stop with Ctrl-C",
                    err=True,
                )

        try:
            status = kgserve.run(location, host, port, timeout, cors, ready)
        except (kgserve.ServeError, OSError) as exc:
            raise click.ClickException(str(exc)) from None
    if status:
        raise click.ClickException(f"the oxigraph server stopped (exit status {status})")


# ---------------------------------------------------------------- network


@cli.command()
@click.argument("data_args", nargs=-1, metavar="[DATA]...")
@_data_option
@click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Use this store (made by aim-kg load) instead of DATA.",
)
@click.option(
    "--kind",
    type=click.Choice(["cooccurrence", "outlets", "events"]),
    default="cooccurrence",
    show_default=True,
    help="cooccurrence: concepts of --facets tagged on the same events; outlets: outlets that "
    "covered the same events; events: the bipartite event-outlet graph.",
)
@click.option(
    "--facets",
    default="principle,harm-type",
    show_default=True,
    metavar="F1,F2,...",
    help="Facets of a co-occurrence graph, as the taxonomy names their schemes: principle, "
    "industry, stakeholder, harm-type, severity, business-function, ai-task, autonomy-level; "
    "or all.",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Output file, format from the extension: .graphml, .gexf, .json (node-link), .png, "
    ".svg (a picture). Repeat for several.",
)
@click.option(
    "--min-weight",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Drop edges lighter than N (nodes are kept).",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=40,
    show_default=True,
    metavar="N",
    help="Nodes in a picture, and in each list of the report.",
)
@click.option("--stats", is_flag=True, help="Print a report on stdout (the default with no -o).")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["table", "json"]),
    default=None,
    help="The report's format: table (default) or json.",
)
@base_iri_option
@jobs_option
@quiet_option
def network(
    data_args,
    data,
    store_dir,
    kind,
    facets,
    outputs,
    min_weight,
    top,
    stats,
    format_name,
    base_iri,
    jobs,
    quiet,
):
    """Network analytics: co-occurring concepts, outlets, events as graphs (networkx).

    DATA (arguments or -d) and --store are as for aim-kg query; with neither, the bundled
    examples. Writes GraphML and GEXF (Gephi, Cytoscape, igraph), node-link JSON, and a PNG or
    SVG picture; --stats (or no -o) prints nodes, edges, density, the --top nodes by weighted
    degree and by betweenness, and the Louvain communities. Exit code 3 if some raw inputs
    were rejected (the graph covers the rest).
    """
    from kg import network as net
    from kg import store as kgstore

    data = tuple(data_args) + tuple(data)
    if store_dir and data:
        raise click.UsageError("give either --store or DATA, not both")
    try:
        chosen = net.facet_names(facets)
        for path in outputs:
            net.check_output(path)
    except net.NetworkError as exc:
        raise click.ClickException(str(exc)) from None
    resolved = [str(Path(p).resolve()) for p in outputs]
    if len(resolved) != len(set(resolved)):
        raise click.ClickException("the same output file is named twice")
    try:
        store, sources = net.open_data(
            data, store=store_dir, base_iri=base_iri, jobs=jobs, progress=not quiet
        )
    except kgstore.StoreError as exc:
        raise click.ClickException(str(exc)) from None
    except kgstore.DataError as exc:
        raise click.ClickException(f"{exc}; nothing was loaded") from None
    code = _report_problems(sources, quiet)
    graph = net.project(store, kind, chosen, min_weight, base_iri)
    for path in outputs:
        net.write(graph, path, top=top)
    if stats or format_name or not outputs:
        report = net.stats(graph, top=top)
        text = (
            net.stats_json(report)
            if format_name == "json"
            else net.stats_table(report, top, base_iri)
        )
        click.echo(text, nl=False)
    if not quiet:
        where = f"; wrote {', '.join(outputs)}" if outputs else ""
        click.echo(
            f"{graph.graph['name']}: {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges{where}",
            err=True,
        )
    if code:
        sys.exit(code)


def _terminate(signum, frame) -> None:
    """SIGTERM ends the run like Ctrl-C: partial output files are removed, exit code 143."""
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="aim-kg")


if __name__ == "__main__":
    main()
