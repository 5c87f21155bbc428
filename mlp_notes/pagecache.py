"""Replay a page's executed output when nothing it could depend on changed.

Training runs are cached one by one (``mlp_notes.cache``), but a page also
computes things that are not runs: Monte Carlo checks, Hessians, polynomial
fits, figures.  For a rebuild with nothing changed, the build hooks record
the output of every executed block of a page and replay it next time,
without executing anything, when the *page key* is unchanged.

The key is deliberately coarse, so a stale page cannot slip through: it
hashes every Markdown page under ``docs/`` (a page may read others, as the
index does), every module of ``mlp_notes``, the stored benchmark results,
the profile, and the versions of Python and torch.  Any edit to any of them
makes every page execute again (its training runs still come from the run
cache).  Tests never replay: pytest always executes every block.

Where: ``$MLP_NOTES_CACHE/pages`` (switched off with the run cache).
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from pathlib import Path

import torch

from mlp_notes import settings

PACKAGE = Path(__file__).resolve().parent


def page_key(docs: Path, extra: tuple[Path, ...] = ()) -> str:
    """Hash of everything a page's output may depend on (see above)."""
    h = hashlib.sha256()
    h.update(
        f"{settings.profile().name} {platform.python_version()} "
        f"{torch.__version__} {settings.default_device().type}".encode()
    )
    files = [
        *sorted(docs.rglob("*.md")),
        *sorted(PACKAGE.glob("*.py")),
        *sorted(extra),
    ]
    for path in files:
        h.update(str(path.name).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:20]


@dataclass
class PageOutputs:
    """The recorded outputs of one page, in execution order."""

    key: str
    blocks: list[tuple[str, str]] = field(default_factory=list)
    record: dict | None = None  # the page's settings.PageRecord fields
    seconds: float = 0.0
    date: str = ""

    @staticmethod
    def code_digest(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()[:16]


def directory() -> Path | None:
    """Where page outputs are kept (None: caching is off)."""
    runs = settings.cache_dir()
    return None if runs is None else runs.parent / "pages"


def load(name: str, key: str) -> PageOutputs | None:
    """The stored outputs of page ``name`` under ``key``, if any."""
    where = directory()
    path = None if where is None else where / f"{name}.json"
    if path is None or not path.is_file():
        return None
    data = json.loads(path.read_text())
    if data.get("key") != key:
        return None
    data["blocks"] = [tuple(b) for b in data["blocks"]]
    return PageOutputs(**data)


def save(name: str, outputs: PageOutputs) -> None:
    """Store a page's outputs (one file per page, the latest key wins)."""
    where = directory()
    if where is None:
        return
    where.mkdir(parents=True, exist_ok=True)
    tmp = where / f".{name}.json.tmp"
    tmp.write_text(json.dumps(outputs.__dict__))
    tmp.replace(where / f"{name}.json")
