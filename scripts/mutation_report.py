"""The mutation report: ``benchmarks/mutation/REPORT.md`` and
``summary.json`` (what the results page reads) from the stored results,
the equivalent mutants (each with a one-line reason) and the survivors
left alive (each with why).  ``scripts/mutation.py --report`` calls it.

A module mutated in full counts in the table and the total; a package
mutated on a random sample of its mutants (``mutation.py --sample`` in
mutmut's tree, ``mutation_plain.py`` in a plain one: ``plain/``, with
its own ``plain/equivalent/`` and ``plain/unkilled/``, since a mutant's
name can mean another change at another commit) gets its own row, an
estimate of its score with a 95% Wilson interval.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "benchmarks" / "mutation"
DETECTED = {"killed", "timeout", "segfault"}  # a test failed or hung


def tally(results: list[dict], equivalent: dict, unkilled=None) -> dict:
    """Per module and overall: mutants, killed (a test failed or hung),
    equivalent, survived (the rest, each with why from ``unkilled``) and
    the score, killed / (mutants - equivalent)."""
    rows, sampled = [], []
    for r in results:
        killed = sum(r["counts"].get(s, 0) for s in DETECTED)
        eq = [k for k in r["not_killed"] if k in equivalent]
        alive = [k for k in r["not_killed"] if k not in equivalent]
        (sampled if "population" in r else rows).append(
            {
                "module": r["module"],
                "population": r.get("population", r["total"]),
                "mutants": r["total"],
                "killed": killed,
                "equivalent": len(eq),
                "survived": r["total"] - killed - len(eq),
                "seconds": r["seconds"],
                "open": alive,
                "why": {
                    k: (unkilled or {}).get(k, "not yet examined")
                    for k in alive
                },
                "tree": r.get("tree", "mutmut"),
                **{k: r[k] for k in ("seed", "commit") if k in r},
            }
        )
    total = {
        f: sum(r[f] for r in rows)
        for f in ("mutants", "killed", "equivalent", "survived", "seconds")
    }
    for row in [*rows, *sampled, total]:
        scored = row["mutants"] - row["equivalent"]
        row["score"] = 100 * row["killed"] / scored if scored else 100.0
    for row in sampled:
        low, high = wilson(row["killed"], row["mutants"] - row["equivalent"])
        row["low"], row["high"] = 100 * low, 100 * high
    return {"modules": rows, "all": total, "sampled": sampled}


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion k / n."""
    if n == 0:
        return 0.0, 1.0
    p, z2 = k / n, z * z
    mid = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, mid - half), min(1.0, mid + half)


def sample_lines(summary: dict) -> list[str]:
    """REPORT.md's section on packages mutated on a random sample."""
    if not summary.get("sampled"):
        return []
    rows = [
        f"| `{r['module']}` | {r.get('tree', 'mutmut')} | "
        f"{r.get('seed', '')} | {r.get('commit', '')} | "
        f"{r['mutants']} of {r['population']} | "
        f"{r['killed']} | {r['survived']} | {r['equivalent']} | "
        f"{r['score']:.1f} % ({r['low']:.1f} to {r['high']:.1f} %) | "
        f"{r['seconds']} s |"
        for r in summary["sampled"]
    ]
    return [
        "## Sampled",
        "",
        "Mutated on a uniform random sample of their mutants (too slow to "
        "run in full here: the workbook tests run every check in a worker "
        "thread with its time limit); the score is an estimate, with its "
        "95% Wilson interval, and is not in the total above. Tree: "
        "`mutmut` is mutmut's own (`scripts/mutation.py --sample`), "
        "`plain` the package with one mutant written in "
        "(`scripts/mutation_plain.py`); the newest commit measures the "
        "tests as they are now. A row with two seeds or more pools the "
        "samples drawn at one commit, each mutant once.",
        "",
        "| package | tree | seed | commit | mutants tried | killed | "
        "survived | equivalent | score (95% interval) | time |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def report(summary: dict) -> str:
    """REPORT.md: the table, the equivalent mutants and the survivors."""
    rows = [
        f"| `{r['module']}` | {r['mutants']} | {r['killed']} | "
        f"{r['survived']} | {r['equivalent']} | {r['score']:.1f} % | "
        f"{r['seconds']} s |"
        for r in summary["modules"]
    ]
    a = summary["all"]
    survivors = [
        (k, why)
        for r in summary["modules"] + summary["sampled"]
        for k, why in r["why"].items()
    ]
    minutes = a["seconds"] / 60
    return "\n".join(
        [
            "# Mutation testing of the chapter's code",
            "",
            "Generated by `scripts/mutation.py --report` from `results/`, "
            "`equivalent/` and `unkilled/`; reproduce with "
            "`.venv/bin/python scripts/mutation.py` (mutmut, pinned in "
            "constraints.txt; one module at a time, each judged only by "
            "its own test files, quick profile, one process, one thread: "
            f"{minutes:.0f} min in all).",
            "",
            "| module | mutants | killed | survived | equivalent | score "
            "| time |",
            "|---|---|---|---|---|---|---|",
            *rows,
            f"| **all** | **{a['mutants']}** | **{a['killed']}** | "
            f"**{a['survived']}** | **{a['equivalent']}** | "
            f"**{a['score']:.1f} %** | {a['seconds']} s |",
            "",
            "Killed: a test of the module failed (or hung, or crashed) "
            "with the mutant. Score: killed / (mutants - equivalent).",
            "",
            *sample_lines(summary),
            "## Equivalent mutants",
            "",
            *[f"* `{k}`: {why}" for k, why in summary["equivalent"]],
            "",
            "## Survivors",
            "",
            *([f"* `{k}`: {why}" for k, why in survivors] or ["None."]),
            "",
        ]
    )


def notes(directory: Path) -> dict[str, dict]:
    """The mutants judged equivalent, and the survivors explained, under
    ``directory`` (one file per module in ``equivalent/``, ``unkilled/``)."""
    found: dict[str, dict] = {"equivalent": {}, "unkilled": {}}
    for name, kept in found.items():
        for path in sorted((directory / name).glob("*.json")):
            kept |= json.loads(path.read_text())
    return found


def plain(run: dict) -> dict:
    """A ``mutation_plain.py`` run in the results' form: its finished
    mutants are the sample (the first k of a uniform sample), counted
    from the mutants themselves (a pooled run has only those)."""
    mutants = run["mutants"]
    return {
        **{k: run[k] for k in ("module", "population", "seed", "commit")},
        "total": len(mutants),
        "seconds": sum(r["seconds"] for r in mutants),
        "counts": Counter(r["status"] for r in mutants),
        "tree": "plain",
        "not_killed": {
            r["name"]: {"status": r["status"], "diff": r["diff"]}
            for r in run["mutants"]
            if r["status"] not in DETECTED
        },
    }


def pooled(runs: list[dict]) -> list[dict]:
    """One more run per package and commit sampled with two seeds or
    more: their mutants together, each once.  Given its size, the union
    of independent uniform samples is a uniform sample (every set of
    that size is as likely), so it is scored like one."""
    groups: dict[tuple, list[dict]] = {}
    for run in runs:
        groups.setdefault((run["module"], run["commit"]), []).append(run)
    merged = []
    for group in groups.values():
        if len(group) < 2:
            continue
        mutants = {r["name"]: r for run in group for r in run["mutants"]}
        merged.append(
            {
                **{k: group[0][k] for k in ("module", "population", "commit")},
                "seed": " and ".join(str(run["seed"]) for run in group),
                "mutants": list(mutants.values()),
            }
        )
    return merged


def write_report() -> None:
    """REPORT.md and summary.json from the committed results."""
    summary: dict = {}
    applied: list = []  # [name, why] of each equivalent mutant counted
    for directory, read in ((OUT, dict), (OUT / "plain", plain)):
        tree = "results" if directory == OUT else "."
        runs = [
            json.loads(p.read_text())
            for p in sorted((directory / tree).glob("*.json"))
        ]
        if read is plain:
            runs.sort(key=lambda run: run["seed"])
            runs += pooled(runs)
        results = [read(run) for run in runs]
        found = notes(directory)
        seen = {k for r in results for k in r["not_killed"]}
        equivalent = {
            k: v for k, v in found["equivalent"].items() if k in seen
        }
        applied += [[k, v] for k, v in sorted(equivalent.items())]
        part = tally(results, equivalent, found["unkilled"])
        if not summary:
            summary = part
        else:
            summary["sampled"] += part["sampled"]
    summary["equivalent"] = applied
    (OUT / "REPORT.md").write_text(report(summary))
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
