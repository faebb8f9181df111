"""Writing: one module per output format, behind one writer interface, and atomic output files.

Every format writes a graph in parts: a header, one block per event (in identifier order, with
``separator()`` between blocks) and a last block (outlets, concepts), then a footer. A format is
a module of this package that defines ``WRITER``, a subclass of ``Writer``; the modules are
found at import time, so adding a format is adding one module, and the exporter never asks
which format it writes.
"""

from __future__ import annotations

import gzip
import importlib
import os
import pkgutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

import pyoxigraph as ox

from kg.terms import Triple


class Writer:
    """One output format. Subclasses set the class attributes and implement ``block``.

    A writer is made once per process for a run, with the prefixes bound in the export and the
    JSON-LD context; it keeps no state between blocks, so blocks can be made on any worker.
    """

    name: ClassVar[str]  # the --format name: "turtle"
    extension: ClassVar[str]  # ".ttl"
    media_type: ClassVar[str]  # IANA media type: "text/turtle"
    aliases: ClassVar[tuple[str, ...]] = ()  # other --format names: ("ttl",)
    order: ClassVar[int] = 100  # the place of the format in lists and help texts

    def __init__(self, prefixes: dict[str, str], context: dict):
        self.prefixes = prefixes
        self.context = context

    def header(self) -> bytes:
        return b""

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        """The bytes of some triples: those of one event (``graph`` is its IRI) or the shared
        rest (outlets, concepts: ``graph`` is None)."""
        raise NotImplementedError

    def separator(self) -> bytes:
        return b""

    def footer(self) -> bytes:
        return b""


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    writer: type[Writer]

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """The same format, as pyoxigraph names it (to parse or serialize it)."""
        return ox.RdfFormat.from_media_type(self.media_type)


def _discover() -> tuple[dict[str, Format], dict[str, str]]:
    writers = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        writer = getattr(module, "WRITER", None)
        if isinstance(writer, type) and issubclass(writer, Writer):
            writers.append(writer)
    writers.sort(key=lambda w: (w.order, w.name))
    formats = {w.name: Format(w.name, w.extension, w.media_type, w) for w in writers}
    aliases = {alias: w.name for w in writers for alias in w.aliases}
    return formats, aliases


FORMATS, ALIASES = _discover()


def format_named(name: str) -> Format | None:
    name = name.lower()
    return FORMATS.get(ALIASES.get(name, name))


def format_of(path: str) -> Format | None:
    """The format a file name asks for by its extension (``.gz`` variants included)."""
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for fmt in FORMATS.values():
        if name.endswith(fmt.extension):
            return fmt
    return None


def extensions() -> str:
    return ", ".join(f"{f.extension} ({f.name})" for f in FORMATS.values())


@contextmanager
def atomic_output(path: str) -> Iterator[BinaryIO]:
    """A binary file that appears complete at ``path`` or not at all (write, then rename).

    ``-`` is standard output. A ``.gz`` name is gzip-compressed, with no time stamp or name in
    the header, so the same graph gives the same bytes.
    """
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as raw:
            if path.lower().endswith(".gz"):
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                    yield gz
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
