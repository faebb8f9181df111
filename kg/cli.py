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
            raise click.Abort() from None
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
    help="Output file, format from the extension: .ttl, .jsonld, .nt (also .gz). "
    "Repeat for several formats in one pass; - is standard output. Default: Turtle on stdout.",
)
@format_option("Format for -o - (standard output): turtle, jsonld or ntriples. Default: turtle.")
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


def main() -> None:
    cli(prog_name="aim-kg")


if __name__ == "__main__":
    main()
