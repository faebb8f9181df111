"""Golden cases: one folder per case with its input, options and expected graph (morph-kgc style).

tests/cases/<name>/input/  the inputs, exported as ``aim-kg export input -o out.ttl [args]``
tests/cases/<name>/args    optional extra options
tests/cases/<name>/expected.ttl            the expected graph, compared as a graph
tests/cases/<name>/expected-problems.jsonl the expected rejects and warnings, when there are any
tests/cases/<name>/README  what the case shows

``pytest --update-goldens`` rewrites the expected files from the current output; read the diff.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli

CASES = sorted(p for p in (Path(__file__).parent / "cases").iterdir() if p.is_dir())


def graph(path: Path) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case: Path, tmp_path: Path, monkeypatch, update_goldens: bool):
    monkeypatch.chdir(case)
    args = shlex.split((case / "args").read_text()) if (case / "args").exists() else []
    out, problems = tmp_path / "out.ttl", tmp_path / "problems.jsonl"
    result = CliRunner().invoke(
        cli, ["export", "input", "-o", str(out), "--problems", str(problems), "-q", *args]
    )
    expected_problems = case / "expected-problems.jsonl"
    found = problems.read_text(encoding="utf-8")
    if update_goldens:
        if graph(case / "expected.ttl") != graph(out):
            (case / "expected.ttl").write_bytes(out.read_bytes())
        if found:
            expected_problems.write_text(found, encoding="utf-8")
        else:
            expected_problems.unlink(missing_ok=True)
    got = [json.loads(line) for line in found.splitlines()]
    rejected = any(p["kind"] == "reject" for p in got)
    assert result.exit_code == (3 if rejected else 0), result.output
    expected = graph(case / "expected.ttl")
    actual = graph(out)
    assert actual == expected, (
        f"missing: {sorted(map(str, expected - actual))[:10]}\n"
        f"unexpected: {sorted(map(str, actual - expected))[:10]}"
    )
    if expected_problems.exists():
        want = [json.loads(line) for line in expected_problems.read_text().splitlines()]
        assert got == want
    else:
        assert got == []
