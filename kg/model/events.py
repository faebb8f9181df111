"""The model between reading and triples: plain dataclasses, and how copies of one event merge.

Readers (kg.read) build these from page text or AIM API JSON; kg.model.triples turns them into RDF.
Facet values are already concepts here (IRIs): the label matching happened while reading.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

AIM_ID = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9a-f]{4}$")
LEGACY_ID = re.compile(r"^[0-9]{1,12}$")  # bounded: ids are numbers, never 4,300 digits
DERIVED_PREFIX = "aimkg-"


def is_aim_id(value: str) -> bool:
    """An id AIM itself assigns: 2024-02-15-7d63, or a numeric id of an older page."""
    return bool(AIM_ID.match(value) or LEGACY_ID.match(value))


def id_sort_key(event_id: str) -> tuple:
    """Identifier order: numeric ids by number, then dated ids, then derived ids."""
    if LEGACY_ID.match(event_id):
        return (0, int(event_id), "")
    if AIM_ID.match(event_id):
        return (1, 0, event_id)
    return (2, 0, event_id)


class _Combining(dict):
    """For str.translate: a combining character (an accent...) maps to None (deleted), any
    other to itself; each character is looked up in unicodedata once, when first seen."""

    def __missing__(self, code: int) -> int | None:
        if len(self) >= 50_000:  # bounded, whatever the text (Unicode has 1.1 million)
            self.clear()
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_COMBINING = _Combining()
_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Case, accents and spacing folded away: the identity of an outlet or a title (the latest
    short ones are remembered: outlets recur; a long text is not kept, so memory is bounded)."""
    return _folded(text) if len(text) <= _REMEMBERED else _fold(text)


_REMEMBERED = 400


@lru_cache(maxsize=1 << 14)
def _folded(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).translate(_COMBINING)
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def digest(*parts: str, size: int = 16) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8"))
    return h.hexdigest()[:size]


@dataclass(slots=True)
class Article:
    title: str
    date: str  # ISO 8601 date, checked by the reader
    outlet: str  # the outlet's name as this input spells it
    url: str | None = None
    rationale: str | None = None
    language: str | None = None
    line: int = field(default=0, compare=False)
    # Other spellings of the outlet in copies of this article merged into it ("europa press"
    # beside "Europa Press"): each is an alternate name of the outlet, like any spelling seen.
    spellings: list[str] = field(default_factory=list, compare=False)

    @property
    def outlet_key(self) -> str:
        return fold(self.outlet)

    @property
    def key(self) -> str:
        """Stable identity: the URL when known, else outlet + date + title."""
        if self.url:
            return "url " + self.url
        return f"oat {self.outlet_key}|{self.date}|{fold(self.title)}"

    @property
    def description(self) -> str:
        """What an article says about itself; two copies that differ here are two articles."""
        return f"{self.title}\x1f{self.date}\x1f{self.outlet_key}"


@dataclass(slots=True)
class Event:
    id: str
    title: str
    severity: str  # concept IRI
    file: str
    line: int
    form: str  # "record" or "page"
    summary: str | None = None
    rationale: str | None = None
    date: str | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)  # property IRI -> concept IRIs
    unmapped: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-3
    aiid: list[int] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    derived_id: bool = False

    @property
    def match_key(self) -> str:
        """What a page with no id shares with the record of the same event."""
        return digest(fold(self.title), fold(self.summary or ""))


def derive_id(title: str, summary: str | None, articles: list[Article]) -> str:
    """A stable id for an event that arrives without one: title, summary and articles together
    (two events may share a title)."""
    keys = sorted(a.key for a in articles)
    return DERIVED_PREFIX + digest(fold(title), fold(summary or ""), *keys)


def dedupe_articles(articles: list[Article]) -> list[Article]:
    """One article per key, in a stable order (date, outlet, title, url); copies fill gaps."""
    merged: dict[str, Article] = {}
    # Match articles without a URL to the same article with one (a page and a record of the
    # same event): outlet + date + title identifies both.
    by_oat: dict[str, str] = {}
    if not all(article.url for article in articles):
        for article in articles:
            if article.url:
                oat = f"{article.outlet_key}|{article.date}|{fold(article.title)}"
                by_oat.setdefault(oat, article.key)
    prefixes = _Prefixes(by_oat)
    for article in articles:
        key = article.key
        if not article.url and by_oat:
            key = by_oat.get(key[4:]) or prefixes.truncated_match(article) or key
        kept = merged.get(key)
        if kept is None:
            copy = Article(**{name: getattr(article, name) for name in Article.__slots__})
            copy.spellings = list(article.spellings)
            merged[key] = copy
            continue
        for name in ("url", "rationale", "language"):
            if getattr(kept, name) is None and getattr(article, name) is not None:
                setattr(kept, name, getattr(article, name))
        for spelling in (article.outlet, *article.spellings):
            if spelling != kept.outlet and spelling not in kept.spellings:
                kept.spellings.append(spelling)
    for article in merged.values():
        article.spellings.sort()
    return sorted(merged.values(), key=lambda a: (a.date, a.outlet_key, a.title, a.url or ""))


class _Prefixes:
    """A page shortens long titles with "...": the full titles that start like a shortened
    one, found by bisection in the sorted keys (one lookup each, whatever their number)."""

    def __init__(self, by_oat: dict[str, str]):
        self.by_oat = by_oat
        self.sorted: list[str] | None = None

    def truncated_match(self, article: Article) -> str | None:
        if not article.title.endswith(("...", "…")):
            return None
        if self.sorted is None:
            self.sorted = sorted(self.by_oat)
        start = f"{article.outlet_key}|{article.date}|{fold(article.title.rstrip('.… '))}"
        i = bisect.bisect_left(self.sorted, start)
        found = []
        for oat in self.sorted[i : i + 2]:
            if oat.startswith(start):
                found.append(self.by_oat[oat])
        return found[0] if len(found) == 1 else None


def _union(lists: list[list]) -> list:
    seen: dict = {}
    for values in lists:
        for value in values:
            seen.setdefault(value, None)
    return list(seen)


def merge(copies: list[Event]) -> Event:
    """One event from several copies of it (a page and a record, or the same record twice).

    Records come before pages, then copies are ordered by their content, so the result does not
    depend on the order of the inputs. Scalars come from the first copy that has them; lists are
    united; the same article listed in two copies is one article.
    """
    ordered = sorted(
        copies,
        key=lambda e: (e.form != "record", e.derived_id, digest(repr(_content(e)))),
    )
    first = ordered[0]
    event = Event(
        id=first.id,
        title=first.title,
        severity=first.severity,
        file=first.file,
        line=first.line,
        form=first.form,
        derived_id=all(e.derived_id for e in ordered),
    )
    for name in ("summary", "rationale", "date"):
        setattr(event, name, next((getattr(e, name) for e in ordered if getattr(e, name)), None))
    props = _union([list(e.facets) for e in ordered])
    event.facets = {p: _union([e.facets.get(p, []) for e in ordered]) for p in props}
    event.unmapped = _union([e.unmapped for e in ordered])
    event.countries = _union([e.countries for e in ordered])
    event.aiid = sorted(_union([e.aiid for e in ordered]))
    event.articles = dedupe_articles([a for e in ordered for a in e.articles])
    return event


def _content(event: Event) -> tuple:
    return (
        event.id,
        event.title,
        event.severity,
        event.summary,
        event.rationale,
        event.date,
        sorted(event.facets.items()),
        event.unmapped,
        event.countries,
        event.aiid,
        [(a.key, a.description, a.rationale) for a in event.articles],
    )


@dataclass(slots=True)
class Problem:
    """Something a user must hear about: a rejected input, or a warning about a kept one.

    ``code`` names the kind of problem in a word or two ("unmapped-label", "no-article"), the
    same for every input it concerns, so that a program can sort problems and the console can
    say a repeated warning once with its count.
    """

    file: str
    line: int
    kind: str  # "reject" or "warning"
    reason: str
    event: str | None = None
    messages: list[str] = field(default_factory=list)
    code: str = ""

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "event": self.event,
            "kind": self.kind,
            "code": self.code,
            "reason": self.reason,
            "messages": self.messages,
        }

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        label = "rejected" if self.kind == "reject" else "warning"
        text = f"{self.where}: {label}: {self.reason}"
        for message in self.messages:
            text += f"\n    {message}"
        return text
