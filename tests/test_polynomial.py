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


def test_each_basis_has_its_documented_columns():
    x_tr = torch.tensor([-1.5, -0.5, 0.0, 0.7, 2.0], dtype=torch.float64)
    x_te = torch.tensor([0.3, -2.5], dtype=torch.float64)
    powers = [x_tr[:, None] ** i for i in range(5)]
    raw = torch.cat(powers, 1)
    F, Ft = make_features(x_tr, x_te, 5, "raw")
    torch.testing.assert_close(F, raw)
    torch.testing.assert_close(Ft, torch.stack([x_te**i for i in range(5)], 1))
    # standardized with the training statistics; the constant stays 1
    F, Ft = make_features(x_tr, x_te, 5, "standardized")
    mean, std = raw.mean(0), raw.std(0)
    torch.testing.assert_close(F[:, 1:], ((raw - mean) / std)[:, 1:])
    assert torch.all(F[:, 0] == 1) and torch.all(Ft[:, 0] == 1)
    torch.testing.assert_close(Ft[:, 2], (x_te**2 - mean[2]) / std[2])
    # probabilists' Hermite polynomials He_0..He_4 over sqrt(i!)
    F, Ft = make_features(x_tr, x_te, 5, "hermite")
    for x, G in ((x_tr, F), (x_te, Ft)):
        he = [x**0, x, x**2 - 1, x**3 - 3 * x, x**4 - 6 * x**2 + 3]
        expected = torch.stack(
            [h / math.sqrt(math.factorial(i)) for i, h in enumerate(he)], 1
        )
        torch.testing.assert_close(G, expected)
    # D2L's 20 features by default
    assert make_features(x_tr, x_te)[0].shape == (5, 20)
    assert poly_features(x_tr).shape == (5, 20)
    with pytest.raises(
        ValueError, match="basis must be one of .* got 'cubic'"
    ):
        make_features(x_tr, x_te, 5, "cubic")


def test_mse_is_the_mean_square_residual_per_column():
    F = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    w = torch.tensor([[1.0, 0.0], [2.0, 0.0]])  # two models
    y = torch.tensor([[2.0], [0.0], [0.0]])
    # residuals (-1, 2, 3) and (-2, 0, 0)
    torch.testing.assert_close(mse(F, w, y), torch.tensor([14 / 3, 4 / 3]))


def test_split_data_is_seeded_polynomial_data():
    x_tr, y_tr, x_te, y_te = split_data(4)
    assert [t.shape for t in (x_tr, y_tr, x_te, y_te)] == [
        (100,), (100, 1), (100,), (100, 1)
    ]  # fmt: skip
    g = torch.Generator().manual_seed(4)
    x, y = polynomial_data(200, noise=0.1, generator=g)
    torch.testing.assert_close(torch.cat([x_tr, x_te]), x)
    torch.testing.assert_close(torch.cat([y_tr, y_te]), y)
    # noiseless: y is the cubic exactly
    x_tr, y_tr, _, _ = split_data(4, n_train=30, n_test=7, noise=0.0)
    w = torch.tensor(POLY_TRUE_W).double().unsqueeze(1)
    torch.testing.assert_close(poly_features(x_tr, 4) @ w, y_tr)


def test_exact_least_squares_on_exact_systems():
    from fractions import Fraction

    from mlp_notes.polynomial import exact_least_squares

    # square and invertible: w = F^-1 y; F^T F has 1s off the diagonal
    F = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    y = torch.tensor([[3.0], [2.0]])
    assert exact_least_squares(F, y).tolist() == [[1.0], [2.0]]
    # orthonormal columns (F^T F = I): w = F^T y
    F = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    y = torch.tensor([[0.5], [-4.0], [7.0]])
    assert exact_least_squares(F, y).tolist() == [[0.5], [-4.0]]
    # an overdetermined fit whose answer is a fraction: the mean of y
    F = torch.ones(3, 1)
    y = torch.tensor([[1.0], [2.0], [4.0]])
    assert exact_least_squares(F, y).item() == float(Fraction(7, 3))


def test_train_linear_with_adam_is_adams_steps():
    from mlp_notes.polynomial import train_epochs

    x_tr, y_tr, x_te, y_te = split_data(0, n_train=20, n_test=5)
    F, Ft = make_features(x_tr, x_te, 3)
    run = train_linear(F, y_tr, Ft, y_te, num_epochs=3, lr=0.1,
                       optimizer="adam", batch_size=5,
                       generator=torch.Generator().manual_seed(2))  # fmt: skip
    g = torch.Generator().manual_seed(2)
    w = (2 * torch.rand(3, 1, generator=g) - 1) / math.sqrt(3)
    opt = torch.optim.Adam([w], lr=0.1)
    data = [t.float() for t in (F, y_tr, Ft, y_te)]
    again = train_epochs(data, w, opt, torch.ones(3, 1), 3, 5, g)
    torch.testing.assert_close(again["w"], run["w"])


def test_train_linear_stops_at_the_first_non_finite_epoch():
    # raw features up to x^9 and lr 0.1: the loss overflows within a few
    # epochs; training stops there and says when
    x_tr, y_tr, x_te, y_te = split_data(0, n_train=20, n_test=5)
    F, Ft = make_features(x_tr, x_te, 10, "raw")
    run = train_linear(F, y_tr, Ft, y_te, num_epochs=50, lr=0.1,
                       generator=torch.Generator().manual_seed(0))  # fmt: skip
    at = run["diverged_at"]
    assert at is not None and 1 < at < 50
    assert run["train_loss"].shape == (at, 1)
    assert torch.isfinite(run["train_loss"][:-1]).all()
    assert not torch.isfinite(run["train_loss"][-1]).all()
