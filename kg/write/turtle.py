"""Turtle (text/turtle, .ttl): the contract's prefixes, then one block of subjects per event.

Oxigraph serializes each block with the project's prefixes; the prefix lines it repeats at the top
of every block are dropped, and written once at the top of the file instead.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.terms import Triple, ox_triples
from kg.write import Writer


class Turtle(Writer):
    name = "turtle"
    extension = ".ttl"
    media_type = "text/turtle"
    aliases = ("ttl",)
    order = 1

    def header(self) -> bytes:
        lines = [f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(self.prefixes.items())]
        return ("".join(lines) + "\n").encode("utf-8")

    def block(self, triples: list[Triple], graph: str | None = None) -> bytes:
        data = ox.serialize(ox_triples(triples), format=ox.RdfFormat.TURTLE, prefixes=self.prefixes)
        if data.startswith(b"@prefix"):
            data = data.split(b"\n", len(self.prefixes))[-1]
        return data + b"\n" if data else b""


WRITER = Turtle
