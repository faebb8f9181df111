"""Countries: every country an export names carries one English prefLabel (AIM's name where AIM
has one, ISO 3166-1's otherwise) and its alpha-3 code; a name without a code finds its country;
a name or code that is no country is a warning with the nearest name, and is kept."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pycountry
import pyoxigraph as ox
import pytest
from conftest import MIRROR

import kg
from kg import resources, terms
from kg.countries import countries
from kg.namespaces import AIM, COUNTRY, SKOS


def test_aim_names_are_the_mirror_records_names():
    """Every (name, code) pair of the 228 real records: the name is the country's prefLabel."""
    pairs = {(r["pais"], r["country_code"]) for r in json.loads(MIRROR.read_text("utf-8"))}
    pairs.discard(("", ""))
    assert len(pairs) >= 40
    for name, code in sorted(pairs):
        country = countries().get(code)
        assert country is not None and country.pref_label == name, (name, code)
        assert countries().by_name(name).code == code


def test_the_aim_names_file_lists_only_names_iso_does_not_give():
    listed = {
        s.removeprefix(COUNTRY): o.value
        for s, p, o in terms.parse(resources.countries_file())
        if p == SKOS + "prefLabel"
    }
    assert {"KOR", "TWN", "TUR"} <= set(listed)
    for code, name in listed.items():
        iso = pycountry.countries.get(alpha_3=code)
        # Türkiye: ISO data older than 2022 says Turkey; Kosovo (XKX) is not in ISO 3166-1.
        assert iso is None or iso.name != name or code == "TUR", code
        alt = countries().get(code).alt_labels
        if iso is not None and iso.name != name:
            assert iso.name in alt  # the ISO name is kept as skos:altLabel


def _record(**location) -> dict:
    return {
        "id": "2026-01-02-abcd",
        "title": "A test event",
        "date": "2026-01-02",
        "location": location,
        "properties": {"harm_levels": ["AI incident"]},
    }


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    folder = tmp_path_factory.mktemp("countries")
    records = [
        {**_record(country="Korea"), "id": "2026-01-02-0001"},
        {**_record(country="south korea"), "id": "2026-01-02-0002"},
        {**_record(country="Narnia"), "id": "2026-01-02-0003"},
        {**_record(country="France", country_code="ESP"), "id": "2026-01-02-0004"},
        {**_record(country_code="ZZZ"), "id": "2026-01-02-0005"},
        {**_record(country="Türkiye, Chinese Taipei"), "id": "2026-01-02-0006"},
    ]
    (folder / "records.json").write_text(json.dumps(records), encoding="utf-8")
    out = folder / "out.nt"
    result = kg.export([folder / "records.json"], [out], jobs=1)
    graph = defaultdict(lambda: defaultdict(list))
    for q in ox.parse(path=str(out)):
        graph[q.subject.value][q.predicate.value].append(q.object)
    return result, graph


def _countries_of(graph, event_id: str) -> list[str]:
    e = f"https://w3id.org/aim-kg/id/event-{event_id}"
    return sorted(o.value.removeprefix(COUNTRY) for o in graph[e][AIM + "country"])


def test_a_name_without_code_finds_its_country(named):
    _, graph = named
    assert _countries_of(graph, "2026-01-02-0001") == ["KOR"]
    assert _countries_of(graph, "2026-01-02-0002") == ["KOR"]
    assert _countries_of(graph, "2026-01-02-0006") == ["TUR", "TWN"]
    assert _countries_of(graph, "2026-01-02-0004") == ["ESP"]  # the code decides


def test_an_unknown_name_or_code_is_a_warning_and_kept(named):
    result, graph = named
    by_event = {(p.event, p.code): p for p in result.warnings}
    narnia = by_event[("2026-01-02-0003", "unknown-country")]
    assert '"Narnia" is not the name of a country; did you mean' in narnia.reason
    assert by_event[("2026-01-02-0005", "not-a-country-code")]
    e = "https://w3id.org/aim-kg/id/event-2026-01-02-0003"
    assert [o.value for o in graph[e][AIM + "unmappedLabel"]] == ["Narnia"]
    assert _countries_of(graph, "2026-01-02-0003") == []


def test_every_country_has_one_english_label_and_its_code(named, tmp_path: Path):
    for graph in (named[1], _graph(tmp_path)):
        places = {o.value for s in graph for o in graph[s].get(AIM + "country", ())}
        assert places
        for place in places:
            labels = graph[place][SKOS + "prefLabel"]
            assert len(labels) == 1 and labels[0].language == "en", place
            assert [o.value for o in graph[place][SKOS + "notation"]] == [
                place.removeprefix(COUNTRY)
            ]
    korea = named[1][COUNTRY + "KOR"]
    assert korea[SKOS + "prefLabel"][0].value == "Korea"
    assert {o.value for o in korea[SKOS + "altLabel"]} == {"Korea, Republic of", "South Korea"}


def _graph(tmp_path: Path):
    out = tmp_path / "examples.nt"
    kg.export([], [out], jobs=1)
    graph = defaultdict(lambda: defaultdict(list))
    for q in ox.parse(path=str(out)):
        graph[q.subject.value][q.predicate.value].append(q.object)
    return graph


def test_events_in_country_takes_a_name():
    rows = kg.query("events-in-country")
    assert {str(r["id"]) for r in rows} == {"2026-08-13-c885", "2026-03-02-f06a"}
    assert {str(r["country"]) for r in rows} == {"France"}
