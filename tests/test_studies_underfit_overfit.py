"""§4.4's study functions: the claims hold in the quick budget, and the
pure claim functions fail on planted wrong results (swapped settings,
flipped signs, a calm run that diverged)."""

import math

import pytest
import torch

from mlp_notes.studies import paired
from mlp_notes.studies import underfit_overfit as study
from mlp_notes.studies import underfit_overfit_bases as bases
from mlp_notes.studies import underfit_overfit_exact as exact

QUICK = study.BUDGETS["quick"]


def test_budgets_copy_the_published_settings():
    full = study.BUDGETS["full"]
    assert (full.epochs, full.overfit_epochs) == (400, 1500)
    assert full.seeds == (0, 1, 2, 3, 4) and full.decisive
    assert (QUICK.epochs, QUICK.overfit_epochs, QUICK.seeds) == (
        100,
        200,
        (0, 1),
    )
    assert not QUICK.decisive


@pytest.mark.parametrize(
    "call",
    [
        study.k_fold_demo,
        lambda: study.cubic_fit(QUICK),
        lambda: study.linear_fit(QUICK),
        lambda: study.overfit_20(QUICK),
        exact.cv_degree,
        lambda: exact.exact_solution(QUICK),
        lambda: exact.loss_by_degree(QUICK),
        exact.loss_by_size,
        exact.zero_error,
        exact.normal_equations,
        bases.scales,
        lambda: bases.fixes(QUICK),
        lambda: bases.curvature(QUICK),
        lambda: bases.over_seeds(QUICK),
    ],
)
def test_the_page_functions_hold_in_the_quick_budget(call):
    finding = call()
    assert finding.claims.all_hold, str(finding)
    assert all(len(line) <= 79 for line in finding.lines), finding.lines
    finding.check()


def test_log_score_difference_pairs_by_seed_and_skips_diverged():
    a = {0: 0.01, 1: 0.02, 2: math.inf}
    b = {0: 0.1, 1: 0.2, 2: 0.3, 3: 0.4}
    d, seeds = paired.log_score_difference(a, b)
    assert seeds == [0, 1]
    assert d.mean == pytest.approx(1.0)  # a ten times lower: +1
    flipped, _ = paired.log_score_difference(b, a)
    assert flipped.mean == pytest.approx(-1.0)


def test_linear_claims_fail_when_not_done_or_not_seed_dependent():
    best = {0: 10.0, 1: 20.0}
    good = study.linear_claims(
        {0: 10.0, 1: 20.0}, {0: 5.0, 1: 30.0}, best, decisive=True
    )
    assert good.all_hold
    undone = study.linear_claims(
        {0: 11.0, 1: 20.0}, {0: 5.0, 1: 30.0}, best, decisive=True
    )
    assert not undone[0].holds
    same_side = study.linear_claims(
        {0: 10.0, 1: 20.0}, {0: 5.0, 1: 3.0}, best, decisive=True
    )
    assert not same_side.all_hold
    assert study.linear_claims(
        {0: 10.0, 1: 20.0}, {0: 5.0, 1: 3.0}, best, decisive=False
    ).all_hold  # printed, not enforced, at a small budget


def _run(train, test, w, moved=None):
    return {
        "train_loss": torch.tensor([[train]]),
        "test_loss": torch.tensor([[test]]),
        "w": torch.tensor(w).unsqueeze(1),
        "moved": torch.tensor(moved or [0.01] * len(w)),
    }


def test_overfit_claims_catch_moved_high_weights_and_no_gap():
    w = [0.0] * 4 + [0.5] + [0.0] * 5 + [0.1] * 10
    runs = {0: _run(0.01, 0.0105, w), 1: _run(0.01, 0.02, w)}
    assert study.overfit_claims(runs).all_hold
    high = list(w)
    high[15] = 0.3  # a high-order weight that grew
    assert not study.overfit_claims({**runs, 1: _run(0.01, 0.02, high)})[
        0
    ].holds
    moved = [0.01] * 15 + [0.06] + [0.01] * 4  # one that moved from start
    assert not study.overfit_claims({**runs, 1: _run(0.01, 0.02, w, moved)})[
        1
    ].holds
    gapped = {0: _run(0.01, 0.02, w), 1: _run(0.01, 0.021, w)}
    assert not study.overfit_claims(gapped)[4].holds


def test_the_initial_weights_are_the_runs_start():
    """Replayed from the run's generator: a run at lr 0 keeps them."""
    from mlp_notes.runs.polynomial import fit_polynomial

    run = fit_polynomial.uncached(
        num_features=20, num_epochs=1, seed=3, lr=0.0
    )
    assert torch.equal(run["w"][:, 0], study.initial_weights(20, 3))


def test_exact_claims_fail_when_the_exact_fit_generalizes():
    row = {
        "exact train": 0.008,
        "exact test": 100.0,
        "SGD train": 0.01,
        "SGD test": 0.02,
        "exact cubic test": 0.01,
    }
    assert exact.exact_claims({0: row}).all_hold
    assert not exact.exact_claims({0: row | {"exact test": 0.05}})[1].holds
    assert not exact.exact_claims({0: row | {"exact train": 0.02}})[0].holds


def test_degree_comparison_fails_on_a_flipped_sign():
    low = {s: 0.010 + 0.0001 * s for s in range(5)}
    high = {s: 0.013 + 0.0002 * s for s in range(5)}
    _, good = exact.degree_comparison({3: low, 19: high}, decisive=True)
    assert good.all_hold
    _, flipped = exact.degree_comparison({3: high, 19: low}, decisive=True)
    assert not flipped.all_hold


def test_curvature_claims_name_the_batches_that_break_the_step():
    per_batch = torch.tensor([40.0, 294.0, 30.0, 293.0])
    holds = torch.tensor([False, True, False, True])
    assert bases.curvature_claims(29.8, per_batch, holds).all_hold
    # a batch without the extreme example above 2/lr must fail
    other = torch.tensor([False, True, True, False])
    assert not bases.curvature_claims(29.8, per_batch, other)[2].holds
    # a full batch that itself forbids lr 0.01 must fail
    assert not bases.curvature_claims(250.0, per_batch, holds)[0].holds


def test_divergence_claims_fail_for_a_calm_run_that_diverged():
    top = {(0, "factorial"): 24.0, (0, "hermite"): 95.0, (1, "hermite"): 613.0}
    top[1, "standardized"] = 300.0
    diverged = dict.fromkeys(top) | {(1, "hermite"): 25}
    x_max = {0: 3.15, 1: 3.7}
    assert bases.divergence_claims(top, diverged, x_max, True).all_hold
    calm_broke = diverged | {(0, "factorial"): 7}
    assert not bases.divergence_claims(top, calm_broke, x_max, True)[0].holds
    steep_book = top | {(0, "factorial"): 250.0}
    assert not bases.divergence_claims(steep_book, diverged, x_max, True)[
        0
    ].holds
    narrow = {0: 3.15, 1: 3.0}  # Hermite diverging where |x| is smaller
    assert not bases.divergence_claims(top, diverged, narrow, True)[1].holds
    every_crossing_diverged = diverged | {(1, "standardized"): 3}
    assert not bases.divergence_claims(
        top, every_crossing_diverged, x_max, decisive=True
    ).all_hold


def _fix_runs(adam, slow, hermite_test, book_test):
    def run(train, test):
        return {
            "train_loss": torch.tensor([[train]]),
            "test_loss": torch.tensor([[test]]),
            "diverged_at": None,
        }

    return {
        s: {
            bases.STD_ADAM: run(adam[s], 1.0),
            bases.STD_SLOW: run(slow[s], 1.0),
            bases.HERMITE: run(0.01, hermite_test[s]),
            bases.BOOK: run(0.01, book_test[s]),
        }
        for s in range(4)
    }


def test_fix_comparisons_fail_when_adam_and_sgd_are_swapped():
    adam = [0.04, 0.09, 0.01, 0.02]
    slow = [0.12, 0.32, 0.03, 0.08]
    noisy_h, noisy_b = [0.03, 30.0, 0.04, 5.0], [0.02, 0.1, 0.01, 0.02]
    _, good = bases.fix_comparisons(
        _fix_runs(adam, slow, noisy_h, noisy_b), decisive=True
    )
    assert good.all_hold, str(good)
    _, swapped = bases.fix_comparisons(
        _fix_runs(slow, adam, noisy_h, noisy_b), decisive=True
    )
    assert not swapped[0].holds
    # a resolved Hermite-vs-1/i! difference breaks "no detectable difference"
    steady_h = [5 * v for v in noisy_b]
    _, resolved = bases.fix_comparisons(
        _fix_runs(adam, slow, steady_h, noisy_b), decisive=True
    )
    assert not resolved[1].holds


def test_fix_claims_catch_a_wrong_outcome():
    from mlp_notes.runs.polynomial import basis_fixes

    runs = basis_fixes(num_epochs=QUICK.epochs)
    assert bases.fix_claims(runs).all_hold
    assert bases.outcome(runs["raw", "sgd", 0.01]).startswith("diverged")
    # if raw SGD at 0.01 had not diverged, the first claim must fail
    calm = dict(runs)
    calm["raw", "sgd", 0.01] = runs[bases.BOOK]
    assert not bases.fix_claims(calm)[0].holds
    # Adam no better than SGD at lr 0.001 must fail the last claim
    slow = dict(runs)
    slow[bases.STD_ADAM] = runs[bases.STD_SLOW] | {
        "train_loss": runs[bases.STD_SLOW]["train_loss"] * 2
    }
    assert not bases.fix_claims(slow)[3].holds
