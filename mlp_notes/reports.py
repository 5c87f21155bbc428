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
DOCS = Path(__file__).resolve().parents[1] / "docs"


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
    from mlp_notes.hardware import machine_label

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
    row("our loop's step", lambda r: _get(r, "ours_step", "{}"))
    row(
        "our loop with autograd's step, s/epoch",
        lambda r: _get(r, "autograd_seconds_per_epoch", "{:.3f}"),
    )
    row(
        "our step / autograd's step (paired epochs)",
        lambda r: _get(r, "ours_over_autograd", "{:.2f}×"),
    )
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
        "floor: gathers + first layer's two products, s/epoch",
        lambda r: _get(r, "floor_seconds_per_epoch", "{:.3f}"),
    )
    row("our epoch / floor", lambda r: _get(r, "ours_over_floor", "{:.2f}×"))

    def reg(key: str, fmt: str):
        return lambda r: (
            fmt.format(r["regularized"][key]) if "regularized" in r else "–"
        )

    row(
        "regularized (§4.3 recipe, float32), s/epoch",
        reg("seconds_per_epoch", "{:.2f}"),
    )
    row("regularized epoch / its bound", reg("over_bound", "{:.2f}×"))
    row(
        "data: first load / ready",
        lambda r: (
            f"{r['data_first_load_seconds']:.2f} s / "
            f"{r['data_ready_seconds']:.3f} s"
        ),
    )
    return "\n".join(rows)


#: Chapter pages in the book's order: (file, old-edition section, title,
#: where the material lives in the current edition).
CHAPTER = (
    ("mlp.md", "4.1", "Multilayer perceptrons", "5.1"),
    ("mlp-scratch.md", "4.2", "An MLP from scratch", "5.2"),
    ("mlp-concise.md", "4.3", "A concise MLP", "5.2"),
    (
        "underfit-overfit.md",
        "4.4",
        "Model selection, underfitting and overfitting",
        "3.6 (text only)",
    ),
    ("weight-decay.md", "4.5", "Weight decay", "3.7"),
    ("dropout.md", "4.6", "Dropout", "5.6"),
    ("backprop.md", "4.7", "Forward and backward propagation", "5.3"),
    (
        "numerical-stability.md",
        "4.8",
        "Numerical stability and initialization",
        "5.4",
    ),
)


def _anchor(heading: str) -> str:
    """The id Python-Markdown's toc extension gives a heading."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", heading)
    text = re.sub(r"[^\w\s-]", "", text.encode("ascii", "ignore").decode())
    return re.sub(r"[-\s]+", "-", text.strip().lower())


def exercises(page: Path) -> list[tuple[str, str]]:
    """(heading, anchor) of each exercise of a page: the ``### N. ...``
    headings under its ``## Exercises`` section."""
    found, inside = [], False
    for line in page.read_text().splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Exercises"
        elif inside and line.startswith("### "):
            heading = line[4:].strip()
            found.append((heading, _anchor(heading)))
    return found


def _url(name: str, prefix: str) -> str:
    """The built URL of a page (directory URLs), relative via ``prefix``.

    Output printed by a page's code is not rewritten by MkDocs, so links
    in it must already be URLs, not ``.md`` paths.
    """
    return f"{prefix}{Path(name).stem}/"


def exercise_index(docs: Path, prefix: str = "") -> str:
    """Markdown list of every exercise, linked to its answer, by section.

    Args:
        docs: the docs directory.
        prefix: path from the calling page to the site root ("" for the
            home page, "../" for a page one level down).
    """
    lines, total = [], 0
    for name, section, title, _ in CHAPTER:
        page = docs / name
        if not page.is_file():
            raise FileNotFoundError(f"chapter page {page} is missing")
        found = exercises(page)
        total += len(found)
        url = _url(name, prefix)
        lines.append(f"**§{section} [{title}]({url})** ({len(found)})\n")
        lines += [f"- [{h}]({url}#{a})" for h, a in found]
        lines.append("")
    return f"{total} exercises in all.\n\n" + "\n".join(lines)


def section_map(prefix: str = "") -> str:
    """Markdown table: old edition section -> page -> current edition."""
    rows = [
        "| old edition (v0.17) | this guide | current edition (v1.0) |",
        "|---|---|---|",
    ]
    for name, section, title, new in CHAPTER:
        rows.append(
            f"| §{section} | [{title}]({_url(name, prefix)}) | §{new} |"
        )
    return "\n".join(rows)


def _row(
    name: str,
    where: str,
    runs: list,
    setting: str,
    *,
    val_accs: list[float] | None = None,
    test_accs: list[float] | None = None,
) -> dict:
    """One results row; ``val_accs``/``test_accs`` replace the runs' own
    accuracies (the best MLP may predict with mirror averaging)."""
    from mlp_notes.experiments import fmt_spread, spread

    val_accs = val_accs or [r.val_acc for r in runs]
    test_accs = test_accs or [r.test_acc for r in runs]
    val = fmt_spread(*spread(val_accs))
    test = fmt_spread(*spread(test_accs))
    seconds = sum(r.seconds for r in runs) / len(runs)
    used = sorted({r.history.precision for r in runs})
    asked = sorted({r.history.requested_precision for r in runs})
    return {
        "precision": ", ".join(used)
        + (f" (asked: {', '.join(asked)})" if asked != used else ""),
        "name": name,
        "where": where,
        "setting": setting,
        "val": val,
        "test": test,
        "seeds": len(runs),
        "minutes": seconds / 60,
        "params": runs[0].num_params,
    }


def results_rows(profile) -> list[dict]:
    """The headline models of the site, trained (or read from the cache)
    with exactly the configurations their pages use."""
    from mlp_notes import search
    from mlp_notes.experiments import BEST_RECIPE, best_mlp, train_run

    E, seeds = profile.epochs, profile.seeds
    rows = []
    for model, page in (
        ("scratch", "mlp-scratch.md"),
        ("concise", "mlp-concise.md"),
    ):
        run = train_run(
            model=model,
            hiddens=(256,),
            lr=0.1,
            batch_size=256,
            num_epochs=E,
            seed=0,
            keep_model=model == "scratch",
        )
        rows.append(
            _row(
                f"D2L's MLP, {model}",
                page,
                [run],
                f"784-256-10, SGD lr 0.1, batch 256, {E} epochs",
            )
        )
    found = search.winner(
        search.compare(
            profile.search_trials,
            num_epochs=profile.search_epochs,
            subset=profile.sweep_subset,
            seed=0,
        )
    )
    hiddens = (found.width,) * found.depth
    runs = [
        train_run(hiddens=hiddens, lr=found.lr, num_epochs=E, seed=s)
        for s in seeds
    ]
    rows.append(
        _row(
            "Search winner (grid/random/TPE)",
            "mlp-scratch.md#4-tune-learning-rate-width-and-depth-jointly",
            runs,
            f"784-{'-'.join(map(str, hiddens))}-10, SGD lr "
            f"{found.lr:.3g}, {E} epochs",
        )
    )
    best = best_mlp(profile)
    rows.append(
        _row(
            "Best MLP",
            "mlp-concise.md#beyond-the-book-a-stronger-mlp",
            best.runs,
            f"784-{'-'.join(map(str, BEST_RECIPE['hiddens']))}-10, dropout "
            f"{BEST_RECIPE['dropout']}, AdamW one-cycle, "
            f"{profile.best_epochs} epochs, trained in "
            f"{best.runs[0].history.precision}"
            + (", mirror-averaged predictions" if best.mirror else "")
            + "; val: seed 0 on the training split; test: refits on all "
            "training images",
            val_accs=[best.val_acc],
            test_accs=best.test_accs(),
        )
    )
    return rows


def results_table(rows: list[dict], prefix: str = "../") -> str:
    """Markdown table of ``results_rows`` (links relative via ``prefix``)."""
    lines = [
        "| model | setting | params | precision | val acc | test acc "
        "| training / seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        page, _, anchor = r["where"].partition("#")
        url = _url(page, prefix) + (f"#{anchor}" if anchor else "")
        lines.append(
            f"| [{r['name']}]({url}) | {r['setting']} | "
            f"{r['params']:,} | {r['precision']} | {r['val']} | {r['test']} | "
            f"{r['minutes']:.1f} min |"
        )
    return "\n".join(lines)
