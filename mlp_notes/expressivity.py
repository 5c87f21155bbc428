"""What hidden layers can and cannot express (§4.1).

* Two affine layers without a nonlinearity collapse into one.
* A ReLU network of a scalar input is continuous and piecewise linear, with
  kinks only where some hidden pre-activation changes sign.
* One hidden layer, wide enough, approximates a 1-D function, unless its
  activation is a polynomial: then the network is a polynomial of the
  same degree, however wide.
* A nonlinearity that mixes the examples of a minibatch makes one
  example's output depend on its batch-mates.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


# --8<-- [start:collapse_affine]
def collapse_affine(
    W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The single affine map equal to (X W1 + b1) W2 + b2.

    Args:
        W1: (d, h), b1: (h,), W2: (h, q), b2: (q,).

    Returns:
        W = W1 W2 of shape (d, q) and b = b1 W2 + b2 of shape (q,).
    """
    return W1 @ W2, b1 @ W2 + b2


# --8<-- [end:collapse_affine]


def random_relu_net(
    widths: tuple[int, ...] = (1, 8, 8, 1),
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Random (W, b) pairs of a ReLU/pReLU MLP, W of shape (fan_in, fan_out)
    (the activation's alpha is ``relu_net_forward``'s).

    Weights and biases are standard normal (biases non-zero, so that kinks
    fall inside the plotted range).
    """
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        W = torch.randn(fan_in, fan_out, generator=generator, dtype=dtype)
        b = torch.randn(fan_out, generator=generator, dtype=dtype)
        layers.append((W / fan_in**0.5, b))
    return layers


# --8<-- [start:relu_net_forward]
def relu_net_forward(
    layers: list[tuple[torch.Tensor, torch.Tensor]],
    X: torch.Tensor,
    alpha: float = 0.0,
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """Forward pass of a pReLU MLP (ReLU when alpha = 0).

    Args:
        layers: (W, b) pairs, W of shape (fan_in, fan_out).
        X: inputs, shape (n, fan_in of the first layer).

    Returns:
        The output (n, fan_out of the last layer) and the list of hidden
        pre-activations, each (n, width): the places where they change
        sign are the only places the output can bend.
    """
    pre_activations = []
    H = X
    for i, (W, b) in enumerate(layers):
        Z = H @ W + b  # (n, fan_out)
        if i == len(layers) - 1:
            return Z, pre_activations
        pre_activations.append(Z)
        H = torch.where(Z > 0, Z, alpha * Z)
    raise ValueError("layers is empty")


# --8<-- [end:relu_net_forward]


def kink_intervals(pre_activations: list[torch.Tensor]) -> torch.Tensor:
    """Grid intervals [i, i+1] in which some pre-activation changes sign.

    Args:
        pre_activations: tensors of shape (n, width) on an ordered grid.

    Returns:
        Bool tensor (n - 1,): True where a unit switches between the two
        linear pieces of its activation.
    """
    switches = torch.zeros(pre_activations[0].shape[0] - 1, dtype=torch.bool)
    for Z in pre_activations:
        positive = Z > 0
        switches |= (positive[1:] != positive[:-1]).any(dim=1)
    return switches


# --8<-- [start:fit_1d]
def fit_1d(
    f: Callable[[torch.Tensor], torch.Tensor],
    num_hiddens: int,
    *,
    steps: int = 2000,
    lr: float = 0.01,
    generator: torch.Generator | None = None,
) -> tuple[nn.Module, list[float]]:
    """Fit a one-hidden-layer ReLU network to ``f`` on [-3, 3] with Adam.

    Returns:
        The fitted network (1 -> num_hiddens -> 1) and the loss per step.
    """
    x = torch.linspace(-3, 3, 512).unsqueeze(1)  # (512, 1)
    y = f(x)
    net = nn.Sequential(
        nn.Linear(1, num_hiddens), nn.ReLU(), nn.Linear(num_hiddens, 1)
    )
    with torch.no_grad():  # spread the kinks over the interval
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=generator) * 1.5)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = ((net(x) - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return net, losses


# --8<-- [end:fit_1d]


# --8<-- [start:polynomial_activation]
def one_hidden_layer(
    activation: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    width: int,
    *,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """sum_j a_j activation(w_j x + b_j) + c at the scalar inputs ``x``
    (n,), with standard normal a, w, b, c (float64)."""
    a, w, b = torch.randn(3, width, generator=generator, dtype=x.dtype)
    c = torch.randn((), generator=generator, dtype=x.dtype)
    return activation(x[:, None] * w + b) @ a + c  # (n,)


def polynomial_residual(y: torch.Tensor, x: torch.Tensor, degree: int):
    """max |y - p(x)| for the least-squares polynomial p of ``degree``."""
    V = torch.vander(x, degree + 1)  # (n, degree + 1)
    coef = torch.linalg.lstsq(V, y[:, None]).solution
    return (V @ coef - y[:, None]).abs().max().item()


# --8<-- [end:polynomial_activation]


# --8<-- [start:batch_standardize]
def batch_standardize(H: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """A nonlinearity over the whole minibatch: standardize each unit.

    (H - mean over the batch) / std over the batch, as batch normalization
    does in training mode.  Row i of the result depends on every row.

    Args:
        H: (batch_size, num_hiddens).
    """
    mean = H.mean(dim=0, keepdim=True)  # (1, num_hiddens)
    var = H.var(dim=0, unbiased=False, keepdim=True)  # (1, num_hiddens)
    return (H - mean) / torch.sqrt(var + eps)


# --8<-- [end:batch_standardize]
