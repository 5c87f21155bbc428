"""The training runs of §4.7 and §4.8.

§4.8's are cached: symmetric starts, softmax regression from equal
weights, deep networks with SGD and LARS; they return small, picklable
summaries for the page to print and plot.  §4.7's is one epoch of the
fused backprop step beside autograd (not cached: a second).  Seeds,
epochs (in the recipe) and training subsets are arguments.
"""

from __future__ import annotations

import torch

from mlp_notes import initialization
from mlp_notes.data import fashion_mnist_split
from mlp_notes.models import Spec, build
from mlp_notes.runs.cache import REPORT, cached, seeded
from mlp_notes.stability import row_spread
from mlp_notes.training import Recipe, fit
from mlp_notes.training.compare import backprop_vs_autograd

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
    history = fit(model, data, recipe, generator=g, callbacks=REPORT)
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
    history = fit(model, data, recipe, generator=g, callbacks=REPORT)
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
    return {"history": fit(model, data, recipe, generator=g, callbacks=REPORT)}


# --8<-- [end:train_deep]


# --8<-- [start:symmetric_starts]
def symmetric_starts(
    net: Spec, recipe: Recipe, *, subset, seed: int = 0
) -> dict[str, dict]:
    """``train_symmetric`` from three starts: every weight 0.01, the
    same with dropout 0.5 after the hidden layer, and ``net``'s random
    N(0, 0.01^2) init."""
    starts = {
        "constant 0.01": dict(value=0.01, net=net),
        "constant 0.01 + dropout 0.5": dict(
            value=0.01, net=net.replace(dropout=0.5)
        ),
        "random N(0, 0.01^2)": dict(value=None, net=net),
    }
    return {
        name: train_symmetric(**start, recipe=recipe, subset=subset, seed=seed)
        for name, start in starts.items()
    }


# --8<-- [end:symmetric_starts]


# --8<-- [start:fused_step_epoch]
def fused_step_epoch(
    *,
    hiddens: tuple[int, ...],
    lr: float,
    batch_size: int,
    label_smoothing: float,
    subset: int,
    init_seed: int,
    seed: int,
) -> dict:
    """One epoch of ``BackpropSGD`` (§4.7's equations, fused with the
    update) and one of autograd with ``torch.optim.SGD``, in float64 on
    the first ``subset`` training images, from the same weights (He init,
    seed ``init_seed``) and on the same minibatches (seed ``seed``).

    Returns:
        {"loss": {"backprop", "autograd"} summed losses, "correct": the
        same for correct predictions, "max_weight_difference"}.
    """
    data = fashion_mnist_split(subset=subset, device="cpu")
    spec = Spec(hiddens=hiddens, init="he")
    nets = [
        build(spec, generator=torch.Generator().manual_seed(init_seed))
        for _ in range(2)
    ]
    recipe = Recipe(
        lr=lr, batch_size=batch_size, label_smoothing=label_smoothing
    )
    X = data.X_train.double()
    check = backprop_vs_autograd(
        *(net.double() for net in nets), X, data.y_train, recipe, seed=seed
    )
    return {
        key: dict(zip(("backprop", "autograd"), check[key]))
        for key in ("loss", "correct")
    } | {"max_weight_difference": check["max_weight_difference"]}


# --8<-- [end:fused_step_epoch]
