"""N-Triples (application/n-triples, .nt): one triple per line, serialized by Oxigraph."""

from __future__ import annotations

import pyoxigraph as ox


def header(prefixes: dict[str, str], context: dict) -> bytes:
    return b""


def block(triples: list[ox.Triple], prefixes: dict[str, str], context: dict) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def separator() -> bytes:
    return b""


def footer() -> bytes:
    return b""
