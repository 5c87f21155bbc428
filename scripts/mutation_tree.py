"""What scripts/mutation.py reads in and writes to mutmut's scratch
tree: the mutants' outcomes, the commit it holds, the first pass's
stats (widened) and, when that pass fails, which tests failed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]


def codes(work: Path) -> dict[str, int | None]:
    """Each mutant's exit code (None: not run yet), by mutmut's key."""
    codes: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.meta"):
        codes |= json.loads(meta.read_text())["exit_code_by_key"]
    return codes


def commit() -> str:
    """This checkout's HEAD, short."""
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def reusable(work: Path) -> str:
    """The commit whose code an earlier run's scratch tree holds, with its
    stats pass done; refused if the committed package, tests or pages
    have changed since (the stats would not be this code's)."""
    done = work / "stats-done.txt"
    if not done.exists():
        raise SystemExit(f"--reuse: no finished stats pass in {work}")
    held = done.read_text().strip()
    changed = subprocess.run(
        [
            "git",
            "diff",
            "--quiet",
            held,
            "HEAD",
            "--",
            "mlp_notes",
            "tests",
            "docs",
        ],
        cwd=ROOT,
        check=False,
    )
    if changed.returncode:
        raise SystemExit(
            f"--reuse: {work} holds {held}, changed since; run again"
        )
    return held


def failures(work: Path) -> str:
    """The failed and erroring tests in the last pytest.xml, a line each."""
    path = work / "pytest.xml"
    if not path.exists():
        return "(no pytest.xml: see mutmut.log)"
    lines = []
    for case in ElementTree.parse(path).iter("testcase"):
        for bad in (*case.iter("failure"), *case.iter("error")):
            message = (bad.get("message") or "").partition("\n")[0]
            lines.append(
                f"{case.get('classname')}::{case.get('name')}: {message}"
            )
    return "\n".join(lines) or "(no failed test in pytest.xml)"


def widen(marker: str | None, work: Path) -> list[str]:
    """Judge the functions recorded against the tests that ran
    ``marker`` (a function run at import, see mutation.py's
    ``IMPORT_TIME``) by the whole oracle instead; their names."""
    if marker is None:
        return []
    path = work / "mutants" / "mutmut-stats.json"
    stats = json.loads(path.read_text())
    tests = stats["tests_by_mangled_function_name"]
    importers = set(tests.get(marker, ()))
    if not importers:
        raise SystemExit(f"{marker} was not recorded at import")
    every = sorted(stats["duration_by_test"])
    widened = [f for f, t in tests.items() if importers & set(t)]
    for f in widened:
        tests[f] = every
    path.write_text(json.dumps(stats, indent=4))
    return widened
