"""aim-kg: the OECD AI Incidents Monitor as a validated knowledge graph.

The package follows the flow of the data; ``ls kg`` shows its layers:

    read/        input files -> units -> model events (sources, page, record; labels, lang)
    model/       the dataclasses (events.py) and their RDF triples (triples.py)
    shacl/       the SHACL shapes compiled into per-event checks (engine), reports, pySHACL
    write/       one module per output format, behind one writer interface; output paths
                 checked up front (outputs.py); atomic files
    pipeline.py  the export: these steps over a corpus, on every core
    description.py the dataset description of an export or a store (DCAT-AP, VoID, PROV)
    sparql/      the other side of the export: store (load), query, serve, push
    network.py   analysis: the graph as networks (co-occurrence, outlets) with networkx

Before the flow: fetch.py harvests the AIM API into JSON Lines. Beside it: vocab.py reads the
ontology and taxonomies everything else relies on, countries.py the countries (ISO 3166-1
and AIM's names), namespaces.py and terms.py are the IRIs and
the form RDF terms take between the steps, rdffile.py decides what an RDF file is and how it is
read, context.py generates the JSON-LD context, resources.py finds the bundled files, errors.py
holds the exceptions, api.py the Python API re-exported here, cli.py the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# The one version number: pyproject.toml reads it from here (hatch), ontology/aim.ttl repeats it
# as owl:versionInfo and a test checks that they agree.
__version__ = "0.2.0"

__all__ = [
    "AimKgError",
    "DataError",
    "ExportResult",
    "InputError",
    "LoadReport",
    "Problem",
    "PushReport",
    "QueryError",
    "RdfFileError",
    "Rows",
    "StoreError",
    "UsageError",
    "__version__",
    "describe",
    "export",
    "graph",
    "load",
    "push",
    "query",
    "validate",
]

_API = {"ExportResult", "LoadReport", "Problem", "PushReport", "Rows", "push"} | {
    "describe",
    "export",
    "graph",
    "load",
    "query",
    "validate",
}

if TYPE_CHECKING:  # the names below are imported on first use, so `import kg` stays light
    from kg.api import (
        ExportResult,
        LoadReport,
        Problem,
        PushReport,
        Rows,
        describe,
        export,
        graph,
        load,
        push,
        query,
        validate,
    )
    from kg.errors import (
        AimKgError,
        DataError,
        InputError,
        QueryError,
        RdfFileError,
        StoreError,
        UsageError,
    )


def __getattr__(name: str):
    if name in _API:
        from kg import api

        return getattr(api, name)
    if name in __all__:
        from kg import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
