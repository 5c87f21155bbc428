"""§4.2 An MLP from scratch: the chapter's run and the exercises' sweeps.

Every comparison is paired: settings trained with the same seeds (same
initial weights, same minibatches) are compared seed by seed, each run
scored by its mean validation accuracy over the last three epochs
(``History.late_val_acc``: at learning rate 0.1 one epoch's accuracy
moves noticeably).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.data import fashion_mnist_split
from mlp_notes.runs.chapter import (
    CHAPTER_NET,
    Run,
    chapter_config,
    sweep,
    train_run,
)
from mlp_notes.studies.paired import compare_to, late


@dataclass(frozen=True)
class Budget:
    """What §4.2 runs with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        epochs: epochs of the chapter run (D2L: 10).
        seeds: seeds of the learning-rate sweep and the search's retrain.
        paired_seeds: seeds of the width and depth comparisons.
        sweep_epochs: epochs of each sweep point.
        sweep_subset: training images of each sweep point (None: all).
        widths: hidden widths of exercise 1.
        lrs: learning rates of exercise 3.
        search_trials: trials of each search strategy (exercise 4).
        search_epochs: epochs of each search trial.
    """

    decisive: bool
    epochs: int
    seeds: tuple[int, ...]
    paired_seeds: tuple[int, ...]
    sweep_epochs: int
    sweep_subset: int | None
    widths: tuple[int, ...]
    lrs: tuple[float, ...]
    search_trials: int
    search_epochs: int

    def sweep_run(self) -> dict:
        """``sweep``'s recipe and training images at this budget."""
        config = chapter_config(self.sweep_epochs)
        return {"recipe": config["recipe"], "subset": self.sweep_subset}


BUDGETS = {
    "full": Budget(
        decisive=True,
        epochs=10,
        seeds=(0, 1, 2),
        paired_seeds=(0, 1, 2, 3, 4),
        sweep_epochs=10,
        sweep_subset=None,
        widths=(16, 32, 64, 128, 256, 512, 1024),
        lrs=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
        search_trials=12,
        search_epochs=3,
    ),
    "quick": Budget(
        decisive=False,
        epochs=2,
        seeds=(0,),
        paired_seeds=(0, 1),
        sweep_epochs=1,
        sweep_subset=12_000,
        widths=(16, 256),
        lrs=(0.1, 30.0),
        search_trials=4,
        search_epochs=1,
    ),
}

#: The scratch model of the page (D2L's 784-256-10, N(0, 0.01^2)).
SCRATCH_NET = CHAPTER_NET.replace(kind="scratch")
#: Two runs' validation accuracies closer than this count as equal (20 of
#: the 10,000 validation images: float rounding differs between steps).
SAME_ACCURACY = 0.002


def chapter_run(budget: Budget) -> Run:
    """The book's run of the scratch model (weights kept)."""
    return train_run(
        **chapter_config(budget.epochs, "scratch"), keep_model=True
    )


def plain_vs_fit(val_acc: list[float], run: Run) -> Finding:
    """The teaching loop's validation accuracies beside ``fit``'s, for the
    same model, seed and minibatches (``fit`` takes a faster step)."""
    fitted = run.history.val_acc
    worst = max(abs(a - b) for a, b in zip(val_acc, fitted, strict=True))
    lines = [
        f"epoch {e}: plain loop {a:.4f}, fit ({run.history.step} step) {b:.4f}"
        for e, (a, b) in enumerate(zip(val_acc, fitted), 1)
    ]
    claims = Claims().add(
        f"the plain loop and fit agree at every epoch: largest difference "
        f"{worst:.4f} <= {SAME_ACCURACY}",
        worst <= SAME_ACCURACY,
    )
    return Finding(lines, claims)


def chapter_summary(run: Run) -> Finding:
    """The chapter run's last epoch, its cost, and that it trained."""
    h = run.history
    lines = [
        f"after {h.epochs} epochs: train loss {h.train_loss[-1]:.4f}, "
        f"train acc {h.train_acc[-1]:.4f}, val acc {h.val_acc[-1]:.4f}; "
        f"test acc {h.test_acc:.4f} (reported, not used for choices)",
        f"training time {sum(h.seconds):.1f} s "
        f"({sum(h.seconds) / h.epochs:.2f} s per epoch, {h.step} step, "
        f"{h.precision})",
    ]
    claims = Claims()
    claims.add(f"val acc {h.val_acc[-1]:.4f} > 0.7", h.val_acc[-1] > 0.7)
    claims.add(
        f"the training loss fell: {h.train_loss[0]:.4f} -> "
        f"{h.train_loss[-1]:.4f}",
        h.train_loss[-1] < h.train_loss[0],
    )
    return Finding(lines, claims)


def constant_band(y) -> tuple[float, float]:
    """The accuracies a constant prediction can score on labels ``y``: the
    smallest and the largest class share."""
    counts = y.bincount().tolist()  # exact: an accuracy is a count / n too
    return min(counts) / len(y), max(counts) / len(y)


def val_constant_band() -> tuple[float, float]:
    """:func:`constant_band` of the validation split."""
    return constant_band(fashion_mnist_split().y_val.cpu())


#: What the prose of exercise 1 says of each width against 256 units.
WIDTH_EXPECT = {16: "<", 32: "~", 64: "~", 128: "<", 512: "~", 1024: "~"}


def widths(budget: Budget) -> Finding:
    """Exercise 1: validation accuracy against the hidden width, every
    width with the same seeds, compared with the book's 256 units."""
    points = [(w,) for w in budget.widths]
    runs = sweep(
        "hiddens",
        points,
        net=SCRATCH_NET,
        seeds=budget.paired_seeds,
        **budget.sweep_run(),
    )
    score = {w[0]: late(r) for w, r in runs.items()}
    lines = []
    for (w,), rs in runs.items():
        gap = stats.spread([r.history.train_acc[-1] - r.val_acc for r in rs])
        secs = stats.spread([r.seconds for r in rs])[0]
        lines.append(
            f"num_hiddens={w:5d}: val acc {stats.summary(score[w])}"
            f", train-val gap {gap[0]:+.4f}, {secs:.1f} s/run"
        )
    more, claims = compare_to(
        score, 256, WIDTH_EXPECT, budget.decisive, lambda w: f"{w} units"
    )
    data = {
        "widths": list(score),
        "means": [stats.spread(v)[0] for v in score.values()],
        "stds": [stats.spread(v)[1] for v in score.values()],
    }
    return Finding(lines + more, claims, data)


#: What the prose of exercise 2 says of two hidden layers against one.
DEPTH_EXPECT = {(256, 256): "~"}


def depth(budget: Budget) -> Finding:
    """Exercise 2: one hidden layer of 256 against two, same seeds."""
    runs = sweep(
        "hiddens",
        [(256,), (256, 256)],
        seeds=budget.paired_seeds,
        **budget.sweep_run(),
    )
    score = {h: late(r) for h, r in runs.items()}
    lines = [
        f"hiddens={h}: val acc {stats.summary(score[h])}, "
        f"{rs[0].num_params:,} parameters"
        for h, rs in runs.items()
    ]
    more, claims = compare_to(
        score,
        (256,),
        DEPTH_EXPECT,
        budget.decisive,
        lambda h: "two hidden layers" if len(h) == 2 else "one",
    )
    return Finding(lines + more, claims)


#: What the prose of exercise 3 says of each rate against the book's 0.1
#: (rates whose runs diverge get no interval).
LR_EXPECT = {0.01: "<", 0.03: "<", 30.0: "<"}


def learning_rates(budget: Budget) -> Finding:
    """Exercise 3: the scratch model at each learning rate, same seeds."""
    runs = sweep(
        "lr",
        budget.lrs,
        net=SCRATCH_NET,
        seeds=budget.seeds,
        **budget.sweep_run(),
    )
    lines, score = [], {}
    for lr, rs in runs.items():
        died = [r.history.diverged_at for r in rs if r.history.diverged]
        note = f"; diverged (loss not finite) at epoch {died}" if died else ""
        if not died:
            score[lr] = late(rs)
        acc = stats.summary(score[lr]) if not died else "-"
        lines.append(
            f"lr={lr:6}: val acc {acc}, final train loss (first seed) "
            f"{rs[0].history.train_loss[-1]:.4g}{note}"
        )
    more, claims = compare_to(
        score, 0.1, LR_EXPECT, budget.decisive, lambda lr: f"lr {lr:g}"
    )
    lo, hi = val_constant_band()
    top = max(budget.lrs)
    last = [r.val_acc for r in runs[top]]
    lines.append(
        f"one class predicted for every image scores {lo:.4f} to {hi:.4f} "
        f"here; lr={top:g}'s last epoch scores, per seed, "
        f"{', '.join(f'{a:.4f}' for a in last)}"
    )
    claims.add(
        f"lr={top:g} is no better than a constant prediction on every seed "
        f"(within {lo:.4f} to {hi:.4f})",
        all(lo <= a <= hi for a in last),
    )
    data = {
        "lrs": list(score),
        "means": [stats.spread(v)[0] for v in score.values()],
        "stds": [stats.spread(v)[1] for v in score.values()],
    }
    return Finding(lines + more, claims, data)


def predictions(run: Run, X, y, k: int = 16) -> dict:
    """The chapter run's model on ``k`` images: the images, "true\\npred"
    titles and a color per title (red for a mistake)."""
    from mlp_notes.data import LABELS
    from mlp_notes.runs.chapter import rebuild

    model = rebuild(run, SCRATCH_NET)
    X, y = X[:k].cpu(), y[:k].tolist()
    pred = model(X).argmax(1).tolist()
    return {
        "images": X,
        "titles": [f"{LABELS[t]}\n{LABELS[p]}" for t, p in zip(y, pred)],
        "colors": ["black" if t == p else "red" for t, p in zip(y, pred)],
    }
