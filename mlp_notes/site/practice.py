"""The practice workbooks (``docs/practice/<page>.py``, jupytext percent
format; mkdocs-jupyter renders and executes them on the site): how many
exercises each checks, and their downloadable notebooks.

A workbook's cells carry tags: ``install`` (installs mlp_notes when
missing), ``answer`` (the starter a learner fills in) and ``check`` (one
call of an ``mlp_notes.checks`` function).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlp_notes.site.notebooks import (
    KERNELSPEC,
    UP_LINK,
    build_commit,
    hosted_links,
    install_cell,
)


def read(path: Path) -> nbformat.NotebookNode:
    """A workbook as a notebook (jupytext reads the percent format)."""
    import jupytext

    return jupytext.read(path)


def summary(practice: Path) -> list[tuple[str, int, int]]:
    """(workbook, checked exercises, self-checked exercises) per
    workbook, in file order: an exercise is checked when it has a
    ``check`` cell."""
    rows = []
    for path in sorted(practice.glob("*.py")):
        nb = read(path)
        heads = [
            c
            for c in nb.cells
            if c.cell_type == "markdown" and "## Exercise " in c.source
        ]
        checked = sum("check" in c.metadata.get("tags", []) for c in nb.cells)
        rows.append((path.stem, checked, len(heads) - checked))
    return rows


def summary_table(practice: Path) -> str:
    """``summary`` as a Markdown table linking each workbook (a page at
    the site's root links ``practice/<workbook>/``)."""
    from mlp_notes.book import CHAPTER

    titles = {name[:-3]: f"§{sec} {title}" for name, sec, title, _ in CHAPTER}
    rows = sorted(summary(practice), key=lambda r: titles[r[0]])
    lines = [
        "| workbook | checked on the spot | self-checked |",
        "|---|---|---|",
    ]
    lines += [
        f"| [{titles[stem]}](practice/{stem}/) | {checked} | {other} |"
        for stem, checked, other in rows
    ]
    total = sum(r[1] for r in rows), sum(r[2] for r in rows)
    lines.append(f"| **all {len(rows)}** | **{total[0]}** | **{total[1]}** |")
    return "\n".join(lines)


def broken_links(practice: Path, docs: Path) -> list[str]:
    """The workbooks' links to chapter pages (``../../x/``) that name no
    page in ``docs`` (mkdocs does not check links in a rendered
    notebook; the build fails on these instead)."""
    return [
        f"{path.name}: ../../{m[1]}/"
        for path in sorted(practice.glob("*.py"))
        for m in UP_LINK.finditer(path.read_text())
        if not (docs / f"{m[1]}.md").is_file()
    ]


def write_workbooks(practice: Path, root: Path, out: Path) -> list[Path]:
    """``<out>/<workbook>.ipynb`` for download and Colab: blank answers,
    the install cell pinned to the built commit, links to the hosted
    site."""
    out.mkdir(parents=True, exist_ok=True)
    commit, written = build_commit(root), []
    for path in sorted(practice.glob("*.py")):
        nb = read(path)
        for cell in nb.cells:
            if "install" in cell.metadata.get("tags", []):
                cell.source = install_cell(commit, outputs=False)
            elif cell.cell_type == "markdown":
                cell.source = hosted_links(cell.source)
        nb.metadata.pop("jupytext", None)
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        target = out / f"{path.stem}.ipynb"
        nbformat.write(nb, str(target))
        written.append(target)
    return written
