"""Notebooks generated from the pages: converted faithfully, and each one
runs top to bottom (marker `site`: after the build wrote them)."""

import re
from pathlib import Path

import nbformat
import pytest

from mlp_notes.site import notebooks
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
        "code",
        "markdown",
        "code",
        "markdown",
        "markdown",
        "markdown",
    ]
    assert "find_spec" in nb.cells[0].source  # install cell first
    assert "MLP_NOTES_PROFILE" in nb.cells[1].source  # then the profile
    assert nb.cells[3].source == "print(1 + 1)"
    assert "def relu(" in nb.cells[5].source
    assert nb.cells[-1].source == "The end."


def test_unmarked_python_fence_is_an_error(tmp_path):
    page = tmp_path / "bad.md"
    page.write_text("```python\nprint(1)\n```\n")
    with pytest.raises(ValueError, match="neither"):
        page_to_notebook(page, ROOT)


@pytest.mark.site
@pytest.mark.parametrize("page", RUNNING, ids=lambda p: p.stem)
def test_generated_notebook_runs(page):
    path = ROOT / "site" / "notebooks" / f"{page.stem}.ipynb"
    if not path.is_file():
        pytest.fail(f"{path} missing: run `mkdocs build` first")
    nb = nbformat.read(str(path), as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code_cells) == 2 + page.read_text().count('exec="on"')
    # it carries the build's outputs, without errors, and they are the
    # page's: the first printed line (the profile) is on the built page
    stored = [o for c in code_cells for o in c.get("outputs", [])]
    assert stored and not [o for o in stored if o.output_type == "error"]
    first = next(o.text for o in stored if o.output_type == "stream")
    built = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
    html = (ROOT / "site" / built).read_text()
    # (a printed Markdown table is an HTML table on the page: compare words)
    words = re.findall(r"[\w.=]+", first.splitlines()[0])
    assert words and all(w in html for w in words), words
    notebooks.execute(nb, ROOT)  # and it runs again, top to bottom
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors


def test_folds_become_titles_and_links_point_to_the_site(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(
        "# T\n\n### 1. Q\n\n*Question?*\n\n"
        '??? success "Answer"\n\n'
        "    It is so; see [there](mlp-scratch.md#data).\n\n"
        '    ```python exec="on" session="p"\n    print(1)\n    ```\n\n'
        "Back outside.\n"
    )
    nb = notebooks.page_to_notebook(page, tmp_path)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "**Answer**" in text and "???" not in text
    assert "\nIt is so" in text and "    It is so" not in text
    assert f"]({notebooks.SITE}mlp-scratch/#data)" in text
    assert ".md" not in text.replace("p.md", "")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[-1] == "print(1)"


def test_install_cell_pins_the_commit_with_the_slim_extra(tmp_path):
    page = tmp_path / "p.md"
    page.write_text('# T\n\n```python exec="on" session="p"\nprint(1)\n```\n')
    nb = notebooks.page_to_notebook(page, tmp_path, commit="abc123")
    install, profile = nb.cells[0].source, nb.cells[1].source
    assert f"git+{notebooks.REPO}@abc123" in install
    assert "mlp-notes[notebook]" in install and "[docs]" not in install
    assert "download.pytorch.org/whl/cpu" in install
    assert 'setdefault("MLP_NOTES_PROFILE", "quick")' in profile
    assert len(notebooks.build_commit(Path(__file__).parents[1])) == 40


def test_install_cell_takes_a_local_checkout(monkeypatch):
    """Offline, MLP_NOTES_SOURCE=<path> installs that checkout: the cell
    itself is run, with pip and the import check stubbed."""
    import importlib.util
    import subprocess

    calls = []
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(subprocess, "check_call", calls.append)
    monkeypatch.setenv("MLP_NOTES_SOURCE", "/src/mlp-notes")
    exec(notebooks.install_cell("abc123"), {})
    assert calls[0][-1] == "mlp-notes[notebook] @ file:///src/mlp-notes"
    monkeypatch.delenv("MLP_NOTES_SOURCE")
    exec(notebooks.install_cell("abc123"), {})
    assert calls[1][-1].endswith(f"@ git+{notebooks.REPO}@abc123")


def test_profile_cell_states_each_profile_cost_from_the_plans(tmp_path):
    from mlp_notes.site.buildplan import Plan

    machine = {"cores": 2, "torch_cpu_capability": "AVX2"}
    Plan("quick", [], pages={"p": 12.4}, recorded="2026-12-01T00:00",
         machine=machine).save(tmp_path)  # fmt: skip
    Plan("full", [], pages={"p": 930.0}, recorded="2026-11-30T00:00",
         machine=machine).save(tmp_path)  # fmt: skip
    cell = notebooks.profile_cell("p", tmp_path)
    assert "quick: 12 s on 2 cores (AVX2 kernels, 2026-12-01)" in cell
    assert "full: 15.5 min on 2 cores (AVX2 kernels, 2026-11-30)" in cell
    assert "full: not measured" in notebooks.profile_cell("other", tmp_path)
    env = {}
    exec(cell.replace("os.environ", "env"), {"env": env})
    assert env == {"MLP_NOTES_PROFILE": "quick"}


def test_shipped_notebooks_state_measured_costs():
    """Every page with executed code has its quick cost in the recorded
    plan, so no notebook says "not measured" for quick."""
    root = Path(__file__).parents[1]
    for page in sorted((root / "docs").glob("*.md")):
        if 'exec="on"' in page.read_text():
            assert "quick: not measured" not in notebooks.profile_cell(
                page.stem
            ), page.name
