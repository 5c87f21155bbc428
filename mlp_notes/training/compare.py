"""The fast steps against autograd, side by side (§4.7 and the tests)."""

from __future__ import annotations

import torch
from torch import nn

from mlp_notes.data import Split
from mlp_notes.training import steps
from mlp_notes.training.backprop_sgd import BackpropSGD
from mlp_notes.training.batches import Minibatches
from mlp_notes.training.recipe import Recipe


def backprop_vs_autograd(
    model: nn.Module,
    twin: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    recipe: Recipe,
    *,
    seed: int = 0,
) -> dict[str, float]:
    """One epoch of ``model`` by ``BackpropSGD`` and of ``twin`` (an
    identical copy) by ``steps.AutogradStep`` (autograd and the recipe's
    optimizer), on the same minibatches.

    Returns:
        {"loss": (ours, autograd) summed losses, "correct": (ours,
        autograd), "max_weight_difference": after the epoch}.
    """
    manual = BackpropSGD(
        steps.relu_layers(model),
        X,
        y,
        lr=recipe.lr,
        label_smoothing=recipe.label_smoothing,
    )
    data = Split(X, y, X[:0], y[:0], X[:0], y[:0])
    auto = steps.AutogradStep(twin, data, recipe)
    ours, theirs = (
        step.epoch(
            Minibatches(
                len(X),
                recipe.batch_size,
                generator=torch.Generator().manual_seed(seed),
                device=X.device,
            )
        )
        for step in (manual, auto)
    )
    diff = max(
        (p - q).abs().max().item()
        for p, q in zip(model.parameters(), twin.parameters(), strict=True)
    )
    return {
        "loss": (ours[0], theirs[0]),
        "correct": (ours[1], theirs[1]),
        "max_weight_difference": diff,
    }
