"""A local stand-in for the AIM API, for the tests and ``make harvest-demo``.

A real HTTP server (http.server, on 127.0.0.1, port 0 by default, in a thread) that implements
what docs/inputs-api.md says of the API, over records it holds:

- ``POST /api/v1/incidents/fetch-incidents``: the records dated ``from_date``..``to_date``
  (inclusive), filtered by ``countries`` (ISO alpha-3 codes; any of them) and
  ``properties_config.harm_levels`` (any of them), newest first, at most
  ``min(num_results, 100)`` of them, no paging: ``{"total_results": N, "incidents": [...]}``,
  each record with ``"articles": null``;
- ``GET /api/v1/incidents/{id}``: the record with its articles, exactly the text it holds.

Faults are injected by a plan: a function of the request's number (from 1), method and path that
names a fault or None. ``periodic()`` faults every n-th request; ``targeted()`` one kind on the
requests that match. Kinds: ``429`` (with ``Retry-After``), ``500``, ``503``, ``drop`` (the
connection is closed without an answer), ``slow`` (the answer comes after ``slow`` seconds),
``not-json`` (a 200 whose body is HTML), ``no-id`` (a record without its id),
``no-incidents`` (an answer without the ``incidents`` list).

``demo_records()`` is the corpus the tests and the demo serve: the 228 real records of
tests/data/aim-mirror-sample.json put back into the API's record form (``real_records()``), with
illustrative articles added to about two thirds of them, and synthetic copies that crowd two
days above the cap of 100 (tests/data/README.md).

Run it on its own: ``python tests/aim_server.py [--port N] [--faults N]`` prints the API URL
and serves until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

from kg import resources

DATA = Path(__file__).resolve().parent / "data"
BASE = "/api/v1"
LIST = BASE + "/incidents/fetch-incidents"
DETAIL = BASE + "/incidents/"
CAP = 100

Plan = Callable[[int, str, str], str | None]


@dataclass
class Request:
    n: int
    method: str
    path: str
    body: dict | None
    user_agent: str
    fault: str | None


def periodic(every: int = 10, kinds=("429", "500", "drop", "503", "429", "500", "drop", "slow")):
    """Every ``every``-th request gets the next fault of ``kinds``, in turn."""

    def plan(n: int, method: str, path: str) -> str | None:
        if n % every:
            return None
        return kinds[(n // every - 1) % len(kinds)]

    return plan


def targeted(kind: str, *, method: str | None = None, contains: str = "", times: int = 1):
    """``kind`` on the first ``times`` requests whose method and path (with the body of a
    list request) match."""
    left = [times]
    lock = threading.Lock()

    def plan(n: int, req_method: str, where: str) -> str | None:
        if (method and req_method != method) or contains not in where:
            return None
        with lock:
            if left[0] <= 0:
                return None
            left[0] -= 1
        return kind

    return plan


def combine(*plans: Plan) -> Plan:
    """The first fault any of ``plans`` names."""

    def plan(n: int, method: str, where: str) -> str | None:
        for each in plans:
            fault = each(n, method, where)
            if fault:
                return fault
        return None

    return plan


class AimServer:
    """The stand-in API. ``url`` is its base (``http://127.0.0.1:PORT/api/v1``)."""

    def __init__(
        self,
        records: list[dict] | None = None,
        *,
        faults: Plan | None = None,
        retry_after: str = "0",
        slow: float = 0.6,
        port: int = 0,
    ):
        self.detail_texts: dict[str, str] = {}  # id -> the detail record, as held and sent
        self.list_texts: dict[str, str] = {}  # id -> the list record (articles null)
        self.index: dict[str, tuple[str, str, frozenset[str]]] = {}  # id -> date, country, levels
        self.faults = faults
        self.retry_after = retry_after
        self.slow = slow
        self.log: list[Request] = []
        self.lock = threading.Lock()
        for record in records if records is not None else demo_records():
            self.put(record)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{BASE}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> AimServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # the records

    def put(self, record: dict) -> None:
        """Hold ``record`` (added, or replacing the one with its id)."""
        record_id = str(record["id"])
        listed = dict(record, articles=None)
        with self.lock:
            self.detail_texts[record_id] = json.dumps(record, ensure_ascii=False)
            self.list_texts[record_id] = json.dumps(listed, ensure_ascii=False)
            location = record.get("location") or {}
            levels = frozenset(record.get("properties", {}).get("harm_levels") or ())
            self.index[record_id] = (record["date"], location.get("country_code") or "", levels)

    def remove(self, record_id: str) -> None:
        with self.lock:
            del self.detail_texts[record_id], self.list_texts[record_id], self.index[record_id]

    def record(self, record_id: str) -> dict:
        return json.loads(self.detail_texts[record_id])

    @property
    def count(self) -> int:
        return len(self.log)

    def requests_since(self, mark: int) -> list[Request]:
        with self.lock:
            return self.log[mark:]

    # the answers

    def _select(self, body: dict) -> tuple[int, list[str]]:
        start = dt.date.fromisoformat(body["from_date"]).isoformat()
        end = dt.date.fromisoformat(body["to_date"]).isoformat()
        countries = set(body.get("countries") or ())
        config = body.get("properties_config") or {}
        levels = set(config.get("harm_levels") or ())
        with self.lock:
            chosen = [
                (date, record_id)
                for record_id, (date, country, record_levels) in self.index.items()
                if start <= date <= end
                and (not countries or country in countries)
                and (not levels or levels & record_levels)
            ]
            chosen.sort(reverse=True)
            limit = min(int(body.get("num_results", CAP)), CAP)
            return len(chosen), [self.list_texts[record_id] for _, record_id in chosen[:limit]]


def _handler(server: AimServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, text: str, headers: dict | None = None) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            content_type = "application/json" if text[:1] in "{[" else "text/html"
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _begin(self, body: dict | None) -> str | None:
            where = self.path + (json.dumps(body) if body is not None else "")
            with server.lock:
                n = len(server.log) + 1
                fault = server.faults(n, self.command, where) if server.faults else None
                ua = self.headers.get("User-Agent", "")
                server.log.append(Request(n, self.command, self.path, body, ua, fault))
            if fault == "slow":
                time.sleep(server.slow)
                return None
            if fault == "429":
                self._send(
                    429, '{"error": "too many requests"}', {"Retry-After": server.retry_after}
                )
            elif fault in ("500", "503"):
                self._send(int(fault), "<html><body>Server error</body></html>")
            elif fault == "drop":
                self.close_connection = True
            elif fault == "not-json":
                self._send(200, "<!doctype html><html><body>Maintenance</body></html>")
            else:
                return fault
            return "answered"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length))
            except ValueError:
                body = None
            fault = self._begin(body if isinstance(body, dict) else {})
            if fault == "answered":
                return
            if self.path != LIST:
                self._send(404, '{"error": "not found"}')
                return
            try:
                total, texts = server._select(body)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                self._send(400, json.dumps({"error": f"bad request: {exc}"}))
                return
            if fault == "no-id" and texts:
                first = json.loads(texts[0])
                del first["id"]
                texts = [json.dumps(first, ensure_ascii=False), *texts[1:]]
            if fault == "no-incidents":
                self._send(200, json.dumps({"total_results": total}))
                return
            self._send(200, f'{{"total_results": {total}, "incidents": [{", ".join(texts)}]}}')

        def do_GET(self) -> None:
            fault = self._begin(None)
            if fault == "answered":
                return
            record_id = unquote(self.path[len(DETAIL) :]) if self.path.startswith(DETAIL) else ""
            with server.lock:
                text = server.detail_texts.get(record_id)
            if text is None:
                self._send(404, '{"error": "not found"}')
                return
            if fault == "no-id":
                record = json.loads(text)
                del record["id"]
                text = json.dumps(record, ensure_ascii=False)
            self._send(200, text)

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a slow answer)
                self.close_connection = True

    return Handler


# ---------------------------------------------------------------- the demo corpus

PUBLISHERS = ["Reuters", "The Guardian", "Le Monde", "El País", "Der Spiegel", "BBC News"]
CROWDED = {
    # day: [(severity, country code, country name, how many)]
    "2026-09-20": [
        ("AI incident", "USA", "United States", 70),
        ("AI hazard", "GBR", "United Kingdom", 70),
    ],
    "2026-09-21": [
        ("AI incident", "USA", "United States", 60),
        ("AI incident", "GBR", "United Kingdom", 40),
        ("AI incident", "FRA", "France", 30),
        ("AI hazard", "DEU", "Germany", 20),
    ],
}


def _hex(text: str, n: int = 4) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:n]


def with_articles(record: dict, n: int) -> dict:
    """``record`` with ``n`` illustrative articles (not AIM's: written to exercise the tools)."""
    articles = []
    for k in range(1, n + 1):
        articles.append(
            {
                "title": f"{record['title']} (report {k})",
                "date": record["date"],
                "publisher": PUBLISHERS[int(_hex(record["id"] + str(k)), 16) % len(PUBLISHERS)],
                "country": (record.get("location") or {}).get("country") or "",
                "url": f"https://news.example.org/{record['id']}/{k}",
                "image": "",
                "thumbImage": "",
                "evidences": [f"Illustrative rationale {k} for event {record['id']}."],
                "concepts": [],
                "body": "",
            }
        )
    return dict(record, n_articles=n, articles=articles)


def crowded_copies(day: str, severity: str, code: str, country: str, count: int, seed: str = ""):
    """``count`` synthetic copies of real records dated ``day``, of one severity and country."""
    real = real_records()
    out = []
    for k in range(count):
        source = real[(k * 7 + len(seed)) % len(real)]
        record_id = f"{day}-{_hex(f'synthetic {day} {severity} {code} {k} {seed}')}"
        copy = json.loads(json.dumps(source))
        copy.update(
            id=record_id,
            title=f"{source['title']} (synthetic copy {k + 1} for {day})",
            date=day,
            location={"country": country, "country_code": code} if code else {},
        )
        copy["properties"]["harm_levels"] = [severity]
        copy["aiid_ids"] = []
        out.append(with_articles(copy, k % 3))
    return out


def real_records() -> list[dict]:
    """The mirror's 228 real records in the API's record form, key by key, no value edited.

    The mirror dropped rationales, articles, AIID ids and counts: ``evidences`` and ``articles``
    are empty and ``n_articles`` is 0; ``aiid_ids`` are those the AIID's own links pair with the
    record's page (kg/data/aiid-oecd-links.json, the linkset shipped with aim-kg).
    """
    links: dict[str, set[int]] = {}
    for pair in json.loads(resources.aiid_links_file().read_text(encoding="utf-8")):
        links.setdefault(pair["sameAs"].rsplit("/", 1)[1], set()).add(pair["incident_id"])
    records = []
    for r in json.loads((DATA / "aim-mirror-sample.json").read_text(encoding="utf-8")):
        properties = {
            "principles": r["principles"],
            "industries": r["industries"],
            "harmed_entities": r["harmed_entities"],
            "harm_levels": [r["tipo"]],
            "harm_types": [t for t in r["tipos_dano"].split(" | ") if t],
            "business_functions": r["business_functions"],
            "ai_tasks": r["ai_tasks"],
            "autonomy_level": r["autonomy_level"],
        }
        records.append(
            {
                "id": r["id"],
                "title": r["titulo"],
                "date": r["data"],
                "summary": r["resumo"],
                "evidences": [],
                "location": {"country": r["pais"], "country_code": r["country_code"]},
                "properties": properties,
                "aiid_ids": sorted(links.get(r["id"], ())),
                "n_articles": 0,
                "articles": [],
            }
        )
    return records


def demo_records() -> list[dict]:
    records = []
    for record in real_records():
        records.append(with_articles(record, int(_hex(record["id"]), 16) % 3))
    for day, groups in CROWDED.items():
        for severity, code, country, count in groups:
            records.extend(crowded_copies(day, severity, code, country, count))
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "two demo records share an id"
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the AIM API stand-in over demo records.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--faults", type=int, default=0, help="a fault every N requests (0: none)")
    args = parser.parse_args()
    faults = periodic(args.faults) if args.faults else None
    with AimServer(faults=faults, port=args.port) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
