"""What training costs beyond prediction: memory kept for backward, time.

Memory is measured device-agnostically by counting bytes: autograd's
``saved_tensors_hooks`` see every tensor the forward pass stores for the
backward pass, and forward hooks see what a prediction holds at once.
Tensors that share storage (a view, or one activation saved by two
operations) are counted once.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
from collections.abc import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn

from mlp_notes.claims import Claims
from mlp_notes.models import mlp


def _storage(t: torch.Tensor) -> tuple[int, int]:
    s = t.untyped_storage()
    return s.data_ptr(), s.nbytes()


# --8<-- [start:saved_for_backward]
def saved_for_backward(
    loss_fn: Callable[[], torch.Tensor], params: Iterable[torch.Tensor]
) -> dict[str, int]:
    """Bytes that autograd keeps from ``loss_fn()``'s forward pass.

    Args:
        loss_fn: runs a forward pass and returns the loss.
        params: the model's parameters (kept anyway; reported apart).

    Returns:
        ``{"activations": bytes, "parameters": bytes, "tensors": count}``;
        "activations" is everything saved that is not a parameter (the
        input batch, hidden activations, softmax outputs, labels).
    """
    param_ptrs = {_storage(p)[0] for p in params}
    saved: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        ptr, nbytes = _storage(t)
        saved[ptr] = nbytes
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss_fn()
    acts = sum(b for p, b in saved.items() if p not in param_ptrs)
    pars = sum(b for p, b in saved.items() if p in param_ptrs)
    return {"activations": acts, "parameters": pars, "tensors": len(saved)}


# --8<-- [end:saved_for_backward]


# --8<-- [start:prediction_peak]
@torch.no_grad()
def prediction_peak(net: nn.Sequential, X: torch.Tensor) -> int:
    """Largest bytes of activations alive at once in a no-grad forward.

    Without autograd a layer's input can be freed once its output exists,
    so at most one input and one output are alive together.

    Args:
        net: a Sequential of layers.  X: a batch.
    """
    peak, h = 0, X
    for layer in net:
        out = layer(h)
        live = {_storage(h)[0]: _storage(h)[1]}
        live[_storage(out)[0]] = _storage(out)[1]  # a view adds nothing
        peak = max(peak, sum(live.values()))
        h = out
    return peak


# --8<-- [end:prediction_peak]


def parameter_bytes(net: nn.Module) -> int:
    """Bytes of the parameters (gradients take as much again)."""
    return sum(p.numel() * p.element_size() for p in net.parameters())


def classification_loss(
    net: nn.Module, X: torch.Tensor, y: torch.Tensor
) -> Callable[[], torch.Tensor]:
    """A closure computing the mean cross-entropy of ``net`` on (X, y)."""
    return lambda: F.cross_entropy(net(X), y)


def median_seconds(fn: Callable[[], object], repeats: int = 5) -> float:
    """Median wall-clock seconds of ``fn()`` after one warm-up call."""
    return statistics.median(wall_times(fn, repeats))


def best_seconds(fn: Callable[[], object], repeats: int = 5) -> float:
    """Fastest of ``repeats`` timed calls (least disturbed by other load)."""
    return min(wall_times(fn, repeats))


def best_seconds_each(
    *fns: Callable[[], object], repeats: int = 5, threads: int | None = 1
) -> list[float]:
    """Fastest of ``repeats`` timed calls of each of ``fns``, in turn.

    The calls alternate (f, g, f, g, ...) after one warm-up call each, so
    a burst of other load on a shared machine slows every function alike
    and the ratios hold better than with back-to-back timings.
    """
    with _threads(threads):
        for f in fns:
            f()
        best = [math.inf] * len(fns)
        for _ in range(repeats):
            for i, f in enumerate(fns):
                best[i] = min(best[i], _seconds(f))
    return best


def wall_times(
    fn: Callable[[], object], repeats: int, threads: int | None = 1
) -> list[float]:
    """Seconds of each of ``repeats`` calls of ``fn()``, after a warm-up.

    Args:
        threads: CPU threads while timing (restored afterwards).  One
            thread keeps ratios stable on a machine shared with other
            work; None leaves torch's setting alone.
    """
    with _threads(threads):
        fn()
        return [_seconds(fn) for _ in range(repeats)]


@contextlib.contextmanager
def _threads(n: int | None):
    """torch's CPU threads set to ``n`` (None: unchanged), then restored."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _seconds(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call, with the GPU (if any) synchronized."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def train_step(
    net: nn.Module, X: torch.Tensor, y: torch.Tensor, lr: float = 0.0
) -> Callable[[], None]:
    """A closure doing forward, backward and an SGD step (lr 0: no change)."""

    def step() -> None:
        net.zero_grad(set_to_none=True)
        F.cross_entropy(net(X), y).backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= lr * p.grad

    return step


# --8<-- [start:accumulate]
def accumulated_gradients(
    net: nn.Module, X: torch.Tensor, y: torch.Tensor, micro: int
) -> list[torch.Tensor]:
    """Gradient of the mean loss over (X, y), in micro-batches of ``micro``.

    Each micro-batch's backward frees its activations before the next
    forward, so memory scales with ``micro``, not ``len(X)``; weighting
    each micro-batch mean by its share gives the full-batch gradient.

    Returns:
        One gradient per parameter, in ``net.parameters()`` order.
    """
    net.zero_grad(set_to_none=True)
    for i in range(0, len(X), micro):
        Xm, ym = X[i : i + micro], y[i : i + micro]
        share = len(Xm) / len(X)
        (F.cross_entropy(net(Xm), ym) * share).backward()  # adds to .grad
    return [p.grad.clone() for p in net.parameters()]


# --8<-- [end:accumulate]


# --8<-- [start:memory_by_depth]
def activation_count(batch: int, hiddens: tuple[int, ...]) -> int:
    """Bytes training must keep: 4n(784 + h_1 + ... + h_k + 10) + 8n."""
    return 4 * batch * (784 + sum(hiddens) + 10) + 8 * batch


def memory_by_depth(
    depths: dict[int, tuple[int, ...]], batch_sizes: list[int], seed: int = 2
) -> dict[str, list[int]]:
    """Bytes kept for backward (training) and peak bytes (prediction).

    One ``models.mlp`` per entry of ``depths`` ({k: hidden widths}), a
    random batch of each size; rows "training, k hidden" and
    "prediction, k hidden", one value per batch size; and "no_grad", the
    tensors saved when the same loss runs under ``torch.no_grad()``.
    """
    g = torch.Generator().manual_seed(seed)
    memory = {f"training, {k} hidden": [] for k in depths}
    memory |= {f"prediction, {k} hidden": [] for k in depths}
    memory["no_grad"] = []
    for k, hiddens in depths.items():
        model = mlp(hiddens, generator=g)
        for bs in batch_sizes:
            Xb = torch.rand(bs, 1, 28, 28, generator=g)
            yb = torch.randint(0, 10, (bs,), generator=g)
            loss = classification_loss(model, Xb, yb)
            saved = saved_for_backward(loss, model.parameters())
            memory[f"training, {k} hidden"].append(saved["activations"])
            peak = prediction_peak(model, Xb)
            memory[f"prediction, {k} hidden"].append(peak)
            with torch.no_grad():
                none = saved_for_backward(loss, [])["tensors"]
            memory["no_grad"].append(none)
    return memory


# --8<-- [end:memory_by_depth]


def memory_claims(
    memory: dict[str, list[int]],
    depths: dict[int, tuple[int, ...]],
    batch_sizes: list[int],
    bookkeeping: int = 64,
) -> Claims:
    """§4.7's claims about ``memory_by_depth``, thresholds included."""
    train = {k: memory[f"training, {k} hidden"] for k in depths}
    pred = {k: memory[f"prediction, {k} hidden"] for k in depths}
    over = [
        v - activation_count(bs, hiddens)
        for k, hiddens in depths.items()
        for bs, v in zip(batch_sizes, train[k])
    ]
    first = [4 * bs * (784 + depths[1][0]) for bs in batch_sizes]
    ratio = {k: train[k][-1] / pred[k][-1] for k in depths}
    deepest = max(depths)
    # its own generator: the global random state is left alone
    model = mlp(depths[deepest], generator=torch.Generator().manual_seed(0))
    params = parameter_bytes(model)
    return (
        Claims()
        .add(
            f"under torch.no_grad() nothing is saved "
            f"({max(memory['no_grad'])} tensors)",
            max(memory["no_grad"]) == 0,
        )
        .add(
            f"measured bytes over the count by {min(over)} to {max(over)}, "
            f"within [0, {bookkeeping}]",
            0 <= min(over) and max(over) <= bookkeeping,
        )
        .add(
            "training grows with depth at every batch size; the prediction "
            "peak is the first layer's input + output, 4n(784 + 256), at "
            "every depth",
            all(
                [train[k][i] for k in depths]
                == sorted({train[k][i] for k in depths})
                for i in range(len(batch_sizes))
            )
            and all(pred[k] == first for k in depths),
        )
        .add(
            f"training / prediction at batch {batch_sizes[-1]}: "
            + ", ".join(f"{r:.2f} ({k} hidden)" for k, r in ratio.items())
            + f"; below 1.1 at 1 hidden layer, above 2 at {deepest}",
            ratio[1] < 1.1 and ratio[deepest] > 2,
        )
        .add(
            f"at {deepest} hidden layers and batch {batch_sizes[-1]}, "
            f"training keeps {train[deepest][-1] / 2**20:.2f} MiB, more than "
            f"the parameters' {params / 2**20:.2f} MiB",
            train[deepest][-1] > params,
        )
    )
