"""aim-kg push into Virtuoso Open Source, and the query catalogue there (make virtuoso).

    python -m bench.virtuoso --corpus DIR [--export EXPORT.nq --store STORE] [--out FILE.md]

Starts ``virtuoso-t`` (Debian's virtuoso-opensource-7-bin) on 127.0.0.1 (HTTP 8890, SQL 1111)
with a new database in ``--folder`` (default build/virtuoso, emptied first), sets the password
of its ``dba`` user to $AIM_KG_PASSWORD (a random one when unset; never on a command line), then
in fresh processes timed by bench.measure:

1. ``aim-kg push EXPORT --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba``
   (the Graph Store protocol, digest authentication);
2. every catalogue query (queries/*.rq, unchanged; a parameter that is an AIM id the corpus
   lacks asks for the event with most articles, as bench.run does) on Virtuoso's /sparql
   endpoint, ``--runs`` times, every answer compared with the embedded store's answer
   (``--store``, made by ``aim-kg load`` of the same export): SELECT answers as their rows in
   order (value, datatype, language), CONSTRUCT answers as sets of triples.

Then it stops the server, writes every figure to FOLDER/results.json (``bench.run --virtuoso``
puts them in its table) and its section into ``--out`` between the markers below. Virtuoso's
default graph, in a query without FROM, is every graph of the store (its own system graphs
too), which is what the catalogue needs: the queries run unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from bench import measure

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- bench.virtuoso: begin -->", "<!-- bench.virtuoso: end -->"
HOST = "127.0.0.1"
HTTP_PORT, SQL_PORT = 8890, 1111
ENDPOINT = f"http://{HOST}:{HTTP_PORT}/sparql"
GRAPH_STORE = f"http://{HOST}:{HTTP_PORT}/sparql-graph-crud-auth"
JSON = "application/sparql-results+json"
TARGET_QUERY = 0.100

INI = """\
; A throwaway Virtuoso database for bench.virtuoso: this machine only (127.0.0.1).
[Database]
DatabaseFile = db/virtuoso.db
ErrorLogFile = db/virtuoso.log
LockFile = db/virtuoso.lck
TransactionFile = db/virtuoso.trx
xa_persistent_file = db/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = db/virtuoso-temp.db
TransactionFile = db/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
; 8 KB pages: about 1 GB of buffers, as Virtuoso advises for 2 GB of free memory
NumberOfBuffers = 130000
MaxDirtyBuffers = 100000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
DirsAllowed = .
Charset = UTF-8

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = www
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 300
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _aim_kg() -> list[str]:
    script = Path(sys.executable).parent / "aim-kg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kg.cli"]


def _executable(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(
            f"{name} not found: install Debian's virtuoso-opensource-7-bin (make virtuoso does)"
        )
    return path


# ---------------------------------------------------------------- the server


class Server:
    """virtuoso-t in the foreground, on a new database in ``folder``."""

    def __init__(self, folder: Path, password: str):
        self.folder = folder
        self.password = password
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> float:
        shutil.rmtree(self.folder / "db", ignore_errors=True)
        for sub in ("db", "www"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            INI.format(host=HOST, sql_port=SQL_PORT, http_port=HTTP_PORT), encoding="utf-8"
        )
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [_executable("virtuoso-t"), "+configfile", ini.name, "+foreground", "+wait"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = started + timeout
        while True:
            try:
                ask("ASK { }", timeout=5)
                break
            except OSError:
                if self.process.poll() is not None:
                    tail = _tail(self.folder / "db" / "virtuoso.log")
                    raise SystemExit(f"virtuoso-t stopped at start:\n{tail}") from None
                if time.perf_counter() > deadline:
                    self.stop()
                    message = f"virtuoso-t did not answer on {ENDPOINT} in {timeout:.0f} s"
                    raise SystemExit(message) from None
                time.sleep(0.5)
        # The dba password of a new database is "dba" (so it may be on the command line): set
        # ours through standard input.
        self.sql(f"user_set_password('dba', '{_sql_string(self.password)}');")
        return time.perf_counter() - started

    def sql(self, statements: str) -> str:
        """SQL statements as dba, with the password of a new database."""
        done = subprocess.run(
            [_executable("isql-vt"), f"{HOST}:{SQL_PORT}", "dba", "dba"],
            input=f"{statements}\nexit;\n",
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise SystemExit(f"isql-vt failed: {(done.stdout + done.stderr)[-500:]}")
        return done.stdout

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGTERM: Virtuoso shuts down at once (the database is thrown away anyway).
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"


def version() -> str:
    done = subprocess.run(
        [_executable("virtuoso-t"), "-?"], capture_output=True, text=True, check=False
    )
    found = re.search(r"Version (\S+)", done.stdout + done.stderr)
    return found.group(1) if found else "unknown"


# ---------------------------------------------------------------- queries


def _post(text: str, accept: str, timeout: float) -> bytes:
    data = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(ENDPOINT, data=data, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return answer.read()


def ask(text: str, timeout: float = 30) -> bool:
    return bool(json.loads(_post(text, JSON, timeout)).get("boolean"))


def _is_graph(text: str) -> bool:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\b(CONSTRUCT|DESCRIBE)\b", body, re.I) is not None


def rows(answer: dict) -> list | bool:
    """A SPARQL JSON answer as comparable data: a bool, or the rows in order (each a sorted
    tuple of variable, value, datatype, language)."""
    if "boolean" in answer:
        return answer["boolean"]
    out = []
    for binding in answer["results"]["bindings"]:
        out.append(
            tuple(
                sorted(
                    (k, v["value"], v.get("datatype", ""), v.get("xml:lang", ""))
                    for k, v in binding.items()
                )
            )
        )
    return out


def remote(text: str, timeout: float = 300):
    if _is_graph(text):
        body = _post(text, "application/n-triples", timeout)
        return {str(t.triple) for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    return rows(json.loads(_post(text, JSON, timeout)))


def embedded(text: str, store: ox.Store):
    answer = store.query(text, use_default_graph_as_union=True)
    if isinstance(answer, ox.QueryTriples):
        return {str(t) for t in answer}
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    return rows(json.loads(answer.serialize(format=ox.QueryResultsFormat.JSON)))


def compare(expected, got) -> str | None:
    """None when the answers are the same; else what differs."""
    if expected == got:
        return None
    if isinstance(expected, set) and isinstance(got, set):
        return f"{len(expected - got)} triples missing, {len(got - expected)} more"
    if isinstance(expected, list) and isinstance(got, list):
        if sorted(expected) == sorted(got):
            return "same rows, another order"
        first = next(
            (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
            min(len(expected), len(got)),
        )
        shown = got[first] if first < len(got) else "nothing"
        want = expected[first] if first < len(expected) else "nothing"
        return f"{len(got)} rows for {len(expected)}; row {first + 1}: {shown} for {want}"
    return f"{got!r} for {expected!r}"


def run_queries(store_dir: Path, corpus: Path | None, runs: int, work: Path) -> list[dict]:
    from bench.run import corpus_ids, parametrize
    from bench.sparql import query_files

    ids, biggest = corpus_ids(corpus) if corpus else (set(), None)
    store = ox.Store.read_only(str(store_dir))
    results = []
    for path in query_files(ROOT / "queries"):
        text = path.read_text(encoding="utf-8")
        if corpus:
            text, _ = parametrize(text, ids, biggest)
        entry: dict = {"query": path.name}
        try:
            times, got = [], None
            for _ in range(runs):
                started = time.perf_counter()
                got = remote(text)
                times.append(time.perf_counter() - started)
            expected = embedded(text, store)
            entry["results"] = len(got) if not isinstance(got, bool) else 1
            entry["median"] = statistics.median(times)
            entry["worst"] = max(times)
            difference = compare(expected, got)
            entry["same"] = difference is None
            if difference:
                entry["error"] = difference
                (work / f"{path.stem}.answer.json").write_text(
                    json.dumps(
                        {
                            "expected": sorted(map(str, expected))[:50],
                            "got": sorted(map(str, got))[:50],
                        },
                        indent=1,
                        ensure_ascii=False,
                    ),
                    encoding="utf-8",
                )
        except (OSError, ValueError, SyntaxError) as exc:
            detail = exc.read(400).decode("utf-8", "replace") if hasattr(exc, "read") else ""
            entry["same"] = False
            entry["error"] = f"{type(exc).__name__}: {exc} {detail}".strip()[:400]
        shown = entry.get("error") or "same answer"
        if "median" in entry:
            shown = f"median {entry['median'] * 1000:.0f} ms; " + shown
        log(f"  {path.name}: {shown}")
        results.append(entry)
    return results


# ---------------------------------------------------------------- the report


def section(results: dict) -> str:
    lines = [
        BEGIN,
        "## Virtuoso",
        "",
        f"`make virtuoso`: Virtuoso Open Source {results.get('version', '')} (Debian's "
        "virtuoso-opensource-7-bin) on 127.0.0.1 with a new database, the export pushed with "
        "`aim-kg push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba` "
        "(digest authentication), then every catalogue query, unchanged, on its /sparql "
        f"endpoint ({results.get('runs', 5)} runs each, over HTTP, the answer parsed), every "
        "answer compared with the embedded store's. Generated by `python -m bench.virtuoso` "
        f"on {results.get('date', '')}; other load during the push: "
        f"{results.get('push', {}).get('background') or 0:.2f} cores.",
        "",
    ]
    if "error" in results:
        return "\n".join([*lines, f"Not run: {results['error']}", "", END])
    push = results["push"]
    lines += [
        "| measurement | triples | time | CPU s (aim-kg) | result |",
        "|---|---|---|---|---|",
        f"| virtuoso-t start, new database | | {push.get('server_start', 0):.1f} s | | |",
        f"| aim-kg push, {results.get('events', 0):,} events ({push.get('graphs', '?')} graphs, "
        f"{push.get('requests', '?')} requests) | {push.get('triples') or 0:,} | "
        f"{push['wall']:.1f} s | {push['user'] + push['sys']:.1f} | "
        + ("✅ done" if push.get("returncode") == 0 else f"❌ {push.get('error', '')[:80]}")
        + " |",
    ]
    for q in results.get("queries", []):
        timing = (
            f"median {q['median'] * 1000:.0f} ms, worst {q['worst'] * 1000:.0f} ms"
            if "median" in q
            else "—"
        )
        result = "same answer ✅" if q.get("same") else f"❌ {q.get('error', '')[:100]}"
        lines.append(
            f"| SPARQL {q['query']} ({q.get('results', 0):,} results) | | {timing} | | {result} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def replace_section(document: str, text: str) -> str:
    """The document with this report's section replaced (or appended)."""
    return measure.replace_section(document, text, BEGIN, END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.virtuoso", description=__doc__)
    parser.add_argument(
        "--export", type=Path, default=None, help="the export to push (default: --corpus exported)"
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="the same export loaded by aim-kg load (default: made)",
    )
    parser.add_argument("--corpus", type=Path, default=None, help="the corpus of the export")
    parser.add_argument("--folder", type=Path, default=ROOT / "build" / "virtuoso")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds for the push")
    parser.add_argument("--out", type=Path, default=None, help="the report to update (.md)")
    args = parser.parse_args(argv)
    folder = args.folder.absolute()
    folder.mkdir(parents=True, exist_ok=True)
    password = os.environ.get("AIM_KG_PASSWORD") or secrets.token_urlsafe(16)
    results: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "version": version(),
        "runs": args.runs,
    }
    export, store = args.export, args.store
    if export is None:
        if args.corpus is None:
            parser.error("--export or --corpus is needed")
        export = folder / "corpus.nq"
        if not export.exists():
            log(f"exporting {args.corpus / 'json'} to {export} (not timed)")
            cmd = [*_aim_kg(), "export", str(args.corpus / "json"), "-o", str(export), "-q"]
            subprocess.run(cmd, check=True, cwd=ROOT)
    if store is None:
        store = folder / "store"
        shutil.rmtree(store, ignore_errors=True)
        log(f"loading {export} into {store}, the embedded store to compare with (not timed)")
        subprocess.run([*_aim_kg(), "load", str(export), "--store", str(store), "-q"], check=True)
    server = Server(folder, password)
    try:
        log(f"virtuoso-t: a new database in {folder / 'db'}")
        start = server.start()
        log(f"  answering on {ENDPOINT} after {start:.1f} s; pushing {export}")
        env = dict(os.environ, AIM_KG_PASSWORD=password)
        cmd = [*_aim_kg(), "push", str(export), "--endpoint", GRAPH_STORE, "--user", "dba"]
        got = measure.run([*cmd, "--auth", "digest"], timeout=args.timeout, env=env, cwd=ROOT)
        push = got.as_dict() | {"server_start": start}
        summary = re.search(
            r"pushed ([\d,]+) events \(([\d,]+) graphs, ([\d,]+) triples, ([\d,]+) outlets"
            r".* in ([\d,]+) requests",
            got.stdout + got.stderr,
        )
        if summary:
            events, graphs, triples, _, requests = (
                int(g.replace(",", "")) for g in summary.groups()
            )
            push |= {"graphs": graphs, "triples": triples, "requests": requests}
            results["events"] = events
        if got.returncode != 0:
            push["error"] = (got.stderr.strip().splitlines() or ["no output"])[-1][:300]
        results["push"] = push
        log(f"  push: {got.wall:.1f} s, exit {got.returncode}")
        if got.returncode == 0:
            results["queries"] = run_queries(store, args.corpus, args.runs, folder)
    except SystemExit as exc:
        results["error"] = str(exc)
    finally:
        server.stop()
    (folder / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    text = section(results)
    print(text)
    if args.out:
        measure.write_section(args.out, text, BEGIN, END)
    failed = "error" in results or not all(q.get("same") for q in results.get("queries", []))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
