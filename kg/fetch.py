"""Harvest the AIM API into JSON Lines (``aim-kg fetch``): complete, polite, resumable, incremental.

The AIM JSON API is undocumented (docs/inputs-api.md says what is known of it and what was
verified). Two endpoints are used, below the API base URL:

- ``POST {api}/incidents/fetch-incidents`` with a date window (inclusive) and optional filters;
  the answer is ``{"total_results": N, "incidents": [...]}`` with at most 100 records and no
  paging. A window whose ``total_results`` is more than it gave back is split: the whole range
  into calendar years, a year into months, a month into halves down to single days, a day by
  severity (``harm_levels``), a day and severity by halves of the list of country codes down to
  one country. A window that still cannot be had whole is named in ``FetchResult.incomplete``.
- ``GET {api}/incidents/{id}``: one record with its articles (with ``articles=True``).

Every record is written exactly as the API gave it (its JSON text, with any line breaks between
tokens taken out), one per line, sorted by id, to a file that appears complete or not at all.

The cache (``cache``, by default ``$XDG_CACHE_HOME/aim-kg`` or ``~/.cache/aim-kg``) holds, per
API, every detail record with the list record it was fetched for, and, per output file, the
window answers of the run under way. Each entry is written atomically, so a run killed at any
moment and started again asks only for what it does not have yet. A run that ends removes its
window answers; the details stay, and are asked again only when the event's list record changes
(a new article changes ``n_articles``).

Incremental: when the output file exists, only the windows from the newest date it holds minus
``margin`` days are asked again; its older records are kept as they are.

Nothing here prints: ``progress`` receives a ``Progress`` after every request, and the result
is a ``FetchResult``. Every failure the user must see is a ``FetchError`` naming the request.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import hashlib
import heapq
import json
import os
import queue
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kg import __version__
from kg.errors import AimKgError

DEFAULT_API = "https://incidents-server.oecdai.org/api/v1"
LIST_PATH = "/incidents/fetch-incidents"
DETAIL_PATH = "/incidents/{id}"
PROJECT_URL = "https://w3id.org/aim-kg"
USER_AGENT = f"aim-kg/{__version__} (+{PROJECT_URL})"

CAP = 100  # the most records one list answer holds
DEFAULT_START = dt.date(2000, 1, 1)
DEFAULT_DELAY = 0.5
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF = 2.0
DEFAULT_TIMEOUT = 60.0
DEFAULT_MARGIN = 30
DEFAULT_WORKERS = 3
MAX_WAIT = 900.0  # the longest pause a Retry-After or the back-off may ask for
OUTPUT_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")

SEVERITIES = ("AI incident", "AI hazard")
# ISO 3166-1 alpha-3, and Kosovo's XKX: the country filter of the list endpoint takes these.
_COUNTRY_CODES = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD
    BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD
    COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST
    ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM
    GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ
    KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX
    MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD
    NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA
    SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR
    TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN
    VGB VIR VNM VUT WLF WSM XKX YEM ZAF ZMB ZWE"""
COUNTRIES = tuple(_COUNTRY_CODES.split())


class FetchError(AimKgError):
    """The run cannot go on: a request failed for good, or an answer is not of the documented
    shape. The message names the request. Nothing was written to the output; ``resumable``
    tells whether the cache holds what was fetched so far (run again to go on)."""

    def __init__(self, message: str, *, resumable: bool = False):
        super().__init__(message)
        self.resumable = resumable


class _Stopped(Exception):
    """A worker noticed that the run is stopping."""


@dataclass(frozen=True)
class Window:
    """One list request: an inclusive date window and the filters that split a crowded day."""

    start: dt.date
    end: dt.date
    severity: str | None = None
    countries: tuple[str, ...] | None = None

    def body(self) -> dict:
        properties = {
            "principles": [],
            "industries": [],
            "harm_types": [],
            "harm_levels": [self.severity] if self.severity else [],
            "harmed_entities": [],
            "business_functions": [],
            "ai_tasks": [],
            "autonomy_levels": [],
            "languages": [],
        }
        return {
            "search_terms": [],
            "and_condition": False,
            "countries": list(self.countries or ()),
            "from_date": self.start.isoformat(),
            "to_date": self.end.isoformat(),
            "properties_config": properties,
            "order_by": "date",
            "num_results": CAP,
            "format": "JSON",
        }

    def describe(self) -> str:
        text = self.start.isoformat()
        if self.end != self.start:
            text += f"..{self.end.isoformat()}"
        if self.severity:
            text += f", harm_levels {self.severity}"
        if self.countries:
            c = self.countries
            text += f", countries {c[0]}" if len(c) == 1 else f", countries {c[0]}..{c[-1]}"
        return text

    def split(self, seen_countries: set[str]) -> list[Window]:
        """Smaller windows that together ask for the same records; [] when none is finer."""
        s, e = self.start, self.end
        if s.year != e.year:
            years = range(s.year, e.year + 1)
            return [Window(max(s, dt.date(y, 1, 1)), min(e, dt.date(y, 12, 31))) for y in years]
        if s.month != e.month:
            out = []
            for m in range(s.month, e.month + 1):
                last = calendar.monthrange(s.year, m)[1]
                out.append(Window(max(s, dt.date(s.year, m, 1)), min(e, dt.date(s.year, m, last))))
            return out
        if s != e:
            mid = s + dt.timedelta(days=(e - s).days // 2)
            return [Window(s, mid), Window(mid + dt.timedelta(days=1), e)]
        if self.severity is None and self.countries is None:
            return [Window(s, e, severity) for severity in SEVERITIES]
        codes = self.countries
        if codes is None:
            codes = tuple(sorted(set(COUNTRIES) | seen_countries))
        if len(codes) <= 1:
            return []
        half = len(codes) // 2
        return [
            Window(s, e, self.severity, codes[:half]),
            Window(s, e, self.severity, codes[half:]),
        ]


@dataclass(frozen=True)
class Incomplete:
    """A window the API has more records for than could be had (named; the rest is written)."""

    window: str
    total: int
    got: int
    split: bool = False  # split, but its parts hold fewer records than the window counts

    def __str__(self) -> str:
        why = (
            "its parts hold fewer: some records match no value of the filter, such as a record "
            "without a country"
            if self.split
            else f"at most {CAP} per answer and no finer filter"
        )
        return (
            f"{self.window}: the API counts {self.total} records, {self.got} could be had ({why})"
        )


@dataclass
class Progress:
    """Where a run is; given to the ``progress`` callback after every step."""

    phase: str  # "windows" or "details"
    windows: int = 0  # list answers had (asked or from the cache)
    records: int = 0  # records found in them
    details_done: int = 0
    details_total: int = 0
    requests: int = 0
    retries: int = 0
    eta: float | None = None  # seconds left (details phase), when it can be told


@dataclass
class FetchResult:
    """What a run did. ``exit_code`` is 0 when complete, 3 when some window was incomplete."""

    output: str
    records: int = 0  # lines written
    new: int = 0  # ids the previous output did not have
    changed: int = 0  # ids whose line differs from the previous output's
    unchanged: int = 0  # ids whose line is the same (kept or asked again)
    removed: int = 0  # ids of the previous output that are no longer there
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    windows: int = 0  # list windows answered by the API in this process
    windows_cached: int = 0  # list windows answered from the cache (a resumed run)
    details: int = 0  # detail records asked for
    details_cached: int = 0  # detail records taken from the cache
    asked_from: dt.date | None = None
    asked_to: dt.date | None = None
    resumed: bool = False
    incomplete: list[Incomplete] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 3 if self.incomplete else 0


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aim-kg"


# ---------------------------------------------------------------- the harvest


def fetch(
    output: str | os.PathLike,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    articles: bool = True,
    api: str = DEFAULT_API,
    cache: str | os.PathLike | None = None,
    delay: float = DEFAULT_DELAY,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    timeout: float = DEFAULT_TIMEOUT,
    margin: int = DEFAULT_MARGIN,
    workers: int = DEFAULT_WORKERS,
    progress: Callable[[Progress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """Harvest the AIM records dated ``start``..``end`` (inclusive) into ``output`` (JSON Lines).

    ``start`` defaults to 2000-01-01 and ``end`` to today (UTC). With ``articles``, each event's
    detail record (with its articles) is written instead of its list record. ``delay`` is the
    least time between the starts of two requests; at most ``workers`` requests are in flight.
    A failed request (timeout, connection error, 429, 5xx) is tried again up to ``retries``
    times, after ``backoff`` seconds doubling each time, or the ``Retry-After`` the server asks
    for if longer. ``sleep`` is how the run waits (tests pass their own).

    Raises FetchError, and writes nothing, when a request fails for good or an answer is not of
    the documented shape. Returns a FetchResult; incomplete windows are in ``incomplete``.
    """
    output = str(output)
    _check_output(output)
    start = start or DEFAULT_START
    today = dt.datetime.now(dt.UTC).date()
    if start > (end or today):
        raise FetchError(f"the start date {start} is after the end date {end or today}")
    if delay < 0 or retries < 0 or backoff < 0 or timeout <= 0 or margin < 0 or workers < 1:
        raise FetchError("delay, retries, backoff, margin >= 0; timeout > 0; workers >= 1 expected")
    api = api.rstrip("/")
    if not api.startswith(("http://", "https://")):
        raise FetchError(f"--api {api}: expected an http(s) URL")

    previous = _Previous.read(output)
    cache_root = Path(cache) if cache is not None else default_cache_dir()
    store = _Cache(cache_root, api)
    options = {
        "output": os.path.abspath(output),
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
        "articles": articles,
        "margin": margin,
    }
    run = store.resume(options)
    resumed = run is not None
    if run is None:
        end = end or today
        asked_from = start
        in_range = [d for d in previous.dates.values() if start <= d <= end]
        if in_range:
            asked_from = max(start, max(in_range) - dt.timedelta(days=margin))
        run = store.begin(options, end, asked_from)
    end, asked_from = run.end, run.asked_from
    result = FetchResult(output, asked_from=asked_from, asked_to=end, resumed=resumed)
    client = _Client(api, delay, retries, backoff, timeout, sleep)
    state = Progress("windows")

    def report(**changes) -> None:
        for key, value in changes.items():
            setattr(state, key, value)
        state.requests, state.retries = client.requests, client.retries
        if progress:
            progress(state)

    try:
        records: dict[str, _Record] = {}
        _harvest(Window(asked_from, end), client, run, records, result, report)
        if articles:
            _details(records, client, store, workers, result, report)
        _write(output, previous, records, store, articles, start, end, asked_from, result)
    except FetchError as exc:
        exc.resumable = True
        raise
    finally:
        client.stop.set()
        result.requests, result.retries = client.requests, client.retries
    run.finish()
    return result


@dataclass(slots=True)
class _Record:
    id: str
    date: dt.date
    country: str  # location.country_code, "" when none (to split a crowded day by country)
    line: str  # the record, as the API gave it, on one line


def _harvest(window: Window, client, run, records: dict, result: FetchResult, report) -> set[str]:
    """Ask for ``window``, splitting it while it is capped; add its records to ``records``.

    Returns the ids found in the window. A window is named incomplete when it cannot be split
    further, or when its parts together hold fewer records than it counts (records that no
    filter value matches, such as a record without a country) and no part was named already.
    """
    what = f"POST {client.api}{LIST_PATH} ({window.describe()})"
    body = json.dumps(window.body(), separators=(",", ":")).encode()
    raw = run.window_answer(body)
    if raw is None:
        raw = client.call("POST", client.api + LIST_PATH, body, what)
        total, found = _parse_list(raw, what)  # only a well-formed answer is kept
        run.store_window(body, raw)
        result.windows += 1
    else:
        total, found = _parse_list(raw, what)
        result.windows_cached += 1
    for record in found:
        records.setdefault(record.id, record)
    report(windows=result.windows + result.windows_cached, records=len(records))
    ids = {record.id for record in found}
    if total <= len(found):
        return ids
    children = window.split({r.country for r in found if r.country})
    if not children:
        result.incomplete.append(Incomplete(window.describe(), total, len(ids)))
        return ids
    named = len(result.incomplete)
    for child in children:
        ids |= _harvest(child, client, run, records, result, report)
    if len(ids) < total and len(result.incomplete) == named:
        result.incomplete.append(Incomplete(window.describe(), total, len(ids), split=True))
    return ids


# ---------------------------------------------------------------- answers

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _one_line(text: str) -> str:
    """JSON text on one line: a raw line break can only be whitespace between tokens."""
    return text.strip(" \t\r\n").replace("\r", "").replace("\n", "")


def _incident_texts(text: str) -> list[str] | None:
    """The JSON text of each element of the top-level ``incidents`` array, as it was sent.

    ``text`` has been parsed already, so it is valid JSON: this walks it with the same decoder,
    keeping where each record starts and ends.
    """

    def space(i: int) -> int:
        return _SPACE.match(text, i).end()

    i = space(0)
    if text[i] != "{":
        return None
    i = space(i + 1)
    found = None
    while text[i] != "}":
        key, i = _DECODER.raw_decode(text, i)
        i = space(space(i) + 1)  # past the colon
        if key == "incidents" and text[i] == "[":
            found = []
            i = space(i + 1)
            while text[i] != "]":
                begin = i
                _, i = _DECODER.raw_decode(text, i)
                found.append(text[begin:i])
                i = space(i)
                if text[i] == ",":
                    i = space(i + 1)
            i += 1
        else:
            _, i = _DECODER.raw_decode(text, i)
        i = space(i)
        if text[i] == ",":
            i = space(i + 1)
    return found


def _decode(raw: bytes, what: str) -> tuple[str, object]:
    try:
        text = raw.decode("utf-8-sig")
        return text, json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        start = raw[:60].decode("utf-8", "replace").strip()
        raise FetchError(f"{what}: the answer is not JSON ({exc}; it starts {start!r})") from None


def _check_record(value: object, what: str, where: str) -> tuple[str, dt.date, str]:
    """The id, date and country code of a record; FetchError when it has no id or no date."""
    if not isinstance(value, dict):
        raise FetchError(f"{what}: {where} is not a JSON object")
    raw_id = value.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or str(raw_id).strip() == "":
        raise FetchError(f"{what}: {where} has no id")
    record_id = str(raw_id)
    date = value.get("date")
    if not isinstance(date, str) or not _DATE.match(date):
        raise FetchError(f"{what}: {where} ({record_id}) has no date (expected YYYY-MM-DD)")
    try:
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        raise FetchError(f"{what}: {where} ({record_id}) has no date: {date!r}") from None
    location = value.get("location")
    code = location.get("country_code") if isinstance(location, dict) else None
    return record_id, day, code if isinstance(code, str) else ""


def _parse_list(raw: bytes, what: str) -> tuple[int, list[_Record]]:
    text, data = _decode(raw, what)
    if not isinstance(data, dict) or not isinstance(data.get("incidents"), list):
        raise FetchError(f'{what}: the answer has no "incidents" list')
    total = data.get("total_results")
    if isinstance(total, bool) or not isinstance(total, int):
        raise FetchError(f'{what}: the answer has no "total_results" count')
    texts = _incident_texts(text)
    records = []
    for n, (value, record_text) in enumerate(zip(data["incidents"], texts, strict=True), 1):
        record_id, day, country = _check_record(value, what, f"record {n}")
        records.append(_Record(record_id, day, country, _one_line(record_text)))
    return total, records


def _parse_detail(raw: bytes, what: str, record_id: str) -> str:
    text, data = _decode(raw, what)
    got, _, _ = _check_record(data, what, "the record")
    if got != record_id:
        raise FetchError(f"{what}: the answer is the record of {got}, not of {record_id}")
    articles = data.get("articles")
    if articles is not None and not isinstance(articles, list):
        raise FetchError(f'{what}: "articles" is not a list')
    return _one_line(text)


# ---------------------------------------------------------------- details


def _details(records: dict, client, store, workers: int, result: FetchResult, report) -> None:
    """The detail record of every event, from the cache when its list record is unchanged."""
    todo = []
    for record in records.values():
        if store.detail(record.id, record.line) is None:
            todo.append(record)
    result.details_cached = len(records) - len(todo)
    total = len(todo)
    report(phase="details", details_total=total, details_done=0)
    if not todo:
        return
    began = time.monotonic()
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    done: queue.SimpleQueue = queue.SimpleQueue()
    for record in todo:
        jobs.put(record)

    def work() -> None:
        while not client.stop.is_set():
            try:
                record = jobs.get_nowait()
            except queue.Empty:
                return
            url = client.api + DETAIL_PATH.format(id=quote(record.id, safe=""))
            what = f"GET {url}"
            try:
                raw = client.call("GET", url, None, what)
                store.store_detail(record.id, record.line, _parse_detail(raw, what, record.id))
                done.put(None)
            except BaseException as exc:  # handed to the main thread
                done.put(exc)
                return

    # Daemon threads: an interrupted run does not wait for requests in flight to end.
    for _ in range(min(workers, total)):
        threading.Thread(target=work, daemon=True, name="aim-kg-fetch").start()
    for n in range(1, total + 1):
        error = done.get()
        if error is not None:
            client.stop.set()
            if isinstance(error, _Stopped):
                continue
            raise error
        result.details = n
        elapsed = time.monotonic() - began
        report(details_done=n, eta=elapsed / n * (total - n))


# ---------------------------------------------------------------- HTTP


class _Client:
    """Requests with a pause between their starts, retries and back-off, and counts."""

    def __init__(self, api, delay, retries, backoff, timeout, sleep, clock=time.monotonic):
        self.api, self.delay, self.max_retries = api, delay, retries
        self.backoff, self.timeout, self.sleep, self.clock = backoff, timeout, sleep, clock
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.requests = 0
        self.retries = 0
        self.stop = threading.Event()

    def _pace(self) -> None:
        with self.lock:
            now = self.clock()
            begin = max(now, self.next_start)
            self.next_start = begin + self.delay
            self.requests += 1
        if begin > now:
            self.sleep(begin - now)

    def call(self, method: str, url: str, body: bytes | None, what: str) -> bytes:
        import http.client
        import urllib.error
        import urllib.request

        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(self.max_retries + 1):
            if self.stop.is_set():
                raise _Stopped
            self._pace()
            wait = min(self.backoff * 2**attempt, MAX_WAIT)
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    return answer.read()
            except urllib.error.HTTPError as exc:
                with exc:
                    if exc.code != 429 and exc.code < 500:
                        raise FetchError(f"{what}: HTTP {exc.code} {exc.reason}") from None
                    problem = f"HTTP {exc.code} {exc.reason}"
                    wait = max(wait, _retry_after(exc.headers.get("Retry-After")))
            except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, URLError
                reason = getattr(exc, "reason", None) or exc
                problem = f"{type(exc).__name__}: {reason}" if str(reason) else type(exc).__name__
            if attempt == self.max_retries:
                tries = f"{attempt + 1} attempt" + ("s" if attempt else "")
                raise FetchError(f"{what}: {problem} ({tries})")
            with self.lock:
                self.retries += 1
            self.sleep(wait)
        raise AssertionError("unreachable")


def _retry_after(value: str | None) -> float:
    """Seconds a ``Retry-After`` header asks for (a number or an HTTP date), at most MAX_WAIT."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return min(max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0), MAX_WAIT)


# ---------------------------------------------------------------- cache


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that it is there whole or not at all, even after kill -9."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        with _suppress_os_error():
            os.unlink(temp)
        raise


class _suppress_os_error:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is not None and issubclass(kind, OSError)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class _Cache:
    """``{root}/{api key}/details/`` for detail records; ``runs/{output key}/`` for a run."""

    def __init__(self, root: Path, api: str):
        self.dir = root / f"api-{_key(api)}"
        self.api = api
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            if not (self.dir / "api.txt").exists():
                _write_atomic(self.dir / "api.txt", (api + "\n").encode())
        except OSError as exc:
            raise FetchError(f"the cache {root}: {exc.strerror or exc}") from None

    def _detail_path(self, record_id: str) -> Path:
        name = quote(record_id, safe="-_")
        return self.dir / "details" / (name[:7] or "_") / f"{name}.json"

    def detail(self, record_id: str, list_line: str) -> str | None:
        """The cached detail record, if it was fetched for this very list record."""
        try:
            entry = json.loads(self._detail_path(record_id).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("list") != list_line:
            return None
        detail = entry.get("detail")
        return detail if isinstance(detail, str) else None

    def store_detail(self, record_id: str, list_line: str, detail_line: str) -> None:
        entry = {"list": list_line, "detail": detail_line}
        _write_atomic(self._detail_path(record_id), json.dumps(entry, ensure_ascii=False).encode())

    def _run_dir(self, options: dict) -> Path:
        return self.dir / "runs" / _key(options["output"])

    def resume(self, options: dict) -> _Run | None:
        """The run under way for the same output with the same options, if there is one."""
        where = self._run_dir(options)
        try:
            state = json.loads((where / "state.json").read_bytes())
            if state["options"] == options:
                end, asked_from = state["end"], state["asked_from"]
                return _Run(where, dt.date.fromisoformat(end), dt.date.fromisoformat(asked_from))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def begin(self, options: dict, end: dt.date, asked_from: dt.date) -> _Run:
        """A new run: its end and first dates are kept, so that a resumed run asks the same
        windows (a run started yesterday ends on yesterday's windows)."""
        where = self._run_dir(options)
        shutil.rmtree(where, ignore_errors=True)
        state = {"options": options, "end": end.isoformat(), "asked_from": asked_from.isoformat()}
        _write_atomic(where / "state.json", json.dumps(state).encode())
        return _Run(where, end, asked_from)


class _Run:
    """The window answers of one run, kept until it ends."""

    def __init__(self, where: Path, end: dt.date, asked_from: dt.date):
        self.where, self.end, self.asked_from = where, end, asked_from

    def _path(self, body: bytes) -> Path:
        return self.where / "windows" / f"{hashlib.sha256(body).hexdigest()[:32]}.json"

    def window_answer(self, body: bytes) -> bytes | None:
        try:
            return self._path(body).read_bytes()
        except OSError:
            return None

    def store_window(self, body: bytes, raw: bytes) -> None:
        _write_atomic(self._path(body), raw)

    def finish(self) -> None:
        shutil.rmtree(self.where, ignore_errors=True)


# ---------------------------------------------------------------- output


def _check_output(output: str) -> None:
    if not output.lower().endswith(OUTPUT_SUFFIXES):
        raise FetchError(f"-o {output}: expected a .jsonl or .jsonl.gz file")
    parent = Path(output).resolve().parent
    if not parent.is_dir():
        raise FetchError(f"-o {output}: folder {parent} does not exist")


def _open_lines(path: str) -> Iterator[bytes]:
    opener = gzip.open if path.lower().endswith(".gz") else open
    with opener(path, "rb") as stream:
        yield from stream


def _digest(line: bytes) -> bytes:
    return hashlib.sha1(line.rstrip(b"\r\n")).digest()


@dataclass
class _Previous:
    """What an earlier run wrote to the output: each id's date and line digest (not the lines)."""

    path: str
    dates: dict[str, dt.date] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def read(cls, path: str) -> _Previous:
        previous = cls(path)
        if not os.path.exists(path):
            return previous
        last = None
        for n, line, record_id, day in previous._lines():
            if last is not None and record_id <= last:
                raise FetchError(
                    f"-o {path}:{n}: the file is not sorted by id, so aim-kg fetch did not "
                    "write it; move it away or choose another output"
                )
            last = record_id
            previous.dates[record_id] = day
            previous.digests[record_id] = _digest(line)
        return previous

    def _lines(self) -> Iterator[tuple[int, bytes, str, dt.date]]:
        try:
            for n, line in enumerate(_open_lines(self.path), 1):
                if not line.strip():
                    continue
                what = f"-o {self.path}:{n}"
                try:
                    value = json.loads(line)
                    record_id, day, _ = _check_record(value, what, "the line")
                except (ValueError, FetchError) as exc:
                    raise FetchError(
                        f"{what}: not a record as aim-kg fetch writes them ({exc}); "
                        "move the file away or choose another output"
                    ) from None
                yield n, line.rstrip(b"\r\n"), record_id, day
        except (OSError, EOFError) as exc:
            raise FetchError(f"-o {self.path}: cannot read it: {exc}") from None

    def kept(self, start, end, asked_from, fresh: dict) -> Iterator[tuple[str, bytes]]:
        """The earlier lines that stay: dated start..asked_from-1 and not fetched again."""
        if not self.dates:
            return
        for _, line, record_id, day in self._lines():
            if start <= day < asked_from and day <= end and record_id not in fresh:
                yield record_id, line


def _write(output, previous, records, store, articles, start, end, asked_from, result) -> None:
    """Merge the kept earlier lines with the records of this run, by id, into ``output``."""

    def fresh_lines() -> Iterator[tuple[str, bytes]]:
        for record_id in sorted(records):
            line = records[record_id].line
            if articles:
                line = store.detail(record_id, line)
                if line is None:  # the cache was changed under the run
                    raise FetchError(f"the cache lost the detail record of {record_id}")
            yield record_id, line.encode("utf-8")

    kept = previous.kept(start, end, asked_from, records)
    parent = Path(output).resolve().parent
    fd, temp = tempfile.mkstemp(dir=parent, prefix=f".{Path(output).name}.", suffix=".part")
    written: set[str] = set()
    try:
        with os.fdopen(fd, "wb") as raw:
            if output.lower().endswith(".gz"):
                out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
            else:
                out = raw
            for record_id, line in heapq.merge(kept, fresh_lines(), key=lambda item: item[0]):
                out.write(line + b"\n")
                written.add(record_id)
                old = previous.digests.get(record_id)
                if old is None:
                    result.new += 1
                elif old == _digest(line):
                    result.unchanged += 1
                else:
                    result.changed += 1
            if out is not raw:
                out.close()
        os.replace(temp, output)
    except BaseException:
        with _suppress_os_error():
            os.unlink(temp)
        raise
    result.records = len(written)
    result.removed = sum(1 for record_id in previous.dates if record_id not in written)
