"""The Fashion-MNIST runs the §4.2 and §4.3 pages show, each cached on disk.

Every run is a keyword-only function of its configuration, so a sweep is a
loop of cached calls: adding a point to a sweep trains only that point,
and a rebuild with nothing changed trains nothing.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch

from mlp_notes import settings
from mlp_notes.cache import cached
from mlp_notes.models import MLPScratch, mlp, num_parameters
from mlp_notes.regularization import FastDropout
from mlp_notes.training import History, accuracy, fashion_mnist_split, fit

DEPENDS = (
    "mlp_notes.training",
    "mlp_notes.models",
    "mlp_notes.activations",
    "mlp_notes.data",
    "mlp_notes.regularization",
)


@dataclass
class Run:
    """A finished run: its history, size and (optionally) its weights."""

    history: History
    num_params: int
    state: dict | None = None
    mirror_val_acc: float | None = None
    mirror_test_acc: float | None = None

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
def seeded(fn):
    """Run ``fn`` with the global RNG seeded (dropout masks use it) and
    restored afterwards, so a cached and an uncached call leave the
    caller's random state alike."""

    @functools.wraps(fn)
    def wrapper(**kwargs):
        with torch.random.fork_rng():
            torch.manual_seed(kwargs.get("seed", 0))
            return fn(**kwargs)

    return wrapper


@cached(*DEPENDS)
@seeded
def train_run(
    *,
    model: str = "concise",
    hiddens: tuple[int, ...] = (256,),
    activation: str = "relu",
    init: str = "normal",
    dropout: float = 0.0,
    lr: float = 0.1,
    num_epochs: int = 10,
    batch_size: int = 256,
    seed: int = 0,
    subset: int | None = None,
    keep_model: bool = False,
) -> Run:
    """Train one MLP on Fashion-MNIST with D2L's recipe (SGD, batch 256).

    Args:
        model: "scratch" (``MLPScratch``, one hidden layer) or "concise".
        hiddens: hidden widths (passed to ``models.mlp``).
        activation: activation name (passed to ``models.mlp``).
        init: initialization scheme (passed to ``models.mlp``).
        dropout: dropout after each hidden layer.
        lr: learning rate of SGD.
        num_epochs: passes over the training split.
        batch_size: minibatch size.
        seed: seeds the initialization and the minibatch order.
        subset: train on this many images of the training split.
        keep_model: also return the trained weights (CPU tensors).
    """
    g = torch.Generator().manual_seed(seed)
    if model == "scratch":
        (num_hiddens,) = hiddens
        net = MLPScratch(num_hiddens=num_hiddens, generator=g)
    elif model == "concise":
        net = mlp(
            hiddens,
            activation=activation,
            init=init,
            dropout=dropout,
            generator=g,
        )
    else:
        raise ValueError(f"model must be 'scratch' or 'concise': {model!r}")
    data = fashion_mnist_split(subset=subset)
    history = fit(
        net,
        data,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        generator=g,
    )
    state = None
    if keep_model:
        state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
    return Run(history=history, num_params=num_parameters(net), state=state)


# --8<-- [end:train_run]


def rebuild(run: Run, **config) -> torch.nn.Module:
    """The trained network of a ``keep_model=True`` run, on the CPU."""
    if config.get("model", "concise") == "scratch":
        (num_hiddens,) = config.get("hiddens", (256,))
        net = MLPScratch(num_hiddens=num_hiddens)
    else:
        net = mlp(
            config.get("hiddens", (256,)),
            activation=config.get("activation", "relu"),
            dropout=config.get("dropout", 0.0),
        )
    net.load_state_dict(run.state)
    return net.eval()


def seeds_summary(
    runs: list[Run], attr: str = "val_acc"
) -> tuple[float, float]:
    """Mean and sample standard deviation of ``attr`` over seeds.

    The std is NaN for a single run (the quick profile's one seed).
    """
    return spread([getattr(r, attr) for r in runs])


def spread(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (NaN for a single value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, math.nan
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, var**0.5


def fmt_spread(mean: float, std: float) -> str:
    """ "0.8412 ± 0.0021" (or "0.8412 (1 seed)" when there is no spread)."""
    if math.isnan(std):
        return f"{mean:.4f} (1 seed)"
    return f"{mean:.4f} ± {std:.4f}"


def sweep(name: str, values, *, seeds=None, **base) -> dict[object, list[Run]]:
    """``train_run`` for each value of one hyperparameter and each seed.

    Args:
        name: the argument of ``train_run`` to vary (e.g. "lr").
        values: its values.
        seeds: seeds per point (default: the profile's).
        base: the other arguments, fixed.
    """
    seeds = settings.profile().seeds if seeds is None else seeds
    return {
        v: [train_run(**{**base, name: v, "seed": s}) for s in seeds]
        for v in values
    }


# --8<-- [start:best_recipe]
#: Beyond the book: a wider, regularized MLP trained with AdamW.  Its
#: architecture, dropout and epochs (``Profile.best_epochs``) were settled
#: on validation by the GPU probes in benchmarks/probes/ (see §4.3).
BEST_RECIPE = dict(
    hiddens=(1024, 1024),
    dropout=0.1,  # after each hidden layer
    input_dropout=0.0,  # on the pixels
    lr=2e-3,  # peak of the one-cycle schedule
    weight_decay=0.05,  # decoupled (AdamW)
    label_smoothing=0.1,
    flip=True,  # mirror half the images each epoch
    batch_size=256,
    mixed_precision=True,  # bfloat16 forward pass, where it is fast
)


def best_model(
    cfg: dict, data, *, generator: torch.Generator | None = None
) -> torch.nn.Module:
    """``cfg``'s network (a ``BEST_RECIPE``), inputs standardized with the
    training split's pixel mean and std."""
    mean, std = data.X_train.mean().item(), data.X_train.std().item()
    return mlp(
        cfg["hiddens"],
        dropout=cfg["dropout"],
        input_dropout=cfg["input_dropout"],
        init="default",
        standardize=(mean, std),
        dropout_module=FastDropout,  # nn.Dropout's CPU masks cost more
        generator=generator,
    )


def best_fit_options(cfg: dict) -> dict:
    """``fit``'s keyword arguments for ``cfg``'s training recipe."""
    return dict(
        lr=cfg["lr"],
        batch_size=cfg["batch_size"],
        optimizer="adamw",
        weight_decay=cfg["weight_decay"],
        schedule="onecycle",
        label_smoothing=cfg["label_smoothing"],
        flip=cfg["flip"],
        mixed_precision=cfg["mixed_precision"],
    )


@cached(*DEPENDS)
@seeded
def train_best(
    *,
    num_epochs: int,
    seed: int = 0,
    subset: int | None = None,
    refit: bool = False,
    **recipe,
) -> Run:
    """Train ``BEST_RECIPE`` (overridable) on standardized inputs.

    The Run also records validation and test accuracy of mirror-averaged
    predictions (``accuracy(..., mirror=True)``).  With ``refit``, it
    trains on all 60,000 training images (``subset`` of them): the final
    model, once the choices are made on validation; it has no validation
    accuracy.
    """
    cfg = {**BEST_RECIPE, **recipe}
    g = torch.Generator().manual_seed(seed)
    data = fashion_mnist_split(val_size=0 if refit else 10_000, subset=subset)
    net = best_model(cfg, data, generator=g)
    history = fit(
        net, data, num_epochs=num_epochs, generator=g, **best_fit_options(cfg)
    )
    return Run(
        history=history,
        num_params=num_parameters(net),
        mirror_val_acc=None
        if refit
        else accuracy(net, data.X_val, data.y_val, mirror=True),
        mirror_test_acc=accuracy(net, data.X_test, data.y_test, mirror=True),
    )


# --8<-- [end:best_recipe]


# --8<-- [start:best_mlp]
@dataclass
class BestMLP:
    """The stronger MLP of §4.3: its validation run and its refits.

    Attributes:
        trial: seed 0 on the training split, scored on validation.
        mirror: whether mirror-averaged predictions won on validation.
        runs: the recipe retrained on all training images, one run per
            seed (seed 0 first); they have no validation accuracy.
    """

    trial: Run
    mirror: bool
    runs: list[Run]

    @property
    def val_acc(self) -> float:
        """The trial's validation accuracy, predicting as chosen."""
        t = self.trial
        return t.mirror_val_acc if self.mirror else t.val_acc

    def test_accs(self) -> list[float]:
        """Test accuracy of each refit, predicting as chosen."""
        return [
            r.mirror_test_acc if self.mirror else r.test_acc for r in self.runs
        ]


def best_mlp(profile: settings.Profile) -> BestMLP:
    """Train ``BEST_RECIPE`` on the training split and score it on
    validation, where plain and mirror-averaged predictions are compared;
    then retrain it unchanged on all training images, validation images
    included (nothing is chosen after this point), once per seed of the
    profile.  The test set is evaluated only for reporting.
    """
    budget = dict(num_epochs=profile.best_epochs, subset=profile.best_subset)
    trial = train_best(seed=0, **budget)
    mirror = trial.mirror_val_acc > trial.val_acc
    runs = [train_best(seed=s, refit=True, **budget) for s in profile.seeds]
    return BestMLP(trial, mirror, runs)


# --8<-- [end:best_mlp]
