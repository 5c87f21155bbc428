"""Faster training steps that ``fit`` uses where they give the same result.

* :class:`BackpropSGD`: for ReLU MLPs under plain SGD, §4.7's backward
  equations written out by hand, each layer's gradient product fused
  into its SGD update (no gradient tensors, no autograd graph).  It is
  ``fit``'s step on the CPU, where a step of the chapter's model is two
  large matrix products and a dozen small operations that autograd and
  the optimizer would each add overhead to.
* :class:`GraphedStep`: on CUDA, any deterministic step captured once as a
  CUDA graph and replayed, because there the step's many small kernel
  launches, not its arithmetic, set the pace.

Both are checked against ``training.train_epoch``'s autograd steps by the
tests (same shuffles, same weights up to rounding).
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes.models import MLPScratch


def relu_layers(
    model: nn.Module,
) -> list[tuple[torch.Tensor, torch.Tensor]] | None:
    """The (weight, bias) of each layer of a ReLU MLP, or None if it is not.

    A ReLU MLP here is ``MLPScratch`` or an ``nn.Sequential`` of an
    optional ``nn.Flatten()`` then Linear (ReLU Linear)*, every Linear with
    a bias, whose parameters are exactly these weights and biases, and
    with no hooks (a hook could change what the forward pass computes).
    Weights are returned as (fan_out, fan_in) tensors, §4.7's convention:
    ``MLPScratch``'s (fan_in, fan_out) ones as transposed views, so an
    in-place update still writes the parameter itself.
    """
    if _hooked(model):
        return None
    if type(model) is MLPScratch:
        return [(model.W1.T, model.b1), (model.W2.T, model.b2)]
    if type(model) is not nn.Sequential:
        return None
    mods = list(model)
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
    tensors = [t for layer in layers for t in layer]
    if not all(isinstance(t, nn.Parameter) for t in tensors):
        return None  # e.g. a weight recomputed from other parameters
    if {id(t) for t in tensors} != {id(p) for p in model.parameters()}:
        return None
    return layers


def _hooked(model: nn.Module) -> bool:
    """Whether any module hook (its own or a global one) is registered."""
    names = (
        "forward_hooks",
        "forward_pre_hooks",
        "backward_hooks",
        "backward_pre_hooks",
    )
    module = nn.modules.module
    if any(getattr(module, f"_global_{name}", None) for name in names):
        return True
    return any(
        getattr(m, f"_{name}") for m in model.modules() for name in names
    )


def backprop_eligible(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    sched=None,
    *,
    flip: bool = False,
    mixed_precision: bool = False,
) -> bool:
    """Whether :class:`BackpropSGD` can stand in for autograd and ``opt``.

    The model must be a ReLU MLP (see :func:`relu_layers`), ``opt`` plain
    SGD (one parameter group holding every parameter; no momentum, weight
    decay, Nesterov or maximize) with a constant learning rate, and the
    epoch without flips or autocast.
    """
    options = {"flip": flip, "mixed_precision": mixed_precision}
    if relu_layers(model) is None or not _plain_sgd(opt, sched, **options):
        return False
    if len(opt.param_groups) != 1:
        return False
    group = opt.param_groups[0]
    params = {id(p) for p in model.parameters()}
    return (
        {id(p) for p in group["params"]} == params
        and all(p.requires_grad for p in model.parameters())
        and group["weight_decay"] == 0
        and not group["nesterov"]
        and not group["maximize"]
    )


def _plain_sgd(
    opt: torch.optim.Optimizer, sched, *, flip: bool, mixed_precision: bool
) -> bool:
    """What both fast steps require: SGD without momentum at a constant
    learning rate, on epochs without flips or autocast."""
    return (
        type(opt) is torch.optim.SGD
        and all(group["momentum"] == 0 for group in opt.param_groups)
        and sched is None
        and not flip
        and not mixed_precision
    )


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
        opt: torch.optim.SGD,
        *,
        label_smoothing: float = 0.0,
    ) -> None:
        self.layers, self.opt = layers, opt
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
        lr = self.opt.param_groups[0]["lr"]
        for i in range(0, n, batch_size):
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


# --8<-- [start:graphed_step]
class GraphedStep:
    """A training step captured as CUDA graphs, one per minibatch size.

    On a GPU, the chapter's small model spends a step launching many tiny
    kernels from Python; replaying a captured graph launches them all at
    once.  ``fit`` uses it on CUDA when the step is deterministic and holds
    no state or host work (``graph_eligible``): a replay then does exactly
    what ``train_epoch``'s step does.  After training, ``p.grad`` holds the
    gradient of the last full-size minibatch.
    """

    def __init__(
        self,
        model: nn.Module,
        opt: torch.optim.Optimizer,
        X: torch.Tensor,
        y: torch.Tensor,
        *,
        batch_size: int,
        label_smoothing: float = 0.0,
    ) -> None:
        model.train()  # the mode is captured with the graph
        self.model, self.X, self.y = model, X, y
        self.batch_size = batch_size
        self.loss_sum = torch.zeros((), device=X.device)
        self.correct = torch.zeros((), device=X.device, dtype=torch.long)
        full = min(batch_size, len(X))
        sizes = sorted({full, len(X) % batch_size or full})

        def step(net, optimizer, Xb, yb):
            logits = net(Xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return logits, loss

        # Capture needs a warm-up (cuBLAS workspaces, autograd's workers);
        # it runs on a throwaway copy so the real weights do not move.
        ghost = copy.deepcopy(model)
        ghost_opt = torch.optim.SGD(ghost.parameters(), lr=0.0)
        self.graphs = {}
        with torch.cuda.device(X.device):
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                for _ in range(3):
                    for n in sizes:
                        step(ghost, ghost_opt, X[:n], y[:n])
            torch.cuda.current_stream().wait_stream(side)
            for n in sizes:
                X_in, y_in = X[:n].clone(), y[:n].clone()  # static inputs
                graph = torch.cuda.CUDAGraph()
                opt.zero_grad(set_to_none=True)  # grads are born in it
                with torch.cuda.graph(graph):
                    logits, loss = step(model, opt, X_in, y_in)
                    self.loss_sum.add_(loss.detach(), alpha=n)
                    self.correct.add_((logits.argmax(1) == y_in).sum())
                self.graphs[n] = (graph, X_in, y_in)

    def epoch(
        self, generator: torch.Generator | None = None
    ) -> tuple[float, int]:
        """``train_epoch`` by graph replays; same shuffles, same result."""
        X, y, batch_size = self.X, self.y, self.batch_size
        self.model.train()
        perm = torch.randperm(len(X), generator=generator).to(X.device)
        self.loss_sum.zero_()
        self.correct.zero_()
        for i in range(0, len(X), batch_size):
            idx = perm[i : i + batch_size]
            graph, X_in, y_in = self.graphs[len(idx)]
            torch.index_select(X, 0, idx, out=X_in)
            torch.index_select(y, 0, idx, out=y_in)
            graph.replay()
        return self.loss_sum.item(), int(self.correct.item())


# --8<-- [end:graphed_step]


def graph_eligible(
    device: torch.device,
    opt: torch.optim.Optimizer,
    sched=None,
    *,
    model: nn.Module | None = None,
    flip: bool = False,
    mixed_precision: bool = False,
) -> bool:
    """Whether a step can be replayed as a CUDA graph (see GraphedStep).

    On CUDA, with plain SGD without momentum, no schedule, flip or
    autocast, and a deterministic ``model``: no dropout, and no module
    that declares ``graph_safe = False`` (its forward does random or host
    work).  Then a replay equals an eager step.
    """
    if model is not None:
        for m in model.modules():
            if not getattr(m, "graph_safe", True):
                return False
            if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0:
                return False
    return device.type == "cuda" and _plain_sgd(
        opt, sched, flip=flip, mixed_precision=mixed_precision
    )
