"""Probe the best-MLP recipe on validation, several seeds at once (GPU).

The §4.3 page chooses among ``experiments.BEST_CANDIDATES`` on the
validation split.  Questions the page's own build cannot afford to answer
on two CPU cores, answered here with many seeds on a GPU:

* does the candidates' ranking at 20 epochs match the one at 40 (could the
  screening be cheaper)?  do 60 epochs beat 40?
* learning curve: how much does validation accuracy gain from 40,000 to
  50,000 training images (what would retraining on all 60,000 be worth)?
* batch 512 (fewer, larger steps: faster on a CPU) against 256.
* ``refit``: the recipe retrained on all 60,000 training images (no
  validation images left: its test columns are reported, never used to
  choose).  (The first session's results, best-mlp-cuda-recipe.jsonl,
  ran refits through a stand-in split whose "val" columns repeat the test
  set's.)

Every job is one ``train_best`` call (uncached) in a worker process; the
results are appended to a JSON-lines file as they finish, with a deadline
after which no job starts.  Decisions are taken on the validation columns.

    python benchmarks/best_mlp_probe.py --workers 6 --minutes 5 \
        --out benchmarks/probes/best-mlp-cuda-recipe.jsonl
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import time
from pathlib import Path

SEEDS = (0, 1, 2, 3)


def jobs(which: str = "recipe") -> list[dict]:
    """The probe's runs, most informative first.

    "recipe": dropout, epochs, data and batch size in float32 (first GPU
    session); "bf16": the same recipe with the forward pass in bfloat16
    (1.6x faster on the build's CPU), on validation and refit.
    """
    out = []

    def add(name, **kw):
        out.extend({"name": name, "seed": s, **kw} for s in SEEDS)

    d2 = dict(dropout=0.2, input_dropout=0.1)
    d1 = dict(dropout=0.1, input_dropout=0.0)
    d0 = dict(dropout=0.0, input_dropout=0.0)
    if which == "bf16":
        add("d1-40-bf16", num_epochs=40, mixed_precision=True, **d1)
        add("d2-40-bf16", num_epochs=40, mixed_precision=True, **d2)
        add("d1-40-refit-bf16", num_epochs=40, refit=True,
            mixed_precision=True, **d1)  # fmt: skip
        add("d2-40-refit-bf16", num_epochs=40, refit=True,
            mixed_precision=True, **d2)  # fmt: skip
        return out
    f32 = dict(mixed_precision=False)
    d2, d1, d0 = ({**d, **f32} for d in (d2, d1, d0))
    add("d2-40", num_epochs=40, **d2)
    add("d2-40-sub40k", num_epochs=40, subset=40_000, **d2)
    add("d1-40", num_epochs=40, **d1)
    add("d0-40", num_epochs=40, **d0)
    add("d2-20", num_epochs=20, **d2)
    add("d1-20", num_epochs=20, **d1)
    add("d0-20", num_epochs=20, **d0)
    add("d2-40-b512", num_epochs=40, batch_size=512, lr=3e-3, **d2)
    add("d2-40-refit", num_epochs=40, refit=True, **d2)
    add("d1-40-refit", num_epochs=40, refit=True, **d1)
    add("d2-60", num_epochs=60, **d2)
    add("d1-60", num_epochs=60, **d1)
    return out


def work(args: tuple[dict, float]) -> dict | None:
    job, deadline = args
    if time.time() > deadline:
        return None
    import torch

    from mlp_notes import experiments

    torch.set_num_threads(2)
    kw = {k: v for k, v in job.items() if k != "name"}
    start = time.perf_counter()
    run = experiments.train_best.uncached(**kw)
    h = run.history
    return {
        **job,
        "val": run.val_acc,
        "val_mirror": run.mirror_val_acc,
        "test": run.test_acc,
        "test_mirror": run.mirror_test_acc,
        "seconds": time.perf_counter() - start,
        "epoch_seconds": sum(h.seconds) / len(h.seconds),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--jobs", choices=("recipe", "bf16"), default="recipe")
    p.add_argument("--limit", type=int, default=None, help="first N jobs")
    p.add_argument("--epochs", type=int, default=None, help="override")
    p.add_argument("--subset", type=int, default=None, help="override")
    args = p.parse_args()
    todo = jobs(args.jobs)[: args.limit]
    for j in todo:
        if args.epochs:
            j["num_epochs"] = args.epochs
        if args.subset:
            j["subset"] = args.subset
    deadline = time.time() + 60 * args.minutes
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = 0
    with (
        mp.get_context("spawn").Pool(args.workers) as pool,
        args.out.open("a") as f,
    ):
        for result in pool.imap_unordered(work, [(j, deadline) for j in todo]):
            if result is not None:
                done += 1
                f.write(json.dumps(result) + "\n")
                f.flush()
                print(json.dumps(result), flush=True)
    print(f"{done} of {len(todo)} jobs finished ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
