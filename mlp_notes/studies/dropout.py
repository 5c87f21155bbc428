"""§4.6 Dropout: inverted dropout's moments, D2L's network, and the long
runs the exercises read.

Every exercise compares settings trained with the same seeds (the same
initial weights, minibatches and, where both have dropout, masks), seed
by seed, each run scored by its mean validation accuracy over its last
three epochs (``History.late_val_acc``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from mlp_notes.claims import Claims, Finding
from mlp_notes.regularization import dropout_layer
from mlp_notes.runs.dropout import (
    DROPOUT_CONCISE_NET,
    DROPOUT_NET,
    DROPOUT_RECIPE,
    EXERCISE_RECIPE,
    train_dropout,
)


@dataclass(frozen=True)
class Budget:
    """What §4.6 runs with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        epochs: epochs of the chapter runs and the exercises (D2L: 10);
            the long runs of exercise 2 train twice as many.
        subset: training images (None: the whole training split).
        seeds: seeds of every exercise's settings (the same for each).
        floor: validation accuracy the chapter runs must pass.
    """

    decisive: bool
    epochs: int
    subset: int | None
    seeds: tuple[int, ...]
    floor: float

    @property
    def long_epochs(self) -> int:
        return 2 * self.epochs

    def exercise_run(self, **changes) -> dict:
        """``train_dropout``'s recipe and images for the exercises."""
        changes = {"num_epochs": self.epochs} | changes
        recipe = EXERCISE_RECIPE.replace(**changes)
        return {"recipe": recipe, "subset": self.subset}


BUDGETS = {
    "full": Budget(
        decisive=True,
        epochs=10,
        subset=None,
        seeds=(0, 1, 2, 3, 4),
        floor=0.75,
    ),
    "quick": Budget(
        decisive=False, epochs=2, subset=2_000, seeds=(0, 1), floor=0.15
    ),
}
#: The book's rates: 0.2 after the first hidden layer, 0.5 after the second.
BOOK = (0.2, 0.5)
NONE = (0.0, 0.0)


def describe(budget: Budget) -> str:
    """The exercises' budget in one line."""
    images = budget.subset or 50_000
    return (
        f"exercises: {images} training images, lr {EXERCISE_RECIPE.lr}, "
        f"{budget.epochs} epochs ({budget.long_epochs} for long runs), "
        f"seeds {list(budget.seeds)}"
    )


#: Monte Carlo draws per rate, and the tolerance on the variance (1%).
DRAWS, VARIANCE_RTOL = 1_000_000, 0.01


def moments(h: float = 1.5, generator=None) -> Finding:
    """Inverted dropout's mean and variance by Monte Carlo: mean h,
    variance h^2 p/(1-p), for p in 0.2, 0.5, 0.8."""
    g = generator or torch.Generator().manual_seed(0)
    lines, claims = [], Claims()
    for p in (0.2, 0.5, 0.8):
        full = torch.full((DRAWS,), h, dtype=torch.float64)
        hp = dropout_layer(full, p, generator=g)
        var_theory = h**2 * p / (1 - p)
        se = (var_theory / DRAWS) ** 0.5
        mean, var = hp.mean().item(), hp.var().item()
        lines.append(
            f"p = {p}: mean {mean:.4f} (h = {h}, s.e. {se:.4f}), variance "
            f"{var:.4f} (h^2 p/(1-p) = {var_theory:.4f})"
        )
        claims.add(
            f"p = {p}: |mean - h| = {abs(mean - h):.4f} < 5 s.e.",
            abs(mean - h) < 5 * se,
        )
        claims.add(
            f"p = {p}: variance within {VARIANCE_RTOL:.0%} of h^2 p/(1-p)",
            abs(var / var_theory - 1) < VARIANCE_RTOL,
        )
    return Finding(lines, claims)


def chapter(budget: Budget) -> Finding:
    """D2L's network trained the book's way, scratch and concise."""
    lines, claims, histories = [], Claims(), {}
    for model, net in (
        ("scratch", DROPOUT_NET),
        ("concise", DROPOUT_CONCISE_NET),
    ):
        recipe = DROPOUT_RECIPE.replace(num_epochs=budget.epochs)
        h = train_dropout(net=net, subset=budget.subset, recipe=recipe)[
            "history"
        ]
        histories[model] = h
        last3 = h.late_val_acc(3)
        lines.append(
            f"{model:8s}: train loss {h.train_loss[-1]:.3f}, val acc "
            f"{h.val_acc[-1]:.3f} (mean of the last three epochs "
            f"{last3:.3f}), test acc {h.test_acc:.3f}, "
            f"{sum(h.seconds):.0f} s"
        )
        claims.add(
            f"{model}: {last3:.3f} > {budget.floor} (this budget's floor)",
            last3 > budget.floor,
        )
    panels = {
        f"{model}, dropout 0.2 / 0.5": {
            "train loss": h.train_loss,
            "train acc": h.train_acc,
            "val acc": h.val_acc,
        }
        for model, h in histories.items()
    }
    return Finding(lines, claims, {"panels": panels})


def long_runs(budget: Budget) -> dict[tuple, list[dict]]:
    """Exercise 2's runs, without and with the book's dropout, tracked
    (exercise 3's variances) and kept (exercise 4's weights), for twice
    the epochs: under a constant rate their first ``budget.epochs``
    epochs are the other exercises' runs (same seeds, minibatches and
    masks), which read them instead of training again."""
    run = budget.exercise_run(num_epochs=budget.long_epochs)
    return {
        rates: [
            train_dropout(
                net=DROPOUT_NET.replace(dropout=rates),
                seed=s,
                track=True,
                keep_state=True,
                **run,
            )
            for s in budget.seeds
        ]
        for rates in (NONE, BOOK)
    }


def at_epochs(long: dict, budget: Budget) -> dict[tuple, list[float]]:
    """Each long run's score at ``budget.epochs``: the exercises' runs."""
    return {
        rates: [r["history"].late_val_acc(upto=budget.epochs) for r in runs]
        for rates, runs in long.items()
    }
