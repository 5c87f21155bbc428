"""Run the pages' python fences under pytest exactly as the build does.

pytest-markdown-docs collects every python fence of ``docs/*.md`` as a
test.  Its default runner gives each fence a fresh namespace; the build
(markdown-exec) shares one namespace per ``session="..."``.  The runner
below matches the build: one namespace per (page, session), blocks run in
page order, and a block selected alone (``pytest -k``) first runs the
earlier blocks of its session.

It is registered through the plugin's runner registry, which is not a
documented API: pytest-markdown-docs is pinned in constraints.txt.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

# The tests run the quick profile unless told otherwise.
os.environ.setdefault("MLP_NOTES_PROFILE", "quick")
os.environ.setdefault("MPLBACKEND", "Agg")

from pytest_markdown_docs._runners import (  # noqa: E402
    DefaultRunner,
    register_runner,
)

from mlp_notes.site.fences import Fence, python_fences  # noqa: E402


@dataclass
class Session:
    namespace: dict = field(default_factory=lambda: {"__name__": "__main__"})
    done: set = field(default_factory=set)
    failed_at: int | None = None
    output: list = field(default_factory=list)


_sessions: dict[tuple[str, str], Session] = {}


def _run(fence: Fence, path: Path, session: Session) -> None:
    code = compile("\n" * fence.line + fence.code, str(path), "exec")
    buffer = io.StringIO()
    session.done.add(fence.line)
    try:
        with contextlib.redirect_stdout(buffer):
            exec(code, session.namespace)
    except BaseException:
        session.failed_at = fence.line
        raise
    finally:
        session.output.append(buffer.getvalue())


@register_runner(default=True)
class PageSessionRunner(DefaultRunner):
    """Shares one namespace per (page, session), like markdown-exec."""

    def runtest(self, test, args, *, asyncio_runner=None):
        path = Path(test.source_path)
        text = path.read_text("utf8")
        by_line = {f.line: f for f in python_fences(text)}
        fence = by_line[test.start_line]
        if not fence.executed:
            raise AssertionError(
                f"{path}:{fence.line}: this python fence is neither "
                'executed (exec="on") nor display-only (notest)'
            )
        name = fence.session
        session = _sessions.setdefault((str(path), name), Session())
        if session.failed_at is not None:
            raise AssertionError(
                f"an earlier block of session {name!r} (line "
                f"{session.failed_at}) failed"
            )
        for earlier in by_line.values():
            if (
                earlier.line < fence.line
                and earlier.executed
                and earlier.session == name
                and earlier.line not in session.done
            ):
                _run(earlier, path, session)
        _run(fence, path, session)


def pytest_markdown_docs_markdown_it():
    """The fence parser (see ``site.fences.markdown_parser``); this is
    pytest-markdown-docs's documented hook."""
    from mlp_notes.site.fences import markdown_parser

    return markdown_parser()
