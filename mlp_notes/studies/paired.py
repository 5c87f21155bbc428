"""Paired comparisons of runs, as every page states them.

Settings trained with the same seeds (same initial weights, same
minibatches) are compared seed by seed (``stats.paired``), each run scored
by its mean validation accuracy over its last three epochs: at SGD's
learning rates one epoch's accuracy moves noticeably.  Losses
that span orders of magnitude (§4.4, §4.5) are compared on -log10.
"""

from __future__ import annotations

import math
import textwrap

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


def log_score_difference(
    a: dict[int, float], b: dict[int, float]
) -> tuple[stats.Difference, list[int]]:
    """-log10(a) - -log10(b), paired by seed over the seeds where both
    MSEs are finite (a diverged run has none).

    Args:
        a: {seed: MSE} of one setting.
        b: {seed: MSE} of the other.

    Returns:
        The paired difference and the seeds it is over.
    """
    seeds = [s for s in a if s in b and math.isfinite(a[s] + b[s])]
    d = stats.paired(
        [-math.log10(a[s]) for s in seeds], [-math.log10(b[s]) for s in seeds]
    )
    return d, seeds


def compare_lines(
    d: stats.Difference, a: str, b: str, what: str, seeds: list[int]
) -> list[str]:
    """Printed lines: the interval of a - b over ``seeds`` and its
    verdict, wrapped to the page's column."""
    text = [
        f"{a} - {b} ({what}, data sets {seeds}): {d}",
        f"  -> {d.verdict(a, b)}",
    ]
    return [
        wrapped
        for line in text
        for wrapped in textwrap.wrap(line, 79, subsequent_indent="     ")
    ]
