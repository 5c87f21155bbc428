"""The cached runs of §4.4: polynomial regression trained by SGD.

Every run takes its data seed and its epochs as arguments; seed s draws
data set s (``polynomial.split_data``) and the run's initial weights and
minibatches from a generator seeded 1000 + s (``run_generator``).
"""

from __future__ import annotations

import torch

from mlp_notes.polynomial import make_features, split_data, train_linear
from mlp_notes.runs.cache import cached


def run_generator(seed: int) -> torch.Generator:
    """The generator of seed's run: initial weights, then minibatches."""
    return torch.Generator().manual_seed(1000 + seed)


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
    return train_linear(
        F_tr, y_tr, F_te, y_te, num_epochs=num_epochs, lr=lr,
        optimizer=optimizer, mask=mask, generator=run_generator(seed),
    )  # fmt: skip


# --8<-- [end:fit_polynomial]


def run_batches(
    *,
    num_features: int,
    num_epochs: int,
    seed: int,
    n_train: int = 100,
    batch_size: int = 10,
) -> torch.Tensor:
    """The minibatches of ``fit_polynomial``'s run with these arguments,
    in the order it takes them: its generator draws the initial weights
    (``num_features`` uniforms), then one permutation per epoch, cut
    into batches (``train_linear``).  A test replays the run from them.

    Returns:
        Example indices, shape (num_epochs * n_train / batch_size,
        batch_size).
    """
    if n_train % batch_size:
        raise ValueError("batch_size must divide n_train")
    g = run_generator(seed)
    torch.rand(num_features, 1, generator=g)  # the initial weights
    perms = [torch.randperm(n_train, generator=g) for _ in range(num_epochs)]
    return torch.cat(perms).reshape(-1, batch_size)


# --8<-- [start:basis_fixes]
#: (basis, optimizer, lr) of §4.4 exercise 3, for 20 features.
BASIS_FIXES = (
    ("factorial", "sgd", 0.01),  # the book
    ("raw", "sgd", 0.01),
    ("raw", "sgd", 1e-19),  # a step small enough to be stable
    ("raw", "adam", 0.01),
    ("standardized", "sgd", 0.01),
    ("standardized", "sgd", 0.001),
    ("standardized", "adam", 0.01),
    ("hermite", "sgd", 0.01),
)


def basis_fixes(
    num_epochs: int, seed: int = 0, fixes: tuple = BASIS_FIXES
) -> dict[tuple[str, str, float], dict]:
    """§4.4 exercise 3: a run of each (basis, optimizer, lr) of ``fixes``
    on seed's data set, keyed by that triple."""
    return {
        (basis, opt, lr): fit_polynomial(
            num_features=20,
            num_epochs=num_epochs,
            seed=seed,
            basis=basis,
            optimizer=opt,
            lr=lr,
        )
        for basis, opt, lr in fixes
    }


# --8<-- [end:basis_fixes]


def outcome(run: dict) -> str:
    """'diverged ... in epoch k', or the final train and test MSE."""
    if run["diverged_at"]:
        return f"diverged (non-finite loss) in epoch {run['diverged_at']}"
    return (
        f"train MSE {run['train_loss'][-1, 0]:.3g}, "
        f"test MSE {run['test_loss'][-1, 0]:.3g}"
    )
