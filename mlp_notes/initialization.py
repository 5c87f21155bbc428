"""Weight initialization from scratch (§4.8) and variance propagation.

Weights use PyTorch's layout, (fan_out, fan_in): a layer computes
``H @ W.T``.  The initializers fill a tensor in place and return it, as
``torch.nn.init`` does; the math (why 2 / (fan_in + fan_out)) is on the
§4.8 page.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def fans(tensor: torch.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (fan_out, fan_in, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError("fan in and fan out need a tensor with >= 2 dims")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


# --8<-- [start:xavier]
def xavier_std(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """sigma with (fan_in + fan_out) sigma^2 / 2 = gain^2."""
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` (fan_out, fan_in) with U(-a, a), a = sqrt(3) sigma.

    U(-a, a) has variance a^2 / 3, so a = sqrt(6 / (fan_in + fan_out))
    gives Xavier's variance 2 / (fan_in + fan_out) (times gain^2).
    """
    a = math.sqrt(3.0) * xavier_std(*fans(tensor), gain)
    with torch.no_grad():
        return tensor.uniform_(-a, a, generator=generator)


def xavier_normal_(
    tensor: torch.Tensor,
    gain: float = 1.0,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill ``tensor`` (fan_out, fan_in) with N(0, 2 / (fan_in + fan_out))."""
    std = xavier_std(*fans(tensor), gain)
    with torch.no_grad():
        return tensor.normal_(0.0, std, generator=generator)


# --8<-- [end:xavier]


# --8<-- [start:schemes]
def init_weight_(
    tensor: torch.Tensor,
    scheme: str,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill a (fan_out, fan_in) weight by one of §4.8's schemes.

    Args:
        scheme: "too small" (N(0, 0.01^2), D2L's chapter default),
            "default" (PyTorch's nn.Linear: U(-1/sqrt(fan_in), +)),
            "xavier" (normal), or "he" (N(0, 2 / fan_in)).
    """
    fan_in, _ = fans(tensor)
    with torch.no_grad():
        if scheme == "too small":
            return tensor.normal_(0.0, 0.01, generator=generator)
        if scheme == "default":
            bound = 1 / math.sqrt(fan_in)
            return tensor.uniform_(-bound, bound, generator=generator)
        if scheme == "xavier":
            return xavier_normal_(tensor, generator=generator)
        if scheme == "he":
            std = math.sqrt(2.0 / fan_in)
            return tensor.normal_(0.0, std, generator=generator)
    raise ValueError(f"unknown scheme {scheme!r}")


# --8<-- [end:schemes]


# --8<-- [start:monte_carlo]
def layer_variances(
    W: torch.Tensor,
    *,
    num_samples: int = 4096,
    generator: torch.Generator | None = None,
) -> tuple[float, float]:
    """Monte Carlo variance of a linear layer's outputs and input gradients.

    Inputs x ~ N(0, 1) pass forward (o = W x); upstream gradients
    g ~ N(0, 1) pass backward (dx = W^T g).

    Args:
        W: (fan_out, fan_in) weight.

    Returns:
        (Var[o_i], Var[dx_j]); theory: fan_in Var[w] and fan_out Var[w].
    """
    fan_out, fan_in = W.shape
    kw = dict(generator=generator, dtype=W.dtype, device=W.device)
    X = torch.randn(num_samples, fan_in, **kw)  # (num_samples, fan_in)
    G = torch.randn(num_samples, fan_out, **kw)  # (num_samples, fan_out)
    return (X @ W.T).var().item(), (G @ W).var().item()


# --8<-- [end:monte_carlo]


# --8<-- [start:propagate]
def propagate(
    weights: list[torch.Tensor],
    X: torch.Tensor,
    activation: str = "relu",
    *,
    generator: torch.Generator | None = None,
) -> dict[str, list[float]]:
    """Variance of activations and of gradients, layer by layer.

    Forward: H_l = act(H_{l-1} W_l^T) (no biases).  Backward: a random
    N(0, 1) gradient enters at the top and autograd carries it down.

    Args:
        weights: (fan_out, fan_in) matrices, bottom layer first.
        X: (n, fan_in of the first layer).
        activation: "relu", "tanh" or "identity".

    Returns:
        {"forward": [Var H_1, ...], "backward": [Var dL/dH_0, ...]},
        one entry per layer (backward: gradient at each layer's input).
    """
    act = {"relu": torch.relu, "tanh": torch.tanh, "identity": nn.Identity()}
    act = act[activation]
    H = X.detach().requires_grad_(True)
    inputs, outputs = [], []
    for W in weights:
        inputs.append(H)
        H = act(H @ W.T)  # (n, fan_out)
        outputs.append(H)
    G = torch.randn(H.shape, generator=generator, dtype=H.dtype)
    grads = torch.autograd.grad(H, inputs, G.to(H.device))
    return {
        "forward": [h.var().item() for h in outputs],
        "backward": [g.var().item() for g in grads],
    }


# --8<-- [end:propagate]


# --8<-- [start:constant]
def constant_(net: nn.Module, value: float) -> nn.Module:
    """Set every ``nn.Linear`` weight entry of ``net`` to ``value``, biases 0.

    The symmetric start of §4.8: all hidden units of a layer compute the
    same function.
    """
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.weight.fill_(value)
                if m.bias is not None:
                    m.bias.zero_()
    return net


# --8<-- [end:constant]
