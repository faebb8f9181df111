"""The ontology, the taxonomies, their alignments and QA shapes, the context and the docs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyshacl
import pytest
import rdflib
from conftest import ROOT, aim_reference, facet_lists
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import resources
from kg.context import context_document
from kg.namespaces import AIM, AIMTAX

VOCAB_FILES = resources.ontology_files()
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def vocabulary_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in VOCAB_FILES:
        g.parse(path)
    return g


QA_SHAPES = rdflib.Graph().parse(resources.qa_shapes())


def qa(graph: rdflib.Graph) -> tuple[bool, rdflib.Graph]:
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=QA_SHAPES, advanced=True)
    return conforms, report


def caught_by(report: rdflib.Graph) -> dict[rdflib.term.Node, set[str]]:
    """For each focus node of the report, the named QA shapes whose constraints caught it
    (local names)."""
    found: dict = {}
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        while isinstance(shape, rdflib.BNode):  # a property shape: the node shape that has it
            shape = QA_SHAPES.value(predicate=SH.property, object=shape)
        focus = report.value(result, SH.focusNode)
        found.setdefault(focus, set()).add(str(shape).rsplit("#", 1)[-1])
    return found


def _add_concept(g: rdflib.Graph, scheme: str, label: str) -> None:
    concept = rdflib.URIRef(f"{AIMTAX}{scheme}-extra")
    g.add((concept, RDF.type, SKOS.Concept))
    g.add((concept, SKOS.prefLabel, rdflib.Literal(label, lang="en")))
    g.add((concept, SKOS.inScheme, rdflib.URIRef(AIMTAX + scheme)))
    g.add((concept, SKOS.topConceptOf, rdflib.URIRef(AIMTAX + scheme)))
    g.add((rdflib.URIRef(AIMTAX + scheme), SKOS.hasTopConcept, concept))
    g.add((concept, RDFS.isDefinedBy, rdflib.URIRef("https://w3id.org/aim-kg/taxonomy")))


def _uri(iri: str) -> rdflib.URIRef:
    return rdflib.URIRef(iri)


ONTOLOGY = _uri("https://w3id.org/aim-kg/ontology")

# Each mutation breaks one rule of the QA shapes, on nodes of its own: all are planted in one
# copy of the vocabulary, and each must be caught on its nodes by the shapes of its rule, and
# nothing else may be reported anywhere.
MUTATIONS = {
    "header without license": (
        lambda g: g.remove((ONTOLOGY, rdflib.DCTERMS.license, None)),
        {ONTOLOGY: {"OntologyHeaderShape"}},
    ),
    "term without comment": (
        lambda g: g.remove((_uri(AIM + "harmType"), RDFS.comment, None)),
        {_uri(AIM + "harmType"): {"TermShape"}},
    ),
    "term without label": (
        lambda g: g.remove((_uri(AIM + "Outlet"), RDFS.label, None)),
        {_uri(AIM + "Outlet"): {"TermShape"}},
    ),
    "term not defined by the ontology": (
        lambda g: g.remove((_uri(AIM + "Event"), RDFS.isDefinedBy, None)),
        {_uri(AIM + "Event"): {"TermShape"}},
    ),
    "concept without prefLabel": (
        lambda g: g.remove((_uri(AIMTAX + "harm-type-other"), SKOS.prefLabel, None)),
        {_uri(AIMTAX + "harm-type-other"): {"ConceptShape"}},
    ),
    "concept with two prefLabels": (
        lambda g: g.add(
            (_uri(AIMTAX + "stakeholder-other"), SKOS.prefLabel, rdflib.Literal("Else", lang="en"))
        ),
        {_uri(AIMTAX + "stakeholder-other"): {"ConceptShape"}},
    ),
    "concept without scheme": (
        lambda g: g.remove((_uri(AIMTAX + "ai-task-other"), SKOS.inScheme, None)),
        # and its scheme still lists it
        {_uri(AIMTAX + "ai-task-other"): {"ConceptShape", "ConceptInSchemeListedShape"}},
    ),
    "concept not listed in its scheme": (
        lambda g: g.remove((None, SKOS.hasTopConcept, _uri(AIMTAX + "business-function-other"))),
        {_uri(AIMTAX + "business-function-other"): {"ConceptInSchemeListedShape"}},
    ),
    "two concepts of a scheme share a label": (
        lambda g: g.add(
            (
                _uri(AIMTAX + "industry-other"),
                SKOS.altLabel,
                rdflib.Literal("Agriculture", lang="en"),
            )
        ),
        # a label is also a prefix of itself
        {_uri(AIMTAX + "industry"): {"UniquePrefLabelShape", "NoPrefixLabelShape"}},
    ),
    "a label is a prefix of another": (
        lambda g: _add_concept(g, "principle", "Safe"),
        # and the new principle has no broad match
        {
            _uri(AIMTAX + "principle"): {"NoPrefixLabelShape"},
            _uri(AIMTAX + "principle-extra"): {"PrincipleBroadMatchShape"},
        },
    ),
    "principle without broadMatch": (
        lambda g: g.remove((_uri(AIMTAX + "principle-safety"), SKOS.broadMatch, None)),
        {_uri(AIMTAX + "principle-safety"): {"PrincipleBroadMatchShape"}},
    ),
    "OECD principle without notation": (
        lambda g: g.remove((_uri(AIMTAX + "oecd-principle-1.2"), SKOS.notation, None)),
        {_uri(AIMTAX + "oecd-principle-1.2"): {"OecdNotationShape"}},
    ),
    "redeclared foreign term": (
        lambda g: g.add((_uri("https://schema.org/NewsArticle"), RDF.type, OWL.Class)),
        {_uri("https://schema.org/NewsArticle"): {"TermShape"}},
    ),
}


@pytest.fixture(scope="module")
def broken_vocabulary() -> tuple[bool, dict]:
    """The QA report of the vocabulary with every mutation planted at once."""
    g = vocabulary_graph()
    for mutate, _ in MUTATIONS.values():
        mutate(g)
    conforms, report = qa(g)
    return conforms, caught_by(report)


@pytest.mark.parametrize("name", MUTATIONS)
def test_qa_shapes_catch_a_broken_vocabulary(name: str, broken_vocabulary):
    conforms, found = broken_vocabulary
    assert not conforms
    expected = MUTATIONS[name][1]
    assert {focus: found.get(focus) for focus in expected} == expected


def test_qa_shapes_report_nothing_but_the_planted_breaks(broken_vocabulary):
    _, found = broken_vocabulary
    planted = {focus for _, expected in MUTATIONS.values() for focus in expected}
    assert set(found) == planted


def _labels(g: rdflib.Graph, scheme: str, prop) -> list[str]:
    return [
        str(label)
        for c in g.subjects(SKOS.inScheme, rdflib.URIRef(AIMTAX + scheme))
        for label in g.objects(c, prop)
    ]


def test_every_label_list_equals_aim_facets(vocab):
    expected = facet_lists()
    g = vocabulary_graph()
    for facet in vocab.facets:
        assert sorted(_labels(g, facet.scheme.rsplit("/", 1)[1], SKOS.prefLabel)) == sorted(
            expected[facet.record_key]
        ), facet.heading
    assert {f.record_key for f in vocab.facets} == set(expected)


def test_page_headings_are_scheme_labels(vocab):
    for heading in aim_reference()["page_headings"]:
        assert heading.rstrip(":").casefold() in vocab.facet_by_heading


def test_each_other_is_scoped_to_its_facet(vocab):
    others = [c for c in vocab.concepts.values() if c.pref_label == "Other"]
    assert len(others) == 5
    assert len({c.scheme for c in others}) == 5
    assert len({c.iri for c in others}) == 5


def test_variant_spellings_are_alt_labels(vocab):
    by_key = vocab.facet_by_key
    assert by_key["industries"].matcher.lookup("Government & security & defence") == (
        AIMTAX + "industry-government-security-and-defence"
    )
    assert by_key["harm_types"].matcher.lookup("Economic/property") == (
        AIMTAX + "harm-type-economic-property"
    )
    assert (
        by_key["harm_types"].matcher.lookup("Physical death") == AIMTAX + "harm-type-physical-death"
    )


def test_oecd_principles_and_broad_matches():
    g = vocabulary_graph()
    scheme = rdflib.URIRef(AIMTAX + "oecd-principle")
    notations = {str(g.value(c, SKOS.notation)): c for c in g.subjects(SKOS.inScheme, scheme)}
    assert sorted(notations) == [f"{a}.{b}" for a in (1, 2) for b in range(1, 6)]
    p12 = notations["1.2"]
    assert str(g.value(p12, SKOS.prefLabel)).startswith("Respect for the rule of law")
    assert str(g.value(p12, SKOS.altLabel)) == "Human-centred values and fairness"
    expected = aim_reference()["principle_broad_match"]
    assert len(expected) == 10
    for label, notation in expected.items():
        concept = g.value(predicate=SKOS.prefLabel, object=rdflib.Literal(label, lang="en"))
        assert list(g.objects(concept, SKOS.broadMatch)) == [notations[notation]], label
        assert (concept, SKOS.exactMatch, None) not in g


def test_incident_and_hazard_carry_the_oecd_definitions():
    g = vocabulary_graph()
    definition = aim_reference()["incident_definition"]
    comment = " ".join(str(g.value(rdflib.URIRef(AIM + "Incident"), RDFS.comment)).split())
    assert definition.rstrip(".").casefold() in comment.casefold()
    hazard = " ".join(str(g.value(rdflib.URIRef(AIM + "Hazard"), RDFS.comment)).split())
    assert "could plausibly lead to an AI incident" in hazard
    assert (
        rdflib.URIRef(AIM + "Incident"),
        RDFS.subClassOf,
        rdflib.URIRef("https://w3id.org/dpv/risk#Incident"),
    ) in g


def test_alignment_links_are_explained_and_never_exact():
    text = (resources.data_dir("ontology") / "alignments.ttl").read_text(encoding="utf-8")
    g = rdflib.Graph().parse(data=text, format="turtle")
    assert not list(g.triples((None, SKOS.exactMatch, None)))
    matches = [
        t
        for t in g
        if t[1] in (SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
    ]
    assert len(matches) >= 15
    # Every statement with a match is preceded by a comment saying why.
    for block in re.split(r"\n\n+", text):
        if "Match " in block and not block.lstrip().startswith("@prefix"):
            assert block.lstrip().startswith("#"), block


def test_shared_property_declares_no_domain():
    g = vocabulary_graph()
    rationale = rdflib.URIRef(AIM + "rationale")
    assert g.value(rationale, RDFS.domain) is None
    assert set(g.objects(rationale, rdflib.URIRef("https://schema.org/domainIncludes"))) == {
        rdflib.URIRef(AIM + "Event"),
        rdflib.URIRef(AIM + "Article"),
    }


def test_context_has_not_drifted():
    committed = resources.context_file().read_text(encoding="utf-8")
    assert committed == context_document(), "run: make context"


def test_context_expands_terms_to_the_contract():
    context = json.loads(context_document())["@context"]
    assert context["title"] == {"@id": "dcterms:title", "@language": "en"}
    assert context["datePublished"]["@type"] == "xsd:date"
    assert context["severity"]["@type"] == "@id"
    assert context["aimid"] == "https://w3id.org/aim-kg/id/"
    assert json.loads(context_document("https://example.org/aim/"))["@context"]["aimid"] == (
        "https://example.org/aim/"
    )


def test_pylode_documents_the_ontology(tmp_path: Path):
    out = tmp_path / "ontology.html"
    pylode = Path(sys.executable).parent / "pylode"
    subprocess.run(
        [str(pylode), str(VOCAB_FILES[0]), "-o", str(out)], check=True, capture_output=True
    )
    html = out.read_text(encoding="utf-8")
    for term in (
        "Event",
        "Incident",
        "Hazard",
        "Article",
        "Outlet",
        "GeneratedText",
        "severity",
        "unmappedLabel",
    ):
        assert term in html
    assert (
        "make docs" in (ROOT / "Makefile").read_text() or "docs:" in (ROOT / "Makefile").read_text()
    )
