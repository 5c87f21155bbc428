"""The best-MLP protocol, with a stand-in for training."""

from mlp_notes.runs import best
from mlp_notes.runs.chapter import Run
from mlp_notes.training import History


def fake_run(val, mirror_val, test=0.5, mirror_test=0.6):
    h = History(val_acc=[val], test_acc=test)
    return Run(h, 10, mirror_val_acc=mirror_val, mirror_test_acc=mirror_test)


def test_best_mlp_scores_on_validation_then_refits_each_seed(monkeypatch):
    calls = []

    def train_best(*, seed, refit=False, **kwargs):
        calls.append((seed, refit, kwargs))
        # test accuracy high where validation is low: must not matter
        return fake_run(0.92, 0.905, test=0.5, mirror_test=0.99)

    monkeypatch.setattr(best, "train_best", train_best)
    result = best.best_mlp(epochs=30, subset=None, seeds=(0, 1, 2))
    assert not result.mirror  # plain predictions won on validation
    budget = {
        "recipe": best.BEST_RECIPE.replace(num_epochs=30),
        "subset": None,
    }
    # one run on the split, then the same recipe refit for each seed
    refits = [(s, True, budget) for s in (0, 1, 2)]
    assert calls == [(0, False, budget), *refits]
    assert result.val_acc == 0.92
    assert result.test_accs() == [0.5] * 3


def test_best_mlp_mirror_wins_when_its_validation_is_higher(monkeypatch):
    def train_best(*, seed, **kwargs):
        return fake_run(0.90, 0.91)

    monkeypatch.setattr(best, "train_best", train_best)
    result = best.best_mlp(epochs=1, subset=500, seeds=(0,))
    assert result.mirror
    assert result.val_acc == 0.91
    assert result.test_accs() == [0.6]  # the mirrored test accuracy


def test_recipes_epochs_are_the_full_budgets():
    """The epochs a recipe states are what the full budget trains."""
    from mlp_notes.runs.chapter import CHAPTER_RECIPE
    from mlp_notes.studies import mlp_concise, mlp_scratch

    assert (
        best.BEST_RECIPE.num_epochs == mlp_concise.BUDGETS["full"].best_epochs
    )
    assert CHAPTER_RECIPE.num_epochs == mlp_scratch.BUDGETS["full"].epochs
