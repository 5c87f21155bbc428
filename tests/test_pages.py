"""Page policy: every python fence either runs (at build and under pytest)
or is explicitly display-only, and nothing on a page is silently skipped."""

import ast
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
OPENER = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})\s*(?P<info>.*)$")
ATTR = re.compile(r'(\w+)="([^"]*)"')
# Options markdown-exec and superfences understand; anything else is a typo
# the build would silently ignore (or, for markdown-exec, skip the block).
KNOWN_ATTRS = {
    "exec",
    "session",
    "source",
    "result",
    "html",
    "id",
    "title",
    "hl_lines",
    "linenums",
    "returncode",
    "tabs",
    "update_toc",
    "idprefix",
}
KNOWN_WORDS = {"notest"}
SNIPPET = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)


def python_fences(text):
    """(line, indent, info, body) of each python fence opener."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        m = OPENER.match(lines[i])
        if m:
            ticks = m["ticks"]
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(
                ticks
            ):
                end += 1
            words = m["info"].split()
            if words and words[0] in ("python", "py", "python3", "pycon"):
                body = "\n".join(lines[i + 1 : end])
                found.append((i + 1, m["indent"], m["info"], body))
            i = end + 1
        else:
            i += 1
    return found


@pytest.fixture(params=PAGES, ids=lambda p: p.name)
def page(request):
    return request.param


def test_there_are_pages():
    assert len(PAGES) >= 2


def test_every_python_fence_runs_or_is_display_only(page):
    for line, indent, info, body in python_fences(page.read_text()):
        where = f"{page.name}:{line}"
        attrs = dict(ATTR.findall(info))
        words = set(ATTR.sub("", info).split()[1:])
        assert set(attrs) <= KNOWN_ATTRS, f"{where}: unknown option {attrs}"
        assert words <= KNOWN_WORDS, f"{where}: unknown word {words}"
        assert not any(":" in w for w in words), where
        executed = attrs.get("exec") == "on"
        assert executed != ("notest" in words), (
            f"{where}: a python fence must have exactly one of "
            'exec="on" (runs at build and under pytest) or notest '
            "(display-only)"
        )
        if executed:
            assert indent == "", (
                f"{where}: executed fences must not be indented (inside an "
                "admonition or tab pytest-markdown-docs does not see them)"
            )
            assert attrs.get("session") == page.stem, (
                f"{where}: session must be the page's name {page.stem!r}"
            )
            tree = ast.parse(body)
            defs = [
                n
                for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.ClassDef))
            ]
            assert not defs, f"{where}: define code in mlp_notes, not pages"
        else:
            assert "--8<--" in body, (
                f"{where}: a display-only fence shows package code through "
                "a snippet, it does not retype it"
            )


def test_pytest_collects_exactly_the_executed_fences(page):
    """The markdown-it parser pytest-markdown-docs uses sees every
    executed fence (none hidden in admonitions or tabs)."""
    text = page.read_text()
    ours = {
        line for line, _, info, _ in python_fences(text) if 'exec="on"' in info
    }
    tokens = MarkdownIt("commonmark").parse(text)
    seen = {
        t.map[0] + 1
        for t in tokens
        if t.type == "fence" and 'exec="on"' in t.info
    }
    assert ours == seen


def test_executing_pages_start_with_seeded_block(page):
    runs = [
        body
        for _, _, info, body in python_fences(page.read_text())
        if 'exec="on"' in info
    ]
    if runs:
        assert "settings.start_page(seed=" in runs[0], (
            f"{page.name}: the first executed block must call "
            "settings.start_page(seed=...) so the seed is visible"
        )


def test_snippet_sections_exist(page):
    for ref in SNIPPET.findall(page.read_text()):
        path, _, section = ref.partition(":")
        source = ROOT / path
        assert source.is_file(), f"{page.name}: {path} does not exist"
        if section:
            text = source.read_text()
            for mark in (f"[start:{section}]", f"[end:{section}]"):
                assert mark in text, f"{page.name}: {path} lacks {mark}"


def test_pages_are_in_the_nav():
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in PAGES:
        assert f"{page.name}" in nav, f"{page.name} is not in mkdocs.yml nav"
