"""The Python API: the README's example, each function's answers, errors as exceptions."""

from __future__ import annotations

import gzip
import inspect
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from conftest import ROOT

import kg
from kg.cli import cli

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
AIM = rdflib.Namespace("https://w3id.org/aim-kg/ontology#")
SUMMARY = re.compile(
    r"exported (\d+) events \((\d+) triples, (\d+) outlets, (\d+) concepts, (\d+) countries\)"
)


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict:
    """The README's example, run as it is in an empty folder."""
    folder = tmp_path_factory.mktemp("readme")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        namespace: dict = {}
        exec(compile(readme_example(), "README.md", "exec"), namespace)
    namespace["folder"] = folder
    return namespace


def test_readme_example_gives_the_counts_of_the_command_line(example, tmp_path: Path):
    result = example["result"]
    cli_run = CliRunner().invoke(cli, ["export", "-o", str(tmp_path / "out.ttl")])
    assert cli_run.exit_code == 0, cli_run.output
    counts = tuple(int(n) for n in SUMMARY.search(cli_run.output).groups())
    assert (
        result.events,
        result.triples,
        result.outlets,
        result.concepts,
        result.countries,
    ) == counts
    assert (result.events, result.triples, result.outlets, result.concepts) == (16, 1607, 27, 56)
    assert result.countries == 11
    assert result.outputs == ["aim-kg.ttl", "aim-kg.nq"]
    assert (example["folder"] / "aim-kg.ttl").read_bytes() == (tmp_path / "out.ttl").read_bytes()


def test_readme_example_answers(example):
    assert isinstance(example["g"], rdflib.Graph) and len(example["g"]) == 1607
    assert example["conforms"] is True
    assert (None, SH.conforms, rdflib.Literal(True)) in example["results"]
    assert example["text"].endswith("conforms: 0 violations, 0 warnings")
    years = {row["year"].toPython(): row["events"].toPython() for row in example["per_year"]}
    assert sum(years.values()) == 16 and years[2025] == 6
    assert example["has_hazards"] is True
    assert example["loaded"].events == 16
    assert [int(r["n"]) for r in example["rows"]] == [16]


def test_all_is_the_documented_api():
    for name in kg.__all__:
        obj = getattr(kg, name)
        if callable(obj) and not isinstance(obj, type):
            assert inspect.getdoc(obj), f"kg.{name} has no docstring"
    assert {"export", "graph", "validate", "query", "load", "AimKgError"} <= set(kg.__all__)
    assert "export" in dir(kg)
    with pytest.raises(AttributeError):
        kg.no_such_function  # noqa: B018


def test_export_result_holds_problems_as_objects(tmp_path: Path):
    good = {"id": "2026-01-01-aaaa", "title": "Good", "properties": {"harm_levels": ["AI hazard"]}}
    bad = {"id": "2026-01-01-bbbb", "title": "Bad", "properties": {"harm_levels": ["AI hazzard"]}}
    (tmp_path / "records.json").write_text(json.dumps([good, bad]))
    result = kg.export([tmp_path / "records.json"], [tmp_path / "out.nt"], jobs=1)
    assert (result.events, result.rejected, result.warned, result.exit_code) == (1, 1, 1, 3)
    [reject] = result.rejects
    assert (reject.event, reject.kind, reject.code) == ("2026-01-01-bbbb", "reject", "bad-record")
    assert 'did you mean "AI hazard"' in reject.reason
    [warning] = result.warnings
    assert (warning.event, warning.code) == ("2026-01-01-aaaa", "event-article-present")
    assert warning.as_dict()["kind"] == "warning"


def test_export_with_no_output_writes_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kg.export()
    assert result.events == 16 and result.outputs == []
    assert list(tmp_path.iterdir()) == []


def test_user_errors_are_exceptions_with_the_messages_of_the_command_line(tmp_path: Path):
    records = tmp_path / "records.json"
    records.write_text("[]")
    with pytest.raises(kg.UsageError) as error:
        kg.export([records], [tmp_path / "out.ttl"], problems=records)
    assert "would overwrite the input" in str(error.value)
    assert isinstance(error.value, kg.AimKgError)
    cli_run = CliRunner().invoke(
        cli, ["export", str(records), "-o", str(tmp_path / "out.ttl"), "--problems", str(records)]
    )
    assert cli_run.exit_code == 1 and str(error.value) in cli_run.output
    assert records.read_text() == "[]"
    with pytest.raises(kg.InputError):
        kg.export([tmp_path / "missing.json"])
    with pytest.raises(kg.UsageError):
        kg.export(outputs=[tmp_path / "out.xyz"])
    with pytest.raises(kg.UsageError):
        kg.export(base_iri="https://example.org/no slash")
    with pytest.raises(kg.QueryError):
        kg.query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(kg.StoreError):
        kg.query("ASK {}", store=tmp_path / "no-store")
    with pytest.raises(kg.RdfFileError):
        kg.validate([tmp_path / "records.json"])


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    return kg.graph()


def test_validate_a_planted_break(graph: rdflib.Graph):
    broken = rdflib.Graph()
    for t in graph:
        broken.add(t)
    event = rdflib.URIRef("https://w3id.org/aim-kg/id/event-2025-08-27-cc0a")
    broken.remove((event, rdflib.DCTERMS.title, None))
    conforms, report, text = kg.validate(broken)
    assert conforms is False
    assert (None, SH.conforms, rdflib.Literal(False)) in report
    results = list(report.objects(None, SH.result))
    assert len(results) == 1
    assert report.value(results[0], SH.focusNode) == event
    assert report.value(results[0], SH.resultSeverity) == SH.Violation
    assert "title" in text and text.endswith("does not conform: 1 violations, 0 warnings")


def test_validate_warnings_follow_shacl(graph: rdflib.Graph):
    warned = rdflib.Graph()
    for t in graph:
        warned.add(t)
    warned.remove(
        (rdflib.URIRef("https://w3id.org/aim-kg/id/event-2025-08-27-cc0a"), AIM.article, None)
    )
    conforms, report, _ = kg.validate(warned)
    assert conforms is False  # a result is a result, as SHACL (and pySHACL) say
    assert {report.value(r, SH.resultSeverity) for r in report.objects(None, SH.result)} == {
        SH.Warning
    }
    assert kg.validate(warned, allow_warnings=True)[0] is True


def test_validate_files_and_engines_agree(tmp_path: Path, graph: rdflib.Graph):
    path = tmp_path / "g.ttl"
    graph.serialize(path, format="turtle")
    fast = kg.validate(path)
    slow = kg.validate([str(path)], engine="pyshacl")
    assert fast[0] is slow[0] is True


def test_query_answers_as_python_objects(tmp_path: Path):
    rows = kg.query("SELECT ?e ?date WHERE { ?e aim:date ?date } ORDER BY ?date LIMIT 2")
    assert rows.variables == ["e", "date"]
    assert [sorted(row) for row in rows] == [["date", "e"], ["date", "e"]]
    assert isinstance(rows[0]["e"], rdflib.URIRef)
    assert isinstance(rows[0]["date"].toPython(), type(__import__("datetime").date.today()))
    optional = kg.query("SELECT ?e ?x WHERE { ?e a aim:Event OPTIONAL { ?e aim:noSuch ?x } }")
    assert all("x" not in row for row in optional) and len(optional) == 16
    assert kg.query("ASK { ?e a aim:Event }") is True
    assert kg.query("ASK { ?e a aim:NoSuchClass }") is False
    constructed = kg.query("CONSTRUCT { ?e a aim:Event } WHERE { ?e a aim:Event }")
    assert isinstance(constructed, rdflib.Graph) and len(constructed) == 16
    export = tmp_path / "aim.nt"
    kg.export(outputs=[export])
    assert len(kg.query("SELECT ?e WHERE { ?e a aim:Event }", data=[export])) == 16
    with pytest.raises(kg.UsageError):
        kg.query("ASK {}", data=[export], store=tmp_path)


def test_load_and_query_a_store(tmp_path: Path):
    report = kg.load(None, tmp_path / "store")
    assert (report.events, report.replaced, report.problems) == (16, 0, [])
    again = kg.load((), tmp_path / "store")
    assert (again.events, again.replaced, again.quads) == (16, 16, report.quads)
    rows = kg.query("SELECT (COUNT(*) AS ?n) WHERE { ?e a aim:Event }", store=tmp_path / "store")
    assert int(rows[0]["n"]) == 16


# ---------------------------------------------------------------- one reading of RDF files


@pytest.fixture(scope="module")
def rdf_files(tmp_path_factory) -> list[Path]:
    """The example export in every RDF format aim-kg reads, plain and gzipped."""
    folder = tmp_path_factory.mktemp("formats")
    nq = folder / "aim.nq"
    kg.export(outputs=[nq])
    quads = list(ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS))
    triples = [q.triple for q in quads]
    files = [nq]
    for name, fmt, data in (
        ("aim.trig", ox.RdfFormat.TRIG, quads),
        ("aim.jsonld", ox.RdfFormat.JSON_LD, triples),
        ("aim.rdf", ox.RdfFormat.RDF_XML, triples),
        ("aim.ttl", ox.RdfFormat.TURTLE, triples),
    ):
        files.append(folder / name)
        ox.serialize(data, str(folder / name), fmt)
    for path in list(files):
        gz = path.with_name(path.name + ".gz")
        gz.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
        files.append(gz)
    return files


def test_validate_reads_every_rdf_format_alike(rdf_files: list[Path]):
    answers = set()
    for path in rdf_files:
        run = CliRunner().invoke(cli, ["validate", str(path)])
        assert run.exit_code == 0, (path.name, run.output)
        answers.add(run.output)
    assert answers == {"conforms: 0 violations, 0 warnings\n"}


def test_load_and_query_read_every_rdf_format_alike(rdf_files: list[Path], tmp_path: Path):
    query = "SELECT (COUNT(DISTINCT ?g) AS ?graphs) (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answers = {}
    for path in rdf_files:
        store = tmp_path / path.name
        load = CliRunner().invoke(cli, ["load", str(path), "--store", str(store), "-q"])
        assert load.exit_code == 0, (path.name, load.output)
        stored = kg.query(query, store=store)[0]
        asked = CliRunner().invoke(cli, ["query", "-d", str(path), "--format", "csv", query])
        assert asked.exit_code == 0, (path.name, asked.output)
        answers[path.name] = (int(stored["graphs"]), int(stored["quads"]), asked.output)
    assert len(set(answers.values())) == 1, answers
    graphs = next(iter(answers.values()))[0]
    assert graphs == 16 + 3  # one per event, the outlets, the ontology, the taxonomies
