"""The ``aim-kg`` command: a thin click layer over the library.

Exit codes (documented in the README):
  0  done: everything exported, or the data conforms
  1  the tool could not run (unreadable input, bad option value, unwritable output); nothing written
  2  usage error (unknown option, missing argument)
  3  export written but some inputs were rejected, or validation found violations
"""

from __future__ import annotations

import functools
import signal
import sys

import click

from kg import __version__
from kg import fetch as kgfetch
from kg.errors import AimKgError
from kg.namespaces import AIMID

EXIT_REJECTED = 3


class AimGroup(click.Group):
    """No traceback ever reaches the user: unexpected errors become a one-line message."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except AimKgError as exc:
            raise click.ClickException(str(exc)) from None
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
        from kg.pipeline import check_base_iri

        check_base_iri(base_iri)
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


def verbose_option(fn):
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        help="Print every warning; by default a warning repeated for many events is one line.",
    )(fn)


GROUP_AFTER = 3  # more warnings of one kind than this are said in one line
EXAMPLES = 3


def report_problems(problems, quiet: bool, verbose: bool = False, where: str | None = None) -> None:
    """Rejected inputs, each on its lines (always); warnings unless quiet, those of one kind
    said once with their count and first examples unless verbose."""
    by_code: dict[str, list] = {}
    for problem in problems:
        if problem.kind == "reject":
            click.echo(str(problem), err=True)
        elif not quiet:
            by_code.setdefault(problem.code or problem.reason, []).append(problem)
    for group in by_code.values():
        if verbose or len(group) <= GROUP_AFTER:
            for problem in group:
                click.echo(str(problem), err=True)
            continue
        names = [p.event or p.where for p in group[:EXAMPLES]]
        rest = f", … ({len(group) - EXAMPLES} more)"
        see = f"see {where}" if where else "-v shows each, --problems FILE lists them"
        first = group[0]
        click.echo(
            f"warning: {len(group)} times [{first.code}]: {first.reason} "
            f"({', '.join(names)}{rest}); {see}",
            err=True,
        )


# ---------------------------------------------------------------- export


def describe_options(fn):
    """--describe FILE and what the description says about where the data is published."""
    for option in reversed(
        [
            click.option(
                "--describe",
                metavar="FILE",
                default=None,
                help="Also write the dataset description (DCAT-AP 3, VoID, PROV) of the outputs "
                "to FILE (format from the extension).",
            ),
            *_publication_options(),
        ]
    ):
        fn = option(fn)
    return fn


def _publication_options_decorator(fn):
    for option in reversed(_publication_options()):
        fn = option(fn)
    return fn


def _publication_options() -> list:
    from kg.description import DEFAULT_BASE_URL

    return [
        click.option(
            "--base-url",
            metavar="URL",
            default=None,
            help="Where the files are published: each file's download URL is its name "
            f"relative to URL (default {DEFAULT_BASE_URL}).",
        ),
        click.option(
            "--license",
            metavar="IRI",
            default=None,
            help="The licence of the dataset, an IRI (such as "
            "https://creativecommons.org/licenses/by/4.0/); default: none stated.",
        ),
        click.option(
            "--endpoint",
            metavar="URL",
            default=None,
            help="The URL of the SPARQL endpoint that serves the data (a dcat:DataService "
            "and void:sparqlEndpoint).",
        ),
        click.option(
            "--publisher",
            metavar="NAME",
            default=None,
            help="The name of the dataset's publisher (default: aim-kg contributors).",
        ),
        click.option(
            "--timestamp",
            is_flag=True,
            help="State the time of the run in the description (otherwise only "
            "SOURCE_DATE_EPOCH's, when set, so that the same data gives the same bytes).",
        ),
    ]


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[INPUT]...")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Output file, format from the extension: .ttl (Turtle), .jsonld (JSON-LD), "
    ".nt (N-Triples), .nq (N-Quads, one graph per event), each also .gz. Repeat for several "
    "formats in one pass; - is standard output. Default: Turtle on stdout.",
)
@format_option(
    "Format for -o - (standard output): turtle, jsonld, ntriples or nquads. Default: turtle."
)
@click.option(
    "--problems",
    "--rejects",
    "problems",
    metavar="FILE",
    help="Write every rejected input and every warning as JSON Lines (file, line, event, kind, "
    "code, reason, SHACL messages). --rejects is its older name.",
)
@click.option(
    "--with-ontology", is_flag=True, help="Add the ontology and its alignments to the export."
)
@click.option(
    "--aiid-links",
    "aiid_links",
    metavar="FILE|none",
    default=None,
    help="The AI Incident Database's table of links to AIM pages (JSON, in the AIID's form) to "
    "use instead of the one shipped with aim-kg; none: add no link from a table (the links the "
    "inputs name are always kept).",
)
@describe_options
@base_iri_option
@jobs_option
@quiet_option
@verbose_option
def export(
    inputs,
    outputs,
    format_name,
    problems,
    with_ontology,
    aiid_links,
    describe,
    base_url,
    license,
    endpoint,
    publisher,
    timestamp,
    base_iri,
    jobs,
    quiet,
    verbose,
):
    """Export AIM pages and records to validated Turtle, JSON-LD, N-Triples or N-Quads.

    INPUT is a file, a folder (searched recursively for .txt pages and .json, .jsonl, .ndjson
    records, gzipped or not) or - for standard input. With no INPUT, the example corpus bundled
    with aim-kg is exported.

    Every event is validated against the SHACL shapes before it is written. Inputs that cannot
    be read or that break the shapes are left out, named on stderr and listed in --problems;
    the rest is exported all the same (exit code 3).
    """
    from kg.api import export as run
    from kg.errors import InputError

    try:
        result = run(
            inputs,
            outputs or ("-",),
            problems=problems,
            format=format_name,
            base_iri=base_iri,
            jobs=jobs,
            progress=not quiet,
            with_ontology=with_ontology,
            aiid_links=True if aiid_links is None else aiid_links,
            describe=describe,
            base_url=base_url,
            license=license,
            endpoint=endpoint,
            publisher=publisher,
            timestamp=timestamp,
        )
    except InputError as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None
    report_problems(result.problems, quiet, verbose, problems)
    if not quiet:
        if result.skipped and inputs:
            click.echo(
                f"skipped {len(result.skipped)} file(s) that are not inputs (not .txt, .json, "
                ".jsonl, .ndjson; problems files; this run's outputs; broken links): "
                f"{', '.join(result.skipped[:5])}" + (" ..." if len(result.skipped) > 5 else ""),
                err=True,
            )
        where = ", ".join("stdout" if o == "-" else o for o in result.outputs)
        if describe:
            click.echo(f"described the export in {describe}", err=True)
        click.echo(
            f"exported {result.events} events ({result.triples} triples, "
            f"{result.outlets} outlets, {result.concepts} concepts, {result.countries} countries) "
            f"to {where}; "
            f"{result.rejected} rejected, {result.warned} with warnings",
            err=True,
        )
    if result.exit_code:
        sys.exit(result.exit_code)


# ---------------------------------------------------------------- describe


@cli.command()
@click.argument("data", nargs=-1, metavar="[DATA]...")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE",
    help="The description to write: .ttl, .jsonld, .nt or .nq (optionally .gz).",
)
@click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Describe this store (made by aim-kg load) instead of exported files.",
)
@click.option(
    "-i",
    "--input",
    "inputs",
    multiple=True,
    metavar="FILE",
    help="An input file the export read, named with its SHA-256 in the provenance. Repeat.",
)
@click.option(
    "--aiid-links",
    "aiid_links",
    metavar="FILE|none",
    default=None,
    help="The AIID link table the export used (default: the one shipped with aim-kg): the "
    "linkset counts the links of the data that it gives.",
)
@_publication_options_decorator
@base_iri_option
def describe(
    data,
    output,
    store_dir,
    inputs,
    aiid_links,
    base_url,
    license,
    endpoint,
    publisher,
    timestamp,
    base_iri,
):
    """Describe an export (DATA: its files) or a store as a dataset: DCAT-AP 3, VoID, PROV.

    Each file of DATA is a distribution (download URL under --base-url, media type, byte size,
    SHA-256); the counts (triples, entities, classes, properties, the AIID linkset) are SPARQL
    counts over their graph, or over a store's graphs but the description's. The same data
    gives the same bytes: no time is stated unless SOURCE_DATE_EPOCH is set or --timestamp is
    given. `aim-kg load` keeps a description it is given in a graph of its own.
    """
    from kg.api import describe as run

    if bool(data) == bool(store_dir):
        raise click.UsageError("give either the exported files (DATA) or --store, not both")
    run(
        data,
        store=store_dir,
        output=output,
        inputs=inputs,
        base_iri=base_iri,
        base_url=base_url,
        license=license,
        endpoint=endpoint,
        publisher=publisher,
        aiid_links=True if aiid_links is None else aiid_links,
        timestamp=timestamp,
    )


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

    FILE is .ttl, .nt, .nq, .trig, .jsonld or .rdf, optionally .gz, or - (standard input,
    in --format). The files are validated together, as one graph, with the ontology and
    taxonomies (RDFS inference: an aim:Incident is an aim:Event). Exit code 0 if there is no
    violation (warnings are printed, and make the report's sh:conforms false, as SHACL says),
    3 if there are violations, 1 if a file cannot be read or parsed.
    """
    from kg.shacl import check
    from kg.write.outputs import check_output_path

    if report:
        from kg.write import extensions, format_of

        if format_of(report) is None:
            raise click.ClickException(f"--report {report}: expected {extensions()}")
        check_output_path(report, "--report")
    results = check.validate_files(list(files), format_name, engine)
    if report:
        check.write_report(results, report)
    violations = [r for r in results if r.is_violation]
    shown = violations if quiet else results
    if shown:
        for line in check.describe(shown):
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
    help="Exit 1 if the context shipped with aim-kg differs from what its vocabulary generates.",
)
@base_iri_option
def context(output, check, base_iri):
    """Generate the JSON-LD context from the ontology, taxonomies and shapes.

    The context shipped with aim-kg is this command's output; in a source checkout,
    regenerate it with `make context` after changing the vocabulary.
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
        help="An RDF file (.ttl .nt .nq .trig .jsonld .rdf, optionally .gz) or raw AIM input "
        "(pages, API JSON, a folder of them, -), exported on the fly. Repeat for several.",
    )(fn)


def _report_problems(sources, quiet: bool) -> int:
    """Rejects (always) and warnings (unless quiet) of inputs exported on the fly; the exit code."""
    problems = [p for s in sources if s.summary is not None for p in s.summary.problems]
    report_problems(problems, quiet)
    return 3 if any(p.kind == "reject" for p in problems) else 0


def _read_data(data, stack, base_iri, jobs, quiet):
    from kg.sparql import store as kgstore

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
@click.option(
    "--allow-service",
    is_flag=True,
    help="Allow federated queries (SERVICE): this machine then sends requests to the hosts "
    "the query names. Refused by default.",
)
@base_iri_option
@jobs_option
@quiet_option
def query(
    query_arg, data, store_dir, format_name, list_queries, allow_service, base_iri, jobs, quiet
):
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

    from kg.sparql import query as sparql
    from kg.sparql import store as kgstore

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
        fmt = sparql.check_format(sparql.prepare(parsed, base_iri, allow_service), format_name)
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
            result = sparql.run(store, parsed, base_iri, allow_service)
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
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Print every warning, and the wall and CPU time of each step of the load.",
)
def load(data, store_dir, clear, base_iri, jobs, quiet, verbose):
    """Load exports or raw AIM inputs into a persistent SPARQL store.

    DATA is an RDF file (.ttl .nt .nq .trig .jsonld .rdf, optionally .gz; .nq is the fastest)
    or raw AIM input (pages, API JSON, folders of them, -), which is exported on the fly; with
    no DATA, the example corpus bundled with aim-kg. Each event is a named graph: loading an
    event again replaces its triples, it never duplicates them; events not in DATA stay.
    Outlets are replaced one by one;
    the ontology and the taxonomies (labels, broadMatch) are loaded with every load. Stop any
    server of the store first. Exit code 3 if some raw inputs were rejected (the rest is loaded).
    """
    from kg.api import load as run
    from kg.errors import DataError

    try:
        report = run(data, store_dir, clear=clear, base_iri=base_iri, jobs=jobs, progress=not quiet)
    except DataError as exc:
        raise click.ClickException(f"{exc}; nothing was loaded") from None
    except OSError as exc:
        raise click.ClickException(f"--store {store_dir}: {exc}") from None
    report_problems(report.problems, quiet, verbose)
    code = 3 if any(p.kind == "reject" for p in report.problems) else 0
    if verbose:
        for name, (wall, cpu) in report.steps.items():
            click.echo(f"step {name}: {wall:.2f} s, {cpu:.2f} s CPU", err=True)
    if not quiet:
        if report.duplicates:
            click.echo(
                f"{len(report.duplicates)} events came in more than one input (first: "
                f"{report.duplicates[0]}); each was loaded from the last input that has it",
                err=True,
            )
        click.echo(
            f"loaded {report.events} events ({report.replaced} replaced) and "
            f"{report.outlets} outlets into {store_dir}; "
            f"the store holds {report.quads} triples"
            + (
                "; the dataset description is in graph aimid:graph-description"
                if report.described
                else ""
            ),
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
    "--max-memory",
    type=click.IntRange(min=512),
    default=2048,
    show_default=True,
    metavar="MB",
    help="Address space of the SPARQL engine; a query that needs more is stopped (503) and "
    "the engine restarted.",
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
def serve(data, store_dir, host, port, timeout, max_memory, cors, base_iri, jobs, quiet):
    """Serve a read-only SPARQL 1.1 endpoint (Oxigraph's own server).

    The first line on stdout is the query URL (http://127.0.0.1:7878/query). GET and POST
    (form or application/sparql-query); the answer's format follows the Accept header (SPARQL
    JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD for CONSTRUCT). Updates and graph-store
    writes are refused (403), and so are federated queries (SERVICE) and queries nested too
    deep (400). The default graph is the union of all graphs. Stop with Ctrl-C.
    """
    import shutil
    from contextlib import ExitStack

    from kg import tempfiles
    from kg.sparql import serve as kgserve
    from kg.sparql import store as kgstore

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
                stack.enter_context(kgstore.serving(store_dir))
            except kgstore.StoreError as exc:
                raise click.ClickException(str(exc)) from None
            location = store_dir
        else:
            sources = _read_data(data, stack, base_iri, jobs, quiet)
            _report_problems(sources, quiet)
            location = tempfiles.make_temp_dir("serve")
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
            status = kgserve.run(location, host, port, timeout, cors, ready, memory=max_memory)
        except (kgserve.ServeError, OSError) as exc:
            raise click.ClickException(str(exc)) from None
    if status:
        sys.exit(status)  # 130 after Ctrl-C, 143 after SIGTERM


# ---------------------------------------------------------------- fetch (the AIM API)


@cli.command("fetch")
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE",
    help="The JSON Lines file to write (.jsonl or .jsonl.gz); run again to update it.",
)
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="First event date to fetch (YYYY-MM-DD; default 2000-01-01).",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="Last event date to fetch (default: today, UTC).",
)
@click.option(
    "--articles/--no-articles",
    default=True,
    show_default=True,
    help="Fetch each event's detail record, with its articles (one request per event).",
)
@click.option(
    "--api",
    default=kgfetch.DEFAULT_API,
    show_default=True,
    metavar="URL",
    help="The API's base URL (a mirror, or a test server).",
)
@click.option(
    "--cache",
    metavar="DIR",
    help="Where answers are kept to resume and update (default: $XDG_CACHE_HOME/aim-kg "
    "or ~/.cache/aim-kg).",
)
@click.option(
    "--margin",
    type=click.IntRange(min=0),
    default=kgfetch.DEFAULT_MARGIN,
    show_default=True,
    metavar="DAYS",
    help="On an update, ask again for this many days before the newest event held.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=kgfetch.DEFAULT_DELAY,
    show_default=True,
    metavar="SECONDS",
    help="Pause between the starts of two requests.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=kgfetch.DEFAULT_RETRIES,
    show_default=True,
    metavar="N",
    help="Tries again after a timeout, a lost connection, 429 or 5xx.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(min=0),
    default=kgfetch.DEFAULT_BACKOFF,
    show_default=True,
    metavar="SECONDS",
    help="Pause before the first retry, doubled for each next one (or Retry-After if longer).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=kgfetch.DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up waiting for an answer after this long (then retry).",
)
@quiet_option
def fetch_command(
    output, start, end, articles, api, cache, margin, delay, retries, backoff, timeout, quiet
):
    """Fetch AIM records from the AIM API into a JSON Lines file, for aim-kg export.

    Each line is one record exactly as the API gave it (with --articles, the detail record with
    its articles), sorted by id; the file appears whole or not at all. Date windows are split
    until no answer is cut at the API's cap of 100 records. Run it again to update the file: only
    the recent windows (--margin) and changed details are asked again. Interrupted, it resumes
    from its cache. Exit code 3 if some window could not be had whole (named on stderr; the
    rest is written), 1 if a request failed for good or an answer was malformed (nothing written).
    """
    import time

    render = None
    if not quiet and sys.stderr.isatty():
        shown = [0.0]

        def render(p: kgfetch.Progress) -> None:
            now = time.monotonic()
            last = p.phase == "details" and p.details_done == p.details_total
            if now - shown[0] < 0.1 and not last:
                return  # at most ten redraws a second
            shown[0] = now
            line = (
                f"{p.windows} windows, {p.records} records, "
                f"details {p.details_done}/{p.details_total}, "
                f"{p.requests} requests ({p.retries} retries)"
            )
            if p.phase == "details" and p.eta is not None:
                line += f", about {int(p.eta // 60)} min {int(p.eta % 60)} s left"
            click.echo(f"\r{line:<100}", err=True, nl=False)

    try:
        result = kgfetch.fetch(
            output,
            start=start.date() if start else None,
            end=end.date() if end else None,
            articles=articles,
            api=api,
            cache=cache,
            delay=delay,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            margin=margin,
            progress=render,
        )
    except kgfetch.FetchError as exc:
        if render:
            click.echo(err=True)
        tail = "; nothing was written"
        if exc.resumable:
            tail += " (what was fetched is cached: run the same command again to go on)"
        raise click.ClickException(f"{exc}{tail}") from None
    if render:
        click.echo(err=True)
    for window in result.incomplete:
        click.echo(f"incomplete: {window}", err=True)
    if not quiet:
        fetched = f"{result.details} details asked" if articles else "no details"
        click.echo(
            f"fetched {result.records} records to {output} ({result.new} new, {result.changed} "
            f"changed, {result.unchanged} unchanged, {result.removed} removed); asked "
            f"{result.asked_from}..{result.asked_to} in {result.requests} requests "
            f"({result.retries} retries, {fetched}"
            + (f", {result.details_cached} from the cache" if result.details_cached else "")
            + ")"
            + ("; resumed an interrupted run" if result.resumed else "")
            + (f"; {len(result.incomplete)} windows incomplete" if result.incomplete else ""),
            err=True,
        )
    if result.exit_code:
        sys.exit(result.exit_code)


# ---------------------------------------------------------------- push


@cli.command()
@click.argument("data", nargs=-1, metavar="[DATA]...")
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The graph store URL of the target (SPARQL 1.1 Graph Store HTTP Protocol), e.g. "
    "http://127.0.0.1:7878/store (Oxigraph), http://HOST:8890/sparql-graph-crud-auth (Virtuoso).",
)
@click.option("--user", metavar="NAME", help="User name for HTTP basic or digest authentication.")
@click.option(
    "--password-env",
    default="AIM_KG_PASSWORD",
    show_default=True,
    metavar="VAR",
    help="Environment variable that holds the password (never given on the command line).",
)
@click.option(
    "--auth",
    type=click.Choice(["any", "basic", "digest"]),
    default="any",
    show_default=True,
    help="Authentication scheme: any answers the store's challenge, basic or digest.",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 16),
    default=4,
    show_default=True,
    metavar="N",
    help="Requests in flight at once.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=4,
    show_default=True,
    metavar="N",
    help="Retries of a request that fails with a connection error, 429 or 5xx.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Time-out of one request.",
)
@base_iri_option
@jobs_option
@quiet_option
def push(
    data, endpoint, user, password_env, auth, parallel, retries, timeout, base_iri, jobs, quiet
):
    """Write exports or raw AIM inputs into a store over the SPARQL 1.1 Graph Store protocol.

    DATA as for aim-kg load (RDF files, or raw AIM input exported on the fly; none: the bundled
    examples). Each event is one named graph, sent with PUT (replaced, never duplicated); the
    vocabulary graphs are replaced; the outlets graph is read, merged (this push's outlets replace
    theirs) and written back. The password is read from the environment variable --password-env.
    Exit code 3 if some raw inputs were rejected (the rest is pushed).
    """
    import os

    from kg.api import push as run
    from kg.errors import DataError

    password = os.environ.get(password_env) if user else None
    if user and password is None:
        raise click.ClickException(
            f"--user {user}: set the password in the environment variable {password_env} "
            "(or name another one with --password-env)"
        )
    try:
        report = run(
            data,
            endpoint,
            user=user,
            password=password,
            auth=auth,
            parallel=parallel,
            retries=retries,
            timeout=timeout,
            base_iri=base_iri,
            jobs=jobs,
        )
    except DataError as exc:
        raise click.ClickException(f"{exc}; nothing was pushed") from None
    report_problems(report.problems, quiet)
    if not quiet:
        click.echo(
            f"pushed {report.events} events ({report.graphs} graphs, {report.triples} triples, "
            f"{report.outlets} outlets in the outlets graph) to {endpoint} in {report.requests} "
            f"requests ({report.retries} retried)",
            err=True,
        )
    if any(p.kind == "reject" for p in report.problems):
        sys.exit(3)


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
    import os

    from kg import network as net
    from kg.errors import DataError

    data = tuple(data_args) + tuple(data)
    if store_dir and data:
        raise click.UsageError("give either --store or DATA, not both")
    chosen = net.facet_names(facets)
    for path in outputs:
        net.check_output(path)
    resolved = [os.path.realpath(p) for p in outputs]
    if len(resolved) != len(set(resolved)):
        raise click.ClickException("the same output file is named twice")
    try:
        store, sources = net.open_data(
            data, store=store_dir, base_iri=base_iri, jobs=jobs, progress=not quiet
        )
    except DataError as exc:
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
