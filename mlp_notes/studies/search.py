"""§4.2's exercises 4 to 6: searching several hyperparameters at once.

Grid, random and TPE search get the same budget (cached trials); the
winner, chosen on validation, is retrained on the chapter's budget and
compared with the untuned setting; a simulation with a known score
compares the strategies over many problems.
"""

from __future__ import annotations

from mlp_notes import stats
from mlp_notes.claims import Claim, Claims, Finding
from mlp_notes.runs import search
from mlp_notes.runs.chapter import Run, chapter_config, train_run
from mlp_notes.studies.mlp_scratch import Budget
from mlp_notes.studies.paired import late


def search_results(budget: Budget) -> dict:
    """Exercise 4's three searches on the same budget (cached trials)."""
    return search.compare(
        budget.search_trials,
        num_epochs=budget.search_epochs,
        subset=budget.sweep_subset,
        seed=0,
    )


#: What the prose of exercise 4 says of the retrained search winner
#: against the untuned book setting and against lr 0.3 (exercise 3).
WINNER_EXPECT = {"the book's setting": "<=", "lr 0.3": "<="}
#: ... and of lr 0.3 against the book's setting on these runs.
RIVALS_EXPECT = ">"
#: The prose: on some seed the retrained winner's validation accuracy
#: falls below DIP mid-run (its rate is unstable over the longer run).
DIP = 0.6


def search_winner(budget: Budget, results: dict) -> Finding:
    """Exercise 4: each strategy's best trial; the overall winner (chosen
    on validation) retrained on the chapter's budget, same seeds as the
    book's setting and as lr 0.3, compared with both."""
    lines = []
    for name, trials in results.items():
        best = max(trials, key=lambda t: t.val_acc)
        lines.append(
            f"{name:13s} best val acc {best.val_acc:.4f} with lr="
            f"{best.lr:.3g}, width={best.width}, depth={best.depth}; "
            f"{sum(t.diverged for t in trials)} diverged; "
            f"{sum(t.seconds for t in trials):.0f} s of training"
        )
    won = search.winner(results)
    seeds, epochs = budget.seeds, budget.epochs
    final = search.retrain(won, epochs, seeds)
    book = chapter_config(epochs)
    rivals = {
        "the book's setting": [train_run(**book, seed=s) for s in seeds],
        "lr 0.3": [
            train_run(
                **book | {"recipe": book["recipe"].replace(lr=0.3)}, seed=s
            )
            for s in seeds
        ],
    }
    lines.append(
        f"the winner (lr={won.lr:.3g}, width={won.width}, depth={won.depth}) "
        f"retrained for {epochs} epochs: val acc "
        f"{stats.summary(late(final))}, test acc "
        f"{stats.summary([r.test_acc for r in final])}"
    )
    dip_lines, claims = winner_dips(final, budget.decisive)
    lines += dip_lines
    score = {"the winner": late(final)} | {
        k: late(v) for k, v in rivals.items()
    }
    for name in rivals:
        d = stats.paired(score["the winner"], score[name])
        lines.append(
            f"{name}, same seeds: val acc {stats.summary(score[name])}"
        )
        claims.compare(
            d, "the winner", name, WINNER_EXPECT[name], enforce=budget.decisive
        )
    claims.compare(
        stats.paired(score["lr 0.3"], score["the book's setting"]),
        "lr 0.3",
        "the book's setting",
        RIVALS_EXPECT,
        enforce=budget.decisive,
    )
    return Finding(lines, claims)


def winner_dips(final: list[Run], decisive: bool) -> tuple[list, Claims]:
    """Each retrained winner's lowest validation accuracy (and its epoch)
    and last; the claim that some seed falls below ``DIP``."""
    lowest = [min(r.history.val_acc) for r in final]
    lines = [
        "the winner's retraining, per seed: lowest val acc (epoch) -> last",
        "   "
        + "; ".join(
            f"{low:.4f} ({r.history.val_acc.index(low) + 1}) -> "
            f"{r.history.val_acc[-1]:.4f}"
            for low, r in zip(lowest, final)
        ),
    ]
    claim = Claim(
        f"on some seed the winner's validation accuracy falls below {DIP} "
        f"during retraining (lowest {min(lowest):.4f})",
        min(lowest) < DIP,
        decisive,
    )
    return lines, Claims([claim])


def grid_costs(run: Run, device) -> Finding:
    """Exercise 5: what a grid of k values for each of m hyperparameters
    costs, at the measured cost of one 10-epoch chapter run."""
    h = run.history
    per_run = sum(h.seconds) / h.epochs * 10
    lines = [
        f"{m} hyperparameter(s), {k} values each: {k**m:>6} runs "
        f"~ {k**m * per_run / 3600:7.2f} hours of training on {device}"
        for k, m in [(5, 1), (5, 3), (5, 5), (10, 5)]
    ]
    return Finding(lines)


#: What the prose of exercise 6 says of each pair of strategies, by the
#: number of trials: the second minus the first in regret saved (">": the
#: second finds better configurations).
STRATEGY_EXPECT = {
    (6, "grid", "random"): "~",
    (6, "random", "TPE (optuna)"): "~",
    (12, "grid", "random"): ">",
    (12, "random", "TPE (optuna)"): "~",
    (24, "grid", "random"): "~",
    (24, "random", "TPE (optuna)"): ">",
}


def strategies(problems: int = 40) -> Finding:
    """Exercise 6: the regret of grid, random and TPE search (the best
    possible score minus the best found) on ``problems`` synthetic
    problems (no training: the same in every profile), paired problem by
    problem: "random beats grid" when random's regret is lower."""
    lines, claims = [], Claims()
    for n in sorted({n for n, _, _ in STRATEGY_EXPECT}):
        regret = search.regret_study(n, problems=problems)
        lines.append(
            f"{n:2d} trials: mean regret "
            + ", ".join(
                f"{k} {sum(v) / len(v):.4f}" for k, v in regret.items()
            )
        )
        for a, b in (("grid", "random"), ("random", "TPE (optuna)")):
            # > 0: b's regret lower
            d = stats.paired(regret[a], regret[b], unit="problems")
            claims.compare(d, f"{b} ({n} trials)", a, STRATEGY_EXPECT[n, a, b])
    return Finding(lines, claims)


def early_ranking(budget: Budget, results: dict) -> Finding:
    """Exercise 6: does a trial's first epoch rank it as its last does?"""
    rho, rank = search.early_ranking(
        results, num_epochs=budget.search_epochs, subset=budget.sweep_subset
    )
    return Finding(
        [
            f"{budget.search_epochs} epoch(s) per trial: rank correlation of "
            f"epoch 1 with the last epoch {rho:.2f}; the trial leading after "
            f"epoch 1 finishes ranked {rank}"
        ]
    )
