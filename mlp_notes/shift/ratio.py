"""The density ratio from a classifier that tells target from source.

Pool n_s source inputs (label z = 0) and n_t target inputs (z = 1).  In
the pool, P(z = 1 | x) = n_t p_t(x) / (n_t p_t(x) + n_s p_s(x)), so the
classifier's logit is

    f(x) = log P(z=1|x) / P(z=0|x) = log(n_t / n_s) + log beta(x),

and beta(x) = exp(f(x) - log(n_t / n_s)).  D2L's version, beta = exp(f),
is the case n_t = n_s.  Logistic regression recovers f exactly when the
log ratio is linear in its features (two Gaussians with one covariance).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


# --8<-- [start:fit_logistic]
def fit_logistic(
    X: torch.Tensor,
    z: torch.Tensor,
    *,
    l2: float = 0.0,
    max_iter: int = 500,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Logistic regression by L-BFGS in float64: the (w, b) minimizing
    mean_i log(1 + exp(-s_i (w^T x_i + b))) + l2 / 2 ||w||^2, s_i = 2 z_i - 1.

    Args:
        X: (n, d) inputs; z: (n,) 1 for target, 0 for source.
        l2: ridge penalty on w (not on b).

    Returns:
        w (d,) and b (), float64, on X's device.
    """
    X, s = X.double(), 2.0 * z.double() - 1
    w = torch.zeros(X.shape[1], dtype=torch.float64, device=X.device)
    b = torch.zeros((), dtype=torch.float64, device=X.device)
    w.requires_grad_(True)
    b.requires_grad_(True)
    opt = torch.optim.LBFGS(
        [w, b], max_iter=max_iter, history_size=20,
        tolerance_grad=1e-10, tolerance_change=1e-14,
        line_search_fn="strong_wolfe",
    )  # fmt: skip

    def objective():
        opt.zero_grad()
        loss = F.softplus(-s * (X @ w + b)).mean() + l2 / 2 * (w @ w)
        loss.backward()
        return loss

    opt.step(objective)
    return w.detach(), b.detach()


# --8<-- [end:fit_logistic]


# --8<-- [start:log_ratio]
def log_ratio(
    logits: torch.Tensor, n_source: int, n_target: int
) -> torch.Tensor:
    """log beta(x) = f(x) - log(n_target / n_source), from the
    classifier's logit f (target = 1)."""
    return logits - math.log(n_target / n_source)


# --8<-- [end:log_ratio]


def domain_data(
    X_source: torch.Tensor, X_target: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The pooled inputs, flattened to (n_s + n_t, d), and their domain
    labels z (0 source, 1 target)."""
    X = torch.cat([X_source.flatten(1), X_target.flatten(1)])
    z = torch.cat(
        [
            torch.zeros(len(X_source), device=X.device),
            torch.ones(len(X_target), device=X.device),
        ]
    )
    return X, z


def logistic_covariance(
    X: torch.Tensor, w: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """The asymptotic covariance of the unpenalized fit's (w, b): the
    inverse of sum_i p_i (1 - p_i) x~_i x~_i^T, x~ = (x, 1) (the inverse
    Fisher information, conservative for b when the two sample sizes are
    fixed by design).

    Returns:
        (d + 1, d + 1) float64, b last.
    """
    Xt = torch.cat([X.double(), torch.ones_like(X[:, :1]).double()], 1)
    p = torch.sigmoid(Xt @ torch.cat([w, b.reshape(1)]))  # (n,)
    info = Xt.T @ ((p * (1 - p))[:, None] * Xt)  # (d + 1, d + 1)
    return torch.linalg.inv(info)


def logit_standard_error(X: torch.Tensor, cov: torch.Tensor) -> torch.Tensor:
    """(n,) standard error of the fitted logit w^T x + b at each x."""
    Xt = torch.cat([X.double(), torch.ones_like(X[:, :1]).double()], 1)
    return ((Xt @ cov) * Xt).sum(1).sqrt()
