"""The cached runs of §4.4: polynomial regression trained by SGD."""

from __future__ import annotations

import torch

from mlp_notes.claims import Claims
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


# --8<-- [start:basis_fixes]
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


def basis_fixes(num_epochs: int) -> dict[tuple[str, str, float], dict]:
    """§4.4 exercise 3: each (basis, optimizer, lr) of BASIS_FIXES, seed 0."""
    return {
        (basis, opt, lr): fit_polynomial(
            num_features=20,
            num_epochs=num_epochs,
            seed=0,
            basis=basis,
            optimizer=opt,
            lr=lr,
        )
        for basis, opt, lr in BASIS_FIXES
    }


def outcome(run: dict) -> str:
    """'diverged ... in epoch k', or the final train and test MSE."""
    if run["diverged_at"]:
        return f"diverged (non-finite loss) in epoch {run['diverged_at']}"
    return (
        f"train MSE {run['train_loss'][-1, 0]:.3g}, "
        f"test MSE {run['test_loss'][-1, 0]:.3g}"
    )


# --8<-- [end:basis_fixes]


def fix_claims(runs: dict) -> Claims:
    """What §4.4 asserts about ``basis_fixes``, with its thresholds."""
    final = {k: r["train_loss"][-1, 0].item() for k, r in runs.items()}
    test = {k: r["test_loss"][-1, 0].item() for k, r in runs.items()}
    diverged = {k: r["diverged_at"] for k, r in runs.items()}
    hermite, std_sgd = final["hermite", "sgd", 0.01], final[BASIS_FIXES[5]]
    return (
        Claims()
        .add(
            "raw SGD at lr 0.01 diverges in epoch 1, standardized SGD at "
            "lr 0.01 diverges, at lr 0.001 and raw Adam do not",
            diverged["raw", "sgd", 0.01] == 1
            and diverged["standardized", "sgd", 0.01]
            and not diverged[BASIS_FIXES[5]]
            and not diverged["raw", "adam", 0.01],
        )
        .add(
            f"raw SGD at lr 1e-19 ({final['raw', 'sgd', 1e-19]:.3g}) and raw "
            f"Adam ({final['raw', 'adam', 0.01]:.3g}) end with train MSE "
            "above 1",
            final["raw", "sgd", 1e-19] > 1 and final["raw", "adam", 0.01] > 1,
        )
        .add(
            f"Hermite's train MSE {hermite:.4f} below 0.012, its test MSE "
            f"{test['hermite', 'sgd', 0.01]:.3g} below 0.2 and above 2 x "
            "its train MSE (its fit is partly noise)",
            hermite < 0.012
            and 2 * hermite < test["hermite", "sgd", 0.01] < 0.2,
        )
        .add(
            f"standardized SGD (lr 0.001) {std_sgd:.4f} above 2 x Hermite's; "
            f"standardized Adam {final[BASIS_FIXES[6]]:.4f} below it",
            std_sgd > 2 * hermite and final[BASIS_FIXES[6]] < std_sgd,
        )
    )
