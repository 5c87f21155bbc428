"""Checks for §4.4-4.6: an exact fit, the L1 step, the Frobenius norm,
the prior behind weight decay, the variance dropout adds."""

from __future__ import annotations

import re

import torch

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


def check_4_4_exact_fit(fn):
    """Exercise 4.4.1.  ``fn(F, y)``: F an (n, d) float64 design matrix
    (n > d, full column rank), y of shape (n,); returns the w of shape
    (d,) or (d, 1) minimizing ||F w - y||^2.  Any correct method passes:
    the check tests the optimality condition F^T (F w - y) = 0."""

    def body():
        g = rng(44)
        for n, d in ((30, 4), (100, 8)):
            F = torch.randn(n, d, generator=g, dtype=torch.float64)
            y = torch.randn(n, generator=g, dtype=torch.float64)
            got = call(fn, F.clone(), y.clone())
            try:  # (d,) or (d, 1), as a tensor, an array or a list
                shape = tuple(torch.as_tensor(got).shape)
            except Exception:
                shape = (d,)
            shape = (d, 1) if shape == (d, 1) else (d,)
            w = as_tensor(got, shape, "w").reshape(d)
            residual = F.T @ (F @ w - y)  # zero at the minimum
            if max_error(residual, torch.zeros(d)) > 1e-8 * n:
                raise WrongAnswerError(
                    f"(n, d) = ({n}, {d}): F^T (F w - y) is up to "
                    f"{max_error(residual, torch.zeros(d)):.3g}, not 0: w "
                    "does not minimize the squared error (where is the "
                    "gradient of ||F w - y||^2 zero?)"
                )
        return "F^T (F w - y) = 0 to rounding on two random problems"

    return judge("4.4 exercise 1 (the exact solution)", body)


def check_4_5_l1_step(fn):
    """Exercise 4.5.3.  ``fn(w, grad, lr, lam)``: one SGD step on
    loss + lam * sum |w_i| (grad: the loss's gradient); returns the new
    w.  Convention at w_i = 0: the subgradient 0 (the tests avoid it)."""

    def body():
        g = rng(45)
        w = torch.randn(50, generator=g, dtype=torch.float64)
        grad = torch.randn(50, generator=g, dtype=torch.float64)
        lr, lam = 0.1, 0.5
        got = as_tensor(
            call(fn, w.clone(), grad.clone(), lr, lam), w.shape, "new w"
        )
        want = w - lr * (grad + lam * torch.sign(w))
        if max_error(got, want) > 1e-12:
            if max_error(got, w - lr * (grad - lam * torch.sign(w))) < 1e-12:
                hint = (
                    "your step subtracts the penalty: it pushes weights "
                    "away from 0, the step of a loss that falls as weights "
                    "grow.  lam * sum |w_i| rises with |w_i|; descend it"
                )
            elif max_error(got, w - lr * (grad + lam * w)) < 1e-12:
                hint = (
                    "lam * w is the gradient of the L2 penalty lam/2 ||w||^2"
                )
            elif max_error(got, w - lr * grad - lam * torch.sign(w)) < 1e-12:
                hint = "the penalty's gradient is a gradient too: times lr"
            else:
                hint = "what is the (sub)gradient of lam * |w_i|?"
            raise WrongAnswerError(
                f"off by up to {max_error(got, want):.3g}: {hint}"
            )
        return "the step matches on 50 random weights (lr 0.1, lam 0.5)"

    return judge("4.5 exercise 3 (the L1 step)", body)


def check_4_5_frobenius(fn):
    """Exercise 4.5.4.  ``fn(W)``: the matrix analogue of ||w||^2 = w^T w
    for a (rows, cols) float64 matrix; returns one number."""

    def body():
        W = torch.randn(7, 3, generator=rng(46), dtype=torch.float64)
        got = call(fn, W.clone())
        if tuple(getattr(got, "shape", ())) == (3, 3):
            raise WrongAnswerError(
                "W^T W is a matrix; the analogue of w^T w is one number: "
                "which number of W^T W adds up the squares?"
            )
        got = float(as_tensor(got, (), "your value"))
        want = float((W * W).sum())
        if abs(got - want) > 1e-10 * want:
            hint = "w^T w adds up the squares of w's entries"
            if abs(got - want**0.5) < 1e-10 * want:
                hint = "that is ||W||_F; the analogue of ||w||^2 is its square"
            elif abs(got - float(W.abs().sum())) < 1e-10 * want:
                hint = "that is the sum of |entries|, an L1 norm"
            raise WrongAnswerError(f"{got:.6g} for a random 7 x 3 W; {hint}")
        return "right for a random 7 x 3 matrix"

    return judge("4.5 exercise 4 (the Frobenius norm)", body)


def check_4_5_prior(answer):
    """Exercise 4.5.6.  ``answer``: the name of the prior P(w) that
    L2 weight decay corresponds to, a string."""

    def body():
        if blank(answer) or answer == "":
            raise BlankAnswerError
        if not isinstance(answer, str):
            raise WrongAnswerError(
                f"expected a name (a str), got {type(answer).__name__}"
            )
        words = set(re.findall(r"[a-z]+", answer.lower()))
        if "laplace" in words or "laplacian" in words:
            raise WrongAnswerError(
                "a Laplace prior gives the L1 penalty, not L2"
            )
        other = {
            "log",
            "lognormal",
            "half",
            "inverse",
            "not",
            "non",
            "uniform",
        }
        if words & other:
            raise WrongAnswerError(
                f"{answer!r}: take -log P(w); which prior gives "
                "(lambda/2) ||w||^2?"
            )
        if words & {"gaussian", "normal", "gauss"}:
            return (
                "-log of a zero-mean Gaussian prior is ||w||^2 / (2 tau^2) "
                "+ const: weight decay with lambda set by tau"
            )
        raise WrongAnswerError(
            "take -log P(w): which prior gives (lambda/2) ||w||^2?"
        )

    return judge("4.5 exercise 6 (the prior)", body)


def check_4_6_dropout_variance(fn):
    """Exercise 4.6.3.  ``fn(h, p)``: the variance of dropout's output
    for a fixed activation h (a tensor) at drop probability p, with the
    1/(1-p) rescaling; returns a tensor of h's shape."""

    def body():
        h = torch.randn(20, generator=rng(47), dtype=torch.float64)
        for p in (0.2, 0.5, 0.9):
            got = as_tensor(call(fn, h.clone(), p), h.shape, "the variance")
            want = h * h * p / (1 - p)
            if max_error(got, want) > 1e-10:
                hint = "E[h'] = h; compute E[h'^2] - h^2"
                if max_error(got, h * h * p * (1 - p)) < 1e-10:
                    hint = "that is h * mask without the 1/(1-p) rescaling"
                raise WrongAnswerError(
                    f"at p = {p}: off by {max_error(got, want):.3g}; {hint}"
                )
        return "right for p = 0.2, 0.5, 0.9 on 20 random activations"

    return judge("4.6 exercise 3 (the variance dropout adds)", body)
