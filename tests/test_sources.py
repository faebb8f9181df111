"""Inputs to units: JSON read value by value (with lines), pages, folders, bad files."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from kg.read import sources
from kg.read.sources import InputError, discover, read_units

RECORDS = [
    {"id": f"2024-01-0{i}-000{i}", "title": f"Event {i}", "n": [1, 2, 3]} for i in range(1, 5)
]


@pytest.fixture(params=[5, 64, 1 << 20], ids=["tiny-chunks", "small-chunks", "default"])
def chunk(request, monkeypatch):
    """Values straddle chunk boundaries at every size."""
    monkeypatch.setattr(sources, "_CHUNK", request.param)


def units(path: Path) -> list[tuple[str, int, object]]:
    return [(u.kind, u.line, u.payload) for u in read_units(str(path))]


def test_json_array_with_lines(tmp_path, chunk):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(RECORDS, indent=2), encoding="utf-8")
    got = units(path)
    assert [p for _, _, p in got] == RECORDS
    text = path.read_text().splitlines()
    for kind, line, payload in got:
        assert kind == "record"
        assert text[line - 1].strip() == "{" and payload["id"] in text[line]


def test_envelope(tmp_path, chunk):
    path = tmp_path / "page-1.json"
    path.write_text(
        json.dumps({"total": 4, "incidents": RECORDS, "next": None}, indent=1), encoding="utf-8"
    )
    assert [p for _, _, p in units(path)] == RECORDS


def test_single_record_and_json_lines(tmp_path, chunk):
    single = tmp_path / "one.json"
    single.write_text(json.dumps(RECORDS[0]), encoding="utf-8")
    assert units(single) == [("record", 1, RECORDS[0])]
    lines = tmp_path / "many.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    assert [(k, line) for k, line, _ in units(lines)] == [("record", n) for n in range(1, 5)]


def test_invalid_json_keeps_what_came_before(tmp_path, chunk):
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n" + '{"id": "x", "title": }\n', encoding="utf-8")
    got = units(path)
    assert got[0] == ("record", 1, RECORDS[0])
    kind, line, reason = got[1]
    assert kind == "reject" and line == 2
    assert reason.startswith("invalid JSON: Expecting value")


def test_values_that_are_not_records(tmp_path, chunk):
    path = tmp_path / "odd.json"
    path.write_text('[{"id": "1", "title": "x"}, "hello", 42, null]', encoding="utf-8")
    got = units(path)
    assert [k for k, _, _ in got] == ["record", "reject", "reject", "reject"]
    assert got[1][2] == "expected an AIM record (a JSON object), found a string"


def test_bom_crlf_and_gzip(tmp_path):
    path = tmp_path / "a.json.gz"
    with gzip.open(path, "wt", encoding="utf-8-sig", newline="\r\n") as f:
        f.write(json.dumps(RECORDS[:2], indent=2))
    assert [p for _, _, p in units(path)] == RECORDS[:2]


def test_page_is_one_unit(tmp_path):
    path = tmp_path / "2024-02-15-7d63.txt"
    path.write_text("\ufeffTitle\r\n\r\nSummary", encoding="utf-8")
    (unit,) = read_units(str(path))
    assert unit.kind == "page" and unit.stem == "2024-02-15-7d63"
    assert unit.payload == "Title\r\n\r\nSummary"


def test_binary_and_not_utf8(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (unit,) = read_units(str(binary))
    assert unit.kind == "reject" and "binary content" in unit.payload
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Título\n".encode("latin-1"))
    (unit,) = read_units(str(latin))
    assert unit.kind == "reject" and unit.payload.startswith("not UTF-8 text")


def test_discover(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text("[]")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.json").write_text("[]")
    files, skipped = discover([str(tmp_path), str(tmp_path / "a.txt")])
    assert files == [str(tmp_path / "a.txt"), str(tmp_path / "sub" / "b.json")]
    assert skipped == [str(tmp_path / "notes.md")]


def test_unreadable_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        discover([str(tmp_path / "missing.json")])
    locked = tmp_path / "locked.json"
    locked.write_text("[]")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads everything
            return
        with pytest.raises(InputError, match="not readable"):
            discover([str(locked)])
    finally:
        locked.chmod(0o644)


def test_truncated_and_mangled_json_never_crash(tmp_path, monkeypatch):
    """JSON cut anywhere, or with a byte changed, gives records and rejects, never an error."""
    import random

    monkeypatch.setattr(sources, "_CHUNK", 37)
    text = json.dumps({"incidents": RECORDS}, indent=1)
    rng = random.Random(5)
    path = tmp_path / "x.json"
    for n in range(300):
        cut = text[: rng.randrange(len(text))] if n % 2 else text
        mangled = n % 3 == 0 and bool(cut)
        if mangled:
            i = rng.randrange(len(cut))
            cut = cut[:i] + rng.choice('{}[],:"x0 ') + cut[i + 1 :]
        path.write_text(cut, encoding="utf-8")
        got = list(read_units(str(path)))
        assert all(u.kind in ("record", "reject") for u in got)
        records = [u.payload for u in got if u.kind == "record"]
        if mangled:
            continue
        if cut == text:
            assert records == RECORDS and len(got) == 4
        else:  # cut short: what came before is kept, and the cut is reported
            assert records == RECORDS[: len(records)]
            assert got[-1].kind == "reject"
