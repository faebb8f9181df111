"""What the page reader and the record reader share: facet labels to concepts, dates, markers."""

from __future__ import annotations

import datetime as dt
import re

from kg.model.events import Event, Problem
from kg.read.labels import clean
from kg.vocab import Facet, Vocabulary

AI_GENERATED = re.compile(r"\s*\[\s*AI[\s-]generated\s*\]\s*", re.IGNORECASE)
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
ISO3 = re.compile(r"^[A-Z]{3}$")


class Rejected(Exception):
    """The input cannot become an event; the message says why and what was expected."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


def generated_text(text: str | None) -> str | None:
    """A machine-generated text without AIM's "[AI generated]" marker, or None if empty."""
    if text is None:
        return None
    text = clean(AI_GENERATED.sub(" ", text))
    return text or None


def parse_date(value: object, what: str, line: int | None = None) -> str:
    """An ISO date (a date-time keeps its date part); anything else rejects the input."""
    text = clean(str(value)) if value is not None else ""
    match = _DATE_PREFIX.match(text)
    if match:
        try:
            return dt.date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            pass
    shown = f'"{text}"' if text else "missing"
    raise Rejected(f"{what} {shown} is not a date (expected YYYY-MM-DD)", line)


class FacetCollector:
    """Facet labels of one event, mapped to concepts; unmatched text is kept and reported."""

    def __init__(self, vocab: Vocabulary, file: str):
        self.vocab = vocab
        self.file = file
        self.facets: dict[str, list[str]] = {}
        self.unmapped: list[str] = []
        self.problems: list[Problem] = []
        self.severities: list[str] = []
        self.unknown_severities: list[tuple[str, int]] = []

    def add(self, facet: Facet, value: str, line: int) -> None:
        for match in facet.matcher.split(value):
            if facet is self.vocab.severity:
                if match.concept:
                    self.severities.append(match.concept)
                else:
                    self.unknown_severities.append((match.text, line))
                continue
            if match.concept:
                values = self.facets.setdefault(facet.prop, [])
                if match.concept not in values:
                    values.append(match.concept)
                continue
            if match.text not in self.unmapped:
                self.unmapped.append(match.text)
            nearest = facet.matcher.nearest(match.text)
            hint = f'; did you mean "{nearest}"?' if nearest else ""
            self.problems.append(
                Problem(
                    self.file,
                    line,
                    "warning",
                    f'"{match.text}" is not a label of {facet.heading}{hint} '
                    "(kept as aim:unmappedLabel)",
                    code="unmapped-label",
                )
            )

    def severity(self, line: int) -> str:
        """The one severity of the event; a missing, unknown or second severity rejects it."""
        facet = self.vocab.severity
        distinct = list(dict.fromkeys(self.severities))
        if len(distinct) == 1 and not self.unknown_severities:
            return distinct[0]
        labels = sorted(
            c.pref_label for c in self.vocab.concepts.values() if c.scheme == facet.scheme
        )
        expected = " or ".join(f'"{label}"' for label in labels)
        if self.unknown_severities:
            text, at = self.unknown_severities[0]
            nearest = facet.matcher.nearest(text)
            hint = f'; did you mean "{nearest}"?' if nearest else ""
            raise Rejected(
                f'severity "{text}" is not in the vocabulary (expected {expected}){hint}', at
            )
        if not distinct:
            raise Rejected(f"no severity (expected {facet.heading}: {expected})", line)
        if len(distinct) > 1:
            shown = ", ".join(self.vocab.concepts[c].pref_label for c in distinct)
            raise Rejected(f"two severities ({shown}); expected exactly one", line)
        return distinct[0]

    def fill(self, event: Event) -> None:
        event.facets = self.facets
        event.unmapped = self.unmapped
