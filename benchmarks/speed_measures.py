"""What the benchmark measures besides whole epochs: the matmul throughput
(the compute bound), the gather + first-layer floor, FLOP counts, and one
regularized step broken into its parts."""

from __future__ import annotations

import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes.data import Split
from mlp_notes.models import build
from mlp_notes.runs.best import BEST_NET, BEST_RECIPE, standardized
from mlp_notes.training import steps
from mlp_notes.training.loop import minibatches
from mlp_notes.training.recipe import optimizer


def epoch_of(net: nn.Module, split, recipe, seed: int):
    """A function training one epoch of ``net`` by ``recipe``'s step (as
    ``fit`` chooses it), its minibatches drawn from its own generator
    seeded as the book's loop's; ``.step`` is the step."""
    step = steps.choose(net, split, recipe)
    shuffles = torch.Generator().manual_seed(seed + 1)

    def epoch():
        return step.epoch(minibatches(split, recipe, shuffles))

    epoch.step = step
    return epoch


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def matmul_gflops(device: torch.device, n: int = 2048, reps: int = 5) -> float:
    """Measured float32 matmul throughput (GFLOP/s), best of ``reps``."""
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    a @ b
    best = float("inf")
    for _ in range(reps):
        sync(device)
        t = time.perf_counter()
        a @ b
        sync(device)
        best = min(best, time.perf_counter() - t)
    return 2 * n**3 / best / 1e9


def floor_seconds(
    X: torch.Tensor, batch_size: int = 256, num_hiddens: int = 256
) -> float:
    """Seconds for the part of an epoch no step can skip: each minibatch's
    gather and the first layer's two large products (its forward pass and
    its weight gradient, accumulated into a scratch weight).  Together they
    are 98% of an epoch's FLOPs; everything else a step does comes on top.
    """
    X = X.reshape(len(X), -1)
    W = torch.zeros(num_hiddens, X.shape[1], device=X.device)
    G = torch.full((batch_size, num_hiddens), 1e-9, device=X.device)
    buf = X.new_empty((batch_size, X.shape[1]))
    perm = torch.randperm(len(X)).to(X.device)
    sync(X.device)
    t = time.perf_counter()
    for i in range(0, len(X), batch_size):
        idx = perm[i : i + batch_size]
        Xb = torch.index_select(X, 0, idx, out=buf[: len(idx)])
        Xb @ W.T  # (batch_size, num_hiddens)
        W.addmm_(G[: len(idx)].T, Xb)  # (num_hiddens, num_inputs)
    sync(X.device)
    return time.perf_counter() - t


def epoch_gflop(n: int, sizes=(784, 256, 10)) -> float:
    """FLOPs of one epoch: forward 2nP; backward 2x that, minus the input
    gradient of the first layer, which nobody needs."""
    (d, h, q) = sizes
    forward = 2 * n * (d * h + h * q)
    backward = 2 * n * (d * h) + 2 * 2 * n * (h * q)
    return (forward + backward) / 1e9


def regularized_gflop(n: int, sizes: tuple[int, ...]) -> float:
    """FLOPs of one epoch of an MLP with layer ``sizes`` (inputs first)."""
    macs = sum(a * b for a, b in zip(sizes, sizes[1:]))
    first = sizes[0] * sizes[1]  # its input gradient is not needed
    return (2 * n * macs * 3 - 2 * n * first) / 1e9


def regularized_setup(split: Split, epochs: int, seed: int):
    """The best MLP's network and its recipe in float32 for ``epochs``."""
    recipe = BEST_RECIPE.replace(mixed_precision=False, num_epochs=epochs)
    g = torch.Generator().manual_seed(seed)
    net = build(standardized(BEST_NET, split), generator=g).to(split.device)
    return recipe, net


def _median_ms(fn, device: torch.device, reps: int = 20) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(reps):
        sync(device)
        t = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def step_breakdown(split: Split, seed: int) -> dict[str, float]:
    """Where one float32 step of the regularized recipe spends its time
    (median ms of each part timed alone on one minibatch): the whole step;
    its matrix products alone; the dropout masks (ours and nn.Dropout's);
    the optimizer step; the flips.  "other" is the step minus the parts
    (elementwise work: bias, ReLU, loss, autograd's bookkeeping)."""
    device = split.device
    recipe, net = regularized_setup(split, 1, seed)
    opt = optimizer(recipe, net.parameters())
    B = recipe.batch_size
    Xb, yb = split.X_train[:B].clone(), split.y_train[:B]
    ls = recipe.label_smoothing

    def step() -> None:
        m = torch.rand(B, device=device) < 0.5
        Xb[m] = Xb[m].flip(-1)
        loss = F.cross_entropy(net(Xb), yb, label_smoothing=ls)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    linears = [m for m in net if isinstance(m, nn.Linear)]
    acts = [torch.randn(B, lin.in_features, device=device) for lin in linears]
    grads = [
        torch.randn(B, lin.out_features, device=device) for lin in linears
    ]

    def products() -> None:  # forward, weight and input gradients
        for i, (lin, A, G) in enumerate(zip(linears, acts, grads)):
            A @ lin.weight.T
            G.T @ A
            if i:
                G @ lin.weight

    drops = [m for m in net if isinstance(m, nn.Dropout)]
    hidden = [
        torch.randn(B, lin.out_features, device=device) for lin in linears
    ]

    def masks(kind) -> None:
        for layer, H in zip(drops, hidden):
            kind(layer.p).train()(H)

    def flips() -> None:
        m = torch.rand(B, device=device) < 0.5
        Xb[m] = Xb[m].flip(-1)

    out = {
        "step": _median_ms(step, device),
        "matmuls": _median_ms(products, device),
        "dropout masks": _median_ms(lambda: masks(type(drops[0])), device),
        "optimizer": _median_ms(opt.step, device),
        "flips": _median_ms(flips, device),
    }
    out["other"] = out["step"] - sum(v for k, v in out.items() if k != "step")
    out["nn.Dropout masks (for comparison)"] = _median_ms(
        lambda: masks(nn.Dropout), device
    )
    return out
