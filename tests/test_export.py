"""``aim-kg export`` end to end: formats, determinism, exit codes, atomic files, real data."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from conftest import EXAMPLE_PAGE, MIRROR
from pyld import jsonld

from kg import pipeline as export_module
from kg import resources
from kg.cli import cli
from kg.namespaces import AIM, prefixes

AIM_KG = [sys.executable, "-m", "kg.cli"]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["export", *args], input=input)


def triples(path: Path, fmt: ox.RdfFormat | None = None) -> set[ox.Triple]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    fmt = fmt or ox.RdfFormat.from_extension(path.name.removesuffix(".gz").rsplit(".", 1)[1])
    return {q.triple for q in ox.parse(data, format=fmt)}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The bundled examples in every format."""
    out = tmp_path_factory.mktemp("demo")
    names = ["demo.ttl", "demo.jsonld", "demo.nt", "demo.nq", "demo.ttl.gz"]
    result = run(*[a for n in names for a in ("-o", str(out / n))], "-q")
    assert result.exit_code == 0, result.output
    return out


def test_every_format_holds_the_same_triples(demo: Path):
    turtle = triples(demo / "demo.ttl")
    assert len(turtle) > 1000
    assert triples(demo / "demo.nt") == turtle
    assert triples(demo / "demo.jsonld") == turtle
    assert triples(demo / "demo.ttl.gz") == turtle
    quads = [q for q in ox.parse(path=str(demo / "demo.nq"))]
    assert {q.triple for q in quads} == turtle
    # A second parser for each: rdflib, and pyld for JSON-LD with network loading disabled.
    g = rdflib.Graph().parse(demo / "demo.ttl")
    assert len(g) == len(turtle)

    def no_network(url, options=None):
        raise AssertionError(f"pyld tried to fetch {url}")

    jsonld.set_document_loader(no_network)
    doc = json.loads((demo / "demo.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert {q.triple for q in ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS)} == turtle


def test_nquads_names_a_graph_per_event(demo: Path):
    quads = list(ox.parse(path=str(demo / "demo.nq")))
    graphs = Counter(q.graph_name.value for q in quads)
    events = {
        q.subject.value
        for q in quads
        if q.predicate.value.endswith("#type") and q.object.value == AIM + "Event"
    }
    assert events <= set(graphs)
    assert prefixes()["aimid"] + "graph-shared" in graphs


def test_turtle_binds_the_contract_prefixes_and_no_other(demo: Path):
    text = (demo / "demo.ttl").read_text(encoding="utf-8")
    bound = dict(line.split()[1:3] for line in text.splitlines() if line.startswith("@prefix"))
    assert {k.rstrip(":"): v.strip("<>") for k, v in bound.items()} == prefixes()
    assert "ns1:" not in text and "_:" not in text
    assert "aimid:event-2025-08-27-cc0a a aim:Event , aim:Incident" in text


def test_jsonld_is_compact_with_the_context_inline(demo: Path):
    doc = json.loads((demo / "demo.jsonld").read_text(encoding="utf-8"))
    assert isinstance(doc["@context"], dict)
    assert doc["@context"] == json.loads(resources.context_file().read_text())["@context"]
    event = next(n for n in doc["@graph"] if n["@id"] == "aimid:event-2025-08-27-cc0a")
    assert event["@type"] == ["Event", "Incident"]
    assert event["title"].startswith("AI Deepfake Scam")
    assert event["severity"] == "aimtax:severity-ai-incident"
    assert event["date"] == "2025-08-27"


def test_events_in_identifier_order(demo: Path):
    text = (demo / "demo.ttl").read_text(encoding="utf-8")
    ids = [line.split()[0] for line in text.splitlines() if " a aim:Event" in line]
    assert ids == sorted(ids, key=lambda i: (not i[len("aimid:event-") :][0].isdigit(), i))
    assert len(ids) == 16


def test_page_and_record_of_one_event_are_one_event(demo: Path):
    graph = triples(demo / "demo.ttl")
    titles = [
        t
        for t in graph
        if t.subject.value.endswith("event-2025-08-27-cc0a") and t.predicate.value.endswith("title")
    ]
    assert len(titles) == 1
    # The article listed twice on the page is one node.
    headlines = [
        t
        for t in graph
        if t.predicate.value == "https://schema.org/headline"
        and t.object.value.startswith("Woman loses life savings")
    ]
    assert len(headlines) == 1


def test_same_bytes_whatever_the_order_the_seed_or_the_cores(tmp_path: Path):
    examples = resources.examples_dir()
    inputs = sorted(str(p) for p in examples.rglob("*") if p.suffix in (".txt", ".json", ".jsonl"))
    outputs = []
    for n, (order, seed, jobs) in enumerate(
        [(inputs, "0", "2"), (inputs[::-1], "123", "1"), (inputs[1:] + inputs[:1], "random", "2")]
    ):
        out = tmp_path / f"{n}.ttl"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run(
            [
                *AIM_KG,
                "export",
                *order,
                "-o",
                str(out),
                "-o",
                str(out.with_suffix(".jsonld")),
                "-j",
                jobs,
                "-q",
            ],
            check=True,
            env=env,
        )
        outputs.append((out.read_bytes(), out.with_suffix(".jsonld").read_bytes()))
    assert outputs[0] == outputs[1] == outputs[2]


def test_small_files_read_by_the_workers_give_what_the_main_process_reads(
    tmp_path: Path, monkeypatch
):
    """Small plain files are read whole by the workers, gzip files (like standard input and
    large files) by the main process, and so is a small file of more units than a worker keeps
    for one task: the same inputs give the same graph and problems, whichever reads them,
    however many workers there are."""
    examples = resources.examples_dir()
    plain = tmp_path / "plain"
    zipped = tmp_path / "zipped"
    for source in sorted(p for p in examples.rglob("*") if p.suffix in (".txt", ".json")):
        for folder, opener, suffix in ((plain, open, ""), (zipped, gzip.open, ".gz")):
            folder.mkdir(exist_ok=True)
            with opener(folder / (source.name + suffix), "wb") as out:
                out.write(source.read_bytes())
    broken = b'[{"id": "2026-01-01-0000", "title": "No date"}, {"id": 7}, 42]'
    (plain / "broken.json").write_bytes(broken)
    with gzip.open(zipped / "broken.json.gz", "wb") as out:
        out.write(broken)
    assert export_module._small_file(str(plain / "broken.json")) is not None
    assert export_module._small_file(str(zipped / "broken.json.gz")) is None
    got = {}
    by_main: list[str] = []  # the inputs whose units the main process read and batched
    batches = export_module._unit_batches
    monkeypatch.setattr(
        export_module, "_unit_batches", lambda name: by_main.append(name) or batches(name)
    )
    for folder, most in ((plain, 4000), (zipped, 4000), (plain, 2)):
        monkeypatch.setattr(export_module, "_WHOLE_UNITS", most)
        by_main.clear()
        for jobs in (1, 2):
            nt, problems = (
                tmp_path / f"{folder.name}-{jobs}.nt",
                tmp_path / f"{folder.name}-{jobs}.jsonl",
            )
            result = export_module.export(
                [str(folder)], [str(nt)], problems=str(problems), jobs=jobs
            )
            assert result.events > 10 and result.rejected >= 2
            lines = (
                problems.read_text(encoding="utf-8").replace(".gz", "").replace(folder.name, "X")
            )
            got[folder.name, most, jobs] = (nt.read_bytes(), lines)
        many = {str(folder / name) for name in ("broken.json", "aim-records.json")}
        expected = {str(p) for p in folder.iterdir()} if folder == zipped else set()
        assert set(by_main) == (many if most == 2 else expected)
    assert len(set(got.values())) == 1


def test_gzip_output_is_deterministic(tmp_path: Path):
    for name in ("a.nt.gz", "b.nt.gz"):
        assert run("-o", str(tmp_path / name), "-q").exit_code == 0
    assert (tmp_path / "a.nt.gz").read_bytes() == (tmp_path / "b.nt.gz").read_bytes()


def test_stdout_and_stdin():
    page = EXAMPLE_PAGE.read_text(encoding="utf-8")
    result = run("-", "-o", "-", "--format", "nt", "-q", input=page)
    assert result.exit_code == 0
    parsed = {q.triple for q in ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_TRIPLES)}
    assert any(t.object.value.startswith("AI-Generated Deepfake Images") for t in parsed)


def test_default_output_is_turtle_on_stdout():
    result = run("-q")
    assert result.exit_code == 0
    assert result.stdout.startswith("@prefix ai: <https://w3id.org/dpv/ai#> .")


def test_unmapped_label_is_exported_and_named_on_stderr(tmp_path: Path):
    page = EXAMPLE_PAGE.read_text(encoding="utf-8")
    src = tmp_path / "2026-05-27-4a1b.txt"
    src.write_text(page.replace("Privacy & data governance", "Privacy and data governance"))
    out = tmp_path / "out.nt"
    result = run(str(src), "-o", str(out))
    assert result.exit_code == 0
    assert f"{src}:13: warning:" in result.stderr
    assert '"Privacy and data governance"' in result.stderr
    assert 'did you mean "Privacy & data governance"' in result.stderr
    assert any(t.predicate.value == AIM + "unmappedLabel" for t in triples(out))
    assert "exported 1 events" in result.stderr and "1 with warnings" in result.stderr


def test_rejects_exit_3_and_the_rest_is_exported(tmp_path: Path):
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps(
            {"id": "2026-01-01-aaaa", "title": "Good", "properties": {"harm_levels": ["AI hazard"]}}
        )
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"id": "2026-01-01-bbbb", "title": "Bad", "properties": {"harm_levels": ["AI hazzard"]}}
        )
    )
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x00\x01\x02")
    out, rejects = tmp_path / "out.ttl", tmp_path / "rejects.jsonl"
    result = run(str(tmp_path), "-o", str(out), "--rejects", str(rejects))
    assert result.exit_code == 3
    assert "event-2026-01-01-aaaa" in out.read_text()
    assert "2026-01-01-bbbb" not in out.read_text()
    problems = [json.loads(line) for line in rejects.read_text().splitlines()]
    lines = [r for r in problems if r["kind"] == "reject"]
    assert [(r["file"], r["line"]) for r in lines] == [(str(bad), 1), (str(binary), 1)]
    assert 'did you mean "AI hazard"' in lines[0]["reason"]
    # Warnings are there too, with their kind and code: the good event has no article.
    warnings = [r for r in problems if r["kind"] == "warning"]
    assert [(r["event"], r["code"]) for r in warnings] == [
        ("2026-01-01-aaaa", "event-article-present")
    ]
    assert f"{bad}:1: rejected:" in result.stderr
    assert "Traceback" not in result.output


def test_shacl_violation_rejects_the_event(tmp_path: Path, monkeypatch):
    """An event the readers accept but the shapes refuse is rejected with the SHACL messages."""
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
    }
    src = tmp_path / "r.json"
    src.write_text(json.dumps(record))
    rejects = tmp_path / "rejects.jsonl"
    result = run(str(src), "-o", str(tmp_path / "o.ttl"), "--rejects", str(rejects))
    assert result.exit_code == 3
    (line,) = [json.loads(x) for x in rejects.read_text().splitlines()]
    assert line["reason"] == "the event breaks the graph contract (SHACL shapes)"
    assert any("at most one autonomy level" in m for m in line["messages"])


def test_unreadable_input_writes_nothing(tmp_path: Path):
    out = tmp_path / "out.ttl"
    result = run(str(tmp_path / "missing"), "-o", str(out))
    assert result.exit_code == 1
    assert "no such file or directory" in result.output and "nothing was written" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-o", "out.xml"], 1, "cannot tell the format"),
        (["-o", "/no/such/folder/out.ttl"], 1, "does not exist"),
        (["--base-iri", "urn:x"], 1, "expected an http(s) IRI"),
        (["-o", "a.ttl", "-o", "a.ttl"], 1, "named twice"),
        (["--no-such-option"], 2, "No such option"),
        (["-j", "0"], 2, "Invalid value"),
    ],
)
def test_bad_options(args, code, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == code
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_failure_leaves_no_partial_file(tmp_path: Path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_module.triples, "concept_block", boom)
    out = tmp_path / "out.ttl"
    result = run("-o", str(out), "-j", "1")
    assert result.exit_code == 1
    assert "internal error: RuntimeError: disk on fire" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_with_ontology(tmp_path: Path):
    out = tmp_path / "o.nt"
    assert run("-o", str(out), "--with-ontology", "-q").exit_code == 0
    graph = triples(out)
    assert (
        ox.Triple(
            ox.NamedNode(AIM + "Incident"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            ox.NamedNode("https://w3id.org/dpv/risk#Incident"),
        )
        in graph
    )


def test_base_iri_moves_instances(tmp_path: Path):
    out = tmp_path / "o.ttl"
    assert run("-o", str(out), "--base-iri", "https://example.org/aim/", "-q").exit_code == 0
    text = out.read_text()
    assert "@prefix aimid: <https://example.org/aim/> ." in text
    assert "w3id.org/aim-kg/id/" not in text


def test_the_real_mirror_records(tmp_path: Path):
    """228 real AIM records: every facet label mapped, counts equal to the source."""
    records = json.loads(MIRROR.read_text(encoding="utf-8"))
    out = tmp_path / "mirror.nt"
    result = run(str(MIRROR), "-o", str(out))
    assert result.exit_code == 0, result.output
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_TRIPLES)

    def count(query: str) -> int:
        return int(next(iter(store.query(query)))[0].value)

    p = "PREFIX aim: <https://w3id.org/aim-kg/ontology#> "
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e a aim:Event }") == len(records) == 228
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e a aim:Incident }") == sum(
        r["tipo"] == "AI incident" for r in records
    )
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e a aim:Hazard }") == sum(
        r["tipo"] == "AI hazard" for r in records
    )
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e aim:unmappedLabel ?l }") == 0
    harms = sum(len([x for x in r["tipos_dano"].split(" | ") if x]) for r in records)
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e aim:harmType ?c }") == harms
    for key, prop in (
        ("industries", "industry"),
        ("principles", "principle"),
        ("harmed_entities", "affectedStakeholder"),
        ("business_functions", "businessFunction"),
        ("ai_tasks", "aiTask"),
    ):
        expected = sum(len(set(r[key])) for r in records)
        assert count(p + f"SELECT (COUNT(*) AS ?n) {{ ?e aim:{prop} ?c }}") == expected, key
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e aim:autonomyLevel ?c }") == sum(
        bool(r["autonomy_level"]) for r in records
    )
    assert count(p + "SELECT (COUNT(*) AS ?n) { ?e aim:country ?c }") == sum(
        bool(r["country_code"]) for r in records
    )
    # Labels answer from the export alone: the concepts came with it.
    assert count(
        p + "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT (COUNT(*) AS ?n) "
        '{ ?e aim:harmType/skos:prefLabel "Economic/Property"@en }'
    ) == sum("Economic/Property" in r["tipos_dano"] for r in records)
    assert "228 with warnings" in result.stderr  # no article in the mirror: a warning each


def test_progress_only_on_a_terminal(monkeypatch):
    written = []

    class Terminal:
        def __init__(self, tty: bool):
            self.tty = tty

        def isatty(self):
            return self.tty

        def write(self, text):
            written.append(text)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stderr", Terminal(False))
    export_module.Progress(True).show("read 3 events")
    assert written == []
    monkeypatch.setattr(sys, "stderr", Terminal(True))
    export_module.Progress(False).show("read 3 events")
    assert written == []
    export_module.Progress(True).show("read 3 events")
    assert written == ["\r\x1b[Kread 3 events"]


def test_an_interrupted_write_leaves_nothing(tmp_path: Path):
    from kg.write import atomic_output

    target = tmp_path / "out.ttl"
    with pytest.raises(SystemExit), atomic_output(str(target)) as out:
        out.write(b"@prefix half: <written> .\n")
        raise SystemExit(143)
    assert list(tmp_path.iterdir()) == []


def test_sigterm_stops_the_run_cleanly(tmp_path: Path):
    """SIGTERM (as a service manager sends it) ends the run with 143 and no output at all."""
    import signal
    import time

    proc = subprocess.Popen(
        [*AIM_KG, "export", "-", "-o", str(tmp_path / "out.ttl")],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdin.write(b'{"id": "2026-01-01-aaaa", "title": "Waiting for more"}\n')
    proc.stdin.flush()
    # Wait until aim-kg handles SIGTERM (Linux shows the caught signals in /proc), then stop it
    # while it still reads standard input.
    status = Path(f"/proc/{proc.pid}/status")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt"))
        if int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    assert "Traceback" not in proc.stderr.read().decode()
    assert list(tmp_path.iterdir()) == []


def test_a_repeated_warning_is_one_line_unless_verbose(tmp_path: Path):
    records = [
        {
            "id": f"2026-01-0{n}-aaaa",
            "title": f"Event {n}",
            "properties": {"harm_levels": ["AI hazard"]},
        }
        for n in range(1, 7)
    ]
    (tmp_path / "records.json").write_text(json.dumps(records))
    problems = tmp_path / "problems.jsonl"
    args = [str(tmp_path / "records.json"), "-o", str(tmp_path / "out.nt")]
    grouped = run(*args, "--problems", str(problems))
    assert grouped.exit_code == 0, grouped.output
    lines = [line for line in grouped.output.splitlines() if line.startswith("warning")]
    assert len(lines) == 1, grouped.output
    assert lines[0].startswith(
        "warning: 6 times [event-article-present]: This event has no article"
    )
    assert "2026-01-01-aaaa, 2026-01-02-aaaa, 2026-01-03-aaaa, … (3 more)" in lines[0]
    assert f"see {problems}" in lines[0]
    assert len(problems.read_text().splitlines()) == 6
    verbose = run(*args, "-v")
    assert sum("warning: This event has no article" in x for x in verbose.output.splitlines()) == 6
    quiet = run(*args, "-q")
    assert quiet.output == ""


def test_a_page_that_joins_its_record_is_said_once_with_both_names(tmp_path: Path):
    case = Path(__file__).parent / "cases" / "page-without-id-joins-its-record" / "input"
    result = run(str(case), "-o", str(tmp_path / "out.ttl"))
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "has no AIM id" in line]
    assert len(said) == 1
    assert "caceres-deepfakes.txt" in said[0] and "event 2026-05-27-4a1b" in said[0]
