"""Activation functions of §4.1 from scratch, with their analytic derivatives.

Every function takes the *pre-activation* tensor ``x``, works elementwise,
keeps ``x``'s dtype and device, and stays finite for large ``|x|`` in
float32 and float64.  At the kink ``x = 0`` the derivatives follow what
autograd returns for ``torch.relu`` and ``torch.nn.functional.prelu``:
``relu_grad(0) = 0`` and ``prelu_grad(0) = alpha``.  The math is on the
§4.1 page.
"""

from __future__ import annotations

import math

import torch


# --8<-- [start:relu]
def relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU(x) = max(x, 0), written with ``where``: autograd gives 0 at 0."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """d ReLU / dx: 1 for x > 0, 0 otherwise (0 at the kink, as torch)."""
    return (x > 0).to(x.dtype)


# --8<-- [end:relu]


# --8<-- [start:prelu]
def prelu(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """pReLU(x) = max(0, x) + alpha * min(0, x)."""
    return torch.where(x > 0, x, alpha * x)


def prelu_grad(x: torch.Tensor, alpha: float) -> torch.Tensor:
    """d pReLU / dx: 1 for x > 0, alpha otherwise (alpha at 0, as torch)."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, alpha))


# --8<-- [end:prelu]


# --8<-- [start:sigmoid]
def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """sigmoid(x) = 1 / (1 + exp(-x)), evaluated without overflow.

    ``exp(-|x|)`` never overflows; for x < 0 we use the equal form
    exp(x) / (1 + exp(x)).  -|x| is written with ``where``: autograd's
    slope of ``abs`` at 0 is 0, which would make sigmoid'(0) 0, not 1/4.
    """
    e = torch.exp(torch.where(x >= 0, -x, x))  # exp(-|x|)
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """d sigmoid / dx = sigmoid(x) * (1 - sigmoid(x)); at most 1/4."""
    s = sigmoid(x)
    return s * (1 - s)


# --8<-- [end:sigmoid]


# --8<-- [start:tanh]
def tanh(x: torch.Tensor) -> torch.Tensor:
    """tanh(x) = (1 - exp(-2x)) / (1 + exp(-2x)) = 2 sigmoid(2x) - 1.

    The second form is the identity proved on the §4.1 page; it inherits
    the overflow-free sigmoid, where the first form gives inf/inf = NaN
    for x below about -44 in float32.
    """
    return 2 * sigmoid(2 * x) - 1


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """d tanh / dx = 1 - tanh(x)^2; at most 1."""
    return 1 - tanh(x) ** 2


# --8<-- [end:tanh]


# --8<-- [start:gelu_swish]
def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU(x) = x * Phi(x), Phi the standard normal CDF."""
    return x * 0.5 * (1 + torch.erf(x / math.sqrt(2)))


def gelu_grad(x: torch.Tensor) -> torch.Tensor:
    """d GELU / dx = Phi(x) + x * phi(x), phi the standard normal density."""
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    pdf = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return cdf + x * pdf


def swish(x: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """Swish(x) = x * sigmoid(beta * x) (SiLU when beta = 1)."""
    return x * sigmoid(beta * x)


def swish_grad(x: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """d Swish / dx = s + beta * x * s * (1 - s), with s = sigmoid(beta x)."""
    s = sigmoid(beta * x)
    return s + beta * x * s * (1 - s)


# --8<-- [end:gelu_swish]


# --8<-- [start:naive]
def naive_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """1 / (1 + exp(-x)) as written: exp(-x) overflows for x < -88."""
    return 1 / (1 + torch.exp(-x))


def naive_tanh(x: torch.Tensor) -> torch.Tensor:
    """(1 - exp(-2x)) / (1 + exp(-2x)) as written (overflows for x < -44)."""
    return (1 - torch.exp(-2 * x)) / (1 + torch.exp(-2 * x))


def value_and_grad(
    f, x: float, dtype: torch.dtype = torch.float32
) -> tuple[float, float]:
    """f(x) and autograd's df/dx at one point, in ``dtype``."""
    t = torch.tensor(x, dtype=dtype, requires_grad=True)
    y = f(t)
    y.backward()
    return y.item(), t.grad.item()


# --8<-- [end:naive]

#: Name -> (function, derivative) for the pages' plots and the tests.
ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "gelu": (gelu, gelu_grad),
    "swish": (swish, swish_grad),
}
