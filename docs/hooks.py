"""MkDocs hooks: thin adapters to ``mlp_notes.site`` (the site machinery).

* ``on_pre_build`` drops ``mlp_notes`` from ``sys.modules`` (so that
  ``mkdocs serve`` picks up edits to the package) and starts the build
  monitor (``site.monitor``: runs, cache, estimate, budget, progress).
* Each executed page gets one row of actions under its title (notebook,
  Colab, report a mistake, edit) and, at its end, one folded block with
  its provenance and the API names it uses (``site.pages``).
* ``on_post_build`` writes the notebooks (``site.notebooks``), executed
  so that they carry the build's outputs, and reports the build's time
  against its estimate.
* Every code block markdown-exec runs is counted per page (Python's audit
  event "exec" for code compiled as ``<code block: ...>``, markdown-exec's
  traceback name), and the counts are written to
  ``site/executed-blocks.json``: the site tests compare them with the
  blocks pytest collects, so a fence that one of them misses fails.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

_state: dict = {"started": {}, "api": {}, "monitor": None}


class _Executions:
    """Counts the code blocks markdown-exec executes, per page."""

    def __init__(self):
        self.page: str | None = None
        self.counts: Counter = Counter()

    def __call__(self, event: str, args: tuple) -> None:
        if event == "exec" and self.page is not None:
            name = getattr(args[0], "co_filename", "")
            if name.startswith("<code block: "):
                self.counts[self.page] += 1


# An audit hook cannot be removed: register one per process (mkdocs serve
# reloads this file on every build).
if not hasattr(sys, "_mlp_notes_executions"):
    sys._mlp_notes_executions = _Executions()
    sys.addaudithook(sys._mlp_notes_executions)
_executions: _Executions = sys._mlp_notes_executions


def on_pre_build(config):
    for name in [m for m in sys.modules if m.split(".")[0] == "mlp_notes"]:
        del sys.modules[name]
    from mkdocs.exceptions import Abort

    from mlp_notes import settings, telemetry
    from mlp_notes.site import monitor
    from mlp_notes.site.practice import broken_links

    docs = Path(config["docs_dir"])
    broken = broken_links(docs / "practice", docs)
    if broken:
        raise Abort(f"mlp-notes: workbook links to no page: {broken}")
    build = monitor.BuildMonitor(settings.profile().name)
    try:
        build.start()  # the plan, the estimate, the budget
    except monitor.OverBudgetError as err:
        raise Abort(f"mlp-notes: {err}") from err
    telemetry.add_listener(build)
    _state["monitor"] = build
    _executions.counts.clear()


def on_page_markdown(markdown, page, config, files):
    from mlp_notes import settings
    from mlp_notes.site.pages import api_links

    settings.forget_page()  # a page that does not call start_page: none
    _executions.page = page.file.src_uri
    _state["started"][page.file.src_uri] = time.perf_counter()
    _state["api"][page.file.src_uri] = api_links(markdown)
    return markdown


def on_page_content(html, page, config, files):
    from mlp_notes import settings
    from mlp_notes.site import pages

    seconds = time.perf_counter() - _state["started"].pop(page.file.src_uri)
    _executions.page = None
    api = _state["api"].pop(page.file.src_uri, [])
    record = settings.page_record()
    source, depth = page.file.src_uri, page.url.count("/")
    workbook = source.startswith("practice/")  # rendered by mkdocs-jupyter
    if record is None and not workbook:
        return html
    stem = source.removesuffix(".py") if workbook else Path(source).stem
    row = pages.actions(
        stem,
        depth,
        repo_url=config["repo_url"],
        edit_uri=config["edit_uri"],
        title=page.title,
        source=source,
    )
    if workbook:
        return pages.after_title(html, row)
    if _state["monitor"] is not None:
        _state["monitor"].page_done(stem, seconds)
    about = pages.about(dict(record.__dict__), seconds, api, "../" * depth)
    return pages.after_title(html, row) + about


def on_post_build(config):
    from mlp_notes.site.notebooks import write_notebooks

    docs = Path(config["docs_dir"])
    from mlp_notes.site.pages import clean_search_index

    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if index.is_file():  # previews show math as text, not as raw TeX
        clean_search_index(index)
    record = Path(config["site_dir"]) / "executed-blocks.json"
    record.write_text(json.dumps(dict(sorted(_executions.counts.items()))))
    notebooks = Path(config["site_dir"]) / "notebooks"
    write_notebooks(docs, docs.parent, notebooks, run=True)
    from mlp_notes.site.practice import write_workbooks

    write_workbooks(docs / "practice", docs.parent, notebooks / "practice")
    _stop_monitor(finished=True)


def on_build_error(error):
    _stop_monitor(finished=False)


def _stop_monitor(finished: bool) -> None:
    """Stop listening; after a build that finished, report and check."""
    from mlp_notes import telemetry

    build, _state["monitor"] = _state["monitor"], None
    if build is not None:
        telemetry.remove_listener(build)
        if finished:
            build.finish()
