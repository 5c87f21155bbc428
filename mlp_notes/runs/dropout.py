"""The runs of §4.6: D2L's dropout network on Fashion-MNIST (cached)."""

from __future__ import annotations

import torch

from mlp_notes.data import fashion_mnist_split
from mlp_notes.models import Spec, build
from mlp_notes.runs.cache import REPORT, cached, seeded
from mlp_notes.training import History, Recipe, fit

# --8<-- [start:settings]
#: D2L's network: 784 -> 256 -> 256 -> 10, dropout 0.2 then 0.5.
DROPOUT_NET = Spec(
    kind="dropout_scratch", hiddens=(256, 256), dropout=(0.2, 0.5)
)
#: The same network in D2L's concise style (nn.Dropout, N(0, 0.01^2)).
DROPOUT_CONCISE_NET = Spec(hiddens=(256, 256), dropout=(0.2, 0.5))
#: D2L's training of it: SGD, learning rate 0.5, batch 256, 10 epochs.
DROPOUT_RECIPE = Recipe(lr=0.5, batch_size=256, num_epochs=10)
#: The exercises train at the current edition's rate.
EXERCISE_RECIPE = DROPOUT_RECIPE.replace(lr=0.1)
# --8<-- [end:settings]


# --8<-- [start:run]
@cached("mlp_notes.training", "mlp_notes.models", "mlp_notes.data")
@seeded  # nn.Dropout's masks come from the global generator
def train_dropout(
    *,
    net: Spec = DROPOUT_NET,
    recipe: Recipe = DROPOUT_RECIPE,
    seed: int = 0,
    subset: int | None = None,
    track: bool = False,
    keep_state: bool = False,
) -> dict:
    """Train ``net`` by ``recipe`` on the split.

    With ``track``, after each epoch the variance of each hidden layer
    (over 1000 validation images, averaged over units, training mode, i.e.
    with the noise) is recorded, and the noise drawn for it is given back:
    a tracked run trains exactly like an untracked one, and under a
    constant learning rate its first k epochs are the k-epoch run.

    Returns:
        dict with "history", "var" ({name: [per epoch]} if ``track``) and
        "state" (the weights, if ``keep_state``).
    """
    data = fashion_mnist_split(seed=0, subset=subset)
    g = torch.Generator().manual_seed(seed)
    model = build(net, generator=torch.Generator().manual_seed(seed))
    var = {}
    tracker = VarianceTracker(model, data.X_val[:1000], var)
    callbacks = (*REPORT, tracker) if track else REPORT
    history = fit(model, data, recipe, generator=g, callbacks=callbacks)
    out = {"history": history, "var": var}
    if keep_state:
        out["state"] = {k: v.cpu() for k, v in model.state_dict().items()}
    return out


# --8<-- [end:run]


class VarianceTracker:
    """A ``fit`` callback: after each epoch, append each hidden layer's
    variance on X (training mode, averaged over units) to ``var``; the
    noise drawn for it is given back."""

    def __init__(self, model, X: torch.Tensor, var: dict) -> None:
        self.model, self.X, self.var = model, X, var

    @torch.no_grad()
    def on_epoch(self, history) -> None:
        noise_state = self.model.generator.get_state()
        was = self.model.training
        self.model.train()
        for name, H in self.model.hidden(self.X).items():
            self.var.setdefault(name, []).append(H.var(0).mean().item())
        self.model.generator.set_state(noise_state)
        self.model.train(was)


# --8<-- [start:arm]
def arm(net: Spec, *, seeds, **run) -> list[History]:
    """One setting's runs, one per seed (cached ``train_dropout`` calls).

    Two arms run with the same seeds start from the same weights and see
    the same minibatches, so they can be compared seed by seed
    (``stats.paired``).
    """
    return [train_dropout(net=net, seed=s, **run)["history"] for s in seeds]


def late_val(histories: list[History], k: int = 3) -> list[float]:
    """Each run's mean validation accuracy over its last ``k`` epochs."""
    return [h.late_val_acc(k) for h in histories]


# --8<-- [end:arm]
