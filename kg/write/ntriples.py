"""N-Triples (application/n-triples, .nt): one triple per line, as Oxigraph writes it."""

from __future__ import annotations

from kg.terms import Triple
from kg.write import Writer
from kg.write.syntax import NTriplesText


class NTriples(Writer):
    name = "ntriples"
    extension = ".nt"
    media_type = "application/n-triples"
    aliases = ("nt", "n-triples")
    order = 3

    def __init__(self, prefixes: dict[str, str], context: dict):
        super().__init__(prefixes, context)
        self.text = NTriplesText()

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        return self.text.lines(triples).encode("utf-8")


WRITER = NTriples
