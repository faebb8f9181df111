"""Model to RDF: the triples of one event (its texts and articles), of outlets, of concepts.

IRIs are minted from stable keys (the AIM id, the article's URL or outlet + date + title, the
outlet's folded name), never from counters or blank nodes, and every local name is a plain
Turtle name (``aimid:event-2024-02-15-7d63``) so that SPARQL users can write it as a prefixed
name. Types from the core ontology are materialised (an incident is also an aim:Event, an
article also a schema:NewsArticle), so queries need no inference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from kg.model import Article, Event, digest, fold, is_aim_id
from kg.namespaces import (
    AIID_CITE,
    AIM,
    AIM_PAGE,
    AIMID,
    COUNTRY,
    DCTERMS,
    RDF,
    RDF_TYPE,
    SCHEMA,
    SKOS,
    XSD_DATE,
)
from kg.vocab import Vocabulary

N = ox.NamedNode
T = ox.Triple
# IRIs that recur from event to event (concepts, classes, outlets, countries), made once.
_named = lru_cache(maxsize=1 << 14)(ox.NamedNode)

TYPE = N(RDF_TYPE)
EVENT = N(AIM + "Event")
ARTICLE_TYPES = (N(AIM + "Article"), N(SCHEMA + "NewsArticle"))
OUTLET_TYPES = (N(AIM + "Outlet"), N(SCHEMA + "NewsMediaOrganization"))
GENERATED = N(AIM + "GeneratedText")
MACHINE = N(SCHEMA + "TrainedAlgorithmicMediaDigitalSource")
XSD_DATE_NODE = N(XSD_DATE)

P_IDENTIFIER = N(DCTERMS + "identifier")
P_TITLE = N(DCTERMS + "title")
P_SEVERITY = N(AIM + "severity")
P_DATE = N(AIM + "date")
P_COUNTRY = N(AIM + "country")
P_URL = N(SCHEMA + "url")
P_AIID = N(AIM + "aiidIncident")
P_UNMAPPED = N(AIM + "unmappedLabel")
P_SUMMARY = N(AIM + "summary")
P_RATIONALE = N(AIM + "rationale")
P_ARTICLE = N(AIM + "article")
P_VALUE = N(RDF + "value")
P_SOURCE_TYPE = N(SCHEMA + "digitalSourceType")
P_ABOUT = N(SCHEMA + "about")
P_HEADLINE = N(SCHEMA + "headline")
P_PUBLISHED = N(SCHEMA + "datePublished")
P_PUBLISHER = N(SCHEMA + "publisher")
P_LANGUAGE = N(SCHEMA + "inLanguage")
P_NAME = N(SCHEMA + "name")
P_ALTERNATE = N(SCHEMA + "alternateName")
P_HAS_TOP = N(SKOS + "hasTopConcept")
P_IN_SCHEME = N(SKOS + "inScheme")
P_BROAD_MATCH = N(SKOS + "broadMatch")


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


def outlet_slug(name: str) -> str:
    """One slug per outlet, whatever the case, accents and spacing of its name."""
    return fold(name).replace(" ", "-") or "unnamed-" + digest(name, size=8)


@dataclass(slots=True)
class Block:
    """The triples of one event, and what the rest of the graph needs to know about them."""

    event_id: str
    iri: str
    triples: list[ox.Triple]
    outlets: list[tuple[str, str]] = field(default_factory=list)  # (outlet IRI, spelling)
    concepts: set[str] = field(default_factory=set)


def _generated(iri: N, text: str, about: N) -> list[ox.Triple]:
    return [
        T(iri, TYPE, GENERATED),
        T(iri, P_VALUE, ox.Literal(text, language="en")),
        T(iri, P_SOURCE_TYPE, MACHINE),
        T(iri, P_ABOUT, about),
    ]


def event_block(
    event: Event, vocab: Vocabulary, minter: Minter, variants: frozenset[str] = frozenset()
) -> Block:
    """The triples of an event, its generated texts and its articles.

    ``variants`` are keys of articles that other events describe differently (another title for
    the same URL): those get an IRI of their own per description, so no node has two headlines.
    """
    iri = minter.event(event.id)
    s = N(iri)
    out: list[ox.Triple] = [
        T(s, TYPE, EVENT),
        T(s, TYPE, _named(vocab.class_of_severity[event.severity])),
        T(s, P_IDENTIFIER, ox.Literal(event.id)),
        T(s, P_TITLE, ox.Literal(event.title, language="en")),
        T(s, P_SEVERITY, _named(event.severity)),
    ]
    concepts = {event.severity}
    for facet in vocab.facets:
        for concept in event.facets.get(facet.prop, ()):
            out.append(T(s, _named(facet.prop), _named(concept)))
            concepts.add(concept)
    if event.date:
        out.append(T(s, P_DATE, ox.Literal(event.date, datatype=XSD_DATE_NODE)))
    out.extend(T(s, P_COUNTRY, _named(COUNTRY + code)) for code in event.countries)
    if is_aim_id(event.id):
        out.append(T(s, P_URL, N(AIM_PAGE + event.id)))
    out.extend(T(s, P_AIID, N(f"{AIID_CITE}{n}")) for n in event.aiid)
    out.extend(T(s, P_UNMAPPED, ox.Literal(label)) for label in event.unmapped)

    texts: list[ox.Triple] = []
    if event.summary:
        node = N(iri + "-summary")
        out.append(T(s, P_SUMMARY, node))
        texts += _generated(node, event.summary, s)
    if event.rationale:
        node = N(iri + "-rationale")
        out.append(T(s, P_RATIONALE, node))
        texts += _generated(node, event.rationale, s)

    block = Block(event.id, iri, out, concepts=concepts)
    articles: list[ox.Triple] = []
    for article in event.articles:
        a = N(_article_iri(article, minter, variants))
        out.append(T(s, P_ARTICLE, a))
        articles += _article_triples(a, article, s, event.id, minter, block)
    out.extend(texts)
    out.extend(articles)
    return block


def _article_iri(article: Article, minter: Minter, variants: frozenset[str]) -> str:
    key = article.key
    if key in variants:
        key = f"{key}\x1f{article.description}"
    return minter.article(key)


def _article_triples(
    a: N, article: Article, event: N, event_id: str, minter: Minter, block: Block
) -> list[ox.Triple]:
    outlet = minter.outlet(article.outlet)
    block.outlets.append((outlet, article.outlet))
    headline = (
        ox.Literal(article.title, language=article.language)
        if article.language
        else ox.Literal(article.title)
    )
    out = [T(a, TYPE, t) for t in ARTICLE_TYPES]
    out += [
        T(a, P_HEADLINE, headline),
        T(a, P_PUBLISHED, ox.Literal(article.date, datatype=XSD_DATE_NODE)),
        T(a, P_PUBLISHER, _named(outlet)),
        T(a, P_ABOUT, event),
    ]
    if article.url:
        out.append(T(a, P_URL, N(article.url)))
    if article.language:
        out.append(T(a, P_LANGUAGE, ox.Literal(article.language)))
    if article.rationale:
        node = N(f"{a.value}-rationale-{event_id}")
        out.append(T(a, P_RATIONALE, node))
        out += _generated(node, article.rationale, event)
    return out


def outlet_stubs(outlets: Iterable[str]) -> list[ox.Triple]:
    """The types of outlets, which an event's articles refer to (for validating one event)."""
    return [T(N(o), TYPE, t) for o in sorted(set(outlets)) for t in OUTLET_TYPES]


def outlet_block(iri: str, spellings: dict[str, int]) -> list[ox.Triple]:
    """One outlet: its display name is the most frequent spelling (ties by sort order), every
    other spelling an alternate name."""
    ranked = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))
    s = N(iri)
    out = [T(s, TYPE, t) for t in OUTLET_TYPES]
    out.append(T(s, P_NAME, ox.Literal(ranked[0][0])))
    out += [T(s, P_ALTERNATE, ox.Literal(name)) for name, _ in sorted(ranked[1:])]
    return out


def concept_block(used: Iterable[str], vocab: Vocabulary) -> list[ox.Triple]:
    """The concepts an export uses, the OECD principles they broadly match, and their schemes,
    each with its labels and matches, so that the export answers label queries on its own."""
    concepts = set(used)
    for iri in list(concepts):
        for target in vocab.graph.objects(N(iri), P_BROAD_MATCH):
            if target.value in vocab.concepts:
                concepts.add(target.value)
    schemes = {vocab.concepts[c].scheme for c in concepts}
    out: list[ox.Triple] = []
    for scheme in sorted(schemes):
        for t in vocab.concept_triples(scheme):
            if t.predicate == P_HAS_TOP and t.object.value not in concepts:
                continue
            out.append(t)
    for concept in sorted(concepts):
        out += vocab.concept_triples(concept)
    return out
