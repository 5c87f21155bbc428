"""The best-MLP selection logic, with a stand-in for training."""

from mlp_notes import experiments, settings
from mlp_notes.experiments import Run
from mlp_notes.training import History


def fake_run(val, mirror_val, test=0.5, mirror_test=0.6):
    h = History(val_acc=[val], test_acc=test)
    return Run(h, 10, mirror_val_acc=mirror_val, mirror_test_acc=mirror_test)


def test_best_mlp_chooses_on_validation_and_refits_each_seed(monkeypatch):
    calls = []
    scores = {  # (plain val, mirrored val) by dropout rate
        0.2: (0.90, 0.91),
        0.1: (0.92, 0.905),
        0.0: (0.89, 0.90),
    }

    def train_best(*, seed, dropout, refit=False, **kwargs):
        calls.append((seed, dropout, refit))
        # test accuracy high where validation is low: must not matter
        return fake_run(*scores[dropout], test=1 - scores[dropout][0])

    monkeypatch.setattr(experiments, "train_best", train_best)
    profile = settings.PROFILES["full"]
    best = experiments.best_mlp(profile)
    assert best.choice == "dropout 0.1, input 0" and not best.mirror
    # three candidates on the split, then the choice refit for each seed
    trials = [(0, 0.2, False), (0, 0.1, False), (0, 0.0, False)]
    assert calls == trials + [(s, 0.1, True) for s in (0, 1, 2)]
    assert best.val_acc == 0.92
    assert best.test_accs() == [1 - 0.92] * 3


def test_best_mlp_mirror_wins_when_its_validation_is_higher(monkeypatch):
    def train_best(*, seed, dropout, **kwargs):
        return fake_run(0.90, 0.91 if dropout == 0.2 else 0.905)

    monkeypatch.setattr(experiments, "train_best", train_best)
    best = experiments.best_mlp(settings.PROFILES["quick"])
    assert best.choice == "dropout 0.2, input 0.1" and best.mirror
    assert best.val_acc == 0.91
    assert best.test_accs() == [0.6]  # the mirrored test accuracy
