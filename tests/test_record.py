"""AIM API records (and the public mirror's reshaped records) to model events."""

from __future__ import annotations

import copy
import json

from conftest import EXAMPLE_PAGE, MIRROR

from kg.namespaces import AIM, AIMTAX
from kg.read.page import read_page
from kg.read.record import read_record

RECORD = {
    "id": "2026-05-27-4a1b",
    "title": "AI-Generated Deepfake Images of Minors Lead to Investigation in Cáceres",
    "date": "2026-05-27T00:00:00Z",
    "summary": "A man in Cáceres, Spain, is under investigation.[AI generated]",
    "evidences": ["The article explicitly states that an AI application was used.[AI generated]"],
    "location": {"location": "Cáceres", "country": "Spain", "country_code": "ESP"},
    "n_articles": 2,
    "articles": [
        {
            "title": "Investigado un hombre de la provincia de Cáceres por crear imágenes sexualizadas de menores con IA",
            "date": "2026-05-27",
            "publisher": "europa press",
            "country": "Spain",
            "url": "https://www.europapress.es/x.html",
            "evidences": ["The event explicitly involves the use of an AI system."],
        },
        {
            "title": "Investigado un hombre de la provincia de Cáceres por crear imágenes sexualizadas de menores con IA",
            "date": "2026-05-27",
            "publisher": "Europa Press",
            "url": "https://www.europapress.es/x.html",
            "evidences": [],
        },
    ],
    "aiid_ids": [640, "641"],
    "language_counts": {"spa": 2},
    "properties": {
        "principles": ["Respect of human rights", "Privacy & data governance"],
        "industries": ["Media, social platforms, and marketing"],
        "harmed_entities": ["Children"],
        "harm_levels": ["AI incident"],
        "harm_types": ["Psychological", "Human or fundamental rights"],
        "business_functions": [],
        "ai_tasks": ["Content generation"],
        "autonomy_level": None,
        "languages": ["spa"],
    },
}


def read(vocab, data):
    return read_record(data, "records.json", 7, vocab)


def test_api_record(vocab):
    event, problems = read(vocab, RECORD)
    assert problems == []
    assert event.id == "2026-05-27-4a1b" and not event.derived_id
    assert event.date == "2026-05-27"
    assert event.summary == "A man in Cáceres, Spain, is under investigation."
    assert event.rationale == "The article explicitly states that an AI application was used."
    assert event.countries == ["ESP"]
    assert event.aiid == [640, 641]
    assert event.severity == AIMTAX + "severity-ai-incident"
    assert event.facets[AIM + "harmType"] == [
        AIMTAX + "harm-type-psychological",
        AIMTAX + "harm-type-human-or-fundamental-rights",
    ]
    assert AIM + "autonomyLevel" not in event.facets
    # The same article twice (outlet spelled two ways) is one article.
    (article,) = event.articles
    assert article.url == "https://www.europapress.es/x.html"
    assert article.language == "es"
    assert article.rationale == "The event explicitly involves the use of an AI system."


def test_articles_may_be_null(vocab):
    data = dict(RECORD, articles=None)
    event, _ = read(vocab, data)
    assert event.articles == [] and event.date == "2026-05-27"


def test_labels_as_strings(vocab):
    data = copy.deepcopy(RECORD)
    data["properties"]["harm_types"] = "Psychological | Human or fundamental rights"
    data["properties"]["principles"] = "Respect of human rightsPrivacy & data governance"
    data["properties"]["harm_levels"] = "AI incident"
    event, problems = read(vocab, data)
    assert problems == []
    assert event.facets == read(vocab, RECORD)[0].facets


def test_page_and_record_give_the_same_model(vocab):
    page = EXAMPLE_PAGE.read_text(encoding="utf-8")
    from_page, _ = read_page(page, "p.txt", "2026-05-27-4a1b", vocab)
    from_record, _ = read(vocab, RECORD)
    assert from_page.facets == from_record.facets
    assert from_page.severity == from_record.severity
    assert from_page.title == from_record.title


def test_mirror_records_map_every_label(vocab):
    records = json.loads(MIRROR.read_text(encoding="utf-8"))
    for data in records:
        event, problems = read(vocab, data)
        assert problems == [], data["id"]
        assert event.id == data["id"] and event.title == data["titulo"]
        assert vocab.concepts[event.severity].pref_label == data["tipo"]
        harms = [x for x in data["tipos_dano"].split(" | ") if x]
        assert [
            vocab.concepts[c].pref_label for c in event.facets.get(AIM + "harmType", [])
        ] == harms
        for key in (
            "industries",
            "principles",
            "harmed_entities",
            "business_functions",
            "ai_tasks",
        ):
            facet = vocab.facet_by_key[key]
            got = [vocab.concepts[c].pref_label for c in event.facets.get(facet.prop, [])]
            assert got == list(dict.fromkeys(data[key])), (data["id"], key)
        assert event.countries == ([data["country_code"]] if data["country_code"] else [])


def _reject(vocab, data) -> str:
    event, problems = read(vocab, data)
    assert event is None
    (problem,) = problems
    assert problem.kind == "reject" and problem.file == "records.json" and problem.line == 7
    return problem.reason


def test_bad_records(vocab):
    assert _reject(vocab, dict(RECORD, title="  ")).startswith("no title")
    assert _reject(vocab, dict(RECORD, date="27/05/2026")) == (
        'the date "27/05/2026" is not a date (expected YYYY-MM-DD)'
    )
    assert _reject(vocab, dict(RECORD, id="incident-42")).startswith(
        'id "incident-42" is not an AIM id'
    )
    no_severity = copy.deepcopy(RECORD)
    no_severity["properties"]["harm_levels"] = []
    assert _reject(vocab, no_severity).startswith("no severity")
    bad_severity = copy.deepcopy(RECORD)
    bad_severity["properties"]["harm_levels"] = ["AI incidnet"]
    assert 'did you mean "AI incident"' in _reject(vocab, bad_severity)
    bad_article = copy.deepcopy(RECORD)
    del bad_article["articles"][0]["publisher"]
    assert "has no publisher" in _reject(vocab, bad_article)
    bad_date = copy.deepcopy(RECORD)
    bad_date["articles"][1]["date"] = "2026-02-30"
    assert "not a date" in _reject(vocab, bad_date)


def test_unknown_country_code_is_kept(vocab):
    event, problems = read(vocab, dict(RECORD, location={"country_code": "Spain"}))
    assert event.countries == [] and "SPAIN" in event.unmapped
    assert "ISO 3166-1 alpha-3" in problems[0].reason


def test_record_without_id_gets_a_stable_one(vocab):
    data = {k: v for k, v in RECORD.items() if k != "id"}
    first, _ = read(vocab, data)
    second, _ = read(vocab, copy.deepcopy(data))
    assert first.derived_id and first.id == second.id and first.id.startswith("aimkg-")
    other, _ = read(vocab, dict(data, summary="Another summary."))
    assert other.id != first.id


def test_a_title_the_page_shortened_matches_the_full_one(vocab):
    page = EXAMPLE_PAGE.read_text(encoding="utf-8")
    from_page, _ = read_page(page, "p.txt", "2026-05-27-4a1b", vocab)
    data = copy.deepcopy(RECORD)
    data["articles"] = [
        {
            "title": "Investigado por crear imágenes sexualizadas de menores mediante IA en una localidad extremeña",
            "date": "2026-05-27",
            "publisher": "Europa Press",
            "url": "https://www.europapress.es/y.html",
        }
    ]
    from_record, _ = read(vocab, data)
    from kg.model.events import merge

    merged = merge([from_page, from_record])
    europa = [a for a in merged.articles if a.outlet_key == "europa press"]
    assert len(europa) == 1
    assert europa[0].url == "https://www.europapress.es/y.html"
    assert not europa[0].title.endswith("...")


def test_a_url_that_is_not_an_iri_is_left_out_with_a_warning(vocab):
    data = copy.deepcopy(RECORD)
    data["articles"] = data["articles"][:1]
    data["articles"][0]["url"] = "https://example.org/a b|c"
    event, problems = read(vocab, data)
    assert event.articles[0].url is None
    assert "not an http(s) IRI" in problems[0].reason


MALFORMED = [
    {},
    {"title": 42},
    {"title": "T", "properties": "AI incident"},
    {"title": "T", "properties": {"harm_levels": 7}},
    {"title": "T", "properties": {"harm_levels": [None, 3, {"x": 1}]}},
    {"title": "T", "harm_levels": "AI incident", "articles": "none"},
    {"title": "T", "harm_levels": "AI incident", "articles": [None, 5]},
    {
        "title": "T",
        "harm_levels": "AI incident",
        "articles": [{"title": "a", "date": 20240101, "publisher": "p"}],
    },
    {
        "title": "T",
        "harm_levels": "AI incident",
        "articles": [{"title": "a", "date": "2024-01-01", "publisher": {"name": "P"}, "url": 5}],
    },
    {"title": "T", "harm_levels": "AI incident", "location": "Spain", "aiid_ids": "12"},
    {"title": "T", "harm_levels": "AI incident", "location": {"country_code": ["ESP", None, "FR"]}},
    {
        "title": "\ud800 T",
        "harm_levels": "AI incident",
        "summary": ["\ud800", 3],
        "evidences": {"a": 1},
    },
    {"id": 17, "title": "Legacy", "harm_levels": ["AI hazard"], "date": "2019-02-30"},
    {"id": 17, "title": "Legacy", "harm_levels": ["AI hazard"], "date": None},
]


def test_malformed_records_never_crash(vocab):
    from kg.model.triples import Minter, event_block
    from kg.shacl.engine import data_shapes

    for data in MALFORMED:
        event, problems = read(vocab, data)
        if event is None:
            assert problems and problems[0].kind == "reject", data
            continue
        block = event_block(event, vocab, Minter())
        data_shapes().validate(block.triples)
