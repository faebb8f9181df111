"""A seeded fuzzer of the export: mutated AIM pages and records, exported with one worker and
with two, and checked for what the export promises whatever the input:

- no traceback and no aborted run (kg.export returns; no problem says "internal error");
- no lost input: every input file is named in the problems, or its events are in the graph;
- the same bytes (graph and problems) with ``-j 1`` and ``-j 2``.

``tests/test_fuzz.py`` runs a few hundred mutations in ``make test``; ``make fuzz N=5000``
(this file as a script) runs more, in batches, and prints what it found.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "kg" / "examples"

_ODD = [
    "\x00",
    "\ud800",
    "\udcff",
    "\ufeff",
    "\u200b",
    "\u00a0",
    "\r\n",
    "\r",
    "\\",
    '"',
    "{",
    "[",
    "]",
    "}",
    ",",
    ":",
    "...",
    "…",
    "é",
    "한국",
    "\U0001f600",
    "9" * 5000,
    "[" * 1200,
    "{" * 700,
    "2026-13-45",
    "Articles about this incident or hazard",
    "In other databases",
    "AI incident",
    "AI hazard",
]


def _seeds() -> tuple[list[str], list[dict]]:
    pages = [p.read_text(encoding="utf-8") for p in sorted((EXAMPLES / "pages").glob("*.txt"))]
    records: list[dict] = []
    for path in sorted((EXAMPLES / "records").iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            records += [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            data = json.loads(text)
            data = data.get("incidents", data) if isinstance(data, dict) else data
            records += data if isinstance(data, list) else [data]
    return pages, records


def _value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(10)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 5, 1.5, 10**20, 2**63])
    if kind == 3:
        return rng.choice(_ODD)
    if kind == 4 and depth < 3:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 5 and depth < 3:
        return {rng.choice(["title", "date", "x", "publisher"]): _value(rng, depth + 1)}
    if kind == 6:
        nested: object = 1
        for _ in range(rng.choice([10, 70, 500, 900])):
            nested = [nested]
        return nested
    if kind == 7:
        return "x" * rng.choice([0, 1, 300, 70_000])
    return "".join(rng.choice([*_ODD, "a", " ", "b"]) for _ in range(rng.randrange(1, 6)))


def mutate_text(text: str, rng: random.Random) -> str:
    for _ in range(rng.randrange(1, 4)):
        if not text:
            text = rng.choice(_ODD)
            continue
        i, j = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        op = rng.randrange(7)
        if op == 0:
            text = text[:i] + text[j:]  # delete a span
        elif op == 1:
            text = text[:j] + text[i:j] + text[j:]  # repeat a span
        elif op == 2:
            text = text[:i] + rng.choice(_ODD) + text[i:]
        elif op == 3:
            text = text[:i]  # truncated
        elif op == 4:
            lines = text.splitlines(keepends=True)
            rng.shuffle(lines)
            text = "".join(lines)
        elif op == 5:
            text = text.replace("\n", "\r\n")
        else:
            text = text.upper() if rng.random() < 0.5 else text.lower()
    return text


def mutate_record(record: dict, rng: random.Random) -> dict:
    record = json.loads(json.dumps(record))
    for _ in range(rng.randrange(1, 4)):
        target = record
        articles = record.get("articles")
        if isinstance(articles, list) and articles and rng.random() < 0.4:
            target = rng.choice(articles)
            if not isinstance(target, dict):
                continue
        keys = [*list(target), "aiid_ids", "location", "properties", "id", "date"]
        key = rng.choice(keys)
        if rng.random() < 0.2:
            target.pop(key, None)
        else:
            target[key] = _value(rng)
    return record


@dataclass
class Finding:
    seed: int
    kind: str
    detail: str


@dataclass
class Report:
    inputs: int = 0
    exported: int = 0
    rejected: int = 0
    findings: list[Finding] = field(default_factory=list)


def make_inputs(folder: Path, seed: int, count: int) -> list[Path]:
    """``count`` mutated inputs (pages as .txt, records as .json or .jsonl), one unit each."""
    rng = random.Random(seed)
    pages, records = _seeds()
    paths = []
    for n in range(count):
        if rng.random() < 0.4:
            text = mutate_text(rng.choice(pages), rng)
            path = folder / f"page-{seed}-{n}.txt"
        elif rng.random() < 0.5:
            text = json.dumps(
                mutate_record(rng.choice(records), rng), ensure_ascii=rng.random() < 0.5
            )
            path = folder / f"record-{seed}-{n}.json"
        else:
            text = mutate_text(json.dumps(rng.choice(records)), rng)
            path = folder / f"record-{seed}-{n}.jsonl"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        paths.append(path)
    return paths


def check(seed: int, count: int, report: Report | None = None) -> Report:
    """One batch: ``count`` mutated inputs exported with -j 1 and -j 2, checked."""
    import kg
    from kg.namespaces import AIMID
    from kg.pipeline import Job, Worker
    from kg.read.sources import read_units

    report = report or Report()
    with tempfile.TemporaryDirectory(prefix="aim-kg-fuzz-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = make_inputs(folder, seed, count)
        report.inputs += len(paths)
        outputs = {}
        for jobs in (1, 2):
            out, problems = Path(tmp) / f"out{jobs}.nt", Path(tmp) / f"problems{jobs}.jsonl"
            try:
                result = kg.export([str(folder)], [str(out)], problems=str(problems), jobs=jobs)
            except Exception as exc:  # an aborted run
                report.findings.append(Finding(seed, "aborted", f"-j{jobs}: {exc!r}"))
                return report
            outputs[jobs] = (out.read_bytes(), problems.read_bytes())
            for p in result.problems:
                if p.code == "internal-error":
                    report.findings.append(Finding(seed, "traceback", f"{p.file}: {p.reason}"))
        if outputs[1] != outputs[2]:
            report.findings.append(Finding(seed, "jobs", "-j1 and -j2 differ"))
        report.exported += result.events
        report.rejected += result.rejected
        graph = outputs[1][0].decode("utf-8")
        named = {p.file for p in result.problems}
        events = {p.event for p in result.problems}
        worker = Worker(Job(AIMID))
        for path in paths:
            if str(path) in named:
                continue
            ids = [r.event_id for r in worker.read_batch(list(read_units(str(path))))]
            if not ids and _no_records(path):
                continue
            if not ids or any(f"event-{i}>" not in graph and i not in events for i in ids):
                report.findings.append(Finding(seed, "lost", str(path.name)))
    return report


def _no_records(path: Path) -> bool:
    """An empty list of records ([] or {"incidents": []}) holds no input to lose."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return value == [] or (isinstance(value, dict) and value.get("incidents") == [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5000, help="mutated inputs in all")
    parser.add_argument("--batch", type=int, default=200, help="inputs per export")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    args = parser.parse_args(argv)
    report = Report()
    batches = max(1, -(-args.n // args.batch))
    for b in range(batches):
        check(args.seed + b, min(args.batch, args.n - b * args.batch), report)
        print(
            f"\rbatch {b + 1}/{batches}: {report.inputs} inputs, {report.exported} events, "
            f"{report.rejected} rejected, {len(report.findings)} findings",
            end="",
            file=sys.stderr,
        )
    print(file=sys.stderr)
    for finding in report.findings:
        print(f"seed {finding.seed}: {finding.kind}: {finding.detail}")
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
