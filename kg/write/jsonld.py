"""JSON-LD (application/ld+json, .jsonld): compact, with the project's context inline.

The document is ``{"@context": {...}, "@graph": [...]}`` with one node object per line, so it
parses offline and diffs line by line. Compaction here is the subset of the JSON-LD compaction
algorithm that this graph needs (no blank nodes, lists or nested graphs), driven entirely by the
generated context (kg/context.py): each predicate has one term, a value that fits the term's
coercion is a plain string, any other is a value object. pyld runs JSON-LD's own compaction far
too slowly for the whole monitor; the tests expand every export with pyld and demand the same
triples as the Turtle.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE


class Compactor:
    def __init__(self, context: dict):
        self.prefixes: list[tuple[str, str]] = []
        self.terms: dict[str, tuple[str, dict]] = {}  # predicate IRI -> (term, definition)
        self.classes: dict[str, str] = {}
        for term, definition in context.items():
            if isinstance(definition, str) and definition.endswith(("/", "#")):
                self.prefixes.append((definition, term))
        self.prefixes.sort(key=lambda item: -len(item[0]))
        for term, definition in context.items():
            if isinstance(definition, str):
                iri = self.expand(definition)
                if not definition.endswith(("/", "#")):
                    self.classes[iri] = term
                    self.terms.setdefault(iri, (term, {}))
            else:
                self.terms[self.expand(definition["@id"])] = (term, definition)

    def expand(self, value: str) -> str:
        prefix, colon, rest = value.partition(":")
        if colon:
            for iri, name in self.prefixes:
                if name == prefix:
                    return iri + rest
        return value

    def iri(self, iri: str) -> str:
        """A compact IRI (prefix:local), or the IRI itself."""
        for namespace, name in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                rest = iri[len(namespace) :]
                if not rest.startswith("//"):
                    return f"{name}:{rest}"
        return iri

    def value(self, term: Term, definition: dict):
        coercion = definition.get("@type")
        if isinstance(term, ox.NamedNode):
            compact = self.iri(term.value)
            return compact if coercion == "@id" else {"@id": compact}
        if term.language is not None:
            if definition.get("@language") == term.language and coercion is None:
                return term.value
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            if coercion is None and "@language" not in definition:
                return term.value
            return {"@value": term.value}
        if coercion is not None and self.expand(coercion) == datatype:
            return term.value
        return {"@value": term.value, "@type": self.iri(datatype)}

    def nodes(self, triples: list[ox.Triple]) -> list[dict]:
        """Node objects, one per subject, in order of first appearance."""
        by_subject: dict = {}
        for t in triples:
            by_subject.setdefault(t.subject, []).append(t)
        out = []
        for subject, ts in by_subject.items():
            node: dict = {"@id": self.iri(subject.value)}
            types = [
                self.classes.get(t.object.value, self.iri(t.object.value))
                for t in ts
                if t.predicate.value == RDF_TYPE
            ]
            if types:
                node["@type"] = types[0] if len(types) == 1 else types
            properties: dict[str, list] = {}
            for t in ts:
                if t.predicate.value == RDF_TYPE:
                    continue
                term, definition = self.terms.get(t.predicate.value, (None, {}))
                key = term or self.iri(t.predicate.value)
                properties.setdefault(key, []).append(self.value(t.object, definition))
            for key in sorted(properties):
                values = properties[key]
                node[key] = values[0] if len(values) == 1 else values
            out.append(node)
        return out


Term = ox.NamedNode | ox.Literal


_COMPACTORS: dict[int, tuple[dict, Compactor]] = {}


def _compactor(context: dict) -> Compactor:
    """One compactor per context object (a run uses one context throughout)."""
    found = _COMPACTORS.get(id(context))
    if found is None or found[0] is not context:
        found = _COMPACTORS[id(context)] = (context, Compactor(context))
    return found[1]


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def header(prefixes: dict[str, str], context: dict) -> bytes:
    text = json.dumps({"@context": context}, ensure_ascii=False, indent=1, sort_keys=True)
    return (text[:-2] + ',\n "@graph": [\n').encode("utf-8")


def block(triples: list[ox.Triple], prefixes: dict[str, str], context: dict) -> bytes:
    compactor = _compactor(context)
    return ",\n".join(_dumps(node) for node in compactor.nodes(triples)).encode("utf-8")


def separator() -> bytes:
    return b",\n"


def footer() -> bytes:
    return b"\n ]\n}\n"
