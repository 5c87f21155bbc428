"""The benchmark's tables, in Markdown: the latest results, the logged
runs, one regularized step in parts."""

from __future__ import annotations

import re


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


def regularized_network(result: dict) -> tuple[int, ...]:
    """The hidden layers the stored regularized run trained (its recipe
    line records them: ``hiddens=(1024, 1024)``)."""
    found = re.search(
        r"hiddens=\(([\d, ]*)\)", result["regularized"]["recipe"]
    )
    if found is None:
        raise ValueError(
            "a stored regularized run without its hidden layers: rerun "
            "`python benchmarks/train_speed.py`"
        )
    return tuple(int(n) for n in found[1].split(",") if n.strip())


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
        "regularized run's hidden layers",
        lambda r: (
            " × ".join(map(str, regularized_network(r)))
            if "regularized" in r
            else "–"
        ),
    ),
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
