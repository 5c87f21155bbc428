"""§4.7's study functions: the page's claims hold at the quick budget,
and the batch-size claims fail when the numbers say the opposite."""

import pytest
import torch

from mlp_notes import settings
from mlp_notes.studies import backprop as study
from mlp_notes.studies import backprop_costs as costs

QUICK = settings.pick(study.BUDGETS, settings.PROFILES["quick"])


def problem():
    return study.random_problem(torch.Generator().manual_seed(1))


@pytest.mark.parametrize(
    "experiment",
    [
        study.graph_of_objective,
        study.fused_step,
        costs.memory,
        costs.hessian_check,
        lambda: study.gradient_check(problem()),
        lambda: study.scratch_transposed(problem(), torch.Generator()),
        lambda: study.matrix_gradient(torch.Generator()),
        lambda: study.hidden_bias(problem(), torch.Generator()),
        lambda: costs.graph_growth(problem(), torch.Generator()),
        lambda: costs.micro_batches(torch.Generator().manual_seed(5)),
        lambda: costs.hvp_cost(QUICK),
    ],
    ids=lambda f: f.__name__,
)
def test_claims_hold(experiment):
    finding = experiment()
    assert finding.claims.all_hold, str(finding)
    assert all(len(line) <= 79 for line in finding.lines), finding.lines


def test_random_problem_draws_in_the_page_order():
    p = problem()
    g = torch.Generator().manual_seed(1)
    X = torch.randn(64, 20, generator=g, dtype=torch.float64)
    assert torch.equal(p.X, X) and p.sizes == dict(n=64, d=20, h=16, q=10)


def test_a_gradient_without_the_1_over_n_fails(monkeypatch):
    """The pitfall of the page: forgetting the mean's 1/n."""
    right = study.backprop.gradients

    def forgot_mean(X, y, W1, W2, lambd, b1=None):
        n = len(X)
        grads = right(X, y, W1, W2, 0.0)
        return {
            "W1": n * grads["W1"] + lambd * W1,
            "W2": n * grads["W2"] + lambd * W2,
        }

    assert study.gradient_check(problem()).claims.all_hold
    monkeypatch.setattr(study.backprop, "gradients", forgot_mean)
    assert not study.gradient_check(problem()).claims.all_hold


def test_batch_claims_decide_on_their_numbers():
    ms = {8: 1.0, 2048: 0.2}
    mib = {8: 0.09, 2048: 0.09 * 256}
    assert costs.batch_claims(ms, mib).claims.all_hold
    swapped = costs.batch_claims({8: 0.2, 2048: 1.0}, mib).claims
    assert not swapped[0].holds
    not_proportional = costs.batch_claims(ms, {8: 0.09, 2048: 30.0}).claims
    assert not not_proportional[1].holds
