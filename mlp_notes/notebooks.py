"""Jupyter notebooks generated from the chapter pages (one source).

Each page becomes a notebook: prose as Markdown cells, executed blocks
(``exec="on"``) as code cells, display-only blocks (``notest``) as Markdown
cells with their snippet includes resolved into the package's code.  A
first cell installs ``mlp_notes`` when it is missing.  The site build
writes them next to the pages; the tests execute every one.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

REPO = "https://github.com/mlp-notes/mlp-notes"
FENCE = re.compile(
    r"^(?P<ticks>```+)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=ticks)[ \t]*$",
    re.M | re.S,
)
SNIPPET = re.compile(r'^--8<--\s+"([^"]+)"\s*$', re.M)

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
    text = page.read_text()
    cells = [nbformat.v4.new_code_cell(INSTALL)]
    pos = 0
    for m in FENCE.finditer(text):
        words = m["info"].split()
        lang = words[0] if words else ""
        if lang not in ("python", "py"):
            continue
        cells.append(_markdown_cell(text[pos : m.start()]))
        pos = m.end()
        body = m["body"].rstrip("\n")
        if 'exec="on"' in m["info"]:
            cells.append(nbformat.v4.new_code_cell(body))
        elif "notest" in words:
            code = SNIPPET.sub(lambda s: snippet(s[1], root), body)
            title = re.search(r'title="([^"]+)"', m["info"])
            header = f"From `{title[1]}`:\n\n" if title else ""
            cells.append(_markdown_cell(f"{header}```python\n{code}\n```"))
        else:
            raise ValueError(
                f"{page}: python fence at offset {m.start()} "
                'is neither exec="on" nor notest'
            )
    cells.append(_markdown_cell(text[pos:]))
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
