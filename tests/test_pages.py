"""Page policy: every python fence either runs (at build and under pytest)
or is explicitly display-only, and nothing on a page is silently skipped."""

import ast
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from mlp_notes.site.fences import SNIPPET, markdown_parser, python_fences

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
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


@pytest.fixture(params=PAGES, ids=lambda p: p.name)
def page(request):
    return request.param


def test_there_are_pages():
    assert len(PAGES) >= 2


def test_every_python_fence_runs_or_is_display_only(page):
    for f in python_fences(page.read_text()):
        where = f"{page.name}:{f.line}"
        attrs, words, indent, body = f.options, f.words, f.indent, f.code
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
            assert indent in ("", "    "), (
                f"{where}: an executed fence sits at the top level or inside "
                "one fold (four spaces): deeper, the parsers may disagree"
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
    """The markdown-it parser pytest-markdown-docs uses (with the
    admonition plugin, docs/conftest.py) sees every executed fence,
    folded ones included."""
    text = page.read_text()
    ours = {f.line for f in python_fences(text) if f.executed}
    tokens = markdown_parser().parse(text)
    seen = {
        t.map[0] + 1
        for t in tokens
        if t.type == "fence" and 'exec="on"' in t.info
    }
    assert ours == seen


def test_executing_pages_start_with_seeded_block(page):
    runs = [f.code for f in python_fences(page.read_text()) if f.executed]
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


def test_pinned_runner_api_of_pytest_markdown_docs():
    """docs/conftest.py registers its runner through pytest-markdown-docs'
    private runner registry, checked against the pinned version only."""
    pin = next(
        line.split("==")[1].strip()
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.startswith("pytest-markdown-docs==")
    )
    assert version("pytest-markdown-docs") == pin, (
        f"pytest-markdown-docs {version('pytest-markdown-docs')} is "
        f"installed, {pin} is pinned: docs/conftest.py uses its private "
        "pytest_markdown_docs._runners (DefaultRunner, register_runner); "
        "check that API before changing the pin"
    )
    from pytest_markdown_docs import _runners

    assert callable(_runners.register_runner) and _runners.DefaultRunner


def test_page_code_is_formatted_like_package_code():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "format-pages.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# Page blocks are drivers: import, call, print, plot, check.  Checks of
# several cases and experiments live in the page's study module
# (mlp_notes.studies), which returns what the block prints and asserts.
MAX_BLOCK = 12
MAX_SECTION = 40
SECTION = re.compile(
    r"# --8<-- \[start:(\w+)\]\n(.*?)# --8<-- \[end:\1\]", re.S
)


def test_page_blocks_are_short_drivers():
    over = {
        f"{page.name}:{fence.line}": n
        for page in PAGES
        for fence in python_fences(page.read_text(encoding="utf-8"))
        if fence.executed
        and (n := len(fence.code.strip().split("\n"))) > MAX_BLOCK
    }
    assert not over, (
        f"executed blocks over {MAX_BLOCK} lines (move the work into the "
        f"page's study module): {over}"
    )


def snippet_sections() -> dict[str, int]:
    """{"path:section": its lines} of every snippet section in the code."""
    found = {}
    for path in sorted((ROOT / "mlp_notes").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name, body in SECTION.findall(path.read_text(encoding="utf-8")):
            found[f"{rel}:{name}"] = len(body.strip().splitlines())
    return found


def test_snippet_sections_are_short_and_each_is_shown():
    sections = snippet_sections()
    assert sections, "no snippet sections found"
    long = {k: n for k, n in sections.items() if n > MAX_SECTION}
    assert not long, f"snippet sections over {MAX_SECTION} lines: {long}"
    shown = {
        ref for page in PAGES for ref in SNIPPET.findall(page.read_text())
    }
    unused = sorted(set(sections) - shown)
    assert not unused, f"snippet sections no page includes: {unused}"


def test_line_counts_of_folded_code_are_true():
    """ "mlp_notes/x.py: N lines of package code" labels state N right."""
    label = re.compile(
        r'"([\w/]+\.py): (\d+) lines of package code"\n(.*?)\n\s*```\n', re.S
    )
    sections = snippet_sections()
    for page in PAGES:
        for path, n, body in label.findall(page.read_text(encoding="utf-8")):
            refs = SNIPPET.findall(body)
            total = sum(sections[r] for r in refs if r in sections)
            assert int(n) == total, (
                f"{page.name}: {path} shows {total}, says {n}"
            )


def exercises(text: str) -> dict[str, list[str]]:
    """{exercise heading: its lines} of a page's Exercises section."""
    lines = text.split("\n")
    inside = set()
    for fence in python_fences(text):
        inside.update(range(fence.line - 1, fence.end))
    found, current, in_section = {}, None, False
    for i, line in enumerate(lines):
        if i in inside:
            if current:
                found[current].append(line)
            continue
        if line.startswith("## "):
            in_section, current = line == "## Exercises", None
        elif in_section and line.startswith("### "):
            current = line
            found[current] = []
        elif current:
            found[current].append(line)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_exercise_shows_its_question_and_folds_one_answer(page):
    for heading, body in exercises(page.read_text(encoding="utf-8")).items():
        text = [line for line in body if line.strip()]
        assert text and text[0].startswith("*") and text[0][1] != "*", (
            f"{page.name} {heading}: the question (in italics) comes first"
        )
        question = body[body.index(text[0]) :]
        question = (
            question[: question.index("")] if "" in question else question
        )
        assert question[-1].rstrip().endswith("*"), (
            f"{page.name} {heading}: the paragraph before the fold is the "
            "question only (the answer goes in the fold)"
        )
        folds = [line for line in body if line.startswith("??? ")]
        assert folds == ['??? success "Answer"'], (
            f"{page.name} {heading}: exactly one answer, folded and closed "
            f'(??? success "Answer"), found {folds}'
        )
        after = body[body.index(folds[0]) + 1 :]
        assert all(not line or line.startswith("    ") for line in after), (
            f"{page.name} {heading}: everything after the fold belongs in it"
        )


def test_every_chapter_page_has_exercises_and_pitfalls_stay_open():
    chapter = [p for p in PAGES if "## Exercises" in p.read_text()]
    assert len(chapter) == 9
    total = sum(len(exercises(p.read_text())) for p in chapter)
    assert total == 43
    for page in chapter:
        text = page.read_text()
        if "## Pitfalls" in text:
            pitfalls = text.split("## Pitfalls", 1)[1].split("\n## ", 1)[0]
            assert "\n??? " not in pitfalls, f"{page.name}: pitfalls stay open"
