"""Checks of the built site (run after `mkdocs build`; marker `site`)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
PAGES = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))


def built(stem: str) -> str:
    path = SITE / ("index.html" if stem == "index" else f"{stem}/index.html")
    if not path.is_file():
        pytest.fail(f"{path} missing: run `mkdocs build` before `-m site`")
    return path.read_text()


@pytest.mark.parametrize("stem", PAGES)
def test_page_built_without_tracebacks(stem):
    html = built(stem)
    assert "Traceback (most recent call last)" not in html
    assert "markdown-exec" not in html.lower() or "error" not in html.lower()


@pytest.mark.parametrize("stem", [p for p in PAGES if p != "index"])
def test_chapter_page_states_profile_and_has_figures(stem):
    html = built(stem)
    m = re.search(r'class="mlp-provenance" data-profile="(\w+)"', html)
    assert m, f"{stem}: no provenance line"
    assert m.group(1) in {"quick", "full"}
    assert html.count('<figure class="mlp-figure">') >= 1
    assert 'class="arithmatex"' in html


def test_mathjax_is_served_locally():
    assert (SITE / "assets/mathjax/tex-svg-full.js").stat().st_size > 1e6
    html = built("mlp")
    assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html
