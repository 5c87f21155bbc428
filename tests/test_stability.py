"""§4.8 experiments: exploding products, symmetry, singular-value bounds."""

import pytest
import torch

from mlp_notes import stability


def test_product_of_gaussian_matrices_explodes():
    g = torch.Generator().manual_seed(0)
    sizes = stability.matrix_product(100, generator=g)
    assert len(sizes) == 101 and sizes[-1] > 1e15 * sizes[0]


def test_singular_value_bounds_hold_and_eigenvalues_do_not_factor():
    g = torch.Generator().manual_seed(1)
    for _ in range(50):
        A, B = (torch.randn(6, 6, generator=g, dtype=torch.float64)
                for _ in range(2))  # fmt: skip
        b = stability.singular_bounds(A, B)
        assert b["smax_AB"] <= b["smax_A*smax_B"] * (1 + 1e-12)
        assert b["smin_AB"] >= b["smin_A*smin_B"] * (1 - 1e-9)
        assert b["kappa_AB"] <= b["kappa_A*kappa_B"] * (1 + 1e-9)
        assert b["rho_AB"] <= b["smax_AB"] * (1 + 1e-12)
    N = torch.tensor([[0.0, 1.0], [0.0, 0.0]], dtype=torch.float64)
    b = stability.singular_bounds(N, N.T)  # both nilpotent/eigenvalues 0
    assert b["rho_AB"] == pytest.approx(1.0)


def test_row_spread():
    W = torch.ones(4, 3)
    assert stability.row_spread(W) == 0
    W[2, 0] = 2
    assert stability.row_spread(W) > 0


def test_condition_number_grows_with_depth():
    g = torch.Generator().manual_seed(2)
    logs = stability.product_condition(12, 8, generator=g)
    assert logs[-1] > logs[0] + 2


@pytest.mark.slow
def test_constant_init_stays_symmetric_unless_dropout():
    from mlp_notes.runs import stability as runs
    from mlp_notes.runs.chapter import CHAPTER_NET, CHAPTER_RECIPE

    net = CHAPTER_NET.replace(hiddens=(16,))
    kw = dict(recipe=CHAPTER_RECIPE.replace(num_epochs=1), subset=2000, seed=0)
    same = runs.train_symmetric.uncached(value=0.01, net=net, **kw)
    drop = runs.train_symmetric.uncached(
        value=0.01, net=net.replace(dropout=0.5), **kw
    )
    assert same["spread"] < 1e-5 and same["spread_W2"] < 1e-5
    assert drop["spread"] > 1e-3


def test_deep_stack_claims_hold_and_fail_when_broken():
    stack = stability.deep_stack(depth=30, width=128, seed=0)
    claims = stability.stack_claims(stack)
    assert claims.all_hold, str(claims)
    # He's variance halved every layer must break the relu + He claims
    broken = dict(stack)
    fw = stack["relu", "he"]["forward"]
    broken["relu", "he"] = {
        "forward": [v * 0.5**i for i, v in enumerate(fw)],
        "backward": stack["relu", "he"]["backward"],
    }
    bad = stability.stack_claims(broken)
    assert not bad.all_hold
    with pytest.raises(AssertionError, match="relu \\+ He"):
        bad.check()
