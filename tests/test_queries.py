"""The query catalogue (queries/*.rq): every query's answer on the bundled example corpus.

The expected answers are in tests/queries/ (SPARQL CSV; N-Triples for the CONSTRUCT query), and
tests/queries/README.md says how each was checked against the corpus. Each query must also give
the same answer two ways: on the store ``aim-kg load`` builds (one named graph per event, the
vocabulary in graphs of its own, the default graph as their union) and on a plain Turtle export in
the default graph of a bare store with no declared prefixes (the way the benchmark runs them) --
also when an article is about two events, whose triples are then in two graphs.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT

import kg
from kg.namespaces import AIM, AIMTAX, DCTERMS, RDF_TYPE, SCHEMA, SKOS
from kg.sparql import query as sparql
from kg.sparql import store

QUERIES = ROOT / "queries"
EXPECTED = Path(__file__).parent / "queries"
CATALOGUE = sorted(QUERIES.glob("*.rq"))
NAMES = [p.stem for p in CATALOGUE]


def exported(folder: Path, inputs: list[str], describe: bool = False) -> tuple[Path, Path]:
    """The N-Quads and Turtle exports of inputs; with ``describe``, their dataset description
    too (description.ttl beside them), which the dataset-* queries read."""
    nq, ttl = folder / "data.nq", folder / "data.ttl"
    summary = kg.export(
        inputs, [nq, ttl], jobs=1, describe=folder / "description.ttl" if describe else None
    )
    assert summary.rejected == 0
    return nq, ttl


def union_store(nq: Path) -> ox.Store:
    """The layout of aim-kg load, in memory (with the description, when there is one)."""
    st = ox.Store()
    description = nq.parent / "description.ttl"
    data = [str(nq)] + ([str(description)] if description.exists() else [])
    with ExitStack() as stack:
        store.load(st, store.read(data, stack))
    return st


def plain_store(ttl: Path) -> ox.Store:
    """A single export in the default graph, nothing else (but its description, if any)."""
    st = ox.Store()
    st.load(path=str(ttl), format=ox.RdfFormat.TURTLE)
    description = ttl.parent / "description.ttl"
    if description.exists():
        st.load(path=str(description), format=ox.RdfFormat.TURTLE)
    return st


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> tuple[Path, Path]:
    return exported(tmp_path_factory.mktemp("examples"), [], describe=True)


@pytest.fixture(scope="module")
def stores(examples) -> tuple[ox.Store, ox.Store]:
    nq, ttl = examples
    return union_store(nq), plain_store(ttl)


def answer(result) -> list[list[str]] | set[str]:
    """A SELECT answer as CSV rows (header first); a CONSTRUCT answer as a set of N-Triples."""
    if isinstance(result, ox.QuerySolutions):
        out = io.BytesIO()
        result.serialize(out, ox.QueryResultsFormat.CSV)
        return list(csv.reader(io.StringIO(out.getvalue().decode("utf-8"))))
    if isinstance(result, ox.QueryBoolean):
        return [[str(bool(result)).lower()]]
    return {str(t) + " ." for t in result}


def expected(name: str) -> list[list[str]] | set[str]:
    nt = EXPECTED / f"{name}.nt"
    if nt.exists():
        return {line for line in nt.read_text(encoding="utf-8").splitlines() if line.strip()}
    text = (EXPECTED / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


# ---------------------------------------------------------------- the catalogue itself


def test_at_least_twelve_questions():
    assert len(CATALOGUE) >= 12
    assert set(sparql.catalogue()) == set(NAMES)  # what aim-kg query finds by name


@pytest.mark.parametrize("path", CATALOGUE, ids=NAMES)
def test_query_says_what_it_answers(path: Path):
    text = path.read_text(encoding="utf-8")
    head = list(itertools.takewhile(lambda line: line.startswith("#"), text.splitlines()))
    assert len(head) >= 3, "a comment block first"
    assert "?" in " ".join(head), "the comment asks the question it answers"
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    if "VALUES" in body:
        assert any("Parameter" in line for line in head), "a VALUES parameter is documented"
    assert "GRAPH" not in body, "no GRAPH: the query must work on a single exported file too"
    prefixes = set(re.findall(r"PREFIX\s+(\w*):", body))
    used = set(re.findall(r"\b([a-z]+):\w", re.sub(r"<[^>]*>|\"[^\"]*\"", "", body)))
    assert used <= prefixes, "every prefix is declared (servers declare none)"


def test_expected_answers_match_the_catalogue():
    files = {p.stem for p in EXPECTED.iterdir() if p.suffix in (".csv", ".nt")}
    assert files == set(NAMES)


# ---------------------------------------------------------------- the answers


@pytest.mark.parametrize("name", NAMES)
def test_answer_on_the_examples(name: str, stores):
    union, _ = stores
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    got = answer(union.query(text, use_default_graph_as_union=True))
    assert got == expected(name)
    assert len(got) > 1, "the examples answer every question"


@pytest.mark.parametrize("name", NAMES)
def test_same_answer_on_a_plain_export(name: str, stores):
    union, plain = stores
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    assert answer(plain.query(text)) == answer(union.query(text, use_default_graph_as_union=True))


def test_catalogue_through_the_command(stores, examples):
    """aim-kg query by name gives the expected answer (its prefixes and union do no harm)."""
    from click.testing import CliRunner

    from kg.cli import cli

    nq, _ = examples
    result = CliRunner().invoke(cli, ["query", "top-outlets", "-d", str(nq), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert list(csv.reader(io.StringIO(result.output))) == expected("top-outlets")


# ---------------------------------------------------------------- cross-checks in plain Python


def facts(ttl: Path) -> dict:
    """subject -> predicate -> [objects], read from the Turtle export without SPARQL."""
    graph: dict = defaultdict(lambda: defaultdict(list))
    for q in ox.parse(path=str(ttl)):
        graph[q.subject.value][q.predicate.value].append(q.object)
    return graph


def rows(name: str) -> list[list[str]]:
    return expected(name)[1:]


def test_cross_check_event_facets(examples):
    """The facet questions, recomputed from the export's triples in plain Python."""
    g = facts(examples[1])
    events = {s: p for s, p in g.items() if any(o.value == AIM + "Event" for o in p[RDF_TYPE])}
    assert len(events) == 16  # kg/examples/README.md: 14 records and 3 pages, one shared
    label = {s: p[SKOS + "prefLabel"][0].value for s, p in g.items() if SKOS + "prefLabel" in p}

    def severity(p):
        return p[AIM + "severity"][0].value.rsplit("-", 1)[1]  # incident / hazard

    per_year = Counter()
    per_industry = Counter()
    pairs = Counter()
    for p in events.values():
        year = p[AIM + "date"][0].value[:4]
        per_year[(year, severity(p))] += 1
        for industry in p[AIM + "industry"]:
            per_industry[(label[industry.value], severity(p))] += 1
        principles = sorted(label[c.value] for c in p[AIM + "principle"])
        pairs.update(itertools.combinations(principles, 2))
    years = sorted({year for year, _ in per_year})
    assert rows("events-per-year") == [
        [
            y,
            str(per_year[(y, "incident")]),
            str(per_year[(y, "hazard")]),
            str(per_year[(y, "incident")] + per_year[(y, "hazard")]),
        ]
        for y in years
    ]
    for industry, incidents, hazards, total in rows("incidents-vs-hazards-per-industry"):
        assert per_industry[(industry, "incident")] == int(incidents)
        assert per_industry[(industry, "hazard")] == int(hazards)
        assert int(incidents) + int(hazards) == int(total)
    assert len(rows("incidents-vs-hazards-per-industry")) == len({k for k, _ in per_industry})
    top = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:10]
    assert [[a, b, str(n)] for (a, b), n in top] == rows("co-occurring-principles")


def test_cross_check_outlets_and_articles(examples):
    g = facts(examples[1])
    articles = {s: p for s, p in g.items() if SCHEMA + "publisher" in p}
    assert len(articles) == 38
    events_of: dict[str, set] = defaultdict(set)
    count: Counter = Counter()
    for p in articles.values():
        outlet = g[p[SCHEMA + "publisher"][0].value][SCHEMA + "name"][0].value
        count[outlet] += 1
        events_of[outlet] |= {o.value for o in p[SCHEMA + "about"]}
    top = sorted(events_of, key=lambda o: (-len(events_of[o]), -count[o], o))[:10]
    assert [[o, str(len(events_of[o])), str(count[o])] for o in top] == rows("top-outlets")
    languages = Counter(
        p[SCHEMA + "inLanguage"][0].value for p in articles.values() if SCHEMA + "inLanguage" in p
    )
    assert sorted([lang, str(n)] for lang, n in languages.items()) == sorted(
        rows("articles-per-language")
    )


def test_cross_check_oecd_rollup(examples):
    """Each AIM principle broadly matches one OECD principle (aim-facets.md §4)."""
    g = facts(examples[1])
    oecd_events: dict[str, set] = defaultdict(set)
    for s, p in g.items():
        for principle in p.get(AIM + "principle", ()):
            for target in g[principle.value][SKOS + "broadMatch"]:
                if target.value.startswith(AIMTAX + "oecd-principle-"):
                    oecd_events[g[target.value][SKOS + "notation"][0].value].add(s)
    assert {n: str(len(e)) for n, e in oecd_events.items()} == {
        r[0]: r[2] for r in rows("events-by-oecd-principle")
    }
    assert sum(int(r[3]) for r in rows("events-by-oecd-principle")) == 9  # 10 AIM principles,
    # Sustainability is not used by the examples


def test_event_construct_is_the_events_graph(examples):
    """event.rq gives the event's graph of the N-Quads export (but its figures, counts of the
    rest), plus the labels of its concepts and the names of its outlets."""
    nq, ttl = examples
    g = facts(ttl)
    event = "https://w3id.org/aim-kg/id/event-2025-08-27-cc0a"
    figures = {AIM + "articleCount", AIM + "languageCount", AIM + "articleRationaleCount"}
    graph = {
        str(q.triple) + " ."
        for q in ox.parse(path=str(nq))
        if q.graph_name.value == event and q.predicate.value not in figures
    }
    for objects in g[event].values():
        for o in objects:
            for label in g.get(o.value, {}).get(SKOS + "prefLabel", ()):
                graph.add(f"<{o.value}> <{SKOS}prefLabel> {label} .")
    for t in list(graph):
        if f"<{SCHEMA}publisher>" in t:
            outlet = t.split(f"<{SCHEMA}publisher> <", 1)[1].split(">", 1)[0]
            graph.add(f"<{outlet}> <{SCHEMA}name> {g[outlet][SCHEMA + 'name'][0]} .")
    assert expected("event") == graph
    assert sum(f"<{DCTERMS}title>" in t for t in graph) == 1


# ---------------------------------------------------------------- an article about two events


def _record(event_id: str, title: str, articles: list[dict], industry: str) -> dict:
    return {
        "id": event_id,
        "title": title,
        "date": event_id[:10],
        "summary": f"Summary of {title}.[AI generated]",
        "location": {"country": "Spain", "country_code": "ESP"},
        "properties": {
            "principles": ["Safety", "Accountability"],
            "industries": [industry],
            "harmed_entities": ["Consumers"],
            "harm_levels": ["AI incident"],
            "harm_types": ["Psychological"],
            "ai_tasks": ["Content generation"],
        },
        "articles": articles,
    }


@pytest.fixture(scope="module")
def shared_article(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("shared-article")
    both = {
        "title": "Dos estafas con voces clonadas por inteligencia artificial en una semana",
        "date": "2026-02-03",
        "publisher": "El País",
        "url": "https://elpais.example/estafas-voz-ia",
        "evidences": ["The article reports AI voice cloning used to defraud people."],
    }
    own = {
        "title": "Voice-cloning scam hits pensioners in Valencia",
        "date": "2026-02-02",
        "publisher": "Reuters",
        "evidences": ["A cloned voice was used to defraud pensioners."],
    }
    records = [
        _record(
            "2026-02-01-aaaa", "Cloned Voice Scam in Valencia", [both, own], "Consumer services"
        ),
        _record("2026-02-02-bbbb", "Cloned Voice Scam in Madrid", [both], "Digital security"),
    ]
    path = folder / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return exported(folder, [str(path)])


def test_shared_article_is_in_both_graphs(shared_article):
    nq, _ = shared_article
    graphs = defaultdict(set)
    for q in ox.parse(path=str(nq)):
        if q.predicate.value == SCHEMA + "headline" and "Dos estafas" in q.object.value:
            graphs[q.subject.value].add(q.graph_name.value)
    assert len(graphs) == 1 and len(next(iter(graphs.values()))) == 2


@pytest.mark.parametrize("name", NAMES)
def test_shared_article_counted_once(name: str, shared_article):
    """Oxigraph's union default graph repeats a triple that is in two graphs; no query of the
    catalogue may count it twice."""
    nq, ttl = shared_article
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    union, plain = union_store(nq), plain_store(ttl)
    assert answer(union.query(text, use_default_graph_as_union=True)) == answer(plain.query(text))


def test_shared_article_numbers(shared_article):
    nq, _ = shared_article
    union = union_store(nq)
    text = (QUERIES / "top-outlets.rq").read_text(encoding="utf-8")
    top = answer(union.query(text, use_default_graph_as_union=True))
    assert top == [["outlet", "events", "articles"], ["El País", "2", "1"], ["Reuters", "1", "1"]]
