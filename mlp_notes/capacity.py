"""§4.4's exact sweeps over model capacity and data size, and the claims
the page asserts about them.

Every fit here is exact least squares (``polynomial.least_squares``), so
the curves answer questions about the model class, not about one
optimizer's budget; each point is the median over data sets.  The SGD
runs of the page are in ``mlp_notes.runs.polynomial``.
"""

from __future__ import annotations

import statistics
from typing import NamedTuple

import torch

from mlp_notes.claims import Claims
from mlp_notes.polynomial import (
    BASES,
    least_squares,
    make_features,
    mse,
    split_data,
)
from mlp_notes.selection import cross_validate


class Curve(NamedTuple):
    """Median train and test MSE of exact fits, one entry per point of a
    sweep (``by_degree``: index = degree; ``by_size``: one per size)."""

    train: list[float]
    test: list[float]


# --8<-- [start:exact_curves]
def exact_point(
    num_features: int, n_train: int, data_seeds: range
) -> tuple[float, float]:
    """Median train and test MSE of exact fits with ``num_features``."""
    trs, tes = [], []
    for s in data_seeds:
        x_train, y_train, x_test, y_test = split_data(s, n_train=n_train)
        F_train, F_test = make_features(x_train, x_test, num_features)
        w = least_squares(F_train, y_train)
        trs.append(mse(F_train, w, y_train).item())
        tes.append(mse(F_test, w, y_test).item())
    return statistics.median(trs), statistics.median(tes)


def by_degree(n_train: int, data_seeds: range = range(10)) -> Curve:
    """Exact train/test MSE for 1..20 features (degree 0..19)."""
    points = [exact_point(k, n_train, data_seeds) for k in range(1, 21)]
    return Curve([p[0] for p in points], [p[1] for p in points])


def by_size(
    num_features: int, sizes: list[int], data_seeds: range = range(10)
) -> Curve:
    """Exact train/test MSE with ``num_features`` at each training size."""
    points = [exact_point(num_features, n, data_seeds) for n in sizes]
    return Curve([p[0] for p in points], [p[1] for p in points])


# --8<-- [end:exact_curves]


# --8<-- [start:cv_mse]
def cv_mse(F: torch.Tensor, y: torch.Tensor, folds: int = 5) -> float:
    """K-fold cross-validation MSE of the exact least-squares fit.

    Each fold is fitted on the other folds and scored on itself; the
    folds are drawn by a generator seeded 0, so every feature set is
    scored on the same folds.

    Args:
        F: features, shape (n, k); y: targets, shape (n, 1).
    """

    def score(train_idx: torch.Tensor, val_idx: torch.Tensor) -> float:
        w = least_squares(F[train_idx], y[train_idx])
        return mse(F[val_idx], w, y[val_idx]).item()

    g = torch.Generator().manual_seed(0)
    return cross_validate(score, len(y), folds, generator=g).mean().item()


# --8<-- [end:cv_mse]


def degree_claims(curves: dict[int, Curve], sgd_train: list[float]) -> Claims:
    """Exercise 2's claims about loss against degree (n = 100 and 10).

    Args:
        curves: {100: by_degree(100), 10: by_degree(10)}.
        sgd_train: SGD's final training MSE per degree (n = 100).
    """
    tr, te = curves[100].train, curves[100].test
    tr10, te10 = curves[10].train, curves[10].test
    c = Claims()
    c.add(
        f"n = 10: train at degree 9 {tr10[9]:.1e} below 1e-12, at degree "
        f"8 {tr10[8]:.1e} above it (degree 9 interpolates)",
        tr10[9] < 1e-12 < tr10[8],
    )
    c.add(
        f"n = 100: train at degree 3 {tr[3]:.4f} within 0.001 of "
        f"0.01 * 96 / 100; never rising after; at degree 19 {tr[19]:.4f} "
        "above 0.5 x degree 3's",
        abs(tr[3] - 0.01 * 96 / 100) < 0.001
        and all(b <= a + 1e-12 for a, b in zip(tr[3:], tr[4:]))
        and tr[19] > 0.5 * tr[3],
    )
    c.add(
        f"n = 100: test falls up to degree 3; degree 3 {te[3]:.4f} below "
        f"1.1 x the lowest {min(te):.4f}; degrees 3-8 below 1.2 x it; "
        f"degree 19 {te[19]:.2g} above 100 x it",
        te[0] > te[1] > te[2] > te[3]
        and te[3] < 1.1 * min(te)
        and max(te[3:9]) < 1.2 * te[3]
        and te[19] > 100 * te[3],
    )
    c.add(
        f"n = 10: test lowest at degree 3, peak among 0-9 at degree 9 "
        f"({te10[9]:.1e}), above 1e6 x degree 3's {te10[3]:.2g}",
        min(range(20), key=te10.__getitem__) == 3
        and te10[9] == max(te10[:10])
        and te10[9] > 1e6 * te10[3],
    )
    c.add(
        f"SGD train at degree 19 {sgd_train[19]:.4f} above its degree 3 "
        f"{sgd_train[3]:.4f} and the exact {tr[19]:.4f}",
        sgd_train[19] > max(sgd_train[3], tr[19]),
    )
    return c


def size_claims(
    sizes: list[int], curves: dict[int, Curve], target: float = 0.02
) -> Claims:
    """Exercise 2's claims about loss against the amount of data.

    Args:
        curves: {4: by_size(4, sizes), 11: by_size(11, sizes)}.
    """
    c = Claims()
    reach = {}
    for k, curve in curves.items():
        tr, te = curve.train, curve.test
        reach[k] = next((n for n, v in zip(sizes, te) if v < target), None)
        c.add(
            f"degree {k - 1}: train rises {tr[0]:.2g} -> {tr[-1]:.4f} "
            f"(below 0.0105), test falls {te[0]:.3g} -> {te[-1]:.4f}; "
            f"test first below {target} at n = {reach[k]}",
            tr[0] < tr[-1] < 0.0105 and te[-1] < te[0] and reach[k],
        )
    c.add(
        f"degree 3's test MSE at n = {sizes[-1]}: {curves[4].test[-1]:.4f}, "
        f"below {target}",
        curves[4].test[-1] < target,
    )
    # the grid brackets each threshold: degree 10's lies above the grid
    # point before its first hit, degree 3's at or below its first hit
    before = sizes[sizes.index(reach[11]) - 1] if reach[11] else None
    ratio = before / reach[4] if before and reach[4] else float("nan")
    c.add(
        f"degree 10 needs more than {before}/{reach[4]} = {ratio:.2f} x "
        f"degree 3's n, above 3 (first below the target at grid points "
        f"{reach[11]} and {reach[4]})",
        ratio > 3,
    )
    return c


# --8<-- [start:basis_scales]
def basis_scales(x_train: torch.Tensor, x_test: torch.Tensor) -> dict:
    """Per basis: column stds, the Hessian's largest eigenvalue, cond(F).

    The loss's Hessian is 2 F^T F / n; a step above 2 / lambda_max
    diverges, and cond(F) says how much slower the slowest direction is.
    """
    scales = {}
    for basis in BASES:
        F, _ = make_features(x_train, x_test, 20, basis)
        scales[basis] = {
            "std": F.std(0).tolist(),
            "lambda_max": torch.linalg.eigvalsh(2 * F.T @ F / len(F))[
                -1
            ].item(),
            "cond": torch.linalg.cond(F).item(),
            "curvature": torch.diag(2 * F.T @ F / len(F))[:4].tolist(),
        }
    return scales


# --8<-- [end:basis_scales]


# --8<-- [start:top_curvature]
def top_curvature(F: torch.Tensor) -> torch.Tensor:
    """Largest eigenvalue of the MSE's Hessian 2 F^T F / n (float64).

    A gradient step of size lr on this loss grows the error along the
    top eigenvector when lr > 2 / eigenvalue.  Batched: pass the
    features of many minibatches at once.

    Args:
        F: features, shape (..., n, k), e.g. ``F[batches]`` for index
            rows ``batches`` of shape (num_batches, batch_size).

    Returns:
        Shape (...): one eigenvalue per leading index.
    """
    F = F.double()
    return torch.linalg.eigvalsh(2 * F.mT @ F / F.shape[-2])[..., -1]


# --8<-- [end:top_curvature]


def scale_claims(scales: dict) -> Claims:
    """Exercise 3's claims about the raw and rescaled bases."""
    fac, raw, stdz = scales["factorial"], scales["raw"], scales["standardized"]
    curv = raw["curvature"]
    return (
        Claims()
        .add(
            f"factorial: std of x^19 {fac['std'][19]:.1e} in (1e-10, 1e-08), "
            f"cond(F) {fac['cond']:.1e} in (1e15, 1e17)",
            1e-10 < fac["std"][19] < 1e-8 and 1e15 < fac["cond"] < 1e17,
        )
        .add(
            f"lambda_max {raw['lambda_max']:.1e} in (1e16, 1e18) raw, "
            f"{stdz['lambda_max']:.1f} in (15, 60) standardized",
            1e16 < raw["lambda_max"] < 1e18 and 15 < stdz["lambda_max"] < 60,
        )
        .add(
            "raw: Hessian diagonal for x^0..x^3 "
            f"{[round(v, 2) for v in curv]} between 1 and 100",
            1 <= min(curv) and max(curv) <= 100,
        )
    )
