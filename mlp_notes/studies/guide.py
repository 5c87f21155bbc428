"""The guide's own tables: the chapter map and the exercise index (the
home page), the results table (the results page).

Formatting only: the results page's rows come from the runs that train
them (``studies.results``); the chapter's sections from ``book``.
"""

from __future__ import annotations

from pathlib import Path

from mlp_notes.book import CHAPTER

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _anchor(heading: str) -> str:
    """The id Python-Markdown's toc extension gives a heading."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", heading)
    text = re.sub(r"[^\w\s-]", "", text.encode("ascii", "ignore").decode())
    return re.sub(r"[-\s]+", "-", text.strip().lower())


def exercises(page: Path) -> list[tuple[str, str]]:
    """(heading, anchor) of each exercise of a page: the ``### N. ...``
    headings under its ``## Exercises`` section."""
    found, inside = [], False
    for line in page.read_text().splitlines():
        if line.startswith("## "):
            inside = line.strip() == "## Exercises"
        elif inside and line.startswith("### "):
            heading = line[4:].strip()
            found.append((heading, _anchor(heading)))
    return found


def _url(name: str, prefix: str) -> str:
    """The built URL of a page (directory URLs), relative via ``prefix``.

    Output printed by a page's code is not rewritten by MkDocs, so links
    in it must already be URLs, not ``.md`` paths.
    """
    return f"{prefix}{Path(name).stem}/"


def exercise_index(docs: Path, prefix: str = "") -> str:
    """Markdown list of every exercise, linked to its answer, by section.

    Args:
        docs: the docs directory.
        prefix: path from the calling page to the site root ("" for the
            home page, "../" for a page one level down).
    """
    lines, total = [], 0
    for name, section, title, _ in CHAPTER:
        page = docs / name
        if not page.is_file():
            raise FileNotFoundError(f"chapter page {page} is missing")
        found = exercises(page)
        total += len(found)
        url = _url(name, prefix)
        lines.append(f"**§{section} [{title}]({url})** ({len(found)})\n")
        lines += [f"- [{h}]({url}#{a})" for h, a in found]
        lines.append("")
    return f"{total} exercises in all.\n\n" + "\n".join(lines)


def section_map(prefix: str = "") -> str:
    """Markdown table: old edition section -> page -> current edition."""
    rows = [
        "| old edition (v0.17) | this guide | current edition (v1.0) |",
        "|---|---|---|",
    ]
    for name, section, title, new in CHAPTER:
        rows.append(
            f"| §{section} | [{title}]({_url(name, prefix)}) | §{new} |"
        )
    return "\n".join(rows)


def results_table(rows: list[dict], prefix: str = "../") -> str:
    """Markdown table of ``results_rows`` (links relative via ``prefix``)."""
    lines = [
        "| model | setting | params | precision | val acc | test acc "
        "| training / seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        page, _, anchor = r["where"].partition("#")
        url = _url(page, prefix) + (f"#{anchor}" if anchor else "")
        lines.append(
            f"| [{r['name']}]({url}) | {r['setting']} | "
            f"{r['params']:,} | {r['precision']} | {r['val']} | {r['test']} | "
            f"{_duration(r['minutes'])} |"
        )
    return "\n".join(lines)


def _duration(minutes: float) -> str:
    """Seconds below a minute (so a short run does not read as zero)."""
    return f"{minutes:.1f} min" if minutes >= 1 else f"{60 * minutes:.1f} s"
