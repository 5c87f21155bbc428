"""Compare the printed numbers of two built sites, page by page, in bands.

Usage::

    python scripts/compare-builds.py OLD_SITE NEW_SITE [--abs A] [--rel R]

A page's text is its article in the built HTML with the figures (SVG)
left out: printed output, tables, prose and code alike.  Lines are
paired by their shape (the line with every number replaced by
``#``), in order, with difflib; the numbers of a paired line are
compared one by one.  A number agrees when
``|a - b| <= abs + rel * max(|a|, |b|)``.  Numbers that report a time or
a speed (followed by s, ms, min, s/run, "x faster", steps/s, ×) vary with
the host, so they get a factor-of-two band instead; the other numbers on
the same line do not.  Pages only in the new build are listed.  Integers
that are part of a line's identity (epochs, widths, seeds) are compared
the same way, so a changed setting shows up as a disagreement.

With ``--outputs`` only what the pages' code printed is compared (the
``<div class="result">`` blocks markdown-exec writes: text, tables),
so prose and code that changed their wording drop out; with ``--abs 0
--rel 0`` a number agrees only when it is printed the same.

Prints, per page: lines paired, numbers in band, numbers outside, lines
only in one build (prose or code that changed shape, or output that was
added or removed); then every disagreement and every unpaired line.
Exits 1 when any number lies outside its band or a page is missing.
"""

from __future__ import annotations

import argparse
import difflib
import html
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
ARTICLE = re.compile(r"<article[^>]*>(.*?)</article>", re.S)
DROP = re.compile(r"<(svg|script|style)\b.*?</\1>", re.S)
TAG = re.compile(r"<[^>]+>")
#: What follows a number that reports a time, a speed or a ratio of times.
TIMING = re.compile(
    r"\s*(?:(ms|s|sec|seconds|min|minutes|hours?|s/epoch|s/run|steps/s)\b"
    r"|×|x\b|x faster)",
    re.I,
)


def printed_lines(page: Path) -> list[str]:
    """The text lines of one built page's article, figures left out."""
    found = ARTICLE.search(page.read_text(encoding="utf-8"))
    if not found:
        return []
    plain = html.unescape(TAG.sub("", DROP.sub("", found.group(1))))
    return [line.strip() for line in plain.splitlines() if line.strip()]


class _Results(HTMLParser):
    """The text inside ``<div class="result">`` blocks, SVG left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # div nesting inside a result block (0: outside)
        self.skip = 0  # svg nesting
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.skip += 1
        if tag != "div":
            return
        if self.depth:
            self.depth += 1
        elif "result" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag == "svg":
            self.skip -= 1
        elif tag == "div" and self.depth:
            self.depth -= 1
        elif tag in ("tr", "p", "li") and self.depth:
            self.text.append("\n")
        elif tag == "td" and self.depth:
            self.text.append(" | ")

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text.append(data)


def printed_outputs(page: Path) -> list[str]:
    """The lines the page's code printed (its result blocks)."""
    parser = _Results()
    parser.feed(page.read_text(encoding="utf-8"))
    lines = "".join(parser.text).splitlines()
    return [line.strip() for line in lines if line.strip()]


def shape(line: str) -> str:
    return NUMBER.sub("#", line)


def numbers(line: str) -> list[tuple[float, bool]]:
    """Each number of a line, and whether it is a time or a speed (the
    unit after it says so): only those get the timing band."""
    return [
        (float(m[0]), bool(TIMING.match(line, m.end())))
        for m in NUMBER.finditer(line)
    ]


def agrees(
    a: float, b: float, timing: bool, tol_abs: float, rel: float
) -> bool:
    if timing:
        lo, hi = sorted((abs(a), abs(b)))
        return hi <= 2 * lo + tol_abs
    return abs(a - b) <= tol_abs + rel * max(abs(a), abs(b))


def compare_page(old: list[str], new: list[str], tol_abs: float, rel: float):
    matcher = difflib.SequenceMatcher(
        a=[shape(x) for x in old], b=[shape(x) for x in new], autojunk=False
    )
    paired = in_band = 0
    outside, unpaired = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            unpaired += [f"- {x}" for x in old[i1:i2]]
            unpaired += [f"+ {x}" for x in new[j1:j2]]
            continue
        for a_line, b_line in zip(old[i1:i2], new[j1:j2]):
            paired += 1
            for (a, timing), (b, _) in zip(numbers(a_line), numbers(b_line)):
                if agrees(a, b, timing, tol_abs, rel):
                    in_band += 1
                else:
                    outside.append(f"  old: {a_line}\n  new: {b_line}")
                    break
    return paired, in_band, outside, unpaired


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--abs", type=float, default=0.02, dest="tol_abs")
    parser.add_argument("--rel", type=float, default=0.10)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=["api"],
        help="pages to leave out (default: api, code listings, no results)",
    )
    parser.add_argument(
        "--outputs",
        action="store_true",
        help="compare only what the pages' code printed",
    )
    args = parser.parse_args()
    read = printed_outputs if args.outputs else printed_lines
    failed = False
    pages = sorted(
        p.relative_to(args.old) for p in args.old.rglob("index.html")
    )
    for rel_path in pages:
        if str(rel_path.parent) in args.skip:
            continue
        new_page = args.new / rel_path
        if not new_page.exists():
            print(f"{rel_path}: missing from {args.new}")
            failed = True
            continue
        old, new = read(args.old / rel_path), read(new_page)
        if not old and not new:
            continue
        paired, in_band, outside, unpaired = compare_page(
            old, new, args.tol_abs, args.rel
        )
        print(
            f"{str(rel_path.parent):22} lines {len(old):4} -> {len(new):4}, "
            f"paired {paired:4}, numbers in band {in_band:5}, "
            f"lines outside {len(outside):3}, unpaired {len(unpaired):3}"
        )
        for item in outside:
            print(item)
        for item in unpaired:
            print("  " + item)
        failed |= bool(outside)
    for rel_path in sorted(
        p.relative_to(args.new) for p in args.new.rglob("index.html")
    ):
        if str(rel_path.parent) not in args.skip:
            if not (args.old / rel_path).exists():
                lines = len(read(args.new / rel_path))
                print(f"{rel_path.parent}: only in {args.new} ({lines} lines)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
