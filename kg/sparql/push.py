"""``aim-kg push``: an export into any store that speaks the SPARQL 1.1 Graph Store HTTP Protocol.

The data is laid out exactly as ``aim-kg load`` lays it out (kg/sparql/store.py) — first in a
temporary local store, by the same code — and every named graph is then sent with ``PUT``, which
replaces the graph in the remote store (never duplicates it):

    PUT {endpoint}?graph={event IRI}          one request per event
    PUT {endpoint}?graph={ontology, taxonomy} the vocabulary graphs (and aimid:graph-description,
                                              when DATA has a dataset description)
    GET + PUT {endpoint}?graph={aimid:graph-shared}
                                              the outlets and countries: the remote graph is read,
                                              this push's outlets and countries replace theirs (as
                                              a load does), the rest stay

Only the protocol is used (https://www.w3.org/TR/sparql11-http-rdf-update/): no store-specific
code. Bodies are N-Triples (``application/n-triples``). A few requests are in flight at once;
a request that fails with a connection error, a time-out, 429 or a 5xx is retried with growing
back-off (honouring ``Retry-After``). HTTP basic and digest authentication come from urllib; the
password is given by the caller (the command line reads it from an environment variable, never
from its arguments).
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg import __version__
from kg.errors import AimKgError
from kg.namespaces import AIM, AIMID, RDF_TYPE
from kg.sparql import store as kgstore
from kg.tempfiles import temp_dir

MEDIA_TYPE = "application/n-triples"
USER_AGENT = f"aim-kg/{__version__} (push; SPARQL 1.1 Graph Store HTTP Protocol)"
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


class PushError(AimKgError):
    """The store refused a request, or could not be reached after every retry."""


@dataclass
class PushReport:
    events: int = 0  # event graphs sent
    graphs: int = 0  # graphs sent in all (events, outlets, vocabulary)
    triples: int = 0  # triples sent
    outlets: int = 0  # outlets in the shared graph after the push
    requests: int = 0
    retries: int = 0
    duplicates: list[str] = field(default_factory=list)  # events in two inputs (the later won)
    problems: list = field(default_factory=list)  # of raw inputs exported on the fly


class Client:
    """Graph Store requests with authentication, time-outs and retries; thread-safe."""

    def __init__(
        self,
        endpoint: str,
        user: str | None = None,
        password: str | None = None,
        auth: str = "any",
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 0.5,
    ):
        parsed = urllib.parse.urlsplit(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise PushError(f"--endpoint {endpoint!r}: expected an http(s) URL of a graph store")
        if auth not in ("any", "basic", "digest"):
            raise PushError(f"auth {auth!r}: expected any, basic or digest")
        self.endpoint = endpoint
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.requests = 0
        self.retried = 0
        self._lock = threading.Lock()
        self._passwords = None
        self._auth = auth
        if user is not None:
            self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            self._passwords.add_password(None, endpoint, user, password or "")
        self._local = threading.local()

    def _opener(self) -> urllib.request.OpenerDirector:
        """One opener per thread, with handlers of its own: urllib's auth handlers keep state
        (the digest nonce count, the retry count) that threads must not share."""
        opener = getattr(self._local, "opener", None)
        if opener is None:
            # No proxies from the environment: the user named the store, nothing else is asked.
            handlers: list = [urllib.request.ProxyHandler({})]
            if self._passwords is not None:
                if self._auth in ("any", "basic"):
                    handlers.append(urllib.request.HTTPBasicAuthHandler(self._passwords))
                if self._auth in ("any", "digest"):
                    handlers.append(urllib.request.HTTPDigestAuthHandler(self._passwords))
            opener = self._local.opener = urllib.request.build_opener(*handlers)
        return opener

    def url(self, graph: str) -> str:
        sep = "&" if urllib.parse.urlsplit(self.endpoint).query else "?"
        return f"{self.endpoint}{sep}graph={urllib.parse.quote(graph, safe='')}"

    def request(self, method: str, graph: str, body: bytes | None = None) -> bytes | None:
        """One request, retried; the body of a GET (None when the graph does not exist)."""
        url = self.url(graph)
        for attempt in range(self.retries + 1):
            headers = {"User-Agent": USER_AGENT}
            if body is not None:
                headers["Content-Type"] = MEDIA_TYPE
            if method == "GET":
                headers["Accept"] = MEDIA_TYPE
            req = urllib.request.Request(url, data=body, method=method, headers=headers)
            with self._lock:
                self.requests += 1
            wait = self.backoff * 2**attempt
            try:
                with self._opener().open(req, timeout=self.timeout) as answer:
                    return answer.read() if method == "GET" else None
            except urllib.error.HTTPError as exc:
                if method == "GET" and exc.code == 404:
                    return None
                if exc.code not in _RETRY_STATUS or attempt == self.retries:
                    detail = exc.read(300).decode("utf-8", "replace").strip()
                    raise PushError(
                        f"{method} {url}: the store answered {exc.code} {exc.reason}"
                        + (f": {detail}" if detail else "")
                        + (" (check --user and the password)" if exc.code in (401, 403) else "")
                    ) from None
                wait = max(wait, _retry_after(exc.headers.get("Retry-After")))
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                if attempt == self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise PushError(f"{method} {url}: cannot reach the store: {reason}") from None
            with self._lock:
                self.retried += 1
            time.sleep(wait)
        raise AssertionError("unreachable")


def _retry_after(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else 0.0


def _ntriples(triples) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)


def push(
    data: list[str],
    endpoint: str,
    *,
    user: str | None = None,
    password: str | None = None,
    auth: str = "any",
    base_iri: str = AIMID,
    jobs: int | None = None,
    parallel: int = 4,
    retries: int = 4,
    timeout: float = 60.0,
    backoff: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
) -> PushReport:
    """Push DATA (exports or raw AIM inputs) to the graph store at ``endpoint``, one named
    graph per event as ``load`` lays them out; returns a PushReport. Raises DataError before
    any request if DATA cannot be read, PushError when the store refuses or cannot be reached."""
    client = Client(endpoint, user, password, auth, timeout, retries, backoff)
    report = PushReport()
    with ExitStack() as stack:
        sources = kgstore.read(list(data), stack, base_iri=base_iri, jobs=jobs)
        report.problems = [p for s in sources if s.summary for p in s.summary.problems]
        folder = stack.enter_context(temp_dir("push"))
        local = ox.Store(os.path.join(folder, "store"))
        loaded = kgstore.load(local, sources, base_iri)
        report.duplicates = loaded.duplicates
        shared = kgstore.shared_graph(base_iri)
        graphs = sorted(
            (g for g in local.named_graphs() if isinstance(g, ox.NamedNode) and g != shared),
            key=lambda g: g.value,
        )
        report.events = loaded.events

        def send(graph: ox.NamedNode, local: ox.Store = local) -> int:
            triples = [q.triple for q in local.quads_for_pattern(None, None, None, graph)]
            client.request("PUT", graph.value, _ntriples(triples))
            return len(triples)

        done = 0
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            for sent in pool.map(send, graphs):
                report.triples += sent
                done += 1
                if progress:
                    progress(done, len(graphs))
        report.graphs = len(graphs)

        # The outlets: merged into the remote shared graph, subject by subject.
        ours: dict = defaultdict(list)
        for quad in local.quads_for_pattern(None, None, None, shared):
            ours[quad.subject].append(quad.triple)
        if ours:
            current = client.request("GET", shared.value)
            remote = ox.parse(current, format=ox.RdfFormat.N_TRIPLES) if current else ()
            kept = [q.triple for q in remote if q.subject not in ours]
            merged = kept + [t for ts in ours.values() for t in ts]
            client.request("PUT", shared.value, _ntriples(merged))
            report.graphs += 1
            report.triples += sum(len(ts) for ts in ours.values())
            outlet = ox.NamedNode(AIM + "Outlet")  # the shared graph holds countries too
            report.outlets = len(
                {t.subject for t in merged if t.predicate.value == RDF_TYPE and t.object == outlet}
            )
        del local
    report.requests, report.retries = client.requests, client.retried
    return report
