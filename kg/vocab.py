"""The vocabulary, read at run time from ontology/: facets, concepts, labels, class hierarchy.

Nothing in aim-kg copies a label: the facet headings of a page are the schemes' prefLabels, the
keys of an API record are their aim:recordKey, the event property is their aim:facetProperty, and
the labels are the concepts' prefLabels and altLabels. The vocabulary is read once per process.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg import resources, terms
from kg.namespaces import AIM, OWL, RDF_TYPE, RDFS, SKOS
from kg.read.labels import LabelMatcher
from kg.terms import Lit, Triple, is_iri


@dataclass(frozen=True)
class Facet:
    """One AIM facet: its scheme, how pages and records name it, and the event property."""

    scheme: str
    heading: str
    record_key: str
    prop: str
    single: bool
    matcher: LabelMatcher = field(repr=False, compare=False)


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str
    pref_label: str
    alt_labels: tuple[str, ...]


def _literal_en(values: list) -> str | None:
    for value in values:
        if isinstance(value, Lit) and value.language in (None, "en"):
            return value.value
    return None


class Graph:
    """A small read-only triple index (subject -> predicate -> objects)."""

    def __init__(self, triples: list[Triple]):
        self.triples = triples
        self.out: dict = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            self.out[s][p].append(o)

    def objects(self, s, p) -> list:
        return self.out.get(s, {}).get(p, [])

    def subjects(self, p, o) -> list:
        return [s for s, preds in self.out.items() if o in preds.get(p, ())]


class Vocabulary:
    """Everything aim-kg knows about its own terms, from the files in ontology/."""

    def __init__(self, files: list[Path]):
        triples: list[Triple] = []
        for path in files:
            triples.extend(terms.parse(path))
        self.graph = Graph(triples)
        g = self.graph
        rdf_type = RDF_TYPE

        # Concepts and schemes.
        self.concepts: dict[str, Concept] = {}
        for s in g.subjects(rdf_type, SKOS + "Concept"):
            schemes = g.objects(s, SKOS + "inScheme")
            self.concepts[s] = Concept(
                iri=s,
                scheme=schemes[0],
                pref_label=_literal_en(g.objects(s, SKOS + "prefLabel")) or "",
                alt_labels=tuple(sorted(lit.value for lit in g.objects(s, SKOS + "altLabel"))),
            )
        by_scheme: dict[str, list[Concept]] = defaultdict(list)
        for concept in self.concepts.values():
            by_scheme[concept.scheme].append(concept)

        functional = set(g.subjects(rdf_type, OWL + "FunctionalProperty"))
        facets = []
        for scheme_node in sorted(
            {s for s, preds in g.out.items() if AIM + "facetProperty" in preds}, key=str
        ):
            prop = g.objects(scheme_node, AIM + "facetProperty")[0]
            members = by_scheme[scheme_node]
            labels = {c.pref_label: c.iri for c in members}
            for c in members:
                labels.update(dict.fromkeys(c.alt_labels, c.iri))
            facets.append(
                Facet(
                    scheme=scheme_node,
                    heading=_literal_en(g.objects(scheme_node, SKOS + "prefLabel")) or "",
                    record_key=g.objects(scheme_node, AIM + "recordKey")[0].value,
                    prop=prop,
                    single=prop in functional,
                    matcher=LabelMatcher(labels, {c.iri: c.pref_label for c in members}),
                )
            )
        self.facets: tuple[Facet, ...] = tuple(facets)
        self.facet_by_prop = {f.prop: f for f in facets}
        self.facet_by_key = {f.record_key: f for f in facets}
        self.facet_by_heading = {f.heading.casefold(): f for f in facets}
        self.severity = self.facet_by_prop[AIM + "severity"]

        # Which class an event of a given severity belongs to: the owl:hasValue restrictions
        # that define aim:Incident and aim:Hazard.
        self.class_of_severity: dict[str, str] = {}
        for cls, preds in g.out.items():
            for eq in preds.get(OWL + "equivalentClass", ()):
                on = g.objects(eq, OWL + "onProperty")
                value = g.objects(eq, OWL + "hasValue")
                if on and value and on[0] == self.severity.prop:
                    self.class_of_severity[value[0]] = cls

        # rdfs:subClassOf, rdfs:subPropertyOf, domains and ranges, for RDFS inference.
        self.superclasses = _closure(g, RDFS + "subClassOf")
        self.superproperties = _closure(g, RDFS + "subPropertyOf")
        self.domains = {
            s: list(preds[RDFS + "domain"])
            for s, preds in g.out.items()
            if RDFS + "domain" in preds
        }
        self.ranges = {
            s: [o for o in preds[RDFS + "range"] if is_iri(o)]
            for s, preds in g.out.items()
            if RDFS + "range" in preds
        }

    def concept_triples(self, iri: str) -> list[Triple]:
        """The triples that describe a concept or scheme in an export (labels, matches...), by
        predicate (rdf:type first)."""
        preds = self.graph.out.get(iri, {})
        return [(iri, p, o) for p in sorted(preds) for o in preds[p]]


def _closure(g: Graph, pred: str) -> dict[str, set[str]]:
    """Reflexive-transitive closure of a hierarchy property, keyed by IRI."""
    direct: dict[str, set[str]] = defaultdict(set)
    for s, preds in g.out.items():
        for o in preds.get(pred, ()):
            if is_iri(s) and is_iri(o):
                direct[s].add(o)
    result: dict[str, set[str]] = {}

    def up(x: str) -> set[str]:
        if x not in result:
            result[x] = {x}
            for parent in direct.get(x, ()):
                result[x] |= up(parent)
        return result[x]

    for x in list(direct):
        up(x)
    return result


@cache
def vocabulary() -> Vocabulary:
    """The vocabulary of this installation, read once per process."""
    return Vocabulary(resources.ontology_files())
