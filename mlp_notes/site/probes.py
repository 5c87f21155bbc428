"""The GPU probes that fixed the §4.3 recipe, read on validation only.

``benchmarks/best_mlp_probe.py`` trained the best MLP's recipe with many
seeds on a GPU (a build on two CPU cores cannot afford that) and logged
each run to ``benchmarks/probes/best-mlp-cuda-*.jsonl``.  The first two
probe files also hold test-set columns, and refit rows whose "val"
columns repeat the test accuracies; this reader drops both, so every
decision the §4.3 page prints is read off validation accuracy alone.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlp_notes import stats

PROBES = Path(__file__).resolve().parents[2] / "benchmarks" / "probes"
#: The only columns a decision may read.
VALIDATION_COLUMNS = ("name", "seed", "val", "val_mirror")


# --8<-- [start:read]
def validation_runs(directory: Path = PROBES) -> dict[str, list[dict]]:
    """Probe runs by "<probe>:<job>" (e.g. "budget:a2-d1-e30", from
    best-mlp-cuda-budget.jsonl): validation columns only, no refit rows.
    """
    runs: dict[str, list[dict]] = {}
    for path in sorted(directory.glob("best-mlp-cuda-*.jsonl")):
        probe = path.stem.removeprefix("best-mlp-cuda-")
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if row.get("refit") or row.get("val") is None:
                continue  # no validation images (or a stand-in split)
            row = {k: row[k] for k in VALIDATION_COLUMNS}
            runs.setdefault(f"{probe}:{row['name']}", []).append(row)
    return runs


def score(runs: list[dict]) -> list[float]:
    """Each run's validation accuracy, the better of plain and mirrored
    predictions (the build chooses between the two on validation too)."""
    return [max(r["val"], r["val_mirror"]) for r in runs]


# --8<-- [end:read]


def summary(runs: dict[str, list[dict]], name: str) -> str:
    """ "0.9047 ± 0.0013 (4 seeds)" for one job."""
    values = score(runs[name])
    return f"{stats.fmt_spread(*stats.spread(values))} ({len(values)} seeds)"


def paired_by_seed(
    runs: dict[str, list[dict]], a: str, b: str
) -> stats.Difference:
    """Job ``a`` minus job ``b``, seed by seed (seeds both ran)."""
    va = {r["seed"]: s for r, s in zip(runs[a], score(runs[a]))}
    vb = {r["seed"]: s for r, s in zip(runs[b], score(runs[b]))}
    seeds = sorted(va.keys() & vb.keys())
    return stats.paired([va[s] for s in seeds], [vb[s] for s in seeds])


def best(runs: dict[str, list[dict]], names: list[str]) -> str:
    """The job with the highest mean validation score."""
    return max(names, key=lambda n: stats.spread(score(runs[n]))[0])


#: The networks of the "budget" probe and their hidden widths.
NETWORKS = {"a3": (1024, 1024, 1024), "a2": (1024, 1024), "s3": (512,) * 3}


def macs(hiddens: tuple[int, ...]) -> int:
    """Multiply-adds of one forward pass (784 inputs, 10 classes)."""
    sizes = (784, *hiddens, 10)
    return sum(a * b for a, b in zip(sizes, sizes[1:]))


def epochs_choice(runs: dict[str, list[dict]], net: str) -> int:
    """The epoch count of the best mean validation score for ``net``."""
    names = [n for n in runs if n.startswith(f"budget:{net}-d1-e")]
    names = [n for n in names if n.split("-e")[-1].isdigit()]
    return int(best(runs, names).split("-e")[-1])


def decision_lines(runs: dict[str, list[dict]]) -> list[str]:
    """The recipe's decisions and their validation evidence, as lines."""
    b = "budget:"
    out = ["network, 20 epochs (budget probe):"]
    for net, hiddens in NETWORKS.items():
        out.append(
            f"  {'x'.join(map(str, hiddens)):14s} "
            f"{summary(runs, f'{b}{net}-d1-e20')}, "
            f"{macs(hiddens) / 1e6:.2f} M multiply-adds per image"
        )
    for net in ("a2", "a3"):
        out.append(f"epochs, {'x'.join(map(str, NETWORKS[net]))}:")
        for e in (10, 20, 30, 40):
            out.append(f"  {e:2d} epochs {summary(runs, f'{b}{net}-d1-e{e}')}")
    out.append("dropout after each hidden layer / on the pixels, 3x1024:")
    for e, probe in ((10, "budget:a3-"), (20, "recipe:"), (40, "recipe:")):
        tag = "e" if probe.startswith("budget") else ""
        row = [
            f"{label} {summary(runs, f'{probe}{d}-{tag}{e}')}"
            for d, label in (("d0", "0/0"), ("d1", "0.1/0"), ("d2", "0.2/0.1"))
        ]
        out.append(f"  {e:2d} epochs: " + "; ".join(row))
    for net in ("a2", "a3"):
        more = paired_by_seed(
            runs, f"{b}{net}-d1-e20", f"{b}{net}-d1-e20-sub40k"
        )
        out.append(
            f"50,000 - 40,000 training images ({net}, 20 epochs): {more}"
        )
    for net in ("a2", "a3"):
        d = paired_by_seed(runs, f"{b}{net}-d1-e20-bf16", f"{b}{net}-d1-e20")
        out.append(
            f"bfloat16 - float32 ({net}, 20 epochs): {d} -> "
            + d.verdict("bfloat16", "float32")
        )
    d = paired_by_seed(runs, "recipe:d2-40-b512", "recipe:d2-40")
    out.append(f"batch 512 - batch 256 (3x1024, 40 epochs): {d}")
    return out
