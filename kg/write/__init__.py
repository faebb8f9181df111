"""Writing: one module per output format, and atomic output files.

Every format writes a graph in three parts: a header, one block per event (in identifier order),
and a footer block (outlets, concepts). A writer turns triples into bytes; ``formats`` maps file
extensions and ``--format`` names to writers.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.write import jsonld, nquads, ntriples, turtle


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    module: object

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """The same format, as pyoxigraph names it (to parse or serialize it)."""
        return ox.RdfFormat.from_media_type(self.media_type)


FORMATS = {
    "turtle": Format("turtle", ".ttl", "text/turtle", turtle),
    "jsonld": Format("jsonld", ".jsonld", "application/ld+json", jsonld),
    "ntriples": Format("ntriples", ".nt", "application/n-triples", ntriples),
    "nquads": Format("nquads", ".nq", "application/n-quads", nquads),
}
ALIASES = {
    "ttl": "turtle",
    "json-ld": "jsonld",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "nq": "nquads",
    "n-quads": "nquads",
}


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
