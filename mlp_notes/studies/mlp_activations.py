"""§4.1's activation functions: derivatives against autograd, overflow,
what autograd returns at a kink, and the tanh-sigmoid identity.

Each function returns a :class:`~mlp_notes.claims.Finding` (the lines
the page prints, the data of its figure, the claims it asserts).
"""

from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F

from mlp_notes import activations as act
from mlp_notes.claims import Claims, Finding
from mlp_notes.gradcheck import elementwise_grad, max_abs_diff

#: pReLU's slope on the negative side in the figure and the checks.
ALPHA = 0.1
#: Name -> (function, analytic derivative), as plotted and checked.
TABLE = {
    "relu": (act.relu, act.relu_grad),
    f"prelu (alpha={ALPHA})": (
        functools.partial(act.prelu, alpha=ALPHA),
        functools.partial(act.prelu_grad, alpha=ALPHA),
    ),
    "sigmoid": (act.sigmoid, act.sigmoid_grad),
    "tanh": (act.tanh, act.tanh_grad),
    "gelu": (act.gelu, act.gelu_grad),
    "swish": (act.swish, act.swish_grad),
}
#: Analytic and autograd derivatives closer than this agree (float64).
ROUNDING = 1e-12


def panels() -> Finding:
    """Each function, its analytic derivative and autograd's derivative
    of our implementation on D2L's grid (160 points from -8 to 7.9)."""
    x = torch.arange(-8.0, 8.0, 0.1, dtype=torch.float64)
    curves = {
        name: (f(x), df(x), elementwise_grad(f, x))
        for name, (f, df) in TABLE.items()
    }
    return Finding(data={"x": x, "panels": curves})


def naive_overflow() -> Finding:
    """The textbook sigmoid and tanh against ours at x = -100 and 100 in
    float32: value and autograd derivative."""
    forms = {
        "naive sigmoid": act.naive_sigmoid,
        "naive tanh": act.naive_tanh,
        "our sigmoid": act.sigmoid,
        "our tanh": act.tanh,
    }
    at = {
        (name, x): act.value_and_grad(f, x)
        for name, f in forms.items()
        for x in (-100.0, 100.0)
    }
    lines = [
        f"{name:13s} x = {x:6.1f}: f(x) = {y:.4g}, f'(x) = {dy:.4g}"
        for (name, x), (y, dy) in at.items()
    ]
    sig_y, sig_dy = at["naive sigmoid", -100.0]
    tanh_y, _ = at["naive tanh", -100.0]
    our_y, _ = at["our sigmoid", -100.0]
    ours = [v for (name, _), yd in at.items() if "our" in name for v in yd]
    claims = (
        Claims()
        .add(
            f"naive sigmoid at -100: {sig_y:g} (1 / inf, the limit; ours "
            f"keeps the true value {our_y:.4g}), derivative {sig_dy} "
            "(0 times inf)",
            sig_y == 0.0 and our_y > 0.0 and math.isnan(sig_dy),
        )
        .add(f"naive tanh at -100: {tanh_y} (inf / inf)", math.isnan(tanh_y))
        .add("ours: every value finite", all(map(math.isfinite, ours)))
    )
    return Finding(lines, claims)


def analytic_vs_autograd() -> Finding:
    """Analytic derivatives against autograd on 10^5 standard-normal
    points (seed 1) and the extremes +-100, in float64; and whether each
    function stays finite there in float32."""
    g = torch.Generator().manual_seed(1)
    pts = torch.randn(100_000, generator=g, dtype=torch.float64)
    pts = torch.cat([pts, torch.tensor([-100.0, 100.0], dtype=pts.dtype)])
    finding = Finding()
    for name, (f, df) in TABLE.items():
        err = max_abs_diff(df(pts), elementwise_grad(f, pts))
        finite = bool(f(pts.float()).isfinite().all())
        finding.lines.append(
            f"{name:18s} max |analytic - autograd| = {err:.1e}  "
            f"finite in float32: {finite}"
        )
        finding.claims.add(
            f"{name}: agree to {err:.1e} (below {ROUNDING:g}), finite",
            err < ROUNDING and finite,
        )
    return finding


def derivative_maxima() -> Finding:
    """The largest sigmoid' and tanh' on a fine grid of [-8, 8]."""
    x = torch.linspace(-8, 8, 100_001, dtype=torch.float64)
    ds, dt = act.sigmoid_grad(x), act.tanh_grad(x)
    s_max, t_max = ds.max().item(), dt.max().item()
    where = x[ds.argmax()].item()
    lines = [
        f"max sigmoid' on [-8, 8] = {s_max:.6f} at x = {where:.4f}",
        f"max tanh'    on [-8, 8] = {t_max:.6f}",
    ]
    claims = Claims().add(
        f"the maxima are 1/4 and 1 to within {ROUNDING:g}",
        abs(s_max - 0.25) < ROUNDING and abs(t_max - 1.0) < ROUNDING,
    )
    return Finding(lines, claims)


def tanh_sigmoid_identity() -> Finding:
    """tanh(x) + 1 = 2 sigmoid(2x): by sympy, and by PyTorch's own
    functions on 400,001 points of [-20, 20] (not our code: circular)."""
    import sympy as sp

    xs = sp.symbols("x", real=True)
    expr = (sp.tanh(xs) + 1 - 2 / (1 + sp.exp(-2 * xs))).rewrite(sp.exp)
    simplified = sp.simplify(expr)
    grid = torch.linspace(-20, 20, 400_001, dtype=torch.float64)
    err = max_abs_diff(torch.tanh(grid) + 1, 2 * torch.sigmoid(2 * grid))
    lines = [
        f"sympy: tanh(x) + 1 - 2 sigmoid(2x) simplifies to {simplified}",
        f"torch, {len(grid)} points in [-20, 20]: max abs error {err:.1e}",
    ]
    bound = 1e-15
    claims = (
        Claims()
        .add("sympy simplifies the difference to 0", simplified == 0)
        .add(f"torch: {err:.1e} below {bound:g}", err < bound)
    )
    return Finding(lines, claims)


def near_miss() -> Finding:
    """2 sigmoid(2.001 x), invisible in a plot, against the identity."""
    grid = torch.linspace(-20, 20, 400_001, dtype=torch.float64)
    tanh1 = torch.tanh(grid) + 1
    miss = max_abs_diff(tanh1, 2 * torch.sigmoid(2.001 * grid))
    exact = max_abs_diff(tanh1, 2 * torch.sigmoid(2 * grid))
    lines = [
        f"2 sigmoid(2.001 x): max error {miss:.1e}  <- invisible in a plot",
        f"2 sigmoid(2 x):     max error {exact:.1e}",
    ]
    ratio = miss / max(exact, 1e-16)
    claims = Claims().add(
        f"the near miss is {ratio:.1e} times the identity's rounding error "
        "(over 1000)",
        ratio > 1e3,
    )
    return Finding(lines, claims)


def prelu_alpha_gradient() -> Finding:
    """Exercise 1: d/d alpha of sum pReLU(x) by autograd against
    sum min(0, x), at 1000 standard-normal points (those that follow the
    10^5 of :func:`analytic_vs_autograd` in its stream, seed 1)."""
    g = torch.Generator().manual_seed(1)
    torch.randn(100_000, generator=g, dtype=torch.float64)  # skipped
    pts = torch.randn(1000, generator=g, dtype=torch.float64)
    alpha = torch.tensor(0.25, dtype=torch.float64, requires_grad=True)
    F.prelu(pts, alpha.reshape(1)).sum().backward()
    auto, expected = alpha.grad.item(), pts.clamp(max=0).sum().item()
    lines = [
        f"d/d alpha of sum pReLU: autograd {auto:.6f}, "
        f"sum of min(0, x) {expected:.6f}"
    ]
    bound = 1e-10
    claims = Claims().add(
        f"they agree to {abs(auto - expected):.1e} (below {bound:g})",
        abs(auto - expected) < bound,
    )
    return Finding(lines, claims)
