"""Weight decay (§4.5) on D2L's high-dimensional linear regression.

y = 0.05 + sum_i 0.01 x_i + eps with 200 inputs, 20 training and 100 test
examples.  Losses here are on the scratch scale, (1/n) sum (y_hat - y)^2 / 2.
"""

from __future__ import annotations

import torch
from torch import nn

from mlp_notes.data import synthetic_data
from mlp_notes.regularization import l1_penalty, l2_penalty

#: Offset of the init/minibatch seeds from the data seeds (a shared seed
#: would draw the initial w equal to the first training example).
INIT_SEED = 1_000_000
#: D2L's learning rate and batch size for this problem.
LR, BATCH_SIZE = 0.003, 5


# --8<-- [start:highdim_data]
def highdim_data(
    *,
    n_train: int = 20,
    n_test: int = 100,
    num_inputs: int = 200,
    seed: int = 0,
) -> tuple[torch.Tensor, ...]:
    """X_train (n_train, num_inputs), y_train (n_train, 1), X_test, y_test."""
    g = torch.Generator().manual_seed(seed)
    true_w = torch.full((num_inputs,), 0.01)
    X_tr, y_tr = synthetic_data(true_w, 0.05, n_train, generator=g)
    X_te, y_te = synthetic_data(true_w, 0.05, n_test, generator=g)
    return X_tr, y_tr, X_te, y_te


# --8<-- [end:highdim_data]


# --8<-- [start:sgd_step]
def sgd_weight_decay_step(
    w: torch.Tensor,
    b: torch.Tensor,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    lr: float,
    lambd: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One minibatch step on (1/|B|) sum (w^T x + b - y)^2 / 2
    + (lambd / 2) ||w||^2, written out by hand:

    w <- (1 - lr lambd) w - (lr / |B|) sum_i x_i (w^T x_i + b - y_i)
    b <- b - (lr / |B|) sum_i (w^T x_i + b - y_i)

    Args:
        w: (num_inputs, 1); b: (1,); X: (|B|, num_inputs); y: (|B|, 1).

    Returns:
        The new (w, b).
    """
    r = X @ w + b - y  # (|B|, 1) residuals
    w_new = (1 - lr * lambd) * w - lr / len(y) * X.T @ r
    b_new = b - lr / len(y) * r.sum(0)
    return w_new, b_new


# --8<-- [end:sgd_step]


# --8<-- [start:record]
def half_mse(X, w, b, y) -> torch.Tensor:
    """(1/n) sum (X w + b - y)^2 / 2 per column of w: shape (m,)."""
    return ((X @ w + b - y) ** 2).mean(0) / 2


def record(out: dict, data: tuple[torch.Tensor, ...], w, b) -> None:
    """Append an epoch's train and test half-MSE and ||w|| to ``out``.

    Args:
        data: X_train, y_train, X_test, y_test; w: (d, m); b: (m,).
    """
    X_tr, y_tr, X_te, y_te = data
    with torch.no_grad():
        out["train_loss"].append(half_mse(X_tr, w, b, y_tr))
        out["test_loss"].append(half_mse(X_te, w, b, y_te))
        out["norm"].append(w.norm(dim=0))


# --8<-- [end:record]


# --8<-- [start:train_scratch]
def train_scratch(
    data: tuple[torch.Tensor, ...],
    lambds: list[float],
    *,
    num_epochs: int,
    lr: float = LR,
    batch_size: int = BATCH_SIZE,
    penalty: str = "l2",
    sign: float = 1.0,
    seed: int = 0,
) -> dict:
    """D2L's loop, one model per entry of ``lambds`` (columns of w, same
    init, same minibatches); ``sign=-1`` is the Pitfalls' sign bug.
    Returns "train_loss", "test_loss" (half-MSE) and "norm" (||w||) after
    each epoch, (num_epochs, m), and the final "w" (d, m) and "b" (m,)."""
    X_tr, y_tr = data[:2]
    g = torch.Generator().manual_seed(INIT_SEED + seed)  # not the data's
    w0 = torch.randn(X_tr.shape[1], 1, generator=g)
    w = w0.repeat(1, len(lambds)).requires_grad_()  # (num_inputs, m)
    b = torch.zeros(len(lambds), requires_grad=True)
    lambd = torch.tensor(lambds)  # (m,)
    pen = {"l2": l2_penalty, "l1": l1_penalty}[penalty]
    out = {"train_loss": [], "test_loss": [], "norm": []}
    for _ in range(num_epochs):
        perm = torch.randperm(len(y_tr), generator=g)
        for i in range(0, len(y_tr), batch_size):
            idx = perm[i : i + batch_size]
            y_hat = X_tr[idx] @ w + b  # (batch_size, m)
            loss = (y_hat - y_tr[idx]) ** 2 / 2 + sign * lambd * pen(w, dim=0)
            loss.sum().backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= lr * p.grad / len(idx)
                    p.grad.zero_()
        record(out, data, w, b)
    out = {k: torch.stack(v) for k, v in out.items()}
    return out | {"w": w.detach().clone(), "b": b.detach().clone()}


# --8<-- [end:train_scratch]


# --8<-- [start:train_concise]
def train_concise(
    data: tuple[torch.Tensor, ...],
    wd: float,
    *,
    num_epochs: int,
    lr: float = LR,
    batch_size: int = BATCH_SIZE,
    half: bool = True,
    seed: int = 0,
) -> dict:
    """nn.Linear and SGD with weight_decay on w only, from the same init
    and minibatches as ``train_scratch(..., seed=seed)``.  ``half``:
    MSELoss / 2, the scratch objective; False: D2L's MSELoss, which
    doubles the data gradient.  Returns what ``train_scratch`` does
    (one column, losses on the half-MSE scale), without "b".
    """
    X_tr, y_tr = data[:2]
    g = torch.Generator().manual_seed(INIT_SEED + seed)
    net = nn.Linear(X_tr.shape[1], 1)
    with torch.no_grad():
        net.weight.copy_(torch.randn(X_tr.shape[1], 1, generator=g).T)
        net.bias.zero_()
    loss = nn.MSELoss()  # mean over the batch, no 1/2
    scale = 0.5 if half else 1.0
    params = [{"params": net.weight, "weight_decay": wd}, {"params": net.bias}]
    trainer = torch.optim.SGD(params, lr=lr)  # the bias is not decayed
    out = {"train_loss": [], "test_loss": [], "norm": []}
    for _ in range(num_epochs):
        perm = torch.randperm(len(y_tr), generator=g)
        for i in range(0, len(y_tr), batch_size):
            idx = perm[i : i + batch_size]
            trainer.zero_grad()
            (scale * loss(net(X_tr[idx]), y_tr[idx])).backward()
            trainer.step()
        record(out, data, net.weight.T, net.bias)
    out = {k: torch.stack(v) for k, v in out.items()}
    return out | {"w": net.weight.detach().T.clone()}


# --8<-- [end:train_concise]


# --8<-- [start:ridge]
def ridge(X: torch.Tensor, y: torch.Tensor, lambd: float) -> torch.Tensor:
    """Closed-form minimizer of (1/n) sum (w^T x + b - y)^2 / 2
    + (lambd / 2) ||w||^2 (bias not penalized).

    Args:
        X: (n, d); y: (n, 1).

    Returns:
        (d + 1, 1): w stacked over b.
    """
    n, d = X.shape
    A = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], 1)  # (n, d + 1)
    P = torch.eye(d + 1, dtype=X.dtype) * lambd
    P[-1, -1] = 0.0
    return torch.linalg.solve(A.T @ A / n + P, A.T @ y / n)


# --8<-- [end:ridge]


# --8<-- [start:map_estimate]
def map_estimate(
    X: torch.Tensor, y: torch.Tensor, *, sigma: float, tau: float
) -> torch.Tensor:
    """Maximize the log posterior of y ~ N(X w + b, sigma^2), w ~ N(0,
    tau^2 I), flat prior on b, by L-BFGS on the log densities themselves.

    Returns:
        (d + 1, 1): w stacked over b.
    """
    from torch.distributions import Normal

    n, d = X.shape
    A = torch.cat([X, torch.ones(n, 1, dtype=X.dtype)], 1)
    theta = torch.zeros(d + 1, 1, dtype=X.dtype, requires_grad=True)
    opt = torch.optim.LBFGS(
        [theta], max_iter=1000, tolerance_grad=1e-12,
        tolerance_change=1e-15, line_search_fn="strong_wolfe",
    )  # fmt: skip

    def closure():
        opt.zero_grad()
        log_post = (
            Normal(A @ theta, sigma).log_prob(y).sum()
            + Normal(0.0, tau).log_prob(theta[:-1]).sum()
        )
        (-log_post).backward()
        return -log_post

    opt.step(closure)
    return theta.detach()


# --8<-- [end:map_estimate]
