"""aim-kg: the OECD AI Incidents Monitor as a validated knowledge graph.

The package follows the flow of the data, one module per step:

    read/      page text and AIM API JSON  -> model (plain dataclasses)
    model.py   the dataclasses, and how two copies of one event merge
    triples.py model -> RDF triples (pyoxigraph terms), IRIs minted from stable keys
    validate.py the SHACL shapes, compiled, checked per event
    write/     one module per output format, written atomically
    export.py  the pipeline that runs these steps over a corpus, on every core

vocab.py reads the ontology, taxonomies and shapes that everything else relies on.
"""

__version__ = "0.1.0"
