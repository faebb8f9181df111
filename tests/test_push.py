"""aim-kg push: the export into a real second store over the Graph Store HTTP Protocol.

The target is ``oxigraph serve`` (the writable server installed with aim-kg), started by the
test on 127.0.0.1; every catalogue query must answer there as it answers on the embedded store.
Authentication and retries are tested against a small graph store of the test's own.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import re
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.sparql import query as sparql
from kg.sparql.serve import free_port, oxigraph_executable

JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """``oxigraph serve`` (read-write) on a free port, its union default graph as load's."""
    folder = tmp_path_factory.mktemp("remote")
    port = free_port("127.0.0.1")
    process = subprocess.Popen(
        [
            oxigraph_executable(),
            "serve",
            "--location",
            str(folder / "store"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def remote(base: str, text: str):
    data = urllib.parse.urlencode({"query": text}).encode()
    accept = JSON if re.search(r"\b(SELECT|ASK)\b", text, re.I) else "application/n-triples"
    request = urllib.request.Request(base + "/query", data=data, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    if accept == JSON:
        return json.loads(body)
    return {str(q.triple) for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}


def rows(answer) -> object:
    """A SPARQL JSON answer as comparable data: a bool, or the multiset of rows."""
    if "boolean" in answer:
        return answer["boolean"]
    out = []
    for binding in answer["results"]["bindings"]:
        out.append(
            tuple(sorted((k, v["value"], v.get("datatype", "")) for k, v in binding.items()))
        )
    return sorted(out)


def embedded(text: str, store: ox.Store):
    answer = store.query(text, use_default_graph_as_union=True)
    kind = sparql.kind(answer)
    if kind == "graph":
        return {str(t) for t in answer}
    data = answer.serialize(format=ox.QueryResultsFormat.JSON)
    return rows(json.loads(data))


@pytest.fixture(scope="module")
def examples_nq(tmp_path_factory) -> Path:
    nq = tmp_path_factory.mktemp("export") / "aim.nq"
    kg.export(outputs=[nq])
    return nq


@pytest.fixture(scope="module")
def pushed(oxigraph_server, examples_nq, tmp_path_factory):
    folder = tmp_path_factory.mktemp("push")
    nq = examples_nq
    run = CliRunner().invoke(cli, ["push", str(nq), "--endpoint", oxigraph_server + "/store"])
    assert run.exit_code == 0, run.output
    store = folder / "store"
    kg.load([nq], store)
    return oxigraph_server, nq, store, run.output


def test_push_reports_what_it_sent(pushed):
    _, _, _, output = pushed
    assert re.search(r"pushed 16 events \(19 graphs, \d+ triples, 27 outlets", output), output


@pytest.mark.parametrize("name", sorted(sparql.catalogue()))
def test_every_catalogue_answer_equals_the_embedded_store(pushed, name: str):
    base, _, store_dir, _ = pushed
    text = sparql.catalogue()[name].read_text(encoding="utf-8")
    store = ox.Store.read_only(str(store_dir))
    expected = embedded(text, store)
    answer = remote(base, text)
    assert (rows(answer) if isinstance(answer, dict) else answer) == expected


def test_a_second_push_replaces_and_never_duplicates(pushed):
    base, nq, _, _ = pushed
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = rows(remote(base, count))
    report = kg.push([nq], base + "/store")
    assert (report.events, report.outlets) == (16, 27)
    assert rows(remote(base, count)) == before


# ---------------------------------------------------------------- authentication and retries


class _Store(http.server.BaseHTTPRequestHandler):
    """A graph store that asks for basic or digest authentication and fails the first PUT of
    each graph with 503 (Retry-After: 0)."""

    auth = "digest"
    user, password, realm, nonce = "aim", "s3cret", "graphs", "abc123"
    graphs: dict
    failed: set
    log_message = lambda *args: None  # noqa: E731 - quiet

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if self.auth == "basic":
            wanted = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return header == f"Basic {wanted}"
        if not header.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]+)"?', header[7:]))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"{self.user}:{self.realm}:{self.password}")
        ha2 = md5(f"{self.command}:{fields.get('uri')}")
        expected = md5(
            f"{ha1}:{self.nonce}:{fields.get('nc')}:{fields.get('cnonce')}:{fields.get('qop')}:{ha2}"
        )
        return fields.get("response") == expected and fields.get("username") == self.user

    def _challenge(self) -> None:
        self.send_response(401)
        if self.auth == "basic":
            self.send_header("WWW-Authenticate", f'Basic realm="{self.realm}"')
        else:
            self.send_header(
                "WWW-Authenticate",
                f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth", algorithm=MD5',
            )
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _graph(self) -> str:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorised():
            return self._challenge()
        graph = self._graph()
        if graph not in self.failed:
            self.failed.add(graph)
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        assert self.headers["Content-Type"] == "application/n-triples"
        self.graphs[graph] = body
        self.send_response(204)
        self.end_headers()
        return None

    def do_GET(self) -> None:
        if not self._authorised():
            return self._challenge()
        body = self.graphs.get(self._graph())
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


@pytest.fixture(params=["digest", "basic"])
def guarded_store(request):
    handler = type("Handler", (_Store,), {"auth": request.param, "graphs": {}, "failed": set()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/store", handler
    server.shutdown()
    server.server_close()


def test_push_authenticates_and_retries(guarded_store, examples_nq):
    url, handler = guarded_store
    report = kg.push(
        [examples_nq], url, user="aim", password="s3cret", auth=handler.auth, backoff=0.01
    )
    # The 16 events, the outlets (and countries), the ontology, the taxonomy, the description.
    assert set(handler.graphs) == handler.failed and len(handler.graphs) == report.graphs
    assert report.retries == report.graphs  # each graph's first PUT got a 503
    shared = ox.parse(handler.graphs[f"{kg.api.AIMID}graph-shared"], format=ox.RdfFormat.N_TRIPLES)
    assert len({q.subject for q in shared}) >= report.outlets == 27


def test_the_command_line_reads_the_password_from_the_environment(
    guarded_store, examples_nq, monkeypatch
):
    url, handler = guarded_store
    monkeypatch.setenv("AIM_KG_PASSWORD", "s3cret")
    handler.failed = _AlwaysFailed()
    run = CliRunner().invoke(
        cli, ["push", str(examples_nq), "--endpoint", url, "--user", "aim", "--auth", handler.auth]
    )
    assert run.exit_code == 0, run.output
    assert "(0 retried)" in run.output and "s3cret" not in run.output


class _AlwaysFailed(set):
    """A failed-graphs set that holds every graph: no PUT is answered 503."""

    def __contains__(self, item) -> bool:
        return True


def test_push_with_a_wrong_password_says_so(guarded_store, monkeypatch):
    url, handler = guarded_store
    monkeypatch.setenv("MY_SECRET", "wrong")
    run = CliRunner().invoke(
        cli,
        [
            "push",
            "--endpoint",
            url,
            "--user",
            "aim",
            "--password-env",
            "MY_SECRET",
            "--retries",
            "0",
        ],
    )
    assert run.exit_code == 1
    assert "401" in run.output and "check --user and the password" in run.output
    assert handler.graphs == {}


def test_push_needs_the_password_in_the_environment(monkeypatch):
    monkeypatch.delenv("AIM_KG_PASSWORD", raising=False)
    run = CliRunner().invoke(
        cli, ["push", "--endpoint", "http://127.0.0.1:9/store", "--user", "aim"]
    )
    assert run.exit_code == 1 and "AIM_KG_PASSWORD" in run.output


def test_push_to_nowhere_fails_with_the_url(tmp_path: Path):
    port = free_port("127.0.0.1")  # nothing listens there
    with pytest.raises(kg.AimKgError) as error:
        kg.push(None, f"http://127.0.0.1:{port}/store", retries=1, backoff=0.01)
    assert f"127.0.0.1:{port}" in str(error.value) and "cannot reach the store" in str(error.value)
    with pytest.raises(kg.AimKgError):
        kg.push(None, "ftp://example.org/store")
