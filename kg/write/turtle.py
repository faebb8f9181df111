"""Turtle (text/turtle, .ttl): the contract's prefixes, then one block of subjects per event.

Oxigraph serializes each block with the project's prefixes; the prefix lines it repeats at the top
of every block are dropped, and written once at the top of the file instead.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.terms import Triple, ox_triples


def header(prefixes: dict[str, str], context: dict) -> bytes:
    lines = [f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(prefixes.items())]
    return ("".join(lines) + "\n").encode("utf-8")


def block(triples: list[Triple], prefixes: dict[str, str], context: dict) -> bytes:
    data = ox.serialize(ox_triples(triples), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    if data.startswith(b"@prefix"):
        data = data.split(b"\n", len(prefixes))[-1]
    return data + b"\n" if data else b""


def separator() -> bytes:
    return b""


def footer() -> bytes:
    return b""
