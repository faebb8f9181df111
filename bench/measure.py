"""Timing a command in a fresh subprocess: wall time, CPU time and peak memory, children included.

Peak memory is measured two ways, because aim-kg forks worker processes:

- ``tree_pss``/``tree_rss``: the process and all its descendants, sampled every ``interval``
  seconds from /proc (PSS splits the pages that forked workers share with their parent between
  them, so the sum is what the tree really holds; the RSS sum counts shared pages once per
  process and is an upper bound);
- ``max_rss``: the largest resident set of any single process of the tree: the largest VmHWM
  (the kernel's high-water mark of a process's memory) sampled from /proc. Not ``wait4``'s
  rusage (what ``/usr/bin/time -v`` reports): Linux carries the high-water mark of the process
  that forked a child through its exec, so a command started by a large harness would report
  the harness's size.

``background`` is how many cores other processes kept busy during the run, on average (all
busy CPU time from /proc/stat, less the tree's own): on a shared machine, a figure taken while
it is well above 0 is slower than it should be.

Nothing here needs psutil: /proc and the resource module are enough on Linux.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Measured:
    cmd: list[str]
    returncode: int | None
    wall: float  # seconds
    user: float  # CPU seconds, the whole tree
    sys: float
    max_rss_mb: float  # the largest single process
    tree_rss_mb: float  # peak of the sum over the tree (sampled)
    tree_pss_mb: float  # peak of the PSS sum over the tree (sampled)
    timed_out: bool = False
    samples: int = 0
    background: float | None = None  # cores kept busy by other processes, on average
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode is not None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("stdout")
        data.pop("stderr")
        return data


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo.extend(_children(p))
    return pids


def _memory_kb(pid: int, pss_too: bool = True) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) if it is gone. Without ``pss_too``, PSS is
    reported as RSS: statm is O(1) to read, smaps_rollup walks the page tables."""
    rss = pss = 0
    if not pss_too:
        return _statm_kb(pid)
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
    except (OSError, ValueError):
        return _statm_kb(pid)
    return rss, pss


def _hwm_kb(pid: int) -> int:
    """The high-water mark of one process's resident set (VmHWM) in kB; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _statm_kb(pid: int) -> tuple[int, int]:
    try:
        with open(f"/proc/{pid}/statm") as f:
            rss = int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError):
        return 0, 0
    return rss, rss


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float, pss: bool):
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss = pid, interval, pss
        self.peak_rss = self.peak_pss = self.peak_hwm = 0
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            rss = pss = 0
            for p in _tree(self.pid):
                r, s = _memory_kb(p, self.pss)
                rss += r
                pss += s
                self.peak_hwm = max(self.peak_hwm, _hwm_kb(p))
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.samples += 1
            # Sampling a large process costs CPU (and page-table locks): keep it under ~10%.
            cost = time.perf_counter() - started
            self.stop.wait(max(self.interval, 10 * cost))


def _busy_seconds() -> float | None:
    """CPU seconds spent busy on every core since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run(
    cmd: list[str],
    timeout: float | None = None,
    cwd: str | Path | None = None,
    env: dict | None = None,
    interval: float = 0.1,
    stdout_path: Path | None = None,
    pss: bool = True,
) -> Measured:
    """Run ``cmd`` in a new process group; on timeout the whole group is killed. ``pss=False``
    samples RSS only (cheap; enough for a single process, whose peak wait4 reports anyway)."""
    out_file = open(stdout_path, "w+b") if stdout_path else None  # noqa: SIM115
    busy_before = _busy_seconds()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=out_file or subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    sampler = _Sampler(proc.pid, interval, pss)
    sampler.start()
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def drain(stream, key):
        for block in iter(lambda: stream.read(65536), b""):
            chunks[key].append(block)

    readers = [threading.Thread(target=drain, args=(proc.stderr, "err"), daemon=True)]
    if out_file is None:
        readers.append(threading.Thread(target=drain, args=(proc.stdout, "out"), daemon=True))
    for r in readers:
        r.start()
    timed_out = False
    deadline = None if timeout is None else started + timeout
    status = rusage = None
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            _, status, rusage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    busy_after = _busy_seconds()
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop.set()
    sampler.join()
    for r in readers:
        r.join(timeout=5)
    stdout = b"".join(chunks["out"])
    if out_file is not None:
        out_file.seek(0)
        stdout = out_file.read()
        out_file.close()
    background = None
    if busy_before is not None and busy_after is not None and wall > 0:
        own = rusage.ru_utime + rusage.ru_stime
        background = max(0.0, (busy_after - busy_before - own) / wall)
    return Measured(
        cmd=[str(c) for c in cmd],
        returncode=None if timed_out else proc.returncode,
        wall=wall,
        user=rusage.ru_utime,
        sys=rusage.ru_stime,
        max_rss_mb=(sampler.peak_hwm or rusage.ru_maxrss) / 1024,
        tree_rss_mb=sampler.peak_rss / 1024,
        tree_pss_mb=sampler.peak_pss / 1024,
        timed_out=timed_out,
        samples=sampler.samples,
        background=background,
        stdout=stdout.decode("utf-8", "replace"),
        stderr=b"".join(chunks["err"]).decode("utf-8", "replace"),
    )


def replace_section(document: str, text: str, begin: str, end: str) -> str:
    """The document with the section between the markers begin and end replaced by text (which
    carries the markers), or text appended when the document has no such section yet."""
    if begin in document and end in document:
        head, rest = document.split(begin, 1)
        return head + text + rest.split(end, 1)[1]
    return document.rstrip("\n") + "\n\n" + text + "\n"


def write_section(path, text: str, begin: str, end: str) -> None:
    """Replace (or append) one report section of the document at path, keeping the rest."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(old, text, begin, end), encoding="utf-8")
