"""``aim-kg serve``: a read-only SPARQL 1.1 Protocol endpoint: Oxigraph's own server, behind a
front that refuses what must never reach it.

aim-kg starts the ``oxigraph`` executable (PyPI package ``oxigraph``, the same Oxigraph version
as pyoxigraph) as ``oxigraph serve-read-only`` on the store, on a loopback port of its own, and
answers clients itself (``Front``, a threading HTTP server of the standard library):

- every query (``GET /query?query=``, a form, an ``application/sparql-query`` body) is checked
  by kg.sparql.guard first: SERVICE (federation: the engine would send requests to any host the
  query names) and queries nested too deep for Oxigraph's stack get 400 saying why;
- updates, graph-store writes and any POST but a query to /query get 403 from the front;
- the rest is passed to Oxigraph, whose answer (content negotiation, 400 for a malformed query
  with its line:column, CORS, the query page at /) is relayed as it comes;
- Oxigraph cancels a query after ``--timeout-s`` cooperatively; a query still running
  min(GRACE, timeout) seconds later stops the engine, which ``Backend`` restarts on the same
  store, and the query gets 503. The engine's address space is bounded (``--max-memory``): a
  query that needs more aborts it, and it is restarted the same way. Queries in flight at a
  restart fail too (documented).

aim-kg prints the query URL as the first line on stdout once it listens, and stops the engine
when it is stopped itself (Ctrl-C: 130, SIGTERM: 143; on Linux the engine also gets SIGKILL if
aim-kg dies, from a thread that lives as long as aim-kg). With ``-d DATA``, the store is built in
a temporary folder first and removed afterwards.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import http.server
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from kg.errors import QueryError, ServeError
from kg.sparql.guard import check

READY = "Listening for requests at"
STACK = 16 << 20  # bytes of stack for each of the oxigraph server's request threads
GRACE = 5  # at most this many seconds past --timeout (and at most --timeout) before a restart
MAX_BODY = 1 << 20  # bytes of a request body (a query, a form)


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


def _limits(memory: int | None) -> Callable[[], None]:
    def apply() -> None:  # pragma: no cover - runs in the child, between fork and exec
        """Linux: the server gets SIGKILL when aim-kg dies, however it dies; its address space
        is bounded (an allocation beyond it aborts the server, which aim-kg restarts)."""
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:
            pass
        if memory:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory << 20, memory << 20))

    return apply


def launch(
    location: str, host: str, port: int, timeout: int, cors: bool, memory: int | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        "RUST_BACKTRACE": "0",  # a one-line error, not a backtrace
        "RUST_MIN_STACK": str(STACK),  # every request thread: room far beyond guard's bounds
    }
    return subprocess.Popen(
        command(location, host, port, timeout, cors),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        preexec_fn=_limits(memory) if sys.platform.startswith("linux") else None,
    )


def wait_ready(process: subprocess.Popen, bind: str, relay: bool = True) -> None:
    """Return once the server says it listens (it has bound its socket); ServeError if it exits
    first. Its later messages are relayed to stderr."""
    said: list[str] = []
    for line in process.stderr:
        if line.startswith(READY):
            if relay:
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


class Backend:
    """Oxigraph's server on a loopback port only aim-kg's front knows, restarted whenever it
    dies (a query that exhausted its memory) or is stopped (a query past its time)."""

    def __init__(self, location: str, timeout: int, cors: bool, memory: int | None):
        self.location, self.timeout, self.cors, self.memory = location, timeout, cors, memory
        self.lock = threading.Lock()
        self.generation = 0
        self.restarts = 0
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._start()
        self._requests: queue.Queue = queue.Queue()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _start(self) -> None:
        port = free_port("127.0.0.1")
        process = launch(self.location, "127.0.0.1", port, self.timeout, self.cors, self.memory)
        wait_ready(process, f"127.0.0.1:{port}", relay=False)
        self.process, self.port = process, port
        threading.Thread(target=_relay, args=(process.stderr,), daemon=True).start()

    @property
    def deadline(self) -> int:
        """Seconds after which a query still running restarts the engine."""
        return self.timeout + min(GRACE, self.timeout)

    def dead(self, wait: float = 2.0) -> bool:
        """Whether the current server process has ended (waiting a little: a process that
        aborts closes its sockets before it is gone)."""
        process = self.process
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            return False
        return True

    def current(self) -> tuple[int, int]:
        with self.lock:
            return self.generation, self.port

    def restart(self, generation: int, why: str) -> None:
        """Stop the server and start another, unless that was done since ``generation``. The
        new server is started by one long-lived thread: Linux sends the parent-death signal
        when the thread that started a process ends, not only the process."""
        done = threading.Event()
        self._requests.put((generation, why, done))
        done.wait()

    def _supervise(self) -> None:
        while True:
            generation, why, done = self._requests.get()
            try:
                with self.lock:
                    if generation == self.generation:
                        sys.stderr.write(f"aim-kg serve: {why}; restarting the SPARQL engine\n")
                        stop(self.process, grace=1.0)
                        self._start()
                        self.generation += 1
                        self.restarts += 1
            except Exception as exc:  # pragma: no cover - the next request tries again
                sys.stderr.write(f"aim-kg serve: the SPARQL engine did not restart: {exc}\n")
            finally:
                done.set()

    def close(self) -> None:
        with self.lock:
            if self.process is not None:
                stop(self.process)


_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection"}


class Front(http.server.BaseHTTPRequestHandler):
    """The endpoint as clients see it: every query checked (kg.sparql.guard), then passed to
    Oxigraph's server, whose answer is relayed as it comes; a query that outlives the time
    limit by GRACE seconds restarts the server."""

    backend: Backend
    server_version = "aim-kg"
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args) -> None:  # quiet, like Oxigraph's server
        pass

    def _refuse(self, status: int, message: str) -> None:
        body = (message + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.backend.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._refuse(411, "a request body needs a Content-Length")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._refuse(413, f"a request body is at most {MAX_BODY} bytes")
            return None
        return self.rfile.read(length) if length else b""

    def _queries(self, body: bytes) -> list[str] | None:
        """Every query the request carries (URL and body), or None if it was refused."""
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        queries = params.get("query", [])
        updates = params.get("update", [])
        if self.command == "POST":
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if url.path.rstrip("/") != "/query" or ctype == "application/sparql-update":
                self._refuse(403, "this endpoint is read-only: only queries are answered")
                return None
            if ctype == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), True)
                queries += form.get("query", [])
                updates += form.get("update", [])
            elif ctype == "application/sparql-query":
                queries.append(body.decode("utf-8", "replace"))
            else:
                self._refuse(415, "a query is sent as application/sparql-query or as a form")
                return None
        if updates:
            self._refuse(403, "this endpoint is read-only: SPARQL Update is refused")
            return None
        if len(queries) > 1:
            self._refuse(400, "one query per request")
            return None
        return queries

    def _handle(self) -> None:
        if self.command in ("PUT", "DELETE", "PATCH"):
            self._refuse(403, "this endpoint is read-only")
            return
        body = self._body()
        if body is None:
            return
        queries = self._queries(body)
        if queries is None:
            return
        for text in queries:
            try:
                check(text, "the request")
            except QueryError as exc:
                self._refuse(400, str(exc))
                return
        self._forward(body)

    def _forward(self, body: bytes, retry: bool = True) -> None:
        backend = self.backend
        generation, port = backend.current()
        overrun = threading.Event()

        def too_long() -> None:
            overrun.set()
            backend.restart(generation, f"a query ran past {backend.deadline} s")

        watchdog = threading.Timer(backend.deadline, too_long)
        watchdog.daemon = True
        watchdog.start()
        sent = False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=backend.timeout + 60)
            try:
                conn.connect()
            except ConnectionRefusedError:
                # The engine stopped since (an earlier query took it down): restart it and
                # send this request, which it never saw, to the new one.
                if backend.dead():
                    backend.restart(generation, "the SPARQL engine stopped")
                if retry:
                    watchdog.cancel()
                    self._forward(body, retry=False)
                    return
                raise
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            headers["Connection"] = "close"
            conn.request(self.command, self.path, body=body or None, headers=headers)
            answer = conn.getresponse()
            self.send_response_only(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in _HOP and key.lower() not in ("server", "date"):
                    self.send_header(key, value)
            self.send_header("Connection", "close")
            self.end_headers()
            sent = True
            while chunk := answer.read1(65536) if self.command != "HEAD" else b"":
                self.wfile.write(chunk)
            conn.close()
        except (OSError, http.client.HTTPException):
            crashed = not overrun.is_set() and backend.dead()
            if crashed:
                backend.restart(generation, "a query stopped the SPARQL engine (out of memory?)")
            if not sent:
                why = (
                    f"the query ran past the time limit ({backend.timeout} s) and was stopped"
                    if overrun.is_set()
                    else "the query stopped the SPARQL engine (out of memory); it was restarted"
                    if crashed
                    else "the SPARQL engine did not answer"
                )
                with contextlib.suppress(OSError):
                    self._refuse(503, why)
        finally:
            watchdog.cancel()

    do_GET = do_HEAD = do_POST = do_OPTIONS = do_PUT = do_DELETE = do_PATCH = _handle


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _server(host: str, port: int, backend: Backend) -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (Front,), {"backend": backend})
    server_class = _Server
    if ":" in host:
        server_class = type("_Server6", (_Server,), {"address_family": socket.AF_INET6})
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        bind = _hostport(host, port)
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"the server did not start: {bind} is already in use") from None
        raise ServeError(f"the server did not start: {bind}: {exc.strerror or exc}") from None


def run(
    location: str,
    host: str,
    port: int,
    timeout: int,
    cors: bool,
    on_ready: Callable[[str], None],
    memory: int | None = None,
) -> int:
    """Serve the store at location until stopped; returns 128 + the signal number when stopped
    by SIGTERM (143) or Ctrl-C (130). on_ready gets the query URL once the server listens."""
    stopped = [0]

    def on_signal(signum, frame):
        stopped[0] = 128 + signum
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_signal)
    backend = server = None
    try:
        server = _server(host, port, backend := Backend(location, timeout, cors, memory))
        on_ready(query_url(host, server.server_address[1]))
        server.serve_forever()
        return 0
    except KeyboardInterrupt:
        return stopped[0] or 130
    finally:
        if server is not None:
            server.server_close()
        if backend is not None:
            backend.close()
        signal.signal(signal.SIGTERM, previous)
