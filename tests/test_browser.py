"""Every page of the built site in headless Chromium (Debian's, via
Playwright): math typeset, figures drawn, no console errors, and no
request leaving localhost.  Screenshots go to screenshots/ for a person
to look at."""

import functools
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pages() -> list[str]:
    """URL paths of every built page (from the nav's Markdown files)."""
    stems = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))
    workbooks = sorted((ROOT / "docs" / "practice").glob("*.py"))
    return ["" if s == "index" else f"{s}/" for s in stems] + [
        f"practice/{p.stem}/" for p in workbooks
    ]


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `mkdocs build` first")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


# What a reader's eye meets, measured in the page (folds open):
# - scrolling: code and output blocks and tables wider than their box;
# - covered: blocks with a word under the copy button;
# - figures: the smallest text of each figure in CSS px as drawn on the
#   page, and at the figure's natural size (the enlarged view on a phone).
MEASURE = """() => {
  const words = el => {
    const rects = [];
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode())
      for (const m of n.data.matchAll(/\\S+/g)) {
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        rects.push(...r.getClientRects());
      }
    return rects;
  };
  const overlap = (a, b) => a.left < b.right - 1 && a.right > b.left + 1
    && a.top < b.bottom - 1 && a.bottom > b.top + 1;
  const scrolling = [], covered = [];
  for (const pre of document.querySelectorAll('article pre')) {
    const code = pre.querySelector('code') || pre;
    const first = code.textContent.trim().split('\\n')[0].slice(0, 60);
    if (code.scrollWidth > code.clientWidth + 1) scrolling.push(first);
    const nav = pre.parentElement.querySelector('.md-code__nav')
      || pre.closest('.CodeMirror')?.querySelector('.zeroclipboard-container');
    if (nav && nav.getClientRects().length) {
      const box = nav.getBoundingClientRect();
      if (words(code).some(w => overlap(w, box))) covered.push(first);
    }
  }
  for (const table of document.querySelectorAll('article table'))
    if (table.scrollWidth > table.clientWidth + 1)
      scrolling.push('table: ' + table.rows[0].textContent.slice(0, 50));
  const figures = [...document.querySelectorAll('svg.mlp-figure')]
    .map(svg => {
      const sizes = [...svg.querySelectorAll('text')]
        .filter(t => t.getClientRects().length)
        .map(t => parseFloat(getComputedStyle(t).fontSize));
      const units = Math.min(...sizes);  // in the SVG's units (pt)
      const scale = svg.getBoundingClientRect().width
                    / svg.viewBox.baseVal.width;
      return {alt: svg.getAttribute('aria-label'),
              inline_px: units * scale, natural_px: units * 4 / 3};
    });
  return {scrolling, covered, figures,
          pre_total: document.querySelectorAll('article pre').length};
}"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", pages())
def test_page_renders(server, browser, path, scheme, width):
    context = browser.new_context(
        color_scheme=scheme, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    errors, outside = [], []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(server + path, wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup")
    page.evaluate("() => MathJax.startup.promise")
    name = path.strip("/").replace("/", "-") or "index"
    SHOTS.mkdir(exist_ok=True)
    # as a reader first sees it: answers folded
    page.screenshot(
        path=SHOTS / f"{name}-{scheme}-{width}.png", full_page=True
    )
    # then every fold open, so that what is inside is checked too
    page.evaluate(
        "() => document.querySelectorAll('details')"
        ".forEach(d => { d.open = true; })"
    )
    assert not outside, f"requests left localhost: {outside}"
    assert not errors, f"console errors: {errors}"
    # every math element was typeset: no raw TeX delimiters left
    raw = page.evaluate(
        """() => [...document.querySelectorAll('.arithmatex')]
             .filter(e => !e.querySelector('mjx-container'))
             .map(e => e.textContent.slice(0, 60))"""
    )
    assert not raw, f"untypeset math: {raw}"
    text = page.inner_text("article")
    assert not re.search(r"\\\(|\\\[|\$\$", text), "raw TeX in the text"
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('figure.mlp-figure svg')]
             .map(s => [s.getBoundingClientRect().width,
                        s.getBoundingClientRect().height])"""
    )
    assert all(w > 50 and h > 50 for w, h in sizes), sizes
    collapsed = page.evaluate(
        """() => [...document.querySelectorAll(
             'div.arithmatex mjx-container > svg')]
             .filter(s => s.getBoundingClientRect().width < 5).length"""
    )
    assert collapsed == 0, f"{collapsed} display equations drawn collapsed"
    measured = page.evaluate(MEASURE)
    (SHOTS / f"{name}-{scheme}-{width}.json").write_text(json.dumps(measured))
    # the copy button sits on no text, at either width
    assert not measured["covered"], f"copy button over text: {measured}"
    # text of every figure >= 9 CSS px: inline at 1280; on a phone inline
    # or in the enlarged view, which shows the figure at its natural size
    # (test_figure_enlarges checks that view)
    for fig in measured["figures"]:
        if width >= 1280:
            assert fig["inline_px"] >= 9, f"figure text too small: {fig}"
        else:
            assert max(fig["inline_px"], fig["natural_px"]) >= 9, fig
    if width >= 1280:  # nothing scrolls sideways in the desktop column
        assert not measured["scrolling"], f"scrolls: {measured}"
    if scheme == "dark":
        # figures drawn for the dark palette: no white, no black text
        wrong = page.evaluate(
            """() => [...document.querySelectorAll('svg.mlp-figure *')]
                 .map(e => [e.tagName, getComputedStyle(e).fill])
                 .filter(([tag, fill]) => fill === 'rgb(255, 255, 255)'
                         || (tag === 'text' && fill === 'rgb(0, 0, 0)'))
                 .length"""
        )
        assert wrong == 0, f"{wrong} figure elements white or black text"
    context.close()


def test_figure_enlarges(server, browser):
    """Clicking a figure opens it in a lightbox, larger than on the page."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "mlp/", wait_until="load")
    figure = page.locator("figure.mlp-figure svg").first
    before = figure.bounding_box()
    figure.click()
    enlarged = page.locator(".glightbox-container .gslide.current svg")
    enlarged.wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(1000)  # the opening animation
    after = enlarged.bounding_box()
    box = page.locator(".glightbox-container .gslide.current .gslide-inline")
    frame = box.bounding_box()
    # the whole figure is visible: inside its box, and the box in the window
    assert after["y"] >= frame["y"] - 1, (after, frame)
    assert after["y"] + after["height"] <= frame["y"] + frame["height"] + 1
    assert frame["y"] >= 0 and frame["y"] + frame["height"] <= 1000, frame
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "figure-enlarged.png")
    page.keyboard.press("Escape")
    page.locator(".glightbox-container").wait_for(
        state="detached", timeout=5000
    )
    assert not errors, errors
    assert after["width"] > 1.3 * before["width"], (before, after)
    context.close()


def test_figure_enlarges_legibly_on_a_phone(server, browser):
    """At 390 px the enlarged view shows a multi-panel figure at its
    natural size, text >= 9 px, and the reader can pan across all of it."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "mlp/", wait_until="load")
    figure = page.locator(
        'figure.mlp-figure svg[aria-label^="six activation functions"]'
    )
    figure.scroll_into_view_if_needed()
    inline = figure.bounding_box()
    figure.click()
    enlarged = page.locator(".glightbox-container .gslide.current svg")
    enlarged.wait_for(state="visible", timeout=5000)
    page.wait_for_timeout(1000)  # the opening animation
    view = page.evaluate(
        """() => {
          const svg = document.querySelector(
              '.glightbox-container .gslide.current svg');
          const pane = svg.closest('.ginlined-content');
          const units = Math.min(...[...svg.querySelectorAll('text')]
              .map(t => parseFloat(getComputedStyle(t).fontSize)));
          const scale = svg.getBoundingClientRect().width
                        / svg.viewBox.baseVal.width;
          return {text_px: units * scale,
                  svg_width: svg.getBoundingClientRect().width,
                  pane_scroll: pane.scrollWidth, pane_width: pane.clientWidth};
        }"""
    )
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "figure-enlarged-390.png")
    assert not errors, errors
    assert view["text_px"] >= 9, view
    assert view["svg_width"] > 1.5 * inline["width"], (inline, view)
    # wider than the phone, so the pane scrolls to every part of it
    assert view["pane_scroll"] >= view["svg_width"], view
    assert view["pane_width"] < view["svg_width"], view
    context.close()
