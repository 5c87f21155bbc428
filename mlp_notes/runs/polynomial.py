"""The cached runs of §4.4: polynomial regression trained by SGD."""

from __future__ import annotations

import torch

from mlp_notes.polynomial import make_features, split_data, train_linear
from mlp_notes.runs.cache import cached


# --8<-- [start:fit_polynomial]
@cached("mlp_notes.polynomial")
def fit_polynomial(
    *,
    num_features: int,
    num_epochs: int,
    seed: int,
    lr: float = 0.01,
    basis: str = "factorial",
    optimizer: str = "sgd",
    n_train: int = 100,
    all_degrees: bool = False,
) -> dict:
    """Train on the first ``num_features`` features of seed's data set.

    With ``all_degrees``, train one model per number of features
    1..num_features at once (same data and minibatches).
    """
    x_tr, y_tr, x_te, y_te = split_data(seed, n_train)
    F_tr, F_te = make_features(x_tr, x_te, num_features, basis)
    k = num_features
    mask = torch.tril(torch.ones(k, k)).T if all_degrees else None
    g = torch.Generator().manual_seed(1000 + seed)
    return train_linear(
        F_tr, y_tr, F_te, y_te, num_epochs=num_epochs, lr=lr,
        optimizer=optimizer, mask=mask, generator=g,
    )  # fmt: skip


# --8<-- [end:fit_polynomial]
