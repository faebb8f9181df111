"""An AIM incident page, as a user copies it from oecd.ai, to a model event.

The anatomy (docs/inputs.md): title; noise (thumbnail alt text, disclaimer);
summary ending "[AI generated]"; "Why's our monitor labelling this an incident or hazard?" and
the rationale; facet blocks (a heading, then labels concatenated with no separator); optionally
"In other databases"; then "Articles about this incident or hazard" and, per article, its title,
date, outlet, the "Why's our monitor..." line and a rationale. Copies come with CRLF, a BOM,
zero-width and non-breaking spaces, blank lines that come and go, and repeated articles.

Facet headings are the prefLabels of the taxonomy's schemes; only the page furniture below is
spelled out here.
"""

from __future__ import annotations

import re

from kg.model.events import AIM_ID, Article, Event, Problem, dedupe_articles, derive_id
from kg.read import lang
from kg.read.common import AI_GENERATED, FacetCollector, Rejected, generated_text, parse_date
from kg.read.labels import clean
from kg.vocab import Facet, Vocabulary

NOISE = {
    "thumbnail image",
    "the information displayed in the aim should not be reported as representing the official "
    "views of the oecd or of its member countries.",
}
_NOISE_LENGTH = max(map(len, NOISE))
WHY = "why's our monitor labelling this an incident or hazard?"
OTHER_DATABASES = "in other databases"
ARTICLES = "articles about this incident or hazard"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DATE_LINE = re.compile(r"^\d{4}\s*-\s*\d{1,2}\s*-\s*\d{1,2}$")
_AIID = re.compile(
    r"incidentdatabase\.ai/cite/([0-9]{1,12})(?![0-9])"
    r"|\b(?:AIID|AI Incident Database|Incident)\s*(?:#|No\.?|n[º°])?\s*([0-9]{1,12})(?![0-9])",
    re.IGNORECASE,
)


def _key(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'").casefold()


# Headings and page furniture are short lines: longer lines are text.
_SHORT = 64


def _heading(text: str, vocab: Vocabulary) -> tuple[Facet | None, str]:
    """A facet heading (colon optional) and whatever follows it on the same line."""
    if len(text) <= _SHORT:
        facet = vocab.facet_by_heading.get(_key(text).rstrip(": "))
        if facet:
            return facet, ""
    colon = text.find(":", 0, _SHORT)
    if colon > 0:
        facet = vocab.facet_by_heading.get(_key(text[:colon]).strip())
        if facet:
            return facet, text[colon + 1 :].strip()
    return None, ""


def read_page(
    text: str, file: str, stem: str, vocab: Vocabulary
) -> tuple[Event | None, list[Problem]]:
    """One page to one event, or None and the reason it was rejected."""
    try:
        return _read(text, file, stem, vocab)
    except Rejected as exc:
        event_id = stem if AIM_ID.match(stem) else None
        return None, [
            Problem(file, exc.line or 1, "reject", exc.reason, event=event_id, code="bad-page")
        ]


def _read(text: str, file: str, stem: str, vocab: Vocabulary) -> tuple[Event, list[Problem]]:
    lines = [(no, clean(raw)) for no, raw in enumerate(_LINE_BREAK.split(text), 1)]
    items = [(no, t) for no, t in lines if t and not (len(t) <= _NOISE_LENGTH and _key(t) in NOISE)]
    if not items:
        raise Rejected("empty page: expected an AIM incident page (a title, a summary, facets)")

    def kind(t: str) -> str:
        if len(t) <= _SHORT:
            k = _key(t)
            if k == WHY:
                return "why"
            if k.rstrip(":") == OTHER_DATABASES:
                return "other"
            if k.rstrip(":") == ARTICLES:
                return "articles"
        if _heading(t, vocab)[0] is not None:
            return "facet"
        return "text"

    kinds = [kind(t) for _, t in items]
    title_line, title = items[0]
    first_line = next(t for _, t in lines if t)
    if kinds[0] != "text" or _key(first_line) in NOISE or AI_GENERATED.search(title):
        raise Rejected(
            f'no title: the page starts with "{first_line[:60]}" (expected the incident title, '
            "then the summary)",
            title_line,
        )

    # Sections, in page order: summary, rationale, facets, other databases, articles.
    def first(wanted: set[str], start: int) -> int:
        return next((i for i in range(start, len(items)) if kinds[i] in wanted), len(items))

    end_head = first({"facet", "other", "articles"}, 1)
    why = first({"why"}, 1)
    if why < end_head:
        summary_items, rationale_items = items[1:why], items[why + 1 : end_head]
    else:
        summary_items, rationale_items = items[1:end_head], []
    end_facets = first({"other", "articles"}, end_head)
    start_articles = first({"articles"}, end_head)

    collector = FacetCollector(vocab, file)
    facet: Facet | None = None
    for no, t in items[end_head:end_facets]:
        found, rest = _heading(t, vocab)
        if found:
            facet = found
            if rest:
                collector.add(facet, rest, no)
        elif facet is not None:
            collector.add(facet, t, no)
    severity = collector.severity(items[end_head][0] if end_head < len(items) else title_line)

    aiid = []
    for _, t in items[end_facets:start_articles]:
        for match in _AIID.finditer(t):
            aiid.append(int(match.group(1) or match.group(2)))

    articles = _articles(items[start_articles + 1 :], file)
    event = Event(
        id="",
        title=title,
        severity=severity,
        file=file,
        line=title_line,
        form="page",
        summary=generated_text(" ".join(t for _, t in summary_items)),
        rationale=generated_text(" ".join(t for _, t in rationale_items)),
        aiid=sorted(set(aiid)),
        articles=dedupe_articles(articles),
    )
    collector.fill(event)
    event.date = min((a.date for a in event.articles), default=None)
    if AIM_ID.match(stem):
        event.id = stem
    else:
        event.id = derive_id(event.title, event.summary, event.articles)
        event.derived_id = True
    problems = collector.problems
    for problem in problems:
        problem.event = event.id
    return event, problems


def _articles(items: list[tuple[int, str]], file: str) -> list[Article]:
    """Articles anchored on their date lines: title above, outlet below, then the rationale."""
    dates = [i for i, (_, t) in enumerate(items) if _DATE_LINE.match(t)]
    lead = items[: dates[0] - 1] if dates else items
    if lead:
        no, t = lead[0]
        raise Rejected(
            f'unexpected "{t[:60]}" in the articles: expected an article title, then its date '
            "(YYYY-MM-DD) and its outlet",
            no,
        )
    articles = []
    claimed: set[int] = set()
    for n, i in enumerate(dates):
        no, t = items[i]
        if i == 0 or i + 1 >= len(items) or _key(items[i - 1][1]) == WHY:
            raise Rejected(
                f'the article dated "{t}" lacks its title (the line above) or outlet (below)', no
            )
        date = parse_date(t, "the article date", no)
        title_no, title = items[i - 1]
        outlet = items[i + 1][1]
        if _key(outlet) == WHY or _DATE_LINE.match(outlet):
            raise Rejected(f'the article "{title}" has no outlet (expected it below its date)', no)
        stop = dates[n + 1] - 1 if n + 1 < len(dates) else len(items)
        body = items[i + 2 : stop]
        if body and _key(body[0][1]) == WHY:
            claimed.add(i + 2)
            body = body[1:]
        claimed.update({i - 1, i, i + 1})
        articles.append(
            Article(
                title=title,
                date=date,
                outlet=outlet,
                rationale=generated_text(" ".join(t for _, t in body)),
                language=lang.detect(title),
                line=title_no,
            )
        )
    for i, (no, t) in enumerate(items):
        if _key(t) == WHY and i not in claimed:
            raise Rejected(
                "an article without a date: expected its title, a date (YYYY-MM-DD) and its "
                'outlet above "Why\'s our monitor..."',
                no,
            )
    return articles
