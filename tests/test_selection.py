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
