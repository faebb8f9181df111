"""The AI Incident Database's links: the table shipped with aim-kg adds aim:aiidIncident to every
exported event it names, on top of the links the event's own inputs give; --aiid-links replaces
or turns off the table. Never owl:sameAs."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import MIRROR

import kg
from kg import resources
from kg.cli import cli
from kg.errors import InputError
from kg.namespaces import AIID_CITE, AIM, DCTERMS
from kg.read.links import load_linkset

EXAMPLES = str(resources.examples_dir())


def links_of(path: Path) -> dict[str, set[int]]:
    """AIM id -> AIID incidents, read from an N-Triples export."""
    ids, links = {}, defaultdict(set)
    for q in ox.parse(path=str(path)):
        if q.predicate.value == DCTERMS + "identifier":
            ids[q.subject.value] = q.object.value
        elif q.predicate.value == AIM + "aiidIncident":
            links[q.subject.value].add(int(q.object.value.removeprefix(AIID_CITE)))
    return {ids[e]: links.get(e, set()) for e in ids}


def table() -> dict[str, set[int]]:
    out = defaultdict(set)
    for pair in json.loads(resources.aiid_links_file().read_text(encoding="utf-8")):
        out[pair["sameAs"].rsplit("/", 1)[1]].add(pair["incident_id"])
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """The 228 mirror records and the bundled examples, with the table and without it."""
    folder = tmp_path_factory.mktemp("links")
    inputs = [str(MIRROR), EXAMPLES]
    with_table = kg.export(inputs, [folder / "with.nt"], jobs=1)
    without = kg.export(inputs, [folder / "without.nt"], jobs=1, aiid_links=False)
    return with_table, links_of(folder / "with.nt"), without, links_of(folder / "without.nt")


def test_every_linked_id_gets_exactly_its_incidents(exports):
    result, linked, _, own = exports
    pairs = table()
    mirror_ids = {r["id"] for r in json.loads(MIRROR.read_text(encoding="utf-8"))}
    assert mirror_ids <= set(linked) and result.events == len(linked) == 229  # 15 examples are
    # mirror records too
    assert set(linked) == set(own)
    named = [i for i in linked if i in pairs]
    assert len(named) >= 15  # the AIM ids of the table that this corpus has
    for event_id, incidents in linked.items():
        assert incidents == own[event_id] | pairs.get(event_id, set()), event_id
    # The count the export reports is the number of links that came from the table.
    assert result.aiid_links == sum(len(pairs[i]) for i in named)
    assert result.linkset.bundled and result.linkset.pairs == 1166


def test_the_table_adds_links_the_inputs_do_not_name(exports):
    _, linked, _, own = exports
    added = sum(len(linked[i] - own[i]) for i in linked)
    assert added > 0  # the mirror records carry no AIID ids of their own


def test_links_are_not_identities(tmp_path: Path):
    out = tmp_path / "x.nt"
    kg.export([], [out], jobs=1)
    text = out.read_text(encoding="utf-8")
    assert "owl#sameAs" not in text and AIM + "aiidIncident" in text


def test_a_newer_table_replaces_the_bundled_one(tmp_path: Path):
    newer = tmp_path / "links.json"
    newer.write_text(
        json.dumps(
            [
                {
                    "incident_id": 9999,
                    "sameAs": "https://oecd.ai/en/incidents/2026-09-16-b84b",
                    "source_namespace": "OECD",
                },
                {"incident_id": 5, "sameAs": "https://example.org/x", "source_namespace": "X"},
            ]
        ),
        encoding="utf-8",
    )
    out = tmp_path / "x.nt"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["export", str(MIRROR), "-o", str(out), "--aiid-links", str(newer), "-q", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    linked = links_of(out)
    assert linked["2026-09-16-b84b"] == {9999}
    assert sum(len(v) for v in linked.values()) == 1
    result = runner.invoke(
        cli, ["export", str(MIRROR), "-o", str(out), "--aiid-links", "none", "-q", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    assert not any(links_of(out).values())


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "not JSON"),
        ('{"a": 1}', "expected a JSON array"),
        ('[{"incident_id": "x", "sameAs": "https://oecd.ai/en/incidents/1"}]', "entry 1"),
        ('[{"incident_id": 1, "sameAs": "https://oecd.ai/en/incidents/bad"}]', "not an AIM"),
    ],
)
def test_a_bad_table_is_refused_before_anything_is_written(tmp_path, content, message):
    bad = tmp_path / "links.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_linkset(bad)
    out = tmp_path / "x.ttl"
    result = CliRunner().invoke(cli, ["export", "-o", str(out), "--aiid-links", str(bad)])
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_the_table_is_shipped_with_its_source_and_licence():
    readme = (resources.aiid_links_file().parent / "README.md").read_text(encoding="utf-8")
    for needed in ("3e68a9fbb020a048f1326e7309864e8dda34a72c", "CC BY-SA 4.0", "responsible-ai"):
        assert needed in readme
    assert load_linkset(True).pairs == 1166 and load_linkset("none").index == {}
