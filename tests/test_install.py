"""A plain (non-editable) install carries the ontology, shapes, queries and examples."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_carries_the_vocabulary_and_works_from_site_packages(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("aim_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "kg/_data/ontology/aim.ttl",
        "kg/_data/ontology/taxonomies.ttl",
        "kg/_data/ontology/alignments.ttl",
        "kg/_data/ontology/context.jsonld",
        "kg/_data/shapes/aim-shapes.ttl",
        "kg/_data/shapes/vocab-qa.ttl",
        "kg/examples/pages/caceres-deepfakes.txt",
        "kg/examples/records/aim-records.json",
    ):
        assert needed in names, needed
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import kg, kg.resources as r, kg.vocab as v; "
        "print(kg.__file__); print(r.data_dir('ontology')); print(len(v.vocabulary().concepts))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out[0].startswith(str(site))
    assert out[1] == str(site / "kg" / "_data" / "ontology")
    assert int(out[2]) > 90
