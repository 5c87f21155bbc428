"""Forward and backward propagation of §4.7's one-hidden-layer model.

The model, in §4.7's convention (weights map column vectors, so a weight
has shape (fan_out, fan_in)), for a minibatch stored as rows::

    Z = X W1^T (+ b1)      (n, h)
    H = relu(Z)            (n, h)
    O = H W2^T             (n, q)
    L = mean softmax cross-entropy of O against y
    J = L + lambd / 2 * (||W1||_F^2 + ||W2||_F^2)

``W1`` here is ``MLPScratch.W1`` transposed (§4.1 stores (d, h)).  The
derivation is on the §4.7 page; this module computes it and provides
what the page needs to check it: the same objective for autograd, a
walk over autograd's graph, and Hessian-vector products.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from mlp_notes import activations


# --8<-- [start:objective]
def objective(
    X: torch.Tensor,
    y: torch.Tensor,
    W1: torch.Tensor,
    W2: torch.Tensor,
    lambd: float,
    b1: torch.Tensor | None = None,
) -> torch.Tensor:
    """J = mean cross-entropy + (lambd / 2)(||W1||^2 + ||W2||^2).

    Args:
        X: inputs, (n, d).
        y: integer labels, (n,).
        W1: (h, d).  W2: (q, h).  b1: optional hidden bias, (h,).
        lambd: weight-decay strength (biases are not penalized).

    Returns:
        The scalar objective, differentiable by autograd.
    """
    Z = X @ W1.T  # (n, h)
    if b1 is not None:
        Z = Z + b1
    H = torch.relu(Z)  # (n, h)
    O = H @ W2.T  # (n, q)  # noqa: E741
    L = F.cross_entropy(O, y)
    s = lambd / 2 * (W1.pow(2).sum() + W2.pow(2).sum())
    return L + s


# --8<-- [end:objective]


# --8<-- [start:gradients]
def gradients(
    X: torch.Tensor,
    y: torch.Tensor,
    W1: torch.Tensor,
    W2: torch.Tensor,
    lambd: float,
    b1: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Gradients of :func:`objective`, by the backward equations of §4.7.

    Args:
        X: (n, d).  y: (n,) integer labels.  W1: (h, d).  W2: (q, h).
        lambd: weight-decay strength.  b1: optional hidden bias, (h,).

    Returns:
        ``{"W1": (h, d), "W2": (q, h)}`` plus ``"b1": (h,)`` if given.
    """
    n, q = X.shape[0], W2.shape[0]
    # forward, keeping what the backward pass needs
    Z = X @ W1.T  # (n, h)
    if b1 is not None:
        Z = Z + b1
    H = activations.relu(Z)  # (n, h)
    O = H @ W2.T  # (n, q)  # noqa: E741
    # backward
    P = torch.softmax(O, dim=1)  # (n, q)
    dO = (P - F.one_hot(y, q).to(P.dtype)) / n  # dJ/dO, (n, q)
    dW2 = dO.T @ H + lambd * W2  # (q, h): sum_i (dJ/do_i) h_i^T + lambd W2
    dH = dO @ W2  # (n, h): row i is (W2^T dJ/do_i)^T
    dZ = dH * activations.relu_grad(Z)  # (n, h)
    dW1 = dZ.T @ X + lambd * W1  # (h, d): sum_i (dJ/dz_i) x_i^T + lambd W1
    grads = {"W1": dW1, "W2": dW2}
    if b1 is not None:
        grads["b1"] = dZ.sum(dim=0)  # (h,): the bias is added to every row
    return grads


# --8<-- [end:gradients]


def autograd_gradients(
    X: torch.Tensor,
    y: torch.Tensor,
    W1: torch.Tensor,
    W2: torch.Tensor,
    lambd: float,
    b1: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """The same gradients as :func:`gradients`, by autograd."""
    params = {"W1": W1, "W2": W2} | ({} if b1 is None else {"b1": b1})
    leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
    J = objective(X, y, leaves["W1"], leaves["W2"], lambd, leaves.get("b1"))
    grads = torch.autograd.grad(J, list(leaves.values()))
    return dict(zip(leaves, grads))


@dataclass(frozen=True)
class GraphNode:
    """One node of an autograd graph.

    Attributes:
        key: a unique id.
        op: the operation ("Mm", "Relu", ...) or "leaf" for a parameter.
        var: the name of the tensor the node produces ("" if unnamed).
    """

    key: int
    op: str
    var: str


# --8<-- [start:autograd_graph]
def autograd_graph(
    root: torch.Tensor, names: dict[str, torch.Tensor]
) -> tuple[list[GraphNode], list[tuple[int, int]]]:
    """Walk autograd's record of how ``root`` (the objective) was computed.

    From ``root.grad_fn``, follow ``next_functions`` (each node's inputs)
    down to the leaves (``AccumulateGrad`` nodes, one per parameter).
    Tensors that need no gradient (inputs, labels) are not recorded.
    ``names`` (name -> tensor) labels parameters and intermediates.

    Returns:
        (nodes, edges); an edge (a, b) means a's output is an input of b.
    """
    # A node's Python wrapper lives only while referenced, and a freed
    # wrapper's id() can be reused by another node's: keep them all alive.
    alive = [t.grad_fn for t in names.values()]
    by_fn = {id(fn): k for k, fn in zip(names, alive, strict=True) if fn}
    by_leaf = {id(t): k for k, t in names.items() if t.grad_fn is None}
    nodes: dict[int, GraphNode] = {}
    edges: list[tuple[int, int]] = []
    stack = [root.grad_fn]
    while stack:
        fn = stack.pop()
        alive.append(fn)
        if id(fn) in nodes:
            continue
        if hasattr(fn, "variable"):  # AccumulateGrad: a parameter
            node = GraphNode(id(fn), "leaf", by_leaf.get(id(fn.variable), ""))
        else:
            op = type(fn).__name__.removesuffix("Backward0")
            node = GraphNode(id(fn), op, by_fn.get(id(fn), ""))
        nodes[id(fn)] = node
        for parent, _ in fn.next_functions:
            if parent is not None:
                edges.append((id(parent), id(fn)))
                stack.append(parent)
    return list(nodes.values()), edges


# --8<-- [end:autograd_graph]


# --8<-- [start:hvp]
def hvp(
    f: Callable[[torch.Tensor], torch.Tensor],
    theta: torch.Tensor,
    v: torch.Tensor,
) -> torch.Tensor:
    """Hessian-vector product H(theta) v by double backward.

    The first backward pass is itself recorded (``create_graph=True``),
    so the scalar g(theta) . v can be differentiated once more.

    Args:
        f: scalar function of a flat parameter vector.
        theta: (P,) parameters.  v: (P,) direction.

    Returns:
        (P,) the product.
    """
    theta = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(theta), theta, create_graph=True)
    (Hv,) = torch.autograd.grad(g @ v, theta)
    return Hv


# --8<-- [end:hvp]


def _unflatten(
    theta: torch.Tensor, d: int, h: int, q: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """theta = (vec W1, vec W2) -> W1 (h, d), W2 (q, h)."""
    return theta[: h * d].reshape(h, d), theta[h * d :].reshape(q, h)


def flat_objective(
    X: torch.Tensor, y: torch.Tensor, h: int, q: int, lambd: float
) -> Callable[[torch.Tensor], torch.Tensor]:
    """J as a function of one flat vector theta = (vec W1, vec W2)."""
    d = X.shape[1]

    def f(theta: torch.Tensor) -> torch.Tensor:
        return objective(X, y, *_unflatten(theta, d, h, q), lambd)

    return f


def flat_gradients(
    X: torch.Tensor, y: torch.Tensor, h: int, q: int, lambd: float
) -> Callable[[torch.Tensor], torch.Tensor]:
    """:func:`gradients` as a function of theta = (vec W1, vec W2)."""
    d = X.shape[1]

    def grad(theta: torch.Tensor) -> torch.Tensor:
        g = gradients(X, y, *_unflatten(theta, d, h, q), lambd)
        return torch.cat([g["W1"].flatten(), g["W2"].flatten()])

    return grad


def hessian(
    f: Callable[[torch.Tensor], torch.Tensor], theta: torch.Tensor
) -> torch.Tensor:
    """The (P, P) Hessian, one column per Hessian-vector product."""
    eye = torch.eye(len(theta), dtype=theta.dtype, device=theta.device)
    return torch.stack([hvp(f, theta, e) for e in eye], dim=1)


def hessian_fd(
    grad: Callable[[torch.Tensor], torch.Tensor],
    theta: torch.Tensor,
    eps: float = 1e-5,
) -> torch.Tensor:
    """(P, P) Hessian by central differences of a gradient function."""
    cols = []
    for i in range(len(theta)):
        e = torch.zeros_like(theta)
        e[i] = eps
        cols.append((grad(theta + e) - grad(theta - e)) / (2 * eps))
    return torch.stack(cols, dim=1)


def graph_size(root: torch.Tensor) -> int:
    """Number of nodes in the autograd graph that computes ``root``."""
    return len(autograd_graph(root, {})[0])
