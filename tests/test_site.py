"""Checks of the built site (run after `mkdocs build`; marker `site`)."""

import re
from pathlib import Path

import pytest

from mlp_notes.book import CHAPTER

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
PAGES = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
# the path part of site_url, which 404.html's absolute links start with
PREFIX = re.search(
    r"^site_url: https?://[^/]+(/.*)$", (ROOT / "mkdocs.yml").read_text(), re.M
).group(1)


def built(stem: str) -> str:
    path = SITE / ("index.html" if stem == "index" else f"{stem}/index.html")
    if not path.is_file():
        pytest.fail(f"{path} missing: run `mkdocs build` before `-m site`")
    return path.read_text()


@pytest.mark.parametrize("stem", PAGES)
def test_page_built_without_tracebacks(stem):
    html = built(stem)
    assert "Traceback (most recent call last)" not in html


@pytest.mark.parametrize("stem", [Path(c[0]).stem for c in CHAPTER])
def test_chapter_page_states_profile_and_has_figures(stem):
    html = built(stem)
    m = re.search(r'class="mlp-provenance" data-profile="(\w+)"', html)
    assert m, f"{stem}: no provenance line"
    assert m.group(1) in {"quick", "full"}
    assert html.count('<figure class="mlp-figure" id="mlp-fig-') >= 1
    assert 'class="arithmatex"' in html


def test_mathjax_is_served_locally():
    assert (SITE / "assets/mathjax/tex-svg-full.js").stat().st_size > 1e6
    html = built("mlp")
    assert "cdn.jsdelivr" not in html and "fonts.googleapis" not in html


def _links():
    """(page, href) for every <a href> and <img src> in the built site."""
    for html in sorted(SITE.rglob("*.html")):
        text = html.read_text()
        for href in re.findall(r'<(?:a|link)\b[^>]*\bhref="([^"]+)"', text):
            yield html, href
        for src in re.findall(r'<(?:img|script)\b[^>]*\bsrc="([^"]+)"', text):
            yield html, src


def test_internal_links_resolve(capsys):
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ missing: run `mkdocs build` before `-m site`")
    broken, external = [], set()
    ids: dict[Path, set] = {}
    for html, href in _links():
        if re.match(r"^[a-z]+:", href) or href.startswith("//"):
            external.add(href)
            continue
        path, _, anchor = href.partition("#")
        if path.startswith("/"):  # absolute (404.html): under site_url's path
            path = str(SITE) + "/" + path.removeprefix(PREFIX).lstrip("/")
        target = (html.parent / path).resolve() if path else html
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            broken.append(f"{html.relative_to(SITE)} -> {href}")
            continue
        if anchor and target.suffix == ".html":
            if target not in ids:
                ids[target] = set(
                    re.findall(r'\bid="([^"]+)"', target.read_text())
                )
            if anchor not in ids[target]:
                broken.append(
                    f"{html.relative_to(SITE)} -> {href} (no anchor)"
                )
    with capsys.disabled():
        print(f"\n{len(external)} external links (listed, not fetched):")
        for href in sorted(external):
            print("  ", href)
    assert not broken, "broken internal links:\n" + "\n".join(broken)


def test_build_and_pytest_execute_the_same_blocks():
    """A fence one parser misses (an indented fence inside a folded
    answer read as an indented code block) would silently drop out of the
    build or of the tests: both must count the same blocks per page."""
    import json
    import subprocess
    import sys
    from collections import Counter

    record = SITE / "executed-blocks.json"
    if not record.is_file():
        pytest.fail(f"{record} missing: run `mkdocs build` before `-m site`")
    built_counts = json.loads(record.read_text())
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "docs"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    collected = Counter(
        Path(line.split("::")[0]).name
        for line in done.stdout.splitlines()
        if "::[CodeFence#" in line
    )
    assert collected, done.stdout + done.stderr
    assert dict(collected) == built_counts
    # and the fence grammar the notebooks use agrees with both
    from mlp_notes.site.fences import python_fences

    grammar = {
        page.name: n
        for page in (ROOT / "docs").glob("*.md")
        if (n := sum(f.executed for f in python_fences(page.read_text())))
    }
    assert grammar == built_counts


def test_search_index_has_no_raw_tex_and_ranks_chapter_pages_first():
    import json

    index = json.loads((SITE / "search" / "search_index.json").read_text())
    raw = [d["location"] for d in index["docs"] if "\\(" in d["text"]]
    assert not raw, f"raw TeX in search previews: {raw[:5]}"
    boosts = {
        d["location"].split("/")[0]: d.get("boost", 1) for d in index["docs"]
    }
    assert boosts["api"] < min(boosts[s] for s in ("mlp", "dropout"))
    # a term a chapter page defines is found on that page
    for term, stem in (("pReLU", "mlp"), ("Xavier", "numerical-stability")):
        assert any(
            d["location"].startswith(f"{stem}/") and term in d["text"]
            for d in index["docs"]
        ), term


WORKBOOKS = sorted(p.stem for p in (ROOT / "docs" / "practice").glob("*.py"))


@pytest.mark.parametrize("stem", WORKBOOKS)
def test_workbook_rendered_executed_blank_and_downloadable(stem):
    """mkdocs-jupyter rendered and ran the workbook as shipped: every
    check says "not answered yet"; the page has the actions row; the
    download is a notebook with the install cell pinned; the chapter
    page's Exercises section links to it."""
    import nbformat

    from mlp_notes.site.practice import summary

    html = built(f"practice/{stem}")
    checked = dict((s, c) for s, c, _ in summary(ROOT / "docs" / "practice"))
    assert html.count("○ 4.") == checked[stem] > 0  # one verdict a check
    assert "✔ 4." not in html and "✘ 4." not in html
    assert f'href="../../notebooks/practice/{stem}.ipynb"' in html
    assert f"blob/notebooks/practice/{stem}.ipynb" in html
    assert f"edit/main/docs/practice/{stem}.py" in html
    nb = nbformat.read(SITE / "notebooks" / "practice" / f"{stem}.ipynb", 4)
    install = next(c for c in nb.cells if c.cell_type == "code")
    assert re.search(r"mlp-notes@[0-9a-f]{40}", install.source)
    text = "\n".join(c.source for c in nb.cells)
    assert "../../" not in text, "links in a download point to the site"
    assert f'href="../practice/{stem}/"' in built(stem)


def test_index_counts_the_checked_exercises():
    from mlp_notes.site.practice import summary

    rows = summary(ROOT / "docs" / "practice")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", built("index")))
    assert f"all {len(rows)} {sum(r[1] for r in rows)} " in text
