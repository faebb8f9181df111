"""N-Triples (application/n-triples, .nt): one triple per line, serialized by Oxigraph."""

from __future__ import annotations

import pyoxigraph as ox

from kg.terms import Triple, ox_triples


def header(prefixes: dict[str, str], context: dict) -> bytes:
    return b""


def block(triples: list[Triple], prefixes: dict[str, str], context: dict) -> bytes:
    return ox.serialize(ox_triples(triples), format=ox.RdfFormat.N_TRIPLES)


def separator() -> bytes:
    return b""


def footer() -> bytes:
    return b""
