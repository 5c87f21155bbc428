"""Polynomial features, exact fits and the hand-written gradient."""

import math

import torch

from mlp_notes.data import POLY_TRUE_W, polynomial_data
from mlp_notes.polynomial import (
    least_squares,
    make_features,
    mse,
    mse_grad,
    poly_features,
    split_data,
    train_linear,
)


def test_features_and_data():
    x = torch.tensor([2.0], dtype=torch.float64)
    F = poly_features(x, 5)
    expected = [2.0**i / math.factorial(i) for i in range(5)]
    torch.testing.assert_close(F[0], torch.tensor(expected).double())
    g = torch.Generator().manual_seed(0)
    x, y = polynomial_data(50_000, noise=0.0, generator=g)
    w = torch.tensor(POLY_TRUE_W).double().unsqueeze(1)
    torch.testing.assert_close(poly_features(x, 4) @ w, y)


def test_mse_grad_matches_autograd():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(10, 6, generator=g, dtype=torch.float64)
    y = torch.randn(10, 1, generator=g, dtype=torch.float64)
    w = torch.randn(6, 3, generator=g, dtype=torch.float64,
                    requires_grad=True)  # fmt: skip
    ((X @ w - y) ** 2).mean(0).sum().backward()
    torch.testing.assert_close(mse_grad(X, w.detach(), y), w.grad)


def test_least_squares_recovers_weights_and_interpolates():
    x_tr, y_tr, x_te, y_te = split_data(0)
    F, _ = make_features(x_tr, x_te, 4)
    w = least_squares(F, y_tr)
    assert (w[:, 0] - torch.tensor(POLY_TRUE_W).double()).abs().max() < 0.2
    # normal equations give the same answer for this well-posed problem
    w_ne = torch.linalg.solve(F.T @ F, F.T @ y_tr)
    torch.testing.assert_close(w, w_ne)
    # n points, n weights: interpolation
    F10, _ = make_features(x_tr[:8], x_te, 8)
    w10 = least_squares(F10, y_tr[:8])
    assert mse(F10, w10, y_tr[:8]).item() < 1e-16


def test_bases_span_the_same_functions():
    x_tr, y_tr, x_te, _ = split_data(1)
    preds = []
    for basis in ("factorial", "raw", "standardized", "hermite"):
        F, Ft = make_features(x_tr, x_te, 6, basis)
        preds.append(Ft @ least_squares(F, y_tr))
    for p in preds[1:]:
        torch.testing.assert_close(p, preds[0], atol=1e-7, rtol=1e-7)


def test_sgd_reaches_the_noise_floor_and_masks_models():
    x_tr, y_tr, x_te, y_te = split_data(0)
    F, Ft = make_features(x_tr, x_te, 4)
    g = torch.Generator().manual_seed(0)
    mask = torch.triu(torch.ones(4, 4))
    run = train_linear(F, y_tr, Ft, y_te, num_epochs=300, mask=mask,
                       generator=g)  # fmt: skip
    assert run["test_loss"][-1, 3] < 0.03  # cubic: noise floor 0.01
    assert run["train_loss"][-1, 1] > 1.0  # linear: underfits
    assert torch.all(run["w"][~mask.bool()] == 0)


def test_least_squares_is_the_exact_minimizer_at_twenty_features():
    """On the 20 polynomial features (columns of wildly different size) the
    float64 solver must return the minimizer that exact rational
    arithmetic finds; an unscaled SVD solver drops directions there and is
    off by 100%."""
    from mlp_notes.polynomial import exact_least_squares, split_data

    x_tr, y_tr, x_te, _ = split_data(0, 100)
    F, _ = make_features(x_tr, x_te, 20)
    exact = exact_least_squares(F, y_tr)
    w = least_squares(F, y_tr)
    assert ((w - exact).norm() / exact.norm()).item() < 1e-6
    small = torch.randn(30, 4, generator=torch.Generator().manual_seed(0))
    y = torch.randn(30, 1, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(
        exact_least_squares(small, y),
        torch.linalg.lstsq(small.double(), y.double()).solution,
    )


def test_basis_fixes_claims_hold_and_catch_a_wrong_outcome():
    from mlp_notes import settings
    from mlp_notes.runs.polynomial import basis_fixes, fix_claims, outcome

    runs = basis_fixes(num_epochs=settings.PROFILES["quick"].poly_epochs)
    claims = fix_claims(runs)
    assert claims.all_hold, str(claims)
    assert outcome(runs["raw", "sgd", 0.01]).startswith("diverged")
    # if raw SGD at 0.01 had not diverged, the first claim must fail
    calm = dict(runs)
    calm["raw", "sgd", 0.01] = runs["factorial", "sgd", 0.01]
    assert not fix_claims(calm)[0].holds
