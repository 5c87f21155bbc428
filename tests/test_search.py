import pytest

from mlp_notes.runs import search


@pytest.fixture
def fake(monkeypatch):
    """A cheap objective with a known optimum (lr 0.1, width 512, depth 2)."""
    calls = []

    def evaluate(lr, width, depth, **budget):
        import math

        calls.append((lr, width, depth))
        score = 0.9 - 0.05 * abs(math.log10(lr) + 1) - 0.01 * abs(depth - 2)
        score -= 0.02 * abs(math.log2(width) - 9)
        return search.Trial(lr, width, depth, score, 1.0, False)

    monkeypatch.setattr(search, "evaluate", evaluate)
    return calls


@pytest.mark.parametrize("n", [4, 12, 16])
def test_grid_has_the_budgeted_number_of_distinct_points(n):
    points = search.grid_points(n)
    assert len(points) == n == len(set(points))
    for lr, width, depth in points:
        assert search.LR_RANGE[0] <= lr <= search.LR_RANGE[1]
        assert width in search.WIDTHS and depth in search.DEPTHS


def test_strategies_spend_the_same_budget(fake):
    for strategy in (
        search.grid_search,
        search.random_search,
        search.tpe_search,
    ):
        fake.clear()
        trials = strategy(12, num_epochs=1, subset=None)
        assert len(trials) == len(fake) == 12


def test_random_and_tpe_are_reproducible(fake):
    for strategy in (search.random_search, search.tpe_search):
        a = strategy(8, seed=3, num_epochs=1, subset=None)
        b = strategy(8, seed=3, num_epochs=1, subset=None)
        assert a == b


def test_tpe_finds_a_good_region(fake):
    trials = search.tpe_search(30, seed=0, num_epochs=1, subset=None)
    assert max(t.val_acc for t in trials) > 0.86


def test_best_so_far_is_running_max():
    ts = [search.Trial(0.1, 64, 1, v, 1.0, False) for v in (0.5, 0.7, 0.6)]
    assert search.best_so_far(ts) == [0.5, 0.7, 0.7]
