"""Shared test fixtures: paths, the vocabulary, the AIM facet lists, golden-file updates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FACETS_MD = SHARED / "reference" / "aim-facets.md"
DATA = SHARED / "data"
TESTS = ROOT / "tests"


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite expected results (shape reports, golden graphs) from the current output.",
    )


@pytest.fixture(scope="session")
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def facet_lists() -> dict[str, list[str]]:
    """The label lists of aim-facets.md §2, keyed by API key, read from that one place."""
    text = FACETS_MD.read_text(encoding="utf-8")
    section = text.split("## 2.", 1)[1].split("\n## ", 1)[0]
    lists: dict[str, list[str]] = {}
    for item in re.split(r"\n- ", "\n" + section.split("\n- ", 1)[1]):
        head, _, labels = item.partition(":")
        key = re.search(r"\[(\w+)", head).group(1)
        labels = " ".join(labels.split("\n\n")[0].split())
        lists[key] = [label.strip() for label in labels.split(" · ")]
    return lists


@pytest.fixture(scope="session")
def vocab():
    from kg.vocab import vocabulary

    return vocabulary()
