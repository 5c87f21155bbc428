"""Notebooks generated from the pages: converted faithfully, and each one
runs top to bottom (marker `site`: after the build wrote them)."""

from pathlib import Path

import nbformat
import pytest

from mlp_notes.site.notebooks import page_to_notebook, snippet

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RUNNING = sorted(p for p in DOCS.glob("*.md") if 'exec="on"' in p.read_text())


def test_snippet_resolves_a_section():
    code = snippet("mlp_notes/activations.py:relu", ROOT)
    assert code.startswith("def relu(") and "--8<--" not in code
    assert "def relu_grad(" in code and "def prelu(" not in code


def test_page_cells_follow_the_page(tmp_path):
    page = tmp_path / "demo.md"
    page.write_text(
        "# Demo\n\nSome prose.\n\n"
        '```python exec="on" session="demo" source="block" result="text"\n'
        "print(1 + 1)\n```\n\nMore prose.\n\n"
        '```python notest title="mlp_notes/activations.py"\n'
        '--8<-- "mlp_notes/activations.py:relu"\n```\n\nThe end.\n'
    )
    nb = page_to_notebook(page, ROOT)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds == [
        "code",
        "markdown",
        "code",
        "markdown",
        "markdown",
        "markdown",
    ]
    assert "find_spec" in nb.cells[0].source  # install cell first
    assert nb.cells[2].source == "print(1 + 1)"
    assert "def relu(" in nb.cells[4].source
    assert nb.cells[-1].source == "The end."


def test_unmarked_python_fence_is_an_error(tmp_path):
    page = tmp_path / "bad.md"
    page.write_text("```python\nprint(1)\n```\n")
    with pytest.raises(ValueError, match="neither"):
        page_to_notebook(page, ROOT)


@pytest.mark.site
@pytest.mark.parametrize("page", RUNNING, ids=lambda p: p.stem)
def test_generated_notebook_runs(page):
    from nbclient import NotebookClient

    path = ROOT / "site" / "notebooks" / f"{page.stem}.ipynb"
    if not path.is_file():
        pytest.fail(f"{path} missing: run `mkdocs build` first")
    nb = nbformat.read(str(path), as_version=4)
    code_cells = sum(c.cell_type == "code" for c in nb.cells)
    assert code_cells == 1 + page.read_text().count('exec="on"')
    NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
    ).execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors
