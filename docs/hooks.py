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
"""

from __future__ import annotations

import datetime
import platform
import re
import sys
import time
from pathlib import Path

_started: dict[str, float] = {}


def on_pre_build(config):
    for name in [m for m in sys.modules if m.split(".")[0] == "mlp_notes"]:
        del sys.modules[name]


def on_page_markdown(markdown, page, config, files):
    from mlp_notes import settings

    settings._page = None  # a page that does not call start_page gets none
    _started[page.file.src_uri] = time.perf_counter()
    return markdown


def on_page_content(html, page, config, files):
    from mlp_notes import settings

    record = settings.page_record()
    if record is None:
        return html
    import torch

    import mlp_notes

    seconds = time.perf_counter() - _started.pop(page.file.src_uri)
    today = datetime.date.today().isoformat()
    line = (
        f'<p class="mlp-provenance" data-profile="{record.profile}">'
        f"Built {today} with profile <strong>{record.profile}</strong>, "
        f"seed {record.seed}, on {record.device} "
        f"({settings.machine()}); mlp_notes {mlp_notes.__version__}, "
        f"torch {torch.__version__}, Python {platform.python_version()}. "
        f"Executing this page took {seconds:.1f} s.</p>"
    )
    depth = page.url.count("/")
    href = "../" * depth + f"notebooks/{Path(page.file.src_uri).stem}.ipynb"
    button = (
        f'<p><a class="md-button mlp-notebook" href="{href}" download>'
        "Download this page as a Jupyter notebook</a></p>"
    )
    # right after the page title
    return re.sub(r"(</h1>)", r"\1" + line + button, html, count=1)


def on_post_build(config):
    from mlp_notes.notebooks import write_notebooks

    docs = Path(config["docs_dir"])
    write_notebooks(docs, docs.parent, Path(config["site_dir"]) / "notebooks")
