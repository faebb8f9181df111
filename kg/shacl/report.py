"""SHACL validation reports: the report graph of some results, and pySHACL as the reference.

kg.shacl.engine evaluates the shapes itself; pySHACL, run here as the shapes mean to be run,
is the reference it is tested against (and ``aim-kg validate --engine pyshacl``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kg import resources, terms
from kg.namespaces import RDF_TYPE, SH, SKOS, XSD
from kg.shacl.engine import Result, sort_key
from kg.terms import BNode, Lit, Triple


def pyshacl_results(data, shapes_path: Path | None = None) -> list[Result]:
    """Validate an rdflib graph with pySHACL, as the compiled validator does: the ontology and
    alignments as ``ont_graph`` with RDFS inference, the taxonomies alongside the data (pySHACL
    copies only RDFS and OWL axioms from an ontology graph, and concepts are data).

    Only the concepts the data reaches (its objects, their schemes and matches, transitively,
    but not a scheme's list of all its concepts) are added: the others cannot change a result,
    and RDFS inference over all of them would cost more than the validation itself."""
    import pyshacl
    import rdflib

    ont, taxonomies, shapes = _reference(shapes_path or resources.data_shapes())
    graph = rdflib.Graph()
    for triple in data:
        graph.add(triple)
    has_top_concept = rdflib.URIRef(SKOS + "hasTopConcept")
    todo = [o for o in set(graph.objects()) if o in taxonomies]
    seen = set(todo)
    while todo:
        for s, p, o in taxonomies[todo.pop()]:
            if p == has_top_concept:
                continue  # a scheme's other concepts: no data shape looks at them
            graph.add((s, p, o))
            if o in taxonomies and o not in seen:
                seen.add(o)
                todo.append(o)
    _, report, _ = pyshacl.validate(
        graph, shacl_graph=shapes, ont_graph=ont, inference="rdfs", allow_warnings=True
    )
    return results_from_report(report)


@cache
def _reference(shapes_path: Path):
    """The ontology graph, the taxonomy triples by subject and the shapes graph, parsed once
    (pySHACL reads them and never changes them)."""
    import rdflib

    ontology, alignments, taxonomies = resources.ontology_files()
    ont = rdflib.Graph()
    ont.parse(ontology)
    ont.parse(alignments)
    by_subject: dict = {}
    for triple in rdflib.Graph().parse(taxonomies):
        by_subject.setdefault(triple[0], []).append(triple)
    return ont, by_subject, rdflib.Graph().parse(shapes_path)


def results_from_report(report) -> list[Result]:
    """The top-level results of a SHACL validation report (an rdflib graph); the details that
    explain an sh:node failure (sh:detail) are not results of their own."""
    import rdflib

    sh = rdflib.Namespace(SH)

    def term(value):
        if value is None:
            return None
        if isinstance(value, rdflib.URIRef):
            return str(value)
        if isinstance(value, rdflib.BNode):
            return BNode(str(value))
        if value.language:
            return terms.text(str(value), value.language)
        return Lit(str(value), str(value.datatype or rdflib.XSD.string))

    results = []
    for top in report.subjects(rdflib.RDF.type, sh.ValidationReport):
        for r in report.objects(top, sh.result):
            messages = sorted(str(m) for m in report.objects(r, sh.resultMessage))
            results.append(
                Result(
                    focus=term(report.value(r, sh.focusNode)),
                    path=term(report.value(r, sh.resultPath)),
                    value=term(report.value(r, sh.value)),
                    component=str(report.value(r, sh.sourceConstraintComponent))[len(SH) :],
                    shape=term(report.value(r, sh.sourceShape)),
                    severity=str(report.value(r, sh.resultSeverity))[len(SH) :],
                    message=messages[0] if messages else "",
                )
            )
    return results


def report_triples(results: list[Result], conforms: bool | None = None) -> list[Triple]:
    """A SHACL validation report (sh:ValidationReport) for some results.

    ``sh:conforms`` is false whenever there is a result, as SHACL defines it, unless the caller
    decided otherwise (pySHACL's ``allow_warnings``: warnings and infos do not count).
    """
    report = BNode("report")
    conforms = not results if conforms is None else conforms
    conforms = "true" if conforms else "false"
    out: list[Triple] = [
        (report, RDF_TYPE, SH + "ValidationReport"),
        (report, SH + "conforms", Lit(conforms, XSD + "boolean")),
    ]
    for i, r in enumerate(sorted(results, key=sort_key)):
        node = BNode(f"r{i}")
        out += [
            (report, SH + "result", node),
            (node, RDF_TYPE, SH + "ValidationResult"),
            (node, SH + "focusNode", r.focus),
            (node, SH + "sourceConstraintComponent", SH + r.component),
            (node, SH + "sourceShape", r.shape),
            (node, SH + "resultSeverity", SH + r.severity),
            (node, SH + "resultMessage", terms.text(r.message, "en")),
        ]
        if r.path is not None:
            out.append((node, SH + "resultPath", r.path))
        if r.value is not None:
            out.append((node, SH + "value", r.value))
    return out
