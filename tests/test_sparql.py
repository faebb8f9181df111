"""aim-kg query: what QUERY may be, what DATA may be, and every output format.

The answers are checked by parsing them back (SPARQL JSON and XML, CSV, TSV, Turtle, N-Triples,
JSON-LD), on the bundled examples (kg/examples/README.md): 16 events, 5 of them AI hazards.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.namespaces import PrefixMap
from kg.pipeline import export
from kg.sparql import query as sparql
from kg.write import format_named
from kg.write.outputs import Output

EXAMPLES = Path(__file__).resolve().parent.parent / "kg" / "examples"
HAZARDS = [
    "2024-12-26-8296",
    "2025-08-28-94f1",
    "2026-03-02-f06a",
    "2026-03-03-140e",
    "2026-09-15-9822",
]
SELECT_HAZARDS = (
    "SELECT ?id ?title WHERE { ?e a aim:Hazard ; dcterms:identifier ?id ; dcterms:title ?title } "
    "ORDER BY ?id"
)


@pytest.fixture(scope="module")
def nq(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "examples.nq"
    assert export([], [Output(str(path), format_named("nquads"))], jobs=1).rejected == 0
    return path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["query", *args], input=input)


def ok(*args: str, input: str | None = None) -> str:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


# ---------------------------------------------------------------- QUERY


def test_query_as_text_with_the_contract_prefixes(nq):
    out = ok(SELECT_HAZARDS, "-d", str(nq), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "title"]
    assert [r[0] for r in rows[1:]] == HAZARDS


def test_query_from_a_file_and_from_stdin(nq, tmp_path):
    path = tmp_path / "hazards.sparql"  # any extension
    path.write_text(SELECT_HAZARDS, encoding="utf-8")
    assert ok(str(path), "-d", str(nq), "--format", "tsv").count("\n") == 1 + len(HAZARDS)
    assert ok("-", "-d", str(nq), "--format", "tsv", input=SELECT_HAZARDS).count("\n") == 6


def test_query_from_the_catalogue(nq):
    by_name = ok("events-per-year", "-d", str(nq), "--format", "csv")
    with_suffix = ok("events-per-year.rq", "-d", str(nq), "--format", "csv")
    assert by_name == with_suffix
    assert by_name.splitlines()[1:] == ["2024,0,1,1", "2025,5,1,6", "2026,6,3,9"]


def test_list_the_catalogue():
    out = ok("--list")
    for name, path in sparql.catalogue().items():
        assert f"{name} " in out
        assert sparql.question(path) in out
    assert "events-per-harm-type-per-year" in out


def test_unknown_query_name():
    result = run("no-such-query")
    assert result.exit_code == 1
    assert "not a file, a query of the catalogue or SPARQL text" in result.output
    assert "top-outlets" in result.output


def test_syntax_error_shows_line_and_column(nq, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("SELECT ?x WHERE {\n  ?x ?y ?z ?a ?b ?c\n}\n", encoding="utf-8")
    result = run(str(path), "-d", str(nq))
    assert result.exit_code == 1
    assert "bad.rq: SPARQL syntax error at line 2, column 20" in result.output
    lines = result.output.splitlines()
    assert lines[-2] == "    ?x ?y ?z ?a ?b ?c"
    assert lines[-1] == "  " + " " * 19 + "^"


def test_undeclared_prefix_and_end_of_query(nq):
    result = run("SELECT ?x WHERE {\n  ?x foo:bar ?z\n}", "-d", str(nq))
    assert result.exit_code == 1
    assert "line 2, column 13: a prefix that is not declared" in result.output
    result = run("SELECT ?x WHERE { ?x ?y ?z ", "-d", str(nq))
    assert result.exit_code == 1
    assert "at the end of the query" in result.output


def test_an_update_is_refused(nq):
    result = run("PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }", "-d", str(nq))
    assert result.exit_code == 1
    assert "SPARQL Update" in result.output and "never changes a store" in result.output


def test_describe_syntax_error_unit():
    q = sparql.Query("q.rq", "SELECT *\nWHERE { ?s ?p }")
    message = sparql.describe_syntax_error(q, "error at 2:15: expected something")
    assert message.splitlines() == [
        "q.rq: SPARQL syntax error at line 2, column 15: expected something",
        "  WHERE { ?s ?p }",
        "  " + " " * 14 + "^",
    ]


# ---------------------------------------------------------------- output formats


def test_table(nq):
    out = ok(SELECT_HAZARDS, "-d", str(nq))
    lines = out.splitlines()
    assert lines[0].split() == ["id", "title"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("2024-12-26-8296  Serbian President Alleges")
    assert lines[-1] == "(5 rows)"
    # a title longer than a cell ends in an ellipsis; numbers are aligned right
    assert any(line.endswith("…") for line in lines[2:-1])
    counts = ok("events-per-year", "-d", str(nq)).splitlines()
    assert counts[0] == "year  incidents  hazards  events"
    assert counts[2] == "2024          0        1       1"


def test_table_cells_unit():
    names = PrefixMap({"aimid": "https://w3id.org/aim-kg/id/"})
    wide = "연합뉴스" * 30
    assert sparql._cell(ox.NamedNode("https://w3id.org/aim-kg/id/outlet-x"), names).text == (
        "aimid:outlet-x"
    )
    assert (
        sparql._cell(ox.NamedNode("https://example.org/a"), names).text == "https://example.org/a"
    )
    odd = "https://w3id.org/aim-kg/id/a/b"  # not a prefixed name: shown whole
    assert sparql._cell(ox.NamedNode(odd), names).text == odd
    cell = sparql._cell(ox.Literal(wide), names)
    assert cell.text.endswith("…") and sparql.display_width(cell.text) <= sparql.MAX_CELL
    assert sparql._cell(
        ox.Literal("3", datatype=ox.NamedNode(sparql.XSD + "integer")), names
    ).numeric
    assert sparql.display_width("日本") == 4


def test_ask(nq):
    assert ok("ASK { ?e a aim:Hazard }", "-d", str(nq)) == "true\n"
    assert ok(
        "ASK { ?e a aim:Hazard ; aim:harmType aimtax:harm-type-physical-death }", "-d", str(nq)
    ) == ("false\n")
    assert json.loads(ok("ASK { ?e a aim:Hazard }", "-d", str(nq), "--format", "json")) == {
        "head": {},
        "boolean": True,
    }


def test_standard_results_formats(nq):
    data = json.loads(ok(SELECT_HAZARDS, "-d", str(nq), "--format", "json"))
    assert data["head"]["vars"] == ["id", "title"]
    assert [b["id"]["value"] for b in data["results"]["bindings"]] == HAZARDS
    assert data["results"]["bindings"][0]["title"]["xml:lang"] == "en"
    root = ET.fromstring(ok(SELECT_HAZARDS, "-d", str(nq), "--format", "xml"))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    results = root.findall(f"{ns}results/{ns}result")
    assert [r.find(f"{ns}binding[@name='id']/{ns}literal").text for r in results] == HAZARDS
    tsv = ok(SELECT_HAZARDS, "-d", str(nq), "--format", "tsv").splitlines()
    assert tsv[0] == "?id\t?title"
    assert tsv[1].startswith('"2024-12-26-8296"\t"Serbian President')


def test_construct_formats(nq):
    query = "CONSTRUCT { ?e dcterms:title ?t } WHERE { ?e a aim:Hazard ; dcterms:title ?t }"
    ttl = ok(query, "-d", str(nq))  # Turtle by default, with the contract's prefixes
    assert "@prefix aimid: <https://w3id.org/aim-kg/id/> ." in ttl
    assert "aimid:event-2024-12-26-8296 dcterms:title" in ttl
    parsed = {
        "ttl": set(ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)),
        "nt": set(
            ox.parse(
                ok(query, "-d", str(nq), "--format", "nt").encode(), format=ox.RdfFormat.N_TRIPLES
            )
        ),
        "jsonld": set(
            ox.parse(
                ok(query, "-d", str(nq), "--format", "jsonld").encode(), format=ox.RdfFormat.JSON_LD
            )
        ),
    }
    assert len(parsed["ttl"]) == 5
    assert parsed["ttl"] == parsed["nt"] == parsed["jsonld"]
    assert ok(query, "-d", str(nq), "--format", "nt") == ok(query, "-d", str(nq), "--format", "nt")


def test_describe(nq):
    out = ok("DESCRIBE aimid:outlet-reuters", "-d", str(nq), "--format", "nt")
    assert (
        '<https://w3id.org/aim-kg/id/outlet-reuters> <https://schema.org/name> "Reuters" .' in out
    )


def test_format_that_does_not_fit_the_answer(nq):
    result = run(SELECT_HAZARDS, "-d", str(nq), "--format", "ttl")
    assert result.exit_code == 1 and "for CONSTRUCT and DESCRIBE answers" in result.output
    result = run("event", "-d", str(nq), "--format", "csv")
    assert result.exit_code == 1 and "for SELECT and ASK answers" in result.output


# ---------------------------------------------------------------- DATA


def test_default_is_the_bundled_examples():
    out = ok("SELECT (COUNT(*) AS ?n) WHERE { ?e a aim:Event }", "-j", "1", "--format", "csv")
    assert out.splitlines() == ["n", "16"]


def test_raw_inputs_are_exported_on_the_fly(tmp_path):
    page = EXAMPLES / "pages" / "2025-08-28-2d85.txt"
    out = ok(
        "SELECT ?id WHERE { ?e dcterms:identifier ?id }",
        "-d",
        str(page),
        "-j",
        "1",
        "--format",
        "csv",
    )
    assert out.splitlines() == ["id", "2025-08-28-2d85"]
    records = EXAMPLES / "records" / "more-records.jsonl"
    both = ok(
        "SELECT (COUNT(*) AS ?n) WHERE { ?e a aim:Event }",
        "-d",
        str(page),
        "-d",
        str(records),
        "-j",
        "1",
        "--format",
        "csv",
    )
    n_records = sum(1 for line in records.read_text(encoding="utf-8").splitlines() if line.strip())
    assert both.splitlines() == ["n", str(n_records + 1)]


def test_labels_and_broad_matches_come_with_the_data(tmp_path):
    """One record's export holds only its concepts, yet every label can be queried."""
    page = EXAMPLES / "pages" / "2025-08-28-2d85.txt"
    query = (
        "SELECT ?label WHERE { ?c skos:inScheme aimtax:industry ; skos:prefLabel ?label "
        'FILTER (STR(?label) = "Agriculture") }'
    )
    assert ok(query, "-d", str(page), "-j", "1", "--format", "csv").splitlines() == [
        "label",
        "Agriculture",
    ]


def test_rejected_raw_input_exit_3_with_an_answer(tmp_path):
    path = tmp_path / "r.jsonl"
    good = json.loads((EXAMPLES / "records" / "aim-records.json").read_text(encoding="utf-8"))[0]
    path.write_text(
        json.dumps(good) + "\n" + json.dumps({"id": "x", "properties": {}}) + "\n", encoding="utf-8"
    )
    result = run(
        "SELECT (COUNT(*) AS ?n) WHERE { ?e a aim:Event }",
        "-d",
        str(path),
        "-j",
        "1",
        "--format",
        "csv",
    )
    assert result.exit_code == 3
    assert result.stdout.splitlines() == ["n", "1"]
    assert "rejected" in result.stderr


def test_unreadable_data(tmp_path):
    result = run("ASK {}", "-d", str(tmp_path / "missing.ttl"))
    assert result.exit_code == 1 and "missing.ttl" in result.output
    broken = tmp_path / "broken.nt"
    broken.write_text("<http://a> <http://b>\n", encoding="utf-8")
    result = run("ASK {}", "-d", str(broken))
    assert result.exit_code == 1 and "broken.nt" in result.output


def test_store_or_data_not_both(nq, tmp_path):
    result = run("ASK {}", "-d", str(nq), "--store", str(tmp_path))
    assert result.exit_code == 2


def test_query_a_store(nq, tmp_path):
    store = tmp_path / "store"
    assert CliRunner().invoke(cli, ["load", str(nq), "--store", str(store), "-q"]).exit_code == 0
    assert ok("events-per-year", "--store", str(store), "--format", "csv") == ok(
        "events-per-year", "-d", str(nq), "--format", "csv"
    )


def test_query_checked_before_any_data_is_read(tmp_path):
    """A syntax error, or a format that does not fit, shows before DATA is read at all."""
    missing = str(tmp_path / "missing.ttl")
    result = run("SELECT ?x WHERE { ?x ?y }", "-d", missing)
    assert result.exit_code == 1 and "syntax error" in result.output
    result = run("ASK {}", "-d", missing, "--format", "nt")
    assert result.exit_code == 1 and "for CONSTRUCT and DESCRIBE answers" in result.output
