"""What an RDF file is and how it is read: the one place that decides, for every command.

``aim-kg validate``, ``load``, ``query -d``, ``serve -d`` and the Python API all ask this module
whether a path is RDF (rather than raw AIM input: pages and API JSON) and read it with
``parse``. The format comes from the extension, after an optional ``.gz``:

    .ttl Turtle    .nt N-Triples    .nq N-Quads    .trig TriG    .jsonld JSON-LD    .rdf RDF/XML

Compressed files are decompressed as they are parsed, never whole in memory.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg import terms
from kg.errors import RdfFileError
from kg.terms import Triple

EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
}
STDIN = "-"


def described() -> str:
    """The extensions, for messages and help texts."""
    return " ".join(EXTENSIONS) + " (optionally .gz)"


def _suffix(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return Path(name).suffix


def rdf_format(path: str) -> ox.RdfFormat | None:
    """The RDF format a file name asks for by its extension; None if it names none."""
    return EXTENSIONS.get(_suffix(path))


def format_named(name: str) -> ox.RdfFormat:
    """A format by its name or extension (turtle, ttl, nt, nquads, trig, jsonld, rdf ...)."""
    from kg.write import format_named as output_format

    found = output_format(name)
    if found is not None:
        return found.rdf_format
    fmt = EXTENSIONS.get("." + name.lower().lstrip("."))
    if fmt is None:
        raise RdfFileError(f"unknown RDF format {name!r}; expected one of {described()}")
    return fmt


def is_rdf_file(path: str) -> bool:
    """Whether a path names an RDF file by its extension (a folder or - never does)."""
    return path != STDIN and rdf_format(path) is not None and not Path(path).is_dir()


def parse(path: str, format: ox.RdfFormat | None = None) -> Iterator[ox.Quad]:
    """The quads of an RDF file (or of standard input, ``-``, with ``format``), streamed.

    Raises RdfFileError naming the file when it cannot be read, its format cannot be told or it
    is not valid in its format (with the line and column the parser gives).
    """
    fmt = format or rdf_format(path)
    if fmt is None:
        raise RdfFileError(
            f"{path}: cannot tell the RDF format from the extension (expected {described()})"
        )
    try:
        if path == STDIN:
            yield from ox.parse(sys.stdin.buffer, format=fmt)
        elif path.lower().endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                yield from ox.parse(stream, format=fmt)
        else:
            yield from ox.parse(path=path, format=fmt)
    except SyntaxError as exc:
        raise RdfFileError(f"{path}: not valid {fmt.name}: {exc}") from None
    except (OSError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise RdfFileError(f"{path}: cannot read: {reason}") from None
    except ValueError as exc:
        raise RdfFileError(f"{path}: not valid {fmt.name}: {exc}") from None


def read_triples(path: str, format: ox.RdfFormat | None = None) -> list[Triple]:
    """The triples of an RDF file as plain terms (the quads of every graph, as triples)."""
    return [
        (terms.from_ox(q.subject), q.predicate.value, terms.from_ox(q.object))
        for q in parse(path, format)
    ]
