"""What the build adds to a page: API links, provenance, actions."""

import pytest

from mlp_notes.site import pages


def test_api_links_follow_the_imports_of_a_page():
    md = (
        "```python\n"
        "from mlp_notes import activations as act, settings\n"
        "from mlp_notes.runs.best import (\n"
        "    train_best,\n    BEST_RECIPE,\n)\n"
        "from mlp_notes.data import LABELS, fashion_mnist_split\n"
        "from mlp_notes.figures import diagrams\n"
        "```\n"
    )
    assert pages.api_links(md) == [
        ("activations", "mlp_notes.activations"),
        ("data.fashion_mnist.LABELS", "mlp_notes.data.fashion_mnist"),
        (
            "data.split.fashion_mnist_split",  # through its lru_cache
            "mlp_notes.data.split.fashion_mnist_split",
        ),
        ("figures.diagrams", "mlp_notes.figures.diagrams"),  # a submodule
        ("runs.best.BEST_RECIPE", "mlp_notes.runs.best"),  # a constant
        ("runs.best.train_best", "mlp_notes.runs.best.train_best"),
        ("settings", "mlp_notes.settings"),
    ]  # sorted by the link's text


def test_actions_row_and_folded_provenance():
    record = {"profile": "quick", "seed": 3, "device": "cpu"}
    line = pages.provenance(record, 1.25)
    assert "profile <strong>quick</strong>" in line and "seed 3" in line
    assert "mixed precision train in" in line and "took 1.2 s" in line
    repo = "https://github.com/mlp-notes/mlp-notes"
    row = pages.actions(
        "mlp", 1, repo_url=repo, edit_uri="edit/main/docs/", title="4.1 MLPs"
    )
    assert 'href="../notebooks/mlp.ipynb"' in row
    assert (
        'href="https://colab.research.google.com/github/mlp-notes/mlp-notes/'
        'blob/notebooks/mlp.ipynb"' in row
    )
    assert f'href="{repo}/edit/main/docs/mlp.md"' in row
    assert "issues/new?title=Mistake+on+4.1+MLPs" in row
    assert "docs%2Fmlp.md" in row and "Section%3A" in row
    about = pages.about(record, 1.25, [("stats", "mlp_notes.stats")], "../")
    assert about.startswith('<details class="mlp-about">')
    assert 'href="../api/#mlp_notes.stats"' in about and line in about
    html = "<h1>Title</h1><p>text</p>"
    assert pages.after_title(html, "<x/>") == "<h1>Title</h1><x/><p>text</p>"
    with pytest.raises(ValueError, match="set it in mkdocs.yml"):
        pages.colab_url("https://example.com/x", "mlp")


def test_pages_workflow_publishes_the_notebooks_colab_opens():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    workflow = (root / ".github" / "workflows" / "pages.yml").read_text()
    mkdocs = (root / "mkdocs.yml").read_text()
    repo_url = next(
        line.split(": ", 1)[1]
        for line in mkdocs.splitlines()
        if line.startswith("repo_url:")
    )
    url = pages.colab_url(repo_url, "mlp")
    owner_repo = pages.repository(repo_url)
    assert url == (
        f"https://colab.research.google.com/github/{owner_repo}/blob/"
        f"{pages.NOTEBOOK_BRANCH}/mlp.ipynb"
    )
    # the workflow copies the built notebooks to the root of that branch,
    # the practice workbooks under practice/ (where their buttons point)
    assert "cp -r site/notebooks/. " in workflow
    assert "practice/*.ipynb" in workflow
    practice = pages.colab_url(repo_url, "practice/mlp")
    assert practice.endswith(f"/{pages.NOTEBOOK_BRANCH}/practice/mlp.ipynb")
    assert f"origin notebooks-new:{pages.NOTEBOOK_BRANCH}" in workflow
    assert "contents: write" in workflow


def test_search_previews_show_math_as_text(tmp_path):
    import json

    assert pages.plain_math(r"\mathbf{x} \in \mathbb{R}^d") == "x ∈ R^d"
    index = tmp_path / "search_index.json"
    text = r"<p>with \(\alpha\) and \[ L = \lambda \lVert w \rVert \]</p>"
    index.write_text(json.dumps({"docs": [{"text": text}]}))
    assert pages.clean_search_index(index) == 2
    cleaned = json.loads(index.read_text())["docs"][0]["text"]
    assert "\\" not in cleaned and "with α and L = λ" in cleaned
