"""Shared test fixtures: paths, the vocabulary, the AIM facet lists, golden-file updates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
DATA = TESTS / "data"  # copies of outside data, with sources and licences (data/README.md)
MIRROR = DATA / "aim-mirror-sample.json"
EXAMPLE_PAGE = ROOT / "kg" / "examples" / "pages" / "caceres-deepfakes.txt"


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite expected results (shape reports, golden graphs) from the current output.",
    )


@pytest.fixture(scope="session")
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def aim_reference() -> dict:
    """What AIM publishes (labels, headings, principle mapping, definition): data/README.md."""
    return json.loads((DATA / "aim-reference.json").read_text(encoding="utf-8"))


def facet_lists() -> dict[str, list[str]]:
    """AIM's label lists, keyed by API key, from the independent copy in data/."""
    return aim_reference()["facet_labels"]


@pytest.fixture(scope="session")
def vocab():
    from kg.vocab import vocabulary

    return vocabulary()
