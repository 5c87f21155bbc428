"""The cached runs of §4.5: the lambda sweep with validation and K-fold
cross-validation."""

from __future__ import annotations

import torch

from mlp_notes.runs.cache import cached
from mlp_notes.selection import k_fold_indices
from mlp_notes.weight_decay import half_mse, highdim_data, train_scratch


# --8<-- [start:lambda_sweep]
@cached("mlp_notes.weight_decay", "mlp_notes.selection")
def lambda_sweep(
    *,
    lambds: tuple[float, ...],
    num_epochs: int,
    seed: int,
    n_val: int = 100,
    folds: int = 5,
) -> dict:
    """Final train/validation/test half-MSE of each lambda on seed's data.

    Validation two ways: a fresh validation set of ``n_val`` examples, and
    ``folds``-fold cross-validation on the 20 training examples.
    """
    X_tr, y_tr, X_te, y_te = highdim_data(seed=seed)
    X_va, y_va, _, _ = highdim_data(seed=10_000 + seed, n_train=n_val)
    lam = list(lambds)
    run = train_scratch((X_tr, y_tr, X_te, y_te), lam, num_epochs=num_epochs)
    w, b = run["w"], run["b"]
    cv = torch.zeros(len(lam))
    g = torch.Generator().manual_seed(seed)
    for tr, va in k_fold_indices(len(y_tr), folds, generator=g):
        part = (X_tr[tr], y_tr[tr], X_tr[va], y_tr[va])
        cv += train_scratch(part, lam, num_epochs=num_epochs)["test_loss"][-1]
    return {
        "train": run["train_loss"][-1],
        "test": run["test_loss"][-1],
        "val": half_mse(X_va, w, b, y_va),
        "cv": cv / folds,
    }


# --8<-- [end:lambda_sweep]
