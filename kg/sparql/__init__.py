"""The SPARQL side: store.py loads exports into an Oxigraph store (one named graph per event),
query.py runs queries and prints answers, serve.py runs Oxigraph's read-only endpoint."""
