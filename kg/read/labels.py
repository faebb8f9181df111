"""Facet labels to concepts: splitting concatenated labels and suggesting the nearest one.

AIM pages print a facet's values with no separator ("Respect of human rightsPrivacy & data
governance"), and several labels contain commas or slashes ("Robots, sensors, and IT hardware",
"Economic/Property"), so values are found by matching the facet's own labels left to right,
longest first, never by splitting on capitals or punctuation. Matching is exact (after spaces are
normalised): variant spellings are skos:altLabel in the taxonomy, so they map explicitly and
nothing is guessed. Text that matches no label is returned as such, with the nearest label as a
hint.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

# Characters a copy from a web page puts between or inside labels.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# What may stand between two labels once both are recognised.
_SEPARATORS = " \t,;|·•/.:"
# How many facet values a matcher remembers the split of (a value is a few labels long).
_SPLITS = 4096
_SPLIT_TEXT = 512  # longer values are split each time


def clean(text: str) -> str:
    """NFC, no zero-width characters, every run of spaces (non-breaking too) one space."""
    if not text.isascii():
        # Lone surrogates (a "\ud800" escape in JSON) are not text: they become U+FFFD.
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Match:
    """One piece of a facet value: a label and its concept, or unmatched text (concept None)."""

    text: str
    concept: str | None


class LabelMatcher:
    """The labels of one facet (preferred and alternative) and the concepts they name."""

    def __init__(self, labels: dict[str, str], preferred: dict[str, str]):
        """``labels`` maps every label to its concept; ``preferred`` maps concept to prefLabel."""
        self._labels = {clean(label): concept for label, concept in labels.items()}
        # Longest first, so that a label that starts another is tried after it.
        self._ordered = sorted(self._labels, key=lambda label: (-len(label), label))
        self._preferred = sorted(preferred.values())
        self._splits: dict[str, tuple[Match, ...]] = {}

    def lookup(self, label: str) -> str | None:
        """The concept of exactly this label, or None."""
        return self._labels.get(clean(label))

    def _match_at(self, text: str, i: int) -> str | None:
        """The longest label at i that ends where a value can end (so "AI incidents" is not
        "AI incident" followed by "s")."""
        for label in self._ordered:
            if text.startswith(label, i):
                end = i + len(label)
                if end == len(text) or not (text[end].islower() or text[end].isdigit()):
                    return label
        return None

    def _starts_label(self, text: str, i: int) -> str | None:
        """A label starting at i that begins a new value: an upper-case letter after a
        lower-case letter, a space or punctuation (as where two labels were concatenated)."""
        if not text[i].isupper():
            return None
        if i > 0 and text[i - 1].isupper():
            return None
        return self._match_at(text, i)

    def split(self, text: str) -> tuple[Match, ...]:
        """Split a facet value into labels, left to right, longest label first (the same few
        values recur in every record: the latest splits are remembered)."""
        if len(text) > _SPLIT_TEXT:
            return tuple(self._split(text))  # not remembered: memory stays bounded
        found = self._splits.get(text)
        if found is None:
            if len(self._splits) >= _SPLITS:
                self._splits.clear()
            found = self._splits[text] = tuple(self._split(text))
        return found

    def _split(self, text: str) -> list[Match]:
        text = clean(text)
        found: list[Match] = []
        i, n = 0, len(text)
        while i < n:
            while i < n and text[i] in _SEPARATORS:
                i += 1
            if i >= n:
                break
            label = self._match_at(text, i)
            if label is not None:
                found.append(Match(label, self._labels[label]))
                i += len(label)
                continue
            j = i + 1
            while j < n and self._starts_label(text, j) is None:
                j += 1
            rest = text[i:j].strip(_SEPARATORS)
            if rest:
                found.append(Match(rest, None))
            i = j
        return found

    def nearest(self, text: str) -> str | None:
        """The preferred label closest to text, if any is reasonably close."""
        best = process.extractOne(
            clean(text),
            self._preferred,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            score_cutoff=60,
        )
        return best[0] if best else None
