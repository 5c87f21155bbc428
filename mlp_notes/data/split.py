"""Train / validation / test splits of Fashion-MNIST, as device tensors."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

from mlp_notes import settings
from mlp_notes.data.fashion_mnist import load_fashion_mnist


@dataclass(frozen=True)
class Split:
    """Train / validation / test tensors on one device.

    X_*: float32 (n, 1, 28, 28) in [0, 1]; y_*: int64 (n,).  ``w_train``
    (optional, float (n_train,)): a weight per training example; training
    then minimizes the weighted mean loss (importance weighting, §4.9).
    Make one with ``dataclasses.replace(split, w_train=w)``.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    w_train: torch.Tensor | None = None

    def __post_init__(self) -> None:
        w = self.w_train
        if w is not None and (
            w.shape != self.y_train.shape
            or w.device != self.X_train.device
            or not w.is_floating_point()
            or not bool(torch.isfinite(w).all() and (w >= 0).all())
        ):
            raise ValueError(
                "w_train must be finite, non-negative floats, one per "
                f"training example, on {self.X_train.device}"
            )

    @property
    def device(self) -> torch.device:
        return self.X_train.device


# --8<-- [start:split]
@functools.lru_cache(maxsize=8)
def fashion_mnist_split(
    val_size: int = 10_000,
    *,
    seed: int = 0,
    subset: int | None = None,
    device: str | None = None,
) -> Split:
    """Fashion-MNIST with ``val_size`` training images held out.

    Args:
        val_size: validation images taken from the 60,000 training images
            (0 for a final refit on all of them, once choices are made).
        seed: seed of the permutation that chooses them.
        subset: keep only this many of the remaining training images.
        device: where the tensors live (default: CUDA if present).
    """
    X, y, X_test, y_test = load_fashion_mnist()
    if not 0 <= val_size < len(X):
        raise ValueError(f"val_size must be in [0, {len(X)}): got {val_size}")
    if subset is not None and subset < 1:
        raise ValueError(f"subset must be >= 1 images, got {subset}")
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(X), generator=g)
    val, train = perm[:val_size], perm[val_size:]
    if subset is not None:
        train = train[:subset]
    dev = torch.device(device) if device else settings.default_device()
    return Split(
        *(t.to(dev) for t in (X[train], y[train], X[val], y[val])),
        X_test.to(dev),
        y_test.to(dev),
    )


# --8<-- [end:split]
