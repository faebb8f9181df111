"""The benchmark side of aim-kg: a synthetic AIM corpus and the harness that times the export.

    python -m bench.corpus --events 20000 --out build/corpus   (make corpus N=20000)
    python -m bench.run --out docs/performance.md               (make bench)

corpus.py writes the same events as AIM API JSON and as AIM page text; run.py times aim-kg on
both, the straightforward rdflib + pySHACL pipeline (baseline.py), the N-Triples write floor
(floor.py) and the SPARQL catalogue (sparql.py), each in a fresh subprocess (measure.py).
"""
