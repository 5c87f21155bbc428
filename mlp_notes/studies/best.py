"""§4.3 beyond the book: a stronger MLP, its decisions and its test score.

The recipe's decisions were made on validation accuracy by GPU probes
(``studies.probes``); the build chooses only plain or mirror-averaged
predictions, on its own validation run, then retrains the recipe on all
training images once per seed and reports the test set.
"""

from __future__ import annotations

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.runs.best import BEST_NET, BEST_RECIPE, BestMLP, best_mlp
from mlp_notes.runs.chapter import Run
from mlp_notes.studies import probes
from mlp_notes.studies.mlp_concise import BUDGETS, Budget, paired_test_error


def decisions() -> Finding:
    """The probes' evidence for each decision, and that the recipe is what
    they chose: two layers of 1024, and the epoch count of the best mean
    validation accuracy, which the full profile trains."""
    runs = probes.validation_runs()
    finding = probes.decisions(runs)
    chosen = probes.epochs_choice(runs, "a2")
    full = BUDGETS["full"].best_epochs
    finding.lines.append(
        f"recipe: {BEST_NET.hiddens}, {BEST_RECIPE.num_epochs} epochs; the "
        f"probes' best mean for 2x1024: {chosen} epochs; the full profile "
        f"trains {full}"
    )
    finding.claims.add(
        f"the recipe's network is the probes' 2x1024: {BEST_NET.hiddens}",
        BEST_NET.hiddens == probes.NETWORKS["a2"],
    )
    finding.claims.add(
        f"the recipe, the probes and the full profile agree on "
        f"{BEST_RECIPE.num_epochs} epochs",
        BEST_RECIPE.num_epochs == chosen == full,
    )
    return finding


def train(budget: Budget) -> BestMLP:
    """The validation run and the refits (cached runs)."""
    return best_mlp(
        epochs=budget.best_epochs,
        subset=budget.best_subset,
        seeds=budget.seeds,
    )


def validation(budget: Budget, best: BestMLP) -> Finding:
    """The validation run: plain against mirror-averaged predictions, and
    the floor the chosen one must pass."""
    t = best.trial
    choice = "mirror-averaged" if best.mirror else "plain"
    lines = [
        f"seed 0, {budget.best_epochs} epochs on the training split, trained "
        f"in {t.history.precision}: val acc {t.val_acc:.4f} plain, "
        f"{t.mirror_val_acc:.4f} mirror-averaged",
        f"chosen on validation: {choice} predictions "
        f"(val acc {best.val_acc:.4f})",
    ]
    floor = budget.best_val_floor
    claims = Claims().add(
        f"val acc {best.val_acc:.4f} > {floor} (this profile's floor)",
        best.val_acc > floor,
    )
    return Finding(lines, claims)


def refits(budget: Budget, best: BestMLP, book: Run, book_correct) -> Finding:
    """The refits' test accuracies; what one accuracy on this test set
    can tell (binomial error), what a difference between two models on it
    can (paired, image by image), and the benchmark MLP's figure.

    Args:
        book: the book's scratch run (for its cost and test accuracy).
        book_correct: (n_test,) bool, the book's model right or wrong.
    """
    tests, b0 = best.test_accs(), best.runs[0]
    correct = best.test_correct()
    n = len(correct[0])
    mean = stats.spread(tests)[0]
    binomial = (mean * (1 - mean) / n) ** 0.5
    lines = [
        f"refit, seed 0: test acc {tests[0]:.4f}; {b0.num_params:,} "
        f"parameters; {b0.seconds / 60:.1f} min of training "
        f"({b0.seconds / b0.history.epochs:.1f} s/epoch, in "
        f"{b0.history.precision})",
        f"over seeds {list(budget.seeds)}: test acc {stats.summary(tests)}",
        f"binomial standard error of one accuracy on {n:,} test images: "
        f"{binomial:.4f}",
    ]
    vs_book = paired_test_error(correct[0], book_correct)
    lines.append(
        f"best (seed 0) - the book's model, image by image: {vs_book}; "
        f"paired standard error {vs_book.se:.4f}"
    )
    claims = Claims()
    if len(correct) > 1:
        seeds = paired_test_error(correct[1], correct[0])
        lines.append(
            f"refit seed {budget.seeds[1]} - seed {budget.seeds[0]}, image "
            f"by image: {seeds}; paired standard error "
            f"{seeds.se:.4f}"
        )
        claims.add(
            "the paired error of two refits is smaller than one accuracy's "
            f"binomial error ({seeds.se:.4f} < "
            f"{binomial:.4f})",
            seeds.se < binomial,
        )
    claims.compare(
        vs_book, "the best MLP", "the book's model", ">",
        enforce=budget.decisive,
    )  # fmt: skip
    name, published = probes.BENCHMARK_MLP
    lines.append(
        f"the benchmark's MLP {name}: {published} test accuracy (published); "
        f"this recipe's mean is {mean - published:+.4f} from it"
    )
    return Finding(lines, claims)
