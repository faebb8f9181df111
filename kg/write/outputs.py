"""Output paths, checked before anything is read: the format each asks for, and what may be
written there (a new or regular file in a writable folder, or a character device or FIFO written
directly; never a folder or a symbolic link), no output named twice or over an input.

Every command that writes files asks here; the files themselves are written by
``kg.write.atomic_output``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UsageError

if TYPE_CHECKING:
    from kg.write import Format


@dataclass(frozen=True)
class Output:
    path: str  # "-" is standard output
    format: Format


def resolve_outputs(paths: Iterable[str], format_name: str | None = None) -> list[Output]:
    """Output paths with their formats (from the extension; ``format_name`` for - and for
    names without a known extension). Raises UsageError before anything is read or written."""
    from kg.write import FORMATS, extensions, format_named, format_of  # the formats' package

    chosen = format_named(format_name) if format_name else None
    if format_name and chosen is None:
        raise UsageError(f"unknown format {format_name!r}; expected one of {', '.join(FORMATS)}")
    resolved = []
    for path in paths:
        path = os.fspath(path)
        if path == "-":
            resolved.append(Output("-", chosen or FORMATS["turtle"]))
            continue
        fmt = format_of(path) or chosen
        if fmt is None:
            raise UsageError(
                f"-o {path}: cannot tell the format from the extension (expected {extensions()}, "
                "optionally .gz), and no format was given"
            )
        check_output_path(path, "-o")
        resolved.append(Output(path, fmt))
    if sum(o.path == "-" for o in resolved) > 1:
        raise UsageError("-o -: standard output can be named only once")
    return resolved


def check_output_path(path: str, option: str) -> None:
    """An output path must be a file name (or a character device or FIFO, written directly) in
    a folder that exists and can be written to; never a folder or a symbolic link."""
    from kg.write import output_kind

    if path == "-":
        return
    try:
        kind = output_kind(path)
    except UsageError as exc:
        raise UsageError(f"{option} {exc}") from None
    if kind == "stream":
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {path}: cannot be written (permission denied)")
        return
    parent = Path(os.path.abspath(path)).parent
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: folder {parent} is not writable")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        # Replacing a read-only file would work (a rename), but it was made read-only for a
        # reason: say so rather than replace it.
        raise UsageError(f"{option} {path}: the file is read-only")


def check_distinct(files: list[str], named: list[tuple[str, str]]) -> None:
    """No output is named twice, and none is an input file (it would be emptied before it is
    read): checked against the files the inputs name or their folders hold."""
    seen: dict[str, str] = {}
    for option, path in named:
        if path == "-":
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{option} {path}: the same file is named twice (also {seen[key]})")
        seen[key] = f"{option} {path}"
    for item in files:
        what = seen.get(os.path.realpath(item)) if item != "-" else None
        if what is not None:
            raise UsageError(f"{what}: the output would overwrite the input {item}")
