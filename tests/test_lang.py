"""Headline language tags: a wrong tag is worse than none.

tests/data/headlines.tsv holds headlines of AI-incident news in 26 languages, written natively,
and items with no determinable language (``und``). No tag may be wrong; most must be found.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kg.read import lang

ROWS = [
    line.rstrip("\n").split("\t")
    for line in (Path(__file__).parent / "data" / "headlines.tsv")
    .read_text(encoding="utf-8")
    .splitlines()[1:]
]


def test_no_headline_gets_a_wrong_tag():
    wrong = [(gold, lang.detect(h), h) for gold, h in ROWS if lang.detect(h) not in (gold, None)]
    assert wrong == []


def test_most_headlines_get_their_tag():
    found = Counter(gold for gold, h in ROWS if gold != "und" and lang.detect(h) == gold)
    total = Counter(gold for gold, _ in ROWS if gold != "und")
    assert sum(found.values()) / sum(total.values()) >= 0.8
    # Scripts that name their language are always tagged.
    for code in ("ko", "el", "he", "th", "ja"):
        assert found[code] == total[code], code


@pytest.mark.parametrize("text", ["", "   ", "2024", "ChatGPT-5", "AI", "https://example.org/x"])
def test_nothing_to_go_on_gives_no_tag(text):
    assert lang.detect(text) is None


def test_outlet_suffix_does_not_decide():
    assert (
        lang.detect("Investigado un hombre por crear imágenes falsas de menores con IA | El País")
        == "es"
    )
