"""A covariate shift of Fashion-MNIST whose density ratio is known.

Both distributions select images from the same pool by their brightness
t(x) (the mean pixel, standardized): the source keeps an image with
probability sigma(-k t(x)), the target with sigma(k t(x)).  Selection
looks at x only, so p(y | x) is the same in both: a pure covariate
shift.  Since sigma(a) / sigma(-a) = e^a, the density ratio is

    beta(x) = p_t(x) / p_s(x) = e^{k t(x)} Z_s / Z_t,
    Z = E_pool[selection probability],

log-linear in the pixels: logistic regression on pixels is the right
model for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class BrightnessShift:
    """Selection of images on their standardized brightness.

    Attributes:
        k: strength (0: no shift).
        center, scale: mean and standard deviation of the mean pixel in
            the pool (t(x) = (mean pixel - center) / scale).
    """

    k: float
    center: float
    scale: float

    @classmethod
    def of_pool(cls, X: torch.Tensor, k: float) -> BrightnessShift:
        """The shift of strength ``k`` standardized on the pool X."""
        b = X.flatten(1).mean(1).double()
        return cls(k, b.mean().item(), b.std().item())

    def t(self, X: torch.Tensor) -> torch.Tensor:
        """(n,) standardized brightness, float64."""
        return (X.flatten(1).mean(1).double() - self.center) / self.scale

    def keep_probability(self, X: torch.Tensor, side: str) -> torch.Tensor:
        """(n,) probability that ``side`` ("source": dark images, or
        "target": bright ones) keeps each image."""
        sign = {"source": -1.0, "target": 1.0}[side]
        return torch.sigmoid(sign * self.k * self.t(X))

    def select(
        self,
        X: torch.Tensor,
        side: str,
        *,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Indices of the images of X that ``side`` keeps (one draw)."""
        p = self.keep_probability(X, side)
        u = torch.rand(len(X), generator=generator, dtype=torch.float64)
        return torch.nonzero(u.to(p.device) < p).squeeze(1)

    def log_ratio(self, X: torch.Tensor, pool: torch.Tensor) -> torch.Tensor:
        """(n,) exact log beta(x) = k t(x) + log(Z_s / Z_t), the two
        normalizers averaged over ``pool`` (the population)."""
        z_s = self.keep_probability(pool, "source").mean().item()
        z_t = self.keep_probability(pool, "target").mean().item()
        return self.k * self.t(X) + math.log(z_s / z_t)
