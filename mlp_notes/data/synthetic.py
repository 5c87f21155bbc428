"""Synthetic data of §4.4 and §4.5: D2L's cubic and its linear data."""

from __future__ import annotations

import math

import torch

#: Coefficients of the cubic in D2L's polynomial demo (for x^i / i!).
POLY_TRUE_W = (5.0, 1.2, -3.4, 5.6)


# --8<-- [start:synthetic]
def polynomial_data(
    n: int,
    *,
    noise: float = 0.1,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """D2L's cubic: y = 5 + 1.2x - 3.4 x^2/2! + 5.6 x^3/3! + eps.

    Args:
        n: number of examples; x ~ N(0, 1), eps ~ N(0, noise^2).

    Returns:
        x of shape (n,) and y of shape (n, 1).
    """
    x = torch.randn(n, generator=generator, dtype=dtype)
    powers = torch.stack([x**i / math.factorial(i) for i in range(4)], 1)
    w = torch.tensor(POLY_TRUE_W, dtype=dtype)
    eps = noise * torch.randn(n, generator=generator, dtype=dtype)
    return x, (powers @ w + eps).unsqueeze(1)


# --8<-- [end:synthetic]


# --8<-- [start:linear_data]
def synthetic_data(
    w: torch.Tensor,
    b: float,
    num_examples: int,
    *,
    noise: float = 0.01,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """D2L's linear data: X ~ N(0, 1), y = X w + b + N(0, noise^2).

    Args:
        w: true weights, shape (num_inputs,).

    Returns:
        X of shape (num_examples, num_inputs), y of shape (num_examples, 1).
    """
    X = torch.randn(num_examples, len(w), generator=generator, dtype=w.dtype)
    eps = noise * torch.randn(num_examples, generator=generator, dtype=w.dtype)
    return X, (X @ w + b + eps).unsqueeze(1)


# --8<-- [end:linear_data]
