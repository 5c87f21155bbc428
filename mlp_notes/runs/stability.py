"""The training runs of §4.8 (cached): symmetric starts, softmax
regression from equal weights, deep networks with SGD and LARS.  They
return small, picklable summaries for the page to print and plot."""

from __future__ import annotations

import torch

from mlp_notes import initialization
from mlp_notes.data import fashion_mnist_split
from mlp_notes.models import Spec, build
from mlp_notes.runs.cache import cached
from mlp_notes.stability import row_spread
from mlp_notes.stats import seeded
from mlp_notes.training import Recipe, fit

DEPENDS = ("mlp_notes.training", "mlp_notes.models", "mlp_notes.data")


# --8<-- [start:train_symmetric]
@cached(*DEPENDS, "mlp_notes.initialization", "mlp_notes.stability")
@seeded  # nn.Dropout's masks come from the global generator
def train_symmetric(
    *, value: float | None, net: Spec, recipe: Recipe, subset, seed: int
) -> dict:
    """Train a one-hidden-layer MLP from a constant (or random) start.

    Args:
        value: every weight starts at this value; None: ``net``'s init.
        net: a one-hidden-layer "concise" network (with or without
            dropout).

    Returns:
        {"history", "W1": first 8 hidden units' weights (8, 784),
        "spread": row_spread of W1, "spread_W2": of W2 transposed}.
    """
    g = torch.Generator().manual_seed(seed)
    model = build(net, generator=g)
    if value is not None:
        initialization.constant_(model, value)
    data = fashion_mnist_split(seed=0, subset=subset)
    history = fit(model, data, recipe, generator=g)
    W1, W2 = model[1].weight.detach().cpu(), model[-1].weight.detach().cpu()
    return {
        "history": history,
        "W1": W1[:8].clone(),
        "spread": row_spread(W1),
        "spread_W2": row_spread(W2.T),
    }


# --8<-- [end:train_symmetric]


@cached(*DEPENDS, "mlp_notes.initialization", "mlp_notes.stability")
def train_softmax_regression(
    *, value: float | None, recipe: Recipe, subset, seed: int
) -> dict:
    """Softmax regression from equal weights (or D2L's random start).

    Returns:
        {"history", "spread": row_spread of the (10, 784) weight,
        "initial_spread"}.
    """
    g = torch.Generator().manual_seed(seed)
    model = build(Spec(hiddens=()), generator=g)  # Flatten -> Linear
    if value is not None:
        initialization.constant_(model, value)
    start = row_spread(model[1].weight.detach().cpu())
    data = fashion_mnist_split(seed=0, subset=subset)
    history = fit(model, data, recipe, generator=g)
    W = model[1].weight.detach().cpu()
    return {
        "history": history,
        "spread": row_spread(W),
        "initial_spread": start,
    }


# --8<-- [start:train_deep]
@cached(*DEPENDS, "mlp_notes.optim")
def train_deep(*, net: Spec, recipe: Recipe, subset, seed: int) -> dict:
    """Train a deep network by ``recipe`` (SGD with momentum, or LARS).

    Returns:
        {"history": History (diverged_at set if the loss blew up)}.
    """
    g = torch.Generator().manual_seed(seed)
    model = build(net, generator=g)
    data = fashion_mnist_split(seed=0, subset=subset)
    return {"history": fit(model, data, recipe, generator=g)}


# --8<-- [end:train_deep]
