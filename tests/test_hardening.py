"""Issue 12, export side: no input aborts a run, nothing is lost, nothing is overwritten.

Each test reproduces one defect of the red-team pass (and failed before its fix).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import tempfiles
from kg.cli import cli

AIM_KG = [sys.executable, "-m", "kg.cli"]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["export", *args], input=input)


def record(n: int = 0, **fields) -> dict:
    base = {
        "id": f"2024-02-{15 + n % 10:02d}-{n:04x}",
        "title": f"Event {n}",
        "date": f"2024-02-{15 + n % 10:02d}",
        "harm_levels": "AI incident",
        "articles": [{"title": f"Headline {n}", "date": "2024-02-15", "publisher": "Europa Press"}],
    }
    return {**base, **fields}


def write_json(path: Path, values) -> Path:
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- 8: one bad record


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ('{"id": "2024-01-01-dead", "x": ' + "[" * 1000 + "]" * 1000 + "}", "levels deep"),
        ("[" * 900 + "]" * 900, "levels deep"),
        ('{"id": ' + "7" * 5000 + ', "title": "T"}', "5000 digits"),
        ('{"id": "' + "7" * 5000 + '", "title": "T"}', "not an AIM id"),
        ('{"title": "T", "date": ' + "1" * 4400 + "}", "4400 digits"),
    ],
)
def test_a_bad_record_is_rejected_and_the_others_exported(tmp_path: Path, bad, reason):
    good = [json.dumps(record(1)), json.dumps(record(2))]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join([good[0], bad, good[1]]) + "\n", encoding="utf-8")
    outs = {}
    for jobs in ("1", "2"):
        out, probs = tmp_path / f"out{jobs}.nt", tmp_path / f"p{jobs}.jsonl"
        result = run(str(src), "-o", str(out), "--problems", str(probs), "-j", jobs, "-q")
        assert result.exit_code == 3, result.output
        (reject,) = [p for p in problems_of(probs) if p["kind"] == "reject"]
        assert reason in reject["reason"] and reject["line"] == 2
        outs[jobs] = out.read_bytes()
        assert b"Event 1" in outs[jobs] and b"Event 2" in outs[jobs]
    assert outs["1"] == outs["2"]


@pytest.mark.parametrize("value", [5, "5", True, 1.5, {"a": 1}, "9" * 5000])
def test_aiid_ids_of_any_type(tmp_path: Path, value):
    src = write_json(tmp_path / "r.json", [record(1, aiid_ids=value)])
    out, probs = tmp_path / "out.nt", tmp_path / "p.jsonl"
    result = run(str(src), "-o", str(out), "--problems", str(probs), "-q")
    assert result.exit_code == 0, result.output
    cited = b"incidentdatabase.ai/cite/5>" in out.read_bytes()
    assert cited == (value in (5, "5") and value is not True)
    codes = {p["code"] for p in problems_of(probs)}
    assert ("aiid-not-a-number" in codes) == (not cited)


def test_a_record_that_breaks_the_reader_is_rejected_not_the_run(tmp_path: Path, monkeypatch):
    """Whatever a reader raises, the unit is rejected with the reason and the run goes on."""
    from kg import pipeline

    real = pipeline.read_record

    def flaky(data, *args):
        if data.get("title") == "Event 2":
            raise TypeError("unsupported operand")
        return real(data, *args)

    monkeypatch.setattr(pipeline, "read_record", flaky)
    src = write_json(tmp_path / "r.json", [record(1), record(2)])
    out, probs = tmp_path / "out.nt", tmp_path / "p.jsonl"
    result = run(str(src), "-o", str(out), "--problems", str(probs), "-q", "-j", "1")
    assert result.exit_code == 3, result.output
    (reject,) = [p for p in problems_of(probs) if p["kind"] == "reject"]
    assert reject["code"] == "internal-error" and "TypeError" in reject["reason"]
    assert b"Event 1" in out.read_bytes()


# ---------------------------------------------------------------- 12: literal size


def test_a_literal_too_long_to_read_back_is_rejected(tmp_path: Path):
    from kg.pipeline import MAX_LITERAL

    src = write_json(tmp_path / "r.json", [record(1), record(2, summary="x" * (MAX_LITERAL + 1))])
    out, probs = tmp_path / "out.nt", tmp_path / "p.jsonl"
    result = run(str(src), "-o", str(out), "--problems", str(probs), "-q")
    assert result.exit_code == 3, result.output
    (reject,) = [p for p in problems_of(probs) if p["kind"] == "reject"]
    assert reject["code"] == "literal-too-long" and reject["event"] == record(2)["id"]
    assert CliRunner().invoke(cli, ["validate", str(out), "-q"]).exit_code == 0


# ---------------------------------------------------------------- 9: exit 1, nothing written


def test_surrogates_and_undecodable_names_in_the_problems_file(tmp_path: Path):
    src = tmp_path / "r.json"
    src.write_text('[{"id": "2024-01-01-\\ud800", "title": "T"}]', encoding="utf-8")
    bad_name = os.fsdecode(bytes(tmp_path) + b"/\xff.json")
    Path(bad_name).write_text('[{"title": "no date and no severity"}]', encoding="utf-8")
    out, probs = tmp_path / "out.ttl", tmp_path / "p.jsonl"
    result = run(str(src), bad_name, "-o", str(out), "--problems", str(probs), "-q")
    assert result.exit_code == 3, result.output
    assert "internal error" not in result.output
    lines = probs.read_bytes().decode("utf-8").splitlines()  # valid UTF-8
    assert len(lines) == 2
    assert {json.loads(line)["file"] for line in lines} == {str(src), bad_name}


@pytest.mark.parametrize(
    "args",
    [
        ["-o", "good.nt", "--problems", "folder"],
        ["-o", "folder/", "-o", "good.nt"],
        ["-o", "folder.ttl", "-o", "good.nt"],
        ["-o", "good.nt", "--problems", "missing/p.jsonl"],
        ["-o", "good.nt", "--base-iri", 'https://a b"<c/'],
    ],
)
def test_a_bad_output_is_refused_before_anything_is_written(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder.ttl").mkdir()
    result = run(*args)
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "folder.ttl"]


def test_a_read_only_output_folder_is_named(tmp_path: Path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: the folder is made read-only for the check
        access = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode: access(path, mode) and Path(path) != ro
        )
    result = run("-o", str(tmp_path / "good.nt"), "--problems", str(ro / "p.jsonl"))
    assert result.exit_code == 1 and "is not writable" in result.output
    assert not (tmp_path / "good.nt").exists()


def test_outputs_appear_together_or_not_at_all(tmp_path: Path, monkeypatch):
    from kg import pipeline

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "problem_line", boom)
    src = (
        write_json(tmp_path / "in" / "r.json", [{"title": "no date"}])
        if ((tmp_path / "in").mkdir() or True)
        else None
    )
    result = run(str(src), "-o", str(tmp_path / "a.ttl"), "--problems", str(tmp_path / "p.jsonl"))
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


# ---------------------------------------------------------------- 5: output paths


def test_a_symlink_output_is_refused_and_its_target_kept(tmp_path: Path):
    target = tmp_path / "precious.ttl"
    target.write_text("keep me")
    link = tmp_path / "out.ttl"
    link.symlink_to(target)
    for option in ("-o", "--problems"):
        result = run(option, str(link))
        assert result.exit_code == 1 and "symbolic link" in result.output
    assert link.is_symlink() and target.read_text() == "keep me"


def test_a_device_or_fifo_output_is_written_directly(tmp_path: Path):
    result = run("-o", str(tmp_path / "a.ttl"), "--problems", os.devnull, "-q")
    assert result.exit_code == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run("-o", str(fifo), "-q")
    reader.join(30)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and b"aim-kg/ontology#Event" in got[0]


def test_context_output_symlink_refused(tmp_path: Path):
    target = tmp_path / "t.jsonld"
    target.write_text("keep")
    (tmp_path / "c.jsonld").symlink_to(target)
    result = CliRunner().invoke(cli, ["context", "-o", str(tmp_path / "c.jsonld")])
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert target.read_text() == "keep"


# ---------------------------------------------------------------- 6, 7: outputs and inputs


def test_an_output_that_is_an_input_is_refused(tmp_path: Path):
    prev = tmp_path / "prev.jsonld"
    assert run("-o", str(prev), "-q").exit_code == 0
    before = prev.read_bytes()
    src = write_json(tmp_path / "recs.json", [record(1)])
    for args in (
        [str(prev), "-o", str(prev)],
        [str(src), "--problems", str(src)],
        [str(src), "-o", str(tmp_path / "o.ttl"), "--problems", str(tmp_path / "o.ttl")],
    ):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "overwrite the input" in result.output or "named twice" in result.output
    assert prev.read_bytes() == before
    assert json.loads(src.read_text())[0]["title"] == "Event 1"


def test_a_problems_file_in_an_input_folder_is_not_read_back(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_json(folder / "recs.json", [record(1), {"title": "bad"}])
    for i, name in enumerate(("problems.jsonl", "problems.jsonl", "other.jsonl")):
        result = run(str(folder), "-o", str(tmp_path / "o.nt"), "--problems", str(folder / name))
        assert result.exit_code == 3, result.output
        assert i == 0 or ("skipped" in result.output and "problems.jsonl" in result.output)
        assert len([p for p in problems_of(folder / name) if p["kind"] == "reject"]) == 1


def test_symlinked_folders_are_followed_once(tmp_path: Path):
    folder, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    (folder / "sub").mkdir(parents=True)
    elsewhere.mkdir()
    write_json(elsewhere / "recs.json", [record(1)])
    write_json(folder / "recs.json", [record(2)])
    (folder / "sub" / "linked").symlink_to(elsewhere)
    (folder / "sub" / "loop").symlink_to(folder)  # a loop: read once
    (folder / "broken.json").symlink_to(tmp_path / "nothing")
    out = tmp_path / "o.nt"
    result = run(str(folder), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert b"Event 1" in out.read_bytes() and b"Event 2" in out.read_bytes()
    assert "exported 2 events" in result.output
    assert "broken.json" in result.output  # named as skipped, never dropped silently


# ---------------------------------------------------------------- 10: kill -9


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_kill_9_leaves_no_worker_and_the_next_run_cleans_up(tmp_path: Path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = tmp_path / "out.ttl"
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(record(n)) + "\n" for n in range(4000)))
    proc = subprocess.Popen(
        [*AIM_KG, "export", str(src), "-o", str(out), "-j", "2", "-q"],
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    assert list(tmp_path.glob(f"aim-kg-export-{proc.pid}-*"))  # the spill folder
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 20
    while any(tempfiles.alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{w}").exists() for w in workers)
    # A stale .part beside the output, from a process that is gone, and the spill folder.
    (tmp_path / f".out.ttl.{proc.pid}.abcd1234.part").write_text("half")
    (tmp_path / ".out.ttl.1.abcd1234.part").write_text("pid 1 is alive: kept")
    src.unlink()
    result = subprocess.run(
        [*AIM_KG, "export", "-o", str(out), "-q"], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.ttl.1.abcd1234.part", "out.ttl"]


# ---------------------------------------------------------------- 1, 2: aim-kg query


def test_query_refuses_service_unless_allowed(tmp_path: Path):
    from kg.errors import QueryError
    from kg.sparql.guard import check

    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"
    result = CliRunner().invoke(cli, ["query", text])
    assert result.exit_code == 1 and "--allow-service" in result.output
    check(text, allow_service=True)
    with pytest.raises(QueryError):
        import kg

        kg.query(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "SELECT * WHERE { FILTER(" + "!" * 20000 + "true) }",
        "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 5000) + " }",
    ],
)
def test_query_too_deep_is_an_error_not_a_crash(text):
    proc = subprocess.run(
        [*AIM_KG, "query", "-", "--store", "/nonexistent"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    assert "limit is" in proc.stderr


# ---------------------------------------------------------------- 4: untrusted RDF


def _laughs(levels: int) -> str:
    entities = ['<!ENTITY a0 "xxxxxxxxxx">'] + [
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
        + "\n".join(entities)
        + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/s">'
        f"<ex:p>&a{levels};</ex:p></rdf:Description>\n</rdf:RDF>\n"
    )


def _bounded(*args: str) -> subprocess.CompletedProcess:
    """aim-kg in a child limited to 1 GiB of address space beyond its start, and 120 s."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    return subprocess.run(
        [*AIM_KG, *args], capture_output=True, text=True, timeout=120, preexec_fn=limit
    )


def test_rdfxml_entity_expansion_is_refused(tmp_path: Path):
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(_laughs(9))  # 10^10 characters if expanded
    for args in (["validate", str(bomb)], ["load", str(bomb), "--store", str(tmp_path / "s")]):
        proc = _bounded(*args)
        assert proc.returncode == 1, proc.stderr
        assert "expands to" in proc.stderr and "internal error" not in proc.stderr
    wide = tmp_path / "wide.rdf"
    text = _laughs(1).replace("<ex:p>&a1;</ex:p>", "<ex:p>" + "&a1;" * 700_000 + "</ex:p>")
    wide.write_text(text)  # each entity small, 70 MB in all
    proc = _bounded("validate", str(wide))
    assert proc.returncode == 1 and "more than 64 MiB" in proc.stderr
    fine = tmp_path / "fine.rdf"
    fine.write_text(_laughs(2))
    assert CliRunner().invoke(cli, ["validate", str(fine)]).exit_code == 0


def test_a_compressed_giant_token_is_a_clear_error(tmp_path: Path):
    import gzip

    bomb = tmp_path / "big.nt.gz"
    with gzip.open(bomb, "wb") as out:
        out.write(b'<http://a> <http://b> "')
        for _ in range(64):
            out.write(b"a" * (1 << 20))
    proc = _bounded("validate", str(bomb))
    assert proc.returncode == 1 and "longer than Oxigraph reads" in proc.stderr
    assert "internal error" not in proc.stderr


# ---------------------------------------------------------------- 11: linear in one event


class _Counted(str):
    """An IRI that counts the comparisons made with it (list membership makes n of them)."""

    compared = 0

    def __eq__(self, other):
        _Counted.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def _comparisons(n: int) -> int:
    from kg.namespaces import AIM
    from kg.shacl.engine import View
    from kg.vocab import vocabulary

    event = "https://w3id.org/aim-kg/id/event-x"
    triples = [(event, AIM + "article", _Counted(f"https://ex.org/a/{i}")) for i in range(n)]
    triples += triples[: n // 2]  # repeated triples are one triple
    _Counted.compared = 0
    view = View(triples, vocabulary())
    assert len(view.values(event, (AIM + "article",))) == n
    view.inverse_values(triples[0][2], (AIM + "article",))
    return _Counted.compared


def test_one_subject_with_many_objects_is_linear_to_index():
    small, large = _comparisons(2000), _comparisons(4000)
    assert large <= 2.2 * small + 100, (small, large)


def _lines(function, *args) -> int:
    """The work of function(*args), counted, never timed: Python lines executed, and calls of
    Python and C functions (str.startswith in a loop is work too)."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    def profiler(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.settrace(tracer)
    sys.setprofile(profiler)
    try:
        function(*args)
    finally:
        sys.settrace(None)
        sys.setprofile(None)
    return count


def _record_with_articles(n: int) -> dict:
    articles = [
        {
            "title": f"Incident number {i} is told in a long headline",
            "date": "2024-02-15",
            "publisher": "Europa Press" if i % 2 else "europa press",
            "url": f"https://ex.org/a/{i}",
        }
        for i in range(n)
    ]
    # The same articles as a page lists them: no URL, titles shortened with "...".
    articles += [
        {"title": a["title"][:-10] + "...", "date": a["date"], "publisher": a["publisher"]}
        for a in articles[: n // 2]
    ]
    return record(1, articles=articles)


def test_one_event_with_many_articles_is_linear_to_export():
    from kg.pipeline import Job, Worker
    from kg.read.record import read_record
    from kg.vocab import vocabulary
    from kg.write import FORMATS

    worker = Worker(Job("https://w3id.org/aim-kg/id/", (FORMATS["ntriples"],)))
    work = {}
    for n in (500, 1000):
        data = _record_with_articles(n)
        read_record(data, "r.json", 1, vocabulary())  # warm the caches (language ids...)
        read = []
        work[n] = _lines(lambda d=data, r=read: r.append(read_record(d, "r.json", 1, vocabulary())))
        event = read[0][0]
        assert len(event.articles) == n
        work[n] += _lines(worker._write_event, event.id, [event])
    assert work[1000] <= 2.2 * work[500], work


def test_outlet_spellings_of_a_merged_article_are_kept(tmp_path: Path):
    page_like = {"title": "Same headline", "date": "2024-02-15"}
    src = write_json(
        tmp_path / "r.json",
        [
            record(
                1,
                articles=[
                    {**page_like, "publisher": "europa press"},
                    {**page_like, "publisher": "Europa Press"},
                ],
            )
        ],
    )
    out = tmp_path / "o.nt"
    assert run(str(src), "-o", str(out), "-q").exit_code == 0
    text = out.read_text()
    assert '"europa press"' in text and '"Europa Press"' in text
    assert text.count("schema.org/NewsArticle>") == 1


# ---------------------------------------------------------------- smaller defects


def test_warnings_only_report_says_not_conforms_and_quiet_prints_only_violations(tmp_path):
    import rdflib

    import kg

    src = write_json(tmp_path / "r.json", [record(1, articles=None)])  # a warning: no article
    data = tmp_path / "d.ttl"
    assert run(str(src), "-o", str(data), "-q").exit_code == 0
    report = tmp_path / "report.ttl"
    result = CliRunner().invoke(cli, ["validate", str(data), "--report", str(report)])
    assert result.exit_code == 0 and "1 warnings" in result.output
    graph = rdflib.Graph().parse(report)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert list(graph.objects(None, sh.conforms)) == [rdflib.Literal(False)]
    quiet = CliRunner().invoke(cli, ["validate", str(data), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
    assert kg.validate([str(data)])[0] is False
    assert kg.validate([str(data)], allow_warnings=True)[0] is True


def test_caches_keep_no_long_text():
    """The per-process caches (headline languages, folded names, facet-value splits) remember
    short texts only, so a hostile input of long texts cannot grow the memory they hold."""
    from kg.model import events
    from kg.read import lang
    from kg.vocab import vocabulary

    lang._remembered.cache_clear()
    events._folded.cache_clear()
    matcher = vocabulary().facets[0].matcher
    matcher._splits.clear()
    long = "Investigado un hombre por crear imágenes falsas de menores con IA " * 20
    lang.detect(long)
    events.fold(long)
    matcher.split(long)
    assert lang._remembered.cache_info().currsize == 0
    assert events._folded.cache_info().currsize == 0
    assert matcher._splits == {}
    short = long[:80]
    assert lang.detect(short) == lang._detect(short)
    assert events.fold(short) == events._fold(short)
    assert matcher.split(short) == tuple(matcher._split(short))
    assert lang._remembered.cache_info().currsize == 1
    assert events._folded.cache_info().currsize == 1
    assert list(matcher._splits) == [short]


def test_the_types_remembered_by_signature_are_bounded():
    """The compiled validator remembers the types of nodes by their signature (their types and
    predicates): nodes alike share one entry, and data of ever new types cannot grow it past
    its bound."""
    from kg.namespaces import AIM, RDF_LANGSTRING, RDF_TYPE, SCHEMA
    from kg.shacl import engine
    from kg.terms import Lit

    shapes = engine.data_shapes()
    known = engine._inference(shapes.vocab).types_by_signature
    known.clear()
    alike = [
        (f"http://example.org/a{i}", p, o)
        for i in range(50)
        for p, o in (
            (RDF_TYPE, AIM + "Article"),
            (SCHEMA + "headline", Lit("H", RDF_LANGSTRING, "en")),
        )
    ]
    shapes.validate(alike)
    assert 0 < len(known) <= 3  # the articles, their headlines: whatever their number
    hostile = [
        (f"http://example.org/n{i}", RDF_TYPE, f"http://example.org/C{i}") for i in range(6000)
    ]
    shapes.validate(hostile)
    assert len(known) <= engine._SIGNATURES


_GARBAGE = """
import gc, os, sys
from kg.pipeline import export

class Finalized:
    # Like an Oxigraph store dropped by the program: its finalizer needs the program's threads.
    def __del__(self):
        with open(sys.argv[1], "a") as out:
            out.write(f"{os.getpid()}\\n")

gc.disable()  # so that only a collection the export runs (or a worker's) can finalize it
garbage = Finalized()
garbage.itself = garbage
del garbage
export([], [sys.argv[2]], jobs=2)
print(os.getpid())
"""


def test_a_worker_never_finalizes_what_it_inherits(tmp_path: Path):
    """kg.export called by a program holding garbage with a finalizer (an Oxigraph store it
    dropped, whose finalizer waits for the program's threads): the garbage is finalized in the
    program, never in a forked worker, which lacks those threads (a worker once hung so)."""
    marks = tmp_path / "finalized"
    proc = subprocess.run(
        [sys.executable, "-c", _GARBAGE, str(marks), str(tmp_path / "out.nt")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    program = proc.stdout.split()[-1]
    assert marks.read_text().split() == [program]
