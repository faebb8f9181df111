# ruff: noqa: E501 (the mappings are Turtle, one term map a line)
"""aim-kg against morph-kgc, the RML engine: the same records to N-Triples, side by side.

    python -m bench.morph --corpus build/corpus --work build/bench/morph   (times both)
    python -m bench.morph --write-mappings                                  (bench/rml/*.ttl)

morph-kgc pins an older rdflib than aim-kg's, so it lives in a virtual environment of its own,
which this module creates (``--venv``, default build/morph-venv) and fills with pip. The corpus's
JSON pages are merged into one file, and flattened to CSV files (one per repeated field), before
anything is timed; then, each in a fresh process timed by bench.measure:

- ``aim-kg export CORPUS/json -o out.nt`` (every core);
- morph-kgc with bench/rml/aim-json.rml.ttl (JSONPath over the records), on every core;
- morph-kgc with bench/rml/aim-csv.rml.ttl (the flattened CSV), on every core;

and the N-Triples lines of each output are counted. bench/rml/README.md says where the RML
mappings cannot give aim-kg's triples. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pyoxigraph as ox

from bench import measure

ROOT = Path(__file__).resolve().parent.parent
RML = ROOT / "bench" / "rml"
MORPH_KGC = "morph-kgc==2.10.0"

AIM = "https://w3id.org/aim-kg/ontology#"
AIMID = "https://w3id.org/aim-kg/id/"
TAXONOMY_FILE = ROOT / "ontology" / "taxonomies.ttl"
SEVERITY_CLASS = {
    "https://w3id.org/aim-kg/taxonomy/severity-ai-incident": AIM + "Incident",
    "https://w3id.org/aim-kg/taxonomy/severity-ai-hazard": AIM + "Hazard",
}

# ---------------------------------------------------------------- the vocabulary


def facets() -> list[tuple[str, str]]:
    """(API record key, event property) of every facet scheme, from the taxonomy."""
    store = ox.Store()
    store.load(path=str(TAXONOMY_FILE), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        f"PREFIX aim: <{AIM}> SELECT ?key ?property WHERE {{ ?s aim:recordKey ?key ; "
        "aim:facetProperty ?property } ORDER BY ?key"
    )
    return [(r["key"].value, r["property"].value) for r in rows]


def lookups(folder: Path) -> None:
    """concepts-{key}.csv: every label (preferred and alternative) of each facet's concepts,
    with the concept's IRI (and, for the severity, the event class it implies)."""
    store = ox.Store()
    store.load(path=str(TAXONOMY_FILE), format=ox.RdfFormat.TURTLE)
    for key, _ in facets():
        rows = store.query(
            f"PREFIX aim: <{AIM}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            f"SELECT DISTINCT ?label ?concept WHERE {{ ?scheme aim:recordKey {json.dumps(key)} . "
            "?concept skos:inScheme ?scheme ; skos:prefLabel|skos:altLabel ?label }"
        )
        with open(folder / f"concepts-{key}.csv", "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["label", "concept", "class"])
            for r in rows:
                concept = r["concept"].value
                out.writerow([r["label"].value, concept, SEVERITY_CLASS.get(concept, "")])


# ---------------------------------------------------------------- the mappings

PREFIXES = """\
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix aim: <https://w3id.org/aim-kg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@base <https://w3id.org/aim-kg/bench/rml/> .
"""

# Logical sources and references of each route. JSON: the records merged into one file; morph-kgc
# gives a nested reference (articles.title) one row per array item, with the parent's fields,
# but drops an item any of whose arrays is empty (an article without evidences), so the
# articles' own triples iterate over the articles themselves (which cannot see their event).
ROUTES = {
    "json": {
        "events": ("incidents.json", "$.incidents[*]"),
        "rationales": ("incidents.json", "$.incidents[*]"),
        "aiid": ("incidents.json", "$.incidents[*]"),
        "facet": ("incidents.json", "$.incidents[*]"),
        "articles": ("incidents.json", "$.incidents[*].articles[*]"),
        "links": ("incidents.json", "$.incidents[*]"),
        "article-rationales": ("incidents.json", "$.incidents[*]"),
        "ref": {
            "id": "id",
            "title": "title",
            "date": "date",
            "country": "location.country_code",
            "summary": "summary",
            "evidence": "evidences",
            "aiid": "aiid_ids",
            "facet": "properties.{key}",
            "a.title": "title",
            "a.date": "date",
            "a.publisher": "publisher",
            "l.title": "articles.title",
            "l.date": "articles.date",
            "l.publisher": "articles.publisher",
            "l.evidence": "articles.evidences",
        },
    },
    "csv": {
        "events": ("events.csv", None),
        "rationales": ("event-rationales.csv", None),
        "aiid": ("aiid.csv", None),
        "facet": ("facet-{key}.csv", None),
        "articles": ("articles.csv", None),
        "links": ("articles.csv", None),
        "article-rationales": ("article-rationales.csv", None),
        "ref": {
            "id": "id",
            "title": "title",
            "date": "date",
            "country": "country",
            "summary": "summary",
            "evidence": "evidence",
            "aiid": "aiid",
            "facet": "label",
            "a.title": "title",
            "a.date": "date",
            "a.publisher": "publisher",
            "l.title": "title",
            "l.date": "date",
            "l.publisher": "publisher",
            "l.evidence": "evidence",
        },
    },
}


def _source(route: str, name: str, key: str = "") -> str:
    path, iterator = ROUTES[route][name]
    path = path.format(key=key)
    if iterator is None:
        return f'[ rml:source "{path}" ; rml:referenceFormulation ql:CSV ]'
    return (
        f'[ rml:source "{path}" ; rml:referenceFormulation ql:JSONPath ; '
        f'rml:iterator "{iterator}" ]'
    )


def mapping(route: str) -> str:
    """The RML mapping of one route (Turtle)."""
    r = dict(ROUTES[route]["ref"])

    def t(template: str, key: str = "") -> str:
        """A template: {name} is a reference of the route."""
        out = template
        for name, ref in r.items():
            out = out.replace("{" + name + "}", "{" + ref.format(key=key) + "}")
        return json.dumps(out, ensure_ascii=False)

    def ref(name: str, key: str = "") -> str:
        return json.dumps(r[name].format(key=key))

    event = AIMID + "event-{id}"
    article = AIMID + "article-{a.publisher}-{a.date}-{a.title}"
    linked = AIMID + "article-{l.publisher}-{l.date}-{l.title}"
    generated = (
        "rr:class aim:GeneratedText ] ;\n"
        "  rr:predicateObjectMap [ rr:predicate schema:digitalSourceType ; "
        "rr:object schema:TrainedAlgorithmicMediaDigitalSource ] ;\n"
    )
    maps = [PREFIXES]
    maps.append(f"""
# The event: one per record.
<#Event> rml:logicalSource {_source(route, "events")} ;
  rr:subjectMap [ rr:template {t(event)} ; rr:class aim:Event ] ;
  rr:predicateObjectMap [ rr:predicate dcterms:identifier ; rr:objectMap [ rml:reference {ref("id")} ] ] ;
  rr:predicateObjectMap [ rr:predicate dcterms:title ;
    rr:objectMap [ rml:reference {ref("title")} ; rr:language "en" ] ] ;
  rr:predicateObjectMap [ rr:predicate aim:date ;
    rr:objectMap [ rml:reference {ref("date")} ; rr:datatype xsd:date ] ] ;
  rr:predicateObjectMap [ rr:predicate aim:country ; rr:objectMap [ rr:template {t("http://publications.europa.eu/resource/authority/country/{country}")} ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:url ; rr:objectMap [ rr:template {t("https://oecd.ai/en/incidents/{id}")} ] ] ;
  rr:predicateObjectMap [ rr:predicate aim:summary ; rr:objectMap [ rr:template {t(event + "-summary")} ] ] ;
  # The rationale only when the record has one: a join with the rationales (no conditions in RML).
  rr:predicateObjectMap [ rr:predicate aim:rationale ; rr:objectMap [ rr:parentTriplesMap <#EventRationale> ;
    rr:joinCondition [ rr:child {ref("id")} ; rr:parent {ref("id")} ] ] ] .

<#Summary> rml:logicalSource {_source(route, "events")} ;
  rr:subjectMap [ rr:template {t(event + "-summary")} ; {generated}  rr:predicateObjectMap [ rr:predicate rdf:value ;
    rr:objectMap [ rml:reference {ref("summary")} ; rr:language "en" ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:about ; rr:objectMap [ rr:template {t(event)} ] ] .

<#EventRationale> rml:logicalSource {_source(route, "rationales")} ;
  rr:subjectMap [ rr:template {t(event + "-rationale")} ; {generated}  rr:predicateObjectMap [ rr:predicate rdf:value ;
    rr:objectMap [ rml:reference {ref("evidence")} ; rr:language "en" ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:about ; rr:objectMap [ rr:template {t(event)} ] ] .

<#AIID> rml:logicalSource {_source(route, "aiid")} ;
  rr:subjectMap [ rr:template {t(event)} ] ;
  rr:predicateObjectMap [ rr:predicate aim:aiidIncident ; rr:objectMap [ rr:template {t("https://incidentdatabase.ai/cite/{aiid}")} ] ] .
""")
    for key, prop in facets():
        extra = ""
        if key == "harm_levels":
            extra = f""" ;
  # The event's class (aim:Incident or aim:Hazard), from the same lookup.
  rr:predicateObjectMap [ rr:predicate rdf:type ; rr:objectMap [ rr:parentTriplesMap <#Class-{key}> ;
    rr:joinCondition [ rr:child {ref("facet", key)} ; rr:parent "label" ] ] ]"""
        maps.append(f"""
# Facet {key}: the label becomes the concept's IRI through the lookup of the taxonomy's labels.
<#Facet-{key}> rml:logicalSource {_source(route, "facet", key)} ;
  rr:subjectMap [ rr:template {t(event, key)} ] ;
  rr:predicateObjectMap [ rr:predicate <{prop}> ; rr:objectMap [ rr:parentTriplesMap <#Concept-{key}> ;
    rr:joinCondition [ rr:child {ref("facet", key)} ; rr:parent "label" ] ] ]{extra} .

<#Concept-{key}> rml:logicalSource [ rml:source "concepts-{key}.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rml:reference "concept" ; rr:termType rr:IRI ] .
""")
        if key == "harm_levels":
            maps.append(f"""
<#Class-{key}> rml:logicalSource [ rml:source "concepts-{key}.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rml:reference "class" ; rr:termType rr:IRI ] .
""")
    maps.append(f"""
# The articles (an IRI from outlet, date and headline: RML cannot hash) and their outlets (one per
# spelling: RML cannot fold names).
<#Article> rml:logicalSource {_source(route, "articles")} ;
  rr:subjectMap [ rr:template {t(article)} ; rr:class aim:Article, schema:NewsArticle ] ;
  rr:predicateObjectMap [ rr:predicate schema:headline ; rr:objectMap [ rml:reference {ref("a.title")} ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:datePublished ;
    rr:objectMap [ rml:reference {ref("a.date")} ; rr:datatype xsd:date ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:publisher ; rr:objectMap [ rr:template {t(AIMID + "outlet-{a.publisher}")} ] ] .

<#Outlet> rml:logicalSource {_source(route, "articles")} ;
  rr:subjectMap [ rr:template {t(AIMID + "outlet-{a.publisher}")} ; rr:class aim:Outlet, schema:NewsMediaOrganization ] ;
  rr:predicateObjectMap [ rr:predicate schema:name ; rr:objectMap [ rml:reference {ref("a.publisher")} ] ] .

# An article and its event, both ways.
<#ArticleEvent> rml:logicalSource {_source(route, "links")} ;
  rr:subjectMap [ rr:template {t(linked)} ] ;
  rr:predicateObjectMap [ rr:predicate schema:about ; rr:objectMap [ rr:template {t(event)} ] ] .

<#EventArticle> rml:logicalSource {_source(route, "links")} ;
  rr:subjectMap [ rr:template {t(event)} ] ;
  rr:predicateObjectMap [ rr:predicate aim:article ; rr:objectMap [ rr:template {t(linked)} ] ] .

# An article's rationale for an event.
<#ArticleRationale> rml:logicalSource {_source(route, "article-rationales")} ;
  rr:subjectMap [ rr:template {t(linked + "-rationale-{id}")} ; {generated}  rr:predicateObjectMap [ rr:predicate rdf:value ;
    rr:objectMap [ rml:reference {ref("l.evidence")} ; rr:language "en" ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:about ; rr:objectMap [ rr:template {t(event)} ] ] .

<#ArticleRationaleLink> rml:logicalSource {_source(route, "article-rationales")} ;
  rr:subjectMap [ rr:template {t(linked)} ] ;
  rr:predicateObjectMap [ rr:predicate aim:rationale ; rr:objectMap [ rr:template {t(linked + "-rationale-{id}")} ] ] .
""")
    return "".join(maps)


def write_mappings(folder: Path = RML) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for route in ROUTES:
        path = folder / f"aim-{route}.rml.ttl"
        path.write_text(mapping(route), encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- the inputs (untimed)


def _records(corpus_json: Path):
    for path in sorted(corpus_json.glob("*.json*")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            data = json.loads(text)
            yield from data["incidents"] if isinstance(data, dict) else data
        else:
            yield from (json.loads(line) for line in text.splitlines() if line.strip())


def prepare(corpus_json: Path, work: Path) -> dict:
    """The inputs of both routes in ``work``: the records in one JSON file, the same flattened to
    CSV, the label lookups, the mappings and morph-kgc's configurations."""
    work.mkdir(parents=True, exist_ok=True)
    records = list(_records(corpus_json))
    with open(work / "incidents.json", "w", encoding="utf-8") as f:
        json.dump({"incidents": records}, f, ensure_ascii=False)
    keys = [key for key, _ in facets()]
    files = {
        "events": ["id", "title", "date", "country", "summary"],
        "event-rationales": ["id", "evidence"],
        "aiid": ["id", "aiid"],
        "articles": ["id", "title", "date", "publisher"],
        "article-rationales": ["id", "title", "date", "publisher", "evidence"],
        **{f"facet-{key}": ["id", "label"] for key in keys},
    }
    with contextlib.ExitStack() as stack:
        writers = {
            name: csv.writer(
                stack.enter_context(open(work / f"{name}.csv", "w", newline="", encoding="utf-8"))
            )
            for name in files
        }
        _flatten(records, keys, writers, files)
    lookups(work)
    configs = {}
    for route, mapping_file in zip(ROUTES, write_mappings(work), strict=True):
        config = work / f"{route}.ini"
        config.write_text(
            "[CONFIGURATION]\n"
            f"output_file = {route}.nt\n"
            "output_format = N-TRIPLES\n"
            f"number_of_processes = {os.cpu_count() or 1}\n"
            "logging_level = WARNING\n\n"
            f"[AIM]\nmappings = {mapping_file.name}\n",
            encoding="utf-8",
        )
        configs[route] = config
    return {"records": len(records), "configs": {k: str(v) for k, v in configs.items()}}


def _flatten(records: list[dict], keys: list[str], writers: dict, files: dict) -> None:
    """The records as CSV rows: one file per repeated field, each row with the event's id."""
    for name, header in files.items():
        writers[name].writerow(header)
    for rec in records:
        rid = rec["id"]
        location = rec.get("location") or {}
        writers["events"].writerow(
            [rid, rec["title"], rec["date"], location.get("country_code"), rec.get("summary")]
        )
        for text in rec.get("evidences") or ():
            writers["event-rationales"].writerow([rid, text])
        for aiid in rec.get("aiid_ids") or ():
            writers["aiid"].writerow([rid, aiid])
        properties = rec.get("properties") or {}
        for key in keys:
            values = properties.get(key) or ()
            for value in [values] if isinstance(values, str) else values:
                writers[f"facet-{key}"].writerow([rid, value])
        for a in rec.get("articles") or ():
            row = [rid, a.get("title"), a.get("date"), a.get("publisher")]
            writers["articles"].writerow(row)
            for text in a.get("evidences") or ():
                writers["article-rationales"].writerow([*row, text])


def ensure_venv(folder: Path) -> Path:
    """The python of a virtual environment with morph-kgc (created and filled with pip)."""
    python = folder / "bin" / "python"
    probe = [str(python), "-c", "import morph_kgc"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    venv.create(folder, with_pip=True, clear=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", MORPH_KGC],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise OSError(f"pip install {MORPH_KGC} failed: {done.stderr.strip()[-300:]}")
    return python


def _lines(path: Path) -> int | None:
    if not path.exists():
        return None
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def _version(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-c", "from importlib import metadata as m; print(m.version('morph-kgc'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def compare(corpus_json: Path, work: Path, venv_dir: Path, timeout: float, aim_kg: list[str]):
    """Time aim-kg's N-Triples export and morph-kgc on both routes, in that order."""
    python = ensure_venv(venv_dir.absolute())
    work = work.absolute()
    prepared = prepare(corpus_json, work)
    out: dict = {"records": prepared["records"], "morph_kgc": _version(python), "runs": {}}
    nt = work / "aim-kg.nt"
    nt.unlink(missing_ok=True)
    got = measure.run([*aim_kg, "export", str(corpus_json), "-o", str(nt), "-q"], timeout=timeout)
    out["runs"]["aim-kg"] = got.as_dict() | {"triples": _lines(nt)}
    for route, config in prepared["configs"].items():
        result = work / f"{route}.nt"
        result.unlink(missing_ok=True)
        got = measure.run(
            [str(python), "-m", "morph_kgc", Path(config).name], timeout=timeout, cwd=work
        )
        entry = got.as_dict() | {"triples": _lines(result)}
        if got.returncode != 0:
            entry["error"] = (got.stderr.strip().splitlines() or ["no output"])[-1][:300]
        out["runs"][f"morph-kgc {route}"] = entry
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.morph")
    parser.add_argument("--corpus", type=Path, default=ROOT / "build" / "corpus")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench" / "morph")
    parser.add_argument("--venv", type=Path, default=ROOT / "build" / "morph-venv")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--write-mappings", action="store_true", help="write bench/rml/ and exit")
    args = parser.parse_args(argv)
    if args.write_mappings:
        for path in write_mappings():
            print(path)
        return 0
    script = Path(sys.executable).parent / "aim-kg"
    aim_kg = [str(script)] if script.exists() else [sys.executable, "-m", "kg.cli"]
    print(json.dumps(compare(args.corpus / "json", args.work, args.venv, args.timeout, aim_kg)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
