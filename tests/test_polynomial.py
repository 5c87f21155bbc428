"""Polynomial features, exact fits and the hand-written gradient."""

import math

import pytest
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


def test_train_epochs_is_train_linears_loop():
    """train_linear = the init, then train_epochs; a shuffled order of the
    same steps would end elsewhere."""
    from mlp_notes.polynomial import train_epochs

    x_tr, y_tr, x_te, y_te = split_data(0)
    F, Ft = make_features(x_tr, x_te, 4)
    run = train_linear(F, y_tr, Ft, y_te, num_epochs=5,
                       generator=torch.Generator().manual_seed(3))  # fmt: skip
    g = torch.Generator().manual_seed(3)
    w = (2 * torch.rand(4, 1, generator=g) - 1) / 2  # 1 / sqrt(4)
    opt = torch.optim.SGD([w], lr=0.01)
    data = [t.float() for t in (F, y_tr, Ft, y_te)]
    again = train_epochs(data, w, opt, torch.ones(4, 1), 5, 10, g)
    torch.testing.assert_close(again["w"], run["w"])
    assert again["diverged_at"] is None


def test_run_batches_replay_fit_polynomial():
    """Stepping through run_batches by hand ends at fit_polynomial's
    weights; the same batches in another order do not."""
    from mlp_notes.runs.polynomial import (
        fit_polynomial,
        run_batches,
        run_generator,
    )

    k, epochs = 20, 3
    run = fit_polynomial.uncached(num_features=k, num_epochs=epochs, seed=1,
                                  basis="standardized", lr=0.001)  # fmt: skip
    batches = run_batches(num_features=k, num_epochs=epochs, seed=1)
    assert batches.shape == (epochs * 10, 10)
    x_tr, y_tr, x_te, _ = split_data(1)
    F = make_features(x_tr, x_te, k, "standardized")[0].float()
    y = y_tr.float()

    def replay(order):
        g = run_generator(1)
        w = (2 * torch.rand(k, 1, generator=g) - 1) * (1 / math.sqrt(k))
        for idx in order:
            w = w - 0.001 * mse_grad(F[idx], w, y[idx])
        return w

    torch.testing.assert_close(replay(batches), run["w"])
    assert (replay(batches.flip(0)) - run["w"]).abs().max() > 1e-6
    with pytest.raises(ValueError):
        run_batches(num_features=k, num_epochs=1, seed=0, batch_size=7)
