"""§4.8 Numerical stability and initialization: vanishing and exploding
products, Xavier's variances, deep stacks, and the exercises' math.
The page's training runs (symmetric starts, equal-weight softmax
regression, LARS) are in ``mlp_notes.studies.numerical_stability_runs``.

Each function returns a :class:`~mlp_notes.claims.Finding` (the lines
the page prints, the data of its figure, the claims it asserts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from mlp_notes import activations, stability
from mlp_notes import initialization as init
from mlp_notes.claims import Claims, Finding
from mlp_notes.models import mlp


@dataclass(frozen=True)
class Budget:
    """What §4.8 trains with.

    Attributes:
        decisive: the prose describes this budget (comparisons enforced).
        seeds: seeds of every training comparison (paired by seed); the
            first seed's runs are the ones printed and drawn.
        stability_epochs: epochs of the symmetric starts.
        stability_subset: their training images (None: all).
        regression_epochs: epochs of the softmax regressions and deep nets.
        regression_subset: their training images.
    """

    decisive: bool
    seeds: tuple[int, ...]
    stability_epochs: int
    stability_subset: int | None
    regression_epochs: int
    regression_subset: int | None


BUDGETS = {
    "full": Budget(
        decisive=True,
        seeds=(0, 1, 2, 3, 4),
        stability_epochs=3,
        stability_subset=None,
        regression_epochs=5,
        regression_subset=20_000,
    ),
    "quick": Budget(
        decisive=False,
        seeds=(0, 1),
        stability_epochs=1,
        stability_subset=6_000,
        regression_epochs=1,
        regression_subset=6_000,
    ),
}


def sigmoid_saturation() -> Finding:
    """The sigmoid and its gradient on D2L's grid (-8 to 7.9), and the
    bound 0.25^depth on a product of sigmoid factors."""
    x = torch.arange(-8.0, 8.0, 0.1, dtype=torch.float64)
    grad = activations.sigmoid_grad(x)
    low, high, top = grad[0].item(), grad[-1].item(), grad.max().item()
    lines = [
        f"largest gradient {top:.4f}; at x = -8: {low:.1e}; "
        f"at x = 7.9: {high:.1e}"
    ]
    lines += [
        f"{depth:2d} sigmoid layers: the product of these factors is at "
        f"most 0.25^{depth} = {0.25**depth:.1e}"
        for depth in (5, 10, 20)
    ]
    claims = (
        Claims()
        .add(f"the largest gradient {top:.4f} is at most 0.25", top <= 0.25)
        .add("saturated at |x| = 8: below 1e-3", low < 1e-3 and high < 1e-3)
    )
    curves = {"sigmoid": activations.sigmoid(x), "gradient": grad}
    return Finding(lines, claims, {"x": x, "curves": curves})


def exploding_product() -> Finding:
    """D2L's experiment: a 4 x 4 N(0, 1) matrix times 100 more (seed 0)."""
    g = torch.Generator().manual_seed(0)
    magnitudes = stability.matrix_product(100, 4, generator=g)
    lines = [
        f"max |entry| of the first matrix:       {magnitudes[0]:.2f}",
        f"max |entry| after 100 multiplications: {magnitudes[-1]:.1e}",
    ]
    claims = Claims().add(
        f"after 100 factors {magnitudes[-1]:.1e}, above 1e15",
        magnitudes[-1] > 1e15,
    )
    return Finding(lines, claims)


#: Thresholds of the straight-line fits of log10 max |entry|.
MIN_SLOPE, MIN_R2 = 0.1, 0.95


def product_growth() -> Finding:
    """The product's max |entry| over 100 factors for seeds 0, 1, 2, and
    a straight line fitted to each curve's log10."""
    curves = {
        f"seed {s}": stability.matrix_product(
            100, 4, generator=torch.Generator().manual_seed(s)
        )
        for s in (0, 1, 2)
    }
    finding = Finding(data={"curves": curves})
    for name, m in curves.items():
        slope, r2 = stability.log_growth(m)
        finding.lines.append(
            f"{name}: log10 max |entry| grows by {slope:.3f} per factor "
            f"(line fit, R^2 = {r2:.3f})"
        )
        finding.claims.add(
            f"{name}: slope {slope:.3f} above {MIN_SLOPE}, R^2 {r2:.3f} "
            f"above {MIN_R2}",
            slope > MIN_SLOPE and r2 > MIN_R2,
        )
    return finding


#: Xavier's Monte Carlo check: fans, and the relative error allowed.
FAN_IN, FAN_OUT, MC_TOLERANCE = 200, 300, 0.03


def xavier_monte_carlo() -> Finding:
    """Variances of Xavier-initialized weights, of a layer's outputs and
    of its input gradients, against theory (seed 1, 8192 samples)."""
    sigma2 = init.xavier_std(FAN_IN, FAN_OUT) ** 2
    bound = math.sqrt(6 / (FAN_IN + FAN_OUT))
    g = torch.Generator().manual_seed(1)
    finding = Finding()
    for fill in (init.xavier_uniform_, init.xavier_normal_):
        W = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
        W = fill(W, generator=g)
        var_out, var_grad = init.layer_variances(
            W, num_samples=8192, generator=g
        )
        finding.lines.append(fill.__name__)
        if fill is init.xavier_uniform_:
            top = W.abs().max().item()
            finding.lines.append(
                f"  largest |w| {top:.4f}, bound sqrt(6 / 500) = {bound:.4f}"
            )
            finding.claims.add(f"uniform: |w| <= {bound:.4f}", top <= bound)
        checks = {
            "Var[w]": (W.var().item(), sigma2),
            "Var[o]": (var_out, FAN_IN * sigma2),
            "Var[dx]": (var_grad, FAN_OUT * sigma2),
        }
        for name, (measured, theory) in checks.items():
            finding.lines.append(
                f"  {name:8s} measured {measured:.4f}  theory {theory:.4f}"
            )
        worst = max(abs(m / t - 1) for m, t in checks.values())
        finding.claims.add(
            f"{fill.__name__}: every variance within {worst:.1%} of theory "
            f"(allowed {MC_TOLERANCE:.0%})",
            worst < MC_TOLERANCE,
        )
    return finding


STACK_AXES = dict(xlabel="layer", ylabel="variance", logy=True)


def deep_stack(depth: int = 30, width: int = 256) -> Finding:
    """Variances through ``depth`` layers for every activation and scheme
    (``stability.deep_stack``, seed 2) and their claims."""
    stack = stability.deep_stack(depth, width, seed=2)
    lines = [
        f"variance after {depth} layers (forward) / at the input (backward)"
    ]
    lines += [
        f"{activation:4s} {scheme:9s}  activations {r['forward'][-1]:8.1e}"
        f"   gradients {r['backward'][0]:8.1e}"
        for (activation, scheme), r in stack.items()
    ]
    layers = list(range(1, depth + 1))
    panels = [
        (
            {s: stack[activation, s][key] for s in stability.SCHEMES},
            dict(title=f"{activation}: {what}", **STACK_AXES),
        )
        for activation in ("relu", "tanh")
        for key, what in (
            ("forward", "activations"),
            ("backward", "gradients"),
        )
    ]
    data = {"layers": layers, "panels": panels}
    return Finding(lines, stability.stack_claims(stack), data)


def sign_flips() -> Finding:
    """Exercise 1: a tanh unit negated and a ReLU unit rescaled by 3 (in-
    and outgoing weights) leave the network's function unchanged."""
    g = torch.Generator().manual_seed(3)
    X = torch.rand(32, 1, 28, 28, generator=g, dtype=torch.float64)
    torch.randint(0, 10, (32,), generator=g)  # the labels: zero_start's
    finding = Finding()
    for activation, factor in (("tanh", -1.0), ("relu", 3.0)):
        net = mlp((16,), activation=activation, init="xavier", generator=g)
        err = stability.transformed_unit_change(net.double(), X, factor)
        finding.lines.append(
            f"{activation}: unit 0 transformed by {factor:+.0f}: function "
            f"changes by {err:.1e}"
        )
        finding.claims.add(
            f"{activation}: {err:.1e} below 1e-12 (rounding)", err < 1e-12
        )
    return finding


def zero_start() -> Finding:
    """Exercise 1: gradient norms of an all-zero MLP at its start, for
    tanh, ReLU and sigmoid (32 random images, seed 3)."""
    g = torch.Generator().manual_seed(3)
    X = torch.rand(32, 1, 28, 28, generator=g, dtype=torch.float64)
    y = torch.randint(0, 10, (32,), generator=g)
    zero = {
        a: stability.zero_start_gradients(a, X, y)
        for a in ("tanh", "relu", "sigmoid")
    }
    lines = [
        f"all-zero {a:7s}: "
        + ", ".join(f"{k} {v:.2e}" for k, v in norms.items())
        for a, norms in zero.items()
    ]
    sig = zero["sigmoid"]
    claims = (
        Claims()
        .add("no W1 gradient at all", all(z["W1"] == 0 for z in zero.values()))
        .add(
            "phi(0) = 0 (tanh, relu): no W2 gradient either, stuck",
            zero["tanh"]["W2"] == zero["relu"]["W2"] == 0,
        )
        .add(
            f"phi(0) = 1/2 (sigmoid): W2 moves ({sig['W2']:.2e}), every unit "
            f"alike (spread {sig['W2 spread over units']})",
            sig["W2"] > 0 and sig["W2 spread over units"] == 0,
        )
    )
    return Finding(lines, claims)
