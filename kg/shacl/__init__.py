"""Validation: engine.py compiles the SHACL shapes into per-event checks; report.py turns results
into SHACL report graphs and runs pySHACL as the reference; check.py validates RDF files."""
