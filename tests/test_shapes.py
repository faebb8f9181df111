"""The data shapes, tested the way the W3C SHACL test suite tests SHACL.

Each file in tests/shapes/ is self-describing Turtle: an ``sht:Validate`` entry whose
``mf:result`` is the expected validation report. conforms.ttl holds the conforming data graph;
every other fixture states its data as conforms.ttl changed by a SPARQL Update
(``aimt:update`` in its ``mf:action``), so that a change to the conforming data (a new mandatory
property) reaches every fixture without editing it. pySHACL validates the data with the
ontology as ont_graph and RDFS inference; the report is compared to the expected one as a graph
(result messages aside: every result must carry one). The compiled validator must give the very
same results. ``pytest --update-goldens`` rewrites the expected reports from pySHACL's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg import resources, terms
from kg.shacl.engine import Result, data_shapes, sort_key
from kg.shacl.report import pyshacl_results

FIXTURES = sorted((Path(__file__).parent / "shapes").glob("*.ttl"))
CONFORMS = Path(__file__).parent / "shapes" / "conforms.ttl"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
AIMT = rdflib.Namespace("https://w3id.org/aim-kg/tests#")
SHORT = {
    "https://w3id.org/aim-kg/ontology#": "aim:",
    "https://w3id.org/aim-kg/id/": "aimid:",
    "https://w3id.org/aim-kg/shapes#": "aimsh:",
    "https://w3id.org/aim-kg/taxonomy/": "aimtax:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "https://schema.org/": "schema:",
    "http://www.w3.org/ns/shacl#": "sh:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
}


def split_fixture(path: Path) -> tuple[rdflib.Graph, rdflib.Graph, rdflib.term.Node]:
    """The data graph and the manifest part (manifest, test entry, expected report)."""
    whole = rdflib.Graph().parse(path, format="turtle")
    doc = rdflib.URIRef(path.resolve().as_uri())
    test = rdflib.URIRef(doc + "#test")
    manifest, todo, seen = rdflib.Graph(), [doc, test], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in whole.predicate_objects(node):
            manifest.add((node, p, o))
            if isinstance(o, rdflib.BNode) or o == test:
                todo.append(o)
    action = manifest.value(test, MF.action)
    update = manifest.value(action, AIMT.update)
    if update is None:
        data = rdflib.Graph()
        for t in whole:
            if t not in manifest:
                data.add(t)
    else:
        assert manifest.value(action, SHT.dataGraph) == rdflib.URIRef(CONFORMS.resolve().as_uri())
        data, _, _ = split_fixture(CONFORMS)
        data.update(str(update), initNs=dict(whole.namespaces()))
    report = manifest.value(test, MF.result)
    return data, manifest, report


def report_graph(results: list[Result]) -> rdflib.Graph:
    """A report graph without messages, for comparison."""
    from kg.shacl.report import report_triples

    g = rdflib.Graph()
    nt = terms.serialize(report_triples(results), ox.RdfFormat.N_TRIPLES)
    g.parse(data=nt, format="nt")
    g.remove((None, SH.resultMessage, None))
    return g


def expected_graph(manifest: rdflib.Graph, report) -> rdflib.Graph:
    g = rdflib.Graph()
    todo, seen = [report], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in manifest.predicate_objects(node):
            g.add((node, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    g.remove((None, SH.resultMessage, None))
    return g


def short(term: terms.Term) -> str:
    if not isinstance(term, terms.Lit):
        for namespace, prefix in SHORT.items():
            rest = term[len(namespace) :]
            if term.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_.-]+", rest):
                return prefix + rest
    return terms.n3(term)


def report_turtle(results: list[Result]) -> str:
    conforms = "false" if results else "true"  # SHACL: any result, a warning too
    lines = ["mf:result [", "        rdf:type sh:ValidationReport ;"]
    lines.append(f'        sh:conforms "{conforms}"^^xsd:boolean ;')
    for r in sorted(results, key=sort_key):
        lines += [
            "        sh:result [",
            "            rdf:type sh:ValidationResult ;",
            f"            sh:focusNode {short(r.focus)} ;",
        ]
        if r.path is not None:
            lines.append(f"            sh:resultPath {short(r.path)} ;")
        if r.value is not None:
            lines.append(f"            sh:value {short(r.value)} ;")
        lines += [
            f"            sh:resultSeverity sh:{r.severity} ;",
            f"            sh:sourceConstraintComponent sh:{r.component} ;",
            f"            sh:sourceShape {short(r.shape)} ;",
            "        ] ;",
        ]
    lines.append("    ] ;")
    return "\n".join(lines)


def pyshacl_on(data: rdflib.Graph) -> list[Result]:
    return pyshacl_results(data)


def fast_on(data: rdflib.Graph) -> list[Result]:
    nt = data.serialize(format="nt")
    return data_shapes().validate(terms.parse(nt.encode(), ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_shape_fixture(path: Path, update_goldens: bool):
    data, manifest, report = split_fixture(path)
    actual = pyshacl_on(data)
    if update_goldens:
        text = path.read_text(encoding="utf-8")
        text = re.sub(
            r"mf:result \[.*?\n    \] ;", lambda _: report_turtle(actual), text, flags=re.S
        )
        text = re.sub(
            r"mf:result \[ rdf:type sh:ValidationReport ; sh:conforms \"true\"\^\^xsd:boolean \] ;",
            lambda _: report_turtle(actual),
            text,
        )
        path.write_text(text, encoding="utf-8")
        data, manifest, report = split_fixture(path)
    expected = expected_graph(manifest, report)
    assert isomorphic(report_graph(actual), expected), (
        f"{path.name}: pySHACL reports\n" + "\n".join(map(str, sorted(actual, key=sort_key)))
    )
    assert all(r.message for r in actual), "every result carries a message a person understands"
    fast = fast_on(data)
    assert sorted(fast, key=sort_key) == sorted(actual, key=sort_key)


def test_conforming_data_has_no_results():
    data, _, _ = split_fixture(Path(__file__).parent / "shapes" / "conforms.ttl")
    assert pyshacl_on(data) == []


def _declared_constraints() -> set[tuple[str, str]]:
    """(shape, component) for every constraint the data shapes declare on a named shape."""
    params = {
        "minCount": "MinCount", "maxCount": "MaxCount", "datatype": "Datatype", "class": "Class",
        "nodeKind": "NodeKind", "pattern": "Pattern", "languageIn": "LanguageIn", "in": "In",
        "hasValue": "HasValue", "node": "Node", "or": "Or", "xone": "Xone", "and": "And",
        "not": "Not", "minLength": "MinLength", "maxLength": "MaxLength",
    }  # fmt: skip
    shapes = rdflib.Graph().parse(resources.data_shapes())
    found = set()
    for s, p, _ in shapes:
        name = str(p).removeprefix(str(SH))
        validated = (None, SH.property, s) in shapes or (s, SH.targetClass, None) in shapes
        if isinstance(s, rdflib.URIRef) and name in params and validated:
            found.add((str(s), params[name] + "ConstraintComponent"))
    return found


def test_every_constraint_has_a_failing_fixture():
    """One fixture per constraint that does not conform: the suite covers every constraint."""
    covered = set()
    for path in FIXTURES:
        _, manifest, report = split_fixture(path)
        for result in manifest.objects(report, SH.result):
            covered.add(
                (
                    str(manifest.value(result, SH.sourceShape)),
                    str(manifest.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH)),
                )
            )
    missing = _declared_constraints() - covered
    assert not missing, f"constraints no fixture breaks: {sorted(missing)}"


def test_every_shape_has_a_message():
    shapes = rdflib.Graph().parse(resources.data_shapes())
    named = {s for s in shapes.subjects(SH.path, None) if isinstance(s, rdflib.URIRef)}
    named |= {s for s in shapes.subjects(SH.targetClass, None)}
    for shape in named:
        has_constraints = any(
            str(p).removeprefix(str(SH)) not in ("path", "property", "targetClass")
            for p in shapes.predicates(shape)
            if str(p).startswith(str(SH)) and p not in (SH.message, SH.severity)
        )
        if has_constraints:
            assert shapes.value(shape, SH.message), f"{shape} has no sh:message"
