"""The fast steps against autograd, side by side (§4.7 and the tests)."""

from __future__ import annotations

import torch
from torch import nn

from mlp_notes.training import steps
from mlp_notes.training.loop import train_epoch
from mlp_notes.training.recipe import Recipe, optimizer


def backprop_vs_autograd(
    model: nn.Module,
    twin: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    recipe: Recipe,
    *,
    seed: int = 0,
) -> dict[str, float]:
    """One epoch of ``model`` by ``steps.BackpropSGD`` and of ``twin`` (an
    identical copy) by autograd and the recipe's optimizer, with the same
    shuffles.

    Returns:
        {"loss": (ours, autograd) summed losses, "correct": (ours,
        autograd), "max_weight_difference": after the epoch}.
    """
    manual = steps.BackpropSGD(
        steps.relu_layers(model),
        lr=recipe.lr,
        label_smoothing=recipe.label_smoothing,
    )
    g = torch.Generator().manual_seed(seed)
    ours = manual.epoch(X, y, batch_size=recipe.batch_size, generator=g)
    opt = optimizer(recipe, twin.parameters())
    g = torch.Generator().manual_seed(seed)
    auto = train_epoch(twin, X, y, opt, recipe=recipe, generator=g)
    diff = max(
        (p - q).abs().max().item()
        for p, q in zip(model.parameters(), twin.parameters(), strict=True)
    )
    return {
        "loss": (ours[0], auto[0]),
        "correct": (ours[1], auto[1]),
        "max_weight_difference": diff,
    }
