"""§4.7 exercises 3 to 5: what training costs beyond prediction, second
derivatives, and smaller batches against splitting the graph.

Timings are the fastest of ``budget.timing_repeats`` calls on one CPU
thread (``footprint``), so other work on the machine distorts them less.
Each function returns a :class:`~mlp_notes.claims.Finding`.
"""

from __future__ import annotations

import torch

from mlp_notes import backprop, footprint
from mlp_notes.claims import Claims, Finding
from mlp_notes.models import mlp
from mlp_notes.studies.backprop import Budget, Problem

#: Exercise 3's models ({hidden layers: widths}) and batch sizes.
DEPTHS = {1: (256,), 3: (256,) * 3, 6: (256,) * 6}
MEMORY_BATCHES = (16, 64, 256, 1024)
#: Exercise 5's batch sizes (784 -> 1024 -> 1024 -> 10).
TIME_BATCHES = (8, 32, 128, 512, 2048)
#: Bands the page asserts (printed with the measurements).
GROWTH_BAND = (1.5, 2.5)  # nodes of the graph of (grad J) . v over J's
COST_BAND = (0.5, 20)  # a Hessian-vector product in gradients
PROPORTIONAL = 1.01  # activation memory per example, largest / smallest


def memory() -> Finding:
    """Exercise 3: bytes kept for backward (training) and the peak of a
    no-grad forward pass (prediction), by depth and batch size."""
    batches = list(MEMORY_BATCHES)
    measured = footprint.memory_by_depth(DEPTHS, batches, seed=2)
    mib = {
        name: [v / 2**20 for v in row]
        for name, row in measured.items()
        if name != "no_grad"
    }
    lines = ["batch  " + "  ".join(f"{b:>10d}" for b in batches)]
    lines += [
        f"{name:22s}" + "  ".join(f"{v:7.2f} MiB" for v in row)
        for name, row in mib.items()
    ]
    claims = footprint.memory_claims(measured, DEPTHS, batches)
    styles = {k: "-o" if k.startswith("train") else "--s" for k in mib}
    data = {"batches": batches, "mib": mib, "styles": styles}
    return Finding(lines, claims, data)


def graph_growth(p: Problem, generator: torch.Generator) -> Finding:
    """Exercise 4: the graph of (grad J) . v, recorded with
    ``create_graph=True``, against the graph of J (v from ``generator``)."""
    sz = p.sizes
    theta = torch.cat([p.W1.flatten(), p.W2.flatten()]).requires_grad_(True)
    f = backprop.flat_objective(p.X, p.y, sz["h"], sz["q"], p.lambd)
    J = f(theta)
    (grad,) = torch.autograd.grad(J, theta, create_graph=True)
    v = torch.randn(len(theta), generator=generator, dtype=theta.dtype)
    size_J, size_Hv = backprop.graph_size(J), backprop.graph_size(grad @ v)
    growth, (lo, hi) = size_Hv / size_J, GROWTH_BAND
    lines = [
        f"nodes in the graph of J:             {size_J}",
        f"nodes in the graph of (grad J) . v:  {size_Hv}",
    ]
    claims = Claims().add(
        f"ratio of node counts {growth:.2f}, between {lo} and {hi}",
        lo < growth < hi,
    )
    return Finding(lines, claims)


def hessian_check() -> Finding:
    """The Hessian of a small model (seed 3: n, d, h, q = 6, 3, 4, 3),
    column by column from Hessian-vector products, against central
    differences of the hand-derived gradients."""
    g = torch.Generator().manual_seed(3)
    n, d, h, q, lambd = 6, 3, 4, 3, 0.3
    kw = dict(generator=g, dtype=torch.float64)
    X, y = torch.randn(n, d, **kw), torch.randint(0, q, (n,), generator=g)
    theta = torch.randn(h * d + q * h, **kw)
    f = backprop.flat_objective(X, y, h, q, lambd)
    grad = backprop.flat_gradients(X, y, h, q, lambd)
    H = backprop.hessian(f, theta)  # one Hessian-vector product per column
    err_fd = (H - backprop.hessian_fd(grad, theta, eps=1e-5)).abs().max()
    err_sym = (H - H.T).abs().max().item()
    lines = [
        f"Hessian {tuple(H.shape)}: max |double backward - finite "
        f"differences| = {err_fd.item():.1e},",
        f"  asymmetry {err_sym:.1e}",
    ]
    claims = Claims().add(
        "the two routes agree to below 1e-7, symmetric to below 1e-12",
        err_fd.item() < 1e-7 and err_sym < 1e-12,
    )
    return Finding(lines, claims)


def hvp_cost(budget: Budget) -> Finding:
    """One Hessian-vector product against one gradient of the chapter's
    model (784 -> 256 -> 10, batch 256, float32; seed 4), timed in turn."""
    g = torch.Generator().manual_seed(4)
    X = torch.rand(256, 784, generator=g)
    y = torch.randint(0, 10, (256,), generator=g)
    f = backprop.flat_objective(X, y, 256, 10, 1e-4)
    theta = torch.randn(256 * 784 + 10 * 256, generator=g) * 0.05
    v = torch.randn(len(theta), generator=g)
    t_grad, t_hvp = footprint.best_seconds_each(  # timed in turn
        lambda: torch.autograd.grad(f(theta.requires_grad_(True)), theta),
        lambda: backprop.hvp(f, theta, v),
        repeats=budget.timing_repeats,
    )
    P, (lo, hi) = len(theta), COST_BAND
    lines = [
        f"one gradient:               {1e3 * t_grad:6.1f} ms",
        f"one Hessian-vector product: {1e3 * t_hvp:6.1f} ms "
        f"({t_hvp / t_grad:.1f}x a gradient)",
        f"the full {P} x {P} Hessian would take {P} such products:",
        f"  about {P * t_hvp / 3600:.1f} hours, and "
        f"{P**2 * 4 / 2**30:.0f} GiB to store",
    ]
    claims = Claims().add(
        f"a Hessian-vector product costs {t_hvp / t_grad:.1f} gradients, "
        f"between {lo} and {hi}",
        lo < t_hvp / t_grad < hi,
    )
    return Finding(lines, claims)


def batch_costs(budget: Budget, generator: torch.Generator) -> Finding:
    """Exercise 5: time per example and activation memory of one training
    step of a 784 -> 1024 -> 1024 -> 10 MLP, by batch size (weights and
    batches from ``generator``)."""
    big = mlp((1024, 1024), init="he", generator=generator)
    ms, mib = {}, {}  # per example; activations kept for backward
    lines = []
    for bs in TIME_BATCHES:
        X = torch.rand(bs, 1, 28, 28, generator=generator)
        y = torch.randint(0, 10, (bs,), generator=generator)
        step = footprint.train_step(big, X, y)
        t = footprint.best_seconds(step, budget.timing_repeats)
        loss = footprint.classification_loss(big, X, y)
        saved = footprint.saved_for_backward(loss, big.parameters())
        ms[bs], mib[bs] = 1e3 * t / bs, saved["activations"] / 2**20
        lines.append(
            f"batch {bs:4d}: {1e3 * t:7.2f} ms per step, {ms[bs]:.4f} ms "
            f"per example, activations {mib[bs]:5.2f} MiB"
        )
    lines.append(
        f"parameters {footprint.parameter_bytes(big) / 2**20:.2f} MiB"
    )
    finding = batch_claims(ms, mib)
    finding.lines[:0] = lines
    return finding


def batch_claims(ms: dict[int, float], mib: dict[int, float]) -> Finding:
    """What exercise 5 asserts of the time (ms) and activation memory (MiB)
    per batch size: the smallest batch costs more time per example than
    the largest, and the memory per example does not depend on the batch
    size (within ``PROPORTIONAL``)."""
    small, large = min(ms), max(ms)
    per_example = [mib[bs] / bs for bs in mib]
    spread = max(per_example) / min(per_example)
    ratio = ms[small] / ms[large]
    lines = [
        f"batch {small} costs {ratio:.1f}x the time per example of "
        f"batch {large}",
        f"activation memory per example, largest / smallest: {spread:.4f}",
    ]
    claims = (
        Claims()
        .add(
            f"batch {small} takes longer per example than batch {large} "
            f"({ratio:.1f}x, above 1)",
            ratio > 1,
        )
        .add(
            f"activation memory is proportional to the batch: per example "
            f"within x{spread:.4f} (below {PROPORTIONAL})",
            spread < PROPORTIONAL,
        )
    )
    log = dict(xlabel="batch size", logx=True, logy=True)
    time = dict(ylabel="ms per example", title="time", **log)
    memory = dict(ylabel="MiB kept for backward", title="memory", **log)
    panels = [  # (curves, labels) per panel
        ({"time per example": list(ms.values())}, time),
        ({"activations": list(mib.values())}, memory),
    ]
    return Finding(lines, claims, {"batches": list(ms), "panels": panels})


def micro_batches(generator: torch.Generator) -> Finding:
    """Gradients of a batch of 200 accumulated over micro-batches of 32
    against the batch in one piece (float64; model and data from
    ``generator``)."""
    small = mlp((64,), init="he", generator=generator).double()
    X = torch.rand(200, 1, 28, 28, generator=generator, dtype=torch.float64)
    y = torch.randint(0, 10, (200,), generator=generator)
    whole = footprint.accumulated_gradients(small, X, y, micro=200)
    parts = footprint.accumulated_gradients(small, X, y, micro=32)
    err = max((a - b).abs().max().item() for a, b in zip(whole, parts))
    lines = [
        "batch 200 in micro-batches of 32 vs in one piece: max difference "
        f"{err:.1e}"
    ]
    claims = Claims().add(f"{err:.1e} below 1e-12", err < 1e-12)
    return Finding(lines, claims)
