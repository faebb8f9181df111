"""Validation against the SHACL shapes: compiled for speed, checked against pySHACL.

The shapes in shapes/aim-shapes.ttl are the only source of truth. This module reads them and
compiles each SHACL Core constraint they use into a small Python check, evaluated with RDFS
inference over the ontology (subclasses, subproperties, domains and ranges), as pySHACL does with
``inference="rdfs"`` and the ontology as ``ont_graph``. A shape using anything this compiler does
not know is refused when the shapes are loaded, so the fast path cannot silently mean less than
the shapes say; tests run pySHACL and this module over the same data and demand the same results.
Each shape then gets an evaluation function written for it (Shape.generate: its constants and
common constraints inline, a third less time than the generic method, whose results it must equal).

Validating one event at a time is what makes validation cheap: an event's triples plus the types
of the outlets they cite are its whole neighbourhood for every shape aim-kg has.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar

from kg import resources, terms
from kg.namespaces import RDF, RDF_LANGSTRING, RDF_TYPE, SH, XSD
from kg.terms import BNode, Lit, Term, Triple, is_iri
from kg.vocab import Graph, Vocabulary, vocabulary


@dataclass(frozen=True, slots=True)
class Result:
    """One validation result, as SHACL reports it."""

    focus: Term
    path: str | None
    value: Term | None
    component: str  # local name: "MinCountConstraintComponent"
    shape: Term
    severity: str  # "Violation", "Warning" or "Info"
    message: str

    @property
    def is_violation(self) -> bool:
        return self.severity == "Violation"

    def __str__(self) -> str:
        where = _short(self.focus)
        if self.path is not None:
            where += f" {_short(self.path)}"
        if self.value is not None and self.value != self.focus:
            where += f" = {_short(self.value)}"
        return f"{self.severity}: {self.message} [{where}]"


def _short(term: Term) -> str:
    if isinstance(term, Lit) and len(term.value) >= 60:
        return f'"{term.value[:57]}..."'
    return terms.n3(term)


class UnsupportedShape(Exception):
    """The shapes use a SHACL feature the compiled validator does not evaluate."""


def _lexical(term: Term) -> str:
    return term.value if isinstance(term, Lit) else term


class Inference:
    """RDFS entailment over the vocabulary, flattened for lookups: what a predicate implies about
    the types of its subject (domains) and object (ranges), subclass closures, subproperties."""

    def __init__(self, vocab: Vocabulary):
        # The types of nodes by their signature (View.types), shared by every view of a process.
        self.types_by_signature: dict[tuple, frozenset[str]] = {}

        def closed(classes) -> frozenset[str]:
            out: set[str] = set()
            for c in classes:
                out |= vocab.superclasses.get(c, {c})
            return frozenset(out)

        props = set(vocab.superproperties) | set(vocab.domains) | set(vocab.ranges)
        self.domain_types: dict[str, frozenset[str]] = {}
        self.range_types: dict[str, frozenset[str]] = {}
        for prop in props:
            supers = vocab.superproperties.get(prop, {prop})
            domains = closed(d for sup in supers for d in vocab.domains.get(sup, ()))
            ranges = closed(r for sup in supers for r in vocab.ranges.get(sup, ()))
            if domains:
                self.domain_types[prop] = domains
            if ranges:
                self.range_types[prop] = ranges
        self.superclasses: dict[str, frozenset[str]] = {
            c: frozenset(sup) for c, sup in vocab.superclasses.items()
        }
        subs: dict[str, list[str]] = defaultdict(list)
        for prop, supers in vocab.superproperties.items():
            for sup in supers:
                subs[sup].append(prop)
        self.subproperties = {p: tuple(sorted(v)) for p, v in subs.items()}

    def predicates(self, predicate: str) -> tuple[str, ...]:
        """The predicate and its subproperties: their triples are triples of the predicate."""
        return self.subproperties.get(predicate) or (predicate,)

    def types(self, data: dict | None, static: dict | None, inv: set | None) -> frozenset[str]:
        """The types of a node with these triples in the data and the vocabulary (predicate ->
        values), and these predicates pointing at it."""
        result: set[str] = set()
        for source in (data, static):
            if source:
                for t in source.get(RDF_TYPE, ()):
                    if is_iri(t):
                        result |= self.superclasses.get(t) or {t}
                for p in source:
                    result |= self.domain_types.get(p, _EMPTY)
        for p in inv or ():
            result |= self.range_types.get(p, _EMPTY)
        return frozenset(result)


_EMPTY: frozenset[str] = frozenset()
_NONE: tuple = ()
# The most node signatures whose types are remembered (View.types).
_SIGNATURES = 4096


class View:
    """A data graph for validation: some triples, over the vocabulary, with RDFS inference."""

    def __init__(
        self,
        triples: Iterable[Triple],
        vocab: Vocabulary,
        context: Iterable[Triple] = (),
    ):
        """``context`` triples are known (the types of outlets an event cites) but their
        subjects are not validated here: they are validated where they are written."""
        self.inference = _inference(vocab)
        self.out: dict = {}
        self.inv: dict = {}
        self._index(triples)
        # Literals are nodes too: RDFS range inference types them (a string given as the
        # value of aim:summary is an aim:GeneratedText to pySHACL, and fails its shape).
        self._nodes = dict.fromkeys(self.out)
        for node in self.inv:
            self._nodes.setdefault(node, None)
        context = list(context)
        for t in context:
            self._nodes.pop(t[0], None)
        self._index(context)
        self._static = vocab.graph.out
        self._types: dict = {}

    def _index(self, triples: Iterable[Triple]) -> None:
        # The values of a node's predicate are a dict used as an ordered set: adding a value
        # and testing one cost the same for the ten-thousandth article of an event as for the
        # first (a list made both linear, and an event with many articles quadratic).
        out, inv = self.out, self.inv
        self._reverse = None
        for s, p, o in triples:
            preds = out.get(s)
            if preds is None:
                preds = out[s] = {}
            values = preds.get(p)
            if values is None:
                preds[p] = {o: None}
            else:
                values[o] = None
            seen = inv.get(o)
            if seen is None:
                inv[o] = {p}
            else:
                seen.add(p)

    def nodes(self) -> Iterable[Term]:
        """Every node of the data (not of the context or vocabulary), in a stable order."""
        return self._nodes

    def values(self, node: Term, predicates: tuple[str, ...]) -> Collection[Term]:
        """Objects of a predicate (given with its subproperties) in the data and vocabulary,
        in order, without repeats (the view's own index when it can be: not to be changed)."""
        data = self.out.get(node)
        static = self._static.get(node)
        if static is None and len(predicates) == 1:
            return (data.get(predicates[0]) or _NONE) if data else _NONE
        out: dict = {}
        for source in (data, static):
            if source:
                for p in predicates:
                    for o in source.get(p, ()):
                        out[o] = None
        return out

    def inverse_values(self, node: Term, predicates: tuple[str, ...]) -> Collection[Term]:
        """Subjects that have node as the object of a predicate, in the data (an index built
        on first use, so that asking for every node costs one pass, not one pass each)."""
        if self._reverse is None:
            reverse: dict = {}
            for s, preds in self.out.items():
                for p, values in preds.items():
                    for o in values:
                        reverse.setdefault(o, {}).setdefault(p, {})[s] = None
            self._reverse = reverse
            self._position = {s: i for i, s in enumerate(self.out)}
        by_predicate = self._reverse.get(node)
        if not by_predicate:
            return []
        if len(predicates) == 1:
            return list(by_predicate.get(predicates[0], ()))
        found: dict = {}
        for p in predicates:
            found.update(by_predicate.get(p, {}))
        return sorted(found, key=self._position.__getitem__)

    def types(self, node: Term) -> frozenset[str]:
        """rdf:type with RDFS inference: explicit types, domains, ranges, superclasses."""
        cached = self._types.get(node)
        if cached is not None:
            return cached
        data, static, inv = self.out.get(node), self._static.get(node), self.inv.get(node)
        # A node's types follow from its rdf:type values, the predicates it has and those that
        # point at it (and, for a vocabulary term, the term itself): the thousands of articles
        # of a run have a handful of such signatures, and share the answer of theirs.
        signature = (
            node if static is not None else None,
            tuple(data) if data else (),
            tuple(data[RDF_TYPE]) if data and RDF_TYPE in data else (),
            tuple(inv) if inv else (),
        )
        known = self.inference.types_by_signature
        result = known.get(signature)
        if result is None:
            result = self.inference.types(data, static, inv)
            if len(known) >= _SIGNATURES:  # bounded, whatever the data
                known.clear()
            known[signature] = result
        self._types[node] = result
        return result


@cache
def _inference(vocab: Vocabulary) -> Inference:
    return Inference(vocab)


# ---------------------------------------------------------------- datatypes

_LEXICAL = {
    XSD + "date": re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$"),
    XSD + "dateTime": re.compile(
        r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"
    ),
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "boolean": re.compile(r"^(true|false|1|0)$"),
}


def _well_formed(literal: Lit, datatype: str) -> bool:
    pattern = _LEXICAL.get(datatype)
    if pattern is None:
        return True
    text = literal.value
    if not pattern.match(text):
        return False
    if datatype in (XSD + "date", XSD + "dateTime"):
        try:
            dt.date.fromisoformat(text.lstrip("-")[:10])
        except ValueError:
            return False
    return True


def _has_datatype(value: Term, datatype: str) -> bool:
    if not isinstance(value, Lit):
        return False
    if datatype == RDF_LANGSTRING:
        return value.language is not None
    if value.language is not None:
        return False
    return value.datatype == datatype and _well_formed(value, datatype)


def _lang_matches(tag: str, range_: str) -> bool:
    tag, range_ = tag.lower(), range_.lower()
    return range_ == "*" or tag == range_ or tag.startswith(range_ + "-")


def _node_kind(term: Term) -> str:
    if isinstance(term, Lit):
        return "Literal"
    return "BlankNode" if isinstance(term, BNode) else "IRI"


_NODE_KINDS = {
    "IRI": {"IRI"},
    "BlankNode": {"BlankNode"},
    "Literal": {"Literal"},
    "BlankNodeOrIRI": {"BlankNode", "IRI"},
    "BlankNodeOrLiteral": {"BlankNode", "Literal"},
    "IRIOrLiteral": {"IRI", "Literal"},
}

# ---------------------------------------------------------------- compiling the shapes

# A check takes (view, focus, value nodes) and returns its failures: (component, value) pairs.
Check = Callable[[View, Term, Collection[Term]], list[tuple[str, Term | None]]]


# Constraints that generated code tests inline, per value node x: (the failing test, component).
_INLINE_TESTS = {
    "datatype": ("not _has_datatype(x, P{k})", "DatatypeConstraintComponent"),
    "class": ("isinstance(x, Lit) or P{k} not in view.types(x)", "ClassConstraintComponent"),
    "nodeKind": ("_node_kind(x) not in P{k}", "NodeKindConstraintComponent"),
    "in": ("x not in P{k}", "InConstraintComponent"),
    "pattern": (
        "isinstance(x, BNode) or not P{k}.search(_lexical(x))",
        "PatternConstraintComponent",
    ),
}


def _evaluate_nothing(view: View, focus: Term, into: list[Result]) -> None:
    """The evaluate of a deactivated shape."""


def _conforms_always(view: View, focus: Term) -> bool:
    """The conforms of a deactivated shape."""
    return True


class Shape:
    """One compiled shape: its path (for a property shape), checks and nested property shapes."""

    def __init__(self, node: Term):
        self.node = node
        self.path: tuple[str, str] | None = None
        self.predicates: tuple[str, ...] = ()
        # A forward path of one predicate with no subproperty: the common case, read inline.
        self.single: str | None = None
        self.checks: list[tuple[str, object, Check]] = []  # (constraint, parameter, closure)
        # sh:minCount and sh:maxCount, tested inline (most shapes have one; None: none).
        self.min_count: int | None = None
        self.max_count: int | None = None
        self.properties: list[Shape] = []
        self.severity = "Violation"
        self.messages: list[str] = []
        self.deactivated = False

    def value_nodes(self, view: View, focus: Term) -> Collection[Term]:
        single = self.single
        if single is not None and focus not in view._static:
            data = view.out.get(focus)
            return (data.get(single) or _NONE) if data else _NONE
        if self.path is None:
            return (focus,)
        if self.path[0] == "inverse":
            return view.inverse_values(focus, self.predicates)
        return view.values(focus, self.predicates)

    def evaluate(self, view: View, focus: Term, into: list[Result]) -> None:
        """Validate one focus node, adding its results."""
        if self.deactivated:
            return
        values = self.value_nodes(view, focus)
        if self.min_count is not None and len(values) < self.min_count:
            self._fail(into, focus, "MinCountConstraintComponent", None)
        if self.max_count is not None and len(values) > self.max_count:
            self._fail(into, focus, "MaxCountConstraintComponent", None)
        for _, _, check in self.checks:
            failures = check(view, focus, values)
            for component, value in failures:
                self._fail(into, focus, component, value)
        for prop in self.properties:
            for value in values:
                prop.evaluate(view, value, into)

    def generate(self) -> None:
        """Give this shape an ``evaluate`` written for it: the same steps as the generic method
        (same results, same order), with its constants and the common constraints inline, so a
        node costs a few lookups instead of a call per constraint. Other constraints call their
        closures."""
        if self.deactivated:
            self.evaluate = _evaluate_nothing
            self.conforms = _conforms_always
            return
        ns: dict = {
            "Result": Result,
            "Lit": Lit,
            "BNode": BNode,
            "_NONE": _NONE,
            "_has_datatype": _has_datatype,
            "_node_kind": _node_kind,
            "_lexical": _lexical,
            "shape": self,
            "PATH": self.path[1] if self.path else None,
            "NODE": self.node,
            "SEV": self.severity,
            "MSG": self.messages[0] if self.messages else "",
            "SINGLE": self.single,
        }
        lines = ["def evaluate(view, focus, into):", *self._values_code()]

        def fail(value: str, component: str, indent: int) -> str:
            pad = " " * indent
            return f"{pad}into.append(Result(focus, PATH, {value}, {component}, NODE, SEV, MSG))"

        if self.min_count is not None:
            lines += [
                f"    if len(values) < {self.min_count}:",
                fail("None", "'MinCountConstraintComponent'", 8),
            ]
        if self.max_count is not None:
            lines += [
                f"    if len(values) > {self.max_count}:",
                fail("None", "'MaxCountConstraintComponent'", 8),
            ]
        for k, (kind, parameter, closure) in enumerate(self.checks):
            ns[f"P{k}"], ns[f"C{k}"] = parameter, closure
            if kind in _INLINE_TESTS:
                test, component = _INLINE_TESTS[kind]
                lines += [
                    "    for x in values:",
                    f"        if {test.format(k=k)}:",
                    fail("x", repr(component), 12),
                ]
            elif kind == "hasValue":
                lines += [
                    f"    if P{k} not in values:",
                    fail("None", "'HasValueConstraintComponent'", 8),
                ]
            else:
                lines += [
                    f"    for component, x in C{k}(view, focus, values):",
                    fail("x", "component", 8),
                ]
        for j, prop in enumerate(self.properties):
            ns[f"S{j}"] = prop
            lines += ["    for x in values:", f"        S{j}.evaluate(view, x, into)"]
        # No value of the shapes is written into the code: they reach it through ns.
        exec("\n".join(lines), ns)
        self.evaluate = ns["evaluate"]
        self.conforms = self._generated_conforms(ns)

    def _generated_conforms(self, ns: dict):
        """conforms() written for this shape, as evaluate() is (the first failure decides)."""
        lines = ["def conforms(view, focus):", *self._values_code()]
        if self.min_count is not None:
            lines.append(f"    if len(values) < {self.min_count}: return False")
        if self.max_count is not None:
            lines.append(f"    if len(values) > {self.max_count}: return False")
        for k, (kind, _, _) in enumerate(self.checks):
            if kind in _INLINE_TESTS:
                test = _INLINE_TESTS[kind][0].format(k=k)
                lines += ["    for x in values:", f"        if {test}: return False"]
            elif kind == "hasValue":
                lines.append(f"    if P{k} not in values: return False")
            else:
                lines.append(f"    if C{k}(view, focus, values): return False")
        for j in range(len(self.properties)):
            lines += [
                "    for x in values:",
                f"        if not S{j}.conforms(view, x): return False",
            ]
        lines.append("    return True")
        exec("\n".join(lines), ns)
        return ns["conforms"]

    def _values_code(self) -> list[str]:
        """The lines of generated code that set ``values``, the value nodes of ``focus``."""
        if self.single is not None:
            return [
                "    if focus in view._static:",
                "        values = shape.value_nodes(view, focus)",
                "    else:",
                "        data = view.out.get(focus)",
                "        values = (data.get(SINGLE) or _NONE) if data else _NONE",
            ]
        if self.path is None:
            return ["    values = (focus,)"]
        return ["    values = shape.value_nodes(view, focus)"]

    def _fail(self, into: list[Result], focus: Term, component: str, value: Term | None) -> None:
        message = self.messages[0] if self.messages else ""
        path = self.path[1] if self.path else None
        into.append(Result(focus, path, value, component, self.node, self.severity, message))

    def conforms(self, view: View, node: Term) -> bool:
        """Whether a node conforms (for sh:node, sh:or...): the first failure decides."""
        if self.deactivated:
            return True
        values = self.value_nodes(view, node)
        if self.min_count is not None and len(values) < self.min_count:
            return False
        if self.max_count is not None and len(values) > self.max_count:
            return False
        for _, _, check in self.checks:
            if check(view, node, values):
                return False
        return all(prop.conforms(view, value) for prop in self.properties for value in values)


class Shapes:
    """The data shapes, compiled, with their targets."""

    SUPPORTED: ClassVar[set[str]] = {
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minLength", "maxLength",
        "pattern", "flags", "languageIn", "in", "hasValue", "node", "or", "xone", "and", "not",
        "property", "path", "message", "severity", "deactivated", "name", "description", "order",
        "group", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf",
    }  # fmt: skip

    def __init__(self, path: Path, vocab: Vocabulary, generate: bool = True):
        """``generate``: each shape gets an evaluate written for it (Shape.generate); without,
        the generic method runs (the tests compare the two)."""
        self.vocab = vocab
        self.graph = Graph(terms.parse(path))
        self._compiled: dict[Term, Shape] = {}
        self.targets: list[tuple[Shape, str, Term]] = []
        g = self.graph
        shape_nodes = set(g.subjects(RDF_TYPE, SH + "NodeShape")) | set(
            g.subjects(RDF_TYPE, SH + "PropertyShape")
        )
        for node, preds in sorted(g.out.items(), key=lambda item: str(item[0])):
            for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
                for target in preds.get(SH + kind, ()):
                    shape_nodes.add(node)
                    self.targets.append((self.compile(node), kind, target))
        for node in shape_nodes:
            self.compile(node)
        # Predicates whose range makes their objects a target of some shape.
        targeted = {t for _, kind, t in self.targets if kind == "targetClass"}
        self._typing_objects = frozenset(
            p for p, classes in _inference(vocab).range_types.items() if classes & targeted
        )
        static = View([], vocab)
        self._targeted_in_vocabulary = frozenset(
            node for node in vocab.graph.out if static.types(node) & targeted
        )
        if generate:
            for shape in self._compiled.values():
                shape.generate()

    def _one(self, node: Term, name: str) -> Term | None:
        values = self.graph.objects(node, SH + name)
        return values[0] if values else None

    def _list(self, head: Term) -> list[Term]:
        items = []
        while head != RDF + "nil":
            items.append(self.graph.objects(head, RDF + "first")[0])
            head = self.graph.objects(head, RDF + "rest")[0]
        return items

    def compile(self, node: Term) -> Shape:
        if node in self._compiled:
            return self._compiled[node]
        shape = Shape(node)
        self._compiled[node] = shape
        g = self.graph
        for p in g.out.get(node, {}):
            if p.startswith(SH) and p[len(SH) :] not in self.SUPPORTED:
                raise UnsupportedShape(
                    f"shape {node} uses sh:{p[len(SH) :]}, which the compiled validator "
                    "does not evaluate; extend kg/shacl/engine.py and its pySHACL equivalence test"
                )
        path = self._one(node, "path")
        if path is not None:
            if is_iri(path):
                shape.path = ("predicate", path)
            else:
                inverse = g.objects(path, SH + "inversePath")
                if not inverse or not is_iri(inverse[0]):
                    raise UnsupportedShape(f"shape {node}: only predicate and inverse paths")
                shape.path = ("inverse", inverse[0])
            shape.predicates = _inference(self.vocab).predicates(shape.path[1])
            if shape.path[0] == "predicate" and len(shape.predicates) == 1:
                shape.single = shape.predicates[0]
        severity = self._one(node, "severity")
        if severity is not None:
            shape.severity = severity[len(SH) :]
        shape.messages = [m.value for m in g.objects(node, SH + "message")]
        deactivated = self._one(node, "deactivated")
        shape.deactivated = isinstance(deactivated, Lit) and deactivated.value == "true"
        if (n := self._one(node, "minCount")) is not None:
            shape.min_count = int(n.value)
        if (n := self._one(node, "maxCount")) is not None:
            shape.max_count = int(n.value)
        shape.checks = self._checks(node)
        shape.properties = [self.compile(p) for p in g.objects(node, SH + "property")]
        return shape

    def _checks(self, node: Term) -> list[tuple[str, object, Check]]:
        """The checks of a shape, each as (constraint, its parameter, a closure): the closures
        serve conforms(); Shape.generate() writes the constraints it knows inline."""
        g, checks = self.graph, []
        one = self._one
        if (d := one(node, "datatype")) is not None:

            def datatype(v, f, vals, d=d):
                return [("DatatypeConstraintComponent", x) for x in vals if not _has_datatype(x, d)]

            checks.append(("datatype", d, datatype))
        for cls in g.objects(node, SH + "class"):

            def class_(v, f, vals, c=cls):
                return [
                    ("ClassConstraintComponent", x)
                    for x in vals
                    if isinstance(x, Lit) or c not in v.types(x)
                ]

            checks.append(("class", cls, class_))
        if (k := one(node, "nodeKind")) is not None:
            kinds = frozenset(_NODE_KINDS[k[len(SH) :]])

            def node_kind(v, f, vals, k=kinds):
                return [("NodeKindConstraintComponent", x) for x in vals if _node_kind(x) not in k]

            checks.append(("nodeKind", kinds, node_kind))
        if (p := one(node, "pattern")) is not None:
            flags = one(node, "flags")
            regex = re.compile(p.value, _re_flags(flags.value if flags else ""))

            def pattern(v, f, vals, r=regex):
                return [
                    ("PatternConstraintComponent", x)
                    for x in vals
                    if isinstance(x, BNode) or not r.search(_lexical(x))
                ]

            checks.append(("pattern", regex, pattern))
        if (n := one(node, "minLength")) is not None:
            low = int(n.value)

            def min_length(v, f, vals, low=low):
                return [
                    ("MinLengthConstraintComponent", x)
                    for x in vals
                    if isinstance(x, BNode) or len(_lexical(x)) < low
                ]

            checks.append(("minLength", low, min_length))
        if (n := one(node, "maxLength")) is not None:
            high = int(n.value)

            def max_length(v, f, vals, high=high):
                return [
                    ("MaxLengthConstraintComponent", x)
                    for x in vals
                    if isinstance(x, BNode) or len(_lexical(x)) > high
                ]

            checks.append(("maxLength", high, max_length))
        if (head := one(node, "languageIn")) is not None:
            ranges = [t.value for t in self._list(head)]

            def language_in(v, f, vals, r=ranges):
                return [
                    ("LanguageInConstraintComponent", x)
                    for x in vals
                    if not (
                        isinstance(x, Lit)
                        and x.language
                        and any(_lang_matches(x.language, y) for y in r)
                    )
                ]

            checks.append(("languageIn", ranges, language_in))
        if (head := one(node, "in")) is not None:
            allowed = frozenset(self._list(head))

            def in_(v, f, vals, a=allowed):
                return [("InConstraintComponent", x) for x in vals if x not in a]

            checks.append(("in", allowed, in_))
        for value in g.objects(node, SH + "hasValue"):

            def has_value(v, f, vals, h=value):
                return [] if h in vals else [("HasValueConstraintComponent", None)]

            checks.append(("hasValue", value, has_value))
        for target in g.objects(node, SH + "node"):
            inner = self.compile(target)

            def node_(v, f, vals, s=inner):
                return [("NodeConstraintComponent", x) for x in vals if not s.conforms(v, x)]

            checks.append(("node", inner, node_))
        if (target := one(node, "not")) is not None:
            inner = self.compile(target)

            def not_(v, f, vals, s=inner):
                return [("NotConstraintComponent", x) for x in vals if s.conforms(v, x)]

            checks.append(("not", inner, not_))
        for name, test in (
            ("or", lambda hits, total: hits >= 1),
            ("and", lambda hits, total: hits == total),
            ("xone", lambda hits, total: hits == 1),
        ):
            for head in g.objects(node, SH + name):
                members = [self.compile(m) for m in self._list(head)]
                component = name.capitalize() + "ConstraintComponent"

                def logical(v, f, vals, ms=members, t=test, c=component):
                    return [
                        (c, x) for x in vals if not t(sum(m.conforms(v, x) for m in ms), len(ms))
                    ]

                checks.append((name, members, logical))
        return checks

    def validate(self, triples: Iterable[Triple], context: Iterable[Triple] = ()) -> list[Result]:
        """Validate some triples (an event, or a whole graph); see View for ``context``."""
        return self.validate_view(View(triples, self.vocab, context))

    def validate_view(self, view: View) -> list[Result]:
        results: list[Result] = []
        nodes = list(view.nodes())
        by_class: dict[str, list[Term]] = defaultdict(list)
        typing = self._typing_objects
        subjects = view.out
        for node in nodes:
            # A node that is only an object here (a literal, a concept, a class, a URL) is typed
            # by the ranges of the predicates pointing at it, or by the vocabulary.
            if (
                node not in subjects
                and not (view.inv.get(node, _EMPTY) & typing)
                and node not in self._targeted_in_vocabulary
            ):
                continue
            for cls in view.types(node):
                by_class[cls].append(node)
        inference = view.inference
        for shape, kind, target in self.targets:
            if kind == "targetClass":
                focus = by_class.get(target, ())
            elif kind == "targetNode":
                focus = [target]
            elif kind == "targetSubjectsOf":
                focus = [n for n in nodes if view.values(n, inference.predicates(target))]
            else:  # targetObjectsOf: the nodes some predicate (or subproperty) points at
                wanted = frozenset(inference.predicates(target))
                focus = [n for n in nodes if view.inv.get(n, _EMPTY) & wanted]
            for node in focus:
                shape.evaluate(view, node, results)
        return results


def _re_flags(flags: str) -> int:
    value = 0
    for ch, flag in (
        ("i", re.IGNORECASE),
        ("m", re.MULTILINE),
        ("s", re.DOTALL),
        ("x", re.VERBOSE),
    ):
        if ch in flags:
            value |= flag
    return value


@cache
def data_shapes() -> Shapes:
    """The data shapes of this installation, compiled once per process."""
    return Shapes(resources.data_shapes(), vocabulary())


def sort_key(r: Result) -> tuple:
    return (str(r.focus), str(r.path), r.component, str(r.shape), str(r.value))
