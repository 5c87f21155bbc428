"""Our training loop against D2L's, side by side in one process.

The chapter's model (784-256-10, ReLU, N(0, 0.01^2) weights, SGD lr 0.1,
batch 256) is trained on all 60,000 training images by

* D2L's loop: torchvision's FashionMNIST with ``ToTensor`` per image, a
  DataLoader with 4 workers, ``train_epoch_ch3``'s steps (reconstructed
  from d2l/torch.py v0.17.6), and
* ours: ``mlp_notes.training.fit``'s epochs (the in-memory loop with the
  step ``steps.choose`` gives it: the hand-derived backprop step on a
  CPU, a CUDA-graph replay on a GPU), and
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
    python benchmarks/train_speed.py --epochs 2 --results /tmp/x  # a try

The D2L loop lives in ``d2l_loop.py``, the other measures in
``speed_measures.py`` (beside this script).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import time
from pathlib import Path

import torch
import torchvision
from d2l_loop import d2l_evaluate, d2l_iters, d2l_train_epoch, raw_root
from speed_measures import (
    epoch_gflop,
    epoch_of,
    floor_seconds,
    matmul_gflops,
    regularized_gflop,
    regularized_setup,
    step_breakdown,
    sync,
)
from torch import nn

from mlp_notes import data as mdata
from mlp_notes import hardware
from mlp_notes.data import Split
from mlp_notes.models import build
from mlp_notes.runs.best import BEST_NET
from mlp_notes.runs.chapter import CHAPTER_NET, CHAPTER_RECIPE
from mlp_notes.training import accuracy

RESULTS = Path(__file__).parent / "results"


def load(device: torch.device) -> tuple[Split, dict]:
    """All 60,000 training images (test images stand in for validation,
    which the benchmark does not use), and how long loading took: the
    first load (decode and verify) and a later one in this process."""
    t = time.perf_counter()
    ds = mdata.load_fashion_mnist()
    first_load = time.perf_counter() - t
    t = time.perf_counter()
    X, y, X_test, y_test = (v.to(device) for v in mdata.load_fashion_mnist())
    split = Split(X, y, X_test, y_test, X_test, y_test)
    ready = time.perf_counter() - t
    return split, {
        "data_first_load_seconds": first_load,
        "data_ready_seconds": ready,
        "data_source": ds.source,
    }


class Loops:
    """The four loops, each timing its epochs; all start from the same
    weights and draw the same shuffles (a generator seeded alike), so they
    see the same minibatches: an accuracy gap is the pipelines' doing."""

    def __init__(self, split: Split, epochs: int, seed: int, device):
        def model() -> nn.Module:
            init = torch.Generator().manual_seed(seed)
            return build(CHAPTER_NET, generator=init).to(device)

        self.split, self.device = split, device
        self.book_net, self.our_net, self.autograd_net = (
            model() for _ in "abc"
        )
        self.loss = nn.CrossEntropyLoss(reduction="none")
        self.updater = torch.optim.SGD(self.book_net.parameters(), lr=0.1)
        shuffles = torch.Generator().manual_seed(seed + 1)
        self.train_iter, self.test_iter = d2l_iters(
            raw_root(), shuffle_generator=shuffles
        )
        recipe = CHAPTER_RECIPE.replace(num_epochs=epochs)
        self.ours = epoch_of(self.our_net, split, recipe, seed)
        autograd = recipe.replace(step="autograd")
        self.autograd = epoch_of(self.autograd_net, split, autograd, seed)
        reg_recipe, reg_net = regularized_setup(split, epochs, seed)
        self.reg_recipe = reg_recipe.replace(step="autograd")
        self.reg = epoch_of(reg_net, split, self.reg_recipe, seed)
        self.seconds = {k: [] for k in ("book", "ours", "autograd", "reg")}
        self.gflops, self.floor, self.reg_gflops = [], [], []

    def _timed(self, name: str, epoch) -> None:
        sync(self.device)
        t = time.perf_counter()
        epoch()
        sync(self.device)
        self.seconds[name].append(time.perf_counter() - t)

    def book_epoch(self) -> None:
        self._timed(
            "book",
            lambda: d2l_train_epoch(
                self.book_net, self.train_iter, self.loss, self.updater,
                self.device,
            ),
        )  # fmt: skip

    def ours_epoch(self) -> None:
        self.gflops.append(matmul_gflops(self.device))  # the bound, before
        self.floor.append(floor_seconds(self.split.X_train))
        self._timed("ours", self.ours)

    def autograd_epoch(self) -> None:
        self._timed("autograd", self.autograd)

    def regularized_epoch(self) -> None:
        self.reg_gflops.append(matmul_gflops(self.device))
        self._timed("reg", self.reg)

    def run(self, epochs: int) -> None:
        """Interleaved: one epoch of each in turn, the order rotating."""
        loops = [
            self.book_epoch,
            self.ours_epoch,
            self.autograd_epoch,
            self.regularized_epoch,
        ]
        for epoch in range(epochs):
            k = epoch % len(loops)
            for loop in loops[k:] + loops[:k]:
                loop()


def _median_ratio(a, b) -> float:
    """Median of a[i] / b[i] over the timed epochs (the first is warm-up)."""
    return statistics.median(x / y for x, y in zip(a[1:], b[1:], strict=True))


def summarize(loops: Loops, epochs: int, seed: int) -> dict:
    """The result record: seconds, ratios, accuracies, bounds."""
    s, split, n = loops.seconds, loops.split, len(loops.split.X_train)
    flop = epoch_gflop(n)
    reg_flop = regularized_gflop(n, (784, *BEST_NET.hiddens, 10))
    bounds = [flop / g for g in loops.gflops]
    reg_bounds = [reg_flop / g for g in loops.reg_gflops]
    median = {k: statistics.median(v[1:]) for k, v in s.items()}
    info = hardware.machine_info()
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "device": loops.device.type,
        "machine": hardware.machine_label(info),
        "machine_info": info,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
        },
        "epochs": epochs,
        "timed_epochs": epochs - 1,
        "book_seconds_per_epoch": median["book"],
        "ours_seconds_per_epoch": median["ours"],
        "ours_step": loops.ours.step.name,
        "autograd_seconds_per_epoch": median["autograd"],
        # paired: the two epochs of a round ran minutes apart at most
        "ours_over_autograd": _median_ratio(s["ours"], s["autograd"]),
        "speedup": median["book"] / median["ours"],
        "book_test_acc": d2l_evaluate(
            loops.book_net, loops.test_iter, loops.device
        ),
        "ours_test_acc": accuracy(loops.our_net, split.X_test, split.y_test),
        "autograd_test_acc": accuracy(
            loops.autograd_net, split.X_test, split.y_test
        ),
        "interleaved": True,
        "book_seconds": s["book"],
        "ours_seconds": s["ours"],
        "autograd_seconds": s["autograd"],
        "matmul_gflops": statistics.median(loops.gflops[1:]),
        "epoch_gflop": flop,
        "compute_bound_seconds": flop / statistics.median(loops.gflops[1:]),
        "ours_over_bound": _median_ratio(s["ours"], bounds),
        "floor_seconds": loops.floor,
        "floor_seconds_per_epoch": statistics.median(loops.floor[1:]),
        "ours_over_floor": _median_ratio(s["ours"], loops.floor),
        "regularized": {
            "recipe": f"§4.3 MLP, float32: {BEST_NET}, {loops.reg_recipe}",
            "seconds": s["reg"],
            "seconds_per_epoch": median["reg"],
            "epoch_gflop": reg_flop,
            "matmul_gflops": statistics.median(loops.reg_gflops[1:]),
            "over_bound": _median_ratio(s["reg"], reg_bounds),
            "step_breakdown_ms": step_breakdown(split, seed),
        },
    }


#: What each run's line in <device>-runs.jsonl keeps.
SUMMARY = (
    "date", "machine", "machine_info", "ours_step", "book_seconds_per_epoch",
    "ours_seconds_per_epoch", "autograd_seconds_per_epoch",
    "ours_over_autograd", "speedup", "ours_over_bound", "ours_over_floor",
    "book_test_acc", "ours_test_acc", "autograd_test_acc",
)  # fmt: skip


def log_run(result: dict, results: Path) -> None:
    """Append the run's summary, with the commit ("-dirty" where the code
    differs from it; results do not count), to <device>-runs.jsonl: the
    spread between runs is on record, and the latest result cannot be a
    chosen one."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.strip()

    code = ["mlp_notes", "benchmarks", ":!benchmarks/results"]
    dirty = git("status", "--porcelain", "-uno", "--", *code)
    commit = git("rev-parse", "--short", "HEAD") + ("-dirty" if dirty else "")
    summary = {k: result[k] for k in SUMMARY}
    summary["regularized_over_bound"] = result["regularized"]["over_bound"]
    with open(results / f"{result['device']}-runs.jsonl", "a") as log:
        log.write(json.dumps({**summary, "commit": commit}) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--device", default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--results", type=Path, default=RESULTS)
    args = p.parse_args()
    device = torch.device(
        args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    )
    split, loading = load(device)
    loops = Loops(split, args.epochs, args.seed, device)
    loops.run(args.epochs)
    result = summarize(loops, args.epochs, args.seed) | loading
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"{device.type}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    log_run(result, args.results)
    print(json.dumps(result, indent=2))
    print(
        f"\nspeed-up {result['speedup']:.1f}x per epoch; test accuracy "
        f"book {result['book_test_acc']:.4f} vs ours "
        f"{result['ours_test_acc']:.4f} after {args.epochs} epochs; our epoch "
        f"is {result['ours_over_bound']:.2f}x the compute bound and "
        f"{result['ours_over_floor']:.2f}x the gather + first-layer floor; "
        f"the regularized epoch is "
        f"{result['regularized']['over_bound']:.2f}x its bound; wrote {out}"
    )


if __name__ == "__main__":
    main()
