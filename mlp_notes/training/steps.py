"""A training step: how one epoch updates the model (``fit`` asks
:func:`choose` for one).

Every step trains the same way, on the same minibatches
(``batches.Minibatches``); they differ in how fast:

* :class:`AutogradStep`: autograd and the recipe's optimizer; trains any
  model with any recipe.
* ``backprop_sgd.BackpropSGD``: for ReLU MLPs under plain SGD, §4.7's
  backward equations written out by hand, each gradient product fused
  into its update (the CPU's fast step).
* ``graphs.GraphedStep``: on CUDA, a deterministic step captured once as
  a CUDA graph and replayed (the GPU's fast step: the chapter's small
  model is launch-bound there).

The tests check the fast steps against :class:`AutogradStep` (same
minibatches, same weights up to rounding).
"""

from __future__ import annotations

from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes import precision as precisions
from mlp_notes.data import Split
from mlp_notes.training.backprop_sgd import BackpropSGD
from mlp_notes.training.batches import Minibatches
from mlp_notes.training.graphs import GraphedStep
from mlp_notes.training.recipe import Recipe, optimizer, scheduler


class Step(Protocol):
    """What ``fit`` needs of a step: its name and one epoch at a time."""

    name: str

    def epoch(self, batches: Minibatches) -> tuple[float, int]:
        """Train on each minibatch once; return the summed loss and the
        number of correct predictions (on the minibatches as trained)."""
        ...


class AutogradStep:
    """The step for any model and recipe: autograd computes the
    gradients, the recipe's optimizer (and schedule) updates.

    With ``recipe.flip``, the batches' mirrored images are flipped
    left-right; with ``mixed_precision``, the forward pass runs under
    ``torch.autocast`` in bfloat16 (weights, gradients and updates stay
    float32); with per-example weights (``data.w_train``), the loss is
    the weighted mean of the examples' losses.
    """

    name = "autograd"

    def __init__(self, model, data: Split, recipe: Recipe, mixed=False):
        self.model, self.recipe, self.mixed = model, recipe, mixed
        self.X, self.y, self.w = data.X_train, data.y_train, data.w_train
        self.opt = optimizer(recipe, model.parameters())
        per_epoch = -(-len(self.X) // recipe.batch_size)
        self.sched = scheduler(recipe, self.opt, per_epoch)

    def loss(self, Xb, yb, idx) -> tuple[torch.Tensor, torch.Tensor]:
        """The minibatch's logits and loss."""
        ls = self.recipe.label_smoothing
        with torch.autocast(
            Xb.device.type, dtype=torch.bfloat16, enabled=self.mixed
        ):
            logits = self.model(Xb)  # (batch_size, num_outputs)
            if self.w is None:
                return logits, F.cross_entropy(logits, yb, label_smoothing=ls)
            each = F.cross_entropy(
                logits, yb, label_smoothing=ls, reduction="none"
            )
            return logits, (each * self.w[idx]).mean()  # w: (n,)

    def epoch(self, batches: Minibatches) -> tuple[float, int]:
        X, y, model, opt = self.X, self.y, self.model, self.opt
        model.train()
        y_perm = y[batches.perm]  # labels in this epoch's order
        # Minibatches are gathered into a reused buffer: no shuffled copy
        # of the data set, and the batch stays in cache for the matmul.
        X_buf = X.new_empty((min(batches.batch_size, len(X)), *X.shape[1:]))
        predicted = torch.empty_like(y_perm)
        loss_sum = torch.zeros((), dtype=X.dtype, device=X.device)
        for rows, idx in batches.spans():
            Xb = torch.index_select(X, 0, idx, out=X_buf[: len(idx)])
            if batches.mirror is not None:
                m = batches.mirror[rows]
                Xb[m] = Xb[m].flip(-1)
            logits, loss = self.loss(Xb, y_perm[rows], idx)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if self.sched is not None:
                self.sched.step()
            # running sums stay on the device: no .item(), no sync per step
            loss_sum.add_(loss.detach(), alpha=len(idx))
            torch.argmax(logits, 1, out=predicted[rows])
        return loss_sum.item(), int((predicted == y_perm).sum())


#: Layers whose forward pass draws random numbers (public torch classes).
DROPOUTS = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.FeatureAlphaDropout,
)


def relu_layers(
    model: nn.Module,
) -> list[tuple[torch.Tensor, torch.Tensor]] | None:
    """The (weight, bias) of each layer of a ReLU MLP, or None if it is not.

    A ReLU MLP here is a model whose own class declares its layers with a
    ``linear_layers()`` method (``models.MLPScratch`` does; a subclass that
    does not declare them anew is not trusted), or an ``nn.Sequential`` of
    an optional ``nn.Flatten()`` then Linear (ReLU Linear)*, every Linear
    with a bias; and its parameters are exactly these weights and biases,
    all trainable.  Weights are (fan_out, fan_in) tensors, §4.7's
    convention (views where the model stores the transpose, so an
    in-place update still writes the parameter itself).  Whether the
    model's forward pass really is these layers is checked on data by
    :func:`computes_layers`.
    """
    if "linear_layers" in type(model).__dict__:
        layers = model.linear_layers()
    elif type(model) is nn.Sequential:
        layers = _sequential_layers(list(model))
    else:
        return None
    params = list(model.parameters())
    if layers is None or not all(p.requires_grad for p in params):
        return None
    ours = sorted(t.data_ptr() for layer in layers for t in layer)
    if ours != sorted(p.data_ptr() for p in params):
        return None  # a parameter the layers do not show, or a copy
    return layers


def _sequential_layers(mods: list[nn.Module]):
    if mods and type(mods[0]) is nn.Flatten:
        if (mods[0].start_dim, mods[0].end_dim) != (1, -1):
            return None
        mods = mods[1:]
    kinds = [type(m) for m in mods]
    if len(mods) % 2 == 0 or kinds[::2] != [nn.Linear] * len(kinds[::2]):
        return None
    if kinds[1::2] != [nn.ReLU] * len(kinds[1::2]):
        return None
    layers = [(m.weight, m.bias) for m in mods[::2]]
    if not all(isinstance(t, nn.Parameter) for layer in layers for t in layer):
        return None  # e.g. a weight recomputed from other parameters
    return layers


@torch.no_grad()
def computes_layers(
    model: nn.Module, layers, X: torch.Tensor, rtol: float = 1e-4
) -> bool:
    """Whether ``model(X)`` is the ReLU MLP of ``layers`` on ``X`` (a few
    images): a hook, a reparametrization or an overridden forward would
    make the hand-derived step train a different function."""
    was = model.training
    model.train()
    out = model(X)
    model.train(was)
    A = X.reshape(len(X), -1)
    for i, (W, b) in enumerate(layers):
        A = torch.addmm(b, A, W.T)
        if i < len(layers) - 1:
            A = A.relu()
    scale = A.abs().max().clamp_min(1e-30)
    return bool(((out - A).abs().max() / scale) <= rtol)


def why_not(
    step: str,
    model: nn.Module,
    device: torch.device,
    recipe: Recipe,
    precision: str,
    sample: torch.Tensor | None = None,
    weighted: bool = False,
) -> str | None:
    """Why ``step`` cannot train this run (None: it can).

    Both fast steps need SGD without momentum at a constant rate, without
    flips, in float32.  "backprop" (:class:`BackpropSGD`) also needs a ReLU
    MLP (see :func:`relu_layers`) and no weight decay; "graph"
    (:class:`GraphedStep`) needs CUDA and a deterministic model (no
    dropout, no module declaring ``graph_safe = False``).  "autograd"
    trains anything.  With ``sample`` (a few training images), "backprop"
    also checks that the model computes its declared layers on them.
    Both need unweighted examples (``weighted``: the split carries
    per-example loss weights).
    """
    if step == "autograd":
        return None
    if weighted:
        return "needs unweighted examples (the split has loss weights)"
    if (
        recipe.optimizer != "sgd"
        or recipe.momentum
        or recipe.schedule
        or recipe.flip
    ):
        return "needs SGD without momentum at a constant rate, no flips"
    if precision != "float32":
        return "needs float32 (this run trains in mixed precision)"
    if step == "backprop":
        if recipe.weight_decay:
            return "needs SGD without weight decay"
        layers = relu_layers(model)
        if layers is None:
            return "needs a ReLU MLP whose parameters are its layers"
        if sample is not None and not computes_layers(model, layers, sample):
            return "needs a model whose forward pass is its layers"
        return None
    if torch.device(device).type != "cuda":
        return "needs CUDA"
    for m in model.modules():
        if not getattr(m, "graph_safe", True) or (
            isinstance(m, DROPOUTS) and m.p > 0
        ):
            return "needs a deterministic model (no dropout)"
    return None


def choose(model: nn.Module, data: Split, recipe: Recipe) -> Step:
    """The step a run takes, ready to train: ``recipe.step``, or for
    "auto" the first of "graph", "backprop", "autograd" that can train
    it.  The precision is resolved here too (``precision.resolve``) and
    recorded on the step (``step.precision``).

    Raises:
        ValueError: the recipe asks for a step that cannot train the run.
    """
    used = precisions.resolve(recipe.mixed_precision, data.device)
    check = dict(
        model=model,
        device=data.device,
        recipe=recipe,
        precision=used,
        sample=data.X_train[:64],
        weighted=data.w_train is not None,
    )
    name = recipe.step
    if name == "auto":
        name = next(
            s
            for s in ("graph", "backprop", "autograd")
            if why_not(s, **check) is None
        )
    elif reason := why_not(name, **check):
        raise ValueError(f"step {name!r} {reason}")
    step = _build(name, model, data, recipe, used)
    step.precision = used
    return step


def _build(name, model, data, recipe, used) -> Step:
    X, y, ls = data.X_train, data.y_train, recipe.label_smoothing
    if name == "backprop":
        layers = relu_layers(model)
        return BackpropSGD(layers, X, y, lr=recipe.lr, label_smoothing=ls)
    if name == "graph":
        opt = optimizer(recipe, model.parameters())
        return GraphedStep(
            model, opt, X, y, batch_size=recipe.batch_size, label_smoothing=ls
        )
    return AutogradStep(model, data, recipe, mixed=used == "bfloat16")
