"""§4.1 Multilayer perceptrons: what hidden layers express, and the
checks of exercises 2 and 4.  The activation functions' checks are in
``mlp_notes.studies.mlp_activations``.

Each function returns a :class:`~mlp_notes.claims.Finding`: the lines
the page prints, the data of its figure and the claims it asserts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from mlp_notes import activations, stats
from mlp_notes.claims import Claim, Claims, Finding
from mlp_notes.expressivity import (
    batch_standardize,
    collapse_affine,
    fit_1d,
    kink_intervals,
    one_hidden_layer,
    polynomial_residual,
    random_relu_net,
    relu_net_forward,
)
from mlp_notes.gradcheck import second_differences


@dataclass(frozen=True)
class Budget:
    """What §4.1 runs with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        fit_steps: Adam steps of each 1-D fit.
        fit_seeds: seeds of the width comparison; every width is fitted
            once per seed, the first seed's fits are drawn.
    """

    decisive: bool
    fit_steps: int
    fit_seeds: tuple[int, ...]


BUDGETS = {
    "full": Budget(decisive=True, fit_steps=3000, fit_seeds=(0, 1, 2)),
    "quick": Budget(decisive=False, fit_steps=400, fit_seeds=(0, 1)),
}

#: Differences below this are float64 rounding.
ROUNDING = 1e-12
#: Hidden widths of the 1-D fits.
FIT_WIDTHS = (2, 8, 64)
#: The titles of exercise 2's panels.
NET_TITLE = "a random 1-16-16-1 network"
KINKS_TITLE = "zero except at the kinks"


def collapse() -> Finding:
    """Two affine layers without a nonlinearity against their collapsed
    single layer, on random float64 data."""
    g = torch.Generator().manual_seed(0)
    n, d, h, q = 5, 4, 3, 2
    kw = dict(generator=g, dtype=torch.float64)
    X, W1 = torch.randn(n, d, **kw), torch.randn(d, h, **kw)
    b1, W2 = torch.randn(h, **kw), torch.randn(h, q, **kw)
    b2 = torch.randn(q, **kw)
    W, b = collapse_affine(W1, b1, W2, b2)
    two_layers = (X @ W1 + b1) @ W2 + b2  # (n, q)
    err = (two_layers - (X @ W + b)).abs().max().item()
    claims = Claims().add(
        f"the two forms agree to {err:.1e}, below {ROUNDING:g}",
        err < ROUNDING,
    )
    return Finding([f"max |two layers - one layer| = {err:.1e}"], claims)


def squared(t: torch.Tensor) -> torch.Tensor:
    """t**2: a polynomial activation."""
    return t**2


def polynomial_activations() -> Finding:
    """Random 256-unit networks of x in [-1, 1] against the best quadratic
    through them: reproduced to rounding for t**2 only."""
    x = torch.linspace(-1, 1, 201, dtype=torch.float64)
    acts = {"t**2": squared, "relu": torch.relu, "tanh": torch.tanh}
    gap = {}
    for name, f in acts.items():
        g = torch.Generator().manual_seed(0)
        y = one_hidden_layer(f, x, 256, generator=g)  # (201,)
        gap[name] = polynomial_residual(y, x, degree=2)
    lines = [
        f"{name:5s}: max |network - best quadratic| = {v:.1e}"
        for name, v in gap.items()
    ]
    bound = 1e-10
    claims = Claims().add(
        f"t**2 is a quadratic to {gap['t**2']:.1e} (below {bound:g}); relu "
        f"and tanh are not ({gap['relu']:.1e}, {gap['tanh']:.1e})",
        gap["t**2"] < bound < min(gap["relu"], gap["tanh"]),
    )
    return Finding(lines, claims)


def target(x: torch.Tensor) -> torch.Tensor:
    """The wiggly 1-D function the widths are fitted to."""
    return torch.sin(2 * x) + 0.3 * x**2


def width_fits(budget: Budget) -> Finding:
    """One-hidden-layer ReLU networks of each of ``FIT_WIDTHS`` fitted by
    Adam (``fit_1d``), once per seed; the first seed's fits are drawn.

    A fit's generator is seeded with ``width + 1000 * seed``.
    """
    grid = torch.linspace(-3, 3, 512).unsqueeze(1)  # (512, 1)
    curves = {"target": target(grid).squeeze(1)}
    mse = {width: [] for width in FIT_WIDTHS}
    for seed in budget.fit_seeds:
        for width in FIT_WIDTHS:
            g = torch.Generator().manual_seed(width + 1000 * seed)
            net, losses = fit_1d(
                target, width, steps=budget.fit_steps, generator=g
            )
            mse[width].append(losses[-1])
            if seed == budget.fit_seeds[0]:
                fitted = net(grid).detach().squeeze(1)
                curves[f"{width} hidden units"] = fitted
    finding = width_comparison(mse, budget.fit_seeds, budget.decisive)
    finding.data = {"x": grid.squeeze(1), "curves": curves}
    return finding


def width_comparison(
    mse: dict[int, list[float]], seeds: tuple[int, ...], enforce: bool
) -> Finding:
    """Final training MSE by width (one value per seed) and the claim that
    the widest fit ends lower than the narrowest: at every seed, and by a
    paired interval of log10 MSE (the errors span orders of magnitude, so
    their ratio, not their difference, is what varies little from seed to
    seed), enforced where ``enforce``."""
    lines = [
        f"{'final training MSE, seed':24s}"
        + "".join(f"{s:>8d}" for s in seeds)
    ]
    lines += [
        f"{width:3d} hidden units"
        + " " * 9
        + "".join(f"{v:8.4f}" for v in values)
        for width, values in mse.items()
    ]
    wide, narrow = max(mse), min(mse)
    log = {w: [math.log10(v) for v in values] for w, values in mse.items()}
    d = stats.paired(log[wide], log[narrow])
    lines.append(f"log10 MSE({wide} units) - log10 MSE({narrow} units):")
    lines.append(f"  {d}")
    every = all(a < b for a, b in zip(mse[wide], mse[narrow], strict=True))
    claims = Claims().add(
        f"{wide} units end below {narrow} units at each of the "
        f"{len(seeds)} seeds",
        every,
    )
    claims.append(
        Claim(
            f"{wide} units end lower than {narrow} units: the interval of "
            "the log10 difference lies below 0",
            d.high < 0,
            enforce,
        )
    )
    return Finding(lines, claims)


def cpwl() -> Finding:
    """Exercise 2: a random 1-16-16-1 ReLU (then pReLU) network on a fine
    grid of [-4, 4]; its second differences vanish away from the grid
    intervals where some hidden unit switches sign."""
    g = torch.Generator().manual_seed(2)
    layers = random_relu_net((1, 16, 16, 1), generator=g)
    xg = torch.linspace(-4, 4, 20_001, dtype=torch.float64).unsqueeze(1)
    x = xg.squeeze(1)
    output, second = {}, {}
    finding = Finding()
    for name, alpha in (("ReLU net", 0.0), ("pReLU net", 0.2)):
        y, pre = relu_net_forward(layers, xg, alpha=alpha)
        d2 = second_differences(y.squeeze(1))  # (20_001 - 2,)
        kinks = kink_intervals(pre)  # (20_000,)
        bent = d2.abs() > 1e-10
        near_kink = kinks[:-1] | kinks[1:]
        away = int((bent & ~near_kink).sum())
        output[name], second[name] = y.squeeze(1), d2
        finding.lines += [
            f"alpha={alpha}: {int(kinks.sum())} kink intervals, "
            f"{int(bent.sum())} grid points with non-zero 2nd difference,",
            f"  {away} of them away from a kink; largest |2nd diff| away "
            f"from kinks: {d2[~near_kink].abs().max().item():.1e}",
        ]
        finding.claims.add(
            f"alpha={alpha}: no bend away from a kink ({away}), and between "
            f"1 and 99 kink intervals ({int(kinks.sum())})",
            away == 0 and 0 < int(kinks.sum()) < 100,
        )
    top = dict(xlabel="x", ylabel="output", title=NET_TITLE)
    bottom = dict(xlabel="x", ylabel="second difference", title=KINKS_TITLE)
    finding.data["panels"] = [(x, output, top), (x[1:-1], second, bottom)]
    return finding


def batch_nonlinearity() -> Finding:
    """Exercise 4: a nonlinearity over the whole minibatch
    (``batch_standardize``) makes an example's output depend on its
    batch-mates; the elementwise ReLU does not."""
    g = torch.Generator().manual_seed(3)
    H = torch.randn(8, 4, generator=g, dtype=torch.float64)
    mates = torch.randn(7, 4, generator=g, dtype=torch.float64)
    first_row = batch_standardize(H)[0]
    new_mates = batch_standardize(torch.cat([H[:1], mates]))[0]
    alone = batch_standardize(H[:1])[0]
    shift = (first_row - new_mates).abs().max().item()
    lines = [
        f"example 0 with its batch:         {first_row.numpy().round(3)}",
        f"example 0 with other batch-mates: {new_mates.numpy().round(3)}",
        f"example 0 alone (batch of one):   {alone.numpy().round(3)}",
        f"max change caused by the batch-mates: {shift:.3f}",
    ]
    relu_alone = torch.equal(
        activations.relu(H)[0], activations.relu(H[:1])[0]
    )
    claims = (
        Claims()
        .add(
            f"the batch-mates move example 0 by {shift:.3f} > 0.1", shift > 0.1
        )
        .add(
            "alone, every unit of example 0 is 0",
            alone.abs().max().item() == 0.0,
        )
        .add("the elementwise ReLU ignores the batch-mates", relu_alone)
    )
    return Finding(lines, claims)
