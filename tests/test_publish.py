"""The vocabulary, published: the taxonomy page lists every concept, the SSSOM mapping set is
the alignments, and the files the w3id.org redirects point at are all written by make docs."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from conftest import ROOT

from kg import __version__, publish, resources, terms
from kg.namespaces import OWL, RDF_TYPE, SKOS


def test_the_taxonomy_page_lists_every_concept_of_every_scheme(vocab):
    page = publish.taxonomy_page()
    schemes = {c.scheme for c in vocab.concepts.values()}
    assert len(schemes) == 9 and len(vocab.concepts) >= 90
    for scheme in schemes:
        label = next(o.value for o in vocab.graph.objects(scheme, SKOS + "prefLabel"))
        assert f"<h2>{html.escape(label)}</h2>" in page
    for concept in vocab.concepts.values():
        anchor = concept.iri.rsplit("/", 1)[1]
        row = re.search(rf'<tr id="{re.escape(anchor)}">.*?</tr>', page)
        assert row, concept.iri
        assert f"<strong>{html.escape(concept.pref_label)}</strong>" in row.group(0)
        for alt in concept.alt_labels:
            assert html.escape(alt) in row.group(0)
    assert page.count("<tr id=") == len(vocab.concepts)
    assert "skos:closeMatch" in page and "skos:broadMatch" in page


def test_the_sssom_file_is_the_alignments():
    committed = (resources.data_dir("ontology") / "alignments.sssom.tsv").read_text("utf-8")
    assert committed == publish.sssom(), "run: make sssom"
    header = [line for line in committed.splitlines() if line.startswith("#")]
    for key in ("curie_map:", "mapping_set_id:", "license:", "mapping_set_version: " + __version__):
        assert any(line.startswith("# " + key) for line in header), key
    body = "\n".join(line for line in committed.splitlines() if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body), delimiter="\t"))
    mappings = [
        (s, p, o)
        for s, p, o in terms.parse(resources.ontology_files()[1])
        if p in publish.MAPPING_PREDICATES and terms.is_iri(o)
    ]
    assert len(rows) == len(mappings) >= 30
    assert {r["mapping_justification"] for r in rows} == {"semapv:ManualMappingCuration"}
    assert all(r["subject_label"] for r in rows)


def test_make_docs_writes_every_file_the_redirects_point_at(tmp_path: Path):
    written = set(publish.site(str(tmp_path)))
    htaccess = (ROOT / "docs" / "w3id" / ".htaccess").read_text(encoding="utf-8")
    for media in ("text/turtle", r"application/ld\+json", "application/n-triples"):
        assert f"RewriteCond %{{HTTP_ACCEPT}} {media}" in htaccess
    assert "R=303" in htaccess
    for name in publish.SITE_DOCUMENTS:
        assert name in htaccess
        for ext in ("ttl", "jsonld", "nt"):
            assert f"{name}.{ext}" in written and f"{__version__}/{name}.{ext}" in written
            assert terms.parse(tmp_path / f"{name}.{ext}"), f"{name}.{ext} parses"
    assert {"taxonomy.html", "context.jsonld", "alignments.sssom.tsv"} <= written
    assert "ontology.html" in (ROOT / "Makefile").read_text(encoding="utf-8")  # pyLODE's


def test_version_iris_follow_the_convention():
    for path in resources.ontology_files()[::2]:
        triples = terms.parse(path)
        ontology = next(s for s, p, o in triples if p == RDF_TYPE and o == OWL + "Ontology")
        version = [o for s, p, o in triples if s == ontology and p == OWL + "versionIRI"]
        prior = [o for s, p, o in triples if s == ontology and p == OWL + "priorVersion"]
        assert version == [f"{ontology}/{__version__}"]
        assert len(prior) == 1 and prior[0].startswith(ontology + "/")
