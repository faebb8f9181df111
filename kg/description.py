"""The dataset description: what an export is, where it came from, under which terms, how big.

``aim-kg export ... --describe FILE`` and ``aim-kg describe DATA ... -o FILE`` write it; so does
``kg.describe``. One graph, in four vocabularies a data catalogue and a linked-data crawler both
read:

- DCAT 3 / DCAT-AP 3.0: a ``dcat:Dataset`` (title, description, publisher, creator, keywords,
  theme, temporal coverage from the event dates, spatial coverage from the countries, source,
  licence, rights), one ``dcat:Distribution`` per file (download URL under ``--base-url``, IANA
  media type, EU file type, byte size, SHA-256 checksum as ``spdx:checksum``), and a
  ``dcat:DataService`` when an endpoint is given;
- VoID: the dataset's counts (``void:triples``, ``void:entities``, distinct subjects and
  objects), a class partition per class and a property partition per property with theirs,
  vocabularies, URI space, example resources, data dumps, SPARQL endpoint, and the AI Incident
  Database's links as a ``void:Linkset`` subset with its own licence;
- PROV: ``prov:wasGeneratedBy`` an activity associated with aim-kg (and its version) that used
  the input files (names and SHA-256), ``prov:wasDerivedFrom`` the AIM.

Every count is a SPARQL COUNT over the same data (the files described, read into one graph; or a
store's graphs but the description's own), so a crawler can check it. Nothing depends on the time
of the run, unless SOURCE_DATE_EPOCH is set or a time stamp is asked for: the same data gives the
same bytes. Every node has an IRI under the ``aimid:`` namespace (``aimid:dataset``,
``aimid:dataset-distribution-aim-kg-ttl``...), never a blank node.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin

import pyoxigraph as ox

from kg import __version__, rdffile
from kg.context import build_context
from kg.errors import UsageError
from kg.model.events import digest
from kg.namespaces import (
    AIID_CITE,
    AIM,
    AIMID,
    COUNTRY,
    DCTERMS,
    ONTOLOGY_IRI,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    SKOS,
    TAXONOMY_IRI,
    XSD,
    PrefixMap,
    prefixes,
)
from kg.read.links import Linkset, load_linkset
from kg.terms import Lit, Triple
from kg.write import atomic_output, format_of

DCAT = "http://www.w3.org/ns/dcat#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = "http://xmlns.com/foaf/0.1/"
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
DESCRIPTION_PREFIXES = {"dcat": DCAT, "void": VOID, "spdx": SPDX, "foaf": FOAF}

ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"
DEFAULT_BASE_URL = "https://w3id.org/aim-kg/data/"
DESCRIPTION_GRAPH = "graph-description"  # under aimid:, in a store and in an N-Quads description

AIM_SOURCE = "https://oecd.ai/en/incidents"
OECD = "https://www.oecd.org/"
OECD_TERMS = "https://www.oecd.org/termsandconditions/"
AIID_HOME = "https://incidentdatabase.ai/"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
AIID_TABLE_SOURCE = (
    "https://github.com/responsible-ai-collaborative/aiid/blob/"
    "3e68a9fbb020a048f1326e7309864e8dda34a72c/"
    "site/gatsby-site/migrations/data/oecd_relationships_2026_07_30.json"
)

# What each export format is, for a distribution: IANA media type, EU file type, VoID feature.
_FORMATS = {
    "turtle": ("text/turtle", "RDF_TURTLE", "Turtle"),
    "jsonld": ("application/ld+json", "JSON_LD", "JSON-LD"),
    "ntriples": ("application/n-triples", "RDF_N_TRIPLES", "N-Triples"),
    "nquads": ("application/n-quads", "RDF_N_QUADS", "N-Quads"),
}
_GZIP = IANA + "application/gzip"

_STRING = XSD + "string"
_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INT = XSD + "nonNegativeInteger"


def _en(text: str) -> Lit:
    return Lit(text, _LANG, "en")


def _int(n: int) -> Lit:
    return Lit(str(n), _INT)


# ---------------------------------------------------------------- options


def _check_iri(value: str | None, option: str) -> None:
    if value is None:
        return
    if not value.startswith(("http://", "https://")) or re.search(r'[\s<>"{}|\\^`]', value):
        raise UsageError(f"{option} {value!r}: expected an http(s) IRI with no spaces")


def check_options(
    path: str,
    files: Iterable[str] = (),
    base_url: str | None = None,
    license: str | None = None,
    endpoint: str | None = None,
    option: str = "--describe",
) -> None:
    """Refuse a description that cannot work, before anything is read or written."""
    from kg.write.outputs import check_output_path

    files = list(files)
    if path == "-":
        raise UsageError(f"{option} -: give a file name (the description is not data)")
    if format_of(path) is None:
        raise UsageError(f"{option} {path}: expected .ttl, .jsonld, .nt or .nq (optionally .gz)")
    check_output_path(path, option)
    if option == "--describe" and not [f for f in files if f != "-"]:
        raise UsageError(f"{option} {path}: describes the files written; give at least one -o FILE")
    if any(os.path.realpath(f) == os.path.realpath(path) for f in files if f != "-"):
        raise UsageError(f"{option} {path}: is also a data file")
    _check_iri(base_url, "--base-url")
    if base_url is not None and not base_url.endswith("/"):
        raise UsageError(f"--base-url {base_url!r}: expected a URL ending in /")
    _check_iri(license, "--license")
    _check_iri(endpoint, "--endpoint")


# ---------------------------------------------------------------- the counts


@dataclass
class Stats:
    """What SPARQL counts over the data described."""

    triples: int = 0
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    classes: list[tuple[str, int]] = field(default_factory=list)  # class, instances
    properties: list[tuple[str, int, int, int]] = field(default_factory=list)  # p, triples, s, o
    events: int = 0
    first_date: str | None = None
    last_date: str | None = None
    countries: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    aiid_pairs: list[tuple[str, int]] = field(default_factory=list)  # (AIM id, AIID incident)
    linked_events: int = 0


def _value(term) -> str:
    return term.value


def _one(store: ox.Store, query: str) -> int:
    for row in store.query(query):
        return int(row[0].value)
    return 0


def count(store: ox.Store, base_iri: str = AIMID) -> Stats:
    """The counts of the data in the default graph of ``store`` (SPARQL 1.1)."""
    st = Stats()
    st.triples = _one(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    st.subjects = _one(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }")
    st.objects = _one(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }")
    st.entities = _one(store, entities_query(base_iri))
    st.classes = [
        (row[0].value, int(row[1].value))
        for row in store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
            "GROUP BY ?c ORDER BY STR(?c)"
        )
    ]
    st.properties = [
        (row[0].value, int(row[1].value), int(row[2].value), int(row[3].value))
        for row in store.query(
            "SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?ds) (COUNT(DISTINCT ?o) AS ?do) "
            "WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY STR(?p)"
        )
    ]
    st.events = _one(store, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a <{AIM}Event> }}")
    for row in store.query(
        f"SELECT (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{ ?e <{AIM}date> ?d }}"
    ):
        if row[0] is not None:
            st.first_date, st.last_date = row[0].value, row[1].value
    st.countries = [
        row[0].value
        for row in store.query(
            f"SELECT DISTINCT ?c WHERE {{ ?e <{AIM}country> ?c FILTER(isIRI(?c)) }} "
            "ORDER BY STR(?c)"
        )
    ]
    st.examples = [
        row[0].value
        for row in store.query(
            f"SELECT ?e WHERE {{ ?e a <{AIM}Event> ; <{DCTERMS}identifier> ?id }} "
            "ORDER BY STR(?id) LIMIT 3"
        )
    ]
    pairs = set()
    for row in store.query(
        f"SELECT ?id ?a WHERE {{ ?e <{AIM}aiidIncident> ?a ; <{DCTERMS}identifier> ?id }}"
    ):
        tail = row[1].value.removeprefix(AIID_CITE)
        if tail.isdigit():
            pairs.add((row[0].value, int(tail)))
    st.aiid_pairs = sorted(pairs)
    st.linked_events = _one(
        store, f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e <{AIM}aiidIncident> ?a }}"
    )
    return st


def entities_query(base_iri: str = AIMID) -> str:
    """void:entities: the distinct IRIs in the dataset's URI space that are subjects."""
    return (
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base_iri}")) }}'
    )


def _load_files(paths: list[str]) -> ox.Store:
    """The first file's triples in the default graph (every file of one export holds the same
    graph; N-Triples and N-Quads read fastest, so one of them is preferred)."""
    rank = {"ntriples": 0, "nquads": 1, "turtle": 2, "jsonld": 3}
    ordered = sorted(paths, key=lambda p: rank.get(getattr(format_of(p), "name", ""), 9))
    store = ox.Store()
    batch: list[ox.Quad] = []
    for quad in rdffile.parse(ordered[0]):
        batch.append(ox.Quad(quad.subject, quad.predicate, quad.object))
        if len(batch) >= 200_000:
            store.bulk_extend(batch)
            batch = []
    store.bulk_extend(batch)
    return store


def _load_store(path: str, base_iri: str) -> ox.Store:
    """A store's triples (every graph but the description's) in the default graph of a new one."""
    from kg.sparql.store import open_store

    source = open_store(path, create=False)
    skip = ox.NamedNode(base_iri + DESCRIPTION_GRAPH)
    store = ox.Store()
    batch: list[ox.Quad] = []
    for quad in source.quads_for_pattern(None, None, None, None):
        if quad.graph_name == skip:
            continue
        batch.append(ox.Quad(quad.subject, quad.predicate, quad.object))
        if len(batch) >= 200_000:
            store.bulk_extend(batch)
            batch = []
    store.bulk_extend(batch)
    return store


# ---------------------------------------------------------------- the description


@dataclass
class FileInfo:
    name: str  # as published: the file name, or the path relative to the inputs given
    path: str
    size: int
    sha256: str


def file_info(path: str, name: str | None = None) -> FileInfo:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return FileInfo(name or os.path.basename(path), path, size, h.hexdigest())


def input_names(files: list[str], given: list[str]) -> list[tuple[str, str]]:
    """(name, path) of input files, named relative to the folder each input given is in, so
    that the names do not depend on where the inputs are on this machine."""
    roots = [Path(g).resolve() for g in given if g != "-"]
    out = []
    for f in files:
        if f == "-":
            continue
        path = Path(f).resolve()
        name = path.name
        for root in roots:
            if root.is_dir() and path.is_relative_to(root):
                name = (Path(root.name) / path.relative_to(root)).as_posix()
                break
        out.append((name, f))
    return sorted(out)


def timestamp(asked: bool = False) -> str | None:
    """The time of the run, as xsd:dateTime: SOURCE_DATE_EPOCH's when set, now if asked, else
    None (the description then has no time at all, so it is reproducible)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except ValueError:
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch!r}: expected seconds since 1970 (an integer)"
            ) from None
    elif asked:
        moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    else:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or digest(text, size=12)


def build(
    stats: Stats,
    distributions: list[FileInfo],
    inputs: list[FileInfo],
    linkset: Linkset,
    *,
    base_iri: str = AIMID,
    base_url: str | None = None,
    license: str | None = None,
    endpoint: str | None = None,
    publisher: str | None = None,
    time: str | None = None,
) -> list[Triple]:
    """The triples of the description, in a fixed order."""
    base_url = base_url or DEFAULT_BASE_URL
    names = PrefixMap(prefixes(base_iri))
    d = base_iri + "dataset"
    out: list[Triple] = []

    def add(s: str, p: str, o) -> None:
        out.append((s, p, o))

    # The dataset (DCAT, VoID).
    add(d, RDF_TYPE, DCAT + "Dataset")
    add(d, RDF_TYPE, VOID + "Dataset")
    add(d, RDF_TYPE, PROV + "Entity")
    add(d, DCTERMS + "title", _en("OECD AI Incidents Monitor (AIM) as linked data"))
    period = f", dated {stats.first_date} to {stats.last_date}" if stats.first_date else ""
    add(
        d,
        DCTERMS + "description",
        _en(
            f"{stats.events} AI incidents and hazards of the OECD AI Incidents Monitor (AIM)"
            f"{period}, with their news articles, outlets, countries and the AIM taxonomies "
            "(SKOS), validated against the aim-kg SHACL shapes. Event summaries and rationales "
            "are written by AIM's language model and flagged so "
            "(schema:digitalSourceType schema:TrainedAlgorithmicMediaDigitalSource). "
            "Made with aim-kg."
        ),
    )
    add(d, DCTERMS + "identifier", Lit(d))
    for keyword in ("AI incidents", "AI hazards", "artificial intelligence", "OECD", "AIM"):
        add(d, DCAT + "keyword", _en(keyword))
    add(d, DCAT + "theme", DATA_THEME + "TECH")
    add(d, DCTERMS + "publisher", base_iri + "publisher")
    add(d, DCTERMS + "creator", OECD)
    add(d, DCTERMS + "source", AIM_SOURCE)
    add(d, PROV + "wasDerivedFrom", AIM_SOURCE)
    add(d, DCTERMS + "conformsTo", ONTOLOGY_IRI)
    add(d, DCTERMS + "conformsTo", "https://w3id.org/aim-kg/shapes")
    add(d, DCTERMS + "language", ENGLISH)
    if license:
        add(d, DCTERMS + "license", license)
    add(d, DCTERMS + "rights", base_iri + "dataset-rights-aim")
    if stats.first_date:
        add(d, DCTERMS + "temporal", d + "-temporal")
    for country in stats.countries:
        add(d, DCTERMS + "spatial", country)
    if time:
        add(d, DCTERMS + "modified", Lit(time, XSD + "dateTime"))
    add(d, PROV + "wasGeneratedBy", base_iri + "dataset-generation")
    for info in distributions:
        add(d, DCAT + "distribution", f"{d}-distribution-{_slug(info.name)}")

    # VoID counts.
    add(d, VOID + "triples", _int(stats.triples))
    add(d, VOID + "entities", _int(stats.entities))
    add(d, VOID + "distinctSubjects", _int(stats.subjects))
    add(d, VOID + "distinctObjects", _int(stats.objects))
    add(d, VOID + "classes", _int(len(stats.classes)))
    add(d, VOID + "properties", _int(len(stats.properties)))
    add(d, VOID + "uriSpace", Lit(base_iri))
    for example in stats.examples:
        add(d, VOID + "exampleResource", example)
    vocabularies = sorted(
        {_namespace(c) for c, _ in stats.classes} | {_namespace(p) for p, *_ in stats.properties}
    )
    for vocabulary in vocabularies:
        add(d, VOID + "vocabulary", vocabulary)
    for info in distributions:
        add(d, VOID + "dataDump", urljoin(base_url, quote(info.name)))
    if endpoint:
        add(d, VOID + "sparqlEndpoint", endpoint)
    for cls, n in stats.classes:
        part = f"{d}-class-{_slug(names.compact(cls, strict=True))}"
        add(d, VOID + "classPartition", part)
        add(part, VOID + "class", cls)
        add(part, VOID + "entities", _int(n))
    for prop, n, subjects, objects in stats.properties:
        part = f"{d}-property-{_slug(names.compact(prop, strict=True))}"
        add(d, VOID + "propertyPartition", part)
        add(part, VOID + "property", prop)
        add(part, VOID + "triples", _int(n))
        add(part, VOID + "distinctSubjects", _int(subjects))
        add(part, VOID + "distinctObjects", _int(objects))

    # The AI Incident Database's links: a linkset of their own, under their own licence.
    from_table = linkset.count(stats.aiid_pairs) if linkset else 0
    if from_table:
        ls = d + "-aiid-links"
        aiid = base_iri + "aiid"
        add(d, VOID + "subset", ls)
        add(ls, RDF_TYPE, VOID + "Linkset")
        add(ls, DCTERMS + "title", _en("Links from AIM events to AI Incident Database incidents"))
        add(
            ls,
            DCTERMS + "description",
            _en(
                "The aim:aiidIncident links that the AI Incident Database's own table of links "
                "to AIM pages gives (a many-to-many link table, not an identity). Credit the AI "
                "Incident Database (Responsible AI Collaborative) and share derived data alike."
            ),
        )
        add(ls, VOID + "linkPredicate", AIM + "aiidIncident")
        add(ls, VOID + "subjectsTarget", d)
        add(ls, VOID + "objectsTarget", aiid)
        add(ls, VOID + "triples", _int(from_table))
        add(ls, DCTERMS + "license", CC_BY_SA)
        add(ls, DCTERMS + "rights", base_iri + "dataset-rights-aiid")
        add(ls, DCTERMS + "source", AIID_TABLE_SOURCE if linkset.bundled else AIID_HOME)
        add(ls, PROV + "wasDerivedFrom", f"{base_iri}input-{linkset.sha256[:16]}")
        add(aiid, RDF_TYPE, VOID + "Dataset")
        add(aiid, DCTERMS + "title", _en("AI Incident Database"))
        add(aiid, FOAF + "homepage", AIID_HOME)
        add(aiid, VOID + "uriSpace", Lit(AIID_CITE))
        rights = base_iri + "dataset-rights-aiid"
        add(rights, RDF_TYPE, DCTERMS + "RightsStatement")
        add(
            rights,
            RDFS + "label",
            _en(
                "The links come from the AI Incident Database's incident data, which its Terms "
                "of Use put under CC BY-SA 4.0: credit the AI Incident Database (Responsible AI "
                "Collaborative) and share derived data alike."
            ),
        )
        add(rights, RDFS + "seeAlso", AIID_HOME + "terms-of-use/")
        add(CC_BY_SA, RDF_TYPE, DCTERMS + "LicenseDocument")

    # Terms of the AIM content.
    rights = base_iri + "dataset-rights-aim"
    add(rights, RDF_TYPE, DCTERMS + "RightsStatement")
    add(
        rights,
        RDFS + "label",
        _en(
            "The events' titles, summaries, rationales, classifications and article lists are "
            "the OECD's (the OECD AI Incidents Monitor, AIM): credit \"OECD AI Incidents "
            "Monitor (AIM)\" and follow the OECD's terms and conditions. Article headlines "
            "belong to their publishers."
        ),
    )
    add(rights, RDFS + "seeAlso", OECD_TERMS)
    if license:
        add(license, RDF_TYPE, DCTERMS + "LicenseDocument")

    # Publisher, creator, theme, standards, coverage.
    agent = base_iri + "publisher"
    add(agent, RDF_TYPE, FOAF + "Agent")
    add(agent, FOAF + "name", _en(publisher or "aim-kg contributors"))
    add(OECD, RDF_TYPE, FOAF + "Agent")
    add(OECD, RDF_TYPE, FOAF + "Organization")
    add(OECD, FOAF + "name", _en("OECD"))
    add(AIM_SOURCE, RDF_TYPE, DCAT + "Dataset")
    add(AIM_SOURCE, RDF_TYPE, PROV + "Entity")
    add(AIM_SOURCE, DCTERMS + "title", _en("OECD AI Incidents and Hazards Monitor (AIM)"))
    add(
        AIM_SOURCE,
        DCTERMS + "description",
        _en(
            "The OECD's monitor of AI incidents and hazards reported in the news, classified by "
            "AI principle, industry, affected stakeholder, harm type, severity, business "
            "function, AI task and autonomy level."
        ),
    )
    add(AIM_SOURCE, DCTERMS + "publisher", OECD)
    add(DATA_THEME + "TECH", RDF_TYPE, SKOS + "Concept")
    add(DATA_THEME + "TECH", SKOS + "prefLabel", _en("Science and technology"))
    add(DATA_THEME + "TECH", SKOS + "inScheme", DATA_THEME.rstrip("/"))
    add(DATA_THEME.rstrip("/"), RDF_TYPE, SKOS + "ConceptScheme")
    add(DATA_THEME.rstrip("/"), DCTERMS + "title", _en("Data theme"))
    for standard, title in (
        (ONTOLOGY_IRI, "aim-kg ontology"),
        ("https://w3id.org/aim-kg/shapes", "aim-kg data shapes"),
    ):
        add(standard, RDF_TYPE, DCTERMS + "Standard")
        add(standard, DCTERMS + "title", _en(title))
    add(TAXONOMY_IRI, DCTERMS + "title", _en("aim-kg taxonomies"))
    add(ENGLISH, RDF_TYPE, DCTERMS + "LinguisticSystem")
    if stats.first_date:
        period_node = d + "-temporal"
        add(period_node, RDF_TYPE, DCTERMS + "PeriodOfTime")
        add(period_node, DCAT + "startDate", Lit(stats.first_date, XSD + "date"))
        add(period_node, DCAT + "endDate", Lit(stats.last_date, XSD + "date"))
    for country in stats.countries:
        add(country, RDF_TYPE, DCTERMS + "Location")
        if country.startswith(COUNTRY):
            add(country, SKOS + "notation", Lit(country[len(COUNTRY) :]))

    # The distributions.
    media_types = set()
    for info in distributions:
        fmt = format_of(info.name) or format_of(info.path)
        media, file_type, _ = _FORMATS.get(fmt.name, (fmt.media_type, "RDF", fmt.name))
        url = urljoin(base_url, quote(info.name))
        node = f"{d}-distribution-{_slug(info.name)}"
        add(node, RDF_TYPE, DCAT + "Distribution")
        add(node, DCTERMS + "title", _en(f"{info.name} ({fmt.name})"))
        add(node, DCAT + "accessURL", url)
        add(node, DCAT + "downloadURL", url)
        add(node, DCAT + "mediaType", IANA + media)
        media_types.add(IANA + media)
        add(node, DCTERMS + "format", FILE_TYPE + file_type)
        if info.name.lower().endswith(".gz"):
            add(node, DCAT + "compressFormat", _GZIP)
            media_types.add(_GZIP)
        add(node, DCAT + "byteSize", _int(info.size))
        add(node, SPDX + "checksum", node + "-checksum")
        if license:
            add(node, DCTERMS + "license", license)
        add(node, DCTERMS + "rights", rights)
        add(node + "-checksum", RDF_TYPE, SPDX + "Checksum")
        add(node + "-checksum", SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        add(node + "-checksum", SPDX + "checksumValue", Lit(info.sha256, XSD + "hexBinary"))
        add(FILE_TYPE + file_type, RDF_TYPE, DCTERMS + "MediaTypeOrExtent")
    for media in sorted(media_types):
        add(media, RDF_TYPE, DCTERMS + "MediaType")
    if distributions:
        add(SPDX + "checksumAlgorithm_sha256", RDF_TYPE, SPDX + "ChecksumAlgorithm")

    # The SPARQL endpoint.
    if endpoint:
        service = d + "-sparql"
        add(service, RDF_TYPE, DCAT + "DataService")
        add(service, DCTERMS + "title", _en("SPARQL endpoint of the AIM linked data"))
        add(service, DCAT + "endpointURL", endpoint)
        add(service, DCAT + "servesDataset", d)
        add(service, DCTERMS + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
        add("https://www.w3.org/TR/sparql11-protocol/", RDF_TYPE, DCTERMS + "Standard")
        if license:
            add(service, DCTERMS + "license", license)

    # Provenance: the run that made the data.
    activity = base_iri + "dataset-generation"
    software = f"{base_iri}software-aim-kg-{_slug(__version__)}"
    add(activity, RDF_TYPE, PROV + "Activity")
    add(activity, RDFS + "label", _en(f"aim-kg {__version__} export"))
    add(activity, PROV + "wasAssociatedWith", software)
    if time:
        add(activity, PROV + "endedAtTime", Lit(time, XSD + "dateTime"))
    used = list(inputs)
    if linkset and from_table:
        name = "aiid-oecd-links.json" if linkset.bundled else os.path.basename(linkset.path)
        used.append(FileInfo(name, linkset.path, 0, linkset.sha256))
    for info in sorted(used, key=lambda i: (i.name, i.sha256)):
        entity = f"{base_iri}input-{info.sha256[:16]}"
        add(activity, PROV + "used", entity)
        add(entity, RDF_TYPE, PROV + "Entity")
        add(entity, RDFS + "label", Lit(info.name))
        add(entity, SPDX + "checksum", entity + "-checksum")
        add(entity + "-checksum", RDF_TYPE, SPDX + "Checksum")
        add(entity + "-checksum", SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        add(entity + "-checksum", SPDX + "checksumValue", Lit(info.sha256, XSD + "hexBinary"))
        add(entity, PROV + "wasDerivedFrom", AIM_SOURCE)
    if used:
        add(SPDX + "checksumAlgorithm_sha256", RDF_TYPE, SPDX + "ChecksumAlgorithm")
    add(software, RDF_TYPE, PROV + "SoftwareAgent")
    add(software, RDFS + "label", Lit(f"aim-kg {__version__}"))
    add(software, SCHEMA + "softwareVersion", Lit(__version__))
    add(software, SCHEMA + "name", Lit("aim-kg"))
    # A triple once; each subject's triples together, subjects in the order they were made.
    by_subject: dict[str, list[Triple]] = {}
    for t in dict.fromkeys(out):
        by_subject.setdefault(t[0], []).append(t)
    return [t for ts in by_subject.values() for t in ts]


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    return iri[:cut] if cut else iri


def write(triples: list[Triple], path: str, base_iri: str = AIMID) -> None:
    """The description in the format of ``path``'s extension (an N-Quads file puts it in the
    graph ``aimid:graph-description``)."""
    fmt = format_of(path)
    names = {**prefixes(base_iri), **DESCRIPTION_PREFIXES}
    context = {**build_context(base_iri), **DESCRIPTION_PREFIXES}
    writer = fmt.writer(names, context)
    graph = base_iri + DESCRIPTION_GRAPH if fmt.name == "nquads" else None
    with atomic_output(path) as out:
        out.write(writer.header())
        out.write(writer.block(triples, graph))
        out.write(writer.footer())


# ---------------------------------------------------------------- entry points


def describe_export(
    result,
    path: str,
    *,
    base_iri: str = AIMID,
    base_url: str | None = None,
    license: str | None = None,
    endpoint: str | None = None,
    publisher: str | None = None,
    time: bool = False,
) -> list[Triple]:
    """Describe the files an export just wrote (``result``: its ExportResult) into ``path``."""
    files = [o for o in result.outputs if o != "-"]
    stats = count(_load_files(files), base_iri)
    inputs = [file_info(p, name) for name, p in input_names(result.inputs, result.input_args)]
    triples = build(
        stats,
        [file_info(f) for f in files],
        inputs,
        result.linkset,
        base_iri=base_iri,
        base_url=base_url,
        license=license,
        endpoint=endpoint,
        publisher=publisher,
        time=timestamp(time),
    )
    write(triples, path, base_iri)
    return triples


def describe(
    data: Iterable[str] = (),
    *,
    store: str | None = None,
    inputs: Iterable[str] = (),
    base_iri: str = AIMID,
    base_url: str | None = None,
    license: str | None = None,
    endpoint: str | None = None,
    publisher: str | None = None,
    aiid_links: str | os.PathLike | bool | None = True,
    time: bool = False,
) -> list[Triple]:
    """The description of exported files (``data``, each a distribution) or of a store."""
    data = [os.fspath(d) for d in data]
    if bool(data) == (store is not None):
        raise UsageError("describe: give the exported files or a store, not both (nor neither)")
    for item in data:
        if not rdffile.is_rdf_file(item) or format_of(item) is None:
            raise UsageError(
                f"{item}: expected an export (.ttl, .jsonld, .nt, .nq, optionally .gz)"
            )
        if not os.path.isfile(item):
            raise UsageError(f"{item}: no such file")
    for name in (base_url, license, endpoint):
        _check_iri(name, "an IRI")
    linkset = load_linkset(aiid_links)
    with ExitStack():
        loaded = _load_files(data) if data else _load_store(os.fspath(store), base_iri)
        stats = count(loaded, base_iri)
    paths = [os.fspath(i) for i in inputs]
    for p in paths:
        if not os.path.isfile(p):
            raise UsageError(f"--input {p}: no such file")
    return build(
        stats,
        [file_info(f) for f in data],
        [file_info(p) for p in paths],
        linkset,
        base_iri=base_iri,
        base_url=base_url,
        license=license,
        endpoint=endpoint,
        publisher=publisher,
        time=timestamp(time),
    )
