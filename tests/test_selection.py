"""K-fold splits partition the data."""

import pytest
import torch

from mlp_notes.selection import cross_validate, k_fold_indices


@pytest.mark.parametrize("n,k", [(10, 3), (20, 5), (7, 7), (101, 10)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_folds_partition_the_indices(n, k, shuffle):
    g = torch.Generator().manual_seed(0)
    folds = k_fold_indices(n, k, shuffle=shuffle, generator=g)
    assert len(folds) == k
    vals = torch.cat([v for _, v in folds])
    assert sorted(vals.tolist()) == list(range(n))  # no overlap, no gap
    sizes = [len(v) for _, v in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert set(train.tolist()).isdisjoint(val.tolist())
        assert len(train) + len(val) == n


def test_bad_k_raises():
    for n, k in [(5, 1), (5, 6)]:
        with pytest.raises(ValueError):
            k_fold_indices(n, k)


def test_cross_validate_calls_every_fold():
    seen = []

    def score(train, val):
        seen.append(val)
        return float(len(val))

    scores = cross_validate(score, 10, 5, generator=torch.Generator())
    assert scores.tolist() == [2.0] * 5
    assert sorted(torch.cat(seen).tolist()) == list(range(10))


def test_folds_are_shuffled_by_default_from_the_generator():
    def folds(**kw):
        return [v.tolist() for _, v in k_fold_indices(10, 3, **kw)]

    g = torch.Generator
    shuffled = folds(generator=g().manual_seed(1))
    torch.manual_seed(4)  # the global state plays no part
    assert folds(generator=g().manual_seed(1)) == shuffled
    assert folds(generator=g().manual_seed(2)) != shuffled
    assert folds(shuffle=False) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert shuffled != folds(shuffle=False)


def test_k_limits_and_message():
    assert len(k_fold_indices(2, 2)) == 2  # the smallest split
    assert len(k_fold_indices(5, 5)) == 5
    with pytest.raises(ValueError, match="need 2 <= k <= n, got k=1, n=5"):
        k_fold_indices(5, 1)


def test_cross_validate_scores_each_fold_in_float64():
    calls = []

    def score(train, val):
        calls.append((train.tolist(), val.tolist()))
        return len(train) + 0.5

    g = torch.Generator().manual_seed(3)
    scores = cross_validate(score, 7, 3, generator=g)
    assert scores.dtype == torch.float64 and scores.tolist() == [4.5, 5.5, 5.5]
    want = k_fold_indices(7, 3, generator=torch.Generator().manual_seed(3))
    assert calls == [(t.tolist(), v.tolist()) for t, v in want]
