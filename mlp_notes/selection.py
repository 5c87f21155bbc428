"""Model selection (§4.4): K-fold cross-validation.

The folds partition the example indices: every example is validated on
exactly once and trained on K - 1 times.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


# --8<-- [start:k_fold]
def k_fold_indices(
    n: int,
    k: int,
    *,
    shuffle: bool = True,
    generator: torch.Generator | None = None,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Split the indices 0..n-1 into k folds.

    Args:
        n: number of examples.
        k: number of folds, 2 <= k <= n.
        shuffle: permute the indices first (else contiguous folds, as in
            D2L's ``get_k_fold_data``).
        generator: random generator for the permutation.

    Returns:
        k pairs ``(train_idx, val_idx)`` of int64 tensors; the val_idx are
        disjoint, their sizes differ by at most one, together they cover
        0..n-1, and each train_idx is the complement of its val_idx.

    Raises:
        ValueError: k < 2 or k > n.
    """
    if not 2 <= k <= n:
        raise ValueError(f"need 2 <= k <= n, got k={k}, n={n}")
    order = torch.randperm(n, generator=generator) if shuffle else None
    if order is None:
        order = torch.arange(n)
    folds = torch.tensor_split(order, k)  # k nearly equal pieces
    return [
        (torch.cat(folds[:i] + folds[i + 1 :]), folds[i]) for i in range(k)
    ]


# --8<-- [end:k_fold]


# --8<-- [start:cross_validate]
def cross_validate(
    score: Callable[[torch.Tensor, torch.Tensor], float],
    n: int,
    k: int,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Call ``score(train_idx, val_idx)`` on each fold.

    Returns:
        The k scores, shape (k,), float64.
    """
    folds = k_fold_indices(n, k, generator=generator)
    return torch.tensor([score(tr, va) for tr, va in folds], dtype=float)


# --8<-- [end:cross_validate]
