"""Faster training steps that ``fit`` uses where they give the same result.

* :class:`BackpropSGD`: for ReLU MLPs under plain SGD, §4.7's backward
  equations written out by hand, each layer's gradient product fused
  into its SGD update (no gradient tensors, no autograd graph).  It is
  ``fit``'s step on the CPU, where a step of the chapter's model is two
  large matrix products and a dozen small operations that autograd and
  the optimizer would each add overhead to.
* :class:`~mlp_notes.training.graphs.GraphedStep`: on CUDA, any
  deterministic step captured once as a CUDA graph and replayed, because
  there the step's many small kernel launches, not its arithmetic, set
  the pace.

Both are checked against ``training.train_epoch``'s autograd steps by the
tests (same shuffles, same weights up to rounding).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes.training.progress import batches
from mlp_notes.training.recipe import Recipe

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
) -> str | None:
    """Why ``step`` cannot train this run (None: it can).

    Both fast steps need SGD without momentum at a constant rate, without
    flips, in float32.  "backprop" (:class:`BackpropSGD`) also needs a ReLU
    MLP (see :func:`relu_layers`) and no weight decay; "graph"
    (:class:`GraphedStep`) needs CUDA and a deterministic model (no
    dropout, no module declaring ``graph_safe = False``).  "autograd"
    trains anything.  With ``sample`` (a few training images), "backprop"
    also checks that the model computes its declared layers on them.
    """
    if step == "autograd":
        return None
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


def choose(
    model: nn.Module,
    device: torch.device,
    recipe: Recipe,
    precision: str,
    sample: torch.Tensor | None = None,
) -> str:
    """The step a run takes: ``recipe.step``, or for "auto" the first of
    "graph", "backprop", "autograd" that can train it.

    Raises:
        ValueError: the recipe asks for a step that cannot train the run.
    """
    if recipe.step == "auto":
        return next(
            s
            for s in ("graph", "backprop", "autograd")
            if why_not(s, model, device, recipe, precision, sample) is None
        )
    reason = why_not(recipe.step, model, device, recipe, precision, sample)
    if reason:
        raise ValueError(f"step {recipe.step!r} {reason}")
    return recipe.step


# --8<-- [start:backprop_sgd]
class BackpropSGD:
    """An SGD epoch of a ReLU MLP, by §4.7's backward equations.

    With O the logits, P = softmax(O) and T the (smoothed) one-hot
    targets, the mean cross-entropy of a minibatch of n rows has
    dL/dO = (P - T) / n.  Going down the layers, A_l = relu(A_{l-1} W_l^T
    + b_l):  dL/dW_l = G_l^T A_{l-1},  dL/db_l = the column sums of G_l,
    and G_{l-1} = (G_l W_l) * relu'(...), taken before W_l changes.  SGD's
    update W_l -= lr dL/dW_l is then one ``addmm_``: the gradient product
    is accumulated straight into the weights, never stored.

    It computes what autograd and ``torch.optim.SGD`` compute, in another
    order of floating-point operations.  Once the weights overflow, the
    two can record divergence (a non-finite loss) an epoch apart.
    """

    def __init__(
        self,
        layers: list[tuple[torch.Tensor, torch.Tensor]],
        *,
        lr: float,
        label_smoothing: float = 0.0,
    ) -> None:
        self.layers, self.lr = layers, lr
        self.label_smoothing = label_smoothing

    @torch.no_grad()
    def epoch(
        self,
        X: torch.Tensor,
        y: torch.Tensor,
        *,
        batch_size: int,
        generator: torch.Generator | None = None,
    ) -> tuple[float, int]:
        """``train_epoch``'s epoch (same shuffles); returns the summed loss
        and the number of correct predictions."""
        n = len(X)
        X = X.reshape(n, -1)  # (n, num_inputs)
        perm = torch.randperm(n, generator=generator).to(X.device)
        y_perm = y[perm]
        ls, q = self.label_smoothing, self.layers[-1][0].shape[0]
        T = F.one_hot(y_perm, q).to(X.dtype) * (1 - ls) + ls / q  # (n, q)
        X_buf = X.new_empty((min(batch_size, n), X.shape[1]))
        predicted = torch.empty_like(y_perm)
        loss_sum = torch.zeros((), dtype=X.dtype, device=X.device)
        lr = self.lr
        for i in batches(n, batch_size):  # range(0, n, batch_size)
            idx = perm[i : i + batch_size]
            A = [torch.index_select(X, 0, idx, out=X_buf[: len(idx)])]
            for W, b in self.layers[:-1]:
                A.append(torch.addmm(b, A[-1], W.T).relu_())  # (n, h)
            W, b = self.layers[-1]
            logits = torch.addmm(b, A[-1], W.T)  # (batch_size, q)
            torch.argmax(logits, 1, out=predicted[i : i + batch_size])
            G = torch.log_softmax(logits, 1)
            Tb = T[i : i + batch_size]
            loss_sum.sub_(torch.vdot(G.view(-1), Tb.reshape(-1)))
            G.exp_().sub_(Tb)  # n dL/dO = P - T; the 1/n goes into alpha
            alpha = -lr / len(idx)
            for k in range(len(self.layers) - 1, -1, -1):
                W, b = self.layers[k]
                if k:  # G_{k-1} needs W_k before its update
                    dA = G @ W  # (batch_size, fan_in)
                W.addmm_(G.T, A[k], alpha=alpha)  # W -= lr G^T A / n
                b.add_(G.sum(0), alpha=alpha)
                if k:  # times relu' (A > 0): relu's own backward kernel
                    G = torch.ops.aten.threshold_backward(dA, A[k], 0)
        return loss_sum.item(), int((predicted == y_perm).sum())


# --8<-- [end:backprop_sgd]
