"""§4.3's recipe decisions, read off the committed GPU probes: every
claim holds, and planted swaps of the probe data turn them red."""

import pytest

from mlp_notes.studies import best, probes


def test_the_recipe_decisions_hold_on_the_probes():
    finding = best.decisions()
    finding.check()
    # a comparison per decision, two in best.decisions, the cost of 3x512
    assert len(finding.claims) == len(probes.COMPARISONS) + 3
    assert "3x1024 / 2x1024" in str(finding)


@pytest.mark.parametrize(
    "a, b",
    [
        ("budget:a3-d1-e10", "budget:a2-d1-e10"),  # a resolved loss
        ("recipe:d1-40", "recipe:d0-40"),  # a resolved win
        ("budget:a3-d1-e20", "budget:a3-d1-e20-sub40k"),
    ],
)
def test_swapping_two_jobs_fails_the_page(monkeypatch, a, b):
    runs = probes.validation_runs()
    runs[a], runs[b] = runs[b], runs[a]
    monkeypatch.setattr(probes, "validation_runs", lambda: runs)
    with pytest.raises(AssertionError, match="claims that fail"):
        best.decisions().check()


def test_the_decisions_read_validation_columns_only():
    for rows in probes.validation_runs().values():
        for row in rows:
            assert set(row) == set(probes.VALIDATION_COLUMNS)
