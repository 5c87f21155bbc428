"""The pages' code-fence grammar, defined once.

A page's python fence is either executed (``exec="on"``: markdown-exec
runs it at build time, the pytest runner in ``docs/conftest.py`` runs it
under pytest, and the notebook generator makes it a code cell) or
display-only (``notest``: it shows package code through a snippet
include).  The page-policy tests, the pytest runner and the notebook
generator all read fences through :func:`fences`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENER = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})\s*(?P<info>.*)$")
ATTR = re.compile(r'(\w+)="([^"]*)"')
PYTHON = ("python", "py", "python3", "pycon")
SNIPPET = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$', re.M)


@dataclass(frozen=True)
class Fence:
    """One fenced block of a Markdown page.

    Attributes:
        line: the 1-based line of the opening fence.
        indent: the whitespace before it (an indented fence sits inside
            an admonition, a list or a tab).
        info: everything after the backticks.
        body: the lines between the fences.
        end: the 1-based line of the closing fence.
    """

    line: int
    indent: str
    info: str
    body: str
    end: int

    @property
    def lang(self) -> str:
        words = self.info.split()
        return words[0] if words else ""

    @property
    def options(self) -> dict[str, str]:
        """The ``key="value"`` options (markdown-exec's and superfences')."""
        return dict(ATTR.findall(self.info))

    @property
    def words(self) -> set[str]:
        """Bare words after the language (e.g. ``notest``)."""
        return set(ATTR.sub("", self.info).split()[1:])

    @property
    def is_python(self) -> bool:
        return self.lang in PYTHON

    @property
    def executed(self) -> bool:
        return self.is_python and self.options.get("exec") == "on"

    @property
    def display_only(self) -> bool:
        return self.is_python and "notest" in self.words

    @property
    def session(self) -> str:
        return self.options.get("session", "")

    @property
    def code(self) -> str:
        """The body with the fence's indentation removed."""
        n = len(self.indent)
        return (
            "\n".join(
                line[n:] if line.startswith(self.indent) else line.lstrip()
                for line in self.body.split("\n")
            )
            if n
            else self.body
        )


def fences(text: str) -> list[Fence]:
    """Every fenced block of ``text``, indented ones included, in order."""
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        m = OPENER.match(lines[i])
        if not m:
            i += 1
            continue
        ticks, end = m["ticks"], i + 1
        while end < len(lines) and not lines[end].strip().startswith(ticks):
            end += 1
        body = "\n".join(lines[i + 1 : end])
        found.append(Fence(i + 1, m["indent"], m["info"], body, end + 1))
        i = end + 1
    return found


def python_fences(text: str) -> list[Fence]:
    """The python fences of ``text``."""
    return [f for f in fences(text) if f.is_python]


def markdown_parser():
    """The markdown-it parser pytest-markdown-docs collects fences with:
    CommonMark plus MkDocs's admonitions, so that the fences of a folded
    answer (``??? success "Answer"``, indented four spaces) are fences,
    not indented code blocks.  ``docs/conftest.py`` returns it from the
    plugin's documented ``pytest_markdown_docs_markdown_it`` hook."""
    import markdown_it
    from mdit_py_plugins.admon import admon_plugin

    return markdown_it.MarkdownIt(config="commonmark").use(admon_plugin)
