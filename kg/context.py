"""The JSON-LD context, generated from the vocabulary: ``aim-kg context`` writes it.

Terms are the local names of the properties and classes the graph uses: every class and
property the ontology declares, every path of the data shapes, and every predicate the taxonomy
puts on concepts and schemes. A term's coercion comes from the same files: ``@id`` for
properties whose values are IRIs (an object property, or a shape asking for an IRI, a class or a
node), the datatype for a single datatype (``xsd:date``), ``@language: en`` where every value
is English. ontology/context.jsonld is this function's output for the default base IRI, checked
for drift by the tests.
"""

from __future__ import annotations

import json
from collections import defaultdict

from kg import resources, terms
from kg.errors import ContextError
from kg.namespaces import (
    AIM,
    AIMID,
    OWL,
    RDF_LANGSTRING,
    RDF_TYPE,
    RDFS,
    SH,
    XSD,
    PrefixMap,
    prefixes,
)
from kg.terms import BNode, Lit
from kg.vocab import Graph, Vocabulary, vocabulary


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1]
    return iri


def build_context(base_iri: str = AIMID, vocab: Vocabulary | None = None) -> dict:
    vocab = vocab or vocabulary()
    names = prefixes(base_iri)
    compact = PrefixMap(names).compact
    g = vocab.graph
    # What each predicate's values are: "iri", a datatype IRI, or "en" (English strings).
    kinds: dict[str, set[str]] = defaultdict(set)
    classes: set[str] = set()

    for s, preds in g.out.items():
        types = set(preds.get(RDF_TYPE, ()))
        if isinstance(s, (Lit, BNode)) or not s.startswith(AIM):
            continue
        if OWL + "Class" in types:
            classes.add(s)
        if OWL + "ObjectProperty" in types:
            kinds[s].add("iri")
        if OWL + "DatatypeProperty" in types:
            for r in preds.get(RDFS + "range", ()):
                kinds[s].add(r)

    shapes = Graph(terms.parse(resources.data_shapes()))
    for preds in shapes.out.values():
        for path in preds.get(SH + "path", ()):
            if isinstance(path, BNode):
                continue
            kind = kinds[path]
            if any(SH + k in preds for k in ("class", "node")):
                kind.add("iri")
            for node_kind in preds.get(SH + "nodeKind", ()):
                if node_kind == SH + "IRI":
                    kind.add("iri")
            for value in preds.get(SH + "hasValue", ()):
                kind.add(value.datatype if isinstance(value, Lit) else "iri")
            for datatype in preds.get(SH + "datatype", ()):
                kind.add(datatype)
            if SH + "languageIn" in preds:
                kind.add("en")

    # Predicates on concepts and schemes, which exports carry.
    concept_nodes = set(vocab.concepts) | {c.scheme for c in vocab.concepts.values()}
    for node in concept_nodes:
        for p, values in g.out.get(node, {}).items():
            if p == RDF_TYPE:
                continue
            for value in values:
                if not isinstance(value, Lit):
                    kinds[p].add("iri")
                elif value.language == "en":
                    kinds[p].add("en")
                else:
                    kinds[p].add(value.datatype)
        classes.update(g.out.get(node, {}).get(RDF_TYPE, ()))

    context: dict = dict(sorted(names.items()))
    used: dict[str, str] = {}

    def claim(term: str, iri: str) -> None:
        if term in used and used[term] != iri:
            raise ContextError(f"term {term!r} would name both {used[term]} and {iri}")
        if term in names:
            raise ContextError(f"term {term!r} is also a prefix")
        used[term] = iri

    for iri in sorted(classes):
        term = _local(iri)
        claim(term, iri)
        context[term] = compact(iri, names)
    for iri in sorted(kinds):
        if iri in (RDF_TYPE,):
            continue
        term = _local(iri)
        claim(term, iri)
        definition: dict = {"@id": compact(iri, names)}
        kind = kinds[iri] - {RDF_LANGSTRING}
        if kind == {"iri"}:
            definition["@type"] = "@id"
        elif kind == {"en"}:
            definition["@language"] = "en"
        elif len(kind) == 1 and next(iter(kind)).startswith(XSD) and kind != {XSD + "string"}:
            definition["@type"] = compact(next(iter(kind)), names)
        context[term] = definition
    return context


def context_document(base_iri: str = AIMID) -> str:
    """The text of ontology/context.jsonld."""
    return json.dumps({"@context": build_context(base_iri)}, ensure_ascii=False, indent=2) + "\n"
