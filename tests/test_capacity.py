"""§4.4's exact sweeps and the claims the page asserts about them."""

import pytest

from mlp_notes import capacity
from mlp_notes.polynomial import split_data


@pytest.fixture(scope="module")
def curves():
    return {n: capacity.by_degree(n) for n in (100, 10)}


def test_degree_claims_hold_for_exact_fits(curves):
    # an SGD curve that is lower at degree 19 than at 3 must break a claim
    good_sgd = [0.5] * 3 + [0.02] + [0.02] * 15 + [0.05]
    claims = capacity.degree_claims(curves, good_sgd)
    assert claims.all_hold, str(claims)
    bad = capacity.degree_claims(curves, [0.05] * 19 + [0.001])
    assert not bad[-1].holds


def test_interpolation_at_n_minus_one(curves):
    train10 = curves[10][0]
    assert train10[9] < 1e-12 < train10[8]


def test_size_claims_and_scale_claims():
    sizes = [6, 12, 25, 60, 100]
    by_size = {k: capacity.by_size(k, sizes) for k in (4, 11)}
    claims = capacity.size_claims(sizes, by_size, target=0.02)
    assert claims.all_hold, str(claims)
    # degree 3 missing the target at the largest n must fail its claim
    train, test = by_size[4].train, by_size[4].test
    missed = {**by_size, 4: capacity.Curve(train, test[:-1] + [0.03])}
    assert not capacity.size_claims(sizes, missed, target=0.02)[2].holds
    x_tr, _, x_te, _ = split_data(0)
    scales = capacity.basis_scales(x_tr, x_te)
    assert capacity.scale_claims(scales).all_hold
    # curvature of x^0 is 2 mean(1) = 2 exactly
    assert scales["raw"]["curvature"][0] == pytest.approx(2.0)


def test_top_curvature_is_the_hessians_largest_eigenvalue():
    import torch

    g = torch.Generator().manual_seed(0)
    F = torch.randn(30, 5, generator=g, dtype=torch.float64)
    H = 2 * F.T @ F / 30
    assert capacity.top_curvature(F).item() == pytest.approx(
        torch.linalg.eigvalsh(H)[-1].item()
    )
    # batched: one eigenvalue per minibatch, each at least 2 |f_i|^2 / |B|
    batches = torch.arange(30).reshape(3, 10)
    per_batch = capacity.top_curvature(F[batches])
    assert per_batch.shape == (3,)
    for b, lam in zip(batches, per_batch):
        assert lam.item() == pytest.approx(capacity.top_curvature(F[b]).item())
        assert lam >= 2 * (F[b] ** 2).sum(1).max() / 10 - 1e-12
    # twice the features, four times the curvature
    assert capacity.top_curvature(2 * F).item() == pytest.approx(
        4 * capacity.top_curvature(F).item()
    )


def test_cv_mse_is_the_mean_fold_error_of_exact_fits():
    import torch

    from mlp_notes.polynomial import least_squares, make_features, mse
    from mlp_notes.selection import k_fold_indices

    x_tr, y_tr, x_te, _ = split_data(0)
    F = make_features(x_tr, x_te, 4)[0]
    folds = k_fold_indices(100, 5, generator=torch.Generator().manual_seed(0))
    by_hand = (
        sum(
            mse(F[va], least_squares(F[tr], y_tr[tr]), y_tr[va]).item()
            for tr, va in folds
        )
        / 5
    )
    assert capacity.cv_mse(F, y_tr, folds=5) == pytest.approx(by_hand)
    # the cubic beats the straight line by orders of magnitude
    assert capacity.cv_mse(F[:, :2], y_tr) > 100 * capacity.cv_mse(F, y_tr)
