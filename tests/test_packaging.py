"""The paperwork of the package: one version, dependencies that the code imports, the files."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

import rdflib
from conftest import ROOT
from rdflib.namespace import OWL

import kg
from kg import resources

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Runtime dependencies that are not imported, and why.
NOT_IMPORTED = {
    "oxigraph": "ships the `oxigraph` server executable that `aim-kg serve` runs",
}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_top_level_modules() -> set[str]:
    found = set()
    for path in (ROOT / "kg").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"kg", "__future__"}


def test_runtime_dependencies_are_what_the_runtime_imports():
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    imported = set()
    for module in _imported_top_level_modules():
        assert module in providers, f"kg imports {module}, which no installed package provides"
        imported |= {d.lower().replace("_", "-") for d in providers[module]}
    assert imported - declared == set(), "imported but not declared in [project] dependencies"
    assert declared - imported == set(NOT_IMPORTED), "declared but never imported"


def test_one_version_everywhere():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "kg/__init__.py"
    assert importlib.metadata.version("aim-kg") == kg.__version__
    aim, _, taxonomies = resources.ontology_files()
    for path in (aim, taxonomies, resources.data_shapes(), resources.qa_shapes()):
        g = rdflib.Graph().parse(path)
        versions = {str(v) for v in g.objects(None, OWL.versionInfo)}
        assert versions == {kg.__version__}, path.name
        for iri in g.objects(None, OWL.versionIRI):
            assert str(iri).endswith("/" + kg.__version__), path.name
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {kg.__version__}" in changelog


def test_the_files_of_a_maintained_project():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["license"] == "MIT"
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for topic in ("--update-goldens", "taxonomies.ttl", "queries/", "make bench"):
        assert topic in contributing, topic
    precommit = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    ruff = importlib.metadata.version("ruff")
    assert f"rev: v{ruff}" in precommit, "pre-commit pins the ruff that pyproject installs"
