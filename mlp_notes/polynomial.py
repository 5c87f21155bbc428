"""Polynomial regression (§4.4): features, exact fits and SGD fits.

The data are D2L's cubic (``mlp_notes.data.polynomial_data``); the model
is linear in the features, so minibatch SGD and the exact least-squares
solution can be compared directly.  Losses are mean squared errors
(``nn.MSELoss``'s scale, no 1/2): the noise floor is 0.1**2 = 0.01.
"""

from __future__ import annotations

import math
from fractions import Fraction

import torch

from mlp_notes.data import polynomial_data

BASES = ("factorial", "raw", "standardized", "hermite")


# --8<-- [start:features]
def poly_features(x: torch.Tensor, max_degree: int = 20) -> torch.Tensor:
    """D2L's features x^i / i! for i = 0..max_degree-1.

    Args:
        x: inputs, shape (n,).

    Returns:
        Features, shape (n, max_degree); column 0 is the constant 1.
    """
    return torch.stack(
        [x**i / math.factorial(i) for i in range(max_degree)], 1
    )


# --8<-- [end:features]


# --8<-- [start:bases]
def make_features(
    x_train: torch.Tensor,
    x_test: torch.Tensor,
    max_degree: int = 20,
    basis: str = "factorial",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Features of degree < max_degree in one of four bases.

    * "factorial": x^i / i! (D2L's choice);
    * "raw": x^i;
    * "standardized": x^i shifted and scaled to mean 0, std 1 with the
      *training* statistics (the constant column stays 1);
    * "hermite": probabilists' Hermite polynomials He_i(x) / sqrt(i!),
      orthonormal under x ~ N(0, 1).

    Args:
        x_train: (n_train,); x_test: (n_test,).

    Returns:
        (n_train, max_degree) and (n_test, max_degree) features.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {BASES}, got {basis!r}")
    if basis == "factorial":
        return poly_features(x_train, max_degree), poly_features(
            x_test, max_degree
        )
    if basis == "hermite":
        return _hermite(x_train, max_degree), _hermite(x_test, max_degree)
    i = torch.arange(max_degree, dtype=x_train.dtype)
    F_train, F_test = x_train[:, None] ** i, x_test[:, None] ** i
    if basis == "standardized":
        mean, std = F_train.mean(0), F_train.std(0)
        mean[0], std[0] = 0.0, 1.0  # keep the constant feature
        F_train, F_test = (F_train - mean) / std, (F_test - mean) / std
    return F_train, F_test


# --8<-- [end:bases]


# --8<-- [start:hermite]
def _hermite(x: torch.Tensor, max_degree: int) -> torch.Tensor:
    # He_0 = 1, He_1 = x, He_{i+1} = x He_i - i He_{i-1}
    H = [torch.ones_like(x), x]
    for i in range(1, max_degree - 1):
        H.append(x * H[i] - i * H[i - 1])
    cols = [H[i] / math.sqrt(math.factorial(i)) for i in range(max_degree)]
    return torch.stack(cols, 1)


# --8<-- [end:hermite]


# --8<-- [start:least_squares]
def least_squares(F: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The minimizer of ||F w - y||^2 (minimum-norm if not unique).

    Solved in float64 with an SVD-based solver (``gelsd``) on F with its
    columns scaled to unit norm, rather than by the normal equations
    F^T F w = F^T y, whose matrix has the *square* of F's condition
    number.  The scaling matters here: the polynomial features' columns
    differ in size by many orders of magnitude, and the solver would
    otherwise drop directions whose singular values fall below its
    rank threshold, returning a different vector.

    Args:
        F: features, shape (n, k); y: targets, shape (n, 1).

    Returns:
        w, shape (k, 1), float64.
    """
    F64, y64 = F.double().cpu(), y.double().cpu()
    scale = F64.norm(dim=0).clamp_min(torch.finfo(F64.dtype).tiny)
    w = torch.linalg.lstsq(F64 / scale, y64, driver="gelsd").solution
    return w / scale[:, None]


# --8<-- [end:least_squares]


# --8<-- [start:exact_least_squares]
def exact_least_squares(F: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The minimizer of ||F w - y||^2 in exact rational arithmetic: the
    normal equations over ``fractions.Fraction`` (every float64 is a
    rational number), solved by Gauss-Jordan elimination, rounded to
    float64 at the end.  F must have full column rank.  A reference for
    float64 solvers; slow (it is pure Python).
    """
    A = [[Fraction(v) for v in row] for row in F.double().tolist()]
    b = [Fraction(v) for v in y.double().reshape(-1).tolist()]
    k = len(A[0])
    M = [
        [sum(r[i] * r[j] for r in A) for j in range(k)]
        + [sum(r[i] * bi for r, bi in zip(A, b))]
        for i in range(k)
    ]
    for c in range(k):
        pivot = next(r for r in range(c, k) if M[r][c] != 0)
        M[c], M[pivot] = M[pivot], M[c]
        for r in range(k):
            if r != c and M[r][c] != 0:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * p for a, p in zip(M[r], M[c])]
    w = [float(M[i][k] / M[i][i]) for i in range(k)]
    return torch.tensor(w, dtype=torch.float64).unsqueeze(1)


# --8<-- [end:exact_least_squares]


def mse(F: torch.Tensor, w: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error of each column of w: shape (m,) for w (k, m)."""
    return ((F @ w - y) ** 2).mean(0)


# --8<-- [start:mse_grad]
def mse_grad(X: torch.Tensor, w: torch.Tensor, y: torch.Tensor):
    """Gradient of mean((X w - y)^2) in w, by hand: (2/n) X^T (X w - y).

    Args:
        X: (n, k) features; w: (k, m) weights; y: (n, 1) targets.

    Returns:
        (k, m): one gradient per column of w (tested against autograd).
    """
    return 2 / len(y) * X.T @ (X @ w - y)


# --8<-- [end:mse_grad]


# --8<-- [start:train_linear]
def train_linear(
    F_train: torch.Tensor,
    y_train: torch.Tensor,
    F_test: torch.Tensor,
    y_test: torch.Tensor,
    *,
    num_epochs: int,
    lr: float = 0.01,
    batch_size: int = 10,
    optimizer: str = "sgd",
    mask: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> dict:
    """Minibatch training of y ~ F w (no bias: column 0 of F is 1).

    With ``mask`` (k, m), m models train at once on the same minibatches:
    model j uses the features where mask[:, j] is 1.  ``generator``
    draws the init (nn.Linear's U(+-1/sqrt(k))), then the minibatches.

    Args:
        F_train: (n, k) features; y_train: (n, 1); likewise the test set.

    Returns:
        See :func:`train_epochs`.
    """
    n, k = F_train.shape
    mask = torch.ones(k, 1) if mask is None else mask.float()  # (k, m)
    bound = 1 / math.sqrt(k)
    w0 = (2 * torch.rand(k, 1, generator=generator) - 1) * bound
    w = w0 * mask  # (k, m): one column per model
    opts = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
    opt = opts[optimizer]([w], lr=lr)
    data = [t.float() for t in (F_train, y_train, F_test, y_test)]
    return train_epochs(data, w, opt, mask, num_epochs, batch_size, generator)


# --8<-- [end:train_linear]


# --8<-- [start:train_epochs]
def train_epochs(
    data: list[torch.Tensor],
    w: torch.Tensor,
    opt: torch.optim.Optimizer,
    mask: torch.Tensor,
    num_epochs: int,
    batch_size: int,
    generator: torch.Generator | None,
) -> dict:
    """``train_linear``'s epochs on ``data`` = (F_train (n, k), y_train
    (n, 1), F_test, y_test) and w (k, m): a permutation of the examples, a
    step per minibatch, the losses; stops at the first non-finite loss.

    Returns:
        dict: "train_loss", "test_loss" (num_epochs, m) MSE after each
        epoch, "w" (k, m), "diverged_at" (first non-finite epoch or None).
    """
    F_train, y_train, F_test, y_test = data
    train, test, diverged_at = [], [], None
    for epoch in range(1, num_epochs + 1):
        perm = torch.randperm(len(y_train), generator=generator)
        for i in range(0, len(y_train), batch_size):
            idx = perm[i : i + batch_size]
            w.grad = mse_grad(F_train[idx], w, y_train[idx]) * mask
            opt.step()
        with torch.no_grad():
            train.append(mse(F_train, w, y_train))
            test.append(mse(F_test, w, y_test))
        if not torch.isfinite(train[-1]).all():
            diverged_at = epoch
            break
    return {
        "train_loss": torch.stack(train),
        "test_loss": torch.stack(test),
        "w": w.clone(),
        "diverged_at": diverged_at,
    }


# --8<-- [end:train_epochs]


def split_data(
    seed: int, n_train: int = 100, n_test: int = 100, noise: float = 0.1
) -> tuple[torch.Tensor, ...]:
    """x_train (n_train,), y_train (n_train, 1), x_test, y_test (seeded)."""
    g = torch.Generator().manual_seed(seed)
    x, y = polynomial_data(n_train + n_test, noise=noise, generator=g)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]
