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
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

import pyoxigraph as ox

from kg.tempfiles import part_name, sweep_parts
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


def output_kind(path: str) -> str:
    """What writing to ``path`` means: "stdout" (``-``), "file" (a regular file or nothing yet:
    written atomically), "stream" (a character device or a FIFO, such as /dev/null or a named
    pipe: written directly, as it comes). Raises UsageError for anything else: a folder, a
    symbolic link (its target is never replaced through it), a block device or a socket."""
    from kg.errors import UsageError

    if path == "-":
        return "stdout"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "file"
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        raise UsageError(
            f"{path}: is a symbolic link (to {os.readlink(path)}); aim-kg does not replace "
            "a link or write through it: name the file itself"
        )
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream"
    if stat.S_ISDIR(mode):
        raise UsageError(f"{path}: is a folder; expected a file name")
    raise UsageError(f"{path}: is not a regular file (a block device or a socket)")


class _Pending:
    """One output being written: a hidden temporary file beside it, or a stream."""

    def __init__(self, path: str):
        self.path = path
        self.kind = output_kind(path)
        self.tmp: str | None = None
        self.raw: BinaryIO
        if self.kind == "stdout":
            self.raw = sys.stdout.buffer
        elif self.kind == "stream":
            self.raw = open(path, "wb")  # noqa: SIM115 - closed by finish/abort
        else:
            target = Path(path)
            sweep_parts(target)
            fd, self.tmp = tempfile.mkstemp(
                prefix=part_name(target), suffix=".part", dir=target.parent or "."
            )
            self.raw = os.fdopen(fd, "wb")
        self.out: BinaryIO = self.raw
        self._gz = None
        if path.lower().endswith(".gz"):
            self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0)
            self.out = self._gz

    def finish(self) -> None:
        """Everything written: flushed and synced (not yet in place)."""
        if self._gz is not None:
            self._gz.close()
        self.raw.flush()
        if self.kind == "file":
            os.fsync(self.raw.fileno())
            self.raw.close()
            os.chmod(self.tmp, 0o644 & ~_umask())
        elif self.kind == "stream":
            self.raw.close()

    def commit(self) -> None:
        if self.kind == "file":
            os.replace(self.tmp, self.path)
            self.tmp = None

    def abort(self) -> None:
        if self.kind != "stdout":
            with suppress(OSError):
                self.raw.close()
        if self.tmp is not None:
            Path(self.tmp).unlink(missing_ok=True)
            self.tmp = None


@contextmanager
def atomic_outputs(paths: list[str]) -> Iterator[list[BinaryIO]]:
    """Binary files that appear complete at their paths, all of them, or none at all.

    Each is written to a hidden temporary file beside it (named after this process, so that
    a later run can remove it if this one is killed outright), then, once every one of them is
    complete and synced, renamed into place. ``-`` is standard output; a character device or a
    FIFO (/dev/null, a named pipe) is written directly; a symbolic link, a folder or another
    special file is refused (UsageError) before anything is written. A ``.gz`` name is
    gzip-compressed, with no time stamp or name in the header, so the same graph gives the same
    bytes.
    """
    pending: list[_Pending] = []
    try:
        for path in paths:
            pending.append(_Pending(path))
        yield [p.out for p in pending]
        for p in pending:
            p.finish()
        for p in pending:
            p.commit()
    except BaseException:
        for p in pending:
            p.abort()
        raise


@contextmanager
def atomic_output(path: str) -> Iterator[BinaryIO]:
    """One file that appears complete at ``path`` or not at all (see atomic_outputs)."""
    with atomic_outputs([path]) as (out,):
        yield out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
