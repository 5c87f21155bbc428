"""Paired comparisons of runs, as every page states them.

Settings trained with the same seeds (same initial weights, same
minibatches) are compared seed by seed (``stats.paired``), each run scored
by its mean validation accuracy over its last three epochs: at SGD's
learning rates one epoch's accuracy moves by a point or more.
"""

from __future__ import annotations

from mlp_notes import stats
from mlp_notes.claims import Claims
from mlp_notes.runs.chapter import Run


def late(runs: list[Run]) -> list[float]:
    """Each run's mean validation accuracy over its last three epochs
    (a run that diverged scores NaN)."""
    return [r.history.late_val_acc(3) for r in runs]


def compare_to(
    score: dict, base, expect: dict, enforce: bool, label
) -> tuple[list[str], Claims]:
    """Each setting of ``score`` ({setting: per-seed scores}) minus
    ``base``'s, paired by seed: a claim where ``expect`` ({setting: ">",
    "<", "~", ...}) says what the page's prose states (checked where
    ``enforce``), else a line with the interval and its verdict."""
    lines, claims = [], Claims()
    for key, values in score.items():
        if key == base:
            continue
        d = stats.paired(values, score[base])
        a, b = label(key), label(base)
        if key in expect:
            claims.compare(d, a, b, expect[key], enforce=enforce)
        else:
            lines.append(f"{a} - {b}: {d}")
            lines.append(f"  -> {d.verdict(a, b)}")
    return lines, claims
