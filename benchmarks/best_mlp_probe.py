"""Probe the best-MLP recipe on validation, several seeds at once (GPU).

The §4.3 recipe (``runs.best``) was chosen on the validation split.  Its
fixed parts (architecture, epochs, the
refit on all training images, the precision) are settled here, with many
seeds on a GPU, on validation accuracy only: a job writes its validation
columns and nothing from the test set (a refit job, which has no
validation images, writes only its timing).

Job sets:

* "budget" (third GPU session): what a 2-core CPU can afford.  Width and
  depth (3x1024, 2x1024, 3x512) against epochs (10 to 40); whether a
  10-epoch screening ranks the dropout candidates as longer runs do;
  bfloat16 against float32 (a hardware choice: do they agree on
  validation within the seed spread?); and the learning curve, 40,000
  against 50,000 training images scored on the same validation images
  (what refitting on all 60,000 is worth).
* "recipe", "bf16": the first two GPU sessions' jobs
  (best-mlp-cuda-recipe.jsonl, best-mlp-cuda-bf16.jsonl).  Those files
  also hold test columns, which this script no longer writes; the
  decisions on §4.3 read only this file's validation columns.

Every job is one ``train_best`` call (uncached) in a worker process (the
jobs name the recipe's fields they change; before the Spec/Recipe
refactor they were keyword arguments of the same names); the
results are appended to a JSON-lines file as they finish, with a deadline
after which no job starts.

    python benchmarks/best_mlp_probe.py --jobs budget --workers 12 \
        --minutes 4 --out benchmarks/probes/best-mlp-cuda-budget.jsonl
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

    "budget": architecture x epochs, screening, precision and learning
    curve (see the module docstring); "recipe": dropout, epochs, data and
    batch size in float32 (first GPU session); "bf16": the same recipe
    with the forward pass in bfloat16, on validation and refit.
    """
    out = []

    def add(name, seeds=SEEDS, **kw):
        out.extend({"name": name, "seed": s, **kw} for s in seeds)

    d2 = dict(dropout=0.2, input_dropout=0.1)
    d1 = dict(dropout=0.1, input_dropout=0.0)
    d0 = dict(dropout=0.0, input_dropout=0.0)
    if which == "budget":
        f32 = dict(mixed_precision=False)
        arch = {"a3": (1024,) * 3, "a2": (1024,) * 2, "s3": (512,) * 3}

        def run(a, e, d="d1", seeds=SEEDS, **kw):
            cfg = {"d0": d0, "d1": d1, "d2": d2}[d]
            kw = {**f32, **kw}
            tag = "-bf16" if kw["mixed_precision"] else ""
            tag += f"-sub{kw['subset'] // 1000}k" if "subset" in kw else ""
            add(f"{a}-{d}-e{e}{tag}", seeds, hiddens=arch[a], num_epochs=e,
                **cfg, **kw)  # fmt: skip

        for a in ("a3", "a2", "s3"):  # most informative first
            run(a, 20)
        for a in ("a3", "a2"):
            run(a, 20, mixed_precision=True)
            run(a, 20, subset=40_000)
            for d in ("d0", "d1", "d2"):
                run(a, 10, d)
        for e in (30, 40):  # longer budgets, three seeds
            for a in ("a3", "a2"):
                run(a, e, seeds=SEEDS[:3])
        return out
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

    from mlp_notes.runs.best import BEST_NET, BEST_RECIPE, train_best

    torch.set_num_threads(1)
    kw = {k: v for k, v in job.items() if k != "name"}
    net_fields = ("hiddens", "dropout", "input_dropout")
    net = BEST_NET.replace(**{k: kw.pop(k) for k in net_fields if k in kw})
    if "hiddens" in job:
        net = net.replace(hiddens=tuple(job["hiddens"]))
    recipe_fields = ("num_epochs", "mixed_precision", "batch_size", "lr")
    recipe = BEST_RECIPE.replace(
        **{k: kw.pop(k) for k in recipe_fields if k in kw}
    )
    start = time.perf_counter()
    run = train_best.uncached(net=net, recipe=recipe, **kw)
    h = run.history
    # validation columns only: nothing a decision reads comes from the
    # test set (the Run computes test accuracies; they are not written)
    return {
        **job,
        "val": run.val_acc,
        "val_mirror": run.mirror_val_acc,
        "precision": h.precision,
        "seconds": time.perf_counter() - start,
        "epoch_seconds": sum(h.seconds) / len(h.seconds),
        "device": torch.cuda.get_device_name()
        if torch.cuda.is_available()
        else "cpu",
        "torch": torch.__version__,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--minutes", type=float, default=5.0)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--jobs", choices=("budget", "recipe", "bf16"), default="budget"
    )
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
