"""aim-kg serve, tested the way users meet it: a process on a free loopback port, queried with a
SPARQL client (SPARQLWrapper) and with plain HTTP (urllib), then stopped.

The store holds the bundled examples (16 events, 5 of them AI hazards; kg/examples/README.md).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.cli import cli
from kg.sparql.serve import command, query_url

pytestmark = pytest.mark.slow

HAZARDS = """PREFIX aim: <https://w3id.org/aim-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id WHERE { ?e a aim:Hazard ; dcterms:identifier ?id } ORDER BY ?id"""
HAZARD_IDS = [
    "2024-12-26-8296",
    "2025-08-28-94f1",
    "2026-03-02-f06a",
    "2026-03-03-140e",
    "2026-09-15-9822",
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = """PREFIX schema: <https://schema.org/>
CONSTRUCT { ?o schema:name ?n } WHERE { ?o a schema:NewsMediaOrganization ; schema:name ?n }"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`aim-kg serve ...` as a child process; its first stdout line is the query URL."""

    def __init__(self, *args: str, env: dict | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        first: list[str] = []
        reader = threading.Thread(target=lambda: first.append(self.process.stdout.readline()))
        reader.start()
        reader.join(120)  # a safety net against a hang, not a measurement
        if not first or not first[0].strip():
            self.stop()
            raise AssertionError(f"no URL from aim-kg serve: {self.process.stderr.read()}")
        self.url = first[0].strip()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("served") / "store"
    result = CliRunner().invoke(cli, ["load", "--store", str(folder), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def server(store):
    port = free_port()
    srv = Server("--store", str(store), "--port", str(port), "--timeout", "1")
    try:
        yield srv
    finally:
        status = srv.stop()
    assert status == 143  # stopped by SIGTERM: the documented exit code
    with pytest.raises(OSError):  # and the oxigraph server went with it
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def http(
    url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None
) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get(server: Server, query: str, accept: str | None = None) -> tuple[int, dict, bytes]:
    headers = {"Accept": accept} if accept else {}
    return http(server.url + "?" + urllib.parse.urlencode({"query": query}), headers=headers)


def content_type(headers: dict) -> str:
    return headers.get("Content-Type", headers.get("content-type", "")).split(";")[0].strip()


# ---------------------------------------------------------------- starting


def test_first_line_is_the_query_url_on_loopback(server):
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/query")


def test_bound_to_loopback_unless_told_otherwise():
    assert "127.0.0.1:7878" in command("/s", "127.0.0.1", 7878, 30, True)
    assert serve_default("--host") == "127.0.0.1"
    assert query_url("::1", 8000) == "http://[::1]:8000/query"
    assert query_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/query"


def serve_default(option: str):
    return next(p.default for p in cli.commands["serve"].params if option in p.opts)


# ---------------------------------------------------------------- a SPARQL client


def test_sparqlwrapper_select_and_ask(server):
    client = SPARQLWrapper(server.url)
    client.setQuery(HAZARDS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert [b["id"]["value"] for b in bindings] == HAZARD_IDS
    client.setQuery("PREFIX aim: <https://w3id.org/aim-kg/ontology#> ASK { ?e a aim:Incident }")
    assert client.query().convert()["boolean"] is True


def test_sparqlwrapper_post_csv_and_construct(server):
    client = SPARQLWrapper(server.url)
    client.setMethod(POST)
    client.setQuery(HAZARDS)
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().split() == ["id", *HAZARD_IDS]
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert().decode()
    assert '<https://schema.org/name> "Reuters"' in turtle
    assert turtle.count(" .") == 27  # 27 outlets, one display name each


def test_sparqlwrapper_catalogue_query(server):
    """A catalogue query over HTTP gives its expected answer (tests/queries/)."""
    root = Path(__file__).resolve().parent.parent
    client = SPARQLWrapper(server.url)
    client.setQuery((root / "queries" / "top-outlets.rq").read_text(encoding="utf-8"))
    client.setReturnFormat(CSV)
    got = client.query().convert().decode().replace("\r\n", "\n")
    assert got == (root / "tests" / "queries" / "top-outlets.csv").read_text(encoding="utf-8")


def test_sparqlwrapper_sends_every_catalogue_query_as_a_query():
    """SPARQLWrapper guesses the kind of a request from its first keyword, comments included
    (it strips only every other comment line): a header comment saying "load" made it send
    top-outlets as an update, which the endpoint refuses. No catalogue query may read so."""
    root = Path(__file__).resolve().parent.parent
    client = SPARQLWrapper("http://127.0.0.1:1/query")
    updates = []
    for path in sorted((root / "queries").glob("*.rq")):
        client.setQuery(path.read_text(encoding="utf-8"))
        if client.isSparqlUpdateRequest():
            updates.append(path.name)
    assert not updates


def test_sparqlwrapper_malformed_query(server):
    client = SPARQLWrapper(server.url)
    client.setQuery("SELECT ?x WHERE { ?x ?y }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.query()


# ---------------------------------------------------------------- plain HTTP: content negotiation


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        (
            "text/csv;q=0.5, application/sparql-results+json;q=0.9",
            "application/sparql-results+json",
        ),
        ("application/sparql-results+json;q=0.1, text/csv", "text/csv"),
        ("text/html;q=1.0, text/tab-separated-values;q=0.3", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_content_negotiation(server, accept, expected):
    status, headers, body = get(server, HAZARDS, accept)
    assert status == 200
    assert content_type(headers) == expected
    text = body.decode("utf-8")
    if expected.endswith("+json"):
        data = json.loads(text)
        assert [b["id"]["value"] for b in data["results"]["bindings"]] == HAZARD_IDS
    else:
        assert all(i in text for i in HAZARD_IDS)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/n-triples;q=0.2, text/turtle;q=0.8", "text/turtle"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ],
)
def test_construct_content_negotiation(server, accept, expected):
    import pyoxigraph as ox

    status, headers, body = get(server, CONSTRUCT, accept)
    assert status == 200
    assert content_type(headers) == expected
    triples = list(ox.parse(body, format=ox.RdfFormat.from_media_type(expected)))
    assert len(triples) == 27
    assert any(t.object.value == "Reuters" for t in triples)


def test_nothing_acceptable_is_406(server):
    status, _, _ = get(server, HAZARDS, "text/html")
    assert status == 406


def test_post_form_and_sparql_query(server):
    form = urllib.parse.urlencode({"query": COUNT}).encode()
    status, headers, body = http(
        server.url,
        form,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"},
    )
    assert status == 200 and content_type(headers) == "text/csv"
    n = int(body.decode().split()[1])
    status, _, body = http(
        server.url,
        COUNT.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert status == 200 and int(body.decode().split()[1]) == n
    assert n > 1500  # the events, the outlets, the ontology and the taxonomies


def test_malformed_query_is_400_with_position(server):
    status, _, body = get(server, "SELECT ?x WHERE { ?x ?y }")
    assert status == 400
    assert "1:" in body.decode()


# ---------------------------------------------------------------- read-only


def store_size(server: Server) -> int:
    return int(get(server, COUNT, "text/csv")[2].decode().split()[1])


def test_updates_are_refused(server):
    before = store_size(server)
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    update = server.url.rsplit("/", 1)[0] + "/update"
    form = urllib.parse.urlencode({"update": insert}).encode()
    assert http(update, form, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert http(update, insert.encode(), {"Content-Type": "application/sparql-update"})[0] == 403
    # an update sent to the query endpoint is not a query
    assert get(server, insert)[0] == 400
    assert http(server.url, form, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    assert store_size(server) == before


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_are_refused(server, method):
    before = store_size(server)
    base = server.url.rsplit("/", 1)[0] + "/store"
    data = (
        None
        if method == "DELETE"
        else b"<http://example.org/a> <http://example.org/b> <http://example.org/c> ."
    )
    headers = {} if method == "DELETE" else {"Content-Type": "application/n-triples"}
    for target in ("?default", "?graph=https%3A%2F%2Fw3id.org%2Faim-kg%2Fid%2Fgraph-shared", ""):
        status, _, _ = http(base + target, data, headers, method)
        assert status == 403, (method, target)
    assert store_size(server) == before


def test_graph_store_reads_work(server):
    graph = urllib.parse.quote("https://w3id.org/aim-kg/id/graph-shared", safe="")
    status, _, body = http(
        server.url.rsplit("/", 1)[0] + f"/store?graph={graph}",
        headers={"Accept": "application/n-triples"},
    )
    assert status == 200 and b'"Reuters"' in body


# ---------------------------------------------------------------- CORS and the time limit


def test_cors(server):
    status, headers, _ = http(
        server.url,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        method="OPTIONS",
    )
    assert status == 204
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower["access-control-allow-origin"] == "*"
    assert "content-type" in lower["access-control-allow-headers"]
    status, headers, _ = http(
        server.url + "?" + urllib.parse.urlencode({"query": "ASK {}"}),
        headers={"Origin": "https://example.org"},
    )
    assert status == 200
    assert {k.lower(): v for k, v in headers.items()}["access-control-allow-origin"] == "*"


def test_a_runaway_query_is_cancelled_and_does_not_hold_the_server(server):
    """A cross product of the store three times (billions of rows) is stopped by the time
    limit (--timeout 1): cancelled by Oxigraph, or, if it does not stop within the grace period
    on a busy machine, by the front; while it runs, other queries are answered."""
    outcome: dict = {}

    def runaway():
        outcome["answer"] = get(server, RUNAWAY, "text/csv")

    thread = threading.Thread(target=runaway)
    thread.start()
    status, _, body = get(server, HAZARDS, "text/csv")
    assert status == 200 and body.decode().split() == ["id", *HAZARD_IDS]
    thread.join(300)
    assert not thread.is_alive()
    status, _, body = outcome["answer"]
    text = body.decode("utf-8", "replace")
    # Oxigraph cancels it at the limit; on a busy machine it may not stop within the grace
    # period, and then the front stops the engine (and restarts it): the limit holds either way.
    assert "cancelled" in text or "ran past the time limit (1 s) and was stopped" in text, text


# ---------------------------------------------------------------- serving DATA, errors


def test_serve_data_in_a_temporary_store(tmp_path):
    nq = tmp_path / "x.nq"
    result = CliRunner().invoke(cli, ["export", "-o", str(nq), "-j", "1", "-q"])
    assert result.exit_code == 0
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    srv = Server("-d", str(nq), "--port", "0", "-q", env=env)
    try:
        assert srv.url.startswith("http://127.0.0.1:")
        assert [p.name for p in scratch.iterdir() if p.name.startswith("aim-kg-serve-")]
        status, _, body = get(srv, HAZARDS, "text/csv")
        assert status == 200 and body.decode().split() == ["id", *HAZARD_IDS]
    finally:
        assert srv.stop() == 143
    assert not [p.name for p in scratch.iterdir() if p.name.startswith("aim-kg-serve-")]


def test_port_in_use(store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert "already in use" in result.stderr
    assert result.stdout == ""


def test_serve_a_missing_store(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no store there" in result.output


# ---------------------------------------------------------------- issue 12: what no query can do


class Listener:
    """A local HTTP server that records every request: the host a SERVICE clause would reach."""

    def __init__(self):
        import http.server

        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                self.send_response(200)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


SERVICES = [
    "SELECT * WHERE { SERVICE <URL> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <URL> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <URL> { ?a ?b ?c } }",
    "# a comment\nPREFIX ex: <http://example.org/>\nSELECT * WHERE {\n  SERVICE<URL>{?s ?p ?o}\n}",
]


@pytest.mark.parametrize("query", SERVICES)
def test_the_endpoint_refuses_federation_and_makes_no_request(server, query):
    listener = Listener()
    try:
        text = query.replace("URL", listener.url)
        status, _, body = get(server, text)
        assert status == 400 and b"SERVICE" in body
        form = urllib.parse.urlencode({"query": text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        assert http(server.url, form, headers)[0] == 400
        headers = {"Content-Type": "application/sparql-query"}
        assert http(server.url, text.encode(), headers)[0] == 400
        assert listener.requests == []
    finally:
        listener.close()


def test_words_that_only_look_like_service_are_fine(server):
    query = (
        "PREFIX service: <http://example.org/>\n"
        'SELECT ?service WHERE { BIND("SERVICE <http://x>" AS ?service) # SERVICE <x>\n}'
    )
    status, _, body = get(server, query, "text/csv")
    assert status == 200 and b"SERVICE <http://x>" in body


def test_a_query_nested_too_deep_is_400_and_the_endpoint_lives_on(server):
    deep = "SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"
    status, _, body = get(server, deep)
    assert status == 400 and b"levels deep" in body
    chain = "SELECT * WHERE { FILTER(" + " || ".join(["true"] * 20000) + ") }"
    status, _, body = http(server.url, chain.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"operators" in body
    status, _, body = get(server, HAZARDS, "text/csv")
    assert status == 200 and body.decode().split() == ["id", *HAZARD_IDS]


def test_a_query_past_its_time_or_memory_restarts_the_engine(store):
    """--timeout 1: a query still running 1 s after the limit gets 503 and the engine is
    restarted; --max-memory 1024: a query that needs more gets 503; other queries go on."""
    srv = Server("--store", str(store), "--port", "0", "--timeout", "1", "--max-memory", "1024")
    try:
        four = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        status, _, body = get(srv, four, "text/csv")
        assert status == 503 and b"time limit" in body
        assert get(srv, HAZARDS, "text/csv")[0] == 200
        sort = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
        status, _, body = get(srv, sort, "text/csv")
        assert status == 503
        assert get(srv, HAZARDS, "text/csv")[0] == 200
    finally:
        assert srv.stop() == 143


def test_load_into_a_served_store_is_refused(server, store):
    result = CliRunner().invoke(cli, ["load", "--store", str(store), "-q"])
    assert result.exit_code == 1 and "in use by aim-kg serve" in result.output
