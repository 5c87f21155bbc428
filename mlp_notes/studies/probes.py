"""The GPU probes that fixed the §4.3 recipe, read on validation only
(§4.3's decisions, each a paired comparison its prose states).

``benchmarks/best_mlp_probe.py`` trained the best MLP's recipe with many
seeds on a GPU (a build on two CPU cores cannot afford that) and logged
each run to ``benchmarks/probes/best-mlp-cuda-*.jsonl``.  The first two
probe files also hold test-set columns, and refit rows whose "val"
columns repeat the test accuracies; this reader drops both, so every
decision the §4.3 page prints is read off validation accuracy alone.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from mlp_notes import stats
from mlp_notes.claims import Claims, Finding

PROBES = Path(__file__).resolve().parents[2] / "benchmarks" / "probes"
#: The benchmark's MLP (256-128-100) on Fashion-MNIST's test set, as
#: published in its README (github.com/zalandoresearch/fashion-mnist).
BENCHMARK_MLP = ("256-128-100", 0.8833)
#: ... and its human evaluation (the same README).
BENCHMARK_HUMAN = 0.835
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


#: Each decision's comparisons: (decision, a, job a, b, job b, what the
#: page's prose says of a - b).  Jobs "budget:<net>-d<k>-e<epochs>" (d1:
#: dropout 0.1 after each hidden layer; d0: none; d2: 0.2 and 0.1 on the
#: pixels) from the third probe, and "recipe:d<k>-<epochs>" (the first
#: probe, 3x1024).
COMPARISONS = [
    ("network, 20 epochs", "3x1024", "budget:a3-d1-e20",
     "2x1024", "budget:a2-d1-e20", "~"),
    ("network, 20 epochs", "3x512", "budget:s3-d1-e20",
     "2x1024", "budget:a2-d1-e20", "~"),
    ("network, 10 epochs", "3x1024", "budget:a3-d1-e10",
     "2x1024", "budget:a2-d1-e10", "<"),
    ("network, 30 epochs", "3x1024", "budget:a3-d1-e30",
     "2x1024", "budget:a2-d1-e30", "~"),
    ("network, 40 epochs", "3x1024", "budget:a3-d1-e40",
     "2x1024", "budget:a2-d1-e40", "~"),
    ("epochs, 2x1024", "30 epochs", "budget:a2-d1-e30",
     "10 epochs", "budget:a2-d1-e10", ">"),
    ("epochs, 2x1024", "30 epochs", "budget:a2-d1-e30",
     "20 epochs", "budget:a2-d1-e20", "~"),
    ("epochs, 2x1024", "30 epochs", "budget:a2-d1-e30",
     "40 epochs", "budget:a2-d1-e40", "~"),
    ("dropout, 3x1024, 10 epochs", "0.1", "budget:a3-d1-e10",
     "none", "budget:a3-d0-e10", "<"),
    ("dropout, 3x1024, 10 epochs", "0.1", "budget:a3-d1-e10",
     "0.2/0.1", "budget:a3-d2-e10", ">"),
    ("dropout, 2x1024, 10 epochs", "0.1", "budget:a2-d1-e10",
     "none", "budget:a2-d0-e10", "~"),
    ("dropout, 2x1024, 10 epochs", "0.1", "budget:a2-d1-e10",
     "0.2/0.1", "budget:a2-d2-e10", ">"),
    ("dropout, 3x1024, 20 epochs", "0.1", "recipe:d1-20",
     "none", "recipe:d0-20", "~"),
    ("dropout, 3x1024, 20 epochs", "0.1", "recipe:d1-20",
     "0.2/0.1", "recipe:d2-20", ">"),
    ("dropout, 3x1024, 40 epochs", "0.1", "recipe:d1-40",
     "none", "recipe:d0-40", ">"),
    ("dropout, 3x1024, 40 epochs", "0.1", "recipe:d1-40",
     "0.2/0.1", "recipe:d2-40", "~"),
    ("images, 2x1024, 20 epochs", "50,000", "budget:a2-d1-e20",
     "40,000", "budget:a2-d1-e20-sub40k", "~"),
    ("images, 3x1024, 20 epochs", "50,000", "budget:a3-d1-e20",
     "40,000", "budget:a3-d1-e20-sub40k", ">"),
    ("precision, 2x1024, 20 epochs", "bfloat16", "budget:a2-d1-e20-bf16",
     "float32", "budget:a2-d1-e20", "~"),
    ("precision, 3x1024, 20 epochs", "bfloat16", "budget:a3-d1-e20-bf16",
     "float32", "budget:a3-d1-e20", "~"),
    ("batch with lr, 3x1024, dropout 0.2/0.1, 40 epochs",
     "512 at lr 3e-3", "recipe:d2-40-b512",
     "256 at lr 2e-3", "recipe:d2-40", "~"),
]  # fmt: skip


def decisions(runs: dict[str, list[dict]]) -> Finding:
    """The recipe's decisions: per decision, each job's validation
    accuracy over seeds; and a claim per comparison, paired by seed, that
    fails unless the interval says what the page's prose says."""
    lines, claims = [], Claims()
    for what, a, job_a, b, job_b, expect in COMPARISONS:
        lines.append(
            f"{what}: {a} {summary(runs, job_a)}; {b} {summary(runs, job_b)}"
        )
        d = paired_by_seed(runs, job_a, job_b)
        claims.compare(d, f"{a} ({what})", b, expect)
    lines += [
        f"{'x'.join(map(str, h))}: {macs(h) / 1e6:.2f} M multiply-adds/image"
        for h in NETWORKS.values()
    ]
    used = {job for c in COMPARISONS for job in (c[2], c[4])}
    used |= {n for n in runs if n.startswith("budget:a2-d1-e")}  # epochs
    left = [f"{n} ({len(runs[n])})" for n in sorted(set(runs) - used)]
    lines += textwrap.wrap(
        "probe runs that feed no comparison (seeds): " + ", ".join(left),
        79,
        subsequent_indent="   ",
    )
    three, two, small = (macs(NETWORKS[k]) for k in ("a3", "a2", "s3"))
    lines.append(
        f"3x1024 / 2x1024: {three / two:.2f} times the arithmetic; "
        f"3x512 / 2x1024: {small / two:.2f}"
    )
    claims.add(
        f"3x512 costs less than 2x1024 ({small / two:.2f})", small < two
    )
    return Finding(lines, claims)
