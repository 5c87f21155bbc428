"""MkDocs hooks: fresh package on every (re)build, and a provenance box.

* ``on_pre_build`` drops ``mlp_notes`` from ``sys.modules`` so that
  ``mkdocs serve`` picks up edits to the package.
* Every page that runs code is also written as a Jupyter notebook
  (``site/notebooks/<page>.ipynb``, see ``mlp_notes.notebooks``) and gets
  a download button.
* Each executed page gets a provenance line (profile, seed, device,
  versions, build date, how long the page took to execute) right under
  its title.  The seed and profile come from the page's own first block,
  which calls ``mlp_notes.settings.start_page(seed=...)``.
* Each executed page links the ``mlp_notes`` objects its blocks import to
  their entries in the API reference.
* A rebuild with nothing changed replays each page's recorded block
  outputs instead of executing them (``mlp_notes.pagecache``; the key
  covers every page, the package and the stored benchmark results).
"""

from __future__ import annotations

import datetime
import platform
import re
import sys
import time
from pathlib import Path

from markdown_exec._internal.formatters import python as _mx_python

_started: dict[str, float] = {}
_api: dict[str, list[tuple[str, str]]] = {}
_IMPORT = re.compile(
    r"^\s*from mlp_notes(?:\.(\w+))? import (\([^)]*\)|[^\n]+)", re.M
)


def api_links(markdown: str) -> list[tuple[str, str]]:
    """(label, API anchor) of each ``mlp_notes`` name a page imports.

    Documented functions and classes get their own entry; modules and
    other names (constants) link to their module's entry.
    """
    import importlib
    import inspect

    links: dict[str, str] = {}
    for module, names in _IMPORT.findall(markdown):
        for item in names.strip("()").split(","):
            name = item.split()[0] if item.split() else "_"  # "x as y": x
            if name.startswith("_"):
                continue
            if not module:  # from mlp_notes import settings
                links[name] = f"mlp_notes.{name}"
                continue
            obj = getattr(importlib.import_module(f"mlp_notes.{module}"), name)
            plain = inspect.unwrap(obj)  # e.g. lru_cache, cached wrappers
            documented = (
                inspect.isfunction(plain) or inspect.isclass(plain)
            ) and inspect.getdoc(plain)
            home = getattr(obj, "__module__", None) or f"mlp_notes.{module}"
            if not home.startswith("mlp_notes"):
                home = f"mlp_notes.{module}"  # e.g. a re-exported Path
                documented = False
            links[f"{home.removeprefix('mlp_notes.')}.{name}"] = (
                f"{home}.{name}" if documented else home
            )
    return sorted(links.items())


_run_python = _mx_python._run_python  # markdown-exec's, wrapped below
_replay: dict = {"key": None, "page": None, "mode": None}


def _recording_run_python(code, *args, **kwargs):
    """markdown-exec's runner, replaying or recording the page's outputs."""
    from mlp_notes.pagecache import PageOutputs

    state, digest = _replay, PageOutputs.code_digest(code)
    outputs: PageOutputs = state["page"]
    if state["mode"] == "replay":
        i = state["cursor"]
        state["cursor"] += 1
        if i >= len(outputs.blocks) or outputs.blocks[i][0] != digest:
            raise RuntimeError(
                "page cache out of step with the page: delete "
                "$MLP_NOTES_CACHE/pages and rebuild"
            )
        return outputs.blocks[i][1]
    try:
        output = _run_python(code, *args, **kwargs)
    except Exception:
        state["failed"] = True
        raise
    if outputs is not None:
        outputs.blocks.append((digest, output))
    return output


_mx_python._run_python = _recording_run_python


_monitor: dict = {}


def on_pre_build(config):
    for name in [m for m in sys.modules if m.split(".")[0] == "mlp_notes"]:
        del sys.modules[name]
    from mkdocs.exceptions import Abort

    from mlp_notes import buildplan, pagecache, settings, telemetry

    monitor = buildplan.BuildMonitor(settings.profile().name)
    try:
        monitor.start()  # the plan, the estimate, the budget
    except buildplan.OverBudgetError as err:
        raise Abort(f"mlp-notes: {err}") from err
    telemetry.add_listener(monitor)
    _monitor["current"] = monitor

    root = Path(config["config_file_path"]).parent
    results = tuple((root / "benchmarks" / "results").glob("*.json"))
    _replay["key"] = pagecache.page_key(Path(config["docs_dir"]), results)


def on_page_markdown(markdown, page, config, files):
    from mlp_notes import pagecache, settings

    settings._page = None  # a page that does not call start_page gets none
    _started[page.file.src_uri] = time.perf_counter()
    _api[page.file.src_uri] = api_links(markdown)
    name = Path(page.file.src_uri).stem
    stored = pagecache.load(name, _replay["key"])
    _replay.update(
        name=name,
        mode="replay" if stored else "record",
        page=stored or pagecache.PageOutputs(_replay["key"]),
        cursor=0,
        failed=False,
    )
    return markdown


def _page_provenance(page) -> tuple[dict | None, str]:
    """The page's record and how it was executed, replayed or recorded."""
    from mlp_notes import pagecache, settings

    seconds = time.perf_counter() - _started.pop(page.file.src_uri)
    outputs, today = _replay["page"], datetime.date.today().isoformat()
    if _replay["mode"] == "replay":
        if _replay["cursor"] != len(outputs.blocks):
            raise RuntimeError(f"page cache of {page.file.src_uri} is stale")
        return outputs.record, (
            f"Executing this page took {outputs.seconds:.1f} s on "
            f"{outputs.date}; this build replayed that output, as nothing "
            "it depends on has changed since."
        )
    record = settings.page_record()
    record = None if record is None else dict(record.__dict__)
    if not _replay["failed"]:
        outputs.record, outputs.seconds, outputs.date = record, seconds, today
        pagecache.save(_replay["name"], outputs)
    return record, f"Executing this page took {seconds:.1f} s."


def on_page_content(html, page, config, files):
    from mlp_notes import settings

    record, executed = _page_provenance(page)
    if record is None:
        return html
    import torch

    import mlp_notes
    from mlp_notes import precision

    today = datetime.date.today().isoformat()
    mixed = precision.resolve(True, record["device"])
    line = (
        f'<p class="mlp-provenance" data-profile="{record["profile"]}">'
        f"Built {today} with profile <strong>{record['profile']}</strong>, "
        f"seed {record['seed']}, on {record['device']} "
        f"({settings.machine()}; runs that ask for mixed precision train "
        f"in {mixed} here); mlp_notes {mlp_notes.__version__}, "
        f"torch {torch.__version__}, Python {platform.python_version()}. "
        f"{executed}</p>"
    )
    depth = page.url.count("/")
    href = "../" * depth + f"notebooks/{Path(page.file.src_uri).stem}.ipynb"
    button = (
        f'<p><a class="md-button mlp-notebook" href="{href}" download>'
        "Download this page as a Jupyter notebook</a></p>"
    )
    api = "../" * depth + "api/"
    used = ", ".join(
        f'<a href="{api}#{anchor}"><code>{label}</code></a>'
        for label, anchor in _api.pop(page.file.src_uri, [])
    )
    if used:
        button += f'<p class="mlp-api">API used on this page: {used}</p>'

    # right after the page title
    return re.sub(r"(</h1>)", r"\1" + line + button, html, count=1)


def on_post_build(config):
    from mlp_notes.notebooks import write_notebooks

    docs = Path(config["docs_dir"])
    write_notebooks(docs, docs.parent, Path(config["site_dir"]) / "notebooks")
    _stop_monitor(finished=True)


def on_build_error(error):
    _stop_monitor(finished=False)


def _stop_monitor(finished: bool) -> None:
    """Stop listening; after a build that finished, report and check."""
    from mlp_notes import telemetry

    monitor = _monitor.pop("current", None)
    if monitor is not None:
        telemetry.remove_listener(monitor)
        if finished:
            monitor.finish()
