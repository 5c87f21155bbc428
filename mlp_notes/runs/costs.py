"""What a training step costs on this machine, for the build's estimate.

Each fit reports its workload (``training.workload``: "sgd/backprop",
"adamw/autograd/mixed", ...).  A workload's *reference step* is one step
of a fixed model of its kind, timed here; ``site.buildplan`` stores runs'
costs in reference steps and multiplies by these seconds to estimate a
build on this machine.
"""

from __future__ import annotations

import functools
import statistics
import time

import torch

from mlp_notes import settings
from mlp_notes.data import Split
from mlp_notes.models import Spec, build
from mlp_notes.runs.best import BEST_NET, BEST_RECIPE, standardized
from mlp_notes.runs.chapter import CHAPTER_RECIPE
from mlp_notes.training import steps
from mlp_notes.training.loop import minibatches

#: Steps per timed epoch; three timed epochs after a warm-up.
REFERENCE_STEPS = 10
#: Workloads with a reference of their own; others use autograd SGD's.
REFERENCES = ("sgd/backprop", "sgd/graph", "sgd/autograd")


def unit_workload(workload: str) -> str:
    """The workload whose reference step measures ``workload``."""
    if workload in REFERENCES or workload.startswith("adamw/"):
        return workload
    return "sgd/autograd"


def _synthetic(n: int) -> Split:
    g = torch.Generator().manual_seed(0)
    X = torch.rand(n, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    X, y = X.to(settings.default_device()), y.to(settings.default_device())
    return Split(X, y, X[:0], y[:0], X[:256], y[:256])


def _reference(workload: str):
    """(network, recipe, step) of ``workload``'s reference step."""
    kind = workload.split("/")
    if kind[0] == "adamw":
        recipe = BEST_RECIPE.replace(mixed_precision="mixed" in kind)
        return BEST_NET, recipe, "autograd"
    step = kind[1] if kind[0] == "sgd" and len(kind) > 1 else "autograd"
    if step == "graph" and settings.default_device().type != "cuda":
        step = "autograd"
    hiddens = (256,) if step in ("backprop", "graph") else (256, 256)
    return Spec(hiddens=hiddens), CHAPTER_RECIPE, step


@functools.cache
def reference_seconds(workload: str) -> float:
    """Seconds of one reference step of ``workload`` here: the median of
    three timed epochs of ``REFERENCE_STEPS`` steps, after a warm-up."""
    net, recipe, step = _reference(unit_workload(workload))
    data = _synthetic(recipe.batch_size * REFERENCE_STEPS)
    g = torch.Generator().manual_seed(0)
    if net is BEST_NET:  # as train_best builds it
        net = standardized(net, data)
    model = build(net, generator=g).to(data.device)
    step = steps.choose(model, data, recipe.replace(step=step))

    def run():
        step.epoch(minibatches(data, recipe, g))

    run()  # warm-up
    times = []
    for _ in range(3):
        if data.device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        run()
        if data.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / REFERENCE_STEPS
