"""The mutation score of the chapter's code, for the results page.

``scripts/mutation.py`` (mutmut, run by hand: it takes longer than the
test suite) mutates each module of the chapter's math, models, training
step and workbook checks, runs the module's own tests against every
mutant and writes ``benchmarks/mutation/summary.json``; the mutants no
test can kill are listed, each with its reason, in
``benchmarks/mutation/equivalent/``.  This module only reads them.
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
    """`` (seed 7, commit abc1234, each written into the package)``."""
    said = [f"{k} {row[k]}" for k in ("seed", "commit") if k in row]
    if said:
        said.append(TREES[row.get("tree", "mutmut")])
    return f" ({', '.join(said)})" if said else ""


def _short(module: str) -> str:
    return module.removeprefix("mlp_notes/")


def equivalent_mutants(directory: Path = MUTATION) -> list[str]:
    """One line per equivalent mutant of the stored results (a mutant
    some test now kills is not listed): its name and why no test can
    tell it from the original.  Runs in a plain tree (``plain/``) have
    their own notes: a name can mean another change at another commit."""
    lines = []
    for runs, notes, alive_in in (
        (directory / "results", directory, lambda run: run["not_killed"]),
        (directory / "plain", directory / "plain", _plain_alive),
    ):
        alive = set()
        for path in runs.glob("*.json"):
            alive |= set(alive_in(json.loads(path.read_text())))
        found: dict[str, str] = {}
        for path in sorted((notes / "equivalent").glob("*.json")):
            found |= json.loads(path.read_text())
        lines += [
            f"`{k}`: {why}" for k, why in sorted(found.items()) if k in alive
        ]
    return lines


def _plain_alive(run: dict) -> list[str]:
    """The mutants a ``scripts/mutation_plain.py`` run left alive."""
    return [r["name"] for r in run["mutants"] if r["status"] == "survived"]
