"""The results page's rows: the site's headline models, trained (or read
from the run cache) with exactly the configurations their pages use."""

from __future__ import annotations

from mlp_notes import settings
from mlp_notes.runs import search
from mlp_notes.runs.best import BEST_NET, BEST_RECIPE
from mlp_notes.runs.chapter import chapter_config
from mlp_notes.stats import fmt_spread, spread
from mlp_notes.studies import best as best_study
from mlp_notes.studies import mlp_concise, mlp_scratch
from mlp_notes.studies import search as search_study


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
    scratch = settings.pick(mlp_scratch.BUDGETS, profile)
    concise = settings.pick(mlp_concise.BUDGETS, profile)
    rows = []
    for name, page, run, kind in (
        (
            "scratch",
            "mlp-scratch",
            mlp_scratch.chapter_run(scratch),
            "scratch",
        ),
        (
            "concise",
            "mlp-concise",
            mlp_concise.chapter_run(concise),
            "concise",
        ),
    ):
        config = chapter_config(run.history.epochs, kind)
        rows.append(
            _row(f"D2L's MLP, {name}", f"{page}.md", [run], _describe(config))
        )
    found = search.winner(search_study.search_results(scratch))
    config = search.trial_config(
        found.lr, found.width, found.depth, scratch.epochs
    )
    runs = search.retrain(found, scratch.epochs, scratch.seeds)
    where = "mlp-scratch.md#4-tune-learning-rate-width-and-depth-jointly"
    rows.append(_row("Search winner", where, runs, _describe(config)))
    best = best_study.train(concise)
    recipe = BEST_RECIPE.replace(num_epochs=concise.best_epochs)
    setting = _describe({"net": BEST_NET, "recipe": recipe})
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
        )
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
