"""N-Triples (application/n-triples, .nt): one triple per line, serialized by Oxigraph."""

from __future__ import annotations

import pyoxigraph as ox

from kg.terms import Triple, ox_triples
from kg.write import Writer


class NTriples(Writer):
    name = "ntriples"
    extension = ".nt"
    media_type = "application/n-triples"
    aliases = ("nt", "n-triples")
    order = 3

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        return ox.serialize(ox_triples(triples), format=ox.RdfFormat.N_TRIPLES)


WRITER = NTriples
