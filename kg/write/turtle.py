"""Turtle (text/turtle, .ttl): the contract's prefixes, then one block of subjects per event.

Each block is written with the project's prefixes, declared once at the top of the file, in
Oxigraph's layout (kg/write/syntax.py); a block with blank nodes (the ontology's restrictions,
with ``--with-ontology``) is serialized by Oxigraph itself, its repeated prefix lines dropped.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.terms import Triple, ox_triples
from kg.write import Writer
from kg.write.syntax import TurtleText


class Turtle(Writer):
    name = "turtle"
    extension = ".ttl"
    media_type = "text/turtle"
    aliases = ("ttl",)
    order = 1

    def __init__(self, prefixes: dict[str, str], context: dict):
        super().__init__(prefixes, context)
        self.text = TurtleText(prefixes)

    def header(self) -> bytes:
        lines = [f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(self.prefixes.items())]
        return ("".join(lines) + "\n").encode("utf-8")

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        text = self.text.statements(triples)
        if text is not None:
            return (text + "\n").encode("utf-8") if text else b""
        data = ox.serialize(ox_triples(triples), format=ox.RdfFormat.TURTLE, prefixes=self.prefixes)
        if data.startswith(b"@prefix"):
            data = data.split(b"\n", len(self.prefixes))[-1]
        return data + b"\n" if data else b""


WRITER = Turtle
