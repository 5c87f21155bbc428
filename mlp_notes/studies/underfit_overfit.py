"""§4.4 Model selection, underfitting and overfitting: the main text.

The budget, the K-fold demo and the cubic, linear and 20-feature SGD
fits.  What exact least squares shows (the choice of degree by
cross-validation, exercises 1, 2 and 4, the normal-equations pitfall)
is in ``underfit_overfit_exact``; exercise 3 (the bases) in
``underfit_overfit_bases``.

Each function returns a :class:`~mlp_notes.claims.Finding`: the lines
the page prints, the data of its figure and the claims it asserts.
Comparisons of two settings over data sets are paired by seed on the
score -log10(MSE) (higher: a lower loss; differences are orders of
magnitude), see :func:`log_score_difference`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from mlp_notes.claims import Claim, Claims, Finding
from mlp_notes.data import POLY_TRUE_W
from mlp_notes.polynomial import least_squares, make_features, mse, split_data
from mlp_notes.runs.polynomial import fit_polynomial, run_generator
from mlp_notes.selection import k_fold_indices


@dataclass(frozen=True)
class Budget:
    """What §4.4 runs with (full: the book's epochs; quick: every path,
    small).

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        epochs: SGD epochs of the cubic, linear, degree-sweep and basis
            runs (D2L: 400).
        overfit_epochs: SGD epochs of the 20-feature runs (D2L: 1500).
        seeds: data sets (seed s: data set s, its run's generator 1000 + s).
    """

    decisive: bool
    epochs: int
    overfit_epochs: int
    seeds: tuple[int, ...]

    def __str__(self) -> str:
        return (
            f"polynomial budget: {self.epochs} epochs (cubic, linear), "
            f"{self.overfit_epochs} epochs (20 features), data sets "
            f"{list(self.seeds)}"
        )


BUDGETS = {
    "full": Budget(
        decisive=True, epochs=400, overfit_epochs=1500, seeds=(0, 1, 2, 3, 4)
    ),
    "quick": Budget(
        decisive=False, epochs=100, overfit_epochs=200, seeds=(0, 1)
    ),
}

#: The noise variance 0.1 ** 2: the lowest test MSE any model can expect.
NOISE_FLOOR = 0.01
#: The cubic's test MSE must end below this (1.5 x the noise floor).
FLOOR_LIMIT = 0.015
#: Largest allowed |learned - true| weight of a cubic fit.
W_TOL = 0.1
#: The linear fit is done (train MSE below this x the best line's) and far
#: above the noise floor (train and test MSE above FAR_ABOVE).
DONE_FACTOR, FAR_ABOVE = 1.01, 1.0
#: 20 features: high-order weights stay below HIGH_LIMIT (the init is
#: U(-1/sqrt(20), 1/sqrt(20)) = U(-0.224, 0.224)), some middle weight
#: moves above MOVED, the test MSE stays below TEST_LIMIT.
HIGH_LIMIT, MOVED, TEST_LIMIT = 0.25, 0.3, 0.2
#: ... and the high-order weights move less than STILL from their start.
STILL = 0.05
#: Some seed's test/train ratio is below NO_GAP; the largest ratio is
#: above SPREAD x the smallest.
NO_GAP, SPREAD = 1.1, 1.2


def k_fold_demo() -> Finding:
    """The folds of 10 examples into 3, and that they partition them."""
    g = torch.Generator().manual_seed(0)
    folds = k_fold_indices(10, 3, generator=g)
    lines = [
        f"validate on {va.tolist()}, train on {tr.tolist()}"
        for tr, va in folds
    ]
    validated = sorted(torch.cat([va for _, va in folds]).tolist())
    complements = all(
        sorted(tr.tolist() + va.tolist()) == list(range(10))
        for tr, va in folds
    )
    claims = Claims().add(
        "the validation folds hold each of the 10 examples exactly once, "
        "and each fold trains on all the others",
        validated == list(range(10)) and complements,
    )
    return Finding(lines, claims)


def _panel(run: dict, title: str) -> dict:
    """A figure panel: train and test MSE of a run after each epoch."""
    epochs = list(range(1, len(run["train_loss"]) + 1))
    ys = {"train": run["train_loss"][:, 0], "test": run["test_loss"][:, 0]}
    return dict(x=epochs, ys=ys, title=title, xlabel="epoch", ylabel="MSE")


def cubic_fit(budget: Budget) -> Finding:
    """The right model (4 features) by SGD on data set 0; the figure also
    shows the straight line (2 features)."""
    true_w = torch.tensor(POLY_TRUE_W)
    cubic = fit_polynomial(num_features=4, num_epochs=budget.epochs, seed=0)
    linear = fit_polynomial(num_features=2, num_epochs=budget.epochs, seed=0)
    w = cubic["w"][:, 0]
    train = cubic["train_loss"][-1, 0].item()
    test = cubic["test_loss"][-1, 0].item()
    gap = (w - true_w).abs().max().item()
    lines = [
        f"true weights:    {true_w.numpy().round(3)}",
        f"learned weights: {w.numpy().round(3)}",
        f"final train MSE {train:.4f}, test MSE {test:.4f} "
        f"(noise floor {NOISE_FLOOR:.4f})",
    ]
    claims = (
        Claims()
        .add(f"test MSE {test:.4f} below {FLOOR_LIMIT}", test < FLOOR_LIMIT)
        .add(
            f"every weight within {W_TOL} of the true one (largest gap "
            f"{gap:.3f})",
            gap < W_TOL,
        )
    )
    panels = {
        "cubic (4 features)": _panel(cubic, "cubic (4 features)"),
        "linear (2 features)": _panel(linear, "linear (2 features)"),
    }
    return Finding(lines, claims, {"panels": panels})


def linear_fit(budget: Budget) -> Finding:
    """The straight line (features 1 and x) on every data set, against
    the exact least-squares line."""
    true_w = torch.tensor(POLY_TRUE_W)
    first = fit_polynomial(num_features=2, num_epochs=budget.epochs, seed=0)
    lines = [
        f"true weights (first 2): {true_w[:2].numpy().round(3)}",
        f"learned weights:        {first['w'][:, 0].numpy().round(3)}",
    ]
    train, test, best = {}, {}, {}
    for s in budget.seeds:
        run = fit_polynomial(num_features=2, num_epochs=budget.epochs, seed=s)
        x_tr, y_tr, _, _ = split_data(s)
        F2 = make_features(x_tr, x_tr, 2)[0]
        best[s] = mse(F2, least_squares(F2, y_tr), y_tr).item()
        train[s] = run["train_loss"][-1, 0].item()
        test[s] = run["test_loss"][-1, 0].item()
        lines.append(
            f"seed {s}: train MSE {train[s]:7.3f}, test MSE {test[s]:7.3f}, "
            f"best line's train MSE {best[s]:7.3f}"
        )
    return Finding(lines, linear_claims(train, test, best, budget.decisive))


def linear_claims(
    train: dict, test: dict, best: dict, decisive: bool
) -> Claims:
    """The straight line is done and far off on every seed; whether its
    train or test MSE is the higher depends on the seed (where
    ``decisive``).  Args: {seed: final MSE}."""
    ratio = max(train[s] / best[s] for s in train)
    low = min(min(train.values()), min(test.values()))
    above = [s for s in train if train[s] > test[s]]
    below = [s for s in train if train[s] < test[s]]
    claims = (
        Claims()
        .add(
            f"train MSE below {DONE_FACTOR} x the best line's on every seed "
            f"(largest ratio {ratio:.4f})",
            ratio < DONE_FACTOR,
        )
        .add(
            f"train and test MSE above {FAR_ABOVE} on every seed (smallest "
            f"{low:.3f})",
            low > FAR_ABOVE,
        )
    )
    claims.append(
        Claim(
            f"train MSE above test MSE on seeds {above}, below it on "
            f"{below}: which is higher depends on the data set",
            bool(above and below),
            decisive,
        )
    )
    return claims


def overfit_20(budget: Budget) -> Finding:
    """All 20 features by SGD on every data set: the table, the weights
    and the train/test curves."""
    runs = {
        s: fit_polynomial(
            num_features=20, num_epochs=budget.overfit_epochs, seed=s
        )
        for s in budget.seeds
    }
    for s, run in runs.items():
        run["moved"] = (run["w"][:, 0] - initial_weights(20, s)).abs()
    lines = [
        "                                          i >= 10:",
        "seed  train MSE  test MSE  test/train   max |w_i|  max move",
    ]
    for s, run in runs.items():
        tr = run["train_loss"][-1, 0].item()
        te = run["test_loss"][-1, 0].item()
        high = run["w"][10:, 0].abs().max().item()
        lines.append(
            f"{s:4d}  {tr:9.4f}  {te:8.4f}  {te / tr:10.2f}   {high:9.3f}"
            f"  {run['moved'][10:].max().item():8.4f}"
        )
    lines.append(
        f"learned (seed 0, first 6): {runs[0]['w'][:6, 0].numpy().round(3)}"
    )
    x, ys, styles = {}, {}, {}
    for i, (s, run) in enumerate(runs.items()):
        for part, style in (("train", "-"), ("test", "--")):
            name = f"seed {s} {part}"
            ys[name] = run[f"{part}_loss"][:, 0]
            x[name] = list(range(1, len(ys[name]) + 1))
            styles[name] = f"C{i}{style}"
    data = dict(x=x, ys=ys, styles=styles)
    return Finding(lines, overfit_claims(runs), data)


def initial_weights(num_features: int, seed: int) -> torch.Tensor:
    """The weights ``fit_polynomial`` starts from on seed's data set (its
    generator's first draw, replayed as ``train_linear`` draws it)."""
    u = torch.rand(num_features, 1, generator=run_generator(seed))
    return ((2 * u - 1) * (1 / math.sqrt(num_features)))[:, 0]


def overfit_claims(runs: dict[int, dict]) -> Claims:
    """What the 20-feature table asserts ({seed: run, with "moved": each
    weight's distance from its start})."""
    final = {s: r["train_loss"][-1, 0].item() for s, r in runs.items()}
    test = {s: r["test_loss"][-1, 0].item() for s, r in runs.items()}
    high = max(r["w"][10:, 0].abs().max().item() for r in runs.values())
    middle = min(r["w"][4:10, 0].abs().max().item() for r in runs.values())
    still = max(r["moved"][10:].max().item() for r in runs.values())
    ratios = [test[s] / final[s] for s in runs]
    return (
        Claims()
        .add(
            f"on every seed max |w_i| for i >= 10 below {HIGH_LIMIT} "
            f"(largest {high:.3f})",
            high < HIGH_LIMIT,
        )
        .add(
            f"on every seed the weights i >= 10 move less than {STILL} from "
            f"their start (largest {still:.4f})",
            still < STILL,
        )
        .add(
            f"on every seed some |w_i| for i = 4..9 above {MOVED} "
            f"(smallest such maximum {middle:.3f})",
            middle > MOVED,
        )
        .add(
            f"on every seed test MSE below {TEST_LIMIT} (largest "
            f"{max(test.values()):.4f})",
            max(test.values()) < TEST_LIMIT,
        )
        .add(
            f"smallest test/train ratio {min(ratios):.2f} below {NO_GAP}, "
            f"largest {max(ratios):.2f} above {SPREAD} x the smallest",
            min(ratios) < NO_GAP and max(ratios) > SPREAD * min(ratios),
        )
    )
