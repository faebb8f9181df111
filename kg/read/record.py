"""An AIM API record (JSON object) to a model event.

Fields (docs/inputs.md): id, title, date, summary, evidences (rationales),
location{country_code, country (its name, read when there is no code)}, articles[] (title,
date, publisher, url, evidences), aiid_ids[], and properties{...} holding the facet labels
under each scheme's aim:recordKey. Labels may come as a list, as one string joined with " | ",
or concatenated as on a page; all are split the same way.

The reshaped records of a public mirror (github.com/cezaradts/OCDE; Portuguese keys: titulo, tipo,
resumo...) are read too, by renaming their keys first.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.countries import countries as known_countries
from kg.model.events import Article, Event, Problem, dedupe_articles, derive_id, is_aim_id
from kg.read import lang
from kg.read.common import ISO3, FacetCollector, Rejected, generated_text, parse_date
from kg.read.labels import clean
from kg.vocab import Vocabulary

# The mirror's keys (github.com/cezaradts/OCDE) and the API's.
MIRROR_KEYS = {
    "titulo": "title",
    "data": "date",
    "resumo": "summary",
    "tipo": "harm_levels",
    "tipos_dano": "harm_types",
}


def _from_mirror(data: dict) -> dict:
    if "titulo" not in data and "tipo" not in data:
        return data
    renamed = {MIRROR_KEYS.get(k, k): v for k, v in data.items()}
    renamed.pop("url", None)  # the AIM page, derived from the id anyway
    if "pais" in renamed:  # the country's name, used when there is no code
        renamed["country"] = renamed.pop("pais")
    return renamed


def _texts(value: object) -> list[str]:
    """Strings from a string, a list of strings, or a list of objects with a text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict):
                for key in ("text", "evidence", "value", "content"):
                    if isinstance(item.get(key), str):
                        out.append(item[key])
                        break
        return out
    return []


def _joined(value: object) -> str | None:
    texts = list(dict.fromkeys(t for t in (generated_text(x) for x in _texts(value)) if t))
    return "\n\n".join(texts) or None


def read_record(
    data: dict, file: str, line: int, vocab: Vocabulary
) -> tuple[Event | None, list[Problem]]:
    """One record to one event, or None and the reason it was rejected."""
    try:
        return _read(_from_mirror(data), file, line, vocab)
    except Rejected as exc:
        event_id = data.get("id")
        return None, [
            Problem(
                file,
                line,
                "reject",
                exc.reason,
                event=_cut(str(event_id)) if event_id else None,
                code="bad-record",
            )
        ]


def _read(data: dict, file: str, line: int, vocab: Vocabulary) -> tuple[Event, list[Problem]]:
    problems: list[Problem] = []
    raw_id = data.get("id")
    event_id = clean(str(raw_id)) if raw_id not in (None, "") else ""
    if event_id and not is_aim_id(event_id):
        raise Rejected(
            f'id "{_cut(event_id)}" is not an AIM id '
            "(expected one like 2024-02-15-7d63, or a number)"
        )
    title = data.get("title")
    if not isinstance(title, str) or not clean(title):
        raise Rejected('no title (expected a non-empty string in "title")')

    properties = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    collector = FacetCollector(vocab, file)
    for facet in vocab.facets:
        value = properties.get(facet.record_key, data.get(facet.record_key))
        for text in _texts(value):
            collector.add(facet, text, line)
    severity = collector.severity(line)

    date = None
    if data.get("date") not in (None, ""):
        date = parse_date(data["date"], "the date")

    location = data.get("location") if isinstance(data.get("location"), dict) else {}
    countries = _countries(
        _texts(location.get("country_code", data.get("country_code"))),
        _texts(location.get("country", data.get("country"))),
        collector,
        problems,
        file,
        line,
    )

    aiid: list[int] = []
    raw_aiid = data.get("aiid_ids")
    if raw_aiid is None or raw_aiid == "":
        raw_aiid = []
    elif not isinstance(raw_aiid, list):
        raw_aiid = [raw_aiid]  # one id, not in a list
    for value in raw_aiid:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
            aiid.append(value)
        elif isinstance(value, str) and _AIID.match(value.strip()):
            aiid.append(int(value.strip()))
        else:
            problems.append(
                Problem(
                    file,
                    line,
                    "warning",
                    f"AIID id {_shown(value)} is not a number; left out",
                    code="aiid-not-a-number",
                )
            )

    articles = []
    raw_articles = data.get("articles")
    if raw_articles is not None and not isinstance(raw_articles, list):
        raise Rejected('"articles" is not a list (expected a list of articles, or null)')
    for n, item in enumerate(raw_articles or [], 1):
        articles.append(_article(item, n, file, line, problems))

    event = Event(
        id=event_id,
        title=clean(title),
        severity=severity,
        file=file,
        line=line,
        form="record",
        summary=_joined(data.get("summary")),
        rationale=_joined(data.get("evidences")),
        date=date,
        countries=countries,
        aiid=sorted(set(aiid)),
        articles=dedupe_articles(articles),
    )
    collector.fill(event)
    if event.date is None:
        event.date = min((a.date for a in event.articles), default=None)
    if not event.id:
        event.id = derive_id(event.title, event.summary, event.articles)
        event.derived_id = True
    problems = collector.problems + problems
    for problem in problems:
        problem.event = event.id
    return event, problems


def _countries(
    codes: list[str],
    names: list[str],
    collector: FacetCollector,
    problems: list[Problem],
    file: str,
    line: int,
) -> list[str]:
    """ISO 3166-1 alpha-3 codes of a record's countries: from its codes, else from its names.
    A code or name that is no country is kept as aim:unmappedLabel, with a warning."""
    known = known_countries()
    found: list[str] = []

    def unmapped(text: str, reason: str, code: str) -> None:
        if text not in collector.unmapped:
            collector.unmapped.append(text)
        problems.append(Problem(file, line, "warning", reason, code=code))

    parts = [clean(p).upper() for code in codes for p in code.replace(";", ",").split(",")]
    for part in filter(None, parts):
        if ISO3.match(part) and known.get(part):
            found.append(part)
        elif ISO3.match(part):
            unmapped(
                part,
                f'country code "{part}" is not an ISO 3166-1 alpha-3 code; '
                "kept as aim:unmappedLabel",
                "not-a-country-code",
            )
        else:
            unmapped(
                part,
                f'country code "{part}" is not ISO 3166-1 alpha-3 (like "FRA"); '
                "kept as aim:unmappedLabel",
                "not-a-country-code",
            )
    if parts:
        return list(dict.fromkeys(found))  # the codes decide; names are only read without them
    for name in filter(None, (clean(n) for n in names)):
        country = known.by_name(name)
        pieces = [name]
        if country is None and ("," in name or ";" in name):
            pieces = [clean(p) for p in name.replace(";", ",").split(",") if clean(p)]
            if not all(known.by_name(p) for p in pieces):
                pieces = [name]
        for piece in pieces:
            country = known.by_name(piece)
            if country is not None:
                found.append(country.code)
                continue
            nearest = known.nearest(piece)
            hint = f'; did you mean "{nearest}"?' if nearest else ""
            unmapped(
                piece,
                f'"{piece}" is not the name of a country{hint} (kept as aim:unmappedLabel)',
                "unknown-country",
            )
    return list(dict.fromkeys(found))


_AIID = re.compile(r"^[0-9]{1,12}$")


def _cut(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _shown(value: object) -> str:
    """A JSON value in a message, cut short."""
    return _cut(repr(value))


def _is_http_iri(url: str) -> bool:
    """An absolute http(s) IRI that RDF accepts (no spaces, quotes, braces, bad escapes)."""
    if not url.startswith(("http://", "https://")):
        return False
    try:
        ox.NamedNode(url)
    except ValueError:
        return False
    return True


def _article(item: object, n: int, file: str, line: int, problems: list[Problem]) -> Article:
    where = f"article {n}"
    if not isinstance(item, dict):
        raise Rejected(f"{where} is not an object (expected title, date, publisher, url)")
    title = item.get("title")
    title = clean(title) if isinstance(title, str) else ""
    if not title:
        raise Rejected(f"{where} has no title")
    publisher = item.get("publisher")
    if isinstance(publisher, dict):
        publisher = publisher.get("name")
    publisher = clean(publisher) if isinstance(publisher, str) else ""
    if not publisher:
        raise Rejected(f'{where} ("{title[:60]}") has no publisher')
    date = parse_date(item.get("date"), f'the date of {where} ("{title[:60]}")')
    url = item.get("url")
    url = clean(url) if isinstance(url, str) and url.strip() else None
    if url and not _is_http_iri(url):
        problems.append(
            Problem(
                file,
                line,
                "warning",
                f"{where} has a url that is not an http(s) IRI ({url[:80]!r}); left out",
                code="url-not-an-iri",
            )
        )
        url = None
    return Article(
        title=title,
        date=date,
        outlet=publisher,
        url=url,
        rationale=_joined(item.get("evidences")),
        language=lang.detect(title),
    )
