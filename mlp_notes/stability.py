"""The mathematics of §4.8: exploding products, symmetric units, the
all-zero start, singular values and the conditioning of products.  The
page's training runs are in ``mlp_notes.runs.stability``."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from mlp_notes import initialization as init
from mlp_notes.claims import Claims
from mlp_notes.models import mlp

SCHEMES = ("too small", "default", "xavier", "he")


# --8<-- [start:matrix_product]
def matrix_product(
    num_factors: int,
    size: int = 4,
    *,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float64,
) -> list[float]:
    """max |entry| of M_0 M_1 ... M_k for k = 0..num_factors.

    Each M_k is (size, size) with N(0, 1) entries, as in D2L's example
    (M times 100 further matrices).

    Returns:
        num_factors + 1 magnitudes.
    """
    M = torch.randn(size, size, generator=generator, dtype=dtype)
    sizes = [M.abs().max().item()]
    for _ in range(num_factors):
        M = M @ torch.randn(size, size, generator=generator, dtype=dtype)
        sizes.append(M.abs().max().item())
    return sizes


# --8<-- [end:matrix_product]


# --8<-- [start:log_growth]
def log_growth(magnitudes: list[float]) -> tuple[float, float]:
    """Straight-line fit of log10(magnitude) against the factor count k.

    Returns:
        (slope: log10 growth per factor, R^2 of the fit).
    """
    logm = torch.tensor(magnitudes, dtype=torch.float64).log10()
    k = torch.arange(len(logm), dtype=torch.float64)
    dk, dm = k - k.mean(), logm - logm.mean()
    slope = (dk * dm).sum() / (dk**2).sum()
    r2 = 1 - (dm - slope * dk).var() / dm.var()
    return slope.item(), r2.item()


# --8<-- [end:log_growth]


def row_spread(W: torch.Tensor) -> float:
    """max_j ||W_j - W_0|| over the mean row norm: 0 iff all rows are equal.

    Args:
        W: (units, fan_in), one row per unit.
    """
    gap = (W - W[0]).norm(dim=1).max()
    return (gap / W.norm(dim=1).mean().clamp_min(1e-30)).item()


# --8<-- [start:transformed_unit]
@torch.no_grad()
def transformed_unit_change(
    net: torch.nn.Sequential, X: torch.Tensor, factor: float, unit: int = 0
) -> float:
    """max |change| of a one-hidden-layer MLP's output (Flatten, Linear,
    activation, Linear) when hidden unit ``unit``'s incoming weights and
    bias are multiplied by ``factor`` and its outgoing weights divided by
    it.  0 up to rounding for a symmetry of the activation: factor -1
    for an odd one (tanh), any factor > 0 for ReLU.  Changes ``net``.
    """
    before = net(X)
    net[1].weight[unit] *= factor  # (fan_in,): the unit's incoming weights
    net[1].bias[unit] *= factor
    net[3].weight[:, unit] /= factor  # (num_outputs,): its outgoing weights
    return (net(X) - before).abs().max().item()


# --8<-- [end:transformed_unit]


# --8<-- [start:zero_start]
def zero_start_gradients(
    activation: str, X: torch.Tensor, y: torch.Tensor
) -> dict[str, float]:
    """Gradient norms of an all-zero one-hidden-layer MLP at its start.

    With zero weights and biases every hidden unit outputs
    ``activation(0)``.  Returns the norms of the gradients of W1 and W2,
    and the spread (``row_spread``) of W2's gradient over hidden units:
    0 when every unit receives the same gradient.

    Args:
        X: (n, 1, 28, 28) images; y: (n,) labels.
    """
    net = mlp((16,), activation=activation, init="zeros").to(X.dtype)
    F.cross_entropy(net(X), y).backward()
    W1, W2 = net[1].weight.grad, net[3].weight.grad  # (16, 784), (10, 16)
    return {
        "W1": W1.norm().item(),
        "W2": W2.norm().item(),
        "W2 spread over units": row_spread(W2.T) if W2.norm() > 0 else 0.0,
    }


# --8<-- [end:zero_start]


# --8<-- [start:singular_bounds]
def singular_bounds(A: torch.Tensor, B: torch.Tensor) -> dict[str, float]:
    """Singular values and condition numbers of A, B and AB (square).

    Returns:
        smax / smin of each and kappa = smax / smin, keys like
        "smax_AB", "smax_A*smax_B", "kappa_AB", "kappa_A*kappa_B".
    """
    out = {}
    for name, M in (("A", A), ("B", B), ("AB", A @ B)):
        s = torch.linalg.svdvals(M)
        out[f"smax_{name}"], out[f"smin_{name}"] = s[0].item(), s[-1].item()
        out[f"kappa_{name}"] = (s[0] / s[-1]).item()
    out["smax_A*smax_B"] = out["smax_A"] * out["smax_B"]
    out["smin_A*smin_B"] = out["smin_A"] * out["smin_B"]
    out["kappa_A*kappa_B"] = out["kappa_A"] * out["kappa_B"]
    out["rho_AB"] = torch.linalg.eigvals(A @ B).abs().max().item()
    return out


# --8<-- [end:singular_bounds]


def product_condition(
    depth: int, size: int, *, generator: torch.Generator | None = None
) -> list[float]:
    """log10 condition number of a product of k Gaussian matrices, k=1..depth.

    Each factor is scaled by 1/sqrt(size) so that its norm stays O(1).
    """
    P = torch.eye(size, dtype=torch.float64)
    logs = []
    for _ in range(depth):
        M = torch.randn(size, size, generator=generator, dtype=torch.float64)
        P = P @ (M / size**0.5)
        s = torch.linalg.svdvals(P)
        logs.append((s[0] / s[-1]).log10().item())
    return logs


# --8<-- [start:deep_stack]
def deep_stack(
    depth: int = 30, width: int = 256, seed: int = 2
) -> dict[tuple[str, str], dict[str, list[float]]]:
    """Variances through ``depth`` layers for every (activation, scheme).

    A batch of 256 random inputs goes forward and a random gradient
    backward through ``depth`` bias-free (width, width) layers, in
    float64 so that tiny values do not underflow (see ``propagate``).
    """
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(256, width, generator=g, dtype=torch.float64)
    stack = {}
    for activation in ("relu", "tanh"):
        for scheme in SCHEMES:
            Ws = [
                init.init_weight_(
                    torch.empty(width, width, dtype=torch.float64),
                    scheme,
                    generator=g,
                )
                for _ in range(depth)
            ]
            stack[activation, scheme] = init.propagate(
                Ws, X, activation, generator=g
            )
    return stack


# --8<-- [end:deep_stack]


# --8<-- [start:log_steps]
def log_steps(stack: dict) -> dict:
    """log10 change of the variance per layer, in the direction of travel.

    Backward steps go from the top down; both lists run from the input
    up, per (activation, scheme) and direction.
    """
    steps = {}
    for key, r in stack.items():
        fw, bw = r["forward"], r["backward"]
        steps[key] = {
            "forward": [math.log10(b / a) for a, b in zip(fw, fw[1:])],
            "backward": [math.log10(a / b) for a, b in zip(bw, bw[1:])],
        }
    return steps


# --8<-- [end:log_steps]


def stack_claims(stack: dict) -> Claims:
    """What §4.8 asserts about ``deep_stack``, with every threshold.

    relu + He: every layer within a factor 10^he_tol, both directions;
    relu + Xavier: a constant factor per layer between 10^-0.5 and
    10^-0.15 (about 1/2); too small and default: over 15 orders of
    magnitude lost; tanh + Xavier: under 2 orders in all, its top ten
    layers losing under half what its bottom ten lose; tanh + He: input
    gradient variance over twice the top's.
    """
    steps, depth = log_steps(stack), len(stack["relu", "he"]["forward"])
    he_tol, xav_lo, xav_hi, lost = 0.2, -0.5, -0.15, -15
    tanh_total, tanh_ratio = -2, 0.5
    claims = Claims()
    top_he = stack["relu", "he"]["forward"][-1]
    top_small = stack["relu", "too small"]["forward"][-1]
    claims.add(
        f"relu + He: top variance {top_he:.2f}, in (0.1, 10)",
        0.1 < top_he < 10,
    )
    claims.add(
        f"relu + too small: top variance {top_small:.1e}, below 1e-30",
        top_small < 1e-30,
    )
    for d in ("forward", "backward"):
        worst = max(abs(s) for s in steps["relu", "he"][d])
        claims.add(
            f"relu + He, {d}: largest step x10^{worst:.3f}, "
            f"every layer within x10^{he_tol}",
            worst < he_tol,
        )
        xs = steps["relu", "xavier"][d]
        claims.add(
            f"relu + Xavier, {d}: x{10 ** (sum(xs) / (depth - 1)):.3f} per "
            f"layer on average, every layer between x{10**xav_lo:.2f} "
            f"and x{10**xav_hi:.2f}",
            all(xav_lo < s < xav_hi for s in xs),
        )
        for scheme in ("too small", "default"):
            total = sum(steps["relu", scheme][d])
            claims.add(
                f"relu + {scheme}, {d}: {total:.0f} orders of magnitude, "
                f"below {lost}",
                total < lost,
            )
        s = steps["tanh", "xavier"][d]
        claims.add(
            f"tanh + Xavier, {d}: {sum(s):.2f} orders in {depth} layers "
            f"(above {tanh_total}); the top ten lose {-sum(s[-10:]):.2f}, "
            f"less than {tanh_ratio} x the bottom ten's {-sum(s[:10]):.2f}",
            sum(s[-10:]) > tanh_ratio * sum(s[:10]) and sum(s) > tanh_total,
        )
    grad = stack["tanh", "he"]["backward"]
    claims.add(
        f"tanh + He: gradient variance at the input {grad[0]:.2e}, over 2 x "
        f"the top's {grad[-1]:.2e}",
        grad[0] > 2 * grad[-1],
    )
    return claims
