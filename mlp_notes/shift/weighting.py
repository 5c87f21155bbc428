"""Importance weighting: the risk on the target, estimated on the source.

Under covariate shift the labels follow the same p(y|x) in both
distributions and only p(x) changes, so with the density ratio
beta(x) = p_target(x) / p_source(x) the target risk is the source
expectation of beta * loss.  This module holds that estimator, its
effective sample size and clipping, and the closed forms of a Gaussian
example the page checks them against: a quadratic target y = x^2 + noise
fitted by a straight line, where every risk has a formula.
"""

from __future__ import annotations

import math

import torch


# --8<-- [start:weighted_risk]
def importance_weighted_risk(
    losses: torch.Tensor, weights: torch.Tensor
) -> tuple[float, float]:
    """(1/n) sum_i beta_i l_i over source examples, and its standard error.

    Args:
        losses: (n,) the loss of each source example.
        weights: (n,) beta(x_i) = p_target(x_i) / p_source(x_i).

    Returns:
        The estimate of the target risk and the sample standard deviation
        of beta * l divided by sqrt(n).
    """
    terms = weights * losses  # (n,)
    return terms.mean().item(), (terms.std() / len(terms) ** 0.5).item()


def effective_sample_size(weights: torch.Tensor) -> float:
    """Kish's (sum w)^2 / sum w^2: the number of equally weighted examples
    whose average would be as noisy (n for equal weights, 1 when one
    example carries all the weight)."""
    return (weights.sum() ** 2 / (weights**2).sum()).item()


def clip_weights(weights: torch.Tensor, c: float) -> torch.Tensor:
    """min(beta, c): bounded weights, at the price of a bias (the target
    risk is underestimated where beta > c)."""
    return weights.clamp(max=c)


def normalize(weights: torch.Tensor) -> torch.Tensor:
    """Weights divided by their mean (mean 1): any constant factor,
    such as a wrong sample-size ratio, cancels."""
    return weights / weights.mean()


# --8<-- [end:weighted_risk]


# --8<-- [start:gaussian_ratio]
def gaussian_log_ratio(
    X: torch.Tensor,
    mu_source: torch.Tensor,
    mu_target: torch.Tensor,
    cov: torch.Tensor,
) -> torch.Tensor:
    """log p_target(x) - log p_source(x) for N(mu_target, cov) and
    N(mu_source, cov): linear in x,
    (mu_t - mu_s)^T cov^{-1} x - (mu_t^T cov^{-1} mu_t
    - mu_s^T cov^{-1} mu_s) / 2.

    Args:
        X: (n, d) points.
        mu_source: (d,) mean of the source.
        mu_target: (d,) mean of the target.
        cov: (d, d) covariance, shared.

    Returns:
        (n,) log density ratios.
    """
    a = torch.linalg.solve(cov, mu_target - mu_source)  # (d,)
    c = -(a @ (mu_target + mu_source)) / 2  # the quadratic terms' half
    return X @ a + c


def gaussian_ess_fraction(
    mu_source: torch.Tensor, mu_target: torch.Tensor, cov: torch.Tensor
) -> float:
    """The limit of ESS / n for the exact weights of two Gaussians with a
    shared covariance: 1 / E_source[beta^2] = exp(-m^2), m the
    Mahalanobis distance between the means."""
    delta = mu_target - mu_source
    return math.exp(-(delta @ torch.linalg.solve(cov, delta)).item())


# --8<-- [end:gaussian_ratio]


def gaussian_second_moment(sigma_source: float, sigma_target: float):
    """E_source[beta^2] for N(0, sigma_target^2) against N(0,
    sigma_source^2): (s_s / s_t^2) (2 / s_t^2 - 1 / s_s^2)^(-1/2), and
    infinite once sigma_target^2 >= 2 sigma_source^2 (the weighted
    estimator's variance is then infinite)."""
    inner = 2 / sigma_target**2 - 1 / sigma_source**2
    if inner <= 0:
        return math.inf
    return sigma_source / sigma_target**2 / math.sqrt(inner)


def gaussian_moments(mu: float, sigma: float) -> tuple[float, ...]:
    """E[x], E[x^2], E[x^3], E[x^4] for x ~ N(mu, sigma^2)."""
    s2 = sigma**2
    return (
        mu,
        mu**2 + s2,
        mu**3 + 3 * mu * s2,
        mu**4 + 6 * mu**2 * s2 + 3 * s2**2,
    )


def quadratic_risk(
    a: float, b: float, mu: float, sigma: float, noise: float
) -> float:
    """The risk E[(y - a - b x)^2] of the line a + b x when y = x^2 + e,
    x ~ N(mu, sigma^2), e ~ N(0, noise^2) (expanded in x's moments)."""
    m1, m2, m3, m4 = gaussian_moments(mu, sigma)
    return (
        m4 - 2 * a * m2 - 2 * b * m3 + a * a + 2 * a * b * m1 + b * b * m2
    ) + noise**2


def best_line(mu: float, sigma: float) -> tuple[float, float]:
    """The (a, b) minimizing ``quadratic_risk`` under N(mu, sigma^2):
    b = Cov(x, x^2) / Var(x) = 2 mu, a = E[x^2] - b E[x]."""
    b = 2 * mu
    return mu**2 + sigma**2 - b * mu, b


def quadratic_sample(
    n: int,
    mu: float,
    sigma: float,
    noise: float,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """n draws of (x, y): x ~ N(mu, sigma^2), y = x^2 + N(0, noise^2),
    float64."""
    kw = {"generator": generator, "device": device, "dtype": torch.float64}
    x = mu + sigma * torch.randn(n, **kw)
    return x, x**2 + noise * torch.randn(n, **kw)


# --8<-- [start:weighted_line]
def weighted_line(
    x: torch.Tensor, y: torch.Tensor, weights: torch.Tensor | None = None
) -> tuple[float, float]:
    """The (a, b) minimizing sum_i w_i (y_i - a - b x_i)^2 (ordinary
    least squares when ``weights`` is None): the 2 x 2 normal equations."""
    w = torch.ones_like(x) if weights is None else weights
    F = torch.stack([torch.ones_like(x), x], 1)  # (n, 2)
    A = F.T @ (w[:, None] * F)  # (2, 2)
    a, b = torch.linalg.solve(A, F.T @ (w * y)).tolist()
    return a, b


# --8<-- [end:weighted_line]
