"""``aim-kg query``: a SPARQL 1.1 query (pyoxigraph) over exports, raw inputs or a store.

The QUERY argument is a SPARQL string, a file (``.rq`` or any other), ``-`` (standard input) or
the name of a query of the catalogue (``queries/*.rq``, shipped with aim-kg). The query runs with
the default graph as the union of all graphs (kg/sparql/store.py), with the prefixes of the graph
contract declared, so short queries need no PREFIX lines. SELECT and ASK answers print as a
table or in a standard results format (SPARQL JSON, XML, CSV, TSV); CONSTRUCT and DESCRIBE
answers print as RDF (Turtle, N-Triples, JSON-LD).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import resources
from kg.errors import QueryError
from kg.namespaces import AIMID, XSD, PrefixMap, prefixes
from kg.sparql import guard

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
FORMATS = ["table", *RESULT_FORMATS, *GRAPH_FORMATS]
MAX_CELL = 72  # display columns of a table cell; longer values end in "…" (csv/tsv/json are whole)

_NUMERIC = {
    XSD + name for name in ("integer", "decimal", "double", "float", "long", "int", "short", "byte")
} | {
    XSD + name for name in ("nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong")
}
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^:\s]*:\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)
_POSITION = re.compile(r"error at (\d+):(\d+)")


# ---------------------------------------------------------------- the catalogue


def catalogue() -> dict[str, Path]:
    """The shipped queries by name (file name without .rq)."""
    folder = resources.data_dir("queries")
    return {p.stem: p for p in sorted(folder.glob("*.rq")) if not p.name.startswith(".")}


def question(path: Path) -> str:
    """A catalogue query's question: the first line of its leading comment block."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and line.strip("# "):
            return line.lstrip("# ").strip()
    return ""


@dataclass(frozen=True)
class Query:
    name: str  # where it came from: a file, a catalogue name, "the query" for a string
    text: str


def resolve(query: str) -> Query:
    """QUERY as given on the command line: a file, -, a catalogue name or SPARQL text."""
    if query == "-":
        return Query("standard input", sys.stdin.read())
    path = Path(query)
    if "\n" not in query and len(query) < 4096 and path.is_file():
        try:
            return Query(query, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{query}: cannot read the query: {exc}") from None
    known = catalogue()
    name = query[:-3] if query.endswith(".rq") else query
    if name in known:
        return Query(f"{name} (catalogue)", known[name].read_text(encoding="utf-8"))
    if re.search(r"[\s{]", query):
        return Query("the query", query)
    raise QueryError(
        f"{query!r} is not a file, a query of the catalogue or SPARQL text; "
        f"the catalogue has: {', '.join(known)} (aim-kg query --list)"
    )


# ---------------------------------------------------------------- running


def run(store: ox.Store, query: Query, base_iri: str = AIMID, allow_service: bool = False):
    """Run query on store, the default graph being the union of all its graphs. A federated
    query (SERVICE) is refused unless ``allow_service``, and so is a query nested too deep
    to run safely (kg.sparql.guard)."""
    guard.check(query.text, query.name, allow_service)
    try:
        return store.query(query.text, use_default_graph_as_union=True, prefixes=prefixes(base_iri))
    except SyntaxError as exc:
        raise QueryError(describe_syntax_error(query, str(exc))) from None
    except OSError as exc:
        raise QueryError(f"{query.name}: the store could not be read: {exc}") from None


def describe_syntax_error(query: Query, message: str) -> str:
    """Oxigraph's 'error at LINE:COLUMN: ...', with the line and a caret under the column."""
    if _UPDATE.match(_strip_comments(query.text)):
        return (
            f"{query.name}: this is a SPARQL Update; aim-kg query runs queries "
            "(SELECT, ASK, CONSTRUCT, DESCRIBE) and never changes a store"
        )
    found = _POSITION.search(message)
    if not found:
        return f"{query.name}: SPARQL syntax error: {message}"
    line, column = int(found.group(1)), int(found.group(2))
    detail = " ".join(message[found.end() :].lstrip(": ").split())
    if "Prefix not found" in detail:
        detail = "a prefix that is not declared (add a PREFIX line for it)"
    elif len(detail) > 160:
        detail = detail[:159] + "…"
    lines = query.text.splitlines()
    if line > len(lines) or (line == len(lines) and column > len(lines[-1])):
        return f"{query.name}: SPARQL syntax error at the end of the query: {detail}"
    caret = " " * max(column - 1, 0) + "^"
    return (
        f"{query.name}: SPARQL syntax error at line {line}, column {column}: {detail}\n"
        f"  {lines[line - 1]}\n  {caret}"
    )


def _strip_comments(text: str) -> str:
    """The query without # comments (a # inside <...> or "..." is left alone)."""
    return re.sub(r'(<[^>\n]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')|#[^\n]*', r"\1", text)


# ---------------------------------------------------------------- output


def kind(result) -> str:
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    return "graph"


def prepare(query: Query, base_iri: str = AIMID, allow_service: bool = False) -> str:
    """Parse the query (by running it on an empty store, which costs nothing) and return the kind
    of its answer, so that a syntax error shows before any data is loaded."""
    return kind(run(ox.Store(), query, base_iri, allow_service))


def check_format(answer: str, fmt: str | None) -> str:
    """The output format for this kind of answer (see kind); QueryError if fmt does not fit it."""
    if answer == "graph":
        if fmt in (None, "table"):
            return "ttl"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"--format {fmt} is for SELECT and ASK answers; a CONSTRUCT or DESCRIBE answer "
                f"is RDF: {', '.join(GRAPH_FORMATS)}"
            )
        return fmt
    fmt = fmt or "table"
    if fmt in GRAPH_FORMATS:
        raise QueryError(
            f"--format {fmt} is for CONSTRUCT and DESCRIBE answers (RDF); a SELECT or ASK "
            f"answer prints as: table, {', '.join(RESULT_FORMATS)}"
        )
    return fmt


def write(result, fmt: str, out: BinaryIO, base_iri: str = AIMID) -> None:
    """Write the answer in fmt (as check_format chose it) to out."""
    if fmt in GRAPH_FORMATS:
        options = {"prefixes": prefixes(base_iri)} if fmt == "ttl" else {}
        triples = sorted(set(result), key=str)  # grouped by subject, the same bytes every time
        ox.serialize(triples, out, GRAPH_FORMATS[fmt], **options)
    elif fmt == "table":
        out.write(table(result, base_iri).encode("utf-8"))
    else:
        result.serialize(out, RESULT_FORMATS[fmt])


def table(result, base_iri: str = AIMID) -> str:
    """A SELECT answer as an aligned text table (prefixed names, plain literal values), an ASK
    answer as true or false."""
    if kind(result) == "boolean":
        return ("true" if bool(result) else "false") + "\n"
    names = PrefixMap(prefixes(base_iri))
    header = [v.value for v in result.variables]
    rows = [[_cell(term, names) for term in solution] for solution in result]
    numeric = []  # a column of numbers only is aligned right
    for i in range(len(header)):
        filled = [row[i] for row in rows if row[i].text]
        numeric.append(bool(filled) and all(cell.numeric for cell in filled))
    widths = [
        max([display_width(name), *(display_width(row[i].text) for row in rows)])
        for i, name in enumerate(header)
    ]
    lines = [
        _join([_pad(name, widths[i], numeric[i]) for i, name in enumerate(header)]),
        _join(["-" * w for w in widths]),
    ]
    for row in rows:
        lines.append(_join([_pad(c.text, widths[i], numeric[i]) for i, c in enumerate(row)]))
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Cell:
    text: str
    numeric: bool = False


def _cell(term, names: PrefixMap) -> _Cell:
    if term is None:
        return _Cell("")
    if isinstance(term, ox.NamedNode):
        return _Cell(_truncate(names.compact(term.value, strict=True)))
    if isinstance(term, ox.Literal):
        text = " ".join(term.value.split())
        return _Cell(_truncate(text), term.datatype.value in _NUMERIC)
    return _Cell(_truncate(str(term)))


def display_width(text: str) -> int:
    """Columns a text takes in a terminal: wide East Asian characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _truncate(text: str) -> str:
    if display_width(text) <= MAX_CELL:
        return text
    out, width = [], 0
    for ch in text:
        width += display_width(ch)
        if width > MAX_CELL - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _join(cells: list[str]) -> str:
    return "  ".join(cells).rstrip()
