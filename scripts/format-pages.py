"""Format every executed page block like package code (ruff format).

Usage::

    python scripts/format-pages.py          # rewrite docs/*.md in place
    python scripts/format-pages.py --check  # list unformatted blocks, exit 1

Blocks are found by the one fence grammar (``mlp_notes.site.fences``);
each executed block's code goes through ``ruff format`` with the
project's settings (79 columns) and comes back with its fence's
indentation.  tests/test_site_pages.py runs the check.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlp_notes.site.fences import python_fences  # noqa: E402


def ruff_format(code: str) -> str:
    """``code`` as ``ruff format`` writes it (raises if it does not parse)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--stdin-filename",
            "page.py",
        ],
        input=code,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise SyntaxError(done.stderr.strip())
    return done.stdout


def format_page(text: str) -> tuple[str, list[int]]:
    """``text`` with its executed blocks formatted, and their changed lines."""
    lines = text.split("\n")
    changed = []
    for fence in reversed(python_fences(text)):
        if not fence.executed:
            continue
        code = fence.code.strip("\n") + "\n"
        new = ruff_format(code)
        if new == code:
            continue
        changed.append(fence.line)
        body = [
            fence.indent + x if x else x for x in new.rstrip("\n").split("\n")
        ]
        lines[fence.line : fence.end - 1] = body
    return "\n".join(lines), sorted(changed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    bad = 0
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        new, changed = format_page(text)
        for line in changed:
            print(f"{page.relative_to(ROOT)}:{line}: block not formatted")
        bad += len(changed)
        if changed and not args.check:
            page.write_text(new, encoding="utf-8")
    if args.check and bad:
        print(f"{bad} block(s): run python scripts/format-pages.py")
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
