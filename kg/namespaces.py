"""IRIs of the vocabularies aim-kg writes, and the prefixes bound in every export.

The prefixes are those of the graph contract plus the vocabularies aim-kg aligns to; nothing else is
ever bound, so a serializer never invents one (``ns1:``).
"""

from __future__ import annotations

import re

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


_LOCAL = re.compile(r"[\w][\w.\-]*")


class PrefixMap:
    """Prefixed names (``aim:Event``) for IRIs and IRIs for prefixed names, for one set of
    prefixes: the one place where aim-kg shortens an IRI (JSON-LD compaction, the JSON-LD
    context, query tables, messages)."""

    def __init__(self, names: dict[str, str]):
        self.names = dict(names)
        self._by_namespace = {namespace: name for name, namespace in names.items()}
        self._longest_first = sorted(self._by_namespace.items(), key=lambda item: -len(item[0]))

    def compact(self, iri: str, strict: bool = False) -> str:
        """``prefix:local`` for an IRI in a bound namespace, else the IRI itself.

        The longest namespace wins; an IRI that is the namespace itself stays whole. ``strict``
        keeps only local names that Turtle and SPARQL accept unescaped (for text a person may
        paste into a query).
        """
        local = name = None
        for sep in ("#", "/"):  # most IRIs: the namespace ends at the last '#' or '/'
            cut = iri.rfind(sep) + 1
            if cut and cut < len(iri):
                name = self._by_namespace.get(iri[:cut])
                if name is not None:
                    local = iri[cut:]
                    break
        if name is None:
            for namespace, candidate in self._longest_first:
                if iri.startswith(namespace) and len(iri) > len(namespace):
                    rest = iri[len(namespace) :]
                    if not rest.startswith("//"):
                        name, local = candidate, rest
                        break
        if name is None:
            return iri
        if strict and (not _LOCAL.fullmatch(local) or local.endswith(".")):
            return iri
        return f"{name}:{local}"

    def expand(self, value: str) -> str:
        """The IRI of ``prefix:local``; any other value is returned as it is."""
        prefix, colon, rest = value.partition(":")
        namespace = self.names.get(prefix) if colon else None
        return namespace + rest if namespace is not None else value
