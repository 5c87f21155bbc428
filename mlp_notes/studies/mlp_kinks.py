"""§4.1: what autograd returns at the kink of ReLU and pReLU.

At x = 0 neither function has a derivative.  Autograd never takes a
limit: it multiplies the values each *operation* reports, and PyTorch
documents what an operation reports where it is not differentiable
(Autograd mechanics, "Gradients for non-differentiable functions"): the
subgradient of minimum norm where the operation is convex, the
supergradient of minimum norm where it is concave.  So the same pReLU,
written with different operations, gets different "derivatives" at 0.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from mlp_notes import activations as act
from mlp_notes.claims import Claims, Finding
from mlp_notes.gradcheck import elementwise_grad

#: pReLU's slope on the negative side in the formulas below.
A = 0.25


def _zeros(t: torch.Tensor) -> torch.Tensor:
    return torch.zeros_like(t)


#: Single operations at their kink (x = 0): what each reports.
OPERATIONS = {
    "torch.relu(x)": torch.relu,
    "x.clamp(min=0)": lambda t: t.clamp(min=0),
    "x.clamp(max=0)": lambda t: t.clamp(max=0),
    "torch.maximum(x, 0)": lambda t: torch.maximum(t, _zeros(t)),
    "torch.minimum(x, 0)": lambda t: torch.minimum(t, _zeros(t)),
    "torch.where(x > 0, x, a*x)": lambda t: torch.where(t > 0, t, A * t),
    "F.prelu(x, a)": lambda t: F.prelu(t, torch.tensor([A], dtype=t.dtype)),
}
#: One pReLU (slope A below 0), five ways.
FORMS = {
    "torch.where(x > 0, x, a*x)": OPERATIONS["torch.where(x > 0, x, a*x)"],
    "max(x,0) + a*min(x,0)": lambda t: (
        torch.maximum(t, _zeros(t)) + A * torch.minimum(t, _zeros(t))
    ),
    "clamp(x, min=0) + a*clamp(x, max=0)": lambda t: (
        t.clamp(min=0) + A * t.clamp(max=0)
    ),
    "F.prelu (PyTorch)": OPERATIONS["F.prelu(x, a)"],
    "mlp_notes.activations.prelu": lambda t: act.prelu(t, A),
}


def at_zero(fs: dict) -> dict[str, float]:
    """Autograd's derivative of each elementwise function at x = 0."""
    zero = torch.zeros(1, dtype=torch.float64)
    return {name: elementwise_grad(f, zero).item() for name, f in fs.items()}


def operations() -> Finding:
    """What each operation reports at its kink, with the rule behind it."""
    op = at_zero(OPERATIONS)
    lines = [f"torch {torch.__version__}, a = {A}; at x = 0 autograd gives"]
    lines += [f"  d/dx {name:27s} {v:.3f}" for name, v in op.items()]
    claims = (
        Claims()
        .add(
            "one-input max(x, 0) (torch.relu, clamp(min=0)) and min(x, 0) "
            "(clamp(max=0)): 0, the smallest element of [0, 1]",
            op["torch.relu(x)"] == op["x.clamp(min=0)"] == 0.0
            and op["x.clamp(max=0)"] == 0.0,
        )
        .add(
            "two-input torch.maximum and torch.minimum split a tie evenly: "
            f"{op['torch.maximum(x, 0)']} to x, the rest to the zeros",
            op["torch.maximum(x, 0)"] == op["torch.minimum(x, 0)"] == 0.5,
        )
        .add(
            "torch.where sends the gradient down the branch it chose: "
            "x > 0 is false at 0, so a*x, slope a",
            op["torch.where(x > 0, x, a*x)"] == A,
        )
        .add(
            "F.prelu: a, the smallest element of pReLU's [a, 1]",
            op["F.prelu(x, a)"] == A,
        )
    )
    return Finding(lines, claims)


def prelu_forms() -> Finding:
    """Five ways of writing pReLU, differentiated at 0: each is the chain
    rule over its operations' values, and not every one is a subgradient
    of pReLU at 0 (its subgradients there are [a, 1])."""
    op, form = at_zero(OPERATIONS), at_zero(FORMS)
    lines = [
        f"{name:36s} autograd derivative at 0: {v:.3f}"
        for name, v in form.items()
    ]
    zero = torch.zeros(1, dtype=torch.float64)
    ours = act.prelu_grad(zero, A).item()
    lines.append(
        f"analytic prelu_grad(0) (our convention, as F.prelu): {ours:.3f}"
    )
    lines.append(
        f"{len(form)} formulas, {len(set(form.values()))} different values; "
        f"torch.relu's derivative at 0: {op['torch.relu(x)']}"
    )
    max_form = form["max(x,0) + a*min(x,0)"]
    clamp_form = form["clamp(x, min=0) + a*clamp(x, max=0)"]
    chain_max = op["torch.maximum(x, 0)"] + A * op["torch.minimum(x, 0)"]
    chain_clamp = op["x.clamp(min=0)"] + A * op["x.clamp(max=0)"]
    outside = [n for n, v in form.items() if not A <= v <= 1]
    claims = (
        Claims()
        .add(
            f"max form = maximum'(0) + a minimum'(0) = {chain_max} = (1 + a)/2"
            f": {max_form}, neither side's slope",
            max_form == chain_max == (1 + A) / 2,
        )
        .add(
            f"clamp form = clamp(min=0)'(0) + a clamp(max=0)'(0) = "
            f"{chain_clamp}: {clamp_form}",
            clamp_form == chain_clamp,
        )
        .add(
            f"where, F.prelu and ours give a = {A} = prelu_grad(0)",
            form["torch.where(x > 0, x, a*x)"]
            == form["F.prelu (PyTorch)"]
            == form["mlp_notes.activations.prelu"]
            == ours
            == A,
        )
        .add(
            f"outside pReLU's subgradients [a, 1] at 0: {outside}",
            outside == ["clamp(x, min=0) + a*clamp(x, max=0)"],
        )
        .add(
            f"{len(set(form.values()))} different values from {len(form)} "
            "formulas",
            len(set(form.values())) == 3,
        )
    )
    return Finding(lines, claims)
