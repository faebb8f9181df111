"""The model and its triples: events.py holds the plain dataclasses the readers fill (and how two
copies of one event merge); triples.py turns them into RDF triples with IRIs minted from stable
keys."""
