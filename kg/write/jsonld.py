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

from kg.namespaces import RDF_TYPE
from kg.namespaces import XSD_STRING as _XSD_STRING
from kg.terms import Lit, Term, Triple


class Compactor:
    def __init__(self, context: dict):
        self.prefixes: list[tuple[str, str]] = []
        self.terms: dict[str, tuple[str, dict]] = {}  # predicate IRI -> (term, definition)
        self.classes: dict[str, str] = {}
        for term, definition in context.items():
            if isinstance(definition, str) and definition.endswith(("/", "#")):
                self.prefixes.append((definition, term))
        self.prefixes.sort(key=lambda item: -len(item[0]))
        self._by_namespace = dict(self.prefixes)
        self._predicates: dict[str, tuple[str, dict]] = {}
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
        # Most IRIs end in a local name after the namespace's last '#' or '/'.
        for sep in ("#", "/"):
            cut = iri.rfind(sep) + 1
            name = self._by_namespace.get(iri[:cut]) if cut else None
            if name is not None and cut < len(iri):
                return f"{name}:{iri[cut:]}"
        for namespace, name in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                rest = iri[len(namespace) :]
                if not rest.startswith("//"):
                    return f"{name}:{rest}"
        return iri

    def value(self, term: Term, definition: dict):
        coercion = definition.get("@type")
        if not isinstance(term, Lit):
            compact = self.iri(term)
            return compact if coercion == "@id" else {"@id": compact}
        value, datatype, language = term
        if language is not None:
            if coercion is None and definition.get("@language") == language:
                return value
            return {"@value": value, "@language": language}
        if datatype == _XSD_STRING:
            if coercion is None and "@language" not in definition:
                return value
            return {"@value": value}
        if coercion is not None and self.expand(coercion) == datatype:
            return value
        return {"@value": value, "@type": self.iri(datatype)}

    def _predicate(self, predicate: str) -> tuple[str, dict]:
        found = self._predicates.get(predicate)
        if found is None:
            term, definition = self.terms.get(predicate, (None, {}))
            found = self._predicates[predicate] = (term or self.iri(predicate), definition)
        return found

    def nodes(self, triples: list[Triple]) -> list[dict]:
        """Node objects, one per subject, in order of first appearance."""
        by_subject: dict = {}
        for s, p, o in triples:
            entries = by_subject.get(s)
            if entries is None:
                entries = by_subject[s] = []
            entries.append((p, o))
        out = []
        classes = self.classes
        for subject, entries in by_subject.items():
            node: dict = {"@id": self.iri(subject)}
            types: list[str] = []
            properties: dict[str, list] = {}
            for predicate, o in entries:
                if predicate == RDF_TYPE:
                    types.append(classes.get(o) or self.iri(o))
                    continue
                key, definition = self._predicate(predicate)
                values = properties.get(key)
                if values is None:
                    values = properties[key] = []
                values.append(self.value(o, definition))
            if types:
                node["@type"] = types[0] if len(types) == 1 else types
            for key in sorted(properties):
                values = properties[key]
                node[key] = values[0] if len(values) == 1 else values
            out.append(node)
        return out


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


def block(triples: list[Triple], prefixes: dict[str, str], context: dict) -> bytes:
    compactor = _compactor(context)
    return ",\n".join(_dumps(node) for node in compactor.nodes(triples)).encode("utf-8")


def separator() -> bytes:
    return b",\n"


def footer() -> bytes:
    return b"\n ]\n}\n"
