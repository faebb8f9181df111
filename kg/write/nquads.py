"""N-Quads (application/n-quads, .nq): each event in a named graph of its own.

The graph of an event is named by the event's IRI and holds its block (the event, its generated
texts and its articles); outlets and concepts go to the graph ``aimid:graph-shared``. A store that
loads an export as N-Quads can replace one event by replacing its graph (``aim-kg load``).
"""

from __future__ import annotations

from kg.terms import Triple
from kg.write import Writer
from kg.write.syntax import NTriplesText

SHARED_GRAPH = "graph-shared"


class NQuads(Writer):
    name = "nquads"
    extension = ".nq"
    media_type = "application/n-quads"
    aliases = ("nq", "n-quads")
    order = 4

    def __init__(self, prefixes: dict[str, str], context: dict):
        super().__init__(prefixes, context)
        self.text = NTriplesText()

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        name = graph or self.prefixes["aimid"] + SHARED_GRAPH
        return self.text.lines(triples, name).encode("utf-8")


WRITER = NQuads
