"""Regularizers of §4.5 and §4.6: norm penalties and noise injection.

* ``l2_penalty`` / ``l1_penalty``: the penalties weight decay adds.
* ``dropout_layer``: inverted dropout from scratch.
* ``gaussian_noise_layer``: multiplicative Gaussian noise with the same
  mean and variance as dropout.
* ``DropConnectLinear``: a linear layer that drops *weights*, not units.

Random functions take a ``generator``.  Masks are drawn on the input's
device; a generator that lives on another device (a CPU generator with a
CUDA tensor) draws on its own device and the mask is moved.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


# --8<-- [start:penalties]
def l2_penalty(w: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Half the squared L2 norm, sum(w**2) / 2.

    Args:
        w: weights of any shape.
        dim: if given, one penalty per slice along the other dims, e.g.
            ``dim=0`` on (num_inputs, m) gives m penalties (one per column).
    """
    return (w**2).sum() / 2 if dim is None else (w**2).sum(dim) / 2


def l1_penalty(w: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """The L1 norm, sum(|w|) (``dim`` as in :func:`l2_penalty`)."""
    return w.abs().sum() if dim is None else w.abs().sum(dim)


# --8<-- [end:penalties]


def _uniform(X: torch.Tensor, generator: torch.Generator | None):
    """U(0, 1) numbers of X's shape, on X's device."""
    if generator is not None and generator.device != X.device:
        u = torch.rand(X.shape, generator=generator, device=generator.device)
        return u.to(X.device)
    return torch.rand(X.shape, device=X.device, generator=generator)


def _normal(X: torch.Tensor, generator: torch.Generator | None):
    """N(0, 1) numbers of X's shape, on X's device."""
    if generator is not None and generator.device != X.device:
        z = torch.randn(X.shape, generator=generator, device=generator.device)
        return z.to(X.device)
    return torch.randn(X.shape, device=X.device, generator=generator)


def _check_probability(dropout: float) -> None:
    if not 0 <= dropout <= 1:  # also rejects NaN
        raise ValueError(f"dropout must be in [0, 1], got {dropout}")


# --8<-- [start:dropout_layer]
def dropout_layer(
    X: torch.Tensor,
    dropout: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Inverted dropout: zero each entry with probability ``dropout``,
    divide the survivors by 1 - dropout so that E[output] = X.

    Args:
        X: activations of any shape, e.g. (batch_size, num_hiddens).
        dropout: the drop probability p in [0, 1].
        generator: random generator for the mask.

    Returns:
        A tensor of X's shape, dtype and device.

    Raises:
        ValueError: ``dropout`` is outside [0, 1].
    """
    _check_probability(dropout)
    if dropout == 1:
        return torch.zeros_like(X)  # every unit dropped
    if dropout == 0:
        return X
    mask = (_uniform(X, generator) > dropout).to(X.dtype)  # 1 = keep
    return mask * X / (1.0 - dropout)


# --8<-- [end:dropout_layer]


# --8<-- [start:gaussian_noise_layer]
def gaussian_noise_layer(
    X: torch.Tensor,
    dropout: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Multiplicative Gaussian noise matched to dropout's first two moments.

    Each entry is multiplied by 1 + sigma * z with z ~ N(0, 1) and
    sigma**2 = p / (1 - p), so E[output] = X and Var[output] = X**2 p/(1-p)
    exactly as for inverted dropout with probability p = ``dropout``.

    Args:
        X: activations of any shape.
        dropout: the dropout probability to match, in [0, 1).

    Raises:
        ValueError: ``dropout`` is outside [0, 1).
    """
    _check_probability(dropout)
    if dropout == 1:
        raise ValueError("dropout=1 has no Gaussian counterpart")
    if dropout == 0:
        return X
    sigma = (dropout / (1.0 - dropout)) ** 0.5
    return X * (1.0 + sigma * _normal(X, generator))


# --8<-- [end:gaussian_noise_layer]


# --8<-- [start:drop_connect]
class DropConnectLinear(nn.Linear):
    """A linear layer whose *weights* are dropped (DropConnect).

    In training mode every weight is zeroed with probability ``dropout``
    and the survivors are scaled by 1 / (1 - dropout); one mask is shared
    by the whole minibatch (Wan et al. 2013 draw one per example, which
    costs a (batch_size, out, in) tensor).  The bias is never dropped.
    In eval mode the layer is an ordinary ``nn.Linear``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        dropout: float,
        *,
        generator: torch.Generator | None = None,
    ):
        _check_probability(dropout)
        super().__init__(in_features, out_features)
        self.dropout = dropout
        self.generator = generator

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        W = self.weight  # (out_features, in_features)
        if self.training:
            W = dropout_layer(W, self.dropout, self.generator)
        return F.linear(X, W, self.bias)  # (batch_size, out_features)


# --8<-- [end:drop_connect]


# --8<-- [start:fast_dropout]
class FastDropout(nn.Dropout):
    """``nn.Dropout`` with a mask drawn from 16-bit random integers.

    On a CPU, torch draws one 32-bit random number per entry for
    ``nn.Dropout`` (Bernoulli sampling), which for a 256 x 1024
    activation costs more than the layer's matrix product.  Here one
    64-bit draw gives four 16-bit numbers u, and an entry is kept when
    u >= k, k = round(p * 2**16): the drop probability is k / 2**16 (p to
    within 2**-17: 0.1 becomes 0.1000061), and survivors are scaled by
    1 / (1 - k / 2**16), so E[output] = input exactly.  Masks come from
    torch's global generator, like ``nn.Dropout``'s.  On other devices,
    in eval mode, and when k is 0 or 2**16, it is ``nn.Dropout``.
    """

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        k = round(self.p * 65536)
        if not self.training or X.device.type != "cpu" or k in (0, 65536):
            return super().forward(X)  # also p = 0 and p ~ 1: no scaling
        words = torch.empty((X.numel() + 3) // 4, dtype=torch.int64)
        u = words.random_(-(2**63), None).view(torch.int16)[: X.numel()]
        keep = u.view(X.shape) >= k - 32768  # int16 runs over [-2^15, 2^15)
        return X * (keep.to(X.dtype) * (65536 / (65536 - k)))


# --8<-- [end:fast_dropout]
