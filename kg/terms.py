"""RDF terms as plain Python values: the currency between the steps.

An IRI is a ``str``, a blank node a ``BNode`` (a ``str`` subclass), a literal a ``Lit`` (value,
datatype, language); a triple is a 3-tuple. Validation and JSON-LD compaction look terms up
millions of times, and plain values hash and compare fast (Python caches a string's hash), where a
pyoxigraph term is a call into Rust each time. pyoxigraph terms are made only to serialize and
parse, by ``to_ox`` and ``from_ox``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg.namespaces import RDF_LANGSTRING, XSD_STRING


class BNode(str):
    """A blank node, by its label."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: its lexical value, datatype IRI and language tag (for rdf:langString)."""

    value: str
    datatype: str = XSD_STRING
    language: str | None = None


Term = str | Lit
Triple = tuple[str, str, Term]


def is_iri(term: Term) -> bool:
    """An IRI: a str that is not a blank node."""
    return isinstance(term, str) and not isinstance(term, BNode)


def text(value: str, language: str | None = None) -> Lit:
    """A plain string, or a language-tagged one."""
    if language:
        return Lit(value, RDF_LANGSTRING, language.lower())
    return Lit(value)


def typed(value: str, datatype: str) -> Lit:
    return Lit(value, datatype)


def from_ox(term) -> Term:
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language is not None:
        return Lit(term.value, RDF_LANGSTRING, term.language)
    return Lit(term.value, term.datatype.value)


_NAMED: dict[str, ox.NamedNode] = {}


def _named(iri: str) -> ox.NamedNode:
    node = _NAMED.get(iri)
    if node is None:
        if len(_NAMED) > 50_000:
            _NAMED.clear()
        node = _NAMED[iri] = ox.NamedNode(iri)
    return node


def to_ox(term: Term):
    if isinstance(term, Lit):
        if term.language is not None:
            return ox.Literal(term.value, language=term.language)
        if term.datatype == XSD_STRING:
            return ox.Literal(term.value)
        return ox.Literal(term.value, datatype=_named(term.datatype))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return _named(term)


class Triples(list):
    """Triples, with their pyoxigraph form made once for all the formats that need it."""

    __slots__ = ("_ox",)

    def as_ox(self) -> list[ox.Triple]:
        try:
            return self._ox
        except AttributeError:
            self._ox = _convert(self)
            return self._ox


def _convert(triples: Iterable[Triple]) -> list[ox.Triple]:
    """pyoxigraph triples; a node that recurs (a subject, an IRI object) is made once."""
    local: dict = {}
    out = []
    for s, p, o in triples:
        subject = local.get(s)
        if subject is None:
            subject = local[s] = to_ox(s)
        if type(o) is str:  # an IRI (blank nodes and literals go through to_ox)
            obj = local.get(o)
            if obj is None:
                obj = local[o] = _named(o)
        else:
            obj = to_ox(o)
        out.append(ox.Triple(subject, _named(p), obj))
    return out


def ox_triples(triples: Iterable[Triple]) -> list[ox.Triple]:
    if isinstance(triples, Triples):
        return triples.as_ox()
    return _convert(triples)


def parse(source: Path | str | bytes, format: ox.RdfFormat | None = None) -> list[Triple]:
    """The triples of an RDF file or document (the quads of every graph, as triples)."""
    if isinstance(source, bytes):
        quads = ox.parse(source, format=format)
    else:
        quads = ox.parse(path=str(source), format=format)
    return [(from_ox(q.subject), q.predicate.value, from_ox(q.object)) for q in quads]


def serialize(triples: Iterable[Triple], format: ox.RdfFormat, **options) -> bytes:
    return ox.serialize(ox_triples(triples), format=format, **options)


def n3(term: Term) -> str:
    """The N-Triples form of a term, for messages."""
    return str(to_ox(term))
