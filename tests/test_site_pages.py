"""What the build adds to a page: API links, provenance, actions."""

from mlp_notes.site import pages


def test_api_links_follow_the_imports_of_a_page():
    md = (
        "```python\n"
        "from mlp_notes import activations as act, settings\n"
        "from mlp_notes.runs.best import (\n"
        "    train_best,\n    BEST_RECIPE,\n)\n"
        "from mlp_notes.data import LABELS, fashion_mnist_split\n"
        "from mlp_notes.site import diagrams\n"
        "```\n"
    )
    assert pages.api_links(md) == [
        ("activations", "mlp_notes.activations"),
        ("data.fashion_mnist.LABELS", "mlp_notes.data.fashion_mnist"),
        (
            "data.split.fashion_mnist_split",  # through its lru_cache
            "mlp_notes.data.split.fashion_mnist_split",
        ),
        ("runs.best.BEST_RECIPE", "mlp_notes.runs.best"),  # a constant
        ("runs.best.train_best", "mlp_notes.runs.best.train_best"),
        ("settings", "mlp_notes.settings"),
        ("site.diagrams", "mlp_notes.site.diagrams"),  # a submodule
    ]


def test_provenance_and_actions_go_right_after_the_title():
    record = {"profile": "quick", "seed": 3, "device": "cpu"}
    line = pages.provenance(record, 1.25)
    assert "profile <strong>quick</strong>" in line and "seed 3" in line
    assert "mixed precision train in" in line and "took 1.2 s" in line
    actions = pages.actions("mlp", 1, [("stats", "mlp_notes.stats")])
    assert 'href="../notebooks/mlp.ipynb"' in actions
    assert 'href="../api/#mlp_notes.stats"' in actions
    html = "<h1>Title</h1><p>text</p>"
    assert pages.after_title(html, "<x/>") == "<h1>Title</h1><x/><p>text</p>"
