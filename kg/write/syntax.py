"""The N-Triples and Turtle text of terms and triples, as Oxigraph writes it, made in Python.

Oxigraph serializes two million triples in a second once they are pyoxigraph terms, but making
those terms from aim-kg's plain ones (kg/terms.py) costs several times that. So the writers of
N-Triples, N-Quads and Turtle format terms here, with caches for the IRIs that recur (predicates,
classes, concepts, outlets): the frequent simple cases are formatted in Python, and every other
case (an IRI's first appearance, whose validity Oxigraph checks; a local name that Turtle needs
escapes for; a typed literal) is asked of Oxigraph once and cached. The text is Oxigraph's byte
for byte (tests/test_syntax.py compares them on hostile strings and on whole exports), so the
files are the same as when Oxigraph wrote them, and as valid.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.namespaces import RDF_TYPE, XSD_STRING
from kg.terms import BNode, Lit, Term, Triple, to_ox

# Characters a quoted string escapes (Oxigraph's choice: ECHAR where one exists, else \\uXXXX).
_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)}
_ESCAPES.update(
    {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
# A Turtle local name that Oxigraph writes as it is (no escapes), after its prefix.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")
# How many IRIs each cache keeps before it starts again (memory must not grow with the corpus:
# what recurs across events, predicates, classes, concepts, outlets, is a few thousand IRIs).
_CACHE = 20_000
_S, _P = ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p")


def quoted(value: str) -> str:
    """A string in double quotes, escaped as Oxigraph escapes it."""
    if _NEEDS_ESCAPE.search(value):
        value = value.translate(_ESCAPES)
    return f'"{value}"'


class NTriplesText:
    """N-Triples (and N-Quads) lines of triples."""

    def __init__(self) -> None:
        self._iris: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        text = self._iris.get(iri)
        if text is None:
            if len(self._iris) >= _CACHE:
                self._iris.clear()
            text = self._iris[iri] = str(ox.NamedNode(iri))  # raises if it is not an IRI
        return text

    def term(self, term: Term) -> str:
        if type(term) is str:
            return self._iris.get(term) or self.iri(term)
        if isinstance(term, Lit):
            value, datatype, language = term
            if language is not None:
                if _TAG.fullmatch(language):
                    return f"{quoted(value)}@{language}"
                return str(to_ox(term))
            if datatype == XSD_STRING:
                return quoted(value)
            return f"{quoted(value)}^^{self.iri(datatype)}"
        return str(ox.BlankNode(str(term)))

    def lines(self, triples: list[Triple], graph: str | None = None) -> str:
        iris, term = self._iris, self.term
        end = f" {self.iri(graph)} .\n" if graph is not None else " .\n"
        out = []
        for s, p, o in triples:
            out.append(
                f"{iris.get(s) or term(s)} {iris.get(p) or self.iri(p)} "
                f"{iris.get(o) or term(o) if type(o) is str else term(o)}{end}"
            )
        return "".join(out)


# A language tag Oxigraph writes as it is (already lower case: kg.terms.text lowers it).
_TAG = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*")


class TurtleText:
    """Turtle statements of triples, with the given prefixes (declared elsewhere, once).

    Prefixed names are not namespaces.PrefixMap's (which the JSON-LD context and messages use):
    here they must be Oxigraph's choice byte for byte (which prefix, which escapes), so only an
    IRI under one prefix with a plain local name is shortened here; Oxigraph is asked the rest.
    """

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = dict(prefixes)
        # Namespaces no other namespace starts or ends inside: an IRI cut at its last / or #
        # that gives one of these is under that prefix only.
        self._alone = {
            ns: name
            for name, ns in self.prefixes.items()
            if not any(
                o != ns and (o.startswith(ns) or ns.startswith(o)) for o in prefixes.values()
            )
        }
        self._iris: dict[str, str] = {}
        self._literals: dict[Lit, str] = {}  # typed literals (dates...), as Oxigraph writes them

    def _oxigraph(self, term) -> str:
        """The Turtle form Oxigraph gives a term, in the object place of a triple."""
        data = ox.serialize(
            [ox.Triple(_S, _P, term)], format=ox.RdfFormat.TURTLE, prefixes=self.prefixes
        ).decode("utf-8")
        last = data.rstrip("\n").rsplit("\n", 1)[-1]
        return last[len("<urn:x:s> <urn:x:p> ") : -len(" .")]

    def iri(self, iri: str) -> str:
        text = self._iris.get(iri)
        if text is not None:
            return text
        if len(self._iris) >= _CACHE:
            self._iris.clear()
        node = ox.NamedNode(iri)  # raises if it is not an IRI
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        name = self._alone.get(iri[:cut])
        if name is not None and _PLAIN_LOCAL.fullmatch(iri, cut):
            text = f"{name}:{iri[cut:]}"
            self._iris[iri] = text
            return text
        matches = [(n, iri[len(ns) :]) for n, ns in self.prefixes.items() if iri.startswith(ns)]
        if len(matches) == 1 and _PLAIN_LOCAL.fullmatch(matches[0][1]):
            text = f"{matches[0][0]}:{matches[0][1]}"
        elif not matches:
            text = str(node)
        else:
            text = self._oxigraph(node)
        self._iris[iri] = text
        return text

    def term(self, term: Term) -> str:
        if type(term) is str:
            return self._iris.get(term) or self.iri(term)
        value, datatype, language = term
        if language is not None and _TAG.fullmatch(language):
            return f"{quoted(value)}@{language}"
        if datatype == XSD_STRING:
            return quoted(value)
        text = self._literals.get(term)
        if text is None:
            if len(self._literals) >= _CACHE:
                self._literals.clear()
            text = self._literals[term] = self._oxigraph(to_ox(term))
        return text

    def statements(self, triples: list[Triple]) -> str | None:
        """The triples as Turtle, a statement per run of triples with the same subject (None
        when they hold a blank node, whose form is Oxigraph's to choose)."""
        iris, term = self._iris, self.term
        out: list[str] = []
        subject = predicate = None
        for s, p, o in triples:
            if type(s) is not str or isinstance(o, BNode):
                return None
            obj = iris.get(o) or term(o) if type(o) is str else term(o)
            if s != subject:
                if subject is not None:
                    out.append(" .\n")
                out.append(iris.get(s) or self.iri(s))
                out.append(" ")
                out.append("a" if p == RDF_TYPE else iris.get(p) or self.iri(p))
                subject, predicate = s, p
            elif p != predicate:
                out.append(" ;\n\t")
                out.append("a" if p == RDF_TYPE else iris.get(p) or self.iri(p))
                predicate = p
            else:
                out.append(" ,")
            out.append(" ")
            out.append(obj)
        if subject is not None:
            out.append(" .\n")
        return "".join(out)
