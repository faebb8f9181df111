"""IRIs of the vocabularies aim-kg writes, and the prefixes bound in every export.

The prefixes are those of the graph contract plus the vocabularies aim-kg aligns to; nothing else is
ever bound, so a serializer never invents one (``ns1:``).
"""

AIM = "https://w3id.org/aim-kg/ontology#"
AIMID = "https://w3id.org/aim-kg/id/"
AIMTAX = "https://w3id.org/aim-kg/taxonomy/"
AIMSH = "https://w3id.org/aim-kg/shapes#"
SCHEMA = "https://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
AIID_CITE = "https://incidentdatabase.ai/cite/"
AIM_PAGE = "https://oecd.ai/en/incidents/"
ONTOLOGY_IRI = "https://w3id.org/aim-kg/ontology"
TAXONOMY_IRI = "https://w3id.org/aim-kg/taxonomy"

RDF_TYPE = RDF + "type"
XSD_STRING = XSD + "string"
XSD_DATE = XSD + "date"
RDF_LANGSTRING = RDF + "langString"


def prefixes(base_iri: str = AIMID) -> dict[str, str]:
    """The prefixes bound in exports, with ``aimid:`` following ``--base-iri``."""
    return {
        "aim": AIM,
        "aimid": base_iri,
        "aimtax": AIMTAX,
        "schema": SCHEMA,
        "rdf": RDF,
        "rdfs": RDFS,
        "xsd": XSD,
        "owl": OWL,
        "skos": SKOS,
        "dcterms": DCTERMS,
        "prov": PROV,
        "dpv": "https://w3id.org/dpv#",
        "risk": "https://w3id.org/dpv/risk#",
        "ai": "https://w3id.org/dpv/ai#",
        "vair": "https://w3id.org/vair#",
    }
