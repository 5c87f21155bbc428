"""Mutation testing of the chapter's code with mutmut (pinned in
constraints.txt), one module at a time, each against its own tests.

    .venv/bin/python scripts/mutation.py                 # every module
    .venv/bin/python scripts/mutation.py activations optim
    .venv/bin/python scripts/mutation.py --report        # report only

For each module the script extracts the committed ``mlp_notes/``,
``tests/`` and ``docs/`` (``git archive HEAD``) into a scratch directory
(mutmut writes its ``mutants/`` tree there, never in this checkout),
writes a ``pyproject.toml`` whose ``[tool.mutmut]`` section names the
module and its test files, and runs ``mutmut run`` with one child
process and one thread. Each mutant is judged only by the module's own
test files (``ORACLE``), in the quick profile. The outcome of every
mutant, and the diff of each survivor, is written to
``benchmarks/mutation/results/<module>.json``; ``--report`` combines
those with ``benchmarks/mutation/equivalent.json`` (survivors that no
test can kill, each with a one-line reason) into
``benchmarks/mutation/REPORT.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "mutation"
VENV_BIN = Path(sys.executable).parent

# module (path under mlp_notes/) -> its own test files, the oracle
ORACLE = {
    "activations.py": ["test_activations.py"],
    "initialization.py": ["test_initialization.py"],
    "regularization.py": ["test_regularization.py"],
    "dropout.py": ["test_dropout.py"],
    "backprop.py": ["test_backprop.py"],
    "footprint.py": ["test_footprint.py"],
    "optim.py": ["test_optim.py"],
    "polynomial.py": ["test_polynomial.py"],
    "capacity.py": ["test_capacity.py"],
    "weight_decay.py": ["test_weight_decay.py"],
    "stability.py": ["test_stability.py"],
    "expressivity.py": ["test_expressivity.py"],
    "gradcheck.py": ["test_gradcheck.py"],
    "selection.py": ["test_selection.py"],
    "models.py": ["test_models.py"],
    "checks/": [
        "test_practice.py",
        "test_checks_guard.py",
        "test_checks_shift.py",
    ],
}
STATUS = {  # mutmut's exit codes (mutmut.stats.status_by_exit_code)
    1: "killed",
    3: "killed",
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    36: "timeout",
    24: "timeout",
    -24: "timeout",
    152: "timeout",
    255: "timeout",
    -11: "segfault",
    -9: "segfault",
    None: "not checked",
}
PRELOAD = (  # heavy third-party imports, shared by every mutant's process
    "torch",
    "torch.nn.functional",
    "torch.distributions",
    "torch._dynamo",
    "numpy",
    "hypothesis",
    "jupytext",
    "markdown",
)
ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MLP_NOTES_PROFILE": "quick",
    "MPLBACKEND": "Agg",
    "HYPOTHESIS_PROFILE": "mutation",
}


def name_of(module: str) -> str:
    return module.rstrip("/").removesuffix(".py").replace("/", ".")


def prepare(module: str, work: Path) -> None:
    """A scratch project: the committed package, tests and pages (HEAD,
    through ``git archive``: uncommitted work in the checkout plays no
    part) and a config."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "HEAD", "mlp_notes", "tests", "docs"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
    tests = [f"tests/{t}" for t in ORACLE[module]]
    (work / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n'
        'addopts = "-p no:cacheprovider -p no:markdown-docs -x -q"\n'
        "\n[tool.mutmut]\n"
        f'source_paths = ["mlp_notes/{module}"]\n'
        'also_copy = ["mlp_notes/", "docs/"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        # Each mutant's process imports mlp_notes afresh (import-time code
        # such as checks' isolation.seal runs mutated); the fork server
        # preloads only third-party modules.
        'process_isolation = "forkserver"\n'
        'forkserver_warmup = "import"\n'
        f'preload_modules_file = "{work / "preload.txt"}"\n'
    )
    (work / "preload.txt").write_text("\n".join(PRELOAD) + "\n")


def run(module: str, scratch: Path) -> dict:
    """Run mutmut on one module; its outcome per mutant."""
    work = scratch / name_of(module)
    prepare(module, work)
    env = os.environ | ENV
    env["MLP_NOTES_CACHE"] = str(ROOT / ".cache" / "quick")
    log = work / "mutmut.log"
    start = time.monotonic()
    with log.open("w") as f:
        subprocess.run(
            [str(VENV_BIN / "mutmut"), "run", "--max-children", "1"],
            cwd=work,
            env=env,
            stdout=f,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.monotonic() - start
    codes: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.meta"):
        codes |= json.loads(meta.read_text())["exit_code_by_key"]
    outcome = {k: STATUS.get(v, "suspicious") for k, v in codes.items()}
    if not outcome or all(v == "not checked" for v in outcome.values()):
        tail = log.read_text()[-2000:]
        raise SystemExit(f"mutmut ran no mutant of {module}:\n{tail}")
    survivors = {}
    for key, status in sorted(outcome.items()):
        if status != "killed":
            shown = subprocess.run(
                [str(VENV_BIN / "mutmut"), "show", key],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            survivors[key] = {"status": status, "diff": shown.strip()}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "module": f"mlp_notes/{module}",
        "commit": commit,
        "oracle": [f"tests/{t}" for t in ORACLE[module]],
        "seconds": round(seconds),
        "counts": {
            s: sum(v == s for v in outcome.values())
            for s in sorted(set(outcome.values()))
        },
        "total": len(outcome),
        "not_killed": survivors,
    }


def report() -> str:
    """REPORT.md from the results and the equivalent-mutant list."""
    equivalent = json.loads((OUT / "equivalent.json").read_text())
    rows, totals = [], dict.fromkeys(("total", "killed", "equiv", "open"), 0)
    open_list, equiv_list = [], []
    for path in sorted((OUT / "results").glob("*.json")):
        r = json.loads(path.read_text())
        killed = r["counts"].get("killed", 0)
        eq = [k for k in r["not_killed"] if k in equivalent]
        left = [k for k in r["not_killed"] if k not in equivalent]
        equiv_list += [(k, equivalent[k]) for k in eq]
        open_list += [(k, r["not_killed"][k]["status"]) for k in left]
        scored = r["total"] - len(eq)
        score = 100 * killed / scored if scored else 100.0
        rows.append(
            f"| `{r['module']}` | {r['total']} | {killed} | {len(eq)} | "
            f"{len(left)} | {score:.1f} % | {r['seconds']} s |"
        )
        totals["total"] += r["total"]
        totals["killed"] += killed
        totals["equiv"] += len(eq)
        totals["open"] += len(left)
    scored = totals["total"] - totals["equiv"]
    score = 100 * totals["killed"] / scored if scored else 100.0
    lines = [
        "# Mutation testing of the chapter's code",
        "",
        "Generated by `scripts/mutation.py --report` from `results/` and "
        "`equivalent.json`; reproduce with `.venv/bin/python "
        "scripts/mutation.py` (mutmut, pinned in constraints.txt; one "
        "module at a time, each judged only by its own test files, quick "
        "profile, one thread).",
        "",
        "| module | mutants | killed | equivalent | not killed | score | "
        "time |",
        "|---|---|---|---|---|---|---|",
        *rows,
        f"| **all** | **{totals['total']}** | **{totals['killed']}** | "
        f"**{totals['equiv']}** | **{totals['open']}** | "
        f"**{score:.1f} %** | |",
        "",
        "Score: killed / (mutants - equivalent).",
        "",
        "## Equivalent mutants",
        "",
        *[f"* `{k}`: {why}" for k, why in equiv_list],
        "",
        "## Not killed, not equivalent",
        "",
        *([f"* `{k}` ({s})" for k, s in open_list] or ["None."]),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help="e.g. activations checks")
    parser.add_argument("--report", action="store_true")
    parser.add_argument(
        "--scratch", type=Path, default=Path("/tmp/mlp-notes-mutation")
    )
    args = parser.parse_args()
    if not args.report:
        keys = {name_of(m): m for m in ORACLE}
        chosen = [keys[m] for m in args.modules] or list(ORACLE)
        (OUT / "results").mkdir(parents=True, exist_ok=True)
        for module in chosen:
            result = run(module, args.scratch)
            path = OUT / "results" / f"{name_of(module)}.json"
            path.write_text(json.dumps(result, indent=1) + "\n")
            print(module, result["counts"], f"{result['seconds']} s")
    if (OUT / "equivalent.json").exists():
        (OUT / "REPORT.md").write_text(report())


if __name__ == "__main__":
    main()
