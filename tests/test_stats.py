"""Spreads, t quantiles and paired differences against known values."""

import math
import random

import pytest

from mlp_notes import stats


@pytest.mark.parametrize(
    "df, q",
    [(1, 12.7062), (2, 4.3027), (5, 2.5706), (30, 2.0423), (60, 2.0003)],
)
def test_t_quantile_matches_tables(df, q):
    assert stats.t_quantile(0.975, df) == pytest.approx(q, abs=1e-3)


def test_spread_and_paired_difference():
    mean, std = stats.spread([1.0, 2.0, 3.0])
    assert (mean, std) == (2.0, 1.0)
    assert math.isnan(stats.spread([1.0])[1])
    d = stats.paired([3.0, 5.0, 7.0], [1.0, 2.0, 3.0])  # diffs 2, 3, 4
    assert d.mean == 3.0
    assert d.half_width == pytest.approx(4.3027 * 1 / 3**0.5, rel=1e-4)
    assert d.resolved and "n=3" in str(d)
    flat = stats.paired([1.0, 2.0], [2.0, 1.0])  # diffs -1, +1
    assert not flat.resolved


def test_interval_covers_the_true_mean_about_95_percent():
    rng = random.Random(0)
    hits = 0
    for _ in range(2000):
        a = [rng.gauss(0.5, 1) for _ in range(5)]
        hits += (
            stats.paired(a, [0.0] * 5).low
            <= 0.5
            <= (stats.paired(a, [0.0] * 5).high)
        )
    assert 0.93 < hits / 2000 < 0.97


def test_pairs_needed_grows_as_the_effect_shrinks():
    d = stats.paired([0.1, 0.3, 0.2, 0.4], [0.0, 0.0, 0.0, 0.0])
    assert d.pairs_for_power(effect=0.05) > d.pairs_for_power(effect=0.1)
    assert d.pairs_for_power(effect=0.001) is None  # beyond 1000 pairs
    assert d.pairs_for_power(effect=0.1) >= 2


@pytest.mark.parametrize(
    "effect, n", [(0.2, 199), (0.5, 34), (0.8, 15), (1.0, 10), (1.5, 6)]
)
def test_pairs_for_80_percent_power_match_published_tables(effect, n):
    """G*Power's (and R's power.t.test, type "paired") sample sizes for a
    two-sided paired t-test at the 5% level and 80% power."""
    assert stats.pairs_for_power(effect, 0.8) == n


@pytest.mark.parametrize("effect, n", [(0.5, 12), (1.0, 5), (1.5, 4)])
def test_power_agrees_with_simulated_t_tests(effect, n):
    rng = random.Random(1)
    trials, hits = 4000, 0
    for _ in range(trials):
        d = stats.paired([rng.gauss(effect, 1) for _ in range(n)], [0.0] * n)
        hits += d.resolved
    se = (0.25 / trials) ** 0.5
    assert abs(hits / trials - stats.t_test_power(effect, n)) < 4 * se


def test_power_at_no_effect_is_the_test_level():
    assert stats.t_test_power(0.0, 6) == pytest.approx(0.05, abs=1e-4)


def test_verdict_states_80_percent_power_and_the_caveat():
    d = stats.paired([0.3, 0.1, 0.2, -0.05], [0.0] * 4)
    assert not d.resolved
    text = d.verdict("a", "b")
    assert "no detectable difference" in text
    assert f"about {d.pairs_for_power()} seeds" in text
    assert "80% chance" in text and "rough estimate" in text


def test_power_note_names_what_the_pairs_are():
    """Pairs that are not seeds (ex. 6's synthetic problems) are named."""
    a, b = [0.3, 0.1, 0.2, -0.05], [0.0] * 4
    d = stats.paired(a, b, unit="problems")
    assert f"about {d.pairs_for_power()} problems would" in d.power_note()
    assert "seeds" not in d.power_note()
    assert stats.paired(a, b).unit == "seeds"
