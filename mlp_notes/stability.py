"""The mathematics of §4.8: exploding products, symmetric units, the
all-zero start, singular values and the conditioning of products.  The
page's training runs are in ``mlp_notes.runs.stability``."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from mlp_notes.models import mlp


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


def row_spread(W: torch.Tensor) -> float:
    """max_j ||W_j - W_0|| over the mean row norm: 0 iff all rows are equal.

    Args:
        W: (units, fan_in), one row per unit.
    """
    gap = (W - W[0]).norm(dim=1).max()
    return (gap / W.norm(dim=1).mean().clamp_min(1e-30)).item()


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
