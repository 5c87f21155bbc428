"""Hyperparameter search on the same budget: grid, random, and optuna's TPE.

All three search the same space (learning rate, width, depth) with the
same number of trials of the same number of epochs, score each trial by
*validation* accuracy, and call the cached ``train_run``, so a trial that
two strategies share trains once.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from mlp_notes.experiments import train_run

#: The search space: lr log-uniform, width and depth from these choices.
LR_RANGE = (0.01, 1.0)
WIDTHS = (64, 128, 256, 512, 1024)
DEPTHS = (1, 2, 3)


@dataclass(frozen=True)
class Trial:
    """One evaluated configuration."""

    lr: float
    width: int
    depth: int
    val_acc: float
    seconds: float
    diverged: bool


def evaluate(
    lr: float,
    width: int,
    depth: int,
    *,
    num_epochs: int,
    subset: int | None,
    seed: int = 0,
) -> Trial:
    """Train one configuration (cached) and score it on validation."""
    run = train_run(
        hiddens=(width,) * depth,
        lr=lr,
        num_epochs=num_epochs,
        subset=subset,
        seed=seed,
    )
    acc = run.val_acc
    diverged = run.history.diverged or math.isnan(acc)
    return Trial(
        lr, width, depth, 0.0 if diverged else acc, run.seconds, diverged
    )


def grid_points(n_trials: int) -> list[tuple[float, int, int]]:
    """A grid of about ``n_trials`` points: lr x width x depth.

    16 trials: 4 learning rates x 2 widths x 2 depths; 12: 3 x 2 x 2;
    4 trials: 2 x 2 x 1.
    """
    k_lr = 4 if n_trials >= 16 else 3 if n_trials >= 12 else 2
    k_depth = 2 if n_trials >= 8 else 1
    k_width = max(1, n_trials // (k_lr * k_depth))
    lo, hi = (math.log10(v) for v in LR_RANGE)
    lrs = [10 ** (lo + (hi - lo) * (i + 0.5) / k_lr) for i in range(k_lr)]
    widths = (
        [
            WIDTHS[round(i * (len(WIDTHS) - 1) / max(1, k_width - 1))]
            for i in range(k_width)
        ]
        if k_width > 1
        else [256]
    )
    depths = list(DEPTHS[:k_depth])
    return list(itertools.product(lrs, widths, depths))[:n_trials]


# --8<-- [start:strategies]
def grid_search(n_trials: int, **budget) -> list[Trial]:
    """Every point of a fixed grid (``grid_points``)."""
    return [evaluate(lr, w, d, **budget) for lr, w, d in grid_points(n_trials)]


def random_search(n_trials: int, *, seed: int = 0, **budget) -> list[Trial]:
    """Independent draws: lr log-uniform, width and depth uniform."""
    rng = random.Random(seed)
    lo, hi = (math.log10(v) for v in LR_RANGE)
    return [
        evaluate(
            10 ** rng.uniform(lo, hi),
            rng.choice(WIDTHS),
            rng.choice(DEPTHS),
            **budget,
        )
        for _ in range(n_trials)
    ]


def tpe_search(
    n_trials: int, *, seed: int = 0, storage: str | None = None, **budget
) -> list[Trial]:
    """Optuna's Tree-structured Parzen Estimator, a Bayesian optimizer.

    ``storage`` (e.g. ``"sqlite:///search.db"`` or a PostgreSQL URL) lets
    several processes or machines share one study: each runs this function
    with the same URL and optuna hands them different trials.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=max(2, n_trials // 4)
    )
    study = optuna.create_study(
        direction="maximize",
        sampler=sampler,
        storage=storage,
        study_name="mlp-notes-search",
        load_if_exists=storage is not None,
    )
    trials = []

    def objective(trial: optuna.Trial) -> float:
        t = evaluate(
            trial.suggest_float("lr", *LR_RANGE, log=True),
            trial.suggest_categorical("width", WIDTHS),
            trial.suggest_categorical("depth", DEPTHS),
            **budget,
        )
        trials.append(t)
        return t.val_acc

    study.optimize(objective, n_trials=n_trials)
    return trials


# --8<-- [end:strategies]


def best_so_far(trials: list[Trial]) -> list[float]:
    """Best validation accuracy after each trial."""
    return list(itertools.accumulate((t.val_acc for t in trials), max))


def compare(
    n_trials: int, *, num_epochs: int, subset: int | None, seed: int = 0
) -> dict[str, list[Trial]]:
    """The three strategies on the same budget (the §4.2 page's search)."""
    budget = dict(num_epochs=num_epochs, subset=subset)
    return {
        "grid": grid_search(n_trials, **budget),
        "random": random_search(n_trials, seed=seed, **budget),
        "TPE (optuna)": tpe_search(n_trials, seed=seed, **budget),
    }


def winner(results: dict[str, list[Trial]]) -> Trial:
    """The trial with the best validation accuracy over all strategies."""
    return max(
        (t for ts in results.values() for t in ts), key=lambda t: t.val_acc
    )
