"""MkDocs hooks: thin adapters to ``mlp_notes.site`` (the site machinery).

* ``on_pre_build`` drops ``mlp_notes`` from ``sys.modules`` (so that
  ``mkdocs serve`` picks up edits to the package) and starts the build
  monitor (``site.monitor``: runs, cache, estimate, budget, progress).
* Each executed page gets its provenance line, notebook download and API
  links right under its title (``site.pages``).
* ``on_post_build`` writes the notebooks (``site.notebooks``) and reports
  the build's time against its estimate.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

_state: dict = {"started": {}, "api": {}, "monitor": None}


def on_pre_build(config):
    for name in [m for m in sys.modules if m.split(".")[0] == "mlp_notes"]:
        del sys.modules[name]
    from mkdocs.exceptions import Abort

    from mlp_notes import settings, telemetry
    from mlp_notes.site import monitor

    build = monitor.BuildMonitor(settings.profile().name)
    try:
        build.start()  # the plan, the estimate, the budget
    except monitor.OverBudgetError as err:
        raise Abort(f"mlp-notes: {err}") from err
    telemetry.add_listener(build)
    _state["monitor"] = build


def on_page_markdown(markdown, page, config, files):
    from mlp_notes import settings
    from mlp_notes.site.pages import api_links

    settings.forget_page()  # a page that does not call start_page: none
    _state["started"][page.file.src_uri] = time.perf_counter()
    _state["api"][page.file.src_uri] = api_links(markdown)
    return markdown


def on_page_content(html, page, config, files):
    from mlp_notes import settings
    from mlp_notes.site import pages

    seconds = time.perf_counter() - _state["started"].pop(page.file.src_uri)
    api = _state["api"].pop(page.file.src_uri, [])
    record = settings.page_record()
    if record is None:
        return html
    stem, depth = Path(page.file.src_uri).stem, page.url.count("/")
    insert = pages.provenance(dict(record.__dict__), seconds)
    return pages.after_title(html, insert + pages.actions(stem, depth, api))


def on_post_build(config):
    from mlp_notes.site.notebooks import write_notebooks

    docs = Path(config["docs_dir"])
    write_notebooks(docs, docs.parent, Path(config["site_dir"]) / "notebooks")
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
