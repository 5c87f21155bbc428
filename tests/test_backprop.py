"""Manual backward pass of §4.7 against autograd in float64."""

import pytest
import torch
import torch.nn.functional as F

from mlp_notes import backprop
from mlp_notes.models import MLPScratch

# (n, d, h, q): distinct sizes make a dropped transpose a shape error;
# the square case makes it a wrong value instead.
SHAPES = [(11, 5, 7, 3), (6, 6, 6, 6)]


def problem(n, d, h, q, seed=0, bias=False):
    g = torch.Generator().manual_seed(seed)
    kw = dict(generator=g, dtype=torch.float64)
    X = torch.randn(n, d, **kw)
    y = torch.randint(0, q, (n,), generator=g)
    W1, W2 = torch.randn(h, d, **kw), torch.randn(q, h, **kw)
    b1 = torch.randn(h, **kw) if bias else None
    return X, y, W1, W2, b1


def reference(X, y, W1, W2, lambd, b1=None):
    """Autograd through torch.nn.functional, independent of backprop.py."""
    leaves = [t.clone().requires_grad_(True) for t in (W1, W2)]
    if b1 is not None:
        leaves.append(b1.clone().requires_grad_(True))
    bias = leaves[2] if b1 is not None else None
    O = F.linear(F.relu(F.linear(X, leaves[0], bias)), leaves[1])  # noqa: E741
    J = F.cross_entropy(O, y) + lambd / 2 * sum(
        (w**2).sum() for w in leaves[:2]
    )
    grads = torch.autograd.grad(J, leaves)
    return dict(zip(["W1", "W2", "b1"], grads))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_gradients_match_autograd(shape, bias, lambd):
    X, y, W1, W2, b1 = problem(*shape, bias=bias)
    ours = backprop.gradients(X, y, W1, W2, lambd, b1)
    ref = reference(X, y, W1, W2, lambd, b1)
    assert set(ours) == set(ref)
    for k in ref:
        assert ours[k].shape == ref[k].shape
        assert (ours[k] - ref[k]).abs().max().item() <= 1e-10, k


def test_lambda_term_matters():
    """lambd changes each weight gradient by exactly lambd * W."""
    X, y, W1, W2, _ = problem(*SHAPES[0])
    g0 = backprop.gradients(X, y, W1, W2, 0.0)
    g1 = backprop.gradients(X, y, W1, W2, 0.5)
    torch.testing.assert_close(g1["W1"] - g0["W1"], 0.5 * W1)
    torch.testing.assert_close(g1["W2"] - g0["W2"], 0.5 * W2)


def test_objective_and_autograd_helper():
    X, y, W1, W2, b1 = problem(*SHAPES[0], bias=True)
    ref = reference(X, y, W1, W2, 0.3, b1)
    auto = backprop.autograd_gradients(X, y, W1, W2, 0.3, b1)
    for k in ref:
        torch.testing.assert_close(auto[k], ref[k], rtol=0, atol=1e-12)


def test_bias_gradient_is_batch_sum_of_dz():
    X, y, W1, W2, b1 = problem(*SHAPES[0], bias=True)
    grads = backprop.gradients(X, y, W1, W2, 0.0, b1)
    Z = (X @ W1.T + b1).requires_grad_(True)
    O = F.relu(Z) @ W2.T  # noqa: E741
    (dZ,) = torch.autograd.grad(F.cross_entropy(O, y), Z)
    torch.testing.assert_close(grads["b1"], dZ.sum(0), rtol=0, atol=1e-12)


def test_column_convention_is_mlpscratch_transposed():
    g = torch.Generator().manual_seed(3)
    net = MLPScratch(6, 4, 5, sigma=0.5, generator=g).double()
    X = torch.randn(9, 6, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (9,), generator=g)
    J = F.cross_entropy(net(X), y) + 0.2 / 2 * (
        net.W1.pow(2).sum() + net.W2.pow(2).sum()
    )
    J.backward()
    ours = backprop.gradients(X, y, net.W1.T, net.W2.T, 0.2, net.b1)
    torch.testing.assert_close(ours["W1"].T, net.W1.grad, rtol=0, atol=1e-12)
    torch.testing.assert_close(ours["W2"].T, net.W2.grad, rtol=0, atol=1e-12)


def test_graph_walk_finds_parameters_and_names():
    X, y, W1, W2, b1 = problem(*SHAPES[0], bias=True)
    W1, W2, b1 = (t.requires_grad_(True) for t in (W1, W2, b1))
    J = backprop.objective(X, y, W1, W2, 0.1, b1)
    nodes, edges = backprop.autograd_graph(J, {"W1": W1, "W2": W2, "b1": b1,
                                               "J": J})  # fmt: skip
    leaves = sorted(n.var for n in nodes if n.op == "leaf")
    assert leaves == ["W1", "W2", "b1"]
    assert {n.var for n in nodes if n.op == "Add"} >= {"J"}
    keys = {n.key for n in nodes}
    assert all(a in keys and b in keys for a, b in edges)
    # without the bias there is one leaf (and one Add) fewer
    J0 = backprop.objective(X, y, W1, W2, 0.1)
    assert backprop.graph_size(J0) == len(nodes) - 2


def test_hessian_by_double_backward_matches_finite_differences():
    X, y, W1, W2, _ = problem(7, 3, 4, 3, seed=5)
    f = backprop.flat_objective(X, y, 4, 3, lambd=0.1)
    theta = torch.cat([W1.flatten(), W2.flatten()])

    def grad(t):
        g = backprop.gradients(X, y, t[:12].reshape(4, 3),
                               t[12:].reshape(3, 4), 0.1)  # fmt: skip
        return torch.cat([g["W1"].flatten(), g["W2"].flatten()])

    Hess = backprop.hessian(f, theta)
    torch.testing.assert_close(Hess, Hess.T, rtol=0, atol=1e-12)
    fd = backprop.hessian_fd(grad, theta)
    assert (Hess - fd).abs().max().item() < 1e-7
    ref = torch.autograd.functional.hessian(f, theta)
    torch.testing.assert_close(Hess, ref, rtol=0, atol=1e-12)


def test_autograd_helper_without_a_bias():
    X, y, W1, W2, _ = problem(*SHAPES[0])
    auto = backprop.autograd_gradients(X, y, W1, W2, 0.3)
    ref = reference(X, y, W1, W2, 0.3)
    assert set(auto) == {"W1", "W2"}
    for k in auto:
        torch.testing.assert_close(auto[k], ref[k], rtol=0, atol=1e-12)


def test_gradients_of_a_batch_without_the_last_class():
    """The one-hot targets have q columns even when no label is q - 1."""
    X, y, W1, W2, b1 = problem(*SHAPES[0], bias=True)
    y = y % 2  # labels 0 and 1 only, q = 3
    ours = backprop.gradients(X, y, W1, W2, 0.2, b1)
    ref = reference(X, y, W1, W2, 0.2, b1)
    for k in ref:
        torch.testing.assert_close(ours[k], ref[k], rtol=0, atol=1e-12)


def test_graph_walk_visits_each_node_once_and_leaves_others_unnamed():
    """Each node once, one edge per input (an input used twice gives two
    edges); nodes and parameters not in ``names`` are labelled ""."""
    from collections import Counter

    w, v = (torch.randn(3, dtype=torch.float64, requires_grad=True)
            for _ in range(2))  # fmt: skip
    H = w * v
    J = (H * H).sum() + H.sum()
    nodes, edges = backprop.autograd_graph(J, {"w": w, "H": H, "J": J})
    assert sorted(n.var for n in nodes) == ["", "", "", "", "H", "J", "w"]
    label = {n.key: n.var or n.op for n in nodes}
    assert sorted(label.values()) == ["H", "J", "Mul", "Sum", "Sum",
                                      "leaf", "w"]  # fmt: skip
    assert Counter((label[a], label[b]) for a, b in edges) == Counter(
        {("Sum", "J"): 2, ("Mul", "Sum"): 1, ("H", "Mul"): 2,
         ("H", "Sum"): 1, ("w", "H"): 1, ("leaf", "H"): 1}
    )  # fmt: skip
    assert backprop.graph_size(J) == 7


def test_flat_gradients_are_the_flat_objectives_gradient():
    X, y, W1, W2, _ = problem(9, 4, 5, 3, seed=2)
    theta = torch.cat([W1.flatten(), W2.flatten()])
    grad = backprop.flat_gradients(X, y, 5, 3, lambd=0.4)
    f = backprop.flat_objective(X, y, 5, 3, lambd=0.4)
    (want,) = torch.autograd.grad(f(theta.requires_grad_(True)), theta)
    torch.testing.assert_close(grad(theta.detach()), want, rtol=0, atol=1e-12)
    fd = backprop.hessian_fd(grad, theta.detach())
    assert (fd - backprop.hessian(f, theta.detach())).abs().max() < 1e-7


def test_hessian_columns_are_hessian_vector_products():
    """Column i is exactly hvp(f, theta, e_i), on theta's device (meta
    here: shapes only, no data)."""
    X, y, W1, W2, _ = problem(5, 3, 2, 3, seed=4)
    f = backprop.flat_objective(X, y, 2, 3, lambd=0.1)
    theta = torch.cat([W1.flatten(), W2.flatten()])
    Hess = backprop.hessian(f, theta)
    for i, e in enumerate(torch.eye(len(theta), dtype=theta.dtype)):
        assert torch.equal(Hess[:, i], backprop.hvp(f, theta, e))
    meta = [t.to("meta") for t in (X, y, theta)]
    f_meta = backprop.flat_objective(meta[0], meta[1], 2, 3, lambd=0.1)
    H_meta = backprop.hessian(f_meta, meta[2])
    assert H_meta.device.type == "meta" and H_meta.shape == Hess.shape


def test_finite_difference_hessian_is_the_jacobian_of_grad():
    """Column i is d grad / d theta_i: for a linear map, its matrix (even
    an asymmetric one, as a wrong gradient would give)."""
    A = torch.arange(9.0, dtype=torch.float64).reshape(3, 3)
    fd = backprop.hessian_fd(lambda t: A @ t, torch.ones(3, dtype=A.dtype))
    torch.testing.assert_close(fd, A, rtol=0, atol=1e-9)
