"""Jupyter notebooks generated from the chapter pages (one source).

Each page becomes a notebook: prose as Markdown cells, executed blocks
(``exec="on"``) as code cells, display-only blocks (``notest``) as Markdown
cells with their snippet includes resolved into the package's code; folds
become titles and links to other pages point to the hosted site.  A first
cell installs ``mlp_notes`` at the built commit when it is missing, and a
second sets the profile (quick unless set).  The site build
writes them next to the pages; the tests execute every one.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from mlp_notes.site.fences import SNIPPET, python_fences

REPO = "https://github.com/mlp-notes/mlp-notes"
SITE = "https://mlp-notes.github.io/mlp-notes/"
FOLD = re.compile(r'^(\?\?\?\+?|!!!) \w+(?: "([^"]*)")?\s*$')
PY_LINK = re.compile(r"\]\(practice/([\w-]+)\.py\)")
# a workbook's link to a chapter page's URL (docs/practice/x.py -> ../../y/)
UP_LINK = re.compile(r"\]\(\.\./\.\./([\w-]+)/(#[^)]*)?\)")
KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3",
    "language": "python",
}
MD_LINK = re.compile(r"\]\((?!https?://|#)([\w./-]+?)\.md(#[^)]*)?\)")


def install_cell(
    commit: str, profile: str = "full", *, outputs: bool = True
) -> str:
    """The first cell: install ``mlp_notes`` at ``commit`` when missing
    (``outputs``: say that the stored outputs come from the build)."""
    about = (
        f"""\
# The outputs stored here come from the site's {profile}-profile build of
# commit {commit[:12]}; rerunning in the quick profile (the default below)
# gives different numbers.  """
        if outputs
        else "# "
    )
    return f"""\
{about}This cell installs mlp_notes at commit {commit[:12]}, with
# the notebook extra only (no docs toolchain), when it is missing.
# Without a GPU, install the CPU-only torch first (much smaller):
#   pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu
# Offline, point MLP_NOTES_SOURCE at a local checkout of the repository.
import importlib.util
import os
import subprocess
import sys

source = os.environ.get("MLP_NOTES_SOURCE", "git+{REPO}@{commit}")
if "://" not in source:  # a local checkout's path
    source = "file://" + os.path.abspath(source)
if importlib.util.find_spec("mlp_notes") is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           f"mlp-notes[notebook] @ {{source}}"])
    importlib.invalidate_caches()  # see the new packages in this kernel"""


def profile_cell(stem: str, plans: Path | None = None) -> str:
    """The second cell: choose the profile (quick unless set), with what
    each profile cost this page in the builds that recorded the plans
    (``benchmarks/plans``: a build with nothing cached, on the recorded
    machine)."""
    from mlp_notes.site.buildplan import PLANS, Plan

    lines = [
        "# The profile sets every budget of the page: quick (every code "
        "path, small",
        "# budgets) or full (the chapter's settings; the outputs stored "
        "here).",
        "# This page took, in the site builds that recorded the run plans",
        "# (nothing cached; a notebook adds a few seconds of start-up):",
    ]
    for name in ("quick", "full"):
        plan = Plan.load(name, plans or PLANS)
        seconds = None if plan is None else plan.pages.get(stem)
        if seconds is None:
            lines.append(f"#   {name}: not measured")
            continue
        m = plan.machine
        cost = (
            f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
        )
        lines.append(
            f"#   {name}: {cost} on {m.get('cores', '?')} cores "
            f"({m.get('torch_cpu_capability', '?')} kernels, "
            f"{plan.recorded[:10]})"
        )
    lines += [
        "import os",
        "",
        'os.environ.setdefault("MLP_NOTES_PROFILE", "quick")',
    ]
    return "\n".join(lines)


def build_commit(root: Path) -> str:
    """The commit being built (``git rev-parse HEAD``), or "main"."""
    import subprocess

    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() if done.returncode == 0 else "main"


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


def unfold(text: str) -> str:
    """The page with each admonition or fold (``??? success "Answer"``)
    turned into a bold title and its indented body dedented, line for
    line (a notebook has no folds, and indented text would read as code).
    """
    lines, inside = text.split("\n"), False
    for i, line in enumerate(lines):
        found = FOLD.match(line)
        if found:
            lines[i], inside = f"**{found[2] or 'Note'}**", True
        elif inside and line.startswith("    "):
            lines[i] = line[4:]
        elif inside and line.strip():
            inside = False
    return "\n".join(lines)


def hosted_links(text: str) -> str:
    """Links to other pages (``x.md#y``, a workbook ``practice/x.py``,
    and a workbook's ``../../x/#y``) point to the hosted site."""
    text = PY_LINK.sub(lambda m: f"]({SITE}practice/{m[1]}/)", text)
    text = UP_LINK.sub(lambda m: f"]({SITE}{m[1]}/{m[2] or ''})", text)
    return MD_LINK.sub(
        lambda m: (
            f"]({SITE}{'' if m[1] == 'index' else m[1] + '/'}{m[2] or ''})"
        ),
        text,
    )


def _markdown_cell(text: str):
    text = hosted_links(text)
    text = text.strip("\n")
    return nbformat.v4.new_markdown_cell(text) if text.strip() else None


def page_to_notebook(
    page: Path, root: Path, commit: str = "main", profile: str = "full"
) -> nbformat.NotebookNode:
    """Convert one chapter page into a notebook.

    Args:
        page: the Markdown file.
        root: the repository root (snippet paths are relative to it).
        commit: the commit the install cell pins.
        profile: the profile whose outputs the notebook will store.

    Raises:
        ValueError: a python fence is neither executed nor display-only.
    """
    lines = unfold(page.read_text()).split("\n")
    cells = [
        nbformat.v4.new_code_cell(install_cell(commit, profile)),
        nbformat.v4.new_code_cell(profile_cell(page.stem)),
    ]
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
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["mlp_notes"] = {"source": page.name}
    return nb


def execute(nb: nbformat.NotebookNode, root: Path) -> None:
    """Run ``nb`` top to bottom in a fresh kernel (cwd ``root``), storing
    its outputs; a cell that raises raises ``CellExecutionError``."""
    from nbclient import NotebookClient

    NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(root)}},
    ).execute()


def write_notebooks(
    docs: Path, root: Path, out: Path, *, run: bool = False
) -> list[Path]:
    """Write ``<out>/<page>.ipynb`` for every page that executes code.

    With ``run``, each notebook is executed first, in the active profile
    (the build's: its runs come from the run cache), so that it carries
    the build's outputs.
    """
    from mlp_notes import settings

    out.mkdir(parents=True, exist_ok=True)
    written, commit = [], build_commit(root)
    profile = settings.profile().name
    for page in sorted(docs.glob("*.md")):
        if 'exec="on"' not in page.read_text():
            continue
        nb = page_to_notebook(page, root, commit, profile)
        if run:
            execute(nb, root)
        path = out / f"{page.stem}.ipynb"
        nbformat.write(nb, str(path))
        written.append(path)
    return written
