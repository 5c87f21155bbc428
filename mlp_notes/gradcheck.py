"""Derivatives by autograd and by finite differences, for checking math.

The pages prove a derivative on paper and then compare it here against
autograd in float64, reporting the largest absolute difference.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


# --8<-- [start:elementwise_grad]
def elementwise_grad(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> torch.Tensor:
    """d f(x_i) / d x_i for an elementwise ``f``, by autograd.

    Because ``f`` acts elementwise, the gradient of ``f(x).sum()`` with
    respect to ``x`` holds exactly these derivatives.

    Args:
        f: an elementwise function.
        x: points, any shape (float64 for checks).

    Returns:
        Tensor of x's shape.
    """
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x).sum(), x)
    return grad


# --8<-- [end:elementwise_grad]


def max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| as a Python float (NaN anywhere makes it NaN)."""
    return (a - b).abs().max().item()


def central_difference(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    h: float = 1e-6,
) -> torch.Tensor:
    """(f(x + h) - f(x - h)) / 2h for an elementwise ``f``."""
    return (f(x + h) - f(x - h)) / (2 * h)


def second_differences(y: torch.Tensor) -> torch.Tensor:
    """y[i+1] - 2 y[i] + y[i-1] on a uniform grid; shape (n - 2,)."""
    return y[2:] - 2 * y[1:-1] + y[:-2]
