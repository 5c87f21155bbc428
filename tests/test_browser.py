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
    return ["" if s == "index" else f"{s}/" for s in stems]


@pytest.fixture(scope="module")
def server():
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `mkdocs build` first")
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(SITE)
    )
    handler.log_message = lambda *a: None
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
    name = path.strip("/") or "index"
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
    # measured, not yet asserted (issue: figure text >= 9 px, no output
    # that scrolls sideways): recorded for the person reading screenshots/
    measured = page.evaluate(
        """() => ({
          min_figure_text_px: Math.min(...[...document.querySelectorAll(
              'svg.mlp-figure text')].filter(t => t.getClientRects().length)
              .map(t => { const svg = t.ownerSVGElement;
                const scale = svg.getBoundingClientRect().width
                              / svg.viewBox.baseVal.width;
                return parseFloat(getComputedStyle(t).fontSize) * scale; })),
          pre_scrolling: [...document.querySelectorAll('article pre')]
              .filter(p => p.clientWidth > 0
                      && p.scrollWidth > p.clientWidth + 1)
              .length,
          pre_total: document.querySelectorAll('article pre').length})"""
    )
    (SHOTS / f"{name}-{scheme}-{width}.json").write_text(json.dumps(measured))
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
