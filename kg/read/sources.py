"""Inputs to units: files, folders and stdin, split into pages and records with their lines.

A unit is one page (the text of one AIM page as a user copies it) or one record (one AIM API
JSON object), with the file and line it starts at. JSON is read incrementally, one value at a
time, so a dump of the whole monitor is never held in memory at once: a file may hold one record,
a list of records, ``{"incidents": [...]}`` (other keys are ignored), or JSON Lines.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError

# File kinds found when a folder is searched; a file named on the command line is always read.
PAGE_SUFFIXES = (".txt",)
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
STDIN = "-"
_CHUNK = 1 << 20
_WS = " \t\r\n"
# Bounds on one unit, so that no input can exhaust memory or the stack: an AIM record is a few
# levels deep and a few kilobytes; a page is tens of kilobytes.
MAX_DEPTH = 64  # JSON nesting levels of one value
MAX_UNIT = 64 << 20  # characters of one page or one JSON value
_BINARY = "binary content (a NUL byte): expected an AIM page as text or AIM API JSON"


@dataclass(frozen=True, slots=True)
class Unit:
    kind: str  # "page", "record" or "reject"
    file: str
    line: int
    payload: object  # page text, record dict, or the reason of a reject
    stem: str = ""  # the file name without suffixes, for page ids


def _suffixes(path: Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def is_input_file(path: Path) -> bool:
    name = _suffixes(path)
    return name.endswith(PAGE_SUFFIXES + JSON_SUFFIXES) and not path.name.startswith(".")


def discover(paths: list[str], outputs: list[str] = ()) -> tuple[list[str], list[str]]:
    """The files to read, in a stable order, and the files a folder held that are not inputs.

    Folders are searched recursively, following symbolic links to folders (a folder reached
    twice, through a loop or two links, is searched once). Skipped, and listed as such: files
    that are not inputs by their name, hidden files and folders, broken links and special
    files, the problems files aim-kg writes (recognized by their first line) and the
    ``outputs`` of this run. Raises InputError for a path that does not exist or cannot be read.
    """
    files: list[str] = []
    skipped: list[str] = []
    written = {os.path.realpath(o) for o in outputs if o != STDIN}
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or directory")
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                raise InputError(f"{raw}: directory is not readable")
            for child, is_file in _walk(path):
                if (
                    not is_file
                    or not is_input_file(child)
                    or os.path.realpath(child) in written
                    or _is_problems_file(child)
                ):
                    skipped.append(str(child))
                else:
                    files.append(str(child))
        elif not os.access(path, os.R_OK):
            raise InputError(f"{raw}: file is not readable (permission denied)")
        else:
            files.append(str(path))
    unique = list(dict.fromkeys(files))
    return unique, skipped


def _walk(root: Path) -> Iterator[tuple[Path, bool]]:
    """Every entry under root that is not a folder, in sorted order, with whether it is a
    regular file (through links too); hidden names are left out. Links to folders are
    followed, each real folder once."""
    seen: set[tuple[int, int]] = set()
    found: list[tuple[Path, bool]] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError:
            found.append((folder, False))
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = list(os.scandir(folder))
        except OSError:
            found.append((folder, False))  # an unreadable sub-folder: named, never dropped
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = folder / entry.name
            try:
                if entry.is_dir():  # follows links
                    stack.append(child)
                else:
                    found.append((child, entry.is_file()))
            except OSError:
                found.append((child, False))
    return iter(sorted(found))


def _is_problems_file(path: Path) -> bool:
    """Whether a .json/.jsonl file is a problems file written by aim-kg (``--problems``): its
    first line is one problem (file, line, kind, code, reason, messages)."""
    try:
        with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as f:
            first = f.readline(65536)
        value = json.loads(first)
    except (OSError, EOFError, ValueError, RecursionError):
        return False
    return isinstance(value, dict) and value.keys() >= PROBLEM_KEYS and len(value) <= 8


PROBLEM_KEYS = frozenset({"file", "line", "event", "kind", "code", "reason", "messages"})


def _open_text(name: str) -> tuple[io.TextIOBase, bytes]:
    """A text stream over a file (gzip included) or stdin, UTF-8 with an optional BOM, and its
    first bytes (to tell binary files)."""
    if name == STDIN:
        raw = sys.stdin.buffer
    elif name.lower().endswith(".gz"):
        raw = gzip.open(name, "rb")  # noqa: SIM115 - closed through the wrapper
    else:
        raw = open(name, "rb")  # noqa: SIM115 - closed by the caller through the wrapper
    try:
        if hasattr(raw, "peek"):
            head = raw.peek(8192)[:8192]
        else:
            head = raw.read(8192)
            raw = io.BufferedReader(_Prefixed(head, raw))
    except (OSError, EOFError, gzip.BadGzipFile):
        head = b""
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline=""), head


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read (to look at them) and are given back."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _is_json(name: str, head: str) -> bool:
    lowered = _suffixes(Path(name)) if name != STDIN else ""
    if lowered.endswith(JSON_SUFFIXES):
        return True
    if lowered.endswith(PAGE_SUFFIXES):
        return False
    return head.lstrip(_WS + "\ufeff")[:1] in ("{", "[")


def read_units(name: str) -> Iterator[Unit]:
    """The units of one input. Never raises for bad content: that becomes a reject unit."""
    shown = "<stdin>" if name == STDIN else name
    stem = "" if name == STDIN else _suffixes(Path(name)).rsplit(".", 1)[0]
    try:
        stream, first_bytes = _open_text(name)
    except OSError as exc:
        yield Unit("reject", shown, 0, f"cannot open the file: {exc.strerror or exc}")
        return
    try:
        if b"\x00" in first_bytes:
            line = first_bytes.count(b"\n", 0, first_bytes.index(b"\x00")) + 1
            yield Unit("reject", shown, line, _BINARY)
            return
        head = _read_checked(stream, shown)
        if isinstance(head, Unit):
            yield head
            return
        if _is_json(name, head):
            yield from _json_units(stream, head, shown)
        else:
            rest = _read_checked(stream, shown, everything=True)
            if isinstance(rest, Unit):
                yield rest
                return
            yield Unit("page", shown, 1, head + rest, stem)
    finally:
        if name != STDIN:
            stream.close()


def _read_checked(stream: io.TextIOBase, shown: str, everything: bool = False) -> str | Unit:
    """Read a chunk (or the rest) of text; a binary or non-UTF-8 file becomes a reject."""
    try:
        text = stream.read(MAX_UNIT + 1) if everything else stream.read(_CHUNK)
    except UnicodeDecodeError as exc:
        return Unit(
            "reject",
            shown,
            0,
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} is not UTF-8): expected an AIM "
            "page as text or AIM API JSON, in UTF-8",
        )
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return Unit("reject", shown, 0, f"cannot read the file: {exc}")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return Unit("reject", shown, line, _BINARY)
    if everything and len(text) > MAX_UNIT - _CHUNK:
        return Unit("reject", shown, 1, f"larger than {_size(MAX_UNIT)}: not an AIM page")
    return text


def _size(n: int) -> str:
    return f"{n >> 20} MiB"


class BadValue(Exception):
    """A JSON value that was skipped (whole) because it is too deep, too large or unreadable."""

    def __init__(self, reason: str, line: int):
        super().__init__(reason)
        self.reason, self.line = reason, line


def depth(value: object) -> int:
    """The nesting depth of a decoded JSON value (1 for a scalar), without recursion; a value
    deeper than MAX_DEPTH may be reported as any depth above it (the walk stops there)."""
    if not isinstance(value, dict | list):
        return 1
    deepest, stack = 1, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            return level
        if level > deepest:
            deepest = level
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                stack.append((child, level + 1))
            elif level >= deepest:
                deepest = level + 1  # a scalar inside: one level deeper
    return deepest


_TOKEN = re.compile(r'[\[\]{}"]')
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*', re.S)
_SCALAR_END = re.compile(r'[\s,\]}:\[{"]')


class _Buffer:
    """Text read in chunks, with the line number of every position."""

    def __init__(self, stream: io.TextIOBase, head: str, shown: str):
        self.stream, self.text, self.shown = stream, head, shown
        self.pos = 0
        self.eof = False
        self._line, self._line_pos = 1, 0
        self.error: Unit | None = None

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = _read_checked(self.stream, self.shown)
        if isinstance(chunk, Unit):
            self.error, self.eof = chunk, True
            return False
        if not chunk:
            self.eof = True
            return False
        # Forget what was consumed, remembering its lines.
        self.line_at(self.pos)
        self.text = self.text[self.pos :] + chunk
        self._line_pos -= self.pos
        self.pos = 0
        return True

    def line_at(self, pos: int) -> int:
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def skip_ws(self) -> str:
        """The next non-space character (reading more as needed), or '' at the end."""
        while True:
            n = len(self.text)
            while self.pos < n and self.text[self.pos] in _WS:
                self.pos += 1
            if self.pos < n:
                return self.text[self.pos]
            if not self.more():
                return ""

    def value(self, decoder: json.JSONDecoder):
        """Decode the JSON value at pos, reading more text while it is incomplete.

        Raises BadValue, with the value skipped, for a value nested deeper than MAX_DEPTH,
        larger than MAX_UNIT, or that Python cannot hold (an integer of more than 4,300
        digits); JSONDecodeError for invalid JSON.
        """
        line = self.line_at(self.pos)
        while True:
            try:
                value, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if len(self.text) - self.pos > MAX_UNIT:
                    self._skip(line, f"a JSON value larger than {_size(MAX_UNIT)}")
                if self.more():
                    continue
                raise
            except RecursionError:
                self._skip(line, f"JSON nested more than {MAX_DEPTH} levels deep")
            except ValueError as exc:  # an integer too long for Python (int-string limit)
                digits = re.search(r"has (\d+) digits", str(exc))
                self._skip(
                    line,
                    f"a number of {digits.group(1)} digits (Python reads at most 4300)"
                    if digits
                    else f"a JSON value that cannot be read: {exc}",
                )
            # A number at the end of a chunk may continue in the next one.
            if end == len(self.text) and not self.eof and self.more():
                continue
            # A value with at most MAX_DEPTH brackets cannot nest deeper: only a larger one
            # (an event with many articles) is walked.
            brackets = self.text.count("[", self.pos, end) + self.text.count("{", self.pos, end)
            if brackets > MAX_DEPTH and depth(value) > MAX_DEPTH:
                self.pos = end
                raise BadValue(f"JSON nested more than {MAX_DEPTH} levels deep", line)
            self.pos = end
            return value

    def _skip(self, line: int, reason: str):
        """Step over the value at pos (found by its brackets and strings, never decoded, never
        held whole), then raise BadValue. At the end of the text, the rest is given up."""
        i, level, in_string = self.pos, 0, False
        scalar = self.text[i] not in '[{"'
        while True:
            text = self.text
            if scalar:
                found = _SCALAR_END.search(text, i)
                if found:
                    self.pos = found.start()
                    raise BadValue(reason, line)
                i = len(text)
            elif in_string:
                found = _STRING_REST.match(text, i)
                i = found.end()
                if i < len(text) and text[i] == '"':
                    i += 1
                    in_string = False
                    if level == 0:
                        self.pos = i
                        raise BadValue(reason, line)
                    continue
            else:
                found = _TOKEN.search(text, i)
                if found:
                    i = found.end()
                    ch = found.group()
                    if ch == '"':
                        in_string = True
                    elif ch in "[{":
                        level += 1
                    else:
                        level -= 1
                        if level <= 0:
                            self.pos = i
                            raise BadValue(reason, line)
                    continue
                i = len(text)
            # Everything up to i is consumed: forget it, read on.
            if i > 0 and text[i - 1] == "\\" and in_string:
                i -= 1  # an escape cut by the chunk boundary
            self.pos = i
            if not self.more():
                self.pos = len(self.text)
                raise BadValue(reason + "; the rest of the file was not read", line)
            i = self.pos


def _json_units(stream: io.TextIOBase, head: str, shown: str) -> Iterator[Unit]:
    buf = _Buffer(stream, head, shown)
    decoder = json.JSONDecoder()
    try:
        if not buf.skip_ws() and buf.error is None:
            yield Unit("reject", shown, 1, "empty: no AIM record (expected AIM API JSON)")
        while True:
            ch = buf.skip_ws()
            if not ch:
                break
            line = buf.line_at(buf.pos)
            if ch == "[":
                buf.pos += 1
                yield from _array_units(buf, decoder, shown)
            elif ch == "{":
                yield from _object_units(buf, decoder, shown, line)
            else:
                try:
                    value = buf.value(decoder)
                except BadValue as exc:
                    yield Unit("reject", shown, exc.line, exc.reason)
                    continue
                yield Unit("reject", shown, line, _not_a_record(value))
    except json.JSONDecodeError as exc:
        line = buf.line_at(min(exc.pos, len(buf.text)))
        yield Unit(
            "reject",
            shown,
            line,
            f"invalid JSON: {exc.msg} (column {exc.colno}); the rest of the file was not read",
        )
    if buf.error is not None:
        yield buf.error


def _items(buf: _Buffer, closer: str) -> Iterator[None]:
    """Step through the items of an array or object whose opening bracket was consumed: yields
    before each item (the caller reads it), consumes the commas and the closing bracket."""
    first = True
    while True:
        ch = buf.skip_ws()
        if ch == closer:
            buf.pos += 1
            return
        if not first:
            if ch != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", buf.text, buf.pos)
            buf.pos += 1
            buf.skip_ws()
        first = False
        yield


def _array_units(buf: _Buffer, decoder: json.JSONDecoder, shown: str) -> Iterator[Unit]:
    """The elements of an array whose '[' was consumed, up to and including its ']'."""
    for _ in _items(buf, "]"):
        line = buf.line_at(buf.pos)
        try:
            value = buf.value(decoder)
        except BadValue as exc:
            yield Unit("reject", shown, exc.line, exc.reason)
            continue
        if isinstance(value, dict):
            yield Unit("record", shown, line, value)
        else:
            yield Unit("reject", shown, line, _not_a_record(value))


def _object_units(buf: _Buffer, decoder: json.JSONDecoder, shown: str, line: int) -> Iterator[Unit]:
    """A top-level object: an envelope whose "incidents" array is streamed, else one record."""
    buf.pos += 1
    fields: dict = {}
    streamed = False
    bad: BadValue | None = None
    for _ in _items(buf, "}"):
        key = buf.value(decoder)
        if not isinstance(key, str):
            raise json.JSONDecodeError("Expecting property name", buf.text, buf.pos)
        if buf.skip_ws() != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", buf.text, buf.pos)
        buf.pos += 1
        if key == "incidents" and buf.skip_ws() == "[":
            buf.pos += 1
            streamed = True
            yield from _array_units(buf, decoder, shown)
        else:
            buf.skip_ws()
            try:
                fields[key] = buf.value(decoder)
            except BadValue as exc:
                bad = bad or BadValue(f'"{key[:40]}": {exc.reason}', exc.line)
                if exc.reason.endswith("not read"):
                    break
    if bad is not None and not streamed:
        yield Unit("reject", shown, line, bad.reason)
    elif not streamed:
        yield Unit("record", shown, line, fields)


def _not_a_record(value: object) -> str:
    kind = {str: "a string", int: "a number", float: "a number", bool: "true or false"}.get(
        type(value), "null" if value is None else type(value).__name__
    )
    return f"expected an AIM record (a JSON object), found {kind}"
