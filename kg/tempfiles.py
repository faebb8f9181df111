"""Temporary files and folders that the next run can prove orphaned, and removes.

Every temporary thing aim-kg makes carries the id of the process that made it: hidden ``.part``
files beside an output (``.aim-kg.ttl.<pid>.<random>.part``) and folders in the temporary
folder (``aim-kg-<kind>-<pid>-<random>``: the export's spill file, ``serve -d``'s store, the
export behind ``query -d`` or ``load`` of raw inputs). A process killed outright (``kill -9``)
leaves them behind; the next run removes those of processes that no longer exist, owned by the
same user. A process id that was reused by a live process keeps its files until that process
is gone: nothing is removed unless it is provably orphaned.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

_DIR = re.compile(r"^aim-kg-([a-z]+)-(\d+)-[^/]+$")
_swept: set[str] = set()


def alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine, in this pid namespace)."""
    if pid <= 0:
        return True  # not a process id: never treat it as dead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, but belongs to someone else
    return True


def _orphaned(path: Path, pid: int) -> bool:
    try:
        owner = path.lstat().st_uid
    except OSError:
        return False
    return owner == os.getuid() and pid != os.getpid() and not alive(pid)


def temp_dir(kind: str) -> tempfile.TemporaryDirectory:
    """A temporary folder named after this process; orphaned folders of earlier runs (any
    kind) are removed first, once per process."""
    sweep_temp()
    return tempfile.TemporaryDirectory(prefix=f"aim-kg-{kind}-{os.getpid()}-")


def make_temp_dir(kind: str) -> str:
    """As temp_dir, for a folder the caller removes."""
    sweep_temp()
    return tempfile.mkdtemp(prefix=f"aim-kg-{kind}-{os.getpid()}-")


def sweep_temp(folder: str | None = None) -> list[str]:
    """Remove the orphaned aim-kg folders of the temporary folder; returns what was removed."""
    folder = folder or tempfile.gettempdir()
    if folder in _swept:
        return []
    _swept.add(folder)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        found = _DIR.match(entry.name)
        if found and _orphaned(Path(entry.path), int(found.group(2))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def part_name(target: Path) -> str:
    """The prefix of the hidden temporary file written beside ``target``."""
    return f".{target.name}.{os.getpid()}."


def sweep_parts(target: Path) -> list[str]:
    """Remove the orphaned ``.part`` files of earlier runs beside ``target``."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[^.]+\.part$")
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        found = pattern.match(entry.name)
        if found and _orphaned(Path(entry.path), int(found.group(1))):
            try:
                os.unlink(entry.path)
                removed.append(entry.path)
            except OSError:
                pass
    return removed
