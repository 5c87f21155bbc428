"""How a model is trained, as one frozen value (nanoGPT's config style).

A :class:`Recipe` holds everything ``fit`` needs besides the model and the
data: the optimizer and its numbers, the schedule, the loss's label
smoothing, augmentation, the precision asked for, the epochs and the
batch size.  Runs, pages, the command line and the benchmark pass
recipes around; a variation is ``recipe.replace(lr=0.3)``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch

OPTIMIZERS = ("sgd", "adamw", "lars")
SCHEDULES = (None, "onecycle")
STEPS = ("auto", "autograd", "backprop", "graph")


# --8<-- [start:recipe]
@dataclass(frozen=True)
class Recipe:
    """How to train: the optimizer, its numbers, the data pipeline.

    Attributes:
        lr: learning rate (the peak rate under ``schedule="onecycle"``).
        num_epochs: passes over the training split.
        batch_size: minibatch size (the last minibatch may be smaller).
        optimizer: "sgd", "adamw" (decoupled weight decay) or "lars".
        momentum: SGD's and LARS's momentum.
        weight_decay: L2 (SGD, LARS) or decoupled (AdamW) decay.
        trust_coefficient: LARS's trust ratio scale.
        schedule: None (constant rate) or "onecycle".
        label_smoothing: passed to the cross-entropy loss.
        flip: mirror each training image with probability 1/2 per epoch.
        mixed_precision: ask for the forward pass in bfloat16; granted
            only where the hardware runs it fast (``precision.resolve``).
        step: "auto" (the fastest step that gives the same result) or
            "autograd", "backprop", "graph" to ask for one.
    """

    lr: float = 0.1
    num_epochs: int = 10
    batch_size: int = 256
    optimizer: str = "sgd"
    momentum: float = 0.0
    weight_decay: float = 0.0
    trust_coefficient: float = 0.01
    schedule: str | None = None
    label_smoothing: float = 0.0
    flip: bool = False
    mixed_precision: bool = False
    step: str = "auto"

    # --8<-- [end:recipe]
    def __post_init__(self) -> None:
        lr = self.lr
        if not (isinstance(lr, int | float) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr}")
        for name in ("num_epochs", "batch_size"):
            value = getattr(self, name)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"{name} must be an integer >= 1: {value}")
        for name, allowed in (
            ("optimizer", OPTIMIZERS),
            ("schedule", SCHEDULES),
            ("step", STEPS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} must be one of {allowed}: {getattr(self, name)!r}"
                )

    def replace(self, **changes) -> Recipe:
        """A copy with ``changes`` (checked like a new recipe)."""
        return dataclasses.replace(self, **changes)


def optimizer(recipe: Recipe, params) -> torch.optim.Optimizer:
    """The recipe's optimizer over ``params``."""
    if recipe.optimizer == "adamw":  # fused: one kernel for all parameters
        return torch.optim.AdamW(
            params, lr=recipe.lr, weight_decay=recipe.weight_decay, fused=True
        )
    if recipe.optimizer == "lars":
        from mlp_notes.optim import LARS

        return LARS(
            params,
            lr=recipe.lr,
            momentum=recipe.momentum,
            weight_decay=recipe.weight_decay,
            trust_coefficient=recipe.trust_coefficient,
        )
    return torch.optim.SGD(
        params,
        lr=recipe.lr,
        momentum=recipe.momentum,
        weight_decay=recipe.weight_decay,
    )


def scheduler(recipe: Recipe, opt, steps_per_epoch: int):
    """The recipe's learning-rate schedule (None for a constant rate)."""
    if recipe.schedule != "onecycle":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=recipe.lr, total_steps=recipe.num_epochs * steps_per_epoch
    )
