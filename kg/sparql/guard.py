"""What a query may ask before Oxigraph sees it: no federation, a bounded nesting.

Oxigraph has no switch for either. A ``SERVICE`` clause makes it send the inner query to any
host the query names (from the endpoint's machine: a request forgery); a query nested a few
thousand levels deep, or a chain of a few thousand operators, overflows its stack and kills the
process (the endpoint, or ``aim-kg query`` with a segmentation fault). So every query goes
through ``check`` first, which reads it token by token as SPARQL's grammar cuts it: comments,
strings (short and long, with escapes) and IRIs are skipped whole, so a ``#``, a bracket or the
word SERVICE inside them counts for nothing, and a prefixed name, variable or blank node that
merely contains the word (``ex:service``, ``?service``, ``_:service``) is not the keyword.

The bounds are far above what a real query needs (the catalogue's deepest query nests 5 levels
and has 25 operators) and far below what Oxigraph survives (about 2,000 levels or operators on
a 2 MiB thread stack).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.errors import QueryError

MAX_DEPTH = 100  # brackets ( { [ open at once
MAX_OPERATORS = 1000  # operators, keywords that build the algebra, and groups { } in all

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
               |'(?:[^'\\\n\r]|\\.)*(?:'|$)
               |"(?:[^"\\\n\r]|\\.)*(?:"|$))
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][^\s#'"<>(){}\[\],;.!=&|+*/^\-:?$]*)
    | (?P<word>[^\s#'"<>(){}\[\],;.!=&|+*/^\-]+(?:\.+[^\s#'"<>(){}\[\],;.!=&|+*/^\-]+)*)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<op>\|\||&&|!=|<=|>=|\^\^|[!=<>+*/|^\-])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Keywords that nest the query's algebra (each one more level for Oxigraph to recurse).
_NESTING = {
    "union",
    "optional",
    "minus",
    "filter",
    "bind",
    "graph",
    "service",
    "exists",
    "not",
    "in",
    "if",
    "coalesce",
}


@dataclass(frozen=True)
class Shape:
    """What check found: whether the query federates, how deep and how long it is."""

    service: bool
    depth: int
    operators: int


def shape(text: str) -> Shape:
    service = False
    depth = deepest = operators = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            word = m.group()
            if ":" in word:
                continue  # a prefixed name (ex:service, service:x) or a blank node (_:service)
            for part in word.split("."):
                lowered = part.lower()
                if lowered == "service":
                    service = True
                if lowered in _NESTING:
                    operators += 1
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
            if m.group() == "{":
                operators += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "op":
            operators += 1
    return Shape(service, deepest, operators)


def check(text: str, name: str = "the query", allow_service: bool = False) -> None:
    """Raise QueryError, saying why, if the query federates (unless allowed) or is nested
    too deep or too long to be run safely."""
    found = shape(text)
    if found.service and not allow_service:
        raise QueryError(
            f"{name}: SERVICE (a federated query) is refused: it would make this machine send "
            "requests to another host"
            + ("" if name == "the request" else "; aim-kg query --allow-service allows it")
        )
    if found.depth > MAX_DEPTH:
        raise QueryError(
            f"{name}: nested {found.depth} levels deep; the limit is {MAX_DEPTH} "
            "(brackets, braces and parentheses open at once)"
        )
    if found.operators > MAX_OPERATORS:
        raise QueryError(
            f"{name}: {found.operators} operators and groups; the limit is {MAX_OPERATORS}"
        )
