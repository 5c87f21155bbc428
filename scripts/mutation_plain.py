"""A sample of a package's mutants judged in a plain tree: each mutant is
written into the source (``mutmut apply``) and the module's oracle runs
on it as it runs in the package, with no mutmut trampolines.

    .venv/bin/python scripts/mutation_plain.py checks --sample 20 --seed 6
    .venv/bin/python scripts/mutation_plain.py checks --sample 20 --seed 6 \\
        --resume --budget 3600

Why: in mutmut's own tree every call of a checks function goes through
a trampoline that the checks' profiler also sees, and mutmut's first
pass (which tests run which function) must run the whole oracle there
before any mutant: ``tests/test_practice.py`` alone took 52 minutes of
it, about 40 times its 77 s in the package, so the pass would take about
four hours.  Here nothing runs before the first mutant (making the
mutants takes 20 s), and each mutant costs one run of the oracle with
``-x``, stopped at its first failing test.

The scratch tree and its config are ``scripts/mutation.py``'s
(``prepare``: the committed package, tests and pages); the mutants come
from mutmut's own generator, so the names and the sample
(``random.Random(seed).sample``) are those ``mutation.py --sample`` draws.
The mutants run in the sample's own order, so the first k finished are
a uniform sample of k: ``--budget`` stops starting new ones after that
many seconds, and ``--resume`` goes on from ``progress.jsonl``.  The
result (``benchmarks/mutation/plain/<package>.seed<N>.json``) counts the
finished ones: a test failed or the tests could not load with the
mutant (killed; the oracle loads on the unmutated package, checked
first), the oracle ran past ``TIMEOUT``
(timeout, detected as mutmut counts it) or all passed (survived, with
its diff).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import mutation as m
import mutation_tree as tree

OUT = m.OUT / "plain"
TIMEOUT = 1800  # seconds for one run of the oracle
#: pytest exits: all passed, a test failed, interrupted (a collection
#: error), internal error or usage error (a conftest that cannot import)
STATUS = {0: "survived", 1: "killed", 2: "killed", 3: "killed", 4: "killed"}
GENERATE = (
    "import os, mutmut.__main__ as m\n"
    "m.set_mutant_under_test('mutant_generation')\n"
    "os.makedirs('mutants', exist_ok=True)\n"
    "m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths()\n"
    "m.store_lines_covered_by_tests()\n"
    "print(m.create_mutants(1))\n"
)


def generate(module: str, work: Path) -> list[str]:
    """A fresh scratch tree with every mutant made; their names, sorted."""
    m.prepare(module, work)
    subprocess.run(
        [sys.executable, "-c", GENERATE],
        cwd=work,
        env=m.env(scaled=False),
        check=True,
    )
    shutil.copytree(work / "mlp_notes", work / "pristine")
    return sorted(tree.codes(work))


def judge(module: str, work: Path, name: str) -> dict:
    """One mutant written into the plain tree, the oracle run on it."""
    shutil.rmtree(work / "mlp_notes")
    shutil.copytree(work / "pristine", work / "mlp_notes")
    m.mutmut(work, "apply", name)
    diff = subprocess.run(
        ["diff", "-ru", "pristine", "mlp_notes"],
        cwd=work,
        capture_output=True,
        text=True,
    ).stdout
    if not diff:
        raise SystemExit(f"mutmut apply {name} changed nothing")
    tests = [f"tests/{t}" for t in m.ORACLE[module]]
    start = time.monotonic()
    try:
        done = _pytest(work, *tests)
        status = STATUS.get(done.returncode)
        lines = done.stdout.strip().splitlines()
    except subprocess.TimeoutExpired:
        status, lines = "timeout", []
    if status is None:  # pytest could not run: not the mutant's verdict
        raise SystemExit(
            f"{name}: pytest exit {done.returncode}\n{lines[-20:]}"
        )
    failed = [line for line in lines if line.startswith("FAILED")][:1]
    if status == "killed" and not failed:  # the tests could not load
        failed = [line for line in lines if line.startswith("E ")][-1:]
    return {
        "name": name,
        "status": status,
        "seconds": round(time.monotonic() - start),
        "failed": failed,
        "diff": diff if status == "survived" else "",
    }


def _pytest(work: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=work,
        env=m.env(scaled=False),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )


def loads(module: str, work: Path) -> None:
    """The oracle collects on the unmutated package: from then on, a
    mutant whose tests cannot load or collect (pytest exit 2 to 4) is
    killed by them, not a fault of the harness."""
    shutil.rmtree(work / "mlp_notes")
    shutil.copytree(work / "pristine", work / "mlp_notes")
    done = _pytest(
        work, "--collect-only", *(f"tests/{t}" for t in m.ORACLE[module])
    )
    if done.returncode != 0:
        raise SystemExit(f"the oracle does not load:\n{done.stdout[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module", help="e.g. checks")
    parser.add_argument("--sample", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--budget", type=float, default=float("inf"))
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--scratch", type=Path, default=Path("/tmp/mlp-notes-mutation")
    )
    args = parser.parse_args()
    (module,) = (k for k in m.ORACLE if m.name_of(k) == args.module)
    work = args.scratch / f"{m.name_of(module)}.plain"
    progress = work / "progress.jsonl"
    if args.resume:
        commit = tree.reusable(work)
        names = sorted(tree.codes(work))
    else:
        commit = tree.commit()
        names = generate(module, work)
        (work / "stats-done.txt").write_text(commit + "\n")  # for --resume
    chosen = random.Random(args.seed).sample(names, args.sample)
    loads(module, work)
    done = (
        [json.loads(x) for x in progress.read_text().splitlines()]
        if (progress.exists())
        else []
    )
    start = time.monotonic()
    for name in chosen[len(done) :]:
        if time.monotonic() - start > args.budget:
            break
        record = judge(module, work, name)
        done.append(record)
        with progress.open("a") as f:
            f.write(json.dumps(record) + "\n")
        print(len(done), name, record["status"], record["seconds"], flush=True)
    assert [r["name"] for r in done] == chosen[: len(done)]
    write(module, commit, len(names), args, done)


def write(module: str, commit: str, population: int, args, done) -> None:
    """``plain/<package>.json``: the finished mutants of the sample."""
    counts = {
        s: sum(r["status"] == s for r in done)
        for s in ("killed", "timeout", "survived")
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{m.name_of(module)}.seed{args.seed}.json").write_text(
        json.dumps(
            {
                "module": f"mlp_notes/{module}",
                "commit": commit,
                "oracle": [f"tests/{t}" for t in m.ORACLE[module]],
                "population": population,
                "seed": args.seed,
                "planned": args.sample,
                "total": len(done),
                "seconds": sum(r["seconds"] for r in done),
                "counts": counts,
                "mutants": done,
            },
            indent=1,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
