"""Page text as users copy it from oecd.ai, clean and dirty, good and bad."""

from __future__ import annotations

from collections import Counter

from conftest import EXAMPLE_PAGE

from kg.namespaces import AIM, AIMTAX
from kg.read.page import read_page

EXAMPLE = EXAMPLE_PAGE.read_text(encoding="utf-8")


def read(vocab, text: str, stem: str = "page"):
    return read_page(text, "page.txt", stem, vocab)


def test_the_shared_example(vocab):
    event, problems = read(vocab, EXAMPLE)
    assert problems == []
    assert event.title == "AI-Generated Deepfake Images of Minors Lead to Investigation in Cáceres"
    assert event.summary.startswith("A man in Cáceres, Spain, is under investigation")
    assert "[AI generated]" not in event.summary and "[AI generated]" not in event.rationale
    assert event.rationale.endswith("causing harm.")
    assert event.severity == AIMTAX + "severity-ai-incident"
    assert event.facets[AIM + "principle"] == [
        AIMTAX + "principle-respect-of-human-rights",
        AIMTAX + "principle-privacy-and-data-governance",
    ]
    assert event.facets[AIM + "harmType"] == [
        AIMTAX + "harm-type-psychological",
        AIMTAX + "harm-type-human-or-fundamental-rights",
    ]
    assert event.facets[AIM + "aiTask"] == [AIMTAX + "ai-task-content-generation"]
    assert event.date == "2026-05-27"
    assert len(event.articles) == 7
    outlets = {a.outlet for a in event.articles}
    assert "europa press" in outlets and "El Periódico Extremadura" in outlets
    assert all(a.rationale and "Why's our monitor" not in a.rationale for a in event.articles)
    # Not an AIM id in the name: a stable id from the content.
    assert event.derived_id and event.id.startswith("aimkg-")
    assert read(vocab, EXAMPLE)[0].id == event.id


def test_id_from_the_file_name(vocab):
    assert read(vocab, EXAMPLE, stem="2026-05-27-4a1b")[0].id == "2026-05-27-4a1b"
    # Numeric file names are not ids.
    assert read(vocab, EXAMPLE, stem="12345")[0].id.startswith("aimkg-")


def test_dirty_copy_gives_the_same_event(vocab):
    clean_event, _ = read(vocab, EXAMPLE)
    dirty = "\ufeff" + EXAMPLE.replace("\n", "\r\n")
    dirty = dirty.replace("Respect of human rightsPrivacy", "Respect of human rights\u200bPrivacy")
    dirty = dirty.replace("PsychologicalHuman", "Psychological\u00a0Human")
    dirty = dirty.replace("\r\n\r\n", "\r\n\r\n\r\n\r\n", 5).replace(
        "Industries\r\n", "Industries:\r\n"
    )
    # The same article listed twice.
    first = dirty.index("Thumbnail Image\r\n\r\nInvestigado por crear")
    second = dirty.index("Thumbnail Image", first + 10)
    dirty = dirty[:second] + dirty[first:second] + dirty[second:]
    event, problems = read(vocab, dirty)
    assert problems == []
    assert event == clean_event


def test_unknown_label_is_kept_and_named(vocab):
    text = EXAMPLE.replace(
        "Respect of human rightsPrivacy & data governance",
        "Respect of human rightsPrivacy and data governance",
    )
    event, problems = read(vocab, text)
    assert event is not None
    assert event.unmapped == ["Privacy and data governance"]
    assert event.facets[AIM + "principle"] == [AIMTAX + "principle-respect-of-human-rights"]
    (problem,) = problems
    assert problem.kind == "warning" and problem.line == 13
    assert '"Privacy and data governance"' in problem.reason
    assert 'did you mean "Privacy & data governance"' in problem.reason


def _reject(vocab, text: str):
    event, problems = read(vocab, text)
    assert event is None
    (problem,) = problems
    assert problem.kind == "reject"
    return problem


def test_empty_page(vocab):
    problem = _reject(vocab, "\n \r\n\u200b\n")
    assert "empty page" in problem.reason


def test_page_without_title(vocab):
    problem = _reject(vocab, EXAMPLE.split("\n", 2)[2].replace("Thumbnail Image", "", 1).lstrip())
    assert problem.reason.startswith("no title")


def test_article_date_that_is_not_a_date(vocab):
    problem = _reject(
        vocab, EXAMPLE.replace("2026-05-27\nRadio Interior", "2026-02-30\nRadio Interior")
    )
    assert '"2026-02-30"' in problem.reason and "not a date (expected YYYY-MM-DD)" in problem.reason
    assert problem.line == EXAMPLE.split("\n").index("Radio Interior")


def test_article_without_date(vocab):
    problem = _reject(vocab, EXAMPLE.replace("2026-05-27\nRadio Interior\n", "Radio Interior\n"))
    assert "date" in problem.reason


def test_missing_severity(vocab):
    problem = _reject(vocab, EXAMPLE.replace("Severity\nAI incident\n", ""))
    assert problem.reason == 'no severity (expected Severity: "AI hazard" or "AI incident")'


def test_severity_outside_the_vocabulary(vocab):
    problem = _reject(vocab, EXAMPLE.replace("Severity\nAI incident", "Severity\nAI incidents"))
    assert problem.reason.startswith('severity "AI incidents" is not in the vocabulary')
    assert 'did you mean "AI incident"' in problem.reason
    assert problem.line == EXAMPLE.split("\n").index("AI incident") + 1


def test_two_severities(vocab):
    problem = _reject(
        vocab, EXAMPLE.replace("Severity\nAI incident", "Severity\nAI incidentAI hazard")
    )
    assert problem.reason == "two severities (AI incident, AI hazard); expected exactly one"


def test_in_other_databases(vocab):
    text = EXAMPLE.replace(
        "\nArticles about this incident or hazard",
        "\nIn other databases\nAI Incident Database: Incident 640\n"
        "https://incidentdatabase.ai/cite/641\nArticles about this incident or hazard",
    )
    event, problems = read(vocab, text)
    assert event.aiid == [640, 641] and problems == []


def test_severity_heading_with_value_on_the_same_line(vocab):
    text = EXAMPLE.replace("Severity\nAI incident", "Severity: AI incident")
    assert read(vocab, text)[0].severity == AIMTAX + "severity-ai-incident"


def _mutations(text: str, seed: int, count: int):
    """Pages as a careless copy leaves them: lines dropped, repeated, swapped, cut, mangled."""
    import random

    rng = random.Random(seed)
    lines = text.split("\n")
    for _ in range(count):
        page = list(lines)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(page))
            action = rng.choice(["drop", "repeat", "swap", "cut", "junk", "join"])
            if action == "drop":
                del page[i]
            elif action == "repeat":
                page.insert(i, page[i])
            elif action == "swap" and i + 1 < len(page):
                page[i], page[i + 1] = page[i + 1], page[i]
            elif action == "cut":
                page[i] = page[i][: rng.randrange(len(page[i]) + 1)]
            elif action == "junk":
                page.insert(i, rng.choice(["\u200b", "2026-13-01", ":", "Severity", "AI", "\x00"]))
            elif action == "join" and i + 1 < len(page):
                page[i : i + 2] = [page[i] + page[i + 1]]
        yield "\n".join(page)


def test_mangled_pages_never_crash(vocab):
    """Whatever a copy does to a page, the reader returns an event or a reject, never an error;
    and an event it returns is one the builder and the shapes can take."""
    from kg.model.triples import Minter, event_block
    from kg.shacl.engine import data_shapes

    outcomes = Counter()
    for text in _mutations(EXAMPLE, seed=11, count=400):
        event, problems = read(vocab, text)
        if event is None:
            assert [p.kind for p in problems] == ["reject"]
            outcomes["reject"] += 1
            continue
        outcomes["event"] += 1
        data_shapes().validate(event_block(event, vocab, Minter()).triples)
    assert outcomes["event"] > 50 and outcomes["reject"] > 20
