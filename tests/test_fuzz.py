"""The export under a few hundred seeded mutations of pages and records (tests/fuzz.py):
no traceback, no aborted run, no lost input, the same result with one worker and with two.
``make fuzz N=5000`` runs more."""

from __future__ import annotations

import pytest
from fuzz import check


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_inputs(seed):
    report = check(seed, 150)
    assert report.inputs == 150
    assert report.findings == []
    assert report.exported and report.rejected  # the mutations hit both sides
