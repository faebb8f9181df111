"""The export pipeline: inputs to validated Turtle, JSON-LD and N-Triples, in one pass.

Phase 1 reads: the main process splits inputs into units (pages, records) and worker processes
turn them into model events, which are spilled to a temporary file; the main process keeps only
small indexes (event id -> where its copies are, outlet spellings, article keys).
Phase 2 writes: events are taken in identifier order, copies of one event are merged, and
workers build each event's triples, validate them against the compiled shapes and serialize
them in every requested format; the main process appends the bytes to every output. Outlets and
concepts follow at the end. Output files are complete or absent (written, then renamed).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from kg import resources, terms
from kg.context import build_context
from kg.model import triples
from kg.model.events import Event, Problem, digest, id_sort_key, merge
from kg.namespaces import AIM, AIMID, prefixes
from kg.read.page import read_page
from kg.read.record import read_record
from kg.read.sources import Unit, discover, read_units
from kg.shacl.engine import data_shapes
from kg.terms import BNode, Triple, Triples
from kg.vocab import vocabulary
from kg.write import Format, atomic_output

UNMAPPED = AIM + "unmappedLabel"


@dataclass(frozen=True)
class Output:
    path: str  # "-" is standard output
    format: Format


@dataclass
class Summary:
    events: int = 0
    rejected: int = 0
    warned: int = 0
    triples: int = 0
    outlets: int = 0
    concepts: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 3 if self.rejected else 0


# ---------------------------------------------------------------- worker side

_STATE: dict = {}


def _init_worker(state: dict) -> None:
    _STATE.clear()
    _STATE.update(state)
    vocabulary()
    data_shapes()


def _read_batch(units: list[Unit]) -> list[tuple[str | None, bytes | None, dict, list[Problem]]]:
    """Phase 1: units to pickled events (id, bytes, index facts, problems)."""
    vocab = vocabulary()
    out = []
    for unit in units:
        if unit.kind == "reject":
            out.append((None, None, {}, [Problem(unit.file, unit.line, "reject", unit.payload)]))
            continue
        if unit.kind == "page":
            event, problems = read_page(unit.payload, unit.file, unit.stem, vocab)
        else:
            event, problems = read_record(unit.payload, unit.file, unit.line, vocab)
        if event is None:
            out.append((None, None, {}, problems))
            continue
        facts = {
            "match": event.match_key,
            "form": event.form,
            "derived": event.derived_id,
            "articles": [
                (digest(a.key, size=12), digest(a.description, size=12))
                for a in event.articles
                if a.url
            ],
        }
        out.append((event.id, pickle.dumps(event, pickle.HIGHEST_PROTOCOL), facts, problems))
    return out


def _load(spans: list[tuple[int, int]]) -> list[Event]:
    spill = _STATE.get("spill_file")
    if spill is None:
        spill = _STATE["spill_file"] = open(_STATE["spill"], "rb")  # noqa: SIM115 - per worker
    copies = []
    for offset, length in spans:
        spill.seek(offset)
        copies.append(pickle.loads(spill.read(length)))
    return copies


def _write_batch(batch: list[tuple[str, list[tuple[int, int]]]]) -> list[dict]:
    """Phase 2: merged events to validated, serialized blocks (or rejects)."""
    vocab = vocabulary()
    shapes = data_shapes()
    minter = triples.Minter(_STATE["base"])
    variants = _STATE["variants"]
    formats: list[Format] = _STATE["formats"]
    names = _STATE["prefixes"]
    context = _STATE["context"]
    out = []
    for event_id, spans in batch:
        copies = _load(spans)
        event = merge(copies) if len(copies) > 1 else copies[0]
        event.id = event_id
        problems: list[Problem] = []
        severities = {c.severity for c in copies}
        if len(severities) > 1:
            problems.append(
                Problem(
                    event.file,
                    event.line,
                    "warning",
                    "copies of this event disagree on severity "
                    f"({', '.join(sorted(vocab.concepts[s].pref_label for s in severities))}); "
                    f"kept {vocab.concepts[event.severity].pref_label} from {event.file}",
                    event=event_id,
                )
            )
        block = triples.event_block(event, vocab, minter, variants)
        results = shapes.validate(block.triples, triples.outlet_stubs(o for o, _ in block.outlets))
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
                )
            )
            out.append({"id": event_id, "ok": False, "problems": problems})
            continue
        for r in results:
            if r.path == UNMAPPED:
                continue  # the reader reported it, with the nearest label
            problems.append(Problem(event.file, event.line, "warning", r.message, event=event_id))
        out.append(
            {
                "id": event_id,
                "ok": True,
                "problems": problems,
                "bytes": [_serialize(f, block, names, context) for f in formats],
                "outlets": block.outlets,
                "concepts": block.concepts,
                "triples": len(block.triples),
            }
        )
    return out


def _serialize(fmt: Format, block: triples.Block, names: dict, context: dict) -> bytes:
    if fmt.name == "nquads":
        return fmt.module.block(block.triples, names, context, graph=block.iri)
    return fmt.module.block(block.triples, names, context)


# ---------------------------------------------------------------- main side


class _Inline(Executor):
    """Runs tasks in this process (``--jobs 1``)."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _executor(jobs: int, state: dict) -> Executor:
    if jobs <= 1:
        _init_worker(state)
        return _Inline()
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(state,),
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
    inputs: list[str],
    outputs: list[Output],
    base_iri: str = AIMID,
    jobs: int | None = None,
    progress: bool = False,
    with_ontology: bool = False,
) -> Summary:
    """Export inputs to every output. Raises InputError before writing if an input is unreadable."""
    files, skipped = discover(inputs or default_inputs())
    jobs = jobs or os.cpu_count() or 1
    summary = Summary(files=len(files), skipped=skipped)
    bar = Progress(progress)
    context = build_context(base_iri)
    names = prefixes(base_iri)
    with tempfile.TemporaryDirectory(prefix="aim-kg-") as tmp:
        spill_path = os.path.join(tmp, "events.spill")
        index, variants = _phase_one(files, spill_path, jobs, summary, bar)
        state = {
            "spill": spill_path,
            "base": base_iri,
            "variants": variants,
            "formats": [o.format for o in outputs],
            "prefixes": names,
            "context": context,
        }
        try:
            _phase_two(index, outputs, state, jobs, summary, bar, with_ontology)
        finally:
            spill = _STATE.pop("spill_file", None)  # opened here when --jobs 1
            if spill is not None:
                spill.close()
    bar.done()
    summary.problems.sort(key=lambda p: (p.file, p.line, p.kind, p.reason))
    rejected = {p.event for p in summary.problems if p.kind == "reject"}
    summary.warned = len(
        {p.event for p in summary.problems if p.kind == "warning" and p.event not in rejected}
    )
    return summary


def _phase_one(files, spill_path, jobs, summary, bar):
    index: dict[str, list[tuple[int, int]]] = defaultdict(list)
    record_match: dict[str, str | None] = {}
    derived_pages: list[tuple[str, str]] = []
    article_descriptions: dict[str, str] = {}
    variants: set[str] = set()
    units = (u for name in files for u in read_units(name))
    batches = _batches(units, lambda u: 4 if u.kind == "page" else 1, 64)
    with open(spill_path, "wb") as spill, _executor(jobs, {}) as pool:
        for results in _bounded_map(pool, _read_batch, batches, window=4 * jobs):
            for event_id, data, facts, problems in results:
                summary.problems.extend(problems)
                if event_id is None:
                    summary.rejected += 1
                    continue
                offset = spill.tell()
                spill.write(data)
                index[event_id].append((offset, len(data)))
                if facts["form"] == "record" and not facts["derived"]:
                    known = record_match.get(facts["match"], event_id)
                    record_match[facts["match"]] = event_id if known == event_id else None
                elif facts["derived"]:
                    derived_pages.append((event_id, facts["match"]))
                for key, description in facts["articles"]:
                    seen = article_descriptions.setdefault(key, description)
                    if seen != description:
                        variants.add(key)
            bar.show(f"read {len(index)} events")
    # A page without an id is the event of the one record with the same title and summary.
    for derived, match in derived_pages:
        target = record_match.get(match)
        if target and derived in index:
            index[target].extend(index.pop(derived))
    return index, _DigestSet(variants)


def _phase_two(index, outputs, state, jobs, summary, bar, with_ontology):
    vocab = vocabulary()
    formats = state["formats"]
    names, context = state["prefixes"], state["context"]
    ids = sorted(index, key=id_sort_key)
    spellings: dict[str, Counter] = defaultdict(Counter)
    concepts: set[str] = set()
    with ExitStack() as stack, _executor(jobs, state) as pool:
        files = [stack.enter_context(atomic_output(o.path)) for o in outputs]
        wrote = [False] * len(outputs)

        def emit(i: int, data: bytes) -> None:
            if not data:
                return
            if wrote[i]:
                files[i].write(formats[i].module.separator())
            files[i].write(data)
            wrote[i] = True

        for i, fmt in enumerate(formats):
            files[i].write(fmt.module.header(names, context))
        batches = _batches(((i, index[i]) for i in ids), lambda item: len(item[1]), 32)
        done = 0
        for results in _bounded_map(pool, _write_batch, batches, window=4 * jobs):
            for result in results:
                summary.problems.extend(result["problems"])
                done += 1
                if not result["ok"]:
                    summary.rejected += 1
                    continue
                summary.events += 1
                summary.triples += result["triples"]
                for outlet, spelling in result["outlets"]:
                    spellings[outlet][spelling] += 1
                concepts |= result["concepts"]
                for i, data in enumerate(result["bytes"]):
                    emit(i, data)
            bar.show(f"wrote {done}/{len(ids)} events")

        tail = _tail(spellings, concepts, vocab, with_ontology, summary)
        for i, fmt in enumerate(formats):
            emit(i, fmt.module.block(tail, names, context))
            files[i].write(fmt.module.footer())
    return summary


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


def _tail(spellings, concepts, vocab, with_ontology, summary) -> Triples:
    """Outlets, concepts (and on request the ontology): validated like every event."""
    tail = Triples()
    for outlet in sorted(spellings):
        tail += triples.outlet_block(outlet, spellings[outlet])
    summary.outlets = len(spellings)
    concept_triples = triples.concept_block(concepts, vocab)
    summary.concepts = len({t[0] for t in concept_triples})
    tail += concept_triples
    if with_ontology:
        tail += _ontology_triples()
    results = [r for r in data_shapes().validate(tail) if r.is_violation]
    if results:
        raise RuntimeError("outlets or concepts break the shapes: " + "; ".join(map(str, results)))
    summary.triples += len(tail)
    return tail
