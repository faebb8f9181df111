"""Countries: ISO 3166-1 (pycountry) with AIM's own names (ontology/countries.ttl).

An event's country is the EU Publications Office authority's IRI for its ISO 3166-1 alpha-3 code
(``<http://publications.europa.eu/resource/authority/country/FRA>``). Every country an export
uses carries, in the tail of the export beside the concepts:

    skos:prefLabel  AIM's name where ontology/countries.ttl gives one ("Korea"), else the ISO short
                    name ("France"), in English
    skos:altLabel   the ISO short name ("Korea, Republic of") and pycountry's common name
                    ("South Korea") where they differ from the prefLabel
    skos:notation   the alpha-3 code ("KOR")

A record that names its country without a code gets the country of that name (any of these
labels, or the ISO official name, compared without case and accents).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from rapidfuzz import fuzz, process, utils

from kg import resources, terms
from kg.model.events import fold
from kg.namespaces import COUNTRY, RDF_TYPE, SKOS
from kg.terms import Lit, Triple

COUNTRY_SCHEME = COUNTRY.rstrip("/")  # the EU authority's concept scheme
_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3 (or XKX)
    pref_label: str
    alt_labels: tuple[str, ...]

    @property
    def iri(self) -> str:
        return COUNTRY + self.code


class Countries:
    """Every country aim-kg knows, by code and by name."""

    def __init__(self, aim_names: Path):
        aim: dict[str, tuple[str, list[str]]] = {}
        for s, p, o in terms.parse(aim_names):
            if not s.startswith(COUNTRY) or not isinstance(o, Lit):
                continue
            code = s[len(COUNTRY) :]
            entry = aim.setdefault(code, ("", []))
            if p == SKOS + "prefLabel":
                aim[code] = (o.value, entry[1])
            elif p == SKOS + "altLabel":
                entry[1].append(o.value)
        self.by_code: dict[str, Country] = {}
        extra: dict[str, list[str]] = {}
        for record in pycountry.countries:
            code = record.alpha_3
            iso = record.name
            pref, alts = aim.pop(code, (iso, []))
            labels = [iso, getattr(record, "common_name", None), *alts]
            alt = tuple(dict.fromkeys(x for x in labels if x and x != pref))
            self.by_code[code] = Country(code, pref, alt)
            official = getattr(record, "official_name", None)
            extra[code] = [official] if official else []
        for code, (pref, alts) in aim.items():  # codes outside ISO 3166-1 (XKX)
            self.by_code[code] = Country(code, pref, tuple(alts))
        # Names, folded: AIM's names first, then ISO names, common and official names.
        self._names: dict[str, str] = {}
        for rank in range(3):
            for code, country in sorted(self.by_code.items()):
                names = (
                    [country.pref_label]
                    if rank == 0
                    else list(country.alt_labels)
                    if rank == 1
                    else extra.get(code, [])
                )
                for name in names:
                    self._names.setdefault(fold(name), code)
        self._shown = sorted(
            {n for c in self.by_code.values() for n in (c.pref_label, *c.alt_labels)}
        )

    def get(self, code: str) -> Country | None:
        return self.by_code.get(code)

    def by_name(self, name: str) -> Country | None:
        """The country of a name (case, accents and punctuation aside), or None."""
        code = self._names.get(fold(name))
        return self.by_code[code] if code else None

    def nearest(self, name: str) -> str | None:
        """The country name closest to ``name``, if one is reasonably close."""
        best = process.extractOne(
            name, self._shown, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60
        )
        return best[0] if best else None

    def triples(self, code: str) -> list[Triple]:
        """What an export says about a country: type, scheme, labels, notation."""
        country = self.by_code.get(code)
        if country is None:
            return []
        s = country.iri
        out: list[Triple] = [
            (s, RDF_TYPE, SKOS + "Concept"),
            (s, SKOS + "inScheme", COUNTRY_SCHEME),
            (s, SKOS + "prefLabel", Lit(country.pref_label, _LANGSTRING, "en")),
        ]
        out += [(s, SKOS + "altLabel", Lit(a, _LANGSTRING, "en")) for a in country.alt_labels]
        out.append((s, SKOS + "notation", Lit(code)))
        return out


@cache
def countries() -> Countries:
    """The countries of this installation, read once per process."""
    return Countries(resources.countries_file())
