"""§4.5 Weight decay: the main text.

The budget, the update rule against autograd, and the scratch and
concise runs.  The lambda sweep (exercises 1 and 2) is in
``weight_decay_lambda``; exercises 3-6 and the pitfalls in
``weight_decay_exercises``.

Each function returns a :class:`~mlp_notes.claims.Finding`; results are
looked up by lambda, never by position.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from mlp_notes.claims import Claims, Finding
from mlp_notes.weight_decay import (
    highdim_data,
    sgd_weight_decay_step,
    train_concise,
    train_scratch,
)


@dataclass(frozen=True)
class Budget:
    """What §4.5 runs with (full: the book's 100 epochs; quick: every
    path, small).

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        epochs: epochs of every run (D2L: 100).
        seeds: data sets of the lambda sweep and of the per-seed checks.
    """

    decisive: bool
    epochs: int
    seeds: tuple[int, ...]

    def __str__(self) -> str:
        return (
            f"weight-decay budget: {self.epochs} epochs per run, seeds "
            f"{list(self.seeds)}"
        )


BUDGETS = {
    "full": Budget(decisive=True, epochs=100, seeds=(0, 1, 2)),
    "quick": Budget(decisive=False, epochs=50, seeds=(0,)),
}

#: The main text's two settings: no penalty and lambda 3.
PAIR = (0.0, 3.0)
#: One manual step agrees with autograd's to this (float64).
STEP_TOL = 1e-12
#: lambda 3's final test loss below TEST_CUT x lambda 0's.  lambda 0,
#: final vs first epoch: train loss below COLLAPSE x, test loss above
#: STAYS x, ||w|| above KEPT x; lambda 3's final ||w|| below SHRUNK x
#: lambda 0's.
TEST_CUT, COLLAPSE, STAYS, KEPT, SHRUNK = 0.1, 1e-3, 0.5, 0.8, 0.5
#: Scratch and concise (1/2 MSELoss) agree to SAME; the book's concise
#: version is off by more than APART x that gap.
SAME, APART = 1e-4, 10


def manual_step() -> Finding:
    """One hand-written weight-decay step against one autograd step on
    the penalized loss (float64, random data and parameters)."""
    g = torch.Generator().manual_seed(0)
    kw = dict(generator=g, dtype=torch.float64)
    X, y = torch.randn(5, 200, **kw), torch.randn(5, 1, **kw)
    w = torch.randn(200, 1, **kw).requires_grad_()
    b = torch.randn(1, **kw).requires_grad_()
    lr, lambd = 0.003, 3.0
    w_manual, b_manual = sgd_weight_decay_step(
        w.detach(), b.detach(), X, y, lr=lr, lambd=lambd
    )
    loss = ((X @ w + b - y) ** 2 / 2).mean() + lambd / 2 * (w**2).sum()
    loss.backward()
    err = max(
        (w_manual - (w - lr * w.grad)).abs().max().item(),
        (b_manual - (b - lr * b.grad)).abs().max().item(),
    )
    claims = Claims().add(
        f"manual and autograd steps agree to {err:.1e}, below {STEP_TOL:.0e}",
        err < STEP_TOL,
    )
    return Finding(
        [f"max |manual - autograd| after one step: {err:.1e}"], claims
    )


def scratch(budget: Budget) -> Finding:
    """The book's scratch run on data set 0 without and with lambda 3:
    final losses and norms, the claims, the curves."""
    run = train_scratch(
        highdim_data(seed=0), list(PAIR), num_epochs=budget.epochs
    )
    col = {lam: j for j, lam in enumerate(PAIR)}
    lines = [
        f"lambda = {lam}: train {run['train_loss'][-1, j]:.2e}, test "
        f"{run['test_loss'][-1, j]:.3f}, ||w|| = {run['norm'][-1, j]:.3f}"
        for lam, j in col.items()
    ]
    panels = {
        f"lambda = {lam:g}": dict(
            x=list(range(1, budget.epochs + 1)),
            ys={
                "train": run["train_loss"][:, j],
                "test": run["test_loss"][:, j],
            },
            title=f"lambda = {lam:g}",
            xlabel="epoch",
            ylabel="loss (1/2 MSE)",
            logy=True,
        )
        for lam, j in col.items()
    }
    curves = {
        key: {lam: run[key][:, j] for lam, j in col.items()}
        for key in ("train_loss", "test_loss", "norm")
    }
    return Finding(lines, scratch_claims(curves), {"panels": panels})


def scratch_claims(curves: dict[str, dict[float, torch.Tensor]]) -> Claims:
    """The main text's claims; ``curves``: {"train_loss" | "test_loss" |
    "norm": {lambda: values after each epoch}} for lambda 0 and 3."""
    train, test, norm = (
        {lam: c.tolist() for lam, c in curves[key].items()}
        for key in ("train_loss", "test_loss", "norm")
    )
    return (
        Claims()
        .add(
            f"lambda 3's test loss {test[3.0][-1]:.3f} below {TEST_CUT} x "
            f"lambda 0's {test[0.0][-1]:.3f}",
            test[3.0][-1] < TEST_CUT * test[0.0][-1],
        )
        .add(
            f"lambda 0, final vs first epoch: train {train[0.0][-1]:.2e} "
            f"below {COLLAPSE} x {train[0.0][0]:.2e}; test "
            f"{test[0.0][-1]:.3f} above {STAYS} x {test[0.0][0]:.3f}; "
            f"||w|| {norm[0.0][-1]:.3f} above {KEPT} x {norm[0.0][0]:.3f}",
            train[0.0][-1] < COLLAPSE * train[0.0][0]
            and test[0.0][-1] > STAYS * test[0.0][0]
            and norm[0.0][-1] > KEPT * norm[0.0][0],
        )
        .add(
            f"lambda 3's final ||w|| {norm[3.0][-1]:.3f} below {SHRUNK} x "
            f"lambda 0's",
            norm[3.0][-1] < SHRUNK * norm[0.0][-1],
        )
    )


def concise(budget: Budget) -> Finding:
    """The concise version (1/2 MSELoss, and the book's MSELoss) against
    the scratch loop with lambda 3 on data set 0."""
    data = highdim_data(seed=0)
    ref = train_scratch(data, list(PAIR), num_epochs=budget.epochs)
    j = PAIR.index(3.0)
    same = train_concise(data, 3.0, num_epochs=budget.epochs)
    book = train_concise(data, 3.0, num_epochs=budget.epochs, half=False)
    gap = (same["test_loss"][:, 0] - ref["test_loss"][:, j]).abs().max()
    wgap = (same["w"][:, 0] - ref["w"][:, j]).abs().max()
    bgap = (book["test_loss"][:, 0] - ref["test_loss"][:, j]).abs().max()
    lines = [
        f"scratch vs concise (1/2 MSELoss): max test-curve gap {gap:.1e},",
        f"  max weight gap {wgap:.1e}",
        f"scratch vs the book's concise (MSELoss): max test-curve gap "
        f"{bgap:.1e}",
    ]
    claims = Claims().add(
        f"1/2 MSELoss: both gaps below {SAME:g}; the book's gap above "
        f"{APART} x the test-curve gap",
        gap < SAME and wgap < SAME and bgap > APART * gap,
    )
    return Finding(lines, claims)
