"""Detecting a shift: two-sample Kolmogorov-Smirnov tests on a
classifier's outputs (black-box shift detection, Rabanser, Guennemann &
Lipton 2019, "Failing Loudly"), and binomial intervals for their rates.

For two samples of the same size n the statistic D takes the values k/n
and, with no ties, its null distribution is exact (Gnedenko & Korolyuk
1951, by the reflection principle):

    P(D >= k/n) = 2 sum_{j >= 1} (-1)^(j-1) C(2n, n - jk) / C(2n, n).

Under no shift, two disjoint samples drawn from one pool are exchangeable,
so this p-value is exact for them; for unequal sizes the Kolmogorov limit
(with Stephens' small-sample factor) is used.
"""

from __future__ import annotations

import itertools
import math

import torch


# --8<-- [start:ks_statistic]
def ks_statistic(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Two-sample D = max_t |F_a(t) - F_b(t)|, per column.

    Args:
        a: (n,) or (n, K) sample; b: (m,) or (m, K) sample.

    Returns:
        (K,) float64 (a 0-d tensor for 1-d inputs), exact multiples of
        1 / (n m): the empirical CDFs are compared in integers.
    """
    A, B = a.reshape(len(a), -1), b.reshape(len(b), -1)
    n, m = len(A), len(B)
    values, order = torch.sort(torch.cat([A, B]), dim=0, stable=True)
    m_tensor = torch.tensor(m, device=A.device)
    step = torch.where(order < n, m_tensor, -n)  # m n (F_a - F_b) steps
    gap = torch.cumsum(step, 0).abs()
    end = torch.ones_like(values, dtype=torch.bool)  # last of each tie
    end[:-1] = values[1:] != values[:-1]
    D = (gap * end).amax(0).double() / (n * m)
    return D.reshape(a.shape[1:])


# --8<-- [end:ks_statistic]


# --8<-- [start:ks_pvalue]
def ks_pvalue(D: torch.Tensor, n: int, m: int) -> torch.Tensor:
    """P(D' >= D) under no shift: exact for n == m (the reflection formula
    above), else Kolmogorov's limit evaluated at Stephens' corrected
    argument (sqrt(e) + 0.12 + 0.11 / sqrt(e)) D, e = n m / (n + m).
    Ties in the data make either conservative."""
    D = torch.as_tensor(D, dtype=torch.float64)
    j = torch.arange(1, max(n, 100) + 1, dtype=torch.float64, device=D.device)
    sign = 1 - 2 * ((j - 1) % 2)  # (+1, -1, +1, ...)
    if n == m:
        k = (D * n).round().unsqueeze(-1)  # (..., 1)
        jk = (j * k).clamp(max=n + 1)  # (..., J); terms beyond n are 0
        log_c = (
            2 * math.lgamma(n + 1)
            - torch.lgamma(n - jk + 1)
            - torch.lgamma(n + jk + 1)
        )
        terms = torch.where(jk <= n, sign * log_c.exp(), 0.0)
        p = 2 * terms.sum(-1)
        return torch.where(k.squeeze(-1) == 0, 1.0, p).clamp(0, 1)
    e = n * m / (n + m)
    lam = (math.sqrt(e) + 0.12 + 0.11 / math.sqrt(e)) * D.unsqueeze(-1)
    p = 2 * (sign * torch.exp(-2 * j**2 * lam**2)).sum(-1)
    return torch.where(lam.squeeze(-1) < 0.3, 1.0, p).clamp(0, 1)


# --8<-- [end:ks_pvalue]


# --8<-- [start:bbsd]
def bbsd(
    reference: torch.Tensor, target: torch.Tensor, alpha: float = 0.05
) -> tuple[bool, torch.Tensor]:
    """Shift detected when some class's KS p-value is below alpha / K
    (Bonferroni over the K output columns).

    Args:
        reference: (n, K) softmax outputs on the reference sample.
        target: (m, K) softmax outputs on the sample tested.
        alpha: the test's level, over all K columns.

    Returns:
        Whether a shift is detected, and the (K,) p-values.
    """
    D = ks_statistic(reference, target)
    p = ks_pvalue(D, len(reference), len(target))
    return bool(p.min() <= alpha / p.numel()), p


# --8<-- [end:bbsd]


def ks_null_by_enumeration(n: int) -> dict[int, float]:
    """{k: P(D >= k / n)} for two samples of size n without ties, by
    enumerating all C(2n, n) ways to split the ranks 1..2n (n <= 8)."""
    if n > 8:
        raise ValueError("enumeration is for n <= 8")
    counts = [0] * (n + 1)
    for first in itertools.combinations(range(2 * n), n):
        mine, gap, worst = set(first), 0, 0
        for r in range(2 * n):
            gap += 1 if r in mine else -1
            worst = max(worst, abs(gap))
        counts[worst] += 1
    total = math.comb(2 * n, n)
    return {k: sum(counts[k:]) / total for k in range(n + 1)}


def ks_exact_size(n: int, alpha: float) -> float:
    """The probability that the exact test with n per sample rejects at
    level alpha under no shift: the largest attainable p-value <= alpha
    (below alpha, since D is discrete)."""
    p = ks_pvalue(torch.arange(n + 1, dtype=torch.float64) / n, n, n)
    return p[p <= alpha].max().item()


def _binomial_pmf(n: int, p: float) -> torch.Tensor:
    i = torch.arange(n + 1, dtype=torch.float64)
    if p in (0.0, 1.0):
        return (i == n * p).double()
    log_c = math.lgamma(n + 1) - torch.lgamma(i + 1) - torch.lgamma(n - i + 1)
    return (log_c + i * math.log(p) + (n - i) * math.log1p(-p)).exp()


def binomial_acceptance(
    n: int, p: float, level: float = 0.95
) -> tuple[int, int]:
    """The central interval [lo, hi] of Binomial(n, p) counts: each tail
    outside it has probability <= (1 - level) / 2."""
    cdf = torch.cumsum(_binomial_pmf(n, p), 0)
    tail = (1 - level) / 2
    lo = int((cdf <= tail).sum())  # P(X < lo) = cdf[lo - 1] <= tail
    hi = int((cdf < 1 - tail).sum())  # P(X > hi) = 1 - cdf[hi] <= tail
    return lo, hi


def clopper_pearson(k: int, n: int, level: float = 0.95):
    """Exact (Clopper-Pearson) interval for a binomial proportion after k
    successes in n trials, by bisection on the binomial tails."""
    tail = (1 - level) / 2

    def at_least(j: int, p: float) -> float:  # P(X >= j), increasing in p
        return _binomial_pmf(n, p)[j:].sum().item()

    def solve(j: int, target: float) -> float:  # p with P(X >= j) = target
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if at_least(j, mid) < target else (lo, mid)
        return (lo + hi) / 2

    # lower: P(X >= k) = tail; upper: P(X <= k) = tail, P(X >= k+1) = 1-tail
    lower = 0.0 if k == 0 else solve(k, tail)
    upper = 1.0 if k == n else solve(k + 1, 1 - tail)
    return lower, upper
