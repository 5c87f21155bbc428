"""§4.8 exercise 3: singular values and eigenvalues of a product of
matrices, and how the condition number of a product grows with the
number of factors.  Each function returns a
:class:`~mlp_notes.claims.Finding`; the ones that draw random matrices
take the page's generator, so the page's numbers come from one stream.
"""

from __future__ import annotations

import torch

from mlp_notes import stability
from mlp_notes.claims import Claims, Finding

#: Relative slack of the bounds for float64 rounding.
SLACK = {"smax": 1e-12, "smin": 1e-9, "kappa": 1e-9, "rho": 1e-12}
#: Condition growth: orders of magnitude from k = 1 to 10, and the cap on
#: any one step relative to the average step.
MIN_ORDERS, STEP_CAP = 3, 3


def violations(b: dict[str, float]) -> int:
    """How many of the four bounds ``stability.singular_bounds`` checks
    fail (beyond rounding) for one pair."""
    return (
        (b["smax_AB"] > b["smax_A*smax_B"] * (1 + SLACK["smax"]))
        + (b["smin_AB"] < b["smin_A*smin_B"] * (1 - SLACK["smin"]))
        + (b["kappa_AB"] > b["kappa_A*kappa_B"] * (1 + SLACK["kappa"]))
        + (b["rho_AB"] > b["smax_AB"] * (1 + SLACK["rho"]))
    )


def singular_value_bounds(
    generator: torch.Generator, pairs: int = 2000, size: int = 8
) -> Finding:
    """The bounds on random Gaussian pairs, and how tight the condition
    number's bound is."""
    tight, failed = [], 0
    for _ in range(pairs):
        A = torch.randn(size, size, generator=generator, dtype=torch.float64)
        B = torch.randn(size, size, generator=generator, dtype=torch.float64)
        b = stability.singular_bounds(A, B)
        failed += violations(b)
        tight.append(b["kappa_AB"] / b["kappa_A*kappa_B"])
    lines = [
        f"{pairs} random {size} x {size} pairs: {failed} violations of the "
        "bounds;",
        f"  kappa(AB) / (kappa(A) kappa(B)) from {min(tight):.1e} to "
        f"{max(tight):.2f}",
    ]
    claims = Claims().add(f"{failed} violations", failed == 0)
    return Finding(lines, claims)


def nilpotent_product() -> Finding:
    """N = [[0, 1], [0, 0]]: N and N^T have only eigenvalue 0, N N^T has
    eigenvalue 1."""
    N = torch.tensor([[0.0, 1.0], [0.0, 0.0]], dtype=torch.float64)
    eig = {
        name: torch.linalg.eigvals(M).real.tolist()
        for name, M in (("N", N), ("N^T", N.T), ("N N^T", N @ N.T))
    }
    lines = [
        "eigenvalues of " + ", of ".join(f"{k}: {v}" for k, v in eig.items())
    ]
    claims = (
        Claims()
        .add("N and N^T: every eigenvalue 0", not any(eig["N"] + eig["N^T"]))
        .add("N N^T: largest eigenvalue 1", max(eig["N N^T"]) == 1)
    )
    return Finding(lines, claims)


def condition_growth(
    generator: torch.Generator, depth: int = 10, size: int = 64
) -> Finding:
    """log10 condition number of a product of k scaled Gaussian matrices,
    k = 1..depth (``stability.product_condition``)."""
    logs = stability.product_condition(depth, size, generator=generator)
    by_k = dict(zip(range(1, depth + 1), logs, strict=True))
    shown = ", ".join(f"{by_k[k]:.1f} (k={k})" for k in (1, 2, 5, 10))
    lines = [
        f"product of k scaled {size} x {size} Gaussian matrices:",
        f"  log10 kappa = {shown}",
    ]
    return Finding(lines, growth_claims(by_k))


def growth_claims(by_k: dict[int, float]) -> Claims:
    """log10 kappa by number of factors grows steadily: over MIN_ORDERS
    orders from the first to the last, every step positive and none over
    STEP_CAP times the average step."""
    first, last = min(by_k), max(by_k)
    steps = [by_k[k + 1] - by_k[k] for k in range(first, last)]
    average = (by_k[last] - by_k[first]) / len(steps)
    return (
        Claims()
        .add(
            f"log10 kappa grows by {by_k[last] - by_k[first]:.1f} from k="
            f"{first} to k={last}, more than {MIN_ORDERS}",
            by_k[last] > by_k[first] + MIN_ORDERS,
        )
        .add(
            f"every step positive and below {STEP_CAP} x the average "
            f"{average:.2f}: from {min(steps):.2f} to {max(steps):.2f}",
            min(steps) > 0 and max(steps) < STEP_CAP * average,
        )
    )
