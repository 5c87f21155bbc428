"""§4.5's study functions: the claims hold in the quick budget, and the
pure claim functions fail on planted wrong results (a training loss that
falls with lambda, a resolved difference where the page says none, an
early stop that helps, a lambda that forgets n)."""

import pytest
import torch

from mlp_notes.studies import weight_decay as study
from mlp_notes.studies import weight_decay_exercises as exercises
from mlp_notes.studies import weight_decay_lambda as sweep

QUICK = study.BUDGETS["quick"]
LAMBDS = sweep.LAMBDS


def test_budgets_copy_the_published_settings():
    full = study.BUDGETS["full"]
    assert (full.epochs, full.seeds, full.decisive) == (100, (0, 1, 2), True)
    assert (QUICK.epochs, QUICK.seeds, QUICK.decisive) == (50, (0,), False)


@pytest.mark.parametrize(
    "call",
    [
        study.manual_step,
        lambda: study.scratch(QUICK),
        lambda: study.concise(QUICK),
        lambda: sweep.lambda_curve(QUICK),
        lambda: sweep.lambda_choice(QUICK),
        lambda: exercises.l1_vs_l2(QUICK),
        exercises.frobenius,
        lambda: exercises.other_remedies(QUICK),
        exercises.map_is_ridge,
        exercises.laplace_prior,
        lambda: exercises.sign_bug(QUICK),
        lambda: exercises.decay_factor(QUICK),
    ],
)
def test_the_page_functions_hold_in_the_quick_budget(call):
    finding = call()
    assert finding.claims.all_hold, str(finding)
    assert all(len(line) <= 79 for line in finding.lines), finding.lines
    finding.check()


def _sweeps(train_by_seed, test_by_seed):
    """Synthetic sweeps: {seed: {"train"/"test"/"val"/"cv": {lambda: v}}}."""
    return {
        s: {
            "train": dict(zip(LAMBDS, train_by_seed[s])),
            "test": dict(zip(LAMBDS, test_by_seed[s])),
            "val": dict(zip(LAMBDS, test_by_seed[s])),
            "cv": dict(zip(LAMBDS, test_by_seed[s])),
        }
        for s in train_by_seed
    }


def _means(sweeps):
    return {
        key: {
            lam: sum(sw[key][lam] for sw in sweeps.values()) / len(sweeps)
            for lam in LAMBDS
        }
        for key in ("train", "test")
    }


def _published_shape(seed):
    """Training loss: flat (noisy) up to 0.1, then rising; test loss:
    falling by orders of magnitude, then flat (noisy)."""
    wobble = [1.0, 1.1, 0.9][seed]
    train = [1e-6 * w for w in (wobble, 1 / wobble, wobble, 1 / wobble)] + [
        1e-5 * 3**i * (1 + 0.01 * seed) for i in range(7)
    ]
    test = [100.0, 90, 80, 60, 40, 10, 0.1, 0.012] + [
        0.01 * (1 + 0.01 * w)
        for w in ([1, -1, 0], [-1, 1, 1], [0, 1, -1])[seed]
    ]
    return train, test


def test_curve_claims_hold_for_the_published_shape_and_fail_swapped():
    shapes = {s: _published_shape(s) for s in range(3)}
    sweeps = _sweeps({s: v[0] for s, v in shapes.items()},
                     {s: v[1] for s, v in shapes.items()})  # fmt: skip
    _, claims = sweep.curve_claims(sweeps, _means(sweeps), decisive=True)
    assert claims.all_hold, str(claims)
    # a training loss that falls with lambda breaks the "rises" claims
    falling = _sweeps({s: v[0][::-1] for s, v in shapes.items()},
                      {s: v[1] for s, v in shapes.items()})  # fmt: skip
    _, claims = sweep.curve_claims(falling, _means(falling), decisive=True)
    assert not claims.all_hold
    # a resolved step at the flat end of the test curve breaks "flattens"
    steep = {s: (v[0], v[1][:-1] + [v[1][-2] * 3]) for s, v in shapes.items()}
    steep_sweeps = _sweeps({s: v[0] for s, v in steep.items()},
                           {s: v[1] for s, v in steep.items()})  # fmt: skip
    _, claims = sweep.curve_claims(
        steep_sweeps, _means(steep_sweeps), decisive=True
    )
    assert not claims.all_hold
    # at a small budget the same comparisons print but are not enforced
    _, claims = sweep.curve_claims(falling, _means(falling), decisive=False)
    compared = claims[2:]  # after the two thresholds on the means
    assert compared and not any(c.enforced for c in compared)
    assert not all(c.holds for c in compared)


def test_choice_finding_fails_when_validation_is_clearly_better():
    test = {
        s: [1.0] * 8 + [0.014 + 0.0001 * s, 0.01, 0.0105] for s in (0, 1, 2)
    }
    sweeps = _sweeps({s: [0.0] * 11 for s in test}, test)
    for s in sweeps:  # val picks lambda 100, cv lambda 30, on every seed
        sweeps[s]["val"] = dict(zip(LAMBDS, [1.0] * 9 + [0.0, 1.0]))
        sweeps[s]["cv"] = dict(zip(LAMBDS, [1.0] * 8 + [0.0, 1.0, 1.0]))
    finding = sweep.choice_finding(sweeps, decisive=True)
    assert finding.claims[0].holds  # both within 2x of the optimum
    assert not finding.claims.all_hold  # but resolved, not "~"
    same = sweep.choice_finding(_sweeps({0: [0.0] * 11}, {0: test[0]}), True)
    assert same.claims.all_hold


def test_scratch_claims_fail_when_the_penalty_does_not_shrink():
    epochs = torch.arange(1, 11, dtype=torch.float32)
    curves = {
        "train_loss": {0.0: 1 / epochs**4, 3.0: 0.01 + 0 * epochs},
        "test_loss": {0.0: 100 + 0 * epochs, 3.0: 0.1 + 0 * epochs},
        "norm": {0.0: 14 + 0 * epochs, 3.0: 1 + 0 * epochs},
    }
    assert study.scratch_claims(curves).all_hold
    no_shrink = {
        **curves,
        "norm": {0.0: curves["norm"][0.0], 3.0: 14 + 0 * epochs},
    }
    assert not study.scratch_claims(no_shrink)[2].holds


def test_remedy_claims_fail_when_early_stopping_helps():
    row = {
        "big": 0.01,
        "big earlier": 0.02,
        "few": 100.0,
        "few best": 99.0,
        "best epoch": 40,
    }
    assert exercises.remedy_claims({0: row}, tenth=10).all_hold
    helps = row | {"few best": 10.0}
    assert not exercises.remedy_claims({0: row, 1: helps}, 10)[2].holds


def test_bayes_claims_fail_when_the_wrong_lambda_matches():
    errs = {
        "tau 0.01": 1e-10,
        "tau 0.05": 1e-10,
        "n = 10, lambda with n = 10": 1e-10,
        "n = 10, lambda with n = 20": 1e-4,
        "sigma = 0.02, lambda with it": 1e-10,
        "sigma = 0.02, lambda with 0.01": 1e-4,
    }
    assert exercises.bayes_claims(errs, 10, 20).all_hold
    forgot_n = errs | {"n = 10, lambda with n = 20": 1e-10}
    assert not exercises.bayes_claims(forgot_n, 10, 20).all_hold


def test_map_is_ridge_with_lambda_from_sigma_n_and_tau():
    finding = exercises.map_is_ridge()
    assert finding.claims.all_hold
    # lambda = sigma^2 / (n tau^2): half the examples, twice the lambda
    assert any("lambda with n = 10 (0.1000)" in line for line in finding.lines)


def test_the_reference_claim_fails_when_a_fit_learns_or_lambda_0_is_fine():
    """The page says no lambda learns much beyond predicting the mean,
    that the min-norm interpolant does as well, and that SGD at lambda 0
    is far worse: each planted opposite turns the claim red."""
    refs = {"mean predictor": 0.01, "min-norm interpolant": 0.0095}
    holds = {0.0: 5.0, 1.0: 0.0099}
    assert sweep.reference_claims(holds, refs)[1].all_hold
    learned = {0.0: 5.0, 1.0: 0.004}  # the best lambda learns the signal
    assert not sweep.reference_claims(learned, refs)[1].all_hold
    worse = {"mean predictor": 0.01, "min-norm interpolant": 0.05}
    assert not sweep.reference_claims(holds, worse)[1].all_hold
    fine = {0.0: 0.02, 1.0: 0.0099}  # SGD at lambda 0 near the mean
    assert not sweep.reference_claims(fine, refs)[1].all_hold
