"""N-Quads (application/n-quads, .nq): each event in a named graph of its own.

The graph of an event is named by the event's IRI and holds its block (the event, its generated
texts and its articles); outlets and concepts go to the graph ``aimid:graph-shared``. A store that
loads an export as N-Quads can replace one event by replacing its graph (``aim-kg load``).
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.terms import Triple, ox_triples
from kg.write import Writer

SHARED_GRAPH = "graph-shared"


class NQuads(Writer):
    name = "nquads"
    extension = ".nq"
    media_type = "application/n-quads"
    aliases = ("nq", "n-quads")
    order = 4

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        name = ox.NamedNode(graph or self.prefixes["aimid"] + SHARED_GRAPH)
        return ox.serialize(
            [ox.Quad(t.subject, t.predicate, t.object, name) for t in ox_triples(triples)],
            format=ox.RdfFormat.N_QUADS,
        )


WRITER = NQuads
