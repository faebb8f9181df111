"""Facet labels to concepts: left-to-right splitting, exact matching, nearest-label hints."""

from __future__ import annotations

import re

import pytest

from kg.namespaces import AIMTAX


def split(vocab, key: str, text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.concept) for m in vocab.facet_by_key[key].matcher.split(text)]


def test_concatenated_labels_split_left_to_right(vocab):
    assert split(vocab, "principles", "Respect of human rightsPrivacy & data governance") == [
        ("Respect of human rights", AIMTAX + "principle-respect-of-human-rights"),
        ("Privacy & data governance", AIMTAX + "principle-privacy-and-data-governance"),
    ]


@pytest.mark.parametrize(
    ("key", "text", "labels"),
    [
        # Commas and slashes inside labels: never split on them.
        ("industries", "Robots, sensors, and IT hardwareDigital security",
         ["Robots, sensors, and IT hardware", "Digital security"]),
        ("harm_types", "Economic/PropertyPhysical (death)", ["Economic/Property", "Physical (death)"]),
        ("ai_tasks", "Reasoning with knowledge structures/planningContent generation",
         ["Reasoning with knowledge structures/planning", "Content generation"]),
        # Zero-width and non-breaking spaces between labels, " | " joins.
        ("harmed_entities", "Children\u200bWomen\u00a0General public", ["Children", "Women", "General public"]),
        ("harm_types", "Psychological | Reputational", ["Psychological", "Reputational"]),
        # An alternative spelling of an older export maps explicitly.
        ("industries", "Government & security & defenceOther", ["Government & security & defence", "Other"]),
    ],
)  # fmt: skip
def test_labels_with_punctuation(vocab, key, text, labels):
    found = split(vocab, key, text)
    assert [t for t, _ in found] == labels
    assert all(concept for _, concept in found)


def test_unknown_text_is_kept_between_known_labels(vocab):
    assert split(vocab, "principles", "SafetyPrivacy and data governanceAccountability") == [
        ("Safety", AIMTAX + "principle-safety"),
        ("Privacy and data governance", None),
        ("Accountability", AIMTAX + "principle-accountability"),
    ]


def test_matching_is_exact_not_guessed(vocab):
    # A lower-case variant is not a label (variants are altLabels, never guesses).
    assert split(vocab, "principles", "safety") == [("safety", None)]
    assert vocab.facet_by_key["principles"].matcher.lookup("Safety ") is not None


@pytest.mark.parametrize(
    ("key", "text", "nearest"),
    [
        ("principles", "Privacy and data governance", "Privacy & data governance"),
        ("harm_types", "Physical (Death)", "Physical (death)"),
        (
            "industries",
            "Healthcare, drugs and biotechnology",
            "Healthcare, drugs, and biotechnology",
        ),
        ("principles", "zzzz", None),
    ],
)
def test_nearest_label(vocab, key, text, nearest):
    assert vocab.facet_by_key[key].matcher.nearest(text) == nearest


def test_other_is_scoped_to_each_facet(vocab):
    industry = split(vocab, "industries", "Other")[0][1]
    harm = split(vocab, "harm_types", "Other")[0][1]
    assert industry == AIMTAX + "industry-other"
    assert harm == AIMTAX + "harm-type-other"


def test_clean_makes_any_string_rdf_text():
    from kg.read.labels import clean

    assert clean("a\u00a0 b\u200b\n c") == "a b c"
    assert clean("\ud800broken") == "\ufffd\ufffd\ufffdbroken"


def test_fold_drops_every_combining_character():
    """fold() deletes combining characters (looked up as they are first seen): the result
    equals the character-by-character definition, on text with accents of several scripts."""
    import unicodedata

    from kg.model import events

    text = "Ça réussit: l’Équipe à Zürich, ǅemal, ﬁnance, Ａ, e\u0301, \u1e94a\U0001e94a!"
    text += "".join(chr(c) for c in range(0x2F0, 0x3A0)) + "\u0915\u093c\u094d\u0e34\u302a"
    expected = unicodedata.normalize("NFKD", text)
    expected = "".join(ch for ch in expected if not unicodedata.combining(ch)).casefold()
    assert events.fold(text) == " ".join(re.sub(r"[^\w]+", " ", expected).split())
    assert events._fold("é") == "e" and events._fold("\U0001e94a") == ""
