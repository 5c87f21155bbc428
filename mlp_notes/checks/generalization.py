"""Checks for §4.4-4.6: an exact fit, the L1 step, the Frobenius norm,
the variance dropout adds.  (The prior behind weight decay: prior.py.)"""

from __future__ import annotations

import torch

from mlp_notes import polynomial, regularization, weight_decay
from mlp_notes.checks.compare import (
    RTOL,
    answer,
    close,
    confusion,
    entrywise,
    error,
    note,
    scale_of,
    shaped,
)
from mlp_notes.checks.guard import exercise
from mlp_notes.checks.verdict import wrong


def _design(run, n: int, d: int) -> torch.Tensor:
    """An (n, d) matrix with singular values in [1, 2.5]: well enough
    conditioned that float32 solvers are accurate to float32."""
    Q, _ = torch.linalg.qr(run.normal(n, d))
    V, _ = torch.linalg.qr(run.normal(d, d))
    s = [run.uniform(1.0, 2.5) for _ in range(d)]
    return Q @ torch.diag(torch.tensor(s, dtype=torch.float64)) @ V.T


def _check_4_4_exact_fit(fn, run):
    """Exercise 4.4.1.  ``fn(F, y)``: F an (n, d) float64 design matrix
    (n > d, full column rank), y of shape (n,); returns the w of shape
    (d,) (or (d, 1)) minimizing ||F w - y||^2.  Any method passes; w is
    compared with the minimizer on two random problems."""
    fn = run.function(fn)
    worst, remark = 0.0, ""
    for _ in range(2):
        d = run.integer(3, 8)
        n = run.integer(3 * d, 8 * d)
        F, y = _design(run, n, d), run.normal(n)
        got = run.call(fn, F.clone(), y.clone(), what="w")
        size = got.values.numel()
        if size == n:
            raise wrong(
                f"w has {n} entries, one per example (the fitted values?); "
                "w has one entry per column of F"
            )
        if size == d + 1:
            raise wrong("w has one entry per column of F, and no bias")
        w = shaped(got, (d,), "w")
        want = polynomial.least_squares(F, y.unsqueeze(1))[:, 0]
        err = error(w, want, scale_of(want))
        if not close(w, want, scale_of(want)):
            raise wrong(
                f"w is off the minimizer by {err:.2g} (relative to its "
                f"size): {_fit_hint(w, F, y)}"
            )
        worst, remark = max(worst, err), remark or note(got, err)
    return (
        f"equals the least-squares minimizer on two random problems "
        f"(error {worst:.1e}){remark}"
    )


def _fit_hint(w, F, y) -> str:
    d = F.shape[1]
    scale = scale_of(w)
    exact = torch.linalg.solve(F[:d], y[:d])
    if close(w, exact, scale):
        return (
            "it fits d of the n points exactly; the least-squares w "
            "minimizes the error over all n"
        )
    residual = F.T @ (y - F @ w)
    lam = float(w @ residual) / max(float(w @ w), 1e-300)
    if lam > 0:
        A = F.T @ F + lam * torch.eye(d, dtype=F.dtype)
        if close(w, torch.linalg.solve(A, F.T @ y), scale):
            return "that minimizes a penalized loss; this one has no penalty"
    return "it does not minimize ||F w - y||^2 (where is its gradient 0?)"


def _check_4_5_l1_step(fn, run):
    """Exercise 4.5.3.  ``fn(w, grad, lr, lam)``: one SGD step on
    loss + lam * sum |w_i| (grad: the loss's gradient at w), the plain
    (sub)gradient step; returns the new w.  Convention at w_i = 0: the
    subgradient 0 (the random weights avoid it)."""
    fn = run.function(fn)
    d = run.integer(30, 80)
    size = [run.uniform(0.05, 1.5) for _ in range(d)]
    size[:4] = [run.uniform(0.002, 0.005) for _ in range(4)]  # near 0
    w = torch.sign(run.normal(d)) * torch.tensor(size, dtype=torch.float64)
    grad = run.normal(d)
    grad[:4] = run.normal(4) * 3e-4  # there the proximal step gives 0
    lr, lam = run.uniform(0.05, 0.3), run.uniform(0.2, 2.0)
    # four weights the loss's step alone carries across 0, where the
    # subgradient of |w_i| at w_i (not at w_i - lr * grad_i) counts
    grad[4:8] = (
        w[4:8]
        / lr
        * torch.tensor(
            [run.uniform(1.5, 3.0) for _ in range(4)], dtype=torch.float64
        )
    )
    args = (w.clone(), grad.clone(), lr, lam)
    got, v = answer(run, fn, args, "new w", w.shape)
    want = w - lr * (grad + lam * torch.sign(w))
    scale = scale_of(want)
    if not close(v, want, scale):
        raise wrong(
            f"off by up to {error(v, want, scale):.3g} (relative): "
            f"{_l1_hint(v, w, grad, lr, lam)}"
        )
    err = error(v, want, scale)
    return (
        f"the step matches on {d} random weights for a random lr and lam "
        f"(error {err:.1e}){note(got, err)}"
    )


def _l1_hint(v, w, grad, lr, lam) -> str:
    s = torch.sign(w)
    prox = w - lr * grad
    prox = torch.sign(prox) * (prox.abs() - lr * lam).clamp(min=0)
    for value, hint in (
        (
            w - lr * (grad - lam * s),
            "your step subtracts the penalty: it pushes weights away from "
            "0, the step of a loss that falls as weights grow.  "
            "lam * sum |w_i| rises with |w_i|; descend it",
        ),
        (w - lr * (grad + lam * w), "that is the L2 penalty's step"),
        (
            w - lr * grad - lam * s,
            "the penalty's gradient is a gradient too: times lr",
        ),
        (w - lr * lam * s, "the loss's gradient is missing"),
        (w - lr * grad, "the penalty is missing"),
        (
            prox,
            "that is the proximal (soft-thresholding) step; the exercise "
            "asks for the plain (sub)gradient step",
        ),
        (
            w - lr * (grad + lam * torch.sign(grad)),
            "the penalty's subgradient follows the sign of w, not of grad",
        ),
        (
            w - lr * (grad + lam),
            "the subgradient of |w_i| changes sign with w_i",
        ),
        (-lr * (grad + lam * s), "that is the change in w; return the new w"),
        (w + lr * (grad + lam * s), "that step climbs the loss"),
    ):
        if close(v, value, scale_of(value)):
            return hint
    return "what is the (sub)gradient of lam * |w_i|?"


def _check_4_5_frobenius(fn, run):
    """Exercise 4.5.4.  ``fn(W)``: the matrix analogue of ||w||^2 =
    w^T w for a (rows, cols) float64 matrix; returns one number.  Two
    random matrices, one tall and one wide (in random order), so that an
    answer right for only one of the two shapes fails every time; a hint
    names a confusion only if the answer matches it on both."""
    fn = run.function(fn)
    tall_first, tried = run.integer(0, 1), []
    for tall in (tall_first, 1 - tall_first):
        shape = [run.integer(2, 12)]
        shape.insert(1 - tall, shape[0] + run.integer(1, 5))
        W = run.normal(*shape)  # never square
        got = run.call(fn, W.clone(), what="your value")
        n_cols, n_rows = W.shape[1], W.shape[0]
        if tuple(got.values.shape) in ((n_cols, n_cols), (n_rows, n_rows)):
            raise wrong(
                "that is a matrix; the analogue of w^T w is one number: "
                "which number of W^T W adds up the squares?"
            )
        tried.append((got, shaped(got, (), "your value"), W))
    worst, remark = 0.0, ""
    for got, v, W in tried:
        want = (W * W).sum()
        if not close(v, want, float(want)):
            hint = confusion(
                [(v, (W,)) for _, v, W in tried],
                _FROBENIUS_CONFUSIONS,
                "w^T w adds up the squares of w's entries",
            )
            raise wrong(f"off for a random matrix: {hint}")
        err = error(v, want, float(want))
        worst, remark = max(worst, err), remark or note(got, err)
    return f"right for two random matrices (error {worst:.1e}){remark}"


#: what a wrong answer may have computed instead, and the hint for it
_FROBENIUS_CONFUSIONS = (
    (
        lambda W: (W * W).sum().sqrt(),
        "that is ||W||_F; the analogue of ||w||^2 is its square",
    ),
    (lambda W: W.abs().sum(), "that is the sum of |entries|, an L1 norm"),
    (
        lambda W: torch.linalg.matrix_norm(W, 2) ** 2,
        "that is the largest singular value squared (the spectral norm), "
        "not the analogue of w^T w",
    ),
    (
        lambda W: (W * W).sum() / 2,
        "half of it: the 1/2 belongs to the penalty, not to w^T w",
    ),
    (
        lambda W: W.sum() ** 2,
        "the square of the sum is not the sum of the squares",
    ),
    (lambda W: (W * W).mean(), "that is the mean of the squares, not the sum"),
)


def _check_4_6_dropout_variance(fn, run):
    """Exercise 4.6.3 (its computable side).  ``fn(h, p)``: the variance
    of dropout's output h' for a fixed activation h (a float64 tensor)
    at drop probability p, with the 1/(1-p) rescaling; returns a tensor
    of h's shape.  Three random p in (0.1, 0.9), random h."""
    fn = run.function(fn)
    h = run.normal(run.integer(3, 9), run.integer(3, 9)) * 2
    h = torch.where(h.abs() < 0.05, 0.5, h)
    h[0, 0] = run.uniform(0.05, 0.1)  # one small variance, every time
    worst, remark = 0.0, ""
    for low in (0.1, 0.4, 0.7):
        p = run.uniform(low, low + 0.2)
        got, v = answer(run, fn, (h.clone(), p), "the variance", h.shape)
        want = h * h * p / (1 - p)  # entries from 3e-4 to 400
        err = entrywise(v, want)
        if err > RTOL:
            raise wrong(
                f"off by up to {err:.3g} (relative, entry by entry): "
                f"{_variance_hint(v, h, p)}"
            )
        worst, remark = max(worst, err), remark or note(got, err)
    return (
        f"right for three random p and {h.numel()} random activations "
        f"(error {worst:.1e}){remark}"
    )


def _variance_hint(v, h, p) -> str:
    q = 1 - p
    for value, hint in (
        (h * h * p * q, "that is h * mask without the 1/(1-p) rescaling"),
        (h * h / q, "that is E[h'^2]; the variance subtracts E[h']^2"),
        (h * h * p / q**2, "check the power of (1 - p)"),
        (h.abs() * (p / q) ** 0.5, "that is the standard deviation"),
        (h * p / q, "the variance grows with the square of h"),
        (
            torch.zeros_like(h),
            "h' is random even for a fixed h: it is h/(1-p) or 0",
        ),
        (h * h * q / p, "p is the probability of dropping, not of keeping"),
    ):
        if bool((value != 0).all()):
            if entrywise(v, value) <= RTOL:
                return hint
        elif close(v, value, 1.0):
            return hint
    return "E[h'] = h; compute E[h'^2] - h^2"


# The checks: each body through the one wrapper (guard.exercise).  The
# bodies stay undecorated, so that mutation testing reaches them.
check_4_4_exact_fit = exercise(
    "4.4 exercise 1 (the exact solution)",
    {
        "polynomial.least_squares": polynomial.least_squares,
        "polynomial.exact_least_squares": polynomial.exact_least_squares,
        "weight_decay.ridge": weight_decay.ridge,
    },
)(_check_4_4_exact_fit)
check_4_5_l1_step = exercise(
    "4.5 exercise 3 (the L1 step)",
    {
        "regularization.l1_penalty": regularization.l1_penalty,
        "weight_decay.train_scratch": weight_decay.train_scratch,
    },
)(_check_4_5_l1_step)
check_4_5_frobenius = exercise(
    "4.5 exercise 4 (the Frobenius norm)",
    {"regularization.l2_penalty": regularization.l2_penalty},
)(_check_4_5_frobenius)
check_4_6_dropout_variance = exercise(
    "4.6 exercise 3 (the variance dropout adds)"
)(_check_4_6_dropout_variance)
