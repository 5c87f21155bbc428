"""Dropout (§4.6): D2L's two-hidden-layer MLP with noise.

``DropoutMLPScratch`` is D2L's ``Net`` (784-256-256-10, ReLU, dropout after
each hidden layer in training mode only), with the noise switchable to
Gaussian multiplicative noise or DropConnect for the exercises.  Its runs
are in ``mlp_notes.runs.dropout``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from mlp_notes.regularization import (
    DropConnectLinear,
    dropout_layer,
    gaussian_noise_layer,
)

NOISES = ("dropout", "gaussian", "dropconnect")


# --8<-- [start:net]
class DropoutMLPScratch(nn.Module):
    """784 -> 256 -> 256 -> 10 with noise after each hidden layer.

    Args:
        dropout1: drop probability after the first hidden layer.
        dropout2: drop probability after the second hidden layer.
        noise: "dropout" (inverted dropout on the hidden units),
            "gaussian" (multiplicative N(1, p/(1-p)) noise on the units) or
            "dropconnect" (dropout on the weights *reading* each hidden
            layer: lin2 with dropout1, lin3 with dropout2).
        generator: for the init (PyTorch's default U(+-1/sqrt(fan_in))) and
            the noise.
    """

    #: Its noise is random (and drawn on the CPU): ``fit`` must not replay
    #: its steps as a CUDA graph (see ``training.steps.why_not``).
    graph_safe = False

    # --8<-- [end:net]
    # --8<-- [start:net_init]
    def __init__(
        self,
        num_inputs: int = 784,
        num_outputs: int = 10,
        num_hiddens1: int = 256,
        num_hiddens2: int = 256,
        dropout1: float = 0.2,
        dropout2: float = 0.5,
        *,
        noise: str = "dropout",
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")
        self.num_inputs, self.noise = num_inputs, noise
        self.dropout1, self.dropout2 = dropout1, dropout2
        self.generator = generator
        connect = noise == "dropconnect"
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = (
            DropConnectLinear(num_hiddens1, num_hiddens2, dropout1)
            if connect
            else nn.Linear(num_hiddens1, num_hiddens2)
        )
        self.lin3 = (
            DropConnectLinear(num_hiddens2, num_outputs, dropout2)
            if connect
            else nn.Linear(num_hiddens2, num_outputs)
        )
        for lin in (self.lin1, self.lin2, self.lin3):
            bound = 1 / math.sqrt(lin.in_features)
            nn.init.uniform_(lin.weight, -bound, bound, generator=generator)
            nn.init.uniform_(lin.bias, -bound, bound, generator=generator)
            lin.generator = generator  # used by DropConnectLinear

    # --8<-- [end:net_init]
    # --8<-- [start:net_forward]
    def _noise(self, H: torch.Tensor, p: float) -> torch.Tensor:
        if not self.training or self.noise == "dropconnect":
            return H
        layer = dropout_layer if self.noise == "dropout" else (
            gaussian_noise_layer
        )  # fmt: skip
        return layer(H, p, self.generator)

    def hidden(self, X: torch.Tensor) -> dict[str, torch.Tensor]:
        """Both hidden layers before ("H1", "H2") and after ("H1'",
        "H2'") the noise, each (batch_size, 256); the noise acts only in
        training mode."""
        X = X.reshape(-1, self.num_inputs)  # (batch_size, num_inputs)
        H1 = torch.relu(self.lin1(X))  # D2L's Net uses nn.ReLU here
        H1d = self._noise(H1, self.dropout1)
        H2 = torch.relu(self.lin2(H1d))
        H2d = self._noise(H2, self.dropout2)
        return {"H1": H1, "H1'": H1d, "H2": H2, "H2'": H2d}

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.lin3(self.hidden(X)["H2'"])  # (batch_size, num_outputs)


# --8<-- [end:net_forward]


@torch.no_grad()
def mc_predict(net: nn.Module, X: torch.Tensor, samples: int) -> torch.Tensor:
    """Monte Carlo dropout: mean softmax over ``samples`` noisy passes.

    Returns:
        (samples, n, num_outputs) probabilities of each pass.
    """
    net.train()  # keep the noise on
    probs = torch.stack([net(X).softmax(1) for _ in range(samples)])
    net.eval()
    return probs
