"""Jupyter notebooks generated from the chapter pages (one source).

Each page becomes a notebook: prose as Markdown cells, executed blocks
(``exec="on"``) as code cells, display-only blocks (``notest``) as Markdown
cells with their snippet includes resolved into the package's code.  A
first cell installs ``mlp_notes`` when it is missing.  The site build
writes them next to the pages; the tests execute every one.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from mlp_notes.site.fences import SNIPPET, python_fences

REPO = "https://github.com/mlp-notes/mlp-notes"

INSTALL = f"""\
# Run this notebook anywhere: install mlp_notes if it is not there yet.
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("mlp_notes") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           "mlp-notes[docs] @ git+{REPO}"])"""


def snippet(ref: str, root: Path) -> str:
    """The text of ``path[:section]``, as pymdownx.snippets includes it."""
    path, _, section = ref.partition(":")
    text = (root / path).read_text()
    if not section:
        return text.rstrip("\n")
    start = text.index(f"[start:{section}]")
    start = text.index("\n", start) + 1
    end = text.rindex("\n", 0, text.index(f"[end:{section}]"))
    return text[start:end].strip("\n")


def _markdown_cell(text: str):
    text = text.strip("\n")
    return nbformat.v4.new_markdown_cell(text) if text.strip() else None


def page_to_notebook(page: Path, root: Path) -> nbformat.NotebookNode:
    """Convert one chapter page into a notebook.

    Args:
        page: the Markdown file.
        root: the repository root (snippet paths are relative to it).

    Raises:
        ValueError: a python fence is neither executed nor display-only.
    """
    lines = page.read_text().split("\n")
    cells = [nbformat.v4.new_code_cell(INSTALL)]
    pos = 0  # the next line not yet in a cell (0-based)
    for f in python_fences("\n".join(lines)):
        cells.append(_markdown_cell("\n".join(lines[pos : f.line - 1])))
        pos = f.end
        if f.executed:
            cells.append(nbformat.v4.new_code_cell(f.code.rstrip("\n")))
        elif f.display_only:
            code = SNIPPET.sub(lambda s: snippet(s[1], root), f.code)
            title = f.options.get("title")
            header = f"From `{title}`:\n\n" if title else ""
            cells.append(_markdown_cell(f"{header}```python\n{code}\n```"))
        else:
            raise ValueError(
                f'{page}:{f.line}: python fence is neither exec="on" '
                "nor notest"
            )
    cells.append(_markdown_cell("\n".join(lines[pos:])))
    nb = nbformat.v4.new_notebook()
    nb.cells = [c for c in cells if c is not None]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["mlp_notes"] = {"source": page.name}
    return nb


def write_notebooks(docs: Path, root: Path, out: Path) -> list[Path]:
    """Write ``<out>/<page>.ipynb`` for every page that executes code."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for page in sorted(docs.glob("*.md")):
        if 'exec="on"' not in page.read_text():
            continue
        nb = page_to_notebook(page, root)
        path = out / f"{page.stem}.ipynb"
        nbformat.write(nb, str(path))
        written.append(path)
    return written
