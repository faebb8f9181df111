"""The dataset description (kg.description): DCAT-AP 3.0.0 conformant, VoID counts that SPARQL
confirms, provenance, licences, and the same bytes for the same data."""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from click.testing import CliRunner
from conftest import DATA, MIRROR

import kg
from kg import resources
from kg.cli import cli
from kg.sparql import store as kgstore

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
DATASET = "https://w3id.org/aim-kg/id/dataset"
ENDPOINT = "http://localhost:7878/query"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="module")
def described(tmp_path_factory):
    """The mirror records and the examples, exported in three formats with a description."""
    folder = tmp_path_factory.mktemp("describe")
    old = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        result = kg.export(
            [MIRROR, resources.examples_dir()],
            [folder / "aim.ttl", folder / "aim.nq", folder / "aim.nt.gz"],
            jobs=1,
            describe=folder / "description.ttl",
            base_url="https://example.org/dumps/",
            license=LICENSE,
            endpoint=ENDPOINT,
        )
    finally:
        if old is not None:
            os.environ["SOURCE_DATE_EPOCH"] = old
    g = rdflib.Graph().parse(folder / "description.ttl")
    return folder, result, g


def value(g: rdflib.Graph, s, p: str):
    v = g.value(rdflib.URIRef(s) if isinstance(s, str) else s, rdflib.URIRef(p))
    return v.toPython() if isinstance(v, rdflib.Literal) else v


def test_conforms_to_dcat_ap_3(described):
    _, _, g = described
    shapes = rdflib.Graph().parse(DATA / "dcat-ap-3.0.0-SHACL.ttl")
    _, report, text = pyshacl.validate(g, shacl_graph=shapes, inference="rdfs")
    violations = list(
        report.subjects(
            rdflib.URIRef("http://www.w3.org/ns/shacl#resultSeverity"),
            rdflib.URIRef("http://www.w3.org/ns/shacl#Violation"),
        )
    )
    assert violations == [], text


def _counts(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))[0].value)


def test_every_void_count_is_a_sparql_count(described):
    """Counted again over the Turtle export, by queries written here."""
    folder, _, g = described
    st = ox.Store()
    st.load(path=str(folder / "aim.ttl"), format=ox.RdfFormat.TURTLE)
    q = "SELECT (COUNT({}) AS ?n) WHERE {{ ?s ?p ?o {} }}"
    assert value(g, DATASET, VOID + "triples") == _counts(st, q.format("*", "")) == len(st)
    assert value(g, DATASET, VOID + "distinctSubjects") == _counts(st, q.format("DISTINCT ?s", ""))
    assert value(g, DATASET, VOID + "distinctObjects") == _counts(st, q.format("DISTINCT ?o", ""))
    base = value(g, DATASET, VOID + "uriSpace")
    assert value(g, DATASET, VOID + "entities") == _counts(
        st, q.format("DISTINCT ?s", f'FILTER(STRSTARTS(STR(?s), "{base}"))')
    )
    classes = list(g.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "classPartition")))
    used = {row[0].value for row in st.query("SELECT DISTINCT ?c WHERE { ?s a ?c }")}
    assert {str(value(g, p, VOID + "class")) for p in classes} == used
    assert value(g, DATASET, VOID + "classes") == len(used)
    for part in classes:
        cls = value(g, part, VOID + "class")
        n = _counts(st, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}")
        assert value(g, part, VOID + "entities") == n, cls
    props = list(g.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "propertyPartition")))
    used = {row[0].value for row in st.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    assert {str(value(g, p, VOID + "property")) for p in props} == used
    for part in props:
        prop = value(g, part, VOID + "property")
        for key, expr in (
            ("triples", "*"),
            ("distinctSubjects", "DISTINCT ?s"),
            ("distinctObjects", "DISTINCT ?o"),
        ):
            n = _counts(st, f"SELECT (COUNT({expr}) AS ?n) WHERE {{ ?s <{prop}> ?o }}")
            assert value(g, part, VOID + key) == n, (prop, key)


def test_the_aiid_linkset(described):
    """Its void:triples is the number of links that came from the AIID's table."""
    _, result, g = described
    linkset = DATASET + "-aiid-links"
    pairs = defaultdict(set)
    for pair in json.loads(resources.aiid_links_file().read_text(encoding="utf-8")):
        pairs[pair["sameAs"].rsplit("/", 1)[1]].add(pair["incident_id"])
    exported = {r["id"] for r in json.loads(MIRROR.read_text(encoding="utf-8"))}
    expected = sum(len(pairs[i]) for i in exported if i in pairs)
    assert expected >= 15
    assert value(g, linkset, VOID + "triples") == result.aiid_links >= expected
    assert str(value(g, linkset, DCTERMS + "license")) == (
        "https://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert str(value(g, linkset, VOID + "linkPredicate")).endswith("#aiidIncident")
    assert (rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "subset"), rdflib.URIRef(linkset)) in g


def test_distributions_say_size_checksum_and_where(described):
    folder, _, g = described
    dumps = {str(o) for o in g.objects(rdflib.URIRef(DATASET), rdflib.URIRef(VOID + "dataDump"))}
    assert dumps == {f"https://example.org/dumps/aim.{x}" for x in ("ttl", "nq", "nt.gz")}
    for dist in g.objects(rdflib.URIRef(DATASET), rdflib.URIRef(DCAT + "distribution")):
        name = str(value(g, dist, DCAT + "downloadURL")).rsplit("/", 1)[1]
        data = (folder / name).read_bytes()
        assert value(g, dist, DCAT + "byteSize") == len(data)
        checksum = value(g, dist, SPDX + "checksum")
        assert value(g, checksum, SPDX + "checksumValue").hex() == hashlib.sha256(data).hexdigest()
        assert str(value(g, dist, DCAT + "mediaType")).startswith(
            "https://www.iana.org/assignments/media-types/"
        )
    service = DATASET + "-sparql"
    assert str(value(g, service, DCAT + "endpointURL")) == ENDPOINT
    assert str(value(g, DATASET, VOID + "sparqlEndpoint")) == ENDPOINT


def test_provenance_and_terms(described):
    _, _, g = described
    activity = value(g, DATASET, PROV + "wasGeneratedBy")
    used = {str(value(g, e, "http://www.w3.org/2000/01/rdf-schema#label")) for e in
            g.objects(activity, rdflib.URIRef(PROV + "used"))}  # fmt: skip
    assert {"aim-mirror-sample.json", "examples/records/aim-records.json"} <= used
    assert "aiid-oecd-links.json" in used
    agent = value(g, activity, PROV + "wasAssociatedWith")
    assert str(value(g, agent, "https://schema.org/softwareVersion")) == kg.__version__
    assert str(value(g, DATASET, PROV + "wasDerivedFrom")) == "https://oecd.ai/en/incidents"
    assert str(value(g, DATASET, DCTERMS + "license")) == LICENSE
    rights = value(g, DATASET, DCTERMS + "rights")
    assert "OECD" in str(value(g, rights, "http://www.w3.org/2000/01/rdf-schema#label"))
    assert "owl#sameAs" not in g.serialize(format="nt")


def test_no_time_unless_asked_and_same_bytes(described, tmp_path: Path, monkeypatch):
    folder, _, g = described
    assert not any(o.datatype == rdflib.XSD.dateTime for o in g.objects() if hasattr(o, "datatype"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    data = [folder / "aim.ttl", folder / "aim.nq"]
    runs = []
    for n in (1, 2):
        out = tmp_path / f"d{n}.ttl"
        result = CliRunner().invoke(
            cli, ["describe", *map(str, data), "-o", str(out), "--license", LICENSE]
        )
        assert result.exit_code == 0, result.output
        runs.append(out.read_bytes())
    assert runs[0] == runs[1]
    assert b'"2026-01-01T00:00:00Z"^^xsd:dateTime' in runs[0]


def test_load_keeps_the_description_in_its_graph(described, tmp_path: Path):
    folder, _, _ = described
    st = ox.Store()
    with ExitStack() as stack:
        report = kgstore.load(
            st, kgstore.read([str(folder / "aim.nq"), str(folder / "description.ttl")], stack)
        )
    assert report.described
    graph = ox.NamedNode("https://w3id.org/aim-kg/id/graph-description")
    assert len(list(st.quads_for_pattern(None, None, None, graph))) > 100
    # The store described: its counts are those of every graph but the description's.
    out = tmp_path / "store"
    st_disk = kgstore.open_store(str(out), create=True)
    with ExitStack() as stack:
        kgstore.load(
            st_disk, kgstore.read([str(folder / "aim.nq"), str(folder / "description.ttl")], stack)
        )
    del st_disk
    g = kg.describe(store=out)
    triples = {(q.subject, q.predicate, q.object) for q in st if q.graph_name != graph}
    assert value(g, DATASET, VOID + "triples") == len(triples)


def test_describe_errors(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "--describe", str(tmp_path / "d.ttl"), "-q"])
    assert result.exit_code == 1 and "give at least one -o FILE" in result.output
    result = runner.invoke(cli, ["describe", "-o", str(tmp_path / "d.ttl")])
    assert result.exit_code == 2
    out = tmp_path / "x.ttl"
    result = runner.invoke(
        cli, ["export", "-o", str(out), "--describe", str(tmp_path / "d.ttl"), "--license", "cc"]
    )
    assert result.exit_code == 1 and "--license" in result.output and not out.exists()
