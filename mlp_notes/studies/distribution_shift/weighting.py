"""§4.9 on Gaussians: importance weighting against closed forms, clipping,
where weighting pays (a misspecified line), and the density ratio from
logistic regression with the sample-size correction.

The one-dimensional example: source x ~ N(0, 1), target x ~ N(1, 1),
labels y = x^2 + N(0, 0.5^2) in both (covariate shift), squared loss.
"""

from __future__ import annotations

import math

import torch

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding
from mlp_notes.shift import ratio
from mlp_notes.shift.weighting import (
    best_line,
    clip_weights,
    effective_sample_size,
    gaussian_ess_fraction,
    gaussian_log_ratio,
    importance_weighted_risk,
    normalize,
    quadratic_risk,
    quadratic_sample,
    weighted_line,
)
from mlp_notes.studies.distribution_shift.budget import Budget

MU_S, MU_T, SIGMA, NOISE = 0.0, 1.0, 1.0, 0.5
#: Monte Carlo agreement: within this many standard errors.
Z = 4.0


def log_beta_1d(x: torch.Tensor) -> torch.Tensor:
    """Exact log p_T(x) / p_S(x) of the one-dimensional example."""
    one = torch.ones(1, dtype=torch.float64, device=x.device)
    return gaussian_log_ratio(
        x[:, None], MU_S * one, MU_T * one, SIGMA**2 * one[:, None]
    )


def weighting_check(b: Budget) -> Finding:
    """The source's best line scored on the target three ways: the
    closed form, the weighted average of source losses, the plain one."""
    g = torch.Generator().manual_seed(0)
    x, y = quadratic_sample(b.mc_n, MU_S, SIGMA, NOISE, generator=g)
    a0, b0 = best_line(MU_S, SIGMA)
    losses = (y - a0 - b0 * x) ** 2
    beta = log_beta_1d(x).exp()
    iw, se = importance_weighted_risk(losses, beta)
    naive, se_naive = importance_weighted_risk(losses, torch.ones_like(x))
    r_t = quadratic_risk(a0, b0, MU_T, SIGMA, NOISE)
    r_s = quadratic_risk(a0, b0, MU_S, SIGMA, NOISE)
    ess = effective_sample_size(beta) / b.mc_n
    closed = gaussian_ess_fraction(*_gaussians_1d())
    lines = [
        f"the line {a0:+.1f} {b0:+.1f} x, fitted for the source; "
        f"{b.mc_n:,} source draws",
        f"target risk, closed form:          {r_t:.4f}",
        f"weighted source average:           {iw:.4f} ± {se:.4f} (s.e.)",
        f"plain source average:              {naive:.4f} ± {se_naive:.4f} "
        f"(the source risk, closed form {r_s:.4f})",
        f"ESS / n: {ess:.4f} (closed form exp(-1) = {closed:.4f})",
    ]
    claims = Claims()
    claims.add(
        f"the weighted average is within {Z:.0f} s.e. of the target risk: "
        f"|{iw:.4f} - {r_t:.4f}| <= {Z * se:.4f}",
        abs(iw - r_t) <= Z * se,
    )
    claims.add(
        f"the plain average misses it by more than {Z:.0f} s.e.: "
        f"|{naive:.4f} - {r_t:.4f}| > {Z * se_naive:.4f}",
        abs(naive - r_t) > Z * se_naive,
    )
    claims.add(
        f"ESS / n within 5% of exp(-1): {ess:.4f} vs {closed:.4f}",
        abs(ess / closed - 1) < 0.05,
    )
    return Finding(lines, claims)


def _gaussians_1d():
    one = torch.ones(1, dtype=torch.float64)
    return MU_S * one, MU_T * one, SIGMA**2 * one[:, None]


def clipping_check(b: Budget, n: int = 1000) -> Finding:
    """The weighted estimate of the same target risk on ``line_reps``
    samples of n source points, with the weights clipped at c."""
    g = torch.Generator().manual_seed(1)
    x, y = quadratic_sample(b.line_reps * n, MU_S, SIGMA, NOISE, generator=g)
    x, y = x.reshape(b.line_reps, n), y.reshape(b.line_reps, n)
    a0, b0 = best_line(MU_S, SIGMA)
    losses, beta = (y - a0 - b0 * x) ** 2, log_beta_1d(x.flatten()).exp()
    beta = beta.reshape(x.shape)
    r_t = quadratic_risk(a0, b0, MU_T, SIGMA, NOISE)
    lines = [
        f"{b.line_reps} samples of {n} source points; target risk {r_t:.4f}"
    ]
    rows = {}
    for c in (math.inf, 10.0, 3.0, 1.5):
        w = clip_weights(beta, c)
        est = (w * losses).mean(1)  # (reps,)
        ess = torch.tensor([effective_sample_size(r) for r in w]).mean()
        mean, sd = est.mean().item(), est.std().item()
        rows[c] = (mean - r_t, sd, sd / b.line_reps**0.5)
        lines.append(
            f"c = {c:>4}: mean estimate {mean:.4f} (bias {mean - r_t:+.4f}), "
            f"SD {sd:.4f}, ESS / n {ess / n:.3f}"
        )
    claims = Claims()
    bias, sd, se = rows[math.inf]
    claims.add(
        f"unclipped: unbiased (|bias| {abs(bias):.4f} <= {Z:.0f} s.e. "
        f"{Z * se:.4f})",
        abs(bias) <= Z * se,
    )
    low_bias, low_sd, low_se = rows[1.5]
    claims.add(
        f"c = 1.5: smaller SD ({low_sd:.4f} < {sd:.4f}) and biased low "
        f"(bias {low_bias:+.4f} < -{Z:.0f} s.e. = {-Z * low_se:+.4f})",
        low_sd < sd and low_bias < -Z * low_se,
    )
    return Finding(lines, claims)


def line_fits(b: Budget) -> Finding:
    """Lines fitted to ``line_n`` source points by plain least squares and
    by least squares weighted with the exact and the estimated ratio
    (logistic regression on as many unlabelled target points), each
    scored by its target risk in closed form; paired over fits."""
    g = torch.Generator().manual_seed(2)
    risks = {"unweighted": [], "exact weights": [], "estimated weights": []}
    for _ in range(b.line_reps):
        x, y = quadratic_sample(b.line_n, MU_S, SIGMA, NOISE, generator=g)
        xt, _ = quadratic_sample(b.line_n, MU_T, SIGMA, NOISE, generator=g)
        X, z = ratio.domain_data(x[:, None], xt[:, None])
        w, c = ratio.fit_logistic(X, z)
        est = ratio.log_ratio(x * w + c, b.line_n, b.line_n).exp()
        for name, weights in zip(
            risks, (None, log_beta_1d(x).exp(), est), strict=True
        ):
            line = weighted_line(x, y, weights)
            risks[name].append(quadratic_risk(*line, MU_T, SIGMA, NOISE))
    best = quadratic_risk(*best_line(MU_T, SIGMA), MU_T, SIGMA, NOISE)
    lines = [
        f"{b.line_reps} fits on {b.line_n} source points; the best line's "
        f"target risk {best:.4f}"
    ]
    for name, r in risks.items():
        lines.append(
            f"{name:>17}: target risk {stats.fmt_spread(*stats.spread(r))}"
        )
    claims = Claims()
    score = {k: [-r for r in v] for k, v in risks.items()}  # higher: better
    for name in ("exact weights", "estimated weights"):
        d = stats.paired(score[name], score["unweighted"])
        lines.append(f"minus target risk, {name} - unweighted: {d}")
        claims.compare(d, name, "unweighted", ">")
    return Finding(lines, claims, {"risks": risks})


#: Two Gaussians with one covariance, and the sample sizes of the fit.
MU_SOURCE_2D = (0.0, 0.0)
MU_TARGET_2D = (1.0, 0.5)
COV_2D = ((1.0, 0.3), (0.3, 0.5))
N_SOURCE_2D, N_TARGET_2D = 20_000, 5_000
#: Simultaneous bound on the standardized logit errors: |error| / s.e.
#: <= sqrt(chi^2_3) at every x at once; P(chi^2_3 > 4.5^2) = 0.00015.
BAND = 4.5


def gaussian_ratio() -> Finding:
    """Logistic regression between 20,000 source and 5,000 target draws;
    its log-weights on the source draws against the closed form, with
    and without the sample-size correction."""
    g = torch.Generator().manual_seed(3)
    mu_s, mu_t, cov = (
        torch.tensor(v, dtype=torch.float64)
        for v in (MU_SOURCE_2D, MU_TARGET_2D, COV_2D)
    )
    L = torch.linalg.cholesky(cov)

    def draw(mu, n):
        return mu + torch.randn(n, 2, generator=g, dtype=torch.float64) @ L.T

    Xs, Xt = draw(mu_s, N_SOURCE_2D), draw(mu_t, N_TARGET_2D)
    X, z = ratio.domain_data(Xs, Xt)
    w, c = ratio.fit_logistic(X, z)
    exact = gaussian_log_ratio(Xs, mu_s, mu_t, cov)
    logits = Xs @ w + c
    fixed = ratio.log_ratio(logits, N_SOURCE_2D, N_TARGET_2D)
    se = ratio.logit_standard_error(Xs, ratio.logistic_covariance(X, w, c))
    worst = ((fixed - exact).abs() / se).max().item()
    worst_raw = ((logits - exact).abs() / se).max().item()
    rel = ((fixed - exact).exp() - 1).abs().median().item()
    same = (normalize(logits.exp()) / normalize(fixed.exp()) - 1).abs().max()
    ess = effective_sample_size(exact.exp()) / N_SOURCE_2D
    lines = [
        f"n_source {N_SOURCE_2D:,}, n_target {N_TARGET_2D:,}: "
        f"log(n_t / n_s) = {math.log(N_TARGET_2D / N_SOURCE_2D):+.4f}",
        f"slope w: fitted {w.numpy().round(4)}, closed form "
        f"{torch.linalg.solve(cov, mu_t - mu_s).numpy().round(4)}",
        f"median |beta_hat / beta - 1| over the source draws: {rel:.4f}",
        f"largest |log beta_hat - log beta| / s.e.: {worst:.2f} corrected, "
        f"{worst_raw:.1f} with beta_hat = exp(f)",
        f"mean-1 weights with and without the correction differ by "
        f"{same.item():.1e} at most",
        f"ESS / n of the exact weights {ess:.4f}, closed form "
        f"{gaussian_ess_fraction(mu_s, mu_t, cov):.4f}",
    ]
    claims = Claims()
    claims.add(
        f"corrected: every log-weight within {BAND} s.e. of the closed "
        f"form (largest {worst:.2f})",
        worst <= BAND,
    )
    claims.add(
        f"uncorrected (exp(f)): outside that band ({worst_raw:.1f} > {BAND})",
        worst_raw > BAND,
    )
    claims.add("normalized weights do not need the correction", same < 1e-9)
    pick = slice(0, 400)
    data = {
        "exact": exact[pick],
        "corrected": fixed[pick],
        "exp(f)": logits[pick],
    }
    return Finding(lines, claims, data)
