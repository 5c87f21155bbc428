"""The mutation score of the chapter's code, for the results page.

``scripts/mutation.py`` (mutmut, run by hand: it takes longer than the
test suite) mutates each module of the chapter's math, models, training
step and workbook checks, runs the module's own tests against every
mutant and writes ``benchmarks/mutation/summary.json``; the mutants no
test can kill are listed, each with its reason, in
``benchmarks/mutation/equivalent/`` (``plain/equivalent/`` for runs in a
plain tree), and the summary names those its counts use.  This module
only reads the summary.
"""

from __future__ import annotations

import json
from pathlib import Path

MUTATION = Path(__file__).resolve().parents[2] / "benchmarks" / "mutation"


def mutation_summary(directory: Path = MUTATION) -> dict:
    """The stored summary: ``modules`` (one row each) and ``all``.

    Raises:
        FileNotFoundError: nothing stored (run ``scripts/mutation.py``).
    """
    path = directory / "summary.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no mutation results in {directory}: run "
            "`.venv/bin/python scripts/mutation.py` first"
        )
    return json.loads(path.read_text())


def mutation_table(summary: dict) -> str:
    """A Markdown table: per module, mutants tried, killed, equivalent,
    survived and the score, killed / (mutants - equivalent); a package
    mutated on a random sample last, its score an estimate with its 95%
    interval (not in the total)."""
    lines = [
        "| module (in mlp_notes/) | mutants | killed | equivalent | survived "
        "| score |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in [*summary["modules"], {**summary["all"], "module": "all"}]:
        lines.append(
            f"| `{_short(r['module'])}` | {r['mutants']} | {r['killed']} | "
            f"{r['equivalent']} | {r['survived']} | {r['score']:.1f} % |"
        )
    for r in summary.get("sampled", []):
        lines.append(
            f"| `{_short(r['module'])}`, a sample of {r['mutants']} of its "
            f"{r['population']} mutants{_run(r)} | {r['mutants']} | "
            f"{r['killed']} | "
            f"{r['equivalent']} | {r['survived']} | {r['score']:.1f} % "
            f"(95% interval {r['low']:.1f} to {r['high']:.1f} %) |"
        )
    return "\n".join(lines)


#: how a sample's mutants were run (``scripts/mutation.py --sample``,
#: ``scripts/mutation_plain.py``)
TREES = {
    "mutmut": "in mutmut's tree",
    "plain": "each written into the package",
}


def _run(row: dict) -> str:
    """`` (seed 7, commit abc1234, each written into the package)``, or
    ``seeds 9 and 10`` for samples pooled at one commit."""
    said = [f"{k} {row[k]}" for k in ("seed", "commit") if k in row]
    if " and " in str(row.get("seed")):  # samples pooled at one commit
        said[0] = f"seeds {row['seed']}"
    if said:
        said.append(TREES[row.get("tree", "mutmut")])
    return f" ({', '.join(said)})" if said else ""


def _short(module: str) -> str:
    return module.removeprefix("mlp_notes/")


def equivalent_mutants(summary: dict) -> list[str]:
    """One line per equivalent mutant the stored summary counts: its name
    and why no test can tell it from the original, as REPORT.md lists
    them (``scripts/mutation_report.py`` picks them)."""
    return [f"`{k}`: {why}" for k, why in summary["equivalent"]]
