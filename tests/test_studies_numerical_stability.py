"""§4.8's study functions: the page's claims hold at the quick budget,
and each training comparison fails when planted numbers say the
opposite (swapped settings, a broken symmetry, a margin exceeded)."""

from types import SimpleNamespace

import pytest
import torch

from mlp_notes import settings
from mlp_notes.studies import numerical_stability as study
from mlp_notes.studies import numerical_stability_products as products
from mlp_notes.studies import numerical_stability_runs as trained

QUICK = settings.pick(study.BUDGETS, settings.PROFILES["quick"])


@pytest.mark.parametrize(
    "experiment",
    [
        study.sigmoid_saturation,
        study.exploding_product,
        study.product_growth,
        study.xavier_monte_carlo,
        study.deep_stack,
        study.sign_flips,
        study.zero_start,
        products.nilpotent_product,
        lambda: products.singular_value_bounds(torch.Generator(), pairs=50),
        lambda: products.condition_growth(torch.Generator().manual_seed(4)),
    ],
    ids=lambda f: f.__name__,
)
def test_claims_hold(experiment):
    finding = experiment()
    assert finding.claims.all_hold, str(finding)
    assert all(len(line) <= 79 for line in finding.lines), finding.lines


@pytest.mark.parametrize(
    "experiment",
    [trained.symmetric_starts, trained.equal_weight_regression, trained.lars],
    ids=lambda f: f.__name__,
)
def test_training_claims_hold_at_the_quick_budget(experiment):
    finding = experiment(QUICK)
    assert finding.claims.all_hold, str(finding)
    assert all(len(line) <= 79 for line in finding.lines), finding.lines


def run(acc, spread=0.0, spread_w2=0.0, **more):
    history = SimpleNamespace(val_acc=[acc], **more)
    return {"history": history, "spread": spread, "spread_W2": spread_w2}


def symmetric(drop_acc, random_acc, const_spread=0.0, drop_spread=0.3):
    return {
        seed: {
            trained.CONSTANT: run(0.3, const_spread, 0.0),
            trained.DROPOUT: run(d, drop_spread, 0.2),
            trained.RANDOM: run(r, 1.3, 1.2),
        }
        for seed, (d, r) in enumerate(zip(drop_acc, random_acc))
    }


def test_symmetry_claims_decide_on_their_numbers():
    drop, rand = [0.70, 0.72, 0.69], [0.80, 0.81, 0.79]
    assert trained.symmetry_claims(symmetric(drop, rand), True).claims.all_hold
    swapped = trained.symmetry_claims(symmetric(rand, drop), True).claims
    assert not swapped[2].holds and not swapped.all_hold
    # rounding that grew (a large constant-start spread) is reported, and
    # the constant start lagging the random one is what is asserted
    grown = trained.symmetry_claims(
        symmetric(drop, rand, const_spread=2.0), True
    )
    assert grown.claims.all_hold and "0 of 3 seeds" in str(grown)
    kept = trained.symmetry_claims(symmetric(drop, rand), True)
    assert "3 of 3 seeds" in str(kept)
    caught_up = symmetric(drop, rand)
    caught_up[1][trained.CONSTANT]["history"].val_acc = [0.82]
    assert not trained.symmetry_claims(caught_up, True).claims[0].holds
    unbroken = symmetric(drop, rand, drop_spread=1e-5)
    assert not trained.symmetry_claims(unbroken, True).claims[1].holds
    # at a budget that cannot decide, the swap is printed, not raised
    assert trained.symmetry_claims(
        symmetric(rand, drop), False
    ).claims.all_hold


def regression(all0, all05, random, spread=0.07):
    return {
        seed: {
            "all 0": run(a),
            "all 0.5": run(b, spread),
            "random": run(c, 1.8),
        }
        for seed, (a, b, c) in enumerate(zip(all0, all05, random))
    }


def test_regression_claims_decide_on_their_numbers():
    same = regression(
        [0.84, 0.85, 0.84], [0.84, 0.85, 0.84], [0.842, 0.848, 0.841]
    )
    assert trained.regression_claims(same, True).claims.all_hold
    apart = regression(
        [0.84, 0.85, 0.84], [0.84, 0.85, 0.84], [0.9, 0.91, 0.9]
    )
    assert not trained.regression_claims(apart, True).claims[0].holds
    split = regression(
        [0.80, 0.81, 0.80], [0.84, 0.85, 0.84], [0.842, 0.848, 0.841]
    )
    assert not trained.regression_claims(split, True).claims[1].holds
    still = regression([0.84] * 3, [0.84] * 3, [0.84] * 3, spread=0.001)
    assert not trained.regression_claims(still, True).claims[2].holds


def deep(sgd1_at, lars_acc, sgd01_acc):
    def h(acc, diverged_at=None):
        return {
            "history": SimpleNamespace(
                val_acc=[acc],
                diverged=diverged_at is not None,
                diverged_at=diverged_at,
            )
        }

    return {
        seed: {
            "SGD, lr 1": h(float("nan"), at),
            "LARS, lr 1": h(la),
            "SGD, lr 0.1": h(sa),
        }
        for seed, (at, la, sa) in enumerate(zip(sgd1_at, lars_acc, sgd01_acc))
    }


def test_lars_claims_decide_on_their_numbers():
    good = deep([1, 1, 1], [0.85, 0.86, 0.85], [0.84, 0.85, 0.86])
    assert trained.lars_claims(good, True).claims.all_hold
    late = deep([1, 2, 1], [0.85, 0.86, 0.85], [0.84, 0.85, 0.86])
    assert not trained.lars_claims(late, True).claims[0].holds
    low = deep([1, 1, 1], [0.55, 0.86, 0.85], [0.84, 0.85, 0.86])
    assert not trained.lars_claims(low, True).claims[1].holds
    worse = deep([1, 1, 1], [0.75, 0.76, 0.75], [0.84, 0.85, 0.86])
    assert not trained.lars_claims(worse, True).claims[2].holds
    better = deep([1, 1, 1], [0.90, 0.91, 0.90], [0.84, 0.85, 0.84])
    claims = trained.lars_claims(better, True).claims
    assert claims[2].holds and not claims[3].holds


def test_condition_growth_claims_fail_on_a_jump():
    steady = {k: 2.0 + 1.2 * (k - 1) for k in range(1, 11)}
    assert products.growth_claims(steady).all_hold
    jump = {**steady, **{k: steady[k] + 8 for k in range(6, 11)}}
    assert not products.growth_claims(jump)[1].holds
    flat = {k: 2.0 + 0.1 * k for k in range(1, 11)}
    assert not products.growth_claims(flat)[0].holds
