"""§4.8's training runs on Fashion-MNIST: symmetric starts, softmax
regression from equal weights, and LARS against SGD on a deep network.

Every comparison is paired: the settings are trained with the same seeds
(same minibatches; the same initial weights where they are random) and
compared seed by seed (``stats.paired``), each run scored by its final
validation accuracy.  The first seed's runs are the ones the page prints
in full and draws.  Each ``*_claims`` function takes the runs' summaries
and nothing else, so a test can plant numbers that break it.
"""

from __future__ import annotations

import textwrap

import torch

from mlp_notes import stats
from mlp_notes.claims import Claim, Claims, Finding
from mlp_notes.runs import stability as runs
from mlp_notes.runs.chapter import CHAPTER_NET, CHAPTER_RECIPE
from mlp_notes.studies.numerical_stability import Budget

CONSTANT, DROPOUT, RANDOM = (
    "constant 0.01",
    "constant 0.01 + dropout 0.5",
    "random N(0, 0.01^2)",
)
#: Spreads below ROUNDING are rounding; above BROKEN the units differ.
ROUNDING, BROKEN = 1e-4, 1e-3
#: Equal starts train as the random one: accuracy intervals within these.
SAME_AS_RANDOM, SAME_AS_EACH_OTHER = 0.02, 0.005
#: LARS at lr 1: validation accuracy floor, and its margin to SGD at 0.1.
LARS_FLOOR, LARS_MARGIN = 0.6, 0.05


def final(run: dict) -> float:
    """A run's validation accuracy after its last epoch."""
    return run["history"].val_acc[-1]


def by_start(by_seed: dict[int, dict], start: str, key=final) -> list:
    """``key`` of one start's run at every seed, in seed order."""
    return [key(starts[start]) for starts in by_seed.values()]


def verdict(d: stats.Difference, a: str, b: str) -> list[str]:
    """The interval's verdict in words, wrapped to the page's column."""
    return textwrap.wrap(
        d.verdict(a, b), 79, initial_indent="  -> ", subsequent_indent="     "
    )


def table(by_seed: dict[int, dict], starts: list[str]) -> list[str]:
    """Validation accuracy by seed, one row per start."""
    head = f"{'validation accuracy, seed':28s}" + "".join(
        f"{s:>7d}" for s in by_seed
    )
    return [head] + [
        f"{name:28s}" + "".join(f"{v:7.3f}" for v in by_start(by_seed, name))
        for name in starts
    ]


def symmetric_starts(budget: Budget) -> Finding:
    """The chapter's MLP from a constant start, the same with dropout,
    and from D2L's random start (``runs.stability.symmetric_starts``)."""
    recipe = CHAPTER_RECIPE.replace(num_epochs=budget.stability_epochs)
    by_seed = {
        seed: runs.symmetric_starts(
            CHAPTER_NET, recipe, subset=budget.stability_subset, seed=seed
        )
        for seed in budget.seeds
    }
    first = by_seed[budget.seeds[0]]
    lines = [
        f"{budget.stability_epochs} epoch(s); spread = "
        "max_j ||w_j - w_0|| / mean_j ||w_j|| over hidden units",
        f"{'seed ' + str(budget.seeds[0]):28s} W1 spread  W2 spread  "
        "val. acc.",
    ]
    lines += [
        f"{name:28s} {r['spread']:9.2e}  {r['spread_W2']:9.2e}  "
        f"{final(r):9.3f}"
        for name, r in first.items()
    ]
    finding = symmetry_claims(by_seed, budget.decisive)
    finding.lines[:0] = lines
    short = {CONSTANT: "constant", DROPOUT: "dropout", RANDOM: "random"}
    W1 = torch.cat([first[start]["W1"] for start in short])  # (24, 784)
    finding.data = {
        "images": W1.reshape(-1, 28, 28).numpy(),
        "titles": [
            f"{name} #{j}" for name in short.values() for j in range(8)
        ],
    }
    return finding


def symmetry_claims(by_seed: dict[int, dict], enforce: bool) -> Finding:
    """The constant start lags the random one at every seed, whether its
    units stayed equal to rounding or rounding grew; dropout breaks the
    symmetry; and the dropout start's accuracy against the random one's,
    paired by seed (enforced where ``enforce``)."""
    spreads = [
        max(a, b)
        for a, b in zip(
            by_start(by_seed, CONSTANT, lambda r: r["spread"]),
            by_start(by_seed, CONSTANT, lambda r: r["spread_W2"]),
        )
    ]
    kept = sum(s < ROUNDING for s in spreads)
    gaps = [
        c - r
        for c, r in zip(by_start(by_seed, CONSTANT), by_start(by_seed, RANDOM))
    ]
    drop = min(by_start(by_seed, DROPOUT, lambda r: r["spread"]))
    d = stats.paired(by_start(by_seed, DROPOUT), by_start(by_seed, RANDOM))
    lines = table(by_seed, [CONSTANT, DROPOUT, RANDOM])
    lines += [
        f"dropout - random: {d}",
        *verdict(d, "dropout", "random"),
        f"constant start: {kept} of {len(spreads)} seeds stay equal to "
        f"rounding (spread < {ROUNDING:g});",
        "  spread by seed (larger of W1, W2): "
        + " ".join(f"{s:.1e}" for s in spreads),
    ]
    claims = Claims().add(
        f"the constant start scores below the random start at every seed "
        f"(constant - random: {' '.join(f'{g:+.3f}' for g in gaps)})",
        max(gaps) < 0,
    )
    claims.add(
        f"dropout's smallest spread {drop:.1e} is above {BROKEN:g}",
        drop > BROKEN,
    )
    claims.compare(d, "dropout", "random", "<", enforce=enforce)
    return Finding(lines, claims)


def equal_weight_regression(budget: Budget) -> Finding:
    """Exercise 2: softmax regression from all-0, all-0.5 and random
    weights (``runs.stability.train_softmax_regression``)."""
    recipe = CHAPTER_RECIPE.replace(num_epochs=budget.regression_epochs)
    starts = {"all 0": 0.0, "all 0.5": 0.5, "random": None}
    by_seed = {
        seed: {
            name: runs.train_softmax_regression(
                value=value,
                recipe=recipe,
                subset=budget.regression_subset,
                seed=seed,
            )
            for name, value in starts.items()
        }
        for seed in budget.seeds
    }
    lines = [
        f"start {name:7s}: row spread {r['initial_spread']:.2f} -> "
        f"{r['spread']:.2f}, validation accuracy {final(r):.3f} "
        f"(seed {budget.seeds[0]})"
        for name, r in by_seed[budget.seeds[0]].items()
    ]
    finding = regression_claims(by_seed, budget.decisive)
    finding.lines[:0] = lines
    return finding


def within(d: stats.Difference, a: str, b: str, margin: float, enforce):
    """The claim that a and b are equivalent within ``margin``: the paired
    interval of a - b lies inside (-margin, margin)."""
    return Claim(
        f"{a} and {b} train alike: {a} - {b} = {d}, inside +-{margin}",
        -margin < d.low and d.high < margin,
        enforce,
    )


def regression_claims(by_seed: dict[int, dict], enforce: bool) -> Finding:
    """Exercise 2's claims: the equal starts train as the random one does
    and as each other (paired intervals within the margins, enforced
    where ``enforce``); the all-0.5 rows move apart at every seed."""
    acc = {
        name: by_start(by_seed, name) for name in next(iter(by_seed.values()))
    }
    d_random = stats.paired(acc["all 0.5"], acc["random"])
    d_equal = stats.paired(acc["all 0"], acc["all 0.5"])
    moved = min(by_start(by_seed, "all 0.5", lambda r: r["spread"]))
    lines = table(by_seed, list(acc))
    lines += [f"all 0.5 - random: {d_random}", f"all 0 - all 0.5: {d_equal}"]
    claims = Claims(
        [
            within(d_random, "all 0.5", "random", SAME_AS_RANDOM, enforce),
            within(d_equal, "all 0", "all 0.5", SAME_AS_EACH_OTHER, enforce),
        ]
    )
    claims.add(
        f"the all-0.5 rows move apart: smallest final spread {moved:.2f} "
        "(above 0.01)",
        moved > 0.01,
    )
    return Finding(lines, claims)


def lars(budget: Budget) -> Finding:
    """Exercise 4: a deep MLP (five hidden ReLU layers of 128, He init,
    momentum 0.9) by SGD at lr 1, by LARS at lr 1 and by SGD at lr 0.1."""
    net = CHAPTER_NET.replace(hiddens=(128,) * 5, init="he")
    sgd = CHAPTER_RECIPE.replace(
        num_epochs=budget.regression_epochs, momentum=0.9, lr=1.0
    )
    recipes = {
        "SGD, lr 1": sgd,
        "LARS, lr 1": sgd.replace(optimizer="lars", trust_coefficient=0.001),
        "SGD, lr 0.1": sgd.replace(lr=0.1),
    }
    by_seed = {
        seed: {
            name: runs.train_deep(
                net=net, recipe=r, subset=budget.regression_subset, seed=seed
            )
            for name, r in recipes.items()
        }
        for seed in budget.seeds
    }
    first = by_seed[budget.seeds[0]]
    lines = [f"seed {budget.seeds[0]}:"]
    for name, r in first.items():
        h = r["history"]
        lines.append(
            f"  {name:12s} diverged in epoch {h.diverged_at}"
            if h.diverged
            else f"  {name:12s} final loss {h.train_loss[-1]:.3f}, "
            f"validation accuracy {h.val_acc[-1]:.3f}"
        )
    finding = lars_claims(by_seed, budget.decisive)
    finding.lines[:0] = lines
    curves = {k: r["history"].train_loss for k, r in first.items()}
    finding.data = {
        "curves": {
            k: v for k, v in curves.items() if not first[k]["history"].diverged
        }
    }
    return finding


def lars_claims(by_seed: dict[int, dict], enforce: bool) -> Finding:
    """SGD at lr 1 diverges in its first epoch and LARS at lr 1 trains
    above the floor, at every seed; LARS is no worse than SGD at lr 0.1
    by more than the margin, and not detectably different from it (paired
    interval, enforced where ``enforce``)."""
    history = {
        name: by_start(by_seed, name, lambda r: r["history"])
        for name in ("SGD, lr 1", "LARS, lr 1", "SGD, lr 0.1")
    }
    at = [h.diverged_at for h in history["SGD, lr 1"]]
    lars_ok = [not h.diverged for h in history["LARS, lr 1"]]
    lars_acc = [h.val_acc[-1] for h in history["LARS, lr 1"]]
    sgd_acc = [h.val_acc[-1] for h in history["SGD, lr 0.1"]]
    d = stats.paired(lars_acc, sgd_acc)
    lines = table(by_seed, ["LARS, lr 1", "SGD, lr 0.1"])
    lines += [
        f"LARS, lr 1 - SGD, lr 0.1: {d}",
        *verdict(d, "LARS, lr 1", "SGD, lr 0.1"),
    ]
    claims = Claims()
    claims.add(
        f"SGD at lr 1 diverges in epoch 1 at every seed: {at}", set(at) == {1}
    )
    claims.add(
        f"LARS at lr 1 trains at every seed, accuracy at least "
        f"{min(lars_acc):.3f} (floor {LARS_FLOOR})",
        all(lars_ok) and min(lars_acc) > LARS_FLOOR,
    )
    claims.append(
        Claim(
            f"LARS at lr 1 is no worse than SGD at lr 0.1 by more than "
            f"{LARS_MARGIN}: the interval's low end {d.low:+.4f} is above "
            f"-{LARS_MARGIN}",
            d.low > -LARS_MARGIN,
            enforce,
        )
    )
    claims.compare(d, "LARS, lr 1", "SGD, lr 0.1", "~", enforce=enforce)
    return Finding(lines, claims)
