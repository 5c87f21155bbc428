"""§4.4 by exact least squares: the choice of degree by
cross-validation, exercises 1, 2 and 4 (the exact solution, loss against
degree and against the amount of data, why the generalization error is
not zero) and the normal-equations pitfall.  Exercise 3 (the bases) is
in ``underfit_overfit_bases``.

Each function returns a :class:`~mlp_notes.claims.Finding`.
"""

from __future__ import annotations

import torch

from mlp_notes import capacity
from mlp_notes.capacity import cv_mse
from mlp_notes.claims import Claims, Finding
from mlp_notes.data import POLY_TRUE_W, polynomial_data
from mlp_notes.polynomial import (
    exact_least_squares,
    least_squares,
    make_features,
    mse,
    split_data,
)
from mlp_notes.runs.polynomial import fit_polynomial
from mlp_notes.studies.paired import compare_lines, log_score_difference
from mlp_notes.studies.underfit_overfit import NOISE_FLOOR, W_TOL, Budget

#: Exercise 1: the exact 20-feature test MSE is above WORSE x SGD's and
#: the exact cubic's on every seed.
WORSE = 10
#: Exercise 2: degrees printed, and training sizes of the data sweep.
SHOWN_DEGREES = (1, 2, 3, 4, 8, 9, 10, 19)
SIZES = (6, 8, 12, 16, 25, 40, 60, 100)
#: Exercise 2: the test MSE a model "reaches" when it drops below it.
TARGET = 0.02
#: Exercise 4: the noisy oracle's MSE lies in ORACLE_BAND; the noise-free
#: exact fit's below EXACT_ZERO (float64 rounding).
ORACLE_BAND, EXACT_ZERO = (0.0098, 0.0102), 1e-20


def exact_solution(budget: Budget) -> Finding:
    """Exercise 1: exact least squares against SGD, cubic (data set 0)
    and 20 features (every data set)."""
    true_w = torch.tensor(POLY_TRUE_W)
    x_tr, y_tr, x_te, _ = split_data(0)
    F_tr = make_features(x_tr, x_te, 4)[0]
    cubic = fit_polynomial(num_features=4, num_epochs=budget.epochs, seed=0)
    w_exact = least_squares(F_tr, y_tr)[:, 0]
    w_sgd = cubic["w"][:, 0]
    lines = [
        "cubic model",
        f"  true:  {true_w.numpy().round(3)}",
        f"  exact: {w_exact.numpy().round(3)}",
        f"  SGD:   {w_sgd.numpy().round(3)}",
    ]
    exact_train = mse(F_tr, w_exact.unsqueeze(1), y_tr).item()
    sgd_train = cubic["train_loss"][-1, 0].item()
    to_true = (w_exact - true_w).abs().max().item()
    to_exact = (w_sgd - w_exact).abs().max().item()
    claims = Claims().add(
        f"exact within {W_TOL} of true ({to_true:.3f}), SGD within {W_TOL} "
        f"of exact ({to_exact:.3f}); exact train MSE {exact_train:.5f} "
        f"not above SGD's {sgd_train:.5f} (+ 1e-6)",
        to_true < W_TOL and to_exact < W_TOL
        and exact_train <= sgd_train + 1e-6,
    )  # fmt: skip
    lines.append("20 features, exact solution vs SGD (MSE)")
    lines.append(
        "seed  exact train        exact test  SGD test  exact cubic test"
    )
    rows = {}
    for s in budget.seeds:
        xa, ya, xb, yb = split_data(s)  # train, test
        Fa, Fb = make_features(xa, xb, 20)
        w20, w4 = least_squares(Fa, ya), least_squares(Fa[:, :4], ya)
        sgd = fit_polynomial(
            num_features=20, num_epochs=budget.overfit_epochs, seed=s
        )
        rows[s] = {
            "exact train": mse(Fa, w20, ya).item(),
            "exact test": mse(Fb, w20, yb).item(),
            "SGD train": sgd["train_loss"][-1, 0].item(),
            "SGD test": sgd["test_loss"][-1, 0].item(),
            "exact cubic test": mse(Fb[:, :4], w4, yb).item(),
        }
        r = rows[s]
        lines.append(
            f"{s:4d}  {r['exact train']:11.4f}  {r['exact test']:16.1f}  "
            f"{r['SGD test']:8.4f}  {r['exact cubic test']:16.4f}"
        )
    claims.extend(exact_claims(rows))
    return Finding(lines, claims)


def exact_claims(rows: dict[int, dict[str, float]]) -> Claims:
    """The exact 20-feature fit trains lower than SGD and tests worse
    than SGD and the exact cubic by WORSE x, on every seed."""
    fits = all(
        r["exact train"] <= r["SGD train"] + 1e-6 for r in rows.values()
    )
    vs_cubic = min(
        r["exact test"] / r["exact cubic test"] for r in rows.values()
    )
    vs_sgd = min(r["exact test"] / r["SGD test"] for r in rows.values())
    return (
        Claims()
        .add(
            "on every seed the exact train MSE is not above SGD's (+ 1e-6)",
            fits,
        )
        .add(
            f"on every seed the exact test MSE is over {WORSE} x the exact "
            f"cubic's (smallest ratio {vs_cubic:.3g}) and over {WORSE} x "
            f"SGD's (smallest ratio {vs_sgd:.3g})",
            vs_cubic > WORSE and vs_sgd > WORSE,
        )
    )


def loss_by_degree(budget: Budget) -> Finding:
    """Exercise 2: exact train/test MSE against degree (medians of 10
    data sets, n = 100 and 10) and SGD's for every degree at once; SGD's
    degree 3 against degree 19 paired over the data sets."""
    curves = {n: capacity.by_degree(n) for n in (100, 10)}
    sgd = {
        s: fit_polynomial(
            num_features=20, num_epochs=budget.epochs, seed=s, all_degrees=True
        )
        for s in budget.seeds
    }
    lines = []
    for n_train, curve in curves.items():
        lines.append(
            f"n = {n_train} training points (exact fit, median of 10 data "
            "sets)"
        )
        lines += [
            f"  degree {k:2d}: train {curve.train[k]:.2e}  test "
            f"{curve.test[k]:.2e}"
            for k in SHOWN_DEGREES
        ]
    sgd_train = sgd[0]["train_loss"][-1].tolist()  # one per degree
    claims = capacity.degree_claims(curves, sgd_train)
    final = {
        k: {s: r["train_loss"][-1, k].item() for s, r in sgd.items()}
        for k in (3, 19)
    }
    more, more_claims = degree_comparison(final, budget.decisive)
    lines += more
    claims.extend(more_claims)
    exact = {
        "train (exact)": curves[100].train,
        "test (exact)": curves[100].test,
    }
    sgd_ys = {
        "train (SGD)": sgd_train,
        "test (SGD)": sgd[0]["test_loss"][-1].tolist(),
    }
    ten = {
        "train (exact)": [max(v, 1e-30) for v in curves[10].train],
        "test (exact)": curves[10].test,
    }
    panel = dict(x=list(range(20)), xlabel="degree", ylabel="MSE", logy=True)
    panels = {
        "100 training points": panel | dict(ys=exact | sgd_ys),
        "10 training points": panel | dict(ys=ten),
    }
    return Finding(lines, claims, {"panels": panels, "floor": NOISE_FLOOR})


def degree_comparison(
    final: dict[int, dict[int, float]], decisive: bool
) -> tuple[list[str], Claims]:
    """SGD's final training MSE at degree 3 against degree 19 ({degree:
    {seed: MSE}}), paired by seed: degree 3 ends lower (enforced where
    ``decisive``)."""
    d, seeds = log_score_difference(final[3], final[19])
    lines = ["SGD, paired by data set, score -log10(final train MSE):"]
    a, b = "degree 3 (SGD)", "degree 19 (SGD)"
    lines += compare_lines(d, a, b, "train", seeds)
    return lines, Claims().compare(d, a, b, ">", enforce=decisive)


def loss_by_size() -> Finding:
    """Exercise 2: exact train/test MSE against the training size for
    degree 3 and degree 10 (medians of 10 data sets)."""
    sizes = list(SIZES)
    by_size = {k: capacity.by_size(k, sizes) for k in (4, 11)}
    lines = ["training examples   test MSE, degree 3   degree 10"] + [
        f"{n:17d}   {by_size[4].test[i]:17.3g}   {by_size[11].test[i]:9.3g}"
        for i, n in enumerate(sizes)
    ]
    claims = capacity.size_claims(sizes, by_size, target=TARGET)
    ys = {}
    for k, curve in by_size.items():
        ys[f"degree {k - 1} train"] = curve.train
        ys[f"degree {k - 1} test"] = curve.test
    data = dict(x=sizes, ys=ys, xlabel="training examples", ylabel="MSE")
    return Finding(lines, claims, data)


def zero_error() -> Finding:
    """Exercise 4: the true function on 200,000 fresh noisy points, and
    the exact cubic fit of noise-free data."""
    g = torch.Generator().manual_seed(123)
    x_big, y_big = polynomial_data(200_000, generator=g)
    F_big = make_features(x_big, x_big, 4)[0]
    true_w = torch.tensor(POLY_TRUE_W).double().unsqueeze(1)
    oracle = mse(F_big, true_w, y_big).item()
    x_cl, y_cl = polynomial_data(100, noise=0.0, generator=g)
    x_cl2, y_cl2 = polynomial_data(200_000, noise=0.0, generator=g)
    w_clean = least_squares(make_features(x_cl, x_cl, 4)[0], y_cl)
    clean = mse(make_features(x_cl2, x_cl2, 4)[0], w_clean, y_cl2).item()
    lines = [
        f"true function on noisy data: MSE {oracle:.5f} (sigma^2 = 0.01)",
        f"noise-free data, exact cubic fit: test MSE {clean:.1e}",
    ]
    low, high = ORACLE_BAND
    claims = Claims().add(
        f"the true function's MSE {oracle:.5f} lies in ({low}, {high}); "
        f"the noise-free fit's {clean:.1e} is below {EXACT_ZERO:g}",
        low < oracle < high and clean < EXACT_ZERO,
    )
    return Finding(lines, claims)


def cv_degree() -> Finding:
    """The number of features chosen by 5-fold cross-validation of exact
    fits on the 100 training examples of data set 0; then its test MSE."""
    x_tr, y_tr, x_te, y_te = split_data(0)
    F_tr, F_te = make_features(x_tr, x_te, 20)
    cv = {k: cv_mse(F_tr[:, :k], y_tr, folds=5) for k in range(1, 11)}
    best = min(cv, key=cv.get)
    w_best = least_squares(F_tr[:, :best], y_tr)
    test_mse = mse(F_te[:, :best], w_best, y_te).item()
    lines = ["features  5-fold CV MSE"] + [
        f"{k:8d}  {v:12.4f}" + ("  <- chosen" if k == best else "")
        for k, v in cv.items()
    ]
    lines.append(f"test MSE of the chosen model: {test_mse:.4f}")
    claims = Claims().add(
        f"the chosen number of features, {best}, is between 4 and 6",
        4 <= best <= 6,
    )
    return Finding(lines, claims)


def normal_equations() -> Finding:
    """Relative error of the 20-feature least-squares weights (data set
    0) against the exact rational solution: ``least_squares`` against
    solving the normal equations in float64."""
    x_tr, y_tr, x_te, _ = split_data(0)
    F_tr = make_features(x_tr, x_te, 20)[0]
    w_exact = exact_least_squares(F_tr, y_tr)
    w_ne = torch.linalg.solve(F_tr.T @ F_tr, F_tr.T @ y_tr)
    rel = {
        name: ((w - w_exact).norm() / w_exact.norm()).item()
        for name, w in (
            ("least_squares", least_squares(F_tr, y_tr)),
            ("normal equations", w_ne),
        )
    }
    lines = [
        f"{name:16s} relative error of w: {e:.1e}" for name, e in rel.items()
    ]
    claims = Claims().add(
        f"the normal equations' error {rel['normal equations']:.1e} is "
        f"above 1000 x least_squares' {rel['least_squares']:.1e}",
        rel["normal equations"] > 1000 * rel["least_squares"],
    )
    return Finding(lines, claims)
