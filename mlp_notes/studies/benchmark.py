"""Stored benchmark results, for the benchmark and results pages.

The benchmark (``benchmarks/train_speed.py``) is a script, run by hand on
a quiet machine; it writes one JSON file per device kind into
``benchmarks/results/`` and logs every run.  With the GPU probes
(``site.probes``), these are the only numbers the site reads instead of
computing them during the build.
"""

from __future__ import annotations

import json
from pathlib import Path

from mlp_notes.hardware import machine_label

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"


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


def _get(result: dict, key: str, fmt: str) -> str:
    """``fmt`` of a stored value, or a dash for a result that predates it."""
    return fmt.format(result[key]) if key in result else "–"


def step_breakdown_table(result: dict) -> str:
    """Where one step of the regularized recipe spends its time (ms and
    share of the step), from a stored result."""
    parts = result["regularized"]["step_breakdown_ms"]
    step = parts["step"]
    rows = ["| part of one step | ms | share of the step |", "|---|---|---|"]
    for name, ms in parts.items():
        share = "" if "comparison" in name else f"{ms / step:.0%}"
        rows.append(f"| {name} | {ms:.2f} | {share} |")
    return "\n".join(rows)


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


def benchmark_runs_table(runs: list[dict]) -> str:
    """A Markdown table of logged runs: one row per run."""
    rows = [
        "| date | commit | our step | D2L s/epoch | ours s/epoch "
        "| speed-up | our epoch / bound | our step / autograd's |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        rows.append(
            f"| {r['date'].replace('T', ' ')} | {r['commit']} "
            f"| {r['ours_step']} | {r['book_seconds_per_epoch']:.2f} "
            f"| {r['ours_seconds_per_epoch']:.3f} | {r['speedup']:.1f}× "
            f"| {r['ours_over_bound']:.2f}× "
            f"| {_get(r, 'ours_over_autograd', '{:.2f}×')} |"
        )
    return "\n".join(rows)


def _reg(key: str, fmt: str):
    """A formatter of the regularized loop's ``key`` ("–" if absent)."""
    return lambda r: (
        fmt.format(r["regularized"][key]) if "regularized" in r else "–"
    )


#: The rows of the results table: (label, formatter of a stored result).
ROWS = (
    ("machine", lambda r: r["machine"]),
    ("date", lambda r: r["date"][:10]),
    ("torch", lambda r: r["versions"]["torch"]),
    ("D2L's loop, s/epoch", lambda r: f"{r['book_seconds_per_epoch']:.2f}"),
    ("our loop, s/epoch", lambda r: f"{r['ours_seconds_per_epoch']:.3f}"),
    ("our loop's step", lambda r: _get(r, "ours_step", "{}")),
    (
        "our loop with autograd's step, s/epoch",
        lambda r: _get(r, "autograd_seconds_per_epoch", "{:.3f}"),
    ),
    (
        "our step / autograd's step (paired epochs)",
        lambda r: _get(r, "ours_over_autograd", "{:.2f}×"),
    ),
    ("**speed-up**", lambda r: f"**{r['speedup']:.1f}×**"),
    (
        "test accuracy after the same epochs (D2L / ours)",
        lambda r: f"{r['book_test_acc']:.4f} / {r['ours_test_acc']:.4f}",
    ),
    ("matmul throughput", lambda r: f"{r['matmul_gflops']:.0f} GFLOP/s"),
    (
        "compute bound (epoch FLOPs / throughput)",
        lambda r: (
            f"{r['compute_bound_seconds']:.3f} s "
            f"({r['epoch_gflop']:.0f} GFLOP)"
        ),
    ),
    ("our epoch / bound", lambda r: f"{r['ours_over_bound']:.2f}×"),
    (
        "floor: gathers + first layer's two products, s/epoch",
        lambda r: _get(r, "floor_seconds_per_epoch", "{:.3f}"),
    ),
    ("our epoch / floor", lambda r: _get(r, "ours_over_floor", "{:.2f}×")),
    (
        "regularized (§4.3 recipe, float32), s/epoch",
        _reg("seconds_per_epoch", "{:.2f}"),
    ),
    ("regularized epoch / its bound", _reg("over_bound", "{:.2f}×")),
    (
        "data: first load / ready",
        lambda r: (
            f"{r['data_first_load_seconds']:.2f} s / "
            f"{r['data_ready_seconds']:.3f} s"
        ),
    ),
)


def benchmark_table(results: list[dict]) -> str:
    """A Markdown table of the stored results, one column per device."""
    rows = [
        "| | " + " | ".join(r["device"].upper() for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for label, fmt in ROWS:
        rows.append(f"| {label} | " + " | ".join(map(fmt, results)) + " |")
    return "\n".join(rows)


#: Chapter pages in the book's order: (file, old-edition section, title,
#: where the material lives in the current edition).
