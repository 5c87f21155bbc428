"""§4.7 Forward and backward propagation: the graph autograd records,
the hand-derived gradients against autograd, and exercises 1 and 2.
What training costs (exercises 3 to 5) is in
``mlp_notes.studies.backprop_costs``.

Each function returns a :class:`~mlp_notes.claims.Finding` (the lines
the page prints, the data of its figure, the claims it asserts).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from mlp_notes import backprop
from mlp_notes.claims import Claims, Finding
from mlp_notes.models import MLPScratch
from mlp_notes.runs import stability as runs


@dataclass(frozen=True)
class Budget:
    """What §4.7 runs with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        timing_repeats: timed calls of each function (the fastest counts).
    """

    decisive: bool
    timing_repeats: int


BUDGETS = {
    "full": Budget(decisive=True, timing_repeats=15),
    "quick": Budget(decisive=False, timing_repeats=5),
}

#: Hand-derived and autograd gradients closer than this agree (float64).
AGREE = 1e-10
#: What autograd records for the loss and the penalty.
EXPECTED_OPS = {"Permute", "LogSoftmax", "NllLoss", "Pow", "Sum", "Add", "Mul"}


@dataclass(frozen=True)
class Problem:
    """§4.7's model on random float64 data: X (n, d), labels y (n,),
    W1 (h, d), W2 (q, h) and the weight-decay strength lambd."""

    X: torch.Tensor
    y: torch.Tensor
    W1: torch.Tensor
    W2: torch.Tensor
    lambd: float

    @property
    def sizes(self) -> dict[str, int]:
        (h, d), q = self.W1.shape, self.W2.shape[0]
        return {"n": len(self.X), "d": d, "h": h, "q": q}


def random_problem(
    generator: torch.Generator,
    n: int = 64,
    d: int = 20,
    h: int = 16,
    q: int = 10,
    lambd: float = 0.3,
) -> Problem:
    """Standard normal X, W1, W2 and uniform labels, drawn from
    ``generator`` in that order (X, y, W1, W2)."""
    kw = dict(generator=generator, dtype=torch.float64)
    X = torch.randn(n, d, **kw)
    y = torch.randint(0, q, (n,), generator=generator)
    W1, W2 = torch.randn(h, d, **kw), torch.randn(q, h, **kw)
    return Problem(X, y, W1, W2, lambd)


# --8<-- [start:named_graph]
def named_graph(p: Problem, b1: torch.Tensor | None = None) -> dict:
    """The forward pass step by step, each intermediate named, and
    autograd's graph of J (``backprop.autograd_graph``).

    Returns:
        {"J", "z", "nodes", "edges"}; z is (n, h).
    """
    W1 = p.W1.clone().requires_grad_(True)
    W2 = p.W2.clone().requires_grad_(True)
    names = {"W1": W1, "W2": W2}
    z = p.X @ W1.T  # (n, h)
    if b1 is not None:
        names["b1"] = b1 = b1.clone().requires_grad_(True)
        z = z + b1
    hid = torch.relu(z)  # (n, h)
    o = hid @ W2.T  # (n, q)
    L = F.cross_entropy(o, p.y)
    s = p.lambd / 2 * (W1.pow(2).sum() + W2.pow(2).sum())
    J = L + s
    names |= {"z": z, "h": hid, "o": o, "L": L, "s": s, "J": J}
    nodes, edges = backprop.autograd_graph(J, names)
    return {"J": J, "z": z, "nodes": nodes, "edges": edges}


# --8<-- [end:named_graph]


def graph_of_objective() -> Finding:
    """Autograd's graph of J for a small problem (seed 0: n, d, h, q =
    8, 5, 4, 3; lambd 0.1): the operations it records and its leaves."""
    p = random_problem(torch.Generator().manual_seed(0), 8, 5, 4, 3, 0.1)
    graph = named_graph(p)
    nodes = graph["nodes"]
    ops = {node.op for node in nodes}
    leaves = sorted(node.var for node in nodes if node.op == "leaf")
    J_ref = backprop.objective(p.X, p.y, p.W1, p.W2, p.lambd).item()
    lines = [
        f"{len(nodes)} nodes; leaves: {leaves}; operations:",
        f"  {', '.join(sorted(ops - {'leaf'}))}",
    ]
    claims = (
        Claims()
        .add(
            "J computed step by step equals backprop.objective: "
            f"{graph['J'].item():.6f}",
            graph["J"].item() == J_ref,
        )
        .add(
            f"the graph records {', '.join(sorted(EXPECTED_OPS))}",
            EXPECTED_OPS <= ops,
        )
        .add("its only leaves are W1 and W2", leaves == ["W1", "W2"])
    )
    return Finding(lines, claims, {"nodes": nodes, "edges": graph["edges"]})


def gradient_check(p: Problem) -> Finding:
    """``backprop.gradients`` against autograd on ``p``."""
    ours = backprop.gradients(p.X, p.y, p.W1, p.W2, p.lambd)
    auto = backprop.autograd_gradients(p.X, p.y, p.W1, p.W2, p.lambd)
    err = {k: (ours[k] - auto[k]).abs().max().item() for k in ours}
    lines = [
        f"dJ/d{k} {tuple(ours[k].shape)}: max |ours - autograd| = {e:.1e}"
        for k, e in err.items()
    ]
    worst = max(err.values())
    claims = Claims().add(
        f"every gradient agrees to {worst:.1e} (at most {AGREE:g})",
        worst <= AGREE,
    )
    return Finding(lines, claims)


def scratch_transposed(p: Problem, generator: torch.Generator) -> Finding:
    """§4.2's ``MLPScratch`` (W1 of shape (d, h), a hidden bias drawn
    from ``generator``, output bias zero) by autograd against
    ``backprop.gradients`` with the transposed weights."""
    sz = p.sizes
    net = MLPScratch(sz["d"], sz["q"], sz["h"], sigma=0.5, generator=generator)
    net = net.double()
    net.b1.data.normal_(generator=generator)
    net.b2.data.zero_()
    penalty = net.W1.pow(2).sum() + net.W2.pow(2).sum()
    J = F.cross_entropy(net(p.X), p.y) + p.lambd / 2 * penalty
    J.backward()
    W1, W2 = net.W1.T, net.W2.T  # (h, d), (q, h): this page's layout
    ours = backprop.gradients(p.X, p.y, W1, W2, p.lambd, b1=net.b1)
    err = max(
        (ours["W1"].T - net.W1.grad).abs().max().item(),
        (ours["W2"].T - net.W2.grad).abs().max().item(),
        (ours["b1"] - net.b1.grad).abs().max().item(),
    )
    lines = [
        f"MLPScratch.W1: {tuple(net.W1.shape)}  ours: {tuple(W1.shape)}",
        f"max |ours^T - MLPScratch autograd| = {err:.1e}",
    ]
    claims = Claims().add(f"{err:.1e} at most {AGREE:g}", err <= AGREE)
    return Finding(lines, claims)


def fused_step() -> Finding:
    """One epoch of the fused backprop step against autograd and SGD on
    1,000 training images, float64 (``runs.stability.fused_step_epoch``:
    hidden layers (64, 32), lr 0.2, batches of 128, label smoothing 0.1).
    """
    check = runs.fused_step_epoch(
        hiddens=(64, 32),
        lr=0.2,
        batch_size=128,
        label_smoothing=0.1,
        subset=1000,
        init_seed=2,
        seed=3,
    )
    loss, correct = check["loss"], check["correct"]
    diff = check["max_weight_difference"]
    lines = [
        f"summed loss: backprop {loss['backprop']!r}, "
        f"autograd {loss['autograd']!r}",
        f"correct: backprop {correct['backprop']}, "
        f"autograd {correct['autograd']}",
        f"max_weight_difference: {diff!r}",
    ]
    gap = abs(loss["backprop"] - loss["autograd"])
    claims = (
        Claims()
        .add(f"weights agree to {diff:.1e} (at most 1e-12)", diff <= 1e-12)
        .add(
            "the same number of correct predictions",
            correct["backprop"] == correct["autograd"],
        )
        .add(
            f"summed losses agree to {gap:.1e} (relative 1e-9)",
            gap <= 1e-9 * abs(loss["autograd"]),
        )
    )
    return Finding(lines, claims)


def matrix_gradient(generator: torch.Generator) -> Finding:
    """Exercise 1: the gradient of f(X) = tr(A^T X) + ||X||_F^2 by
    autograd has X's shape and equals A + 2X (A, X from ``generator``)."""
    A = torch.randn(3, 5, generator=generator, dtype=torch.float64)
    Xm = torch.randn(3, 5, generator=generator, dtype=torch.float64)
    Xm.requires_grad_(True)
    f = torch.trace(A.T @ Xm) + Xm.pow(2).sum()
    (grad,) = torch.autograd.grad(f, Xm)
    err = (grad - (A + 2 * Xm)).abs().max().item()
    lines = [
        f"X: {tuple(Xm.shape)}, df/dX: {tuple(grad.shape)}, "
        f"max |autograd - (A + 2X)| = {err:.1e}"
    ]
    claims = Claims().add(
        f"df/dX has X's shape and equals A + 2X to {err:.1e} (below 1e-12)",
        grad.shape == Xm.shape and err < 1e-12,
    )
    return Finding(lines, claims)


def hidden_bias(p: Problem, generator: torch.Generator) -> Finding:
    """Exercise 2: a hidden bias b1 (drawn from ``generator``).  Its graph
    against the graph without it, and its gradient: ours, autograd's, and
    the batch sum of dJ/dz_i read from autograd."""
    b1 = torch.randn(p.sizes["h"], generator=generator, dtype=torch.float64)
    plain, biased = named_graph(p), named_graph(p, b1)
    nodes, base = biased["nodes"], plain["nodes"]
    ops = [node.op for node in nodes]
    leaves = sorted(node.var for node in nodes if node.op == "leaf")
    ours = backprop.gradients(p.X, p.y, p.W1, p.W2, p.lambd, b1=b1)
    auto = backprop.autograd_gradients(p.X, p.y, p.W1, p.W2, p.lambd, b1=b1)
    (dZ,) = torch.autograd.grad(biased["J"], biased["z"])  # (n, h)
    errs = {k: (ours[k] - auto[k]).abs().max().item() for k in ours}
    err_sum = (ours["b1"] - dZ.sum(dim=0)).abs().max().item()
    lines = [
        f"dJ/d{k}: max |ours - autograd| = {e:.1e}" for k, e in errs.items()
    ]
    lines.append(f"dJ/db1 vs sum_i dJ/dz_i: max difference {err_sum:.1e}")
    added = ops.count("Add") - [n.op for n in base].count("Add")
    claims = (
        Claims()
        .add(f"leaves {leaves}: b1 is one more", leaves == ["W1", "W2", "b1"])
        .add(
            f"the graph gains {len(nodes) - len(base)} nodes, {added} of them"
            " an Add: the leaf and one Add, nothing else",
            added == 1 and len(nodes) == len(base) + 2,
        )
        .add(
            f"gradients agree to {max(errs.values()):.1e} (at most "
            f"{AGREE:g}); dJ/db1 is the batch sum of dJ/dz_i to "
            f"{err_sum:.1e} (at most 1e-12)",
            max(errs.values()) <= AGREE and err_sum <= 1e-12,
        )
    )
    return Finding(lines, claims, {"nodes": nodes, "edges": biased["edges"]})
