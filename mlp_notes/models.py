"""The chapter's models: ``MLPScratch`` (§4.2) and a concise builder (§4.3).

Both take images of shape (N, 1, 28, 28) or flat (N, 784) and return
logits of shape (N, 10); the softmax lives in the loss.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from mlp_notes import activations
from mlp_notes.dropout import DropoutMLPScratch
from mlp_notes.regularization import FastDropout


# --8<-- [start:mlp_scratch]
class MLPScratch(nn.Module):
    """D2L's one-hidden-layer MLP with explicit parameters.

    Args:
        num_inputs: input features (784 for Fashion-MNIST).
        num_outputs: classes (10).
        num_hiddens: hidden units (256).
        sigma: standard deviation of the Gaussian weight init (0.01).
        generator: random generator for the weights.
    """

    def __init__(
        self,
        num_inputs: int = 784,
        num_outputs: int = 10,
        num_hiddens: int = 256,
        sigma: float = 0.01,
        *,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.num_inputs = num_inputs
        g = generator
        self.W1 = nn.Parameter(
            torch.randn(num_inputs, num_hiddens, generator=g) * sigma
        )
        self.b1 = nn.Parameter(torch.zeros(num_hiddens))
        self.W2 = nn.Parameter(
            torch.randn(num_hiddens, num_outputs, generator=g) * sigma
        )
        self.b2 = nn.Parameter(torch.zeros(num_outputs))

    # --8<-- [end:mlp_scratch]
    # --8<-- [start:mlp_scratch_forward]
    def linear_layers(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Its layers as (weight (fan_out, fan_in), bias): the forward
        pass is relu(X W1 + b1) W2 + b2, §4.7's equations with W^T (the
        fast training step reads this declaration)."""
        return [(self.W1.T, self.b1), (self.W2.T, self.b2)]

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        X = X.reshape(-1, self.num_inputs)  # (batch_size, num_inputs)
        H = activations.relu(
            X @ self.W1 + self.b1
        )  # (batch_size, num_hiddens)
        return H @ self.W2 + self.b2  # (batch_size, num_outputs)


# --8<-- [end:mlp_scratch_forward]

#: Activation name -> module class for the concise builder.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "swish": nn.SiLU,
    "prelu": nn.PReLU,
    "leaky_relu": nn.LeakyReLU,
    "identity": nn.Identity,
}

#: Initialization schemes of the concise builder (weights; biases -> 0
#: except for "default", which keeps PyTorch's own init of both).
INITS = ("default", "normal", "xavier", "he", "zeros")


class Standardize(nn.Module):
    """(X - mean) / std with fixed statistics (a buffer, not learned)."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return (X - self.mean) / self.std


# --8<-- [start:mlp]
def mlp(
    hiddens: Sequence[int] = (256,),
    *,
    num_inputs: int = 784,
    num_outputs: int = 10,
    activation: str = "relu",
    dropout: float | Sequence[float] = 0.0,
    input_dropout: float = 0.0,
    init: str = "normal",
    sigma: float = 0.01,
    standardize: tuple[float, float] | None = None,
    dropout_module: type[nn.Dropout] = nn.Dropout,
    generator: torch.Generator | None = None,
) -> nn.Sequential:
    """Flatten -> [Linear -> activation -> Dropout] * k -> Linear.

    ``hiddens``: the hidden widths; ``dropout``: after each hidden layer
    (one rate, or one per layer); ``init``: a key of ``INITS`` ("normal"
    is D2L's N(0, sigma^2) weights); ``standardize``: the inputs' (mean,
    std), applied first; ``dropout_module``: ``nn.Dropout`` or
    ``regularization.FastDropout``.  Raises ``ValueError`` for an unknown
    activation or init, or a rate outside [0, 1).
    """
    rates = _checked(hiddens, activation, init, dropout, input_dropout)
    layers: list[nn.Module] = [nn.Flatten()]
    if standardize is not None:
        layers.append(Standardize(*standardize))
    if input_dropout:
        layers.append(dropout_module(input_dropout))
    fan_in = num_inputs
    for width, p in zip(hiddens, rates, strict=True):
        layers += [nn.Linear(fan_in, width), ACTIVATIONS[activation]()]
        if p:
            layers.append(dropout_module(p))
        fan_in = width
    layers.append(nn.Linear(fan_in, num_outputs))
    net = nn.Sequential(*layers)
    initialize_(net, init, sigma=sigma, generator=generator)
    return net


# --8<-- [end:mlp]


def _checked(hiddens, activation, init, dropout, input_dropout) -> list:
    """``mlp``'s dropout rate per hidden layer, once its arguments check."""
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, "
            f"got {activation!r}"
        )
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    rates = (
        [dropout] * len(hiddens)
        if isinstance(dropout, float | int)
        else dropout
    )
    for p in [*rates, input_dropout]:
        if not 0 <= p < 1:
            raise ValueError(f"dropout must be in [0, 1), got {p}")
    return rates


def initialize_(
    net: nn.Module,
    init: str,
    *,
    sigma: float = 0.01,
    generator: torch.Generator | None = None,
) -> nn.Module:
    """Re-initialize every ``nn.Linear`` of ``net`` in place.

    "default" redraws PyTorch's own scheme (weights and biases
    U(-1/sqrt(fan_in), 1/sqrt(fan_in))) from ``generator``, so that it too
    is reproducible; the others set biases to zero.
    """
    with torch.no_grad():
        for m in net.modules():
            if not isinstance(m, nn.Linear):
                continue
            fan_out, fan_in = m.weight.shape
            if init == "default":
                bound = fan_in**-0.5
                for p in (m.weight, m.bias):
                    u = torch.rand(p.shape, generator=generator)
                    p.copy_((2 * u - 1) * bound)
                continue
            W = torch.randn(m.weight.shape, generator=generator)
            if init == "normal":
                W *= sigma
            elif init == "xavier":
                W *= (2 / (fan_in + fan_out)) ** 0.5
            elif init == "he":
                W *= (2 / fan_in) ** 0.5
            elif init == "zeros":
                W.zero_()
            m.weight.copy_(W)
            m.bias.zero_()
    return net


def num_parameters(net: nn.Module) -> int:
    """Number of trainable scalars."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad)


KINDS = ("scratch", "concise", "dropout_scratch")


@dataclass(frozen=True)
class Spec:
    """Which of the chapter's networks to build: a value runs are keyed by.

    Attributes:
        kind: "scratch" (``MLPScratch``, one hidden ReLU layer),
            "concise" (``mlp``) or "dropout_scratch" (§4.6's
            ``DropoutMLPScratch``, two hidden layers).
        hiddens: hidden widths.
        activation, init, input_dropout, standardize: as in ``mlp``.
        dropout: after each hidden layer (one value or one per layer).
        fast_dropout: ``regularization.FastDropout`` instead of
            ``nn.Dropout`` (same distribution, cheaper masks on a CPU).
        noise: "dropout_scratch"'s noise ("dropout", "gaussian",
            "dropconnect").
    """

    kind: str = "concise"
    hiddens: tuple[int, ...] = (256,)
    activation: str = "relu"
    init: str = "normal"
    dropout: float | tuple[float, ...] = 0.0
    input_dropout: float = 0.0
    standardize: tuple[float, float] | None = None
    fast_dropout: bool = False
    noise: str = "dropout"

    def replace(self, **changes) -> Spec:
        return dataclasses.replace(self, **changes)


def build(spec: Spec, *, generator: torch.Generator | None = None):
    """The network ``spec`` describes, initialized from ``generator``.

    Raises:
        ValueError: an unknown kind, or options the kind does not have.
    """
    if spec.kind == "concise":
        return mlp(
            spec.hiddens,
            activation=spec.activation,
            dropout=spec.dropout,
            input_dropout=spec.input_dropout,
            init=spec.init,
            standardize=spec.standardize,
            dropout_module=FastDropout if spec.fast_dropout else nn.Dropout,
            generator=generator,
        )
    plain = Spec(kind=spec.kind, hiddens=spec.hiddens)
    if spec.kind == "scratch" and spec == plain and len(spec.hiddens) == 1:
        return MLPScratch(num_hiddens=spec.hiddens[0], generator=generator)
    noisy = spec.replace(dropout=plain.dropout, noise=plain.noise) == plain
    if spec.kind == "dropout_scratch" and noisy and len(spec.hiddens) == 2:
        p = spec.dropout
        p1, p2 = (p, p) if isinstance(p, float | int) else p
        h1, h2 = spec.hiddens
        return DropoutMLPScratch(
            num_hiddens1=h1, num_hiddens2=h2, dropout1=p1, dropout2=p2,
            noise=spec.noise, generator=generator,
        )  # fmt: skip
    raise ValueError(
        f"{spec} cannot be built: kinds are {KINDS}; 'scratch' has one "
        "hidden ReLU layer and no options, 'dropout_scratch' two hidden "
        "layers with dropout and noise only"
    )
