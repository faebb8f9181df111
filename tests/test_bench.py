"""The benchmark's corpus generator (bench/corpus.py), on a tiny corpus: no timings here.

The same seed gives the same bytes; both forms hold the same events; aim-kg reads and exports
them with no reject and no warning, to the same graph (pages show no country); every facet label
is a vocabulary prefLabel of its facet.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from bench import corpus
from kg.model.events import AIM_ID
from kg.pipeline import export
from kg.write import format_named
from kg.write.outputs import Output

EVENTS = 40
COUNTRY = "<https://w3id.org/aim-kg/ontology#country>"
PLACE = "<http://publications.europa.eu/resource/authority/country/"  # a country's own triples


def _write(path: Path, seed: int = 7) -> dict:
    return corpus.write_corpus(path, corpus.Options(events=EVENTS, seed=seed))


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus")
    _write(path)
    return path


def _records(root: Path) -> list[dict]:
    records = []
    for path in sorted((root / "json").glob("*.json")):
        records += json.loads(path.read_text(encoding="utf-8"))["incidents"]
    return records


def test_same_seed_same_bytes(tiny, tmp_path):
    _write(tmp_path / "again")
    assert _files(tmp_path / "again") == _files(tiny)
    _write(tmp_path / "other", seed=8)
    assert _files(tmp_path / "other") != _files(tiny)


def test_both_forms_hold_the_same_events(tiny):
    records = _records(tiny)
    pages = sorted((tiny / "pages").rglob("*.txt"))
    assert len(records) == len(pages) == EVENTS
    assert sorted(r["id"] for r in records) == sorted(p.stem for p in pages)
    assert all(AIM_ID.match(p.stem) and p.parent.name == p.stem[:4] for p in pages)
    assert all(r["articles"] and r["n_articles"] == len(r["articles"]) for r in records)
    manifest = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["events"] == EVENTS
    assert manifest["counts"]["articles"] == sum(len(r["articles"]) for r in records)
    text = pages[0].read_text(encoding="utf-8-sig")
    for line in (corpus.THUMBNAIL, corpus.DISCLAIMER, corpus.ARTICLES):
        assert line in text


def test_jsonl_form(tmp_path):
    opts = corpus.Options(events=5, seed=3)
    corpus.write_corpus(tmp_path, opts, form="json", jsonl=True, per_file=2)
    files = sorted((tmp_path / "json").glob("*.jsonl"))
    assert len(files) == 3
    lines = [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]
    assert len(lines) == 5
    assert not (tmp_path / "pages").exists()


def test_labels_are_vocabulary_labels(tiny, vocab):
    records = _records(tiny)
    seen = 0
    for record in records:
        for key, value in record["properties"].items():
            facet = vocab.facet_by_key[key]
            preferred = {c.pref_label for c in vocab.concepts.values() if c.scheme == facet.scheme}
            for label in [value] if isinstance(value, str) else value:
                if label:
                    assert label in preferred, (key, label)
                    seen += 1
        for code in record["location"].get("country_code", "").split(","):
            assert not code or re.fullmatch(r"[A-Z]{3}", code)
    assert seen > EVENTS


@pytest.mark.slow
def test_exports_with_no_reject_and_the_same_graph(tiny, tmp_path):
    graphs = {}
    for form in ("json", "pages"):
        outputs = [
            Output(str(tmp_path / f"{form}.{ext}"), format_named(name))
            for ext, name in (("ttl", "turtle"), ("jsonld", "jsonld"), ("nt", "ntriples"))
        ]
        summary = export([str(tiny / form)], outputs, jobs=1)
        assert summary.rejected == 0, [str(p) for p in summary.problems][:5]
        assert summary.warned == 0, [str(p) for p in summary.problems][:5]
        assert summary.events == EVENTS
        lines = (tmp_path / f"{form}.nt").read_text(encoding="utf-8").splitlines()
        # Pages name no country (AIM pages show none): the countries and their labels are the
        # JSON form's only.
        graphs[form] = {line for line in lines if COUNTRY not in line and PLACE not in line}
    assert graphs["json"] == graphs["pages"]


# ---------------------------------------------------------------- the morph-kgc comparison


def test_rml_mappings_are_what_bench_morph_writes():
    """bench/rml/*.rml.ttl are generated (python -m bench.morph --write-mappings) and are Turtle."""
    import pyoxigraph as ox

    from bench import morph

    for route in morph.ROUTES:
        text = morph.mapping(route)
        assert (morph.RML / f"aim-{route}.rml.ttl").read_text(encoding="utf-8") == text
        triples = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
        maps = {t.subject for t in triples if t.predicate.value.endswith("#logicalSource")}
        assert len(maps) >= 20


def test_morph_inputs_hold_every_record(tiny, tmp_path):
    """The merged JSON and the flattened CSV that morph-kgc reads hold the corpus's records."""
    import csv as csvlib

    from bench import morph

    prepared = morph.prepare(tiny / "json", tmp_path)
    records = _records(tiny)
    assert prepared["records"] == len(records) == EVENTS
    merged = json.loads((tmp_path / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    assert [r["id"] for r in merged] == [r["id"] for r in records]

    def rows(name):
        with open(tmp_path / f"{name}.csv", encoding="utf-8", newline="") as f:
            return list(csvlib.DictReader(f))

    assert [r["id"] for r in rows("events")] == [r["id"] for r in records]
    assert len(rows("articles")) == sum(len(r["articles"]) for r in records)
    assert len(rows("facet-principles")) == sum(len(r["properties"]["principles"]) for r in records)
    labels = {r["label"] for r in rows("concepts-harm_levels")}
    assert {"AI incident", "AI hazard"} <= labels
    assert {"json", "csv"} == set(prepared["configs"])


# ---------------------------------------------------------------- Virtuoso and the levers (no server)


def test_virtuoso_answers_are_compared_row_by_row():
    from bench import virtuoso

    answer = {
        "head": {"vars": ["n", "label"]},
        "results": {
            "bindings": [
                {
                    "n": {
                        "type": "literal",
                        "value": "2",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    },
                    "label": {"type": "literal", "value": "Safety", "xml:lang": "en"},
                },
                {
                    "n": {
                        "type": "literal",
                        "value": "1",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    }
                },
            ]
        },
    }
    rows = virtuoso.rows(answer)
    assert virtuoso.compare(rows, list(rows)) is None
    assert virtuoso.compare(rows, rows[::-1]) == "same rows, another order"
    assert "row 1" in virtuoso.compare(rows, rows[1:])
    untagged = json.loads(json.dumps(answer).replace('"xml:lang": "en"', '"xml:lang": "fr"'))
    assert virtuoso.compare(rows, virtuoso.rows(untagged)) is not None
    assert virtuoso.compare({"<a> <b> <c>"}, set()) == "1 triples missing, 0 more"
    assert virtuoso._is_graph("# CONSTRUCT in a comment\nSELECT * WHERE { ?s ?p ?o }") is False
    assert virtuoso._is_graph("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") is True


def test_report_sections_replace_their_own_part_only():
    from bench import levers, virtuoso

    rows = [
        {"recount_seconds": 0.5},
        {
            "query": "a.rq",
            "now": 0.05,
            "before": 0.2,
            "before same": True,
            "one graph": 0.04,
            "one graph same": False,
        },
    ]
    text = levers.section(rows)
    assert "| a.rq | 50 ms | 200 ms | 40 ms (other answer!) | ✅ |" in text
    assert "500 ms on this store" in text
    loaded = levers.section([{"recount_seconds": 0.5, "load": [2.25, 3.0]}, *rows[1:]])
    assert "load average (this run included) was 2.2 at the start and 3.0 at the end" in loaded
    document = "# Performance\n\nkept\n"
    once = levers.replace_section(document, text)
    assert levers.replace_section(once, text) == once and "kept" in once
    failed = virtuoso.section({"error": "virtuoso-t not found"})
    assert "Not run: virtuoso-t not found" in virtuoso.replace_section(once, failed)


def test_steps_time_every_step_of_the_events_the_export_writes(tiny, tmp_path):
    """bench.steps runs the export's steps over the same events: the triples it maps are the
    export's, without the tail (outlets, concepts, countries), and every step is timed."""
    from bench import steps

    result = steps.measure(tiny / "json")
    summary = export([str(tiny / "json")], [str(tmp_path / "out.nt")], jobs=1)
    assert result["events"] == summary.events > 0
    tail = summary.outlets + summary.concepts + summary.countries
    assert 0 < summary.triples - result["triples"] >= tail
    assert set(result["cpu"]) == {key for key, _ in steps.STEPS}
    assert all(value >= 0 for value in result["cpu"].values())
    text = steps.section(result)
    assert text.startswith(steps.BEGIN) and text.endswith(steps.END)
    assert "| write: N-Triples |" in text


def test_the_load_split_is_read_from_load_verbose(tmp_path):
    """bench.run reads the steps ``aim-kg load -v`` prints (every one, in order) into the
    report's note on the load."""
    from click.testing import CliRunner

    from bench import run
    from kg.cli import cli

    result = CliRunner().invoke(cli, ["load", "--store", str(tmp_path / "s"), "-j", "1", "-v"])
    assert result.exit_code == 0, result.output
    steps = run.load_steps(result.output)
    names = list(steps)
    assert names[0] == "read and check" and names[-1] == "close store"
    assert {"bulk load", "optimize", "vocabulary", "shared graph"} <= set(steps)
    assert len(steps) == result.output.count("\nstep ") + result.output.startswith("step ")
    steps = {"bulk load": {"wall": 14.0, "cpu": 25.0}, "flush": {"wall": 0.01, "cpu": 0.02}}
    note = run.load_split_note({"load_steps": steps})
    assert "bulk load 14.0 s (25.0 CPU s); 0.0 s in the other steps; 14.0 s in all" in note
    assert run.load_split_note({}) is None


def test_max_rss_is_the_commands_not_the_harnesss():
    """A small command started by a large harness: its max RSS is its own (Linux carries the
    forking process's high-water mark through exec into wait4's rusage)."""
    from bench import measure

    harness = bytearray(300 << 20)
    for i in range(0, len(harness), 4096):
        harness[i] = 1
    child = "x = bytearray(30 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\nimport time\n"
    got = measure.run([sys.executable, "-c", child + "time.sleep(0.5)"])
    assert got.ok and 30 <= got.max_rss_mb < 200
    del harness


def test_export_levers_take_each_step_out_in_their_own_processes(tmp_path):
    """bench.export_levers: without validation an event the shapes refuse goes out, without
    languages its headline loses its tag; the variants run in their own processes (this one
    keeps its language identifier and its shapes), and the section reads their figures."""
    from bench import export_levers
    from kg.read import lang
    from kg.shacl.engine import Shapes

    record = {
        "id": "2026-01-01-cccc",
        "title": "Two autonomy levels",
        "properties": {
            "harm_levels": ["AI incident"],
            "autonomy_level": [
                "No-action autonomy (human support)",
                "High-action autonomy (human-out-of-the-loop)",
            ],
        },
        "articles": [
            {
                "title": "Facial recognition cameras wrongly flag shoppers as thieves in London",
                "date": "2026-01-01",
                "publisher": "The Example Times",
            }
        ],
    }
    corpus_json = tmp_path / "json"
    corpus_json.mkdir()
    (corpus_json / "r.json").write_text(json.dumps(record), encoding="utf-8")
    names = ("as-is", "no-validation", "neither")
    result = export_levers.measure_levers(corpus_json, tmp_path / "work", 1, names)
    runs = result["variants"]
    assert set(runs) == set(names) and not any("error" in r for r in runs.values())
    assert (runs["as-is"]["events"], runs["as-is"]["rejected"]) == (0, 1)
    assert (runs["no-validation"]["events"], runs["no-validation"]["rejected"]) == (1, 0)
    assert runs["neither"]["events"] == 1
    assert runs["neither"]["triples"] < runs["no-validation"]["triples"]
    assert lang.detect(record["articles"][0]["title"]) == "en"
    assert Shapes.validate.__name__ == "validate"
    text = export_levers.section(result, reference=1.0)
    assert text.startswith(export_levers.BEGIN) and text.endswith(export_levers.END)
    assert "| .ttl + .jsonld + .nt | no validation |" in text
    assert "less than 10 s" not in text  # the verdicts are for the target's 20,000 events
    document = export_levers.replace_section("# Performance\n", text)
    assert export_levers.replace_section(document, text) == document
