"""Mutation testing of the chapter's code with mutmut (pinned in
constraints.txt), one module at a time, each against its own tests.

    .venv/bin/python scripts/mutation.py [MODULE ...] [--report]
    .venv/bin/python scripts/mutation.py checks --sample 200 --seed 2

For each module the script extracts the committed ``mlp_notes/``,
``tests/`` and ``docs/`` (``git archive HEAD``) into a scratch directory
(mutmut's ``mutants/`` tree goes there, never in this checkout), writes
a config naming the module and its own test files (``ORACLE``) and runs
``mutmut run`` (one child process, one thread, quick profile); the
outcome of every mutant and the diff of each one not killed go to
``benchmarks/mutation/results/<module>.json``. ``--report`` combines
those with ``equivalent/<module>.json`` (survivors no test can kill,
each with a reason) and ``unkilled/<module>.json`` (survivors left alive,
with why; they count as survived) into ``REPORT.md`` and
``summary.json`` (what the results page reads). ``--sample N`` runs a
uniform random sample of N mutants (``--seed``) of a package too slow to
mutate in full, reported as an estimate with its interval; with
``--reuse`` it draws the sample from the scratch tree of an earlier run
(mutants and test stats, of the same committed code) instead of making
it again (mutmut's first pass over the checks' oracle takes an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import mutation_tree as tree
from mutation_report import DETECTED, write_report
from mutmut.stats import status_by_exit_code as STATUS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "mutation"
VENV_BIN = Path(sys.executable).parent
TRAINING = ["test_steps.py", "test_training.py"]
CHECKS_TESTS = "practice checks_guard checks_messages checks_tripwire".split()

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
    "training/steps.py": TRAINING,
    "training/backprop_sgd.py": TRAINING,
    "training/batches.py": TRAINING,
    "training/teaching.py": TRAINING,
    "training/loop.py": TRAINING,
    "checks/": [f"test_{t}.py" for t in CHECKS_TESTS],
}
# A test that fails in mutmut's rewritten tree whatever the mutant: each
# mutant of a function (nested ones too) is a copy of it, same file.
NEVER_A_COPY = (
    "test_checks_tripwire.py::test_the_packages_own_code_is_never_a_copy"
)
DESELECT = {"checks/": [f"tests/{NEVER_A_COPY}"]}
# A function run when its package is imported (checks' ``seal`` and what
# it calls) is recorded by mutmut's coverage pass against whichever test
# imported the package first (and any test that calls it directly), so
# its mutants would be judged by those tests alone.  Every function
# recorded against the importing test is judged by the whole oracle
# instead (``widen``).
IMPORT_TIME = {"checks/": "mlp_notes.checks.isolation.x_seal"}
# The checks' time limit in mutation runs (a scratch conftest.py).
LIMITS = "from mlp_notes.checks import guard\n"
LIMITS += "guard.LIMITS.seconds = guard.LIMITS.first = 60.0\n"
# heavy third-party imports, shared by every mutant's process
PRELOAD = "torch torch.nn.functional torch.distributions torch._dynamo numpy"
PRELOAD += " hypothesis jupytext markdown"
ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
ENV |= {"MLP_NOTES_PROFILE": "quick", "HYPOTHESIS_PROFILE": "mutation"}
# the checks' timing tests, their times scaled (tests/timing.py): in
# mutmut's tree a check's own work outlasts their 0.3 s limits
ENV |= {"MLP_NOTES_TIME_SCALE": "20"}


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
    deselect = "".join(f" --deselect {t}" for t in DESELECT.get(module, []))
    (work / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n'
        # mutmut lists the tests with --collect-only, where syrupy would
        # call every snapshot unused and fail
        # (and every run's outcome goes to pytest.xml: mutmut shows none
        # of pytest's output when its first pass fails)
        'addopts = "-p no:cacheprovider -p no:markdown-docs -x -q '
        f'--snapshot-warn-unused --junitxml={work / "pytest.xml"}{deselect}"\n'
        "\n[tool.mutmut]\n"
        f'source_paths = ["mlp_notes/{module}"]\n'
        'also_copy = ["mlp_notes/", "docs/", "conftest.py"]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        # Each mutant's process imports mlp_notes afresh (import-time code
        # such as checks' isolation.seal runs mutated); the fork server
        # preloads only third-party modules.
        'process_isolation = "forkserver"\n'
        'forkserver_warmup = "import"\n'
        f'preload_modules_file = "{work / "preload.txt"}"\n'
    )
    (work / "preload.txt").write_text("\n".join(PRELOAD.split()) + "\n")
    if module == "checks/":  # mutmut's coverage pass slows every call
        (work / "conftest.py").write_text(LIMITS)


def env(scaled: bool = True) -> dict:
    """The oracle's environment: one thread, the quick profile and its
    cache; ``scaled``: with the time scale mutmut's slower tree needs."""
    out = os.environ | ENV
    if not scaled:
        out.pop("MLP_NOTES_TIME_SCALE")
    out["MLP_NOTES_CACHE"] = str(ROOT / ".cache" / "quick")
    return out


def mutmut(work: Path, *args: str, log=None) -> str:
    done = subprocess.run(
        [str(VENV_BIN / "mutmut"), *args],
        cwd=work,
        env=env(),
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        text=True,
        check=False,
    )
    return (done.stdout or "").strip()


def run(module: str, scratch: Path) -> dict[str, dict]:
    """Run mutmut on one module (or package); its results by module."""
    work = scratch / name_of(module)
    prepare(module, work)
    commit = tree.commit()  # the one archived (HEAD may move during the run)
    start = time.monotonic()
    with (work / "mutmut.log").open("w") as log:
        first_pass(module, work, log)
        mutmut(work, "run", "--max-children", "1", log=log)
    seconds = time.monotonic() - start
    outcome = {k: STATUS[v] for k, v in tree.codes(work).items()}
    if not outcome or all(v == "not checked" for v in outcome.values()):
        tail = (work / "mutmut.log").read_text()[-2000:]
        raise SystemExit(f"mutmut ran no mutant of {module}:\n{tail}")
    by_module: dict[str, dict] = {}
    for key in sorted(outcome):
        name = re.match(r"(.*?)\.x[_ǁ]", key)[1]  # mutmut's key: module.x…
        by_module.setdefault(name, {})[key] = outcome[key]
    results = {}
    for name, found in by_module.items():
        results[name.removeprefix("mlp_notes.")] = {
            "module": name.replace(".", "/") + ".py",
            "commit": commit,
            "oracle": [f"tests/{t}" for t in ORACLE[module]],
            "seconds": round(seconds * len(found) / len(outcome)),
            "counts": {
                s: sum(v == s for v in found.values())
                for s in sorted(set(found.values()))
            },
            "total": len(found),
            "not_killed": {
                k: {"status": s, "diff": mutmut(work, "show", k)}
                for k, s in found.items()
                if s not in DETECTED
            },
        }
    return results


def first_pass(module: str, work: Path, log) -> None:
    """Generate every mutant and run the oracle once for mutmut's stats
    (which tests run which function), then stop (no mutant has the name
    given); widen the stats (``IMPORT_TIME``).  A failing test stops it
    here: named from pytest.xml, since mutmut shows nothing of it."""
    mutmut(work, "run", "--max-children", "1", "no-such-mutant", log=log)
    if not (work / "mutants" / "mutmut-stats.json").exists():
        raise SystemExit(f"mutmut's first pass failed:\n{tree.failures(work)}")
    tree.widen(IMPORT_TIME.get(module), work)


def run_sample(
    module: str, scratch: Path, n: int, seed: int, reuse: bool = False
) -> dict:
    """Run mutmut on a uniform random sample of ``n`` of a module's (or
    package's) mutants; one result for the whole of it.  ``reuse``: the
    mutants and stats of an earlier run in the same scratch tree."""
    work = scratch / f"{name_of(module)}.sample"
    if reuse:
        commit = tree.reusable(work)
    else:
        prepare(module, work)
        commit = tree.commit()  # the one archived (HEAD may move)
    start = time.monotonic()
    with (work / "mutmut.log").open("a" if reuse else "w") as log:
        if not reuse:
            first_pass(module, work, log)
            (work / "stats-done.txt").write_text(commit + "\n")
        names = sorted(tree.codes(work))
        if len(names) < n:
            raise SystemExit(f"{module}: {len(names)} mutants, fewer than {n}")
        chosen = random.Random(seed).sample(names, n)
        mutmut(work, "run", "--max-children", "1", *chosen, log=log)
    codes = tree.codes(work)
    outcome = {k: STATUS[codes[k]] for k in sorted(chosen)}
    if any(v == "not checked" for v in outcome.values()):
        tail = (work / "mutmut.log").read_text()[-2000:]
        raise SystemExit(f"mutmut left sampled mutants unchecked:\n{tail}")
    return {
        "module": f"mlp_notes/{module}",
        "commit": commit,
        "oracle": [f"tests/{t}" for t in ORACLE[module]],
        "population": len(names),
        "seed": seed,
        "seconds": round(time.monotonic() - start),
        "counts": {
            s: sum(v == s for v in outcome.values())
            for s in sorted(set(outcome.values()))
        },
        "total": n,
        "not_killed": {
            k: {"status": s, "diff": mutmut(work, "show", k)}
            for k, s in outcome.items()
            if s not in DETECTED
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help="e.g. activations checks")
    parser.add_argument("--report", action="store_true")
    parser.add_argument(
        "--scratch", type=Path, default=Path("/tmp/mlp-notes-mutation")
    )
    parser.add_argument("--sample", type=int, help="mutants to try")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reuse", action="store_true", help="a sample from an earlier tree"
    )
    args = parser.parse_args()
    if args.sample:
        (module,) = (m for m in ORACLE if name_of(m) in args.modules)
        result = run_sample(
            module, args.scratch, args.sample, args.seed, args.reuse
        )
        path = OUT / "results" / f"{name_of(module)}.sample.json"
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(path.name, result["counts"], f"{result['seconds']} s")
    elif not args.report:
        keys = {name_of(m): m for m in ORACLE}
        chosen = [keys[m] for m in args.modules] or list(ORACLE)
        (OUT / "results").mkdir(parents=True, exist_ok=True)
        for module in chosen:
            for name, result in run(module, args.scratch).items():
                path = OUT / "results" / f"{name}.json"
                path.write_text(json.dumps(result, indent=1) + "\n")
                print(name, result["counts"], f"{result['seconds']} s")
    write_report()


if __name__ == "__main__":
    main()
