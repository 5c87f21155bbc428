"""Hyperparameter search on the same budget: grid, random, and optuna's TPE.

All three search the same space (learning rate, width, depth) with the
same number of trials of the same number of epochs, score each trial by
*validation* accuracy, and call the cached ``train_run``, so a trial that
two strategies share trains once.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from dataclasses import dataclass

from mlp_notes.runs.chapter import CHAPTER_NET, CHAPTER_RECIPE, train_run

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


def trial_config(lr: float, width: int, depth: int, num_epochs: int):
    """The chapter's network and recipe with a trial's settings."""
    return {
        "net": CHAPTER_NET.replace(hiddens=(width,) * depth),
        "recipe": CHAPTER_RECIPE.replace(lr=lr, num_epochs=num_epochs),
    }


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
        **trial_config(lr, width, depth, num_epochs), subset=subset, seed=seed
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
def grid_search(n_trials: int, *, score=None, **budget) -> list[Trial]:
    """Every point of a fixed grid (``grid_points``).  ``score`` replaces
    ``evaluate`` (training) in simulations."""
    score = score or evaluate
    return [score(lr, w, d, **budget) for lr, w, d in grid_points(n_trials)]


def random_search(
    n_trials: int, *, seed: int = 0, score=None, **budget
) -> list[Trial]:
    """Independent draws: lr log-uniform, width and depth uniform."""
    rng = random.Random(seed)
    lo, hi = (math.log10(v) for v in LR_RANGE)
    score = score or evaluate
    return [
        score(
            10 ** rng.uniform(lo, hi),
            rng.choice(WIDTHS),
            rng.choice(DEPTHS),
            **budget,
        )
        for _ in range(n_trials)
    ]


# --8<-- [end:strategies]
# --8<-- [start:tpe]
def tpe_search(
    n_trials: int,
    *,
    seed: int = 0,
    storage: str | None = None,
    score=None,
    **budget,
) -> list[Trial]:
    """Optuna's Tree-structured Parzen Estimator, a Bayesian optimizer.
    With one ``storage`` URL (``"sqlite:///search.db"``, PostgreSQL), many
    processes or machines share one study: optuna hands out the trials.
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
    trials, score = [], score or evaluate

    def objective(trial: optuna.Trial) -> float:
        t = score(
            trial.suggest_float("lr", *LR_RANGE, log=True),
            trial.suggest_categorical("width", WIDTHS),
            trial.suggest_categorical("depth", DEPTHS),
            **budget,
        )
        trials.append(t)
        return t.val_acc

    study.optimize(objective, n_trials=n_trials)
    return trials


# --8<-- [end:tpe]


# --8<-- [start:simulate]
def synthetic_score(
    lr: float, width: int, depth: int, *, lr_best: float, **_
) -> Trial:
    """A stand-in for training with the structure that makes a grid waste
    trials: the score depends strongly on log(lr) and weakly on width and
    depth (best, 0.88, at ``lr_best``, width 256, depth 1; no noise)."""
    acc = (
        0.88
        - 0.04 * math.log10(lr / lr_best) ** 2
        - 0.0005 * abs(math.log2(width / 256))
        - 0.0005 * (depth - 1)
    )
    return Trial(lr, width, depth, acc, 0.0, False)


def regret_study(n_trials: int, problems: int) -> dict[str, list[float]]:
    """Each strategy's regret (best possible score minus the best found)
    on ``problems`` synthetic problems, whose best learning rate is drawn
    log-uniformly from ``LR_RANGE`` (seeded): the same problems for every
    strategy, so the regrets can be compared problem by problem."""
    rng = random.Random(0)
    lo, hi = (math.log10(v) for v in LR_RANGE)
    regret = {"grid": [], "random": [], "TPE (optuna)": []}
    for p in range(problems):
        score = functools.partial(
            synthetic_score, lr_best=10 ** rng.uniform(lo, hi)
        )
        found = {
            "grid": grid_search(n_trials, score=score),
            "random": random_search(n_trials, seed=p, score=score),
            "TPE (optuna)": tpe_search(n_trials, seed=p, score=score),
        }
        for name, trials in found.items():
            regret[name].append(0.88 - max(t.val_acc for t in trials))
    return regret


# --8<-- [end:simulate]
# --8<-- [start:early_ranking]
def rank_correlation(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation of two equally long lists (no ties)."""

    def ranks(v):
        order = sorted(range(len(v)), key=v.__getitem__)
        r = [0] * len(v)
        for rank, i in enumerate(order):
            r[i] = rank
        return r

    ra, rb = ranks(a), ranks(b)
    n = len(a)
    d2 = sum((x - y) ** 2 for x, y in zip(ra, rb, strict=True))
    return 1 - 6 * d2 / (n * (n**2 - 1))


def early_ranking(
    results: dict[str, list[Trial]], *, num_epochs: int, subset: int | None
) -> tuple[float, int]:
    """How well the first epoch ranks the trials of ``compare``: Spearman's
    correlation between validation accuracy after epoch 1 and after the
    last epoch (over distinct trials that did not diverge), and the final
    rank (1 = best) of the trial that led after epoch 1."""
    seen, first, last = set(), [], []
    for t in (t for ts in results.values() for t in ts):
        key = (t.lr, t.width, t.depth)
        if t.diverged or key in seen:
            continue
        seen.add(key)
        config = trial_config(t.lr, t.width, t.depth, num_epochs)
        h = train_run(**config, subset=subset, seed=0).history
        first.append(h.val_acc[0])
        last.append(h.val_acc[-1])
    leader = max(range(len(first)), key=first.__getitem__)
    final_rank = 1 + sum(v > last[leader] for v in last)
    return rank_correlation(first, last), final_rank


# --8<-- [end:early_ranking]


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


def retrain(trial: Trial, num_epochs: int, seeds) -> list:
    """``trial``'s configuration trained anew for ``num_epochs``, once per
    seed (the search's winner, on the chapter's budget)."""
    config = trial_config(trial.lr, trial.width, trial.depth, num_epochs)
    return [train_run(**config, seed=s) for s in seeds]


def winner(results: dict[str, list[Trial]]) -> Trial:
    """The trial with the best validation accuracy over all strategies."""
    return max(
        (t for ts in results.values() for t in ts), key=lambda t: t.val_acc
    )
