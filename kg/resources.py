"""Where the vocabulary files are: installed with the package, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``ontology``, ``shapes`` or ``queries``.

    A wheel carries them under ``kg/_data/`` (see pyproject.toml); a checkout or an editable
    install finds them at the top of the repository.
    """
    for candidate in (_HERE / "_data" / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"aim-kg is missing its {name}/ folder (looked in {_HERE}/_data)")


def ontology_files() -> list[Path]:
    """The ontology, its alignments and the taxonomies, in a fixed order."""
    folder = data_dir("ontology")
    return [folder / "aim.ttl", folder / "alignments.ttl", folder / "taxonomies.ttl"]


def data_shapes() -> Path:
    return data_dir("shapes") / "aim-shapes.ttl"


def qa_shapes() -> Path:
    return data_dir("shapes") / "vocab-qa.ttl"


def context_file() -> Path:
    return data_dir("ontology") / "context.jsonld"


def examples_dir() -> Path:
    """The bundled example corpus that ``aim-kg export`` runs on when given no input."""
    return _HERE / "examples"


def aiid_links_file() -> Path:
    """The AI Incident Database's table of links to AIM pages, shipped with aim-kg
    (kg/data/README.md: source, commit, licence)."""
    return _HERE / "data" / "aiid-oecd-links.json"


def countries_file() -> Path:
    """AIM's own names of countries where they differ from ISO 3166 (ontology/countries.ttl)."""
    return data_dir("ontology") / "countries.ttl"
