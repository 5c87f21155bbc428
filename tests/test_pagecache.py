"""Page-output replay: the key notices changes; hooks record then replay."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlp_notes import pagecache

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_NOTES_CACHE", str(tmp_path / "cache"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n")
    return docs


def test_key_changes_with_any_page_or_extra_file(tree, tmp_path):
    extra = tmp_path / "bench.json"
    extra.write_text("{}")
    k0 = pagecache.page_key(tree, (extra,))
    assert pagecache.page_key(tree, (extra,)) == k0
    (tree / "b.md").write_text("# B\n")
    k1 = pagecache.page_key(tree, (extra,))
    extra.write_text('{"speedup": 1}')
    k2 = pagecache.page_key(tree, (extra,))
    assert len({k0, k1, k2}) == 3


def test_key_changes_with_the_profile(tree, monkeypatch):
    monkeypatch.setenv("MLP_NOTES_PROFILE", "quick")
    quick = pagecache.page_key(tree)
    monkeypatch.setenv("MLP_NOTES_PROFILE", "full")
    assert pagecache.page_key(tree) != quick


def test_save_load_roundtrip_and_key_mismatch(tree):
    out = pagecache.PageOutputs("k1", [("d", "out")], {"seed": 0}, 1.5, "x")
    pagecache.save("a", out)
    assert pagecache.load("a", "k1") == out
    assert pagecache.load("a", "k2") is None
    assert pagecache.load("missing", "k1") is None


def test_nothing_is_stored_when_caching_is_off(tree, monkeypatch):
    monkeypatch.setenv("MLP_NOTES_CACHE", "off")
    assert pagecache.directory() is None
    pagecache.save("a", pagecache.PageOutputs("k"))
    assert pagecache.load("a", "k") is None


def _hooks():
    spec = importlib.util.spec_from_file_location(
        "mlp_notes_hooks_under_test", ROOT / "docs" / "hooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hooks_record_then_replay_without_executing(
    tree, tmp_path, monkeypatch
):
    from markdown_exec._internal.formatters import python as mx_python

    # loading the hooks wraps markdown-exec's runner: undo that afterwards
    monkeypatch.setattr(mx_python, "_run_python", mx_python._run_python)
    hooks = _hooks()
    config = {
        "config_file_path": str(tmp_path / "mkdocs.yml"),
        "docs_dir": str(tree),
    }
    page = SimpleNamespace(file=SimpleNamespace(src_uri="a.md"), url="a/")
    marker = tmp_path / "ran"
    code = (
        "from mlp_notes import settings\n"
        "settings.start_page(seed=3)\n"
        f"open({str(marker)!r}, 'a').write('x')\n"
        "print('hello')\n"
    )

    def build() -> tuple[str, str]:
        hooks.on_pre_build(config)
        hooks.on_page_markdown("", page, config, None)
        out = hooks._mx_python._run_python(code, session="a")
        html = hooks.on_page_content("<h1>A</h1>", page, config, None)
        return out, html

    out1, html1 = build()
    out2, html2 = build()
    assert out1 == out2 == "hello\n"
    assert marker.read_text() == "x"  # executed once, replayed once
    assert "seed 3" in html1 and "seed 3" in html2
    assert "replayed" in html2 and "replayed" not in html1
    (tree / "a.md").write_text("# A, edited\n")
    build()
    assert marker.read_text() == "xx"  # an edit executes again


def test_api_links_follow_the_imports_of_a_page():
    hooks = _hooks_module_only()
    md = (
        "```python\n"
        "from mlp_notes import activations as act, settings\n"
        "from mlp_notes.experiments import (\n"
        "    train_run,\n    BEST_RECIPE,\n)\n"
        "from mlp_notes.training import fashion_mnist_split\n"
        "```\n"
    )
    assert hooks.api_links(md) == [
        ("activations", "mlp_notes.activations"),
        ("experiments.BEST_RECIPE", "mlp_notes.experiments"),  # a constant
        ("experiments.train_run", "mlp_notes.experiments.train_run"),
        ("settings", "mlp_notes.settings"),
        (
            "training.fashion_mnist_split",  # through its lru_cache
            "mlp_notes.training.fashion_mnist_split",
        ),
    ]


def _hooks_module_only():
    from markdown_exec._internal.formatters import python as mx_python

    before = mx_python._run_python
    try:
        return _hooks()
    finally:
        mx_python._run_python = before
