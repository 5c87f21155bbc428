"""Small statistics the pages report: spreads, paired differences, and
seeded runs.

A leaf module (it imports only the standard library): runs differ from
seed to seed, and a comparison of two settings is only as good as the
interval around their difference.  Two settings run with the *same*
seeds (same initial weights, same minibatch order) are compared seed by
seed: the paired difference cancels what the seeds share.
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass


def spread(values: list[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (NaN for a single value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, math.nan
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, var**0.5


def fmt_spread(mean: float, std: float) -> str:
    """ "0.8412 ± 0.0021" (or "0.8412 (1 seed)" when there is no spread)."""
    if math.isnan(std):
        return f"{mean:.4f} (1 seed)"
    return f"{mean:.4f} ± {std:.4f}"


def summary(values: list[float]) -> str:
    """ "0.8412 ± 0.0021": the mean and spread of ``values``."""
    return fmt_spread(*spread(values))


def _t_cdf(t: float, df: int, steps: int = 400) -> float:
    """Student's t CDF at t >= 0 (Simpson's rule on the density)."""
    log_c = (
        math.lgamma((df + 1) / 2)
        - math.lgamma(df / 2)
        - 0.5 * math.log(df * math.pi)
    )

    def density(x: float) -> float:
        return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))

    h = t / steps
    total = density(0) + density(t)
    total += sum((4 if i % 2 else 2) * density(i * h) for i in range(1, steps))
    return 0.5 + total * h / 3


@functools.cache
def t_quantile(p: float, df: int) -> float:
    """The p-quantile (p > 0.5) of Student's t with ``df`` degrees of
    freedom: by bisection on its CDF, or for df > 30 by the Cornish-Fisher
    expansion around the normal quantile (error below 1e-5 there)."""
    if df > 30:
        z = statistics.NormalDist().inv_cdf(p)
        return (
            z
            + (z**3 + z) / (4 * df)
            + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        )
    lo, hi = 0.0, 1.0
    while _t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _t_cdf(mid, df) < p else (lo, mid)
    return (lo + hi) / 2


@dataclass(frozen=True)
class Difference:
    """A mean difference with its 95% t-interval, mean ± half_width."""

    mean: float
    half_width: float
    n: int
    unit: str = "seeds"  # what the pairs are, for the power note

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    @property
    def resolved(self) -> bool:
        """Whether the interval excludes zero."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return (
            f"{self.mean:+.4f} (95% CI {self.low:+.4f} to "
            f"{self.high:+.4f}, n={self.n})"
        )

    def verdict(self, a: str, b: str) -> str:
        """What the interval of a - b supports, in words."""
        if math.isnan(self.half_width):
            return f"one pair: no interval, no verdict on {a} vs {b}"
        if self.resolved:
            better, worse = (a, b) if self.mean > 0 else (b, a)
            return f"{better} beats {worse} (the interval excludes 0)"
        return (
            f"no detectable difference between {a} and {b} at this "
            f"budget; {self.power_note()}"
        )

    @property
    def se(self) -> float:
        """The standard error of the mean difference."""
        return self.half_width / t_quantile(0.975, self.n - 1)

    @property
    def sd(self) -> float:
        """The standard deviation of the pairs' differences."""
        return self.half_width / t_quantile(0.975, self.n - 1) * self.n**0.5

    def pairs_for_power(
        self, power: float = 0.8, effect: float | None = None
    ) -> int | None:
        """Pairs a two-sided paired t-test at the 5% level needs to detect
        a true difference of ``effect`` (default: the observed mean) with
        probability ``power``, if the differences' SD is the observed one;
        None when undefined or above 1000."""
        effect = abs(self.mean if effect is None else effect)
        if self.n < 2 or effect == 0 or not self.sd > 0:
            return None
        return pairs_for_power(effect / self.sd, power)

    def power_note(self) -> str:
        """The seeds an 80% chance of resolving this difference would take,
        with the caveat that the SD comes from few pairs."""
        need = self.pairs_for_power()
        if need is None:
            return (
                "the observed difference is too small to resolve with "
                f"fewer than 1000 {self.unit}"
            )
        return (
            f"about {need} {self.unit} would give an 80% chance of "
            "resolving a "
            f"true difference of this size (at the SD of these {self.n} "
            "pairs, itself a rough estimate)"
        )


def t_test_power(standardized: float, n: int) -> float:
    """Power of the two-sided paired t-test at the 5% level with ``n``
    pairs when the true mean difference is ``standardized`` SDs: the
    noncentral t tail, integrated over the chi-square of the sample
    variance (Simpson's rule)."""
    df, shift = n - 1, abs(standardized) * n**0.5
    crit = t_quantile(0.975, df)
    normal = statistics.NormalDist()
    # S^2 / sigma^2 = V / df with V ~ chi2(df); integrate over v = sqrt(V/df)
    # (smooth at 0 even for df = 1)
    log_c = (df / 2) * math.log(df / 2) - math.lgamma(df / 2) + math.log(2)

    def integrand(v: float) -> float:
        if v <= 0:
            return 0.0 if df > 1 else math.exp(log_c) * _tails(0.0)
        log_density = log_c + (df - 1) * math.log(v) - df * v * v / 2
        return math.exp(log_density) * _tails(crit * v)

    def _tails(cut: float) -> float:
        return 1 - normal.cdf(cut - shift) + normal.cdf(-cut - shift)

    hi, steps = (1 + 16 / df**0.5) ** 0.5, 800
    h = hi / steps
    total = integrand(0) + integrand(hi)
    total += sum(
        (4 if i % 2 else 2) * integrand(i * h) for i in range(1, steps)
    )
    return total * h / 3


@functools.cache
def pairs_for_power(
    standardized: float, power: float = 0.8, limit: int = 1000
) -> int | None:
    """The smallest number of pairs (>= 2) whose paired t-test has at
    least ``power`` against a true difference of ``standardized`` SDs."""

    def enough(n: int) -> bool:
        return t_test_power(standardized, n) >= power

    if not enough(limit):
        return None
    lo, hi = 1, limit  # enough(hi), not enough(lo): power grows with n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return hi


def paired(a: list[float], b: list[float], unit: str = "seeds") -> Difference:
    """Mean of a - b over pairs, with its 95% t-interval (half-width NaN
    for a single pair); ``unit`` names the pairs (seeds, problems)."""
    d = [x - y for x, y in zip(a, b, strict=True)]
    mean, std = spread(d)
    n = len(d)
    if n < 2:
        return Difference(mean, math.nan, n, unit)
    half = t_quantile(0.975, n - 1) * std / n**0.5
    return Difference(mean, half, n, unit)
