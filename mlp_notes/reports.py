"""Stored benchmark results, for the benchmark and results pages.

The benchmark (``benchmarks/train_speed.py``) is a script, run by hand on
a quiet machine; it writes one JSON file per device kind into
``benchmarks/results/``.  These are the only numbers the site reads
instead of computing them during the build.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


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


def benchmark_table(results: list[dict]) -> str:
    """A Markdown table of the stored results."""
    rows = [
        "| | " + " | ".join(r["device"].upper() for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]

    def row(label: str, fmt) -> None:
        rows.append(
            f"| {label} | " + " | ".join(fmt(r) for r in results) + " |"
        )

    row("machine", lambda r: r["machine"])
    row("date", lambda r: r["date"][:10])
    row("torch", lambda r: r["versions"]["torch"])
    row("D2L's loop, s/epoch", lambda r: f"{r['book_seconds_per_epoch']:.2f}")
    row("our loop, s/epoch", lambda r: f"{r['ours_seconds_per_epoch']:.3f}")
    row("**speed-up**", lambda r: f"**{r['speedup']:.1f}×**")
    row(
        "test accuracy after the same epochs (D2L / ours)",
        lambda r: f"{r['book_test_acc']:.4f} / {r['ours_test_acc']:.4f}",
    )
    row("matmul throughput", lambda r: f"{r['matmul_gflops']:.0f} GFLOP/s")
    row(
        "compute bound (epoch FLOPs / throughput)",
        lambda r: (
            f"{r['compute_bound_seconds']:.3f} s "
            f"({r['epoch_gflop']:.0f} GFLOP)"
        ),
    )
    row("our epoch / bound", lambda r: f"{r['ours_over_bound']:.2f}×")
    row(
        "data: first load / ready",
        lambda r: (
            f"{r['data_first_load_seconds']:.2f} s / "
            f"{r['data_ready_seconds']:.3f} s"
        ),
    )
    return "\n".join(rows)
