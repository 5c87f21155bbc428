"""Training: ``fit(model, data, recipe)`` returns a ``History``.

* :mod:`~mlp_notes.training.recipe`: :class:`Recipe`, how a model is
  trained (optimizer, rate, batch size, schedule, augmentation,
  precision, epochs), one frozen value.
* :mod:`~mlp_notes.training.teaching`: the chapter's loop as a learner
  writes it (``train_plain``).
* :mod:`~mlp_notes.training.loop`: ``fit``, ``accuracy`` and the
  ``History`` they record.
* :mod:`~mlp_notes.training.batches`: one epoch's minibatches, shared by
  every loop.
* :mod:`~mlp_notes.training.steps`: the steps ``fit`` chooses among (the
  autograd step, the hand-derived one in ``backprop_sgd``, CUDA graphs in
  ``graphs``): the same training, at different speeds.
* :mod:`~mlp_notes.training.progress`: fit's callbacks; progress bars.
"""

from mlp_notes.training.loop import History, accuracy, fit, workload
from mlp_notes.training.recipe import Recipe

__all__ = ["History", "Recipe", "accuracy", "fit", "workload"]
