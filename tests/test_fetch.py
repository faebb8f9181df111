"""aim-kg fetch against a local stand-in of the AIM API (tests/aim_server.py), faults included."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aim_server import (
    AimServer,
    combine,
    crowded_copies,
    periodic,
    real_records,
    targeted,
    with_articles,
)
from click.testing import CliRunner
from conftest import ROOT

from kg import __version__
from kg.cli import cli
from kg.fetch import (
    COUNTRIES,
    PROJECT_URL,
    FetchError,
    Window,
    _Client,
    _retry_after,
    fetch,
)
from kg.read.sources import read_units

END = dt.date(2026, 9, 30)
# Small pauses and a short timeout (the server's slow answers take 0.6 s) keep the tests fast.
FAST = {"delay": 0, "backoff": 0, "timeout": 0.25, "end": END}
FAST_CLI = ["--delay", "0", "--backoff", "0", "--timeout", "0.25", "--to", END.isoformat()]
REAL = real_records()


@dataclasses.dataclass
class Harvest:
    output: Path
    cache: Path
    result: object
    requests: list
    progress: list


@pytest.fixture(scope="module")
def server():
    """The demo corpus (518 records, two days above the cap), a fault every tenth request."""
    with AimServer(faults=periodic(10)) as running:
        yield running


@pytest.fixture(scope="module")
def harvest(server, tmp_path_factory) -> Harvest:
    """One fresh harvest of the whole server, the other tests compare with it."""
    where = tmp_path_factory.mktemp("harvest")
    mark = server.count
    seen = []
    result = fetch(
        where / "aim.jsonl",
        api=server.url,
        cache=where / "cache",
        progress=lambda p: seen.append(dataclasses.replace(p)),
        **FAST,
    )
    return Harvest(where / "aim.jsonl", where / "cache", result, server.requests_since(mark), seen)


def held_lines(server: AimServer, texts: dict | None = None) -> list[str]:
    texts = server.detail_texts if texts is None else texts
    return [texts[record_id] for record_id in sorted(texts)]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- a whole harvest


def test_every_record_once_byte_for_byte_with_details(server, harvest):
    lines = harvest.output.read_text(encoding="utf-8").splitlines()
    assert lines == held_lines(server)  # every record once, sorted by id, as the server holds it
    records = [json.loads(line) for line in lines]
    assert len({r["id"] for r in records}) == len(records) == 518
    assert all(isinstance(r["articles"], list) for r in records)  # details, not list records
    assert {r["n_articles"] > 0 for r in records} == {True, False}
    per_day = Counter(r["date"] for r in records)
    assert per_day["2026-09-20"] == 140 and per_day["2026-09-21"] == 150  # above the cap
    result = harvest.result
    assert (result.records, result.new, result.changed, result.incomplete) == (518, 518, 0, [])
    assert result.details == 518 and result.exit_code == 0


def test_faults_are_retried_and_the_split_is_visible(server, harvest):
    faults = Counter(r.fault for r in harvest.requests if r.fault)
    assert set(faults) == {"429", "500", "503", "drop", "slow"}
    assert harvest.result.retries >= sum(faults.values())
    assert harvest.result.requests == len(harvest.requests)
    assert {r.user_agent for r in harvest.requests} == {f"aim-kg/{__version__} (+{PROJECT_URL})"}
    bodies = [r.body for r in harvest.requests if r.method == "POST"]
    assert all(b["num_results"] == 100 for b in bodies)
    # 2026-09-20 is split by severity; 2026-09-21's 130 incidents by country as well.
    assert any(b["properties_config"]["harm_levels"] == ["AI hazard"] for b in bodies)
    split = [b for b in bodies if b["countries"] and b["from_date"] == "2026-09-21"]
    assert split and all(b["properties_config"]["harm_levels"] == ["AI incident"] for b in split)
    assert not any(b["from_date"] == "2026-09-20" and b["countries"] for b in bodies)
    last = harvest.progress[-1]
    assert (last.phase, last.details_done, last.details_total) == ("details", 518, 518)
    assert last.records == 518 and last.windows == harvest.result.windows


def test_second_run_asks_only_for_the_margin(server, harvest, tmp_path):
    output = tmp_path / "aim.jsonl"
    output.write_bytes(harvest.output.read_bytes())
    mark = server.count
    again = fetch(output, api=server.url, cache=harvest.cache, margin=30, **FAST)
    asked = server.requests_since(mark)
    cutoff = (dt.date(2026, 9, 21) - dt.timedelta(days=30)).isoformat()  # newest held - margin
    assert asked and all(r.method == "POST" for r in asked)  # no detail asked again
    assert min(r.body["from_date"] for r in asked) == cutoff
    assert (again.new, again.changed, again.unchanged, again.removed) == (0, 0, 518, 0)
    assert output.read_bytes() == harvest.output.read_bytes()

    # An event is added, and AIM adds an article to a recent one: only those two details.
    recent = server.record(next(i for i in sorted(server.detail_texts) if i >= "2026-09-10"))
    added = dict(REAL[0], id="2026-09-21-f00d", date="2026-09-21", title="A new event")
    before = dict(server.detail_texts)
    try:
        server.put(with_articles(recent, recent["n_articles"] + 1))
        server.put(with_articles(added, 1))
        mark = server.count
        third = fetch(output, api=server.url, cache=harvest.cache, margin=30, **FAST)
        gets = {r.path.rsplit("/", 1)[1] for r in server.requests_since(mark) if r.method == "GET"}
        assert gets == {recent["id"], added["id"]}
        assert (third.new, third.changed, third.unchanged) == (1, 1, 517)
        assert output.read_text(encoding="utf-8").splitlines() == held_lines(server)
    finally:
        server.remove(added["id"])
        server.put(json.loads(before[recent["id"]]))


def test_kill_9_halfway_then_resume(server, harvest, tmp_path):
    output, cache = tmp_path / "aim.jsonl", tmp_path / "cache"
    command = [sys.executable, "-m", "kg.cli", "fetch", "-o", str(output), "--api", server.url]
    command += ["--cache", str(cache), *FAST_CLI]
    fresh = len(harvest.requests)
    mark = server.count
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        while server.count - mark < fresh // 2:
            assert process.poll() is None, "the run ended before it could be killed"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    assert not output.exists() and not list(tmp_path.glob("*.part"))

    mark = server.count
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "resumed an interrupted run" in done.stderr
    assert output.read_bytes() == harvest.output.read_bytes()
    assert server.count - mark < fresh - fresh // 3


# ---------------------------------------------------------------- the recipe: export, load, query


def _query(store: Path, text: str) -> list[dict]:
    result = invoke("query", text, "--store", str(store), "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_the_fetched_file_exports_loads_and_answers(server, harvest, tmp_path):
    export = invoke("export", str(harvest.output), "-o", str(tmp_path / "aim.nq"), "-j", "1")
    assert export.exit_code == 0, export.output
    assert "exported 518 events" in export.output and "0 rejected" in export.output
    store = tmp_path / "store"
    loaded = invoke("load", str(tmp_path / "aim.nq"), "--store", str(store), "-q", "-j", "1")
    assert loaded.exit_code == 0, loaded.output
    records = {r["id"]: r for r in map(json.loads, harvest.output.open(encoding="utf-8"))}

    rows = _query(
        store,
        "SELECT ?id ?title ?date WHERE { ?e a aim:Event ; dcterms:identifier ?id ; dcterms:title ?title ; aim:date ?date }",
    )
    assert {r["id"]: (r["title"], r["date"]) for r in rows} == {
        i: (r["title"], r["date"]) for i, r in records.items()
    }
    rows = _query(
        store,
        'SELECT ?id ?code WHERE { ?e dcterms:identifier ?id ; aim:country ?c BIND(STRAFTER(STR(?c), "country/") AS ?code) }',
    )
    assert {(r["id"], r["code"]) for r in rows} == {
        (i, r["location"]["country_code"])
        for i, r in records.items()
        if r["location"].get("country_code")
    }
    rows = _query(
        store,
        "SELECT ?id ?key ?label WHERE { ?e dcterms:identifier ?id ; ?p ?c . ?c skos:inScheme ?s ; skos:prefLabel ?label . ?s aim:recordKey ?key }",
    )
    facets = {(r["id"], r["key"], r["label"]) for r in rows}
    expected = set()
    for i, r in records.items():
        for key, labels in r["properties"].items():
            for label in [labels] if isinstance(labels, str) else labels:
                if label:
                    expected.add((i, key, label))
    assert facets == expected
    rows = _query(
        store,
        "SELECT ?id ?headline ?url ?published WHERE { ?e dcterms:identifier ?id ; aim:article ?a . ?a schema:headline ?headline ; schema:url ?url ; schema:datePublished ?published }",
    )
    assert {(r["id"], r["headline"], r["url"], r["published"]) for r in rows} == {
        (i, a["title"], a["url"], a["date"]) for i, r in records.items() for a in r["articles"]
    }


def test_jsonl_gz_without_articles(server, tmp_path):
    output = tmp_path / "aim.jsonl.gz"
    mark = server.count
    result = fetch(output, articles=False, api=server.url, cache=tmp_path / "cache", **FAST)
    assert all(r.method == "POST" for r in server.requests_since(mark))
    lines = gzip.decompress(output.read_bytes()).decode("utf-8").splitlines()
    assert lines == held_lines(server, server.list_texts)  # list records: articles null
    assert result.records == 518 and result.details == 0
    units = list(read_units(str(output)))
    assert [u.kind for u in units] == ["record"] * 518


# ---------------------------------------------------------------- conduct


def small_server(faults=None, **options) -> AimServer:
    return AimServer(REAL[:12], faults=faults, **options)


def test_retry_after_and_growing_backoff(tmp_path):
    faults = combine(targeted("429", method="POST"), targeted("500", method="GET", times=3))
    waits = []
    with small_server(faults, retry_after="7") as server:
        result = fetch(
            tmp_path / "a.jsonl",
            api=server.url,
            cache=tmp_path / "cache",
            delay=0,
            backoff=0.5,
            workers=1,
            sleep=waits.append,
            end=END,
        )
    assert waits == [7.0, 0.5, 1.0, 2.0]
    assert result.retries == 4 and result.records == 12
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past


def test_pause_between_requests():
    now = [100.0]
    waits = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    client = _Client("http://127.0.0.1:9", 0.5, 0, 0, 1, sleep, clock=lambda: now[0])
    client._pace()  # the first request starts at once
    now[0] += 0.2  # its answer took 0.2 s
    client._pace()
    now[0] += 0.7  # a slow answer: no pause needed after it
    client._pace()
    client._pace()
    assert waits == [pytest.approx(0.3), pytest.approx(0.5)]
    assert client.requests == 4


def test_retries_run_out(tmp_path):
    output = tmp_path / "a.jsonl"
    with small_server(targeted("503", method="GET", times=100)) as server:
        result = invoke("fetch", "-o", str(output), "--api", server.url, "--cache",
                        str(tmp_path / "c"), "--retries", "2", *FAST_CLI)  # fmt: skip
    assert result.exit_code == 1
    assert f"GET {server.url}/incidents/" in result.output
    assert "HTTP 503" in result.output and "(3 attempts)" in result.output
    assert not output.exists()


@pytest.mark.parametrize(
    ("kind", "method", "says"),
    [
        ("not-json", "POST", "the answer is not JSON"),
        ("not-json", "GET", "the answer is not JSON"),
        ("no-id", "POST", "record 1 has no id"),
        ("no-id", "GET", "the record has no id"),
        ("no-incidents", "POST", 'no "incidents" list'),
    ],
)
def test_a_malformed_answer_stops_the_run(tmp_path, kind, method, says):
    output = tmp_path / "a.jsonl"
    earlier = '{"id": "2020-01-01-0000", "date": "2020-01-01"}\n'
    output.write_text(earlier)  # an earlier output stays as it was
    with small_server(targeted(kind, method=method)) as server:
        fetch_args = [
            "fetch",
            "-o",
            str(output),
            "--api",
            server.url,
            "--cache",
            str(tmp_path / "c"),
        ]
        result = invoke(*fetch_args, *FAST_CLI)
        asked = next(r for r in server.log if r.fault)
        assert result.exit_code == 1
        assert asked.fault == kind
        named = f"{method} {server.url}/incidents/" + (
            "fetch-incidents (" if method == "POST" else f"{asked.path.rsplit('/', 1)[1]}:"
        )
        assert named in result.output and says in result.output
        assert "nothing was written" in result.output
        assert output.read_text() == earlier
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "c"]
        # The malformed answer was not kept: asked again, the answer is good and the run ends.
        rerun = invoke(*fetch_args, *FAST_CLI)
        assert rerun.exit_code == 0, rerun.output
        assert output.read_text().splitlines() == held_lines(server)


def test_a_day_that_cannot_be_had_whole_is_named(tmp_path):
    records = REAL[:5]
    records += crowded_copies("2026-10-01", "AI incident", "USA", "United States", 120)
    records += crowded_copies("2026-10-02", "AI incident", "FRA", "France", 95)
    records += crowded_copies("2026-10-02", "AI incident", "", "", 10, seed="none")
    output = tmp_path / "a.jsonl"
    with AimServer(records) as server:
        result = invoke("fetch", "-o", str(output), "--api", server.url, "--cache",
                        str(tmp_path / "c"), *FAST_CLI[:-1], "2026-10-31")  # fmt: skip
    assert result.exit_code == 3
    assert (
        "incomplete: 2026-10-01, harm_levels AI incident, countries USA: "
        "the API counts 120 records, 100 could be had"
    ) in result.output
    assert (
        "incomplete: 2026-10-02, harm_levels AI incident: the API counts 105 records, 103 could be had (its parts hold fewer"
        in result.output
    )
    # All of France's 95, and the 8 records without a country that the capped answer held.
    assert len(output.read_text().splitlines()) == 5 + 100 + 103


# ---------------------------------------------------------------- pieces


def test_windows_split_from_years_to_one_country():
    whole = Window(dt.date(2000, 1, 1), dt.date(2026, 9, 30))
    years = whole.split(set())
    assert len(years) == 27 and years[-1] == Window(dt.date(2026, 1, 1), dt.date(2026, 9, 30))
    months = years[-1].split(set())
    assert len(months) == 9 and months[1] == Window(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    halves = months[0].split(set())
    assert halves == [
        Window(dt.date(2026, 1, 1), dt.date(2026, 1, 16)),
        Window(dt.date(2026, 1, 17), dt.date(2026, 1, 31)),
    ]
    day = dt.date(2026, 1, 1)
    severities = Window(day, day).split(set())
    assert [w.severity for w in severities] == ["AI incident", "AI hazard"]
    countries = severities[0].split({"ZZZ"})
    assert sum(len(w.countries) for w in countries) == len(COUNTRIES) + 1
    assert Window(day, day, "AI hazard", ("USA",)).split(set()) == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-o", "out.json"], "expected a .jsonl or .jsonl.gz file"),
        (["-o", "no/such/folder/out.jsonl"], "does not exist"),
        (["-o", "out.jsonl", "--from", "2026-02-01", "--to", "2026-01-01"], "is after"),
        (["-o", "out.jsonl", "--api", "ftp://example.org"], "expected an http(s) URL"),
    ],
)
def test_option_errors(tmp_path, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    result = invoke("fetch", *args, "--cache", str(tmp_path / "c"))
    assert result.exit_code == 1 and says in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_an_output_it_did_not_write_is_refused(tmp_path):
    output = tmp_path / "a.jsonl"
    output.write_text('{"id": "b", "date": "2020-01-01"}\n{"id": "a", "date": "2020-01-01"}\n')
    with pytest.raises(FetchError, match="not sorted by id"):
        fetch(output, api="http://127.0.0.1:9", cache=tmp_path / "c", **FAST)
