"""From-scratch optimizers the pages need, as ``torch.optim.Optimizer``s.

Each class can be passed to ``mlp_notes.training.fit`` as
``optimizer=functools.partial(LARS, trust_coefficient=...)``: ``fit``
calls it as ``factory(params, lr=..., weight_decay=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch


# --8<-- [start:lars]
class LARS(torch.optim.Optimizer):
    """Layer-wise Adaptive Rate Scaling (You, Gitman and Ginsburg, 2017).

    Every parameter tensor w (a "layer") gets its own learning rate

        local_lr = lr * eta * ||w|| / (||g|| + weight_decay * ||w||),

    so the step's size is a fixed fraction (about lr * eta) of the
    weight's size, however large the gradient.  A tensor with zero norm
    (a bias at initialization) or zero gradient uses lr itself.

    Args:
        params: parameters or parameter groups.
        lr: global learning rate.
        momentum: heavy-ball momentum on the scaled step.
        weight_decay: L2 coefficient added to the gradient.
        trust_coefficient: eta, the step-to-weight ratio at lr = 1.
        eps: guards the division.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        trust_coefficient: float = 0.001,
        eps: float = 1e-8,
    ):
        if lr <= 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("need lr > 0, momentum >= 0, weight_decay >= 0")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            weight_decay=weight_decay,
            trust_coefficient=trust_coefficient,
            eps=eps,
        )
        super().__init__(params, defaults)

    # --8<-- [end:lars]

    # --8<-- [start:lars_step]
    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            wd, eta = group["weight_decay"], group["trust_coefficient"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                w_norm, g_norm = p.norm(), p.grad.norm()
                trust = torch.where(
                    (w_norm > 0) & (g_norm > 0),
                    eta * w_norm / (g_norm + wd * w_norm + group["eps"]),
                    torch.ones_like(w_norm),
                )
                step = (p.grad + wd * p) * (trust * group["lr"])
                if group["momentum"]:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = torch.zeros_like(p)
                    buf = state["momentum_buffer"]
                    step = buf.mul_(group["momentum"]).add_(step)
                p.sub_(step)
        return loss

    # --8<-- [end:lars_step]
