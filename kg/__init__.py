"""aim-kg: the OECD AI Incidents Monitor as a validated knowledge graph.

The package follows the flow of the data; ``ls kg`` shows its layers:

    read/        input files -> units -> model events (sources, page, record; labels, lang)
    model/       the dataclasses (events.py) and their RDF triples (triples.py)
    shacl/       the SHACL shapes compiled into per-event checks (engine), reports, pySHACL
    write/       one module per output format, behind one writer interface; atomic files
    pipeline.py  the export: these steps over a corpus, on every core
    sparql/      the other side of the export: store (load), query, serve

Beside the flow: vocab.py reads the ontology and taxonomies everything else relies on,
namespaces.py and terms.py are the IRIs and the form RDF terms take between the steps,
rdffile.py decides what an RDF file is and how it is read, context.py generates the JSON-LD
context, resources.py finds the bundled files, errors.py holds the exceptions, api.py the
Python API re-exported here, cli.py the command line.
"""

__version__ = "0.1.0"
