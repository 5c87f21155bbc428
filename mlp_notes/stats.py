"""Small statistics the pages report: spreads, paired differences, and
seeded runs.

A leaf module (it imports only the standard library, and torch inside
``seeded``): runs differ from
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
        need = self.n_to_resolve()
        tail = (
            f"; about {need} seeds would resolve one of this size"
            if need
            else "; the observed difference is too small to resolve "
            "with any affordable number of seeds"
        )
        return (
            f"no detectable difference between {a} and {b} at this "
            f"budget{tail}"
        )

    def n_to_resolve(
        self, effect: float | None = None, limit: int = 1000
    ) -> int | None:
        """The smallest number of pairs whose 95% t-interval, at the
        observed spread, would be narrower than ``effect`` (default: the
        observed mean): None if more than ``limit`` or undefined."""
        effect = abs(self.mean if effect is None else effect)
        if self.n < 2 or effect == 0 or math.isnan(self.half_width):
            return None
        s = self.half_width / t_quantile(0.975, self.n - 1) * self.n**0.5
        for n in range(2, limit + 1):
            if t_quantile(0.975, n - 1) * s / n**0.5 < effect:
                return n
        return None


def paired(a: list[float], b: list[float]) -> Difference:
    """Mean of a - b over pairs, with its 95% t-interval (half-width NaN
    for a single pair)."""
    d = [x - y for x, y in zip(a, b, strict=True)]
    mean, std = spread(d)
    n = len(d)
    if n < 2:
        return Difference(mean, math.nan, n)
    return Difference(mean, t_quantile(0.975, n - 1) * std / n**0.5, n)


def seeded(fn):
    """Run ``fn(**kwargs)`` with torch's global generator seeded by its
    ``seed`` argument (``nn.Dropout``'s masks draw from it) and restored
    afterwards, so a cached and an uncached call leave the caller's random
    state alike."""
    import torch

    @functools.wraps(fn)
    def wrapper(**kwargs):
        with torch.random.fork_rng():
            torch.manual_seed(kwargs.get("seed", 0))
            return fn(**kwargs)

    return wrapper
