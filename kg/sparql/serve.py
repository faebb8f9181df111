"""``aim-kg serve``: a read-only SPARQL 1.1 Protocol endpoint, served by Oxigraph's own server.

There is no HTTP code here: aim-kg starts the ``oxigraph`` executable (PyPI package ``oxigraph``,
the same Oxigraph version as pyoxigraph) as ``oxigraph serve-read-only`` on the store, and that
server does everything the endpoint promises:

- ``GET /query?query=...`` and ``POST /query`` (a form, or ``application/sparql-query``);
- content negotiation by ``Accept``, q-values included: SPARQL JSON, XML, CSV, TSV results;
  Turtle, N-Triples, N-Quads, JSON-LD, RDF/XML graphs (406 when nothing fits);
- a malformed query is a 400 with Oxigraph's line:column message;
- read-only: ``/update`` and every graph-store write (PUT, POST, DELETE on ``/store``) get 403;
- ``--union-default-graph``: the default graph is the union of the store's graphs
  (kg/sparql/store.py);
- ``--timeout-s``: a query is cancelled after that many seconds. Oxigraph cancels cooperatively:
  most queries stop at the limit, but an operator that checks rarely (a sort or a count over
  billions of intermediate rows) can run on for minutes. Every request has a thread of its own,
  so such a query holds one thread and one core, never the server: other queries are answered;
- ``--cors``: ``Access-Control-Allow-Origin: *`` and answers to preflight requests.

aim-kg waits until the server listens, prints the query URL as the first line on stdout, and
stops the server when it is stopped itself (Ctrl-C, SIGTERM; on Linux the server also gets
SIGTERM if aim-kg dies). With ``-d DATA``, the store is built in a temporary folder first and
removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from kg.errors import ServeError

READY = "Listening for requests at"


def oxigraph_executable() -> str:
    """The ``oxigraph`` executable installed with aim-kg (next to this Python), else on PATH."""
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise ServeError(
        "the oxigraph server is not installed "
        "(it comes with aim-kg: pip install 'oxigraph>=0.5,<0.6')"
    )


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def query_url(host: str, port: int) -> str:
    """The URL clients use: a wildcard address is reached on the loopback address."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://{_hostport(shown, port)}/query"


def command(location: str, host: str, port: int, timeout: int, cors: bool) -> list[str]:
    cmd = [
        oxigraph_executable(),
        "serve-read-only",
        "--location",
        location,
        "--bind",
        _hostport(host, port),
        "--union-default-graph",
        "--timeout-s",
        str(timeout),
    ]
    return [*cmd, "--cors"] if cors else cmd


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: the server gets SIGTERM when aim-kg dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def launch(location: str, host: str, port: int, timeout: int, cors: bool) -> subprocess.Popen:
    env = {**os.environ, "RUST_BACKTRACE": "0"}  # a one-line error, not a backtrace
    return subprocess.Popen(
        command(location, host, port, timeout, cors),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def wait_ready(process: subprocess.Popen, bind: str) -> None:
    """Return once the server says it listens (it has bound its socket); ServeError if it exits
    first. Its later messages are relayed to stderr."""
    said: list[str] = []
    for line in process.stderr:
        if line.startswith(READY):
            threading.Thread(target=_relay, args=(process.stderr,), daemon=True).start()
            return
        said.append(line.rstrip())
    process.wait()
    errors = [line.removeprefix("Error: ") for line in said if line.startswith("Error: ")]
    message = errors[0] if errors else " ".join(said[-3:]) or f"exit status {process.returncode}"
    if "in use" in message.lower():
        message = f"{bind} is already in use ({message})"
    raise ServeError(f"the oxigraph server did not start: {message}")


def _relay(stream) -> None:
    for line in stream:
        sys.stderr.write(line)
        sys.stderr.flush()


def stop(process: subprocess.Popen, grace: float = 5.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(
    location: str,
    host: str,
    port: int,
    timeout: int,
    cors: bool,
    on_ready: Callable[[str], None],
) -> int:
    """Serve the store at location until stopped; returns the server's exit status (0 when it
    was stopped by a signal). on_ready gets the query URL once the server listens."""
    if port == 0:
        port = free_port(host)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_signal)
    process = None
    try:
        process = launch(location, host, port, timeout, cors)
        wait_ready(process, _hostport(host, port))
        on_ready(query_url(host, port))
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if process is not None:
            stop(process)
        signal.signal(signal.SIGTERM, previous)
