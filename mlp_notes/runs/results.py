"""The results page's rows: the site's headline models, trained (or read
from the run cache) with exactly the configurations their pages use."""

from __future__ import annotations

from mlp_notes.runs import search
from mlp_notes.runs.best import BEST_NET, best_mlp, best_recipe
from mlp_notes.runs.chapter import chapter_config, train_run
from mlp_notes.stats import fmt_spread, spread


def _row(
    name: str,
    where: str,
    runs: list,
    setting: str,
    *,
    val_accs: list[float] | None = None,
    test_accs: list[float] | None = None,
) -> dict:
    """One results row; ``val_accs``/``test_accs`` replace the runs' own
    accuracies (the best MLP may predict with mirror averaging)."""
    val_accs = val_accs or [r.val_acc for r in runs]
    test_accs = test_accs or [r.test_acc for r in runs]
    val = fmt_spread(*spread(val_accs))
    test = fmt_spread(*spread(test_accs))
    seconds = sum(r.seconds for r in runs) / len(runs)
    used = sorted({r.history.precision for r in runs})
    asked = sorted({r.history.requested_precision for r in runs})
    return {
        "precision": ", ".join(used)
        + (f" (asked: {', '.join(asked)})" if asked != used else ""),
        "name": name,
        "where": where,
        "setting": setting,
        "val": val,
        "test": test,
        "seeds": len(runs),
        "minutes": seconds / 60,
        "params": runs[0].num_params,
    }


def results_rows(profile) -> list[dict]:
    """The headline models of the site, trained (or read from the cache)
    with exactly the configurations their pages use."""
    rows = []
    for kind, page in (("scratch", "mlp-scratch"), ("concise", "mlp-concise")):
        config = chapter_config(profile, kind)
        run = train_run(**config, keep_model=kind == "scratch")
        name = f"D2L's MLP, {kind}"
        rows.append(_row(name, f"{page}.md", [run], _describe(config)))
    budget = dict(
        num_epochs=profile.search_epochs, subset=profile.sweep_subset
    )
    found = search.winner(search.compare(profile.search_trials, **budget))
    config = search.trial_config(
        found.lr, found.width, found.depth, profile.epochs
    )
    runs = search.retrain(found, profile.epochs, profile.seeds)
    where = "mlp-scratch.md#4-tune-learning-rate-width-and-depth-jointly"
    rows.append(_row("Search winner", where, runs, _describe(config)))
    best = best_mlp(profile)
    setting = _describe({"net": BEST_NET, "recipe": best_recipe(profile)})
    if best.mirror:
        setting += ", mirror-averaged predictions"
    setting += "; val: seed 0 on the training split; test: refits"
    where = "mlp-concise.md#beyond-the-book-a-stronger-mlp"
    rows.append(
        _row(
            "Best MLP",
            where,
            best.runs,
            setting,
            val_accs=[best.val_acc],
            test_accs=best.test_accs(),
        )  # fmt: skip
    )
    return rows


def _describe(config: dict) -> str:
    """ "784-256-10, SGD lr 0.1, batch 256, 10 epochs" from a run's net and
    recipe."""
    net, recipe = config["net"], config["recipe"]
    widths = "-".join(map(str, (784, *net.hiddens, 10)))
    drop = f", dropout {net.dropout}" if net.dropout else ""
    extra = f" {recipe.schedule}" if recipe.schedule else ""
    return (
        f"{widths}{drop}, {recipe.optimizer.upper()}{extra} lr "
        f"{recipe.lr:.3g}, batch {recipe.batch_size}, "
        f"{recipe.num_epochs} epochs"
    )
