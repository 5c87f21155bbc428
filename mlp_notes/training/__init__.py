"""Training: ``fit(model, data, recipe)`` returns a ``History``.

* :mod:`~mlp_notes.training.recipe`: :class:`Recipe`, how a model is
  trained (optimizer, rate, batch size, schedule, augmentation,
  precision, epochs), one frozen value.
* :mod:`~mlp_notes.training.loop`: the epoch (``train_epoch``), ``fit``,
  ``accuracy`` and the ``History`` they record.
* :mod:`~mlp_notes.training.steps`: faster steps that give the same
  training where they apply (the hand-derived backward pass, CUDA graphs),
  and the choice among them.
* :mod:`~mlp_notes.training.precision`: bfloat16 only where the hardware
  runs it fast.
"""

from mlp_notes.training.loop import (
    History,
    accuracy,
    epoch_runner,
    fit,
    train_epoch,
    workload,
)
from mlp_notes.training.recipe import Recipe

__all__ = [
    "History",
    "Recipe",
    "accuracy",
    "epoch_runner",
    "fit",
    "train_epoch",
    "workload",
]
