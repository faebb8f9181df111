"""aim-kg: the OECD AI Incidents Monitor as a validated knowledge graph.

The package follows the flow of the data, one module per step:

    read/        page text and AIM API JSON  -> model (sources.py splits inputs into units)
    model.py     the dataclasses, and how two copies of one event merge
    triples.py   model -> RDF triples, IRIs minted from stable keys
    validate.py  the SHACL shapes, compiled, checked per event (report.py: reports, pySHACL)
    write/       one module per output format, written atomically
    export.py    the pipeline that runs these steps over a corpus, on every core

Beside the flow: vocab.py reads the ontology and taxonomies everything else relies on, terms.py
is the form RDF terms take between the steps, labels.py and lang.py map facet labels and guess
headline languages for the readers, context.py generates the JSON-LD context; check.py
(``aim-kg validate``), store.py, sparql.py and serve.py (``load``, ``query``, ``serve``) use the
export; cli.py is the command line.
"""

__version__ = "0.1.0"
