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

from kg.namespaces import RDF_TYPE, PrefixMap
from kg.namespaces import XSD_STRING as _XSD_STRING
from kg.terms import Lit, Term, Triple
from kg.write import Writer

# How many IRIs the compactor remembers before it starts again (memory must not grow with the
# corpus; outlets, concepts and predicates recur, an article's IRI a few times in one event).
_CACHE = 20_000


class Compactor:
    def __init__(self, context: dict):
        self.map = PrefixMap(
            {
                term: definition
                for term, definition in context.items()
                if isinstance(definition, str) and definition.endswith(("/", "#"))
            }
        )
        self.expand = self.map.expand
        self._iris: dict[str, str] = {}  # IRI -> compact IRI, for the IRIs that recur
        self.terms: dict[str, tuple[str, dict]] = {}  # predicate IRI -> (term, definition)
        self.classes: dict[str, str] = {}
        self._predicates: dict[str, tuple[str, dict]] = {}
        for term, definition in context.items():
            if isinstance(definition, str):
                iri = self.expand(definition)
                if not definition.endswith(("/", "#")):
                    self.classes[iri] = term
                    self.terms.setdefault(iri, (term, {}))
            else:
                self.terms[self.expand(definition["@id"])] = (term, definition)

    def iri(self, iri: str) -> str:
        """A compact IRI (prefix:local), or the IRI itself."""
        compact = self._iris.get(iri)
        if compact is None:
            if len(self._iris) >= _CACHE:
                self._iris.clear()
            compact = self._iris[iri] = self.map.compact(iri)
        return compact

    def value(self, term: Term, definition: dict):
        coercion = definition.get("@type")
        if not isinstance(term, Lit):
            compact = self._iris.get(term) or self.iri(term)
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
        predicates = self._predicates
        value = self.value
        for subject, entries in by_subject.items():
            node: dict = {"@id": self.iri(subject)}
            types: list[str] = []
            properties: dict[str, list] = {}
            for predicate, o in entries:
                if predicate == RDF_TYPE:
                    types.append(classes.get(o) or self.iri(o))
                    continue
                key, definition = predicates.get(predicate) or self._predicate(predicate)
                values = properties.get(key)
                if values is None:
                    values = properties[key] = []
                values.append(value(o, definition))
            if types:
                node["@type"] = types[0] if len(types) == 1 else types
            for key in sorted(properties):
                values = properties[key]
                node[key] = values[0] if len(values) == 1 else values
            out.append(node)
        return out


# One encoder for every node (json.dumps with options makes a new one per call).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class JsonLd(Writer):
    name = "jsonld"
    extension = ".jsonld"
    media_type = "application/ld+json"
    aliases = ("json-ld",)
    order = 2

    def __init__(self, prefixes: dict[str, str], context: dict):
        super().__init__(prefixes, context)
        self.compactor = Compactor(context)

    def header(self) -> bytes:
        text = json.dumps({"@context": self.context}, ensure_ascii=False, indent=1, sort_keys=True)
        return (text[:-2] + ',\n "@graph": [\n').encode("utf-8")

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        return ",\n".join(_dumps(node) for node in self.compactor.nodes(triples)).encode("utf-8")

    def separator(self) -> bytes:
        return b",\n"

    def footer(self) -> bytes:
        return b"\n ]\n}\n"


WRITER = JsonLd
