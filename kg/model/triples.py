"""Model to RDF: the triples of one event (its texts and articles), of outlets, of concepts.

IRIs are minted from stable keys (the AIM id, the article's URL or outlet + date + title, the
outlet's folded name), never from counters or blank nodes, and every local name is a plain
Turtle name (``aimid:event-2024-02-15-7d63``) so that SPARQL users can write it as a prefixed
name. Types from the core ontology are materialised (an incident is also an aim:Event, an
article also a schema:NewsArticle), so queries need no inference.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from kg.countries import Countries
from kg.model.events import Article, Event, digest, fold, is_aim_id
from kg.namespaces import (
    AIID_CITE,
    AIM,
    AIM_PAGE,
    AIMID,
    AIMTAX,
    COUNTRY,
    DCTERMS,
    RDF,
    RDF_TYPE,
    SCHEMA,
    SKOS,
    XSD,
    XSD_DATE,
)
from kg.terms import Lit, Triple, Triples, text
from kg.vocab import Vocabulary

TYPE = RDF_TYPE
EVENT = AIM + "Event"
ARTICLE_TYPES = (AIM + "Article", SCHEMA + "NewsArticle")
OUTLET_TYPES = (AIM + "Outlet", SCHEMA + "NewsMediaOrganization")
GENERATED = AIM + "GeneratedText"
COOCCURRENCE = AIM + "Cooccurrence"
MACHINE = SCHEMA + "TrainedAlgorithmicMediaDigitalSource"

P_IDENTIFIER = DCTERMS + "identifier"
P_TITLE = DCTERMS + "title"
P_SEVERITY = AIM + "severity"
P_DATE = AIM + "date"
P_COUNTRY = AIM + "country"
P_URL = SCHEMA + "url"
P_AIID = AIM + "aiidIncident"
P_UNMAPPED = AIM + "unmappedLabel"
P_SUMMARY = AIM + "summary"
P_RATIONALE = AIM + "rationale"
P_ARTICLE = AIM + "article"
P_VALUE = RDF + "value"
P_SOURCE_TYPE = SCHEMA + "digitalSourceType"
P_ABOUT = SCHEMA + "about"
P_HEADLINE = SCHEMA + "headline"
P_PUBLISHED = SCHEMA + "datePublished"
P_PUBLISHER = SCHEMA + "publisher"
P_LANGUAGE = SCHEMA + "inLanguage"
P_NAME = SCHEMA + "name"
P_ALTERNATE = SCHEMA + "alternateName"
P_HAS_TOP = SKOS + "hasTopConcept"
P_BROAD_MATCH = SKOS + "broadMatch"
# Precomputed figures (docs/graph.md, "Figures"): counts the export writes so that the catalogue's
# counting queries read a value instead of aggregating the whole graph.
P_ARTICLE_COUNT = AIM + "articleCount"
P_LANGUAGE_COUNT = AIM + "languageCount"
P_ARTICLE_RATIONALE_COUNT = AIM + "articleRationaleCount"
P_PUBLISHED_COUNT = AIM + "publishedArticleCount"
P_COVERED_COUNT = AIM + "coveredEventCount"
P_CONCEPT = AIM + "concept"
P_EVENT_COUNT = AIM + "eventCount"
# The facets whose concepts are paired into co-occurrences (aim:Cooccurrence): the AI principles
# only. Every facet that takes several values (industries, stakeholders, harm types, business
# functions, AI tasks too) would cost the load's recount three times as much (0.3-0.4 s instead
# of 0.1 s at 20,000 events, where the budget is 0.3 s: docs/graph.md, "Figures").
PAIRED_FACETS = (AIM + "principle",)
_LANGSTRING = RDF + "langString"
_INTEGER = XSD + "integer"


class Minter:
    """IRIs of instances, under ``aimid:`` (which ``--base-iri`` moves)."""

    def __init__(self, base: str = AIMID):
        self.base = base

    def event(self, event_id: str) -> str:
        return f"{self.base}event-{event_id}"

    def article(self, key: str) -> str:
        return f"{self.base}article-{digest(key)}"

    def outlet(self, name: str) -> str:
        return f"{self.base}outlet-{outlet_slug(name)}"

    def cooccurrence(self, a: str, b: str) -> str:
        """The co-occurrence of two concepts, whatever their order:
        ``aimid:cooccurrence-principle-fairness--principle-transparency-explainability`` (their
        local names under ``aimtax:``, in code-point order; a slug never has two hyphens in a
        row). A concept outside ``aimtax:`` is named by a digest of its IRI."""
        first, second = sorted((_concept_name(a), _concept_name(b)))
        return f"{self.base}cooccurrence-{first}--{second}"


def _concept_name(iri: str) -> str:
    name = iri.removeprefix(AIMTAX)
    if name == iri or not name.replace("-", "").isalnum() or not name.isascii():
        return "x" + digest(iri)
    return name


def outlet_slug(name: str) -> str:
    """One slug per outlet, whatever the case, accents and spacing of its name."""
    return fold(name).replace(" ", "-") or "unnamed-" + digest(name, size=8)


@dataclass(slots=True)
class Block:
    """The triples of one event, and what the rest of the graph needs to know about them."""

    event_id: str
    iri: str
    triples: list[Triple]
    outlets: list[tuple[str, str]] = field(default_factory=list)  # (outlet IRI, spelling)
    concepts: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)  # alpha-3 codes
    published: list[tuple[str, str]] = field(default_factory=list)  # (outlet IRI, article IRI)


def _generated(iri: str, value: str, about: str) -> list[Triple]:
    return [
        (iri, TYPE, GENERATED),
        (iri, P_VALUE, Lit(value, _LANGSTRING, "en")),
        (iri, P_SOURCE_TYPE, MACHINE),
        (iri, P_ABOUT, about),
    ]


def event_block(
    event: Event, vocab: Vocabulary, minter: Minter, variants: frozenset[str] = frozenset()
) -> Block:
    """The triples of an event, its generated texts and its articles.

    ``variants`` are keys of articles that other events describe differently (another title for
    the same URL): those get an IRI of their own per description, so no node has two headlines.
    """
    s = minter.event(event.id)
    out: list[Triple] = [
        (s, TYPE, EVENT),
        (s, TYPE, vocab.class_of_severity[event.severity]),
        (s, P_IDENTIFIER, Lit(event.id)),
        (s, P_TITLE, Lit(event.title, _LANGSTRING, "en")),
        (s, P_SEVERITY, event.severity),
    ]
    concepts = {event.severity}
    for facet in vocab.facets:
        for concept in event.facets.get(facet.prop, ()):
            out.append((s, facet.prop, concept))
            concepts.add(concept)
    if event.date:
        out.append((s, P_DATE, Lit(event.date, XSD_DATE)))
    out.extend((s, P_COUNTRY, COUNTRY + code) for code in event.countries)
    if is_aim_id(event.id):
        out.append((s, P_URL, AIM_PAGE + event.id))
    out.extend((s, P_AIID, f"{AIID_CITE}{n}") for n in event.aiid)
    out.extend((s, P_UNMAPPED, Lit(label)) for label in event.unmapped)

    texts: list[Triple] = []
    if event.summary:
        node = s + "-summary"
        out.append((s, P_SUMMARY, node))
        texts += _generated(node, event.summary, s)
    if event.rationale:
        node = s + "-rationale"
        out.append((s, P_RATIONALE, node))
        texts += _generated(node, event.rationale, s)

    block = Block(event.id, s, Triples(), concepts=concepts, countries=set(event.countries))
    articles: list[Triple] = []
    for article in event.articles:
        a = _article_iri(article, minter, variants)
        out.append((s, P_ARTICLE, a))
        articles += _article_triples(a, article, s, event.id, minter, block)
    out += event_figures(s, block.published, event.articles)
    block.triples.extend(out)
    block.triples.extend(texts)
    block.triples.extend(articles)
    return block


def _article_iri(article: Article, minter: Minter, variants: frozenset[str]) -> str:
    key = article.key
    if key in variants:
        key = f"{key}\x1f{article.description}"
    return minter.article(key)


def _article_triples(
    a: str, article: Article, event: str, event_id: str, minter: Minter, block: Block
) -> list[Triple]:
    outlet = minter.outlet(article.outlet)
    block.published.append((outlet, a))
    block.outlets.append((outlet, article.outlet))
    block.outlets += [(outlet, spelling) for spelling in article.spellings]
    out = [(a, TYPE, t) for t in ARTICLE_TYPES]
    out += [
        (a, P_HEADLINE, text(article.title, article.language)),
        (a, P_PUBLISHED, Lit(article.date, XSD_DATE)),
        (a, P_PUBLISHER, outlet),
        (a, P_ABOUT, event),
    ]
    if article.url:
        out.append((a, P_URL, article.url))
    if article.language:
        out.append((a, P_LANGUAGE, Lit(article.language)))
    if article.rationale:
        node = f"{a}-rationale-{event_id}"
        out.append((a, P_RATIONALE, node))
        out += _generated(node, article.rationale, event)
    return out


def count(n: int) -> Lit:
    """A figure: an xsd:integer, as SPARQL's COUNT gives it."""
    return Lit(str(n), _INTEGER)


def event_figures(
    s: str, published: list[tuple[str, str]], articles: list[Article]
) -> list[Triple]:
    """An event's figures, all event-local (so a load that replaces the event replaces them):
    its articles (aim:articleCount, the distinct objects of aim:article), the distinct languages
    of their headlines (aim:languageCount, the distinct schema:inLanguage) and the rationales of
    its articles for it (aim:articleRationaleCount: each is a node of its own, per article and
    event). ``published`` pairs each of ``articles`` with its IRI, in order."""
    iris = [a for _, a in published]
    return [
        (s, P_ARTICLE_COUNT, count(len(set(iris)))),
        (s, P_LANGUAGE_COUNT, count(len({x.language for x in articles if x.language}))),
        (
            s,
            P_ARTICLE_RATIONALE_COUNT,
            count(len({a for a, x in zip(iris, articles, strict=True) if x.rationale})),
        ),
    ]


class OutletFigures:
    """Every outlet's figures, counted across events as their blocks come (in the main process,
    which sees them all): the events it covered (aim:coveredEventCount: the events one of its
    articles is about) and the distinct articles it published (aim:publishedArticleCount)."""

    def __init__(self) -> None:
        self._events: Counter = Counter()
        self._articles: dict[str, set] = defaultdict(set)

    def add(self, published: Iterable[tuple[str, str]]) -> None:
        """The (outlet, article) pairs of one event's block."""
        outlets = set()
        for outlet, article in published:
            outlets.add(outlet)
            self._articles[outlet].add(_article_key(article))
        self._events.update(outlets)

    def of(self, outlet: str) -> tuple[int, int]:
        """(events covered, articles published)."""
        return self._events[outlet], len(self._articles.get(outlet, ()))


def _article_key(iri: str) -> int | str:
    # An article IRI ends in "-" and 16 hex digits (Minter.article): kept as an int, a third of
    # the memory of the string (and as fast to hash).
    if iri[-17:-16] == "-":
        try:
            return int(iri[-16:], 16)
        except ValueError:
            pass
    return iri


class Cooccurrences:
    """How many events carry each pair of concepts of one scheme (aim:Cooccurrence), counted as
    the events' blocks come (in the main process, which sees them all), for the schemes of the
    PAIRED_FACETS. Memory: one counter per pair of concepts, whatever the number of events."""

    def __init__(self, vocab: Vocabulary) -> None:
        schemes = {vocab.facet_by_prop[prop].scheme for prop in PAIRED_FACETS}
        self._scheme = {c.iri: c.scheme for c in vocab.concepts.values() if c.scheme in schemes}
        self._pairs: Counter = Counter()

    def add(self, concepts: Iterable[str]) -> None:
        """The concepts of one event (its facet values)."""
        by_scheme: dict[str, list[str]] = defaultdict(list)
        for concept in concepts:
            scheme = self._scheme.get(concept)
            if scheme is not None:
                by_scheme[scheme].append(concept)
        for members in by_scheme.values():
            self._pairs.update(combinations(sorted(set(members)), 2))

    def counts(self) -> dict[tuple[str, str], int]:
        """{(concept, concept): events}, each pair once, its concepts in code-point order."""
        return dict(self._pairs)


def cooccurrence_block(minter: Minter, counts: dict[tuple[str, str], int]) -> list[Triple]:
    """A node per pair of concepts that co-occur on at least one event, in IRI order: its two
    concepts (aim:concept) and the number of events that carry both (aim:eventCount)."""
    nodes = sorted((minter.cooccurrence(a, b), a, b, n) for (a, b), n in counts.items() if n > 0)
    out: list[Triple] = []
    for iri, a, b, n in nodes:
        out += [
            (iri, TYPE, COOCCURRENCE),
            (iri, P_CONCEPT, a),
            (iri, P_CONCEPT, b),
            (iri, P_EVENT_COUNT, count(n)),
        ]
    return out


def outlet_stubs(outlets: Iterable[str]) -> list[Triple]:
    """The types of outlets, which an event's articles refer to (for validating one event)."""
    return [(o, TYPE, t) for o in sorted(set(outlets)) for t in OUTLET_TYPES]


def outlet_block(iri: str, spellings: dict[str, int], figures: tuple[int, int]) -> list[Triple]:
    """One outlet: its display name is the most frequent spelling (ties by sort order), every
    other spelling an alternate name; its figures, (events covered, articles published)."""
    ranked = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))
    out = [(iri, TYPE, t) for t in OUTLET_TYPES]
    out.append((iri, P_NAME, Lit(ranked[0][0])))
    out += [(iri, P_ALTERNATE, Lit(name)) for name, _ in sorted(ranked[1:])]
    out += [(iri, P_COVERED_COUNT, count(figures[0])), (iri, P_PUBLISHED_COUNT, count(figures[1]))]
    return out


def country_block(codes: Iterable[str], countries: Countries) -> list[Triple]:
    """The countries an export uses, each with its labels and alpha-3 notation, by code."""
    out: list[Triple] = []
    for code in sorted(set(codes)):
        out += countries.triples(code)
    return out


def concept_block(used: Iterable[str], vocab: Vocabulary) -> list[Triple]:
    """The concepts an export uses, the OECD principles they broadly match, and their schemes,
    each with its labels and matches, so that the export answers label queries on its own."""
    concepts = set(used)
    for iri in list(concepts):
        for target in vocab.graph.objects(iri, P_BROAD_MATCH):
            if target in vocab.concepts:
                concepts.add(target)
    schemes = {vocab.concepts[c].scheme for c in concepts}
    out: list[Triple] = []
    for scheme in sorted(schemes):
        for t in vocab.concept_triples(scheme):
            if t[1] == P_HAS_TOP and t[2] not in concepts:
                continue
            out.append(t)
    for concept in sorted(concepts):
        out += vocab.concept_triples(concept)
    return out
