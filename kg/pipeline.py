"""The export pipeline: inputs to validated Turtle, JSON-LD and N-Triples, in one pass.

Phase 1 reads: worker processes read small files whole, and the main process splits the other
inputs (standard input, gzip files, large files) into units (pages, records) for them; workers
turn units into model events, which are spilled to a temporary file; the main process keeps only
small indexes (event id -> where its copies are, outlet spellings, article keys).
Phase 2 writes: events are taken in identifier order, copies of one event are merged (and given
the AIID incidents that the AIID's link table pairs with their AIM id: the Job carries that
small index), and workers build each event's triples, validate them against the compiled shapes
and serialize them in every requested format; the main process appends the bytes to every
output. Outlets, co-occurrences of concepts, concepts and countries follow at the end (the
"tail"). Output files are complete or absent (written, then renamed).
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import multiprocessing.util
import os
import pickle
import re
import signal
import stat
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from kg import resources, terms
from kg.context import build_context
from kg.countries import countries
from kg.errors import UsageError
from kg.model import triples
from kg.model.events import Event, Problem, digest, id_sort_key, merge
from kg.namespaces import AIM, AIMID, prefixes
from kg.read.links import Linkset, load_linkset
from kg.read.page import read_page
from kg.read.record import read_record
from kg.read.sources import Unit, discover, read_units
from kg.shacl.engine import data_shapes
from kg.tempfiles import temp_dir
from kg.terms import BNode, Lit, Triple, Triples
from kg.vocab import vocabulary
from kg.write import Format, atomic_outputs
from kg.write.outputs import Output, check_distinct, check_output_path, resolve_outputs

UNMAPPED = AIM + "unmappedLabel"
# The longest literal (a title, a summary, a headline...) an export may hold, in characters.
# Oxigraph reads no token longer than 16 MiB; at most 6 bytes a character once escaped, a
# literal of 1 MiB characters always fits, so every export aim-kg writes it can read back.
MAX_LITERAL = 1 << 20


@dataclass
class ExportResult:
    """What an export did: the counts of its summary line, the files it wrote, and every
    problem (rejected inputs and warnings) as objects."""

    events: int = 0  # events exported
    rejected: int = 0  # inputs (units or events) left out
    warned: int = 0  # exported events with at least one warning
    triples: int = 0
    outlets: int = 0
    concepts: int = 0  # taxonomy concepts the events use
    countries: int = 0  # countries the events are in
    aiid_links: int = 0  # aim:aiidIncident links that the AIID's table gave (on top of inputs')
    files: int = 0  # input files read
    skipped: list[str] = field(default_factory=list)  # files in input folders that are not inputs
    problems: list[Problem] = field(default_factory=list)  # sorted by file, line
    outputs: list[str] = field(default_factory=list)  # files written ("-" is standard output)
    inputs: list[str] = field(default_factory=list)  # the input files read ("-": standard input)
    input_args: list[str] = field(default_factory=list)  # the inputs as given (files, folders)
    linkset: Linkset = field(default_factory=Linkset)  # the AIID table used (empty: none)

    @property
    def rejects(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "reject"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.kind == "warning"]

    @property
    def exit_code(self) -> int:
        """The command line's exit code: 3 when some inputs were left out, else 0."""
        return 3 if self.rejected else 0


# ---------------------------------------------------------------- worker side


@dataclass(slots=True)
class Facts:
    """What the main process indexes about one read event (small: no texts)."""

    match: str  # title and summary, folded: how a page without id finds its record
    form: str  # "page" or "record"
    derived: bool  # the id was derived from the content (a page without id)
    articles: list[tuple[str, str]]  # (digest of the article key, digest of its description)


@dataclass(frozen=True, slots=True)
class Where:
    file: str
    line: int


@dataclass(slots=True)
class ReadResult:
    """Phase 1, one unit: the event, pickled, or only problems when it was rejected."""

    event_id: str | None
    data: bytes | None
    facts: Facts | None
    problems: list[Problem]
    where: Where | None = None


@dataclass(slots=True)
class EventResult:
    """Phase 2, one event: its bytes in every output format, or only problems if rejected."""

    event_id: str
    problems: list[Problem]
    blocks: list[bytes] | None = None  # None: rejected
    outlets: list[tuple[str, str]] = field(default_factory=list)
    concepts: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    triples: int = 0
    linked: int = 0  # aim:aiidIncident links the AIID's table gave
    published: list[tuple[str, str]] = field(default_factory=list)  # (outlet, article)


@dataclass(frozen=True)
class Job:
    """What every worker of a run needs to know, fixed before the workers start."""

    base_iri: str
    formats: tuple[Format, ...] = ()
    spill: str | None = None  # the file phase 1 spilled the events to
    variants: frozenset[str] = frozenset()  # article keys with two descriptions
    aiid_links: dict[str, tuple[int, ...]] = field(default_factory=dict)  # AIM id -> AIID ids


class Worker:
    """The state of one worker process for one phase of a run: the vocabulary, the compiled
    shapes, a writer per format and its handle on the spill file. Made by the pool's
    initializer (or in this process for ``--jobs 1``), closed when the phase ends."""

    def __init__(self, job: Job):
        self.job = job
        self.vocab = vocabulary()
        self.shapes = data_shapes()
        names = prefixes(job.base_iri)
        context = build_context(job.base_iri)
        self.writers = [fmt.writer(names, context) for fmt in job.formats]
        self.minter = triples.Minter(job.base_iri)
        self.countries = countries()
        self._spill = None

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def read_task(self, task: tuple[bool, list]) -> list[tuple[str | None, list | None]]:
        """Phase 1, one task of _read_tasks: (None, results) of a batch of units; for small
        files read here whole, (name, results) each, or (name, None) for a file of more than
        _WHOLE_UNITS units, which the main process then reads in batches (so a task's results
        stay small, whatever the file holds)."""
        whole, items = task
        if not whole:
            return [(None, self.read_batch(items))]
        out: list[tuple[str | None, list | None]] = []
        for name in items:
            results: list | None = []
            with contextlib.closing(read_units(name)) as units:
                for unit in units:
                    if len(results) >= _WHOLE_UNITS:
                        results = None
                        break
                    results.append(self.read_one(unit))
            out.append((name, results))
        return out

    def read_batch(self, units: Iterable[Unit]) -> list[ReadResult]:
        """Phase 1: units to pickled events and the facts the main process indexes."""
        return [self.read_one(unit) for unit in units]

    def read_one(self, unit: Unit) -> ReadResult:
        """One unit to its pickled event, or its problems. A unit that cannot be read for any
        reason is rejected with that reason, never the run."""
        try:
            return self._read_unit(unit)
        except Exception as exc:  # a bug, but one input must never abort the run
            problem = Problem(
                unit.file, unit.line, "reject", _unexpected(exc), code="internal-error"
            )
            return ReadResult(None, None, None, [problem])

    def _read_unit(self, unit: Unit) -> ReadResult:
        if unit.kind == "reject":
            problem = Problem(unit.file, unit.line, "reject", unit.payload, code="bad-input")
            return ReadResult(None, None, None, [problem])
        if unit.kind == "page":
            event, problems = read_page(unit.payload, unit.file, unit.stem, self.vocab)
        else:
            event, problems = read_record(unit.payload, unit.file, unit.line, self.vocab)
        if event is None:
            return ReadResult(None, None, None, problems)
        facts = Facts(
            event.match_key,
            event.form,
            bool(event.derived_id),
            [
                (digest(a.key, size=12), digest(a.description, size=12))
                for a in event.articles
                if a.url
            ],
        )
        data = pickle.dumps(event, pickle.HIGHEST_PROTOCOL)
        return ReadResult(event.id, data, facts, problems, Where(event.file, event.line))

    def _load(self, spans: list[tuple[int, int]]) -> list[Event]:
        if self._spill is None:
            self._spill = open(self.job.spill, "rb")  # noqa: SIM115 - closed by close()
        copies = []
        for offset, length in spans:
            self._spill.seek(offset)
            copies.append(pickle.loads(self._spill.read(length)))
        return copies

    def write_batch(self, batch: list[tuple[str, list[tuple[int, int]]]]) -> list[EventResult]:
        """Phase 2: merged events to validated blocks of bytes, one per format (or rejects). An
        event that cannot be written for any reason is rejected with that reason."""
        out = []
        for event_id, spans in batch:
            copies = self._load(spans)
            try:
                out.append(self._write_event(event_id, copies))
            except Exception as exc:  # a bug, but one event must never abort the run
                first = copies[0]
                problem = Problem(
                    first.file,
                    first.line,
                    "reject",
                    _unexpected(exc),
                    event=event_id,
                    code="internal-error",
                )
                out.append(EventResult(event_id, [problem]))
        return out

    def _write_event(self, event_id: str, copies: list[Event]) -> EventResult:
        vocab = self.vocab
        event = merge(copies) if len(copies) > 1 else copies[0]
        event.id = event_id
        problems: list[Problem] = []
        severities = {c.severity for c in copies}
        if len(severities) > 1:
            labels = ", ".join(sorted(vocab.concepts[s].pref_label for s in severities))
            problems.append(
                Problem(
                    event.file,
                    event.line,
                    "warning",
                    f"copies of this event disagree on severity ({labels}); "
                    f"kept {vocab.concepts[event.severity].pref_label} from {event.file}",
                    event=event_id,
                    code="copies-disagree",
                )
            )
        # The AIID's table links the event to its incidents, on top of those its inputs name.
        table = self.job.aiid_links.get(event_id, ())
        if table:
            event.aiid = sorted(set(event.aiid) | set(table))
        block = triples.event_block(event, vocab, self.minter, self.job.variants)
        too_long = _too_long(block.triples)
        if too_long is not None:
            problems.append(
                Problem(
                    event.file,
                    event.line,
                    "reject",
                    f"a text of {too_long:,} characters: the longest a literal may be is "
                    f"{MAX_LITERAL:,} characters (so that every export can be read back)",
                    event=event_id,
                    code="literal-too-long",
                )
            )
            return EventResult(event_id, problems)
        # The event's countries are validated with it (their labels are written in the tail).
        places = triples.country_block(block.countries, self.countries)
        results = self.shapes.validate(
            [*block.triples, *places], triples.outlet_stubs(o for o, _ in block.outlets)
        )
        violations = [r for r in results if r.is_violation]
        if violations:
            problems.append(
                Problem(
                    event.file,
                    event.line,
                    "reject",
                    "the event breaks the graph contract (SHACL shapes)",
                    event=event_id,
                    messages=sorted({str(r) for r in violations}),
                    code="shacl-violation",
                )
            )
            return EventResult(event_id, problems)
        for r in results:
            if r.path == UNMAPPED:
                continue  # the reader reported it, with the nearest label
            problems.append(
                Problem(
                    event.file,
                    event.line,
                    "warning",
                    r.message,
                    event=event_id,
                    code=shape_code(r.shape),
                )
            )
        return EventResult(
            event_id,
            problems,
            [w.block(block.triples, block.iri) for w in self.writers],
            block.outlets,
            block.concepts,
            block.countries,
            len(block.triples),
            len(table),
            block.published,
        )


def _too_long(block: list[Triple]) -> int | None:
    """The length of the first literal longer than MAX_LITERAL, if there is one."""
    for _, _, o in block:
        if isinstance(o, Lit) and len(o.value) > MAX_LITERAL:
            return len(o.value)
    return None


def _unexpected(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:199] + "…"
    return (
        f"could not be read: internal error: {type(exc).__name__}: {text} "
        "(please report this; the other inputs were exported)"
    )


def shape_code(shape: str) -> str:
    """The problem code of a SHACL result: the local name of its shape, in kebab case."""
    local = str(shape).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    local = local.removesuffix("Shape")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", local).lower() or "shape"


_WORKER: Worker | None = None  # the worker of this process, in a pool's worker processes
# The cyclic garbage collector runs after this many more allocations than deallocations (the
# default, 700, runs it every few triples; the triples, events and texts hold no cycles).
_GC_THRESHOLD = (20_000, 50, 100)


@contextmanager
def _collector_eased() -> Iterator[None]:
    """The garbage collector of this process set to _GC_THRESHOLD, and restored after."""
    saved = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


# Nothing a forked worker inherits is ever collected there: a finalizer of the parent's garbage
# (an Oxigraph store that a program calling kg.export had dropped, say) would wait for the
# parent's threads, which the worker does not have, for ever. So the collector's objects are
# frozen the moment a worker is forked, before any of its code runs; the parent collects its
# garbage itself before it forks (_executor).
_FORKING_WORKERS = False


def _freeze_in_worker() -> None:
    if _FORKING_WORKERS:
        gc.freeze()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_freeze_in_worker)


@contextmanager
def _forking_workers() -> Iterator[None]:
    """Forks of this process while inside are workers (_freeze_in_worker)."""
    global _FORKING_WORKERS
    saved, _FORKING_WORKERS = _FORKING_WORKERS, True
    try:
        yield
    finally:
        _FORKING_WORKERS = saved


def _start_worker(job: Job, parent: int) -> None:
    global _WORKER
    die_with_parent(parent)
    _WORKER = Worker(job)
    # What the worker holds for the whole run (vocabulary, shapes, models) is never garbage:
    # frozen, the cyclic collector stops scanning it again and again (a tenth of a worker's time).
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLD)
    # Closed when the worker process ends (multiprocessing runs its finalizers then).
    multiprocessing.util.Finalize(_WORKER, _WORKER.close, exitpriority=10)


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Linux: this process gets ``signum`` when its parent dies, however it dies (``kill -9``
    included), so no worker outlives an export. Elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signum, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _read_task(task: tuple[bool, list]) -> list[tuple[str | None, list | None]]:
    return _WORKER.read_task(task)


def _write_batch(batch: list) -> list[EventResult]:
    return _WORKER.write_batch(batch)


# ---------------------------------------------------------------- main side


class _Inline(Executor):
    """Runs tasks in this process (``--jobs 1``), with a worker of its own."""

    def __init__(self, job: Job):
        self.worker = Worker(job)
        self._methods = {_read_task: self.worker.read_task, _write_batch: self.worker.write_batch}

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(self._methods[fn](*args, **kwargs))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.worker.close()


def _executor(jobs: int, job: Job) -> Executor:
    if jobs <= 1:
        return _Inline(job)
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method == "fork":
        # What every worker loads and this process needs too (vocabulary, shapes, countries),
        # loaded once here: forked workers share it instead of each loading its own. (Not the
        # language model: this process never needs it, and a small export would wait for it.)
        vocabulary(), data_shapes(), countries()
        # This process's garbage is finalized here, where its threads are, not in a worker.
        gc.collect()
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(job, os.getpid()),
    )


def _bounded_map(executor: Executor, fn: Callable, batches: Iterable, window: int) -> Iterator:
    """Results of fn over batches, in order, with at most ``window`` batches in flight."""
    pending: list[Future] = []
    for batch in batches:
        pending.append(executor.submit(fn, batch))
        if len(pending) >= window:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def _batches(items: Iterable, size: Callable[[object], int], limit: int) -> Iterator[list]:
    batch, weight = [], 0
    for item in items:
        batch.append(item)
        weight += size(item)
        if weight >= limit:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


class Progress:
    """A one-line counter on stderr, only when it is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()

    def show(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r\x1b[K{text}")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def default_inputs() -> list[str]:
    return [str(resources.examples_dir())]


def export(
    inputs: Iterable[str] = (),
    outputs: Iterable[Output | str] = (),
    *,
    problems: str | None = None,
    base_iri: str = AIMID,
    jobs: int | None = None,
    progress: bool = False,
    with_ontology: bool = False,
    aiid_links: str | os.PathLike | bool | None = True,
) -> ExportResult:
    """Export inputs to every output, and the problems (rejects and warnings) as JSON Lines.

    ``aiid_links``: the AI Incident Database's table of links to AIM pages (kg.read.links):
    True the one shipped with aim-kg, False or None none, a path a table of the same form.

    Raises UsageError before reading anything if an output path cannot work, and InputError
    before writing anything if an input (or the AIID table) is unreadable.
    """
    inputs = [os.fspath(i) for i in inputs]
    outputs = [o if isinstance(o, Output) else resolve_outputs([o])[0] for o in outputs]
    for o in outputs:
        check_output_path(o.path, "-o")
    if problems is not None:
        problems = os.fspath(problems)
        check_output_path(problems, "--problems")
    named = [("-o", o.path) for o in outputs] + ([("--problems", problems)] if problems else [])
    check_base_iri(base_iri)
    linkset = load_linkset(aiid_links)
    files, skipped = discover(inputs or default_inputs(), outputs=[p for _, p in named])
    check_distinct(files, named)
    jobs = jobs or os.cpu_count() or 1
    result = ExportResult(
        files=len(files),
        skipped=skipped,
        inputs=list(files),
        input_args=inputs or default_inputs(),
        linkset=linkset,
    )
    bar = Progress(progress)
    paths = [o.path for o in outputs] + ([problems] if problems else [])
    with _collector_eased(), _forking_workers(), temp_dir("export") as tmp:
        spill_path = os.path.join(tmp, "events.spill")
        index, variants = _phase_one(files, spill_path, jobs, result, bar)
        job = Job(base_iri, tuple(o.format for o in outputs), spill_path, variants, linkset.index)
        with atomic_outputs(paths) as streams:
            targets = streams[: len(outputs)]
            _phase_two(index, targets, job, jobs, result, bar, with_ontology)
            bar.done()
            result.problems.sort(key=lambda p: (p.file, p.line, p.kind, p.reason))
            if problems:
                for problem in result.problems:
                    streams[-1].write(problem_line(problem))
    rejected = {p.event for p in result.problems if p.kind == "reject"}
    result.warned = len(
        {p.event for p in result.problems if p.kind == "warning" and p.event not in rejected}
    )
    result.outputs = [o.path for o in outputs]
    return result


def problem_line(problem: Problem) -> bytes:
    """One line of the problems file: JSON, valid UTF-8 whatever the text holds (a lone
    surrogate, or the undecodable bytes of a file name, become JSON escapes such as \\udcff)."""
    line = json.dumps(problem.as_dict(), ensure_ascii=False) + "\n"
    return line.encode("utf-8", "backslashreplace")


def check_base_iri(base_iri: str) -> None:
    """The namespace of minted IRIs: an http(s) IRI ending in / or #, with no space or <>"{}|^`."""
    if (
        not base_iri.startswith(("http://", "https://"))
        or not base_iri.endswith(("/", "#"))
        or re.search(r'[\s<>"{}|\\^`]', base_iri)
    ):
        raise UsageError(
            f"--base-iri {base_iri!r}: expected an http(s) IRI ending in / or # with no spaces "
            f'or <>"{{}}|\\^`, such as {AIMID}'
        )


# A plain file up to this size is read whole by a worker (a task: a few such files, about
# _TASK_BYTES): its records are decoded there, not decoded here and then pickled over to it.
_WHOLE_FILE = 8 << 20
_TASK_BYTES = 1 << 20
# A worker gives a file with more units back to the main process, which reads it in batches:
# the results of one task (rejects included) stay small whatever a small file holds (8 MiB of
# tiny records are 900,000 units).
_WHOLE_UNITS = 4000


def _read_tasks(files: list[str]) -> Iterator[tuple[bool, list]]:
    """Phase 1's tasks, in input order: (True, names) of small plain files, which a worker
    reads; (False, units) a batch of the units of any other input (standard input, a gzip
    file, a large file, a FIFO...), read here."""
    group: list[str] = []
    size = 0
    for name in files:
        small = _small_file(name)
        if small is not None:
            group.append(name)
            size += small
            if size >= _TASK_BYTES or len(group) >= 64:
                yield True, group
                group, size = [], 0
            continue
        if group:
            yield True, group
            group, size = [], 0
        yield from _unit_batches(name)
    if group:
        yield True, group


def _unit_batches(name: str) -> Iterator[tuple[bool, list]]:
    """The units of one input, read here, in batches for the workers."""
    for batch in _batches(read_units(name), lambda u: 4 if u.kind == "page" else 1, 64):
        yield False, batch


def _small_file(name: str) -> int | None:
    """The size of a plain regular file of at most _WHOLE_FILE bytes, else None."""
    if name == "-" or name.lower().endswith(".gz"):
        return None
    try:
        st = os.stat(name)
    except OSError:
        return None  # read here, where it becomes a reject with the reason
    if not stat.S_ISREG(st.st_mode) or st.st_size > _WHOLE_FILE:
        return None
    return max(st.st_size, 1)


def _phase_one(files, spill_path, jobs, result: ExportResult, bar: Progress):
    index: dict[str, list[tuple[int, int]]] = defaultdict(list)
    record_match: dict[str, str | None] = {}
    derived_pages: list[tuple[str, str, Problem]] = []
    article_descriptions: dict[str, str] = {}
    variants: set[str] = set()

    def take(read: ReadResult) -> None:
        result.problems.extend(read.problems)
        if read.event_id is None:
            result.rejected += 1
            return
        offset = spill.tell()
        spill.write(read.data)
        index[read.event_id].append((offset, len(read.data)))
        facts = read.facts
        if facts.form == "record" and not facts.derived:
            known = record_match.get(facts.match, read.event_id)
            record_match[facts.match] = read.event_id if known == read.event_id else None
        elif facts.derived:
            derived_pages.append((read.event_id, facts.match, read.where))
        for key, description in facts.articles:
            seen = article_descriptions.setdefault(key, description)
            if seen != description:
                variants.add(key)

    window = 4 * jobs
    with open(spill_path, "wb") as spill, _executor(jobs, Job(AIMID)) as pool:
        for done in _bounded_map(pool, _read_task, _read_tasks(files), window):
            for name, results in done:
                if results is None:  # a small file of many units: read here, in batches
                    for batch in _bounded_map(pool, _read_task, _unit_batches(name), window):
                        for _, reads in batch:
                            for read in reads:
                                take(read)
                    continue
                for read in results:
                    take(read)
            bar.show(f"read {len(index)} events")
    # A page without an id is the event of the one record with the same title and summary.
    # Every copy of it is named (two files may hold the same page: one event, two warnings).
    joined: set[str] = set()
    for derived, match, where in derived_pages:
        target = record_match.get(match)
        if target and (derived in index or derived in joined):
            if derived in index:
                index[target].extend(index.pop(derived))
                joined.add(derived)
            result.problems.append(
                Problem(
                    where.file,
                    where.line,
                    "warning",
                    f"the page {where.file} has no AIM id and the same title and summary as the "
                    f"record of event {target}: both are exported as event {target}",
                    event=target,
                    code="page-joins-record",
                )
            )
    return index, _DigestSet(variants)


def _phase_two(index, targets, job: Job, jobs, result: ExportResult, bar, with_ontology):
    vocab = vocabulary()
    writers = [
        fmt.writer(prefixes(job.base_iri), build_context(job.base_iri)) for fmt in job.formats
    ]
    ids = sorted(index, key=id_sort_key)
    spellings: dict[str, Counter] = defaultdict(Counter)
    figures = triples.OutletFigures()
    pairs = triples.Cooccurrences(vocab)
    concepts: set[str] = set()
    places: set[str] = set()
    wrote = [False] * len(targets)

    def emit(i: int, data: bytes) -> None:
        if not data:
            return
        if wrote[i]:
            targets[i].write(writers[i].separator())
        targets[i].write(data)
        wrote[i] = True

    for target, writer in zip(targets, writers, strict=True):
        target.write(writer.header())
    with _executor(jobs, job) as pool:
        batches = _batches(((i, index[i]) for i in ids), lambda item: len(item[1]), 32)
        done = 0
        for results in _bounded_map(pool, _write_batch, batches, window=4 * jobs):
            for event in results:
                result.problems.extend(event.problems)
                done += 1
                if event.blocks is None:
                    result.rejected += 1
                    continue
                result.events += 1
                result.triples += event.triples
                for outlet, spelling in event.outlets:
                    spellings[outlet][spelling] += 1
                figures.add(event.published)
                pairs.add(event.concepts)
                concepts |= event.concepts
                places |= event.countries
                result.aiid_links += event.linked
                for i, data in enumerate(event.blocks):
                    emit(i, data)
            bar.show(f"wrote {done}/{len(ids)} events")

    minter = triples.Minter(job.base_iri)
    tail = _tail(spellings, figures, pairs, minter, concepts, places, vocab, with_ontology, result)
    for i, writer in enumerate(writers):
        emit(i, writer.block(tail))
        targets[i].write(writer.footer())


class _DigestSet(frozenset):
    """Article keys, held as the 12-digit digests phase 1 indexed; tested with the key."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and frozenset.__contains__(self, digest(key, size=12))


def _ontology_triples() -> list[Triple]:
    """The ontology and its alignments, with blank nodes (OWL restrictions) named by order of
    appearance, so the bytes do not change from run to run."""
    names: dict = {}

    def stable(term):
        if isinstance(term, BNode):
            return names.setdefault(term, BNode(f"b{len(names)}"))
        return term

    out = []
    for path in resources.ontology_files()[:2]:
        for s, p, o in terms.parse(path):
            out.append((stable(s), p, stable(o)))
    return out


def _tail(
    spellings, figures, pairs, minter, concepts, places, vocab, with_ontology, summary: ExportResult
) -> Triples:
    """Outlets, co-occurrences of concepts, concepts, countries (and on request the ontology):
    validated like every event (the countries were validated with the events that name them)."""
    tail = Triples()
    for outlet in sorted(spellings):
        tail += triples.outlet_block(outlet, spellings[outlet], figures.of(outlet))
    summary.outlets = len(spellings)
    tail += triples.cooccurrence_block(minter, pairs.counts())
    concept_triples = triples.concept_block(concepts, vocab)
    summary.concepts = len({t[0] for t in concept_triples})
    tail += concept_triples
    tail += triples.country_block(places, countries())
    summary.countries = len(places)
    if with_ontology:
        tail += _ontology_triples()
    results = [r for r in data_shapes().validate(tail) if r.is_violation]
    if results:
        raise RuntimeError("outlets or concepts break the shapes: " + "; ".join(map(str, results)))
    summary.triples += len(tail)
    return tail
