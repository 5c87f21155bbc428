"""Training on in-memory tensors: ``fit`` returns a ``History``.

The data set lives on the device as a few tensors; an epoch permutes the
training tensor once and slices minibatches from it (no per-image
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

from mlp_notes import precision, settings, telemetry
from mlp_notes.data import load_fashion_mnist
from mlp_notes.steps import (
    BackpropSGD,
    GraphedStep,
    backprop_eligible,
    graph_eligible,
    relu_layers,
)


@dataclass(frozen=True)
class Split:
    """Train / validation / test tensors on one device.

    X_*: float32 (n, 1, 28, 28) in [0, 1]; y_*: int64 (n,).
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def device(self) -> torch.device:
        return self.X_train.device


# --8<-- [start:split]
@functools.lru_cache(maxsize=8)
def fashion_mnist_split(
    val_size: int = 10_000,
    *,
    seed: int = 0,
    subset: int | None = None,
    device: str | None = None,
) -> Split:
    """Fashion-MNIST with ``val_size`` training images held out.

    Args:
        val_size: validation images taken from the 60,000 training images
            (0 for a final refit on all of them, once choices are made).
        seed: seed of the permutation that chooses them.
        subset: keep only this many of the remaining training images.
        device: where the tensors live (default: CUDA if present).
    """
    X, y, X_test, y_test = load_fashion_mnist()
    if not 0 <= val_size < len(X):
        raise ValueError(f"val_size must be in [0, {len(X)}): got {val_size}")
    if subset is not None and subset < 1:
        raise ValueError(f"subset must be >= 1 images, got {subset}")
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(len(X), generator=g)
    val, train = perm[:val_size], perm[val_size:]
    if subset is not None:
        train = train[:subset]
    dev = torch.device(device) if device else settings.default_device()
    return Split(
        *(t.to(dev) for t in (X[train], y[train], X[val], y[val])),
        X_test.to(dev),
        y_test.to(dev),
    )


# --8<-- [end:split]


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
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    test_acc: float | None = None
    diverged_at: int | None = None
    requested_precision: str = "float32"
    precision: str = "float32"

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

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

OptimizerFactory = Callable[..., torch.optim.Optimizer]


def make_optimizer(
    name: str | OptimizerFactory,
    params,
    *,
    lr: float,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
) -> torch.optim.Optimizer:
    """Build "sgd", "adamw", or ``factory(params, lr=, weight_decay=)``."""
    if callable(name):
        return name(params, lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(
            params, lr=lr, momentum=momentum, weight_decay=weight_decay
        )
    if name == "adamw":  # fused: one kernel for all parameters
        return torch.optim.AdamW(
            params, lr=lr, weight_decay=weight_decay, fused=True
        )
    raise ValueError(
        f"optimizer must be 'sgd', 'adamw' or a callable: {name!r}"
    )


def check_args(*, num_epochs: int, lr: float, batch_size: int) -> None:
    """One ValueError naming the bound, before any work is done."""
    if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a finite number > 0, got {lr}")
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(
            f"batch_size must be an integer >= 1, got {batch_size}"
        )
    if not (isinstance(num_epochs, int) and num_epochs >= 1):
        raise ValueError(
            f"num_epochs must be an integer >= 1, got {num_epochs}"
        )


# --8<-- [start:train_epoch]
def train_epoch(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    opt: torch.optim.Optimizer,
    sched=None,
    *,
    batch_size: int,
    generator: torch.Generator | None = None,
    label_smoothing: float = 0.0,
    flip: bool = False,
    mixed_precision: bool = False,
) -> tuple[float, int]:
    """One pass over (X, y) in shuffled minibatches.

    With ``flip``, each image is mirrored left-right with probability 1/2
    (data augmentation: a mirrored shoe is still a shoe).  With
    ``mixed_precision``, the forward pass runs under ``torch.autocast`` in
    bfloat16 (weights, gradients and updates stay float32).

    Returns:
        The summed loss and the number of correct predictions.
    """
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
    for i in range(0, len(X), batch_size):
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


#: ``fit``'s choices of training step (see :func:`epoch_runner`).
STEPS = ("auto", "autograd", "backprop", "graph")


def resolve_step(
    step: str,
    model: nn.Module,
    device: torch.device,
    opt: torch.optim.Optimizer,
    sched=None,
    *,
    flip: bool = False,
    mixed_precision: bool = False,
) -> str:
    """The step ``epoch_runner`` takes: "autograd", "backprop" or "graph".

    "auto" becomes "graph" where ``graph_eligible`` (CUDA), else
    "backprop" where ``backprop_eligible``, else "autograd".

    Raises:
        ValueError: an unknown ``step``, or one the run is not eligible for.
    """
    if step not in STEPS:
        raise ValueError(f"step must be one of {STEPS}, got {step!r}")
    options = {"flip": flip, "mixed_precision": mixed_precision}
    eligible = {
        "autograd": True,
        "graph": graph_eligible(device, opt, sched, model=model, **options),
        "backprop": backprop_eligible(model, opt, sched, **options),
    }
    if step == "auto":
        return next(
            s for s in ("graph", "backprop", "autograd") if eligible[s]
        )
    if not eligible[step]:
        raise ValueError(
            f"step={step!r} does not apply to this run (see "
            f"mlp_notes.steps.{step}_eligible); use 'auto' or 'autograd'"
        )
    return step


def epoch_runner(
    model: nn.Module,
    data: Split,
    opt: torch.optim.Optimizer,
    sched=None,
    *,
    batch_size: int,
    generator: torch.Generator | None = None,
    label_smoothing: float = 0.0,
    flip: bool = False,
    mixed_precision: bool = False,
    step: str = "auto",
) -> Callable[[], tuple[float, int]]:
    """A function that trains one epoch per call, as ``fit`` does.

    ``step`` picks how (see :func:`resolve_step`): "autograd" is
    :func:`train_epoch`; "graph" replays a
    :class:`~mlp_notes.steps.GraphedStep` (captured here); "backprop" is
    :class:`~mlp_notes.steps.BackpropSGD`'s hand-derived step.  The
    training is the same either way; a call returns the summed loss and
    the number of correct predictions.

    Raises:
        ValueError: an unknown ``step``, or one the run is not eligible for.
    """
    step = resolve_step(
        step,
        model,
        data.device,
        opt,
        sched,
        flip=flip,
        mixed_precision=mixed_precision,
    )
    X, y = data.X_train, data.y_train
    if step == "graph":
        graphed = GraphedStep(
            model,
            opt,
            X,
            y,
            batch_size=batch_size,
            label_smoothing=label_smoothing,
        )
        return functools.partial(graphed.epoch, generator)
    if step == "backprop":
        manual = BackpropSGD(
            relu_layers(model), opt, label_smoothing=label_smoothing
        )
        return functools.partial(
            manual.epoch, X, y, batch_size=batch_size, generator=generator
        )
    return functools.partial(
        train_epoch,
        model,
        X,
        y,
        opt,
        sched,
        batch_size=batch_size,
        generator=generator,
        label_smoothing=label_smoothing,
        flip=flip,
        mixed_precision=mixed_precision,
    )


# --8<-- [start:fit]
def fit(
    model: nn.Module,
    data: Split,
    *,
    num_epochs: int,
    lr: float,
    batch_size: int = 256,
    optimizer: str | OptimizerFactory = "sgd",
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    schedule: str | None = None,
    label_smoothing: float = 0.0,
    flip: bool = False,
    mixed_precision: bool = False,
    step: str = "auto",
    generator: torch.Generator | None = None,
    progress: bool = False,
) -> History:
    """Train ``model`` with softmax cross-entropy; return a History.

    Args:
        model: maps (n, 1, 28, 28) images to (n, 10) logits; moved to
            ``data``'s device.
        data: a :class:`Split` (train / validation / test tensors).
        num_epochs: passes over the training tensor.
        lr: learning rate (peak rate under ``schedule="onecycle"``).
        batch_size: minibatch size (the last minibatch may be smaller).
        optimizer: "sgd", "adamw" or a factory (see ``make_optimizer``).
        schedule: None (constant) or "onecycle".
        label_smoothing: passed to the cross-entropy loss.
        flip: mirror half the training images each epoch (augmentation).
        mixed_precision: ask for the forward pass in bfloat16 under
            ``torch.autocast``; granted only where bfloat16 is fast
            (``precision.resolve``), and recorded in the History.
        step: "auto" (default) trains by the fastest step that gives the
            same result: a CUDA-graph replay on a GPU, the hand-derived
            backprop step for ReLU MLPs under plain SGD, autograd
            otherwise; "autograd", "backprop" or "graph" ask for one (see
            :func:`epoch_runner`).
        generator: shuffles the minibatches (a CPU generator).
        progress: show a tqdm progress bar (for terminals, not pages).

    Returns:
        The :class:`History`; a non-finite loss stops training and is
        recorded as ``diverged_at`` instead of raising.

    Raises:
        ValueError: lr <= 0, batch_size < 1, num_epochs < 1, or an unknown
            optimizer, schedule or step.
    """
    check_args(num_epochs=num_epochs, lr=lr, batch_size=batch_size)
    began = time.perf_counter()
    if schedule not in (None, "onecycle"):
        raise ValueError(f"schedule must be None or 'onecycle': {schedule!r}")
    model.to(data.device)
    used = precision.resolve(mixed_precision, data.device)
    opt = make_optimizer(
        optimizer,
        model.parameters(),
        lr=lr,
        weight_decay=weight_decay,
        momentum=momentum,
    )
    n = len(data.X_train)
    steps = -(-n // batch_size)
    sched = None
    if schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=lr, total_steps=num_epochs * steps
        )
    start = time.perf_counter()
    run_step = resolve_step(
        step,
        model,
        data.device,
        opt,
        sched,
        flip=flip,
        mixed_precision=used == "bfloat16",
    )
    run_epoch = epoch_runner(
        model,
        data,
        opt,
        sched,
        batch_size=batch_size,
        generator=generator,
        label_smoothing=label_smoothing,
        flip=flip,
        mixed_precision=used == "bfloat16",
        step=run_step,
    )
    history = History(
        requested_precision="bfloat16" if mixed_precision else "float32",
        precision=used,
    )
    epochs = range(1, num_epochs + 1)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc="epochs", unit="epoch")
    for epoch in epochs:
        if epoch > 1:  # the first epoch's time includes any graph capture
            start = time.perf_counter()
        loss_sum, correct = run_epoch()
        train_loss = loss_sum / n
        history.seconds.append(time.perf_counter() - start)
        history.train_loss.append(train_loss)
        history.train_acc.append(correct / n)
        if not math.isfinite(train_loss):
            history.diverged_at = epoch
            if len(data.X_val):
                history.val_acc.append(float("nan"))
            break
        if len(data.X_val):  # a final refit on all images has none
            history.val_acc.append(accuracy(model, data.X_val, data.y_val))
        if progress:
            shown = {"val_acc": history.val_acc[-1]} if history.val_acc else {}
            epochs.set_postfix(loss=train_loss, **shown)
    if not history.diverged:
        history.test_acc = accuracy(model, data.X_test, data.y_test)
    telemetry.emit(
        "fit",
        workload=workload(optimizer, run_step, mixed_precision),
        seconds=time.perf_counter() - began,
        steps=history.epochs * steps,
    )
    return history


# --8<-- [end:fit]


def workload(optimizer, step: str, mixed_precision: bool) -> str:
    """The kind of training step a fit takes, for cost estimates:
    "<optimizer>/<step>", with "/mixed" where mixed precision was asked."""
    name = optimizer if isinstance(optimizer, str) else "custom"
    return f"{name}/{step}" + ("/mixed" if mixed_precision else "")
