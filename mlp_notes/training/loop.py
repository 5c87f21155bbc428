"""Training on in-memory tensors: ``fit(model, data, recipe)`` -> History.

The data set lives on the device as a few tensors; an epoch permutes the
training tensor once and gathers minibatches from it (no per-image
transforms, no DataLoader workers).  Model selection uses a validation
split carved out of the 60,000 training images; the test set is only
evaluated for reporting.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes import telemetry
from mlp_notes.data import Split
from mlp_notes.training import graphs, precision, steps
from mlp_notes.training.progress import batches, epochs
from mlp_notes.training.recipe import Recipe, optimizer, scheduler


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
        precision: what the run trained in (see ``training.precision``:
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
def accuracy(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 4096,
    *,
    mirror: bool = False,
) -> float:
    """Fraction of correct argmax predictions, with the model in eval mode.

    With ``mirror``, the prediction averages the softmax of each image and
    of its left-right mirror image (test-time augmentation).
    """
    if len(X) == 0:
        raise ValueError("accuracy of an empty set: no images given")
    was_training = model.training
    model.eval()
    correct = 0
    for i in range(0, len(X), batch_size):
        Xb = X[i : i + batch_size]
        scores = model(Xb).softmax(1)
        if mirror:
            scores += model(Xb.flip(-1)).softmax(1)
        correct += (scores.argmax(dim=1) == y[i : i + batch_size]).sum()
    model.train(was_training)
    return int(correct) / len(X)


# --8<-- [end:evaluate]


# --8<-- [start:train_epoch]
def train_epoch(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    opt: torch.optim.Optimizer,
    sched=None,
    *,
    recipe: Recipe,
    generator: torch.Generator | None = None,
    mixed_precision: bool = False,
) -> tuple[float, int]:
    """One pass over (X, y) in shuffled minibatches of the recipe's size.

    With ``recipe.flip``, each image is mirrored left-right with
    probability 1/2 (augmentation: a mirrored shoe is still a shoe).  With
    ``mixed_precision`` (the precision resolved for this hardware), the
    forward pass runs under ``torch.autocast`` in bfloat16 (weights,
    gradients and updates stay float32).

    Returns:
        The summed loss and the number of correct predictions.
    """
    batch_size, flip = recipe.batch_size, recipe.flip
    label_smoothing = recipe.label_smoothing
    model.train()
    perm = torch.randperm(len(X), generator=generator).to(X.device)
    y_perm = y[perm]  # labels in this epoch's order: batches are slices
    if flip:
        mirror = (torch.rand(len(X), generator=generator) < 0.5).to(X.device)
    # Minibatches are gathered into a reused buffer: no shuffled copy of
    # the whole data set, and the batch stays in cache for the matmul.
    X_buf = X.new_empty((min(batch_size, len(X)), *X.shape[1:]))
    predicted = torch.empty_like(y_perm)
    loss_sum = torch.zeros((), dtype=X.dtype, device=X.device)
    for i in batches(len(X), batch_size):  # range(0, len(X), batch_size)
        idx = perm[i : i + batch_size]
        Xb = torch.index_select(X, 0, idx, out=X_buf[: len(idx)])
        yb = y_perm[i : i + batch_size]
        if flip:
            m = mirror[i : i + batch_size]
            Xb[m] = Xb[m].flip(-1)
        with torch.autocast(
            X.device.type, dtype=torch.bfloat16, enabled=mixed_precision
        ):
            logits = model(Xb)  # (batch_size, num_outputs)
            loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        # running sums stay on the device: no .item(), no sync per step
        loss_sum.add_(loss.detach(), alpha=len(yb))
        torch.argmax(logits, 1, out=predicted[i : i + batch_size])
    return loss_sum.item(), int((predicted == y_perm).sum())


# --8<-- [end:train_epoch]


# --8<-- [start:epoch_runner]
def epoch_runner(
    step: str,
    model: nn.Module,
    data: Split,
    recipe: Recipe,
    *,
    mixed_precision: bool = False,
    generator: torch.Generator | None = None,
) -> Callable[[], tuple[float, int]]:
    """A function that trains one epoch per call by ``step`` (see
    ``steps.choose``) and returns the summed loss and the number of
    correct predictions.  The training is the same whichever step."""
    X, y = data.X_train, data.y_train
    if step == "backprop":  # the hand-derived step: no optimizer object
        manual = steps.BackpropSGD(
            steps.relu_layers(model),
            lr=recipe.lr,
            label_smoothing=recipe.label_smoothing,
        )
        return functools.partial(
            manual.epoch, X, y, batch_size=recipe.batch_size,
            generator=generator,
        )  # fmt: skip
    opt = optimizer(recipe, model.parameters())
    if step == "graph":
        graphed = graphs.GraphedStep(
            model, opt, X, y, batch_size=recipe.batch_size,
            label_smoothing=recipe.label_smoothing,
        )  # fmt: skip
        return functools.partial(graphed.epoch, generator)
    sched = scheduler(recipe, opt, -(-len(X) // recipe.batch_size))
    return functools.partial(
        train_epoch, model, X, y, opt, sched, recipe=recipe,
        generator=generator, mixed_precision=mixed_precision,
    )  # fmt: skip


# --8<-- [end:epoch_runner]


# --8<-- [start:fit]
def fit(
    model: nn.Module,
    data: Split,
    recipe: Recipe,
    *,
    generator: torch.Generator | None = None,
    progress: bool = False,
) -> History:
    """Train ``model`` on ``data`` by ``recipe``; return its History.

    The step is chosen once (``steps.choose``), the precision too
    (``precision.resolve``); both are recorded.  Validation accuracy is
    measured after each epoch, test accuracy once at the end (reporting
    only).  A non-finite loss stops training and is recorded as
    ``diverged_at`` instead of raising.  ``generator`` shuffles the
    minibatches; ``progress`` shows a bar (terminals, not pages).
    """
    began = time.perf_counter()
    model.to(data.device)
    used = precision.resolve(recipe.mixed_precision, data.device)
    step = steps.choose(model, data.device, recipe, used, data.X_train[:64])
    start = time.perf_counter()  # the first epoch includes any capture
    run_epoch = epoch_runner(
        step, model, data, recipe, generator=generator,
        mixed_precision=used == "bfloat16",
    )  # fmt: skip
    asked = "bfloat16" if recipe.mixed_precision else "float32"
    history = History(requested_precision=asked, precision=used, step=step)
    n = len(data.X_train)
    for _ in epochs(recipe.num_epochs, progress, history):
        loss_sum, correct = run_epoch()
        seconds = time.perf_counter() - start
        fine = history.record_epoch(loss_sum, correct, n, seconds)
        if len(data.X_val):  # a final refit on all images has none
            history.val_acc.append(
                accuracy(model, data.X_val, data.y_val) if fine else math.nan
            )
        if not fine:
            break
        start = time.perf_counter()
    if not history.diverged:
        history.test_acc = accuracy(model, data.X_test, data.y_test)
    telemetry.emit(
        "fit", workload=workload(recipe, step), steps=len(history.seconds),
        seconds=time.perf_counter() - began,
    )  # fmt: skip
    return history


# --8<-- [end:fit]


def workload(recipe: Recipe, step: str) -> str:
    """The kind of training step a run takes, for cost estimates:
    "<optimizer>/<step>", with "/mixed" where mixed precision was asked."""
    return f"{recipe.optimizer}/{step}" + (
        "/mixed" if recipe.mixed_precision else ""
    )
