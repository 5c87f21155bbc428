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
    assert d.n_to_resolve(0.01) > d.n_to_resolve(0.1) >= 2
