"""Stored benchmark results, for the benchmark and results pages.

The benchmark (``benchmarks/train_speed.py``) is a script, run by hand on
a quiet machine; it writes one JSON file per device kind into
``benchmarks/results/`` and logs every run.  With the GPU probes
(``studies.probes``), these are the only numbers the site reads instead of
computing them during the build.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlp_notes.claims import Claims, Finding
from mlp_notes.hardware import machine_label
from mlp_notes.runs.best import BEST_NET
from mlp_notes.studies.benchmark_tables import (
    benchmark_runs_table,
    benchmark_table,
    regularized_network,
    step_breakdown_table,
)

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"

#: Stored regularized runs of a network that is no longer the recipe's,
#: by device, as the benchmark page says; rerunning the benchmark there
#: makes the entry false and the page's check fails until both change.
EARLIER = {"cuda": (1024, 1024, 1024)}


def benchmark_results(directory: Path = RESULTS) -> list[dict]:
    """All stored results, CPU first.

    Raises:
        FileNotFoundError: no result is stored (run the benchmark).
    """
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FileNotFoundError(
            f"no benchmark results in {directory}: run "
            "`python benchmarks/train_speed.py` first"
        )
    results = [json.loads(f.read_text()) for f in files]
    return sorted(results, key=lambda r: r["device"] != "cpu")


def benchmark_runs(device: str, directory: Path = RESULTS) -> list[dict]:
    """Every logged run of the benchmark on ``device``, oldest first
    (``<device>-runs.jsonl``; empty if none was logged)."""
    path = directory / f"{device}-runs.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def regularized_budget(result: dict, target: float = 1.5) -> dict:
    """Why the regularized epoch is where it is against its bound: the
    bound per step, the step's products alone at their shapes, the rest of
    the step, and what ``target`` times the bound would leave for that
    rest (ms; "text" says it in a line)."""
    reg = result["regularized"]
    parts = reg["step_breakdown_ms"]
    steps = -(-60_000 // 256)
    out = {
        "bound": 1e3 * reg["epoch_gflop"] / reg["matmul_gflops"] / steps,
        "products": parts["matmuls"],
        "rest": parts["step"] - parts["matmuls"],
    }
    out["room"] = target * out["bound"] - out["products"]
    out["text"] = (
        f"bound {out['bound']:.2f} ms per step; the step's products alone "
        f"{out['products']:.2f} ms ({out['products'] / out['bound']:.2f}× "
        f"the bound); everything else {out['rest']:.2f} ms. {target}× the "
        f"bound would leave {out['room']:.2f} ms for everything else."
    )
    return out


def runs_by_machine(runs: list[dict]) -> dict[str, list[dict]]:
    """Logged runs grouped by the machine they ran on, in first-seen
    order; runs logged before the benchmark recorded its CPU (no
    ``machine_info``) form the group "machine unknown"."""
    groups: dict[str, list[dict]] = {}
    for r in runs:
        info = r.get("machine_info")
        label = machine_label(info) if info else "machine unknown"
        groups.setdefault(label, []).append(r)
    return groups


#: Two pipelines that see the same minibatches end within this accuracy.
SAME_ACCURACY = 0.01


def stored(results: list[dict]) -> Finding:
    """The latest results as a table, and what each must show: the same
    accuracy for pipelines that saw the same minibatches, the hand-derived
    step faster than autograd's, and CUDA far from compute-bound."""
    claims = Claims()
    for r in results:
        d = r["device"]
        gap = abs(r["book_test_acc"] - r["ours_test_acc"])
        claims.add(
            f"{d}: book and ours end {gap:.4f} apart <= {SAME_ACCURACY}",
            gap <= SAME_ACCURACY,
        )
        if "autograd_test_acc" in r:
            gap = abs(r["autograd_test_acc"] - r["ours_test_acc"])
            claims.add(
                f"{d}: ours and autograd's end {gap:.4f} apart",
                gap <= SAME_ACCURACY,
            )
        if "ours_over_autograd" in r:
            ratio = r["ours_over_autograd"]
            claims.add(
                f"{d}: our step / autograd's = {ratio:.2f} < 1", ratio < 1
            )
        if d == "cuda":
            ratio = r["ours_over_bound"]
            claims.add(
                f"cuda: far from compute-bound ({ratio:.1f}x the bound > 5)",
                ratio > 5,
            )
    return Finding([benchmark_table(results)], claims)


def logged(results: list[dict]) -> Finding:
    """Every logged run, by device and machine, as Markdown."""
    lines = []
    for r in results:
        for machine, runs in runs_by_machine(
            benchmark_runs(r["device"])
        ).items():
            speedups = [run["speedup"] for run in runs]
            lines.append(
                f"**{r['device'].upper()}, {machine}**: {len(runs)} run(s), "
                f"speed-up {min(speedups):.1f}× to {max(speedups):.1f}×\n"
            )
            lines.append(benchmark_runs_table(runs) + "\n")
    return Finding(lines)


def first_layer_share(d: int = 784, h: int = 256, q: int = 10) -> Finding:
    """The share of an epoch's FLOPs in the first layer's two products
    (its forward product and its weight gradient)."""
    first = 2 * 2 * (d * h)
    total = 2 * (d * h + h * q) + 2 * (d * h) + 2 * 2 * (h * q)
    share = first / total
    claims = Claims().add(
        f"the first layer's share {share:.1%} > 95%", share > 0.95
    )
    return Finding(
        [f"the first layer's two products: {share:.1%} of the FLOPs"], claims
    )


def regularized(
    results: list[dict], earlier: dict[str, tuple] = EARLIER
) -> Finding:
    """The regularized recipe's epochs against their bound, one step in
    parts, and why the CPU cannot come close to 1.5 times the bound;
    ``earlier``: the stored runs of another network the page names."""
    lines, claims = [], Claims()
    for r in results:
        if "regularized" not in r:
            continue
        reg, dev, net = r["regularized"], r["device"], regularized_network(r)
        claims.add(
            f"{dev}: the stored run trained {net}, "
            + (
                "the recipe's network"
                if net == BEST_NET.hiddens
                else "an earlier network, as the page says"
            ),
            net == BEST_NET.hiddens or earlier.get(dev) == net,
        )
        lines.append(
            f"**{dev.upper()}**, hidden layers {net}: "
            f"{reg['seconds_per_epoch']:.2f} s/epoch, "
            f"{reg['over_bound']:.2f}× the bound ({reg['epoch_gflop']:.0f} "
            f"GFLOP at {reg['matmul_gflops']:.0f} GFLOP/s)\n"
        )
        lines.append(step_breakdown_table(r) + "\n")
        budget = regularized_budget(r)
        lines.append(budget["text"] + "\n")
        if dev == "cpu":
            claims.extend(_cpu_step(reg["step_breakdown_ms"]))
            claims.add(
                "cpu: 1.5x the bound leaves less than the rest of a step "
                f"takes ({budget['room']:.2f} < {budget['rest']:.2f} ms)",
                budget["room"] < budget["rest"],
            )
        else:
            claims.add(
                f"{dev}: far from compute-bound "
                f"({reg['over_bound']:.1f}x > 5)",
                reg["over_bound"] > 5,
            )
    for dev, net in earlier.items():
        claims.add(
            f"{dev}: a stored run of the earlier {net} exists",
            any(
                r["device"] == dev
                and "regularized" in r
                and regularized_network(r) == net
                for r in results
            ),
        )
    return Finding(lines, claims)


def _cpu_step(parts: dict) -> Claims:
    """What the page says of a CPU step's parts."""
    plain = parts["nn.Dropout masks (for comparison)"]
    others = {k: parts[k] for k in ("optimizer", "flips")}
    return (
        Claims()
        .add(
            f"the products take most of a step ({parts['matmuls']:.2f} of "
            f"{parts['step']:.2f} ms)",
            parts["matmuls"] > parts["step"] / 2,
        )
        .add(
            f"nn.Dropout's masks ({plain:.2f} ms) cost more than the "
            f"optimizer step or the flips ({max(others.values()):.2f} ms)",
            plain > max(others.values()),
        )
        .add(
            f"FastDropout's masks ({parts['dropout masks']:.2f} ms) cost "
            f"less than nn.Dropout's",
            parts["dropout masks"] < plain,
        )
    )
