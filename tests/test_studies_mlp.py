"""§4.1's study functions: the page's claims hold at the quick budget,
and the width comparison fails when its numbers say the opposite."""

import math

import pytest

from mlp_notes import settings
from mlp_notes.studies import mlp as study
from mlp_notes.studies import mlp_activations as acts
from mlp_notes.studies import mlp_kinks

QUICK = settings.pick(study.BUDGETS, settings.PROFILES["quick"])


@pytest.mark.parametrize(
    "experiment",
    [
        study.collapse,
        study.polynomial_activations,
        study.cpwl,
        study.batch_nonlinearity,
        acts.naive_overflow,
        acts.analytic_vs_autograd,
        acts.derivative_maxima,
        acts.tanh_sigmoid_identity,
        acts.near_miss,
        acts.prelu_alpha_gradient,
        mlp_kinks.operations,
        mlp_kinks.prelu_forms,
    ],
    ids=lambda f: f.__name__,
)
def test_claims_hold(experiment):
    finding = experiment()
    assert finding.claims.all_hold, str(finding)
    assert all(len(line) <= 79 for line in finding.lines), finding.lines


def test_width_fits_at_the_quick_budget():
    finding = study.width_fits(QUICK)
    assert finding.claims.all_hold, str(finding)
    curves = finding.data["curves"]
    assert set(curves) == {"target"} | {
        f"{w} hidden units" for w in study.FIT_WIDTHS
    }


def test_width_comparison_fails_when_the_wide_fit_is_worse():
    seeds = (0, 1, 2)
    good = {2: [1.1, 1.2, 1.0], 64: [0.01, 0.02, 0.015]}
    assert study.width_comparison(good, seeds, enforce=True).claims.all_hold
    swapped = {2: good[64], 64: good[2]}
    bad = study.width_comparison(swapped, seeds, enforce=True).claims
    assert not any(c.holds for c in bad)
    # one seed the other way: the "every seed" claim fails
    mixed = {2: [1.1, 0.001, 1.0], 64: [0.01, 0.02, 0.015]}
    assert not study.width_comparison(mixed, seeds, True).claims[0].holds
    # unenforced, a failing interval claim is printed, not raised
    noisy = {2: [1.1, 0.03, 1.0], 64: [0.01, 0.02, 0.015]}
    claims = study.width_comparison(noisy, seeds, enforce=False).claims
    assert not claims[1].holds and claims.all_hold


def test_kink_values_are_the_chain_rule_of_the_operations():
    op = mlp_kinks.at_zero(mlp_kinks.OPERATIONS)
    form = mlp_kinks.at_zero(mlp_kinks.FORMS)
    a = mlp_kinks.A
    assert form["max(x,0) + a*min(x,0)"] == (
        op["torch.maximum(x, 0)"] + a * op["torch.minimum(x, 0)"]
    )
    assert not math.isclose(form["max(x,0) + a*min(x,0)"], 1.0)
