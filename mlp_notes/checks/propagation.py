"""Checks for §4.7-4.8: a gradient's shape, a hidden bias's gradient,
the memory training keeps, equal starts in softmax regression, a LARS
step."""

from __future__ import annotations

import numpy as np
import torch

from mlp_notes import footprint, models
from mlp_notes.checks.verdict import (
    BlankAnswerError,
    WrongAnswerError,
    as_tensor,
    blank,
    call,
    judge,
    max_error,
    rng,
)
from mlp_notes.optim import LARS


def check_4_7_gradient_shape(answer):
    """Exercise 4.7.1.  ``answer``: the shape of the gradient of a scalar
    f with respect to X of shape (3, 5): a tuple or a ``torch.Size``."""

    def body():
        if blank(answer):
            raise BlankAnswerError
        if not isinstance(answer, tuple | list | torch.Size):
            kind = type(answer).__name__
            raise WrongAnswerError(f"expected a tuple of ints, got {kind}")
        got = tuple(answer)
        if got == (3, 5):
            return "one partial derivative per entry of X, laid out like X"
        hint = "each entry of X gets one partial derivative"
        if got == (5, 3):
            hint = "that is X^T's shape: the gradient is laid out like X"
        elif got in ((15,), (1, 15), (15, 1)):
            hint = "15 numbers, yes, but arranged like X, not flattened"
        raise WrongAnswerError(f"{got}: {hint}")

    return judge("4.7 exercise 1 (the gradient's shape)", body)


def check_4_7_bias_gradient(fn):
    """Exercise 4.7.2.  With a hidden bias, z = X W1^T + b1 for a batch
    X.  ``fn(dJ_dz)``: given dJ/dz of shape (batch, h), return dJ/db1 of
    shape (h,).  The check's dJ/dz comes from autograd on a random MLP."""

    def body():
        g = rng(472)
        X = torch.randn(8, 6, generator=g, dtype=torch.float64)
        y = torch.randint(0, 3, (8,), generator=g)
        W1 = torch.randn(4, 6, generator=g, dtype=torch.float64)
        b1 = torch.randn(4, generator=g, dtype=torch.float64)
        W2 = torch.randn(3, 4, generator=g, dtype=torch.float64)
        b1.requires_grad_(True)
        z = X @ W1.T + b1  # (batch, h)
        z.retain_grad()
        J = torch.nn.functional.cross_entropy(torch.relu(z) @ W2.T, y)
        J.backward()
        got = call(fn, z.grad.detach().clone())
        if tuple(getattr(got, "shape", ())) == (1, len(b1)):
            got = got.reshape(-1)  # keepdim=True is fine
        got = as_tensor(got, b1.shape, "dJ/db1")
        err = max_error(got, b1.grad)
        if err > 1e-12:
            hint = "b1 is added to every example's z: add up their shares"
            if max_error(got, b1.grad / len(X)) < 1e-12:
                hint = "J's 1/n is already inside dJ/dz: sum, not mean"
            raise WrongAnswerError(f"off by up to {err:.3g}; {hint}")
        return f"equals autograd's dJ/db1 to {err:.1e}"

    return judge("4.7 exercise 2 (a bias in the hidden layer)", body)


def check_4_7_training_memory(fn):
    """Exercise 4.7.3.  ``fn(batch, hiddens)``: the bytes training keeps
    for the backward pass of ``models.mlp(hiddens)`` (float32 inputs of
    784 pixels, 10 classes, int64 labels) on a batch, beyond the
    parameters: an int.  Compared with what autograd actually saves."""

    def body():
        for batch, hiddens in ((64, (256,)), (256, (128, 128, 64))):
            got = float(as_tensor(call(fn, batch, hiddens), (), "the count"))
            net = models.mlp(hiddens, generator=rng(473))
            X = torch.rand(batch, 1, 28, 28, generator=rng(474))
            y = torch.randint(0, 10, (batch,), generator=rng(475))
            loss = footprint.classification_loss(net, X, y)
            saved = footprint.saved_for_backward(loss, net.parameters())
            saved = saved["activations"]
            if abs(got - saved) > 0.05 * saved:
                hint = "count what the backward equations read"
                double = float(
                    as_tensor(call(fn, 2 * batch, hiddens), (), "it")
                )
                if abs(double - got) < 1e-9 * max(abs(got), 1):
                    hint = (
                        "your count does not grow with the batch: training "
                        "keeps every example's input and hidden activations"
                    )
                elif abs(got * 1024 - saved) < 0.05 * saved:
                    hint = "the answer is in bytes, not KiB"
                raise WrongAnswerError(
                    f"batch {batch}, hiddens {hiddens}: off by "
                    f"{abs(got - saved) / saved:.0%} from what autograd "
                    f"keeps; {hint}"
                )
        return "within 5% of what autograd keeps, for two batches and depths"

    return judge("4.7 exercise 3 (memory for training)", body)


def check_4_8_equal_start(answer):
    """Exercise 4.8.2.  ``answer``: True if starting softmax regression
    with every weight equal keeps its rows equal under gradient descent
    (a symmetry that training cannot break), else False: a bool."""

    def body():
        if blank(answer):
            raise BlankAnswerError
        if not isinstance(answer, bool | np.bool_):
            kind = type(answer).__name__
            raise WrongAnswerError(f"expected True or False, got {kind}")
        g = rng(482)
        X = torch.randn(32, 5, generator=g, dtype=torch.float64)
        y = torch.randint(0, 3, (32,), generator=g)
        W = torch.full((3, 5), 0.1, dtype=torch.float64, requires_grad=True)
        torch.nn.functional.cross_entropy(X @ W.T, y).backward()
        spread = float(W.grad.std(0).max())  # rows of the gradient differ
        if bool(answer):
            raise WrongAnswerError(
                "no hidden units, nothing to be interchangeable: each row's "
                "gradient is the mean of (p_k - [y = k]) x, which differs "
                f"by class (spread {spread:.2f} here)"
            )
        return f"the gradient's rows differ at once (spread {spread:.2f})"

    return judge("4.8 exercise 2 (equal weights, softmax regression)", body)


def check_4_8_lars_step(fn):
    """Exercise 4.8.4.  ``fn(w, grad, lr, eta)``: one LARS step (no
    weight decay, no momentum) for one layer's weights w; the new w."""

    def body():
        g = rng(484)
        w = torch.randn(10, 4, generator=g, dtype=torch.float64)
        grad = torch.randn(10, 4, generator=g, dtype=torch.float64) * 50
        lr, eta = 0.5, 0.01
        got = as_tensor(
            call(fn, w.clone(), grad.clone(), lr, eta), w.shape, "new w"
        )
        ref = w.clone().requires_grad_(True)
        ref.grad = grad.clone()
        LARS([ref], lr=lr, momentum=0.0, trust_coefficient=eta, eps=0.0).step()
        err = max_error(got, ref.detach())
        if err > 1e-10:
            hint = (
                "LARS's step is a fixed fraction of ||w||, whatever ||grad||"
            )
            if max_error(got, w - lr * grad) < 1e-10:
                hint = "that is plain SGD: " + hint
            raise WrongAnswerError(f"off by up to {err:.3g}; {hint}")
        return f"matches LARS's step to {err:.1e} on a large gradient"

    return judge("4.8 exercise 4 (a LARS step)", body)
