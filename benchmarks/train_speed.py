"""Our training loop against D2L's, side by side in one process.

The chapter's model (784-256-10, ReLU, N(0, 0.01^2) weights, SGD lr 0.1,
batch 256) is trained on all 60,000 training images by

* D2L's loop: torchvision's FashionMNIST with ``ToTensor`` per image, a
  DataLoader with 4 workers, ``train_epoch_ch3``'s steps (reconstructed
  from d2l/torch.py v0.17.6), and
* ours: ``mlp_notes.training.fit``'s epochs (``epoch_runner``: the
  in-memory loop with its default step: the hand-derived backprop step
  on a CPU, a CUDA-graph replay on a GPU), and
* ours with autograd: the same in-memory loop with autograd's step and
  torch's SGD (``step="autograd"``), to show what the step itself adds.

A fourth loop times the regularized path, the §4.3 best MLP's recipe
(``runs.best.BEST_NET``, ``BEST_RECIPE``: two hidden layers of 1024 with
dropout, AdamW, one-cycle, label smoothing, flips), in float32 (the
precision a CPU without bfloat16 units trains it in), interleaved with the
others: its
epoch against its own compute bound, and where one of its steps spends
its time (matrix products, dropout masks, the optimizer step, flips, the
rest).

Each trains for ``--epochs`` epochs, interleaved (one epoch of each in
turn, the order rotating), so all see the same machine: on a shared
machine speed drifts within minutes.  The first epoch of each is a
warm-up; we report the median seconds of the others, the ratio, both test
accuracies after the same number of epochs, the matmul throughput
(measured before each of our epochs), how far our epoch is from the
compute bound (epoch FLOPs / FLOP/s; the median of the per-epoch ratios),
and from a floor measured just as often: the minibatch gathers and the
first layer's two large products alone.
Results go to benchmarks/results/<device>.json, which the site renders;
a summary of every run is appended to <device>-runs.jsonl (the page shows
the spread).

    python benchmarks/train_speed.py            # CPU (or CUDA if present)
    python benchmarks/train_speed.py --device cuda
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torch.utils import data as tud
from torchvision import transforms

from mlp_notes import data as mdata
from mlp_notes import hardware
from mlp_notes.data import Split
from mlp_notes.data.fashion_mnist import find_file
from mlp_notes.models import build
from mlp_notes.runs.best import BEST_NET, BEST_RECIPE, standardized
from mlp_notes.runs.chapter import CHAPTER_NET, CHAPTER_RECIPE
from mlp_notes.training import accuracy, steps
from mlp_notes.training.loop import minibatches
from mlp_notes.training.recipe import optimizer

RESULTS = Path(__file__).parent / "results"


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


# --- D2L's loop (d2l/torch.py v0.17.6, train_ch3 / train_epoch_ch3) ------
class Shuffle(tud.Sampler):
    """``shuffle=True``'s sampler, one ``randperm`` per epoch exactly as
    ``train_epoch`` draws it (RandomSampler draws a spare one per epoch)."""

    def __init__(self, n: int, generator: torch.Generator | None) -> None:
        self.n, self.generator = n, generator

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(torch.randperm(self.n, generator=self.generator).tolist())


def d2l_iters(
    root: str,
    batch_size: int = 256,
    workers: int = 4,
    shuffle_generator: torch.Generator | None = None,
):
    """D2L's ``load_data_fashion_mnist``; ``shuffle_generator`` seeds the
    sampler (``shuffle=True`` with a generator of our choosing), so both
    loops can see the same minibatches in the same order."""
    trans = transforms.Compose([transforms.ToTensor()])
    train = torchvision.datasets.FashionMNIST(
        root=root, train=True, transform=trans, download=True
    )
    test = torchvision.datasets.FashionMNIST(
        root=root, train=False, transform=trans, download=True
    )
    sampler = Shuffle(len(train), shuffle_generator)
    return (
        tud.DataLoader(
            train, batch_size, sampler=sampler, num_workers=workers
        ),
        tud.DataLoader(test, batch_size, shuffle=False, num_workers=workers),
    )


def d2l_train_epoch(net, train_iter, loss, updater, device) -> None:
    net.train()
    metric = [0.0, 0.0, 0.0]
    for X, y in train_iter:
        X, y = X.to(device), y.to(device)
        y_hat = net(X)
        ls = loss(y_hat, y)
        updater.zero_grad()
        ls.mean().backward()
        updater.step()
        metric[0] += float(ls.sum())
        metric[1] += float((y_hat.argmax(axis=1) == y).sum())
        metric[2] += y.numel()


def d2l_evaluate(net, data_iter, device) -> float:
    net.eval()
    right = total = 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            right += float((net(X).argmax(axis=1) == y).sum())
            total += y.numel()
    return right / total


def raw_root() -> str:
    """A torchvision root with the verified files decompressed."""
    root = Path(tempfile.mkdtemp(prefix="fmnist-"))
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    source = mdata.load_fashion_mnist().source
    for name in mdata.MD5:
        path = find_file(Path(source), name)
        body = path.read_bytes()
        (raw / name).write_bytes(
            gzip.decompress(body) if path.suffix == ".gz" else body
        )
    return str(root)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--device", default=None)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    device = torch.device(
        args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    )
    E = args.epochs

    # data: first load (decode + verify) and a later one in this process
    t = time.perf_counter()
    ds = mdata.load_fashion_mnist()
    first_load = time.perf_counter() - t
    t = time.perf_counter()
    X, y, X_test, y_test = mdata.load_fashion_mnist()
    split = Split(
        X.to(device),
        y.to(device),
        X_test.to(device),
        y_test.to(device),
        X_test.to(device),
        y_test.to(device),
    )
    ready = time.perf_counter() - t

    # Both loops start from the same weights and draw the same shuffles
    # (torch.randperm(60000) from a generator seeded alike), so they see
    # the same minibatches: any accuracy gap is the pipelines' doing.
    def model() -> nn.Module:
        init = torch.Generator().manual_seed(args.seed)
        return build(CHAPTER_NET, generator=init).to(device)

    def shuffles() -> torch.Generator:
        return torch.Generator().manual_seed(args.seed + 1)

    book_net, our_net, autograd_net = model(), model(), model()
    loss = nn.CrossEntropyLoss(reduction="none")
    updater = torch.optim.SGD(book_net.parameters(), lr=0.1)
    train_iter, test_iter = d2l_iters(raw_root(), shuffle_generator=shuffles())
    recipe = CHAPTER_RECIPE.replace(num_epochs=E)
    our_epoch = epoch_of(our_net, split, recipe, args.seed)
    our_step = our_epoch.step.name
    autograd = recipe.replace(step="autograd")
    autograd_epoch = epoch_of(autograd_net, split, autograd, args.seed)
    reg_recipe, reg_net = regularized_setup(split, E, args.seed)
    reg_recipe = reg_recipe.replace(step="autograd")
    reg_epoch = epoch_of(reg_net, split, reg_recipe, args.seed)
    reg_sizes = (784, *BEST_NET.hiddens, 10)
    book, ours, autograd, gflops, floor = [], [], [], [], []
    reg, reg_gflops = [], []

    def book_epoch() -> None:
        sync(device)
        t = time.perf_counter()
        d2l_train_epoch(book_net, train_iter, loss, updater, device)
        sync(device)
        book.append(time.perf_counter() - t)

    def ours_epoch() -> None:
        gflops.append(matmul_gflops(device))  # the bound, just before
        floor.append(floor_seconds(split.X_train))
        sync(device)
        t = time.perf_counter()
        our_epoch()
        sync(device)
        ours.append(time.perf_counter() - t)

    def ours_autograd_epoch() -> None:
        sync(device)
        t = time.perf_counter()
        autograd_epoch()
        sync(device)
        autograd.append(time.perf_counter() - t)

    def regularized_epoch() -> None:
        reg_gflops.append(matmul_gflops(device))
        sync(device)
        t = time.perf_counter()
        reg_epoch()
        sync(device)
        reg.append(time.perf_counter() - t)

    loops = [book_epoch, ours_epoch, ours_autograd_epoch, regularized_epoch]
    for epoch in range(E):  # the order rotates: each goes first in turn
        k = epoch % len(loops)
        for run in loops[k:] + loops[:k]:
            run()
    breakdown = step_breakdown(split, args.seed)
    reg_flop = regularized_gflop(len(X), reg_sizes)
    book_acc = d2l_evaluate(book_net, test_iter, device)
    our_acc = accuracy(our_net, split.X_test, split.y_test)
    autograd_acc = accuracy(autograd_net, split.X_test, split.y_test)

    book_med = statistics.median(book[1:])
    our_med = statistics.median(ours[1:])
    flop = epoch_gflop(len(X))
    over_bound = statistics.median(
        t / (flop / g) for t, g in zip(ours[1:], gflops[1:], strict=True)
    )
    bound = flop / statistics.median(gflops[1:])
    info = hardware.machine_info()
    result = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "device": device.type,
        "machine": hardware.machine_label(info),
        "machine_info": info,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
        },
        "epochs": E,
        "timed_epochs": E - 1,
        "book_seconds_per_epoch": book_med,
        "ours_seconds_per_epoch": our_med,
        "ours_step": our_step,
        "autograd_seconds_per_epoch": statistics.median(autograd[1:]),
        # paired: the two epochs of a round ran minutes apart at most
        "ours_over_autograd": statistics.median(
            t / a for t, a in zip(ours[1:], autograd[1:], strict=True)
        ),
        "speedup": book_med / our_med,
        "book_test_acc": book_acc,
        "ours_test_acc": our_acc,
        "autograd_test_acc": autograd_acc,
        "interleaved": True,
        "book_seconds": book,
        "ours_seconds": ours,
        "autograd_seconds": autograd,
        "matmul_gflops": statistics.median(gflops[1:]),
        "epoch_gflop": flop,
        "compute_bound_seconds": bound,
        "ours_over_bound": over_bound,
        "floor_seconds": floor,
        "floor_seconds_per_epoch": statistics.median(floor[1:]),
        "ours_over_floor": statistics.median(
            t / f for t, f in zip(ours[1:], floor[1:], strict=True)
        ),
        "regularized": {
            "recipe": "§4.3 best MLP, float32: " + f"{BEST_NET}, {reg_recipe}",
            "seconds": reg,
            "seconds_per_epoch": statistics.median(reg[1:]),
            "epoch_gflop": reg_flop,
            "matmul_gflops": statistics.median(reg_gflops[1:]),
            "over_bound": statistics.median(
                t / (reg_flop / g)
                for t, g in zip(reg[1:], reg_gflops[1:], strict=True)
            ),
            "step_breakdown_ms": breakdown,
        },
        "data_first_load_seconds": first_load,
        "data_ready_seconds": ready,
        "data_source": ds.source,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{device.type}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")

    # Every run is also logged, so the spread between runs is on record
    # and the latest result cannot be a chosen one.
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            cwd=RESULTS.resolve().parents[1],
        ).stdout.strip()

    # "-dirty": the code differs from the commit (results do not count)
    code = ["mlp_notes", "benchmarks", ":!benchmarks/results"]
    dirty = git("status", "--porcelain", "-uno", "--", *code)
    commit = git("rev-parse", "--short", "HEAD") + ("-dirty" if dirty else "")
    summary = {
        k: result[k]
        for k in (
            "date",
            "machine",
            "machine_info",
            "ours_step",
            "book_seconds_per_epoch",
            "ours_seconds_per_epoch",
            "autograd_seconds_per_epoch",
            "ours_over_autograd",
            "speedup",
            "ours_over_bound",
            "ours_over_floor",
            "book_test_acc",
            "ours_test_acc",
            "autograd_test_acc",
        )
    }
    summary["regularized_over_bound"] = result["regularized"]["over_bound"]
    with open(RESULTS / f"{device.type}-runs.jsonl", "a") as log:
        log.write(json.dumps({**summary, "commit": commit}) + "\n")
    print(json.dumps(result, indent=2))
    print(
        f"\nspeed-up {result['speedup']:.1f}x per epoch; test accuracy "
        f"book {book_acc:.4f} vs ours {our_acc:.4f} after {E} epochs; "
        f"our epoch is {result['ours_over_bound']:.2f}x the compute bound "
        f"({bound:.2f} s at {result['matmul_gflops']:.0f} GFLOP/s) and "
        f"{result['ours_over_floor']:.2f}x the gather + first-layer floor; "
        f"the regularized epoch is "
        f"{result['regularized']['over_bound']:.2f}x its bound; wrote {out}"
    )


if __name__ == "__main__":
    main()
