"""The Fashion-MNIST runs of §4.2 and §4.3, each cached on disk.

A run is the network (``models.Spec``), how it is trained
(``training.Recipe``), the seed and the training images; every run
function is keyword-only, so a sweep is a loop of cached calls: adding a
point trains only that point, and a rebuild with nothing changed trains
nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch

from mlp_notes.data import fashion_mnist_split
from mlp_notes.models import Spec, build, num_parameters
from mlp_notes.runs.cache import REPORT, cached, seeded
from mlp_notes.training import History, Recipe, fit

#: Modules whose code every run here depends on (beyond this one).
DEPENDS = ("mlp_notes.training", "mlp_notes.models", "mlp_notes.data")

# --8<-- [start:chapter_recipe]
#: D2L's training of the chapter's MLP: minibatch SGD, learning rate 0.1,
#: batch 256, 10 epochs (a page sets its profile's epochs).
CHAPTER_RECIPE = Recipe(lr=0.1, batch_size=256, num_epochs=10)
#: D2L's network: 784 -> 256 -> 10, ReLU, N(0, 0.01^2) weights.
CHAPTER_NET = Spec(kind="concise", hiddens=(256,), init="normal")
# --8<-- [end:chapter_recipe]


def chapter_config(epochs: int, kind: str = "concise") -> dict:
    """The book's run for ``epochs`` epochs: ``CHAPTER_NET`` of ``kind``
    ("scratch" or "concise"), trained by ``CHAPTER_RECIPE``
    (``train_run(**chapter_config(10))``)."""
    return {
        "net": CHAPTER_NET.replace(kind=kind),
        "recipe": CHAPTER_RECIPE.replace(num_epochs=epochs),
    }


@dataclass
class Run:
    """A finished run: its history, size and (optionally) its weights."""

    history: History
    num_params: int
    state: dict | None = None
    mirror_val_acc: float | None = None
    mirror_test_acc: float | None = None
    test_correct: torch.Tensor | None = None  # (n_test,) bool, if recorded
    mirror_test_correct: torch.Tensor | None = None

    @property
    def val_acc(self) -> float | None:
        """Last validation accuracy (None after a refit without one)."""
        return self.history.val_acc[-1] if self.history.val_acc else None

    @property
    def test_acc(self) -> float | None:
        return self.history.test_acc

    @property
    def seconds(self) -> float:
        return sum(self.history.seconds)


# --8<-- [start:train_run]
@cached(*DEPENDS)
@seeded
def train_run(
    *,
    net: Spec = CHAPTER_NET,
    recipe: Recipe = CHAPTER_RECIPE,
    seed: int = 0,
    subset: int | None = None,
    keep_model: bool = False,
) -> Run:
    """Train ``net`` by ``recipe`` on Fashion-MNIST's training split.

    Args:
        seed: seeds the initialization and the minibatch order.
        subset: train on this many images of the training split.
        keep_model: also return the trained weights (CPU tensors).
    """
    g = torch.Generator().manual_seed(seed)
    model = build(net, generator=g)
    data = fashion_mnist_split(subset=subset)
    history = fit(model, data, recipe, generator=g, callbacks=REPORT)
    state = None
    if keep_model:
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return Run(history, num_parameters(model), state)


# --8<-- [end:train_run]


def rebuild(run: Run, net: Spec) -> torch.nn.Module:
    """The trained network of a ``keep_model=True`` run, on the CPU."""
    model = build(net)
    model.load_state_dict(run.state)
    return model.eval()


def sweep(
    name: str,
    values,
    *,
    net: Spec = CHAPTER_NET,
    recipe: Recipe = CHAPTER_RECIPE,
    seeds,
    **run,
) -> dict[object, list[Run]]:
    """``train_run`` for each value of one setting and each seed.

    Args:
        name: a field of ``Spec`` (e.g. "hiddens"), of ``Recipe`` (e.g.
            "lr") or an argument of ``train_run`` (e.g. "subset").
        values: its values.
        seeds: seeds per point (every point runs with the same seeds, so
            points can be compared seed by seed).
        net: the network, where ``name`` does not change it.
        recipe: the recipe, where ``name`` does not change it.
        run: the other arguments of ``train_run``, fixed.
    """
    out = {}
    for v in values:
        config = {"net": net, "recipe": recipe, **run}
        for key, obj in (("net", net), ("recipe", recipe)):
            if name in {f.name for f in dataclasses.fields(obj)}:
                config[key] = obj.replace(**{name: v})
                break
        else:
            config[name] = v
        out[v] = [train_run(**config, seed=s) for s in seeds]
    return out
