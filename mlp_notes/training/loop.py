"""Training on in-memory tensors: ``fit(model, data, recipe)`` -> History.

The data set lives on the device as a few tensors; an epoch permutes the
training tensor once and gathers minibatches from it (``Minibatches``: no
per-image transforms, no DataLoader workers); a step
(``steps.choose``) trains on them.  Model selection uses a validation
split carved out of the 60,000 training images; the test set is only
evaluated for reporting.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from mlp_notes.data import Split
from mlp_notes.training import steps
from mlp_notes.training.batches import Minibatches
from mlp_notes.training.recipe import Recipe


@dataclass
class History:
    """Per-epoch record of a training run.

    Attributes:
        train_loss: mean cross-entropy over each epoch's minibatches.
        train_acc: accuracy on the minibatches as they were trained.
        val_acc: validation accuracy after each epoch (empty when the split
            holds no validation images: a final refit on all of them).
        seconds: wall-clock seconds of each epoch (training only; the
            first also includes any CUDA-graph capture).
        test_acc: test accuracy after the last epoch (reporting only).
        diverged_at: first epoch (1-based) whose loss was not finite.
        requested_precision: what the recipe asked for: "bfloat16"
            (mixed precision) or "float32".
        precision: what the run trained in (see ``mlp_notes.precision``:
            bfloat16 only where the hardware runs it fast).
        step: how each step was computed ("autograd", "backprop" or
            "graph": the same training, see ``training.steps``).
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    test_acc: float | None = None
    diverged_at: int | None = None
    requested_precision: str = "float32"
    precision: str = "float32"
    step: str = ""

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @classmethod
    def of(cls, recipe: Recipe, step) -> History:
        """An empty history of a run by ``recipe`` with ``step``."""
        asked = "bfloat16" if recipe.mixed_precision else "float32"
        return cls(
            requested_precision=asked, precision=step.precision, step=step.name
        )

    def record_epoch(self, loss_sum: float, correct: int, n: int, seconds):
        """Append one epoch; False if its loss is not finite (diverged)."""
        self.train_loss.append(loss_sum / n)
        self.train_acc.append(correct / n)
        self.seconds.append(seconds)
        if not math.isfinite(self.train_loss[-1]):
            self.diverged_at = len(self.train_loss)
            return False
        return True

    def late_val_acc(self, k: int = 3, upto: int | None = None) -> float:
        """Mean validation accuracy of the ``k`` epochs up to epoch
        ``upto`` (default: the last): less noisy than one epoch's alone
        when SGD's steps are large."""
        upto = len(self.val_acc) if upto is None else upto
        last = self.val_acc[max(0, upto - k) : upto]
        return sum(last) / len(last)


# --8<-- [start:evaluate]
@torch.no_grad()
def predict(
    model: nn.Module,
    X: torch.Tensor,
    batch_size: int = 4096,
    *,
    mirror: bool = False,
) -> torch.Tensor:
    """The argmax class of each image, (n,), with the model in eval mode.

    With ``mirror``, the prediction averages the softmax of each image and
    of its left-right mirror image (test-time augmentation).
    """
    if len(X) == 0:
        raise ValueError("predictions for an empty set: no images given")
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(X), batch_size):
        Xb = X[i : i + batch_size]
        scores = model(Xb).softmax(1)
        if mirror:
            scores += model(Xb.flip(-1)).softmax(1)
        out.append(scores.argmax(dim=1))
    model.train(was_training)
    return torch.cat(out)


def accuracy(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 4096,
    *,
    mirror: bool = False,
) -> float:
    """Fraction of correct predictions (see :func:`predict`)."""
    correct = predict(model, X, batch_size, mirror=mirror) == y
    return int(correct.sum()) / len(X)


# --8<-- [end:evaluate]


# --8<-- [start:fit]
def fit(
    model: nn.Module,
    data: Split,
    recipe: Recipe,
    *,
    generator: torch.Generator | None = None,
    callbacks: Sequence = (),
) -> History:
    """Train ``model`` on ``data`` by ``recipe``; return its History.

    The step (``steps.choose``: the fastest that trains the same way) and
    the precision are chosen once and recorded.  A non-finite loss stops
    training (recorded as ``diverged_at``).  ``generator`` shuffles the
    minibatches; ``callbacks`` hear of each minibatch and epoch.
    """
    began = time.perf_counter()
    model.to(data.device)
    step = steps.choose(model, data, recipe)
    history = History.of(recipe, step)
    tell = functools.partial(_tell, callbacks)
    start = began  # the first epoch includes choosing the step
    for _ in range(recipe.num_epochs):
        batches = minibatches(data, recipe, generator, on_batch=tell)
        loss_sum, correct = step.epoch(batches)
        seconds = time.perf_counter() - start
        fine = history.record_epoch(loss_sum, correct, batches.n, seconds)
        if len(data.X_val):  # a final refit on all images has none
            history.val_acc.append(
                accuracy(model, data.X_val, data.y_val) if fine else math.nan
            )
        if not fine:
            break
        tell("on_epoch", history)
        start = time.perf_counter()
    if not history.diverged:
        history.test_acc = accuracy(model, data.X_test, data.y_test)
    seconds = time.perf_counter() - began
    tell("on_end", history, workload(recipe, step.name), seconds)
    return history


# --8<-- [end:fit]


def _tell(callbacks, event: str, *args) -> None:
    """Call ``event`` on each callback that has it."""
    for callback in callbacks:
        if hasattr(callback, event):
            getattr(callback, event)(*args)


def minibatches(
    data: Split, recipe: Recipe, generator=None, on_batch=None
) -> Minibatches:
    """One epoch's minibatches of ``data``'s training images by
    ``recipe`` (``on_batch``: ``fit``'s callbacks, told "on_batch")."""
    tick = functools.partial(on_batch, "on_batch") if on_batch else None
    return Minibatches(
        len(data.X_train),
        recipe.batch_size,
        generator=generator,
        device=data.device,
        flip=recipe.flip,
        on_batch=tick,
    )


def workload(recipe: Recipe, step: str) -> str:
    """The kind of training step a run takes, for cost estimates:
    "<optimizer>/<step>", with "/mixed" where mixed precision was asked."""
    return f"{recipe.optimizer}/{step}" + (
        "/mixed" if recipe.mixed_precision else ""
    )
