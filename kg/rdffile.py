"""What an RDF file is and how it is read: the one place that decides, for every command.

``aim-kg validate``, ``load``, ``query -d``, ``serve -d`` and the Python API all ask this module
whether a path is RDF (rather than raw AIM input: pages and API JSON) and read it with
``parse``. The format comes from the extension, after an optional ``.gz``:

    .ttl Turtle    .nt N-Triples    .nq N-Quads    .trig TriG    .jsonld JSON-LD    .rdf RDF/XML

Compressed files are decompressed as they are parsed, never whole in memory. What no file can do:
make a token (a literal, an IRI) longer than Oxigraph's 16 MiB buffer (a clear error, not a
memory error), or, in RDF/XML, declare external or parameter entities, or internal entities
that expand to more than ``MAX_ENTITY`` characters each or ``MAX_EXPANSION`` in all (the
"billion laughs": a 1 KB file that expands to gigabytes). Such files are refused before they
are parsed.
"""

from __future__ import annotations

import gzip
import re
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
MAX_ENTITY = 64 << 10  # characters one RDF/XML entity may expand to
MAX_EXPANSION = 64 << 20  # characters all entity references of a file may expand to


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
    if fmt == ox.RdfFormat.RDF_XML and path != STDIN:
        check_entities(path)
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
    except MemoryError as exc:
        raise RdfFileError(
            f"{path}: cannot be read: a token (a literal or an IRI) longer than Oxigraph reads "
            f"({exc})"
        ) from None


_ENTITY = re.compile(
    r"""<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b)""",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"&([A-Za-z_:][\w.\-:]*);")


def _open(path: str):
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def check_entities(path: str) -> None:
    """Refuse an RDF/XML file whose entities could expand beyond the bounds (see above)."""
    try:
        with _open(path) as stream:
            head = stream.read(1 << 20).decode("utf-8", "replace")
            subset = re.search(r"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", head, re.DOTALL)
            if subset is None:
                return
            declared: dict[str, str] = {}
            for found in _ENTITY.finditer(subset.group(1)):
                name = found.group(2)
                if found.group(1) or found.group(5):
                    kind = "a parameter" if found.group(1) else "an external"
                    raise RdfFileError(f"{path}: declares {kind} entity ({name}): refused")
                declared.setdefault(name, found.group(3) or found.group(4) or "")
            sizes = _entity_sizes(path, declared)
            total, tail = 0, ""
            stream.seek(0)
            while chunk := stream.read(1 << 20):
                text = tail + chunk.decode("utf-8", "replace")
                cut = max(text.rfind("&"), len(text) - 256) if len(text) > 256 else 0
                scanned, tail = text[:cut], text[cut:]
                for ref in _REFERENCE.finditer(scanned):
                    total += sizes.get(ref.group(1), 0)
                if total > MAX_EXPANSION:
                    break
            for ref in _REFERENCE.finditer(tail):
                total += sizes.get(ref.group(1), 0)
    except (OSError, EOFError) as exc:
        raise RdfFileError(
            f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if total > MAX_EXPANSION:
        raise RdfFileError(
            f"{path}: its entities expand to more than {MAX_EXPANSION >> 20} MiB: refused"
        )


def _entity_sizes(path: str, declared: dict[str, str]) -> dict[str, int]:
    """The expanded length of each entity; RdfFileError beyond MAX_ENTITY (or for a loop)."""
    sizes: dict[str, int] = {}
    for name in declared:
        stack, visiting = [name], set()
        while stack:
            current = stack[-1]
            if current in sizes:
                stack.pop()
                continue
            refs = [r for r in _REFERENCE.findall(declared[current]) if r in declared]
            missing = [r for r in refs if r not in sizes]
            if missing:
                if current in visiting and any(r in visiting for r in missing):
                    raise RdfFileError(f"{path}: entity {current} refers to itself: refused")
                visiting.add(current)
                stack.extend(missing)
                if len(stack) > len(declared) + 1:
                    raise RdfFileError(f"{path}: entity {current} refers to itself: refused")
                continue
            size = len(_REFERENCE.sub("", declared[current])) + sum(sizes[r] for r in refs)
            if size > MAX_ENTITY:
                raise RdfFileError(
                    f"{path}: entity {current} expands to {size:,} characters, more than "
                    f"{MAX_ENTITY:,}: refused"
                )
            sizes[current] = size
            stack.pop()
    return sizes


def read_triples(path: str, format: ox.RdfFormat | None = None) -> list[Triple]:
    """The triples of an RDF file as plain terms (the quads of every graph, as triples)."""
    return [
        (terms.from_ox(q.subject), q.predicate.value, terms.from_ox(q.object))
        for q in parse(path, format)
    ]
