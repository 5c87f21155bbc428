"""Run profiles and where cached results live.

One setting chooses the budget every page runs under: the environment
variable ``MLP_NOTES_PROFILE``.

* ``full`` (the default): the chapter's real settings; what the published
  site shows.
* ``quick``: every code path end to end on a small budget (fewer epochs,
  smaller sweeps, one seed); what the tests and CI run.

Cached runs go to ``MLP_NOTES_CACHE`` (default: the user cache directory,
e.g. ``~/.cache/mlp-notes``); set it to ``off`` to disable the cache.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import torch

PROFILE_VAR = "MLP_NOTES_PROFILE"
CACHE_VAR = "MLP_NOTES_CACHE"
T = TypeVar("T")


@dataclass(frozen=True)
class Profile:
    """A build's budget, by name; each page's study module holds the
    numbers (``mlp_notes.studies``, picked with :func:`pick`).

    Attributes:
        name: ``"full"`` or ``"quick"``.
        description: what the profile is for, in a few words.
    """

    name: str
    description: str

    def __str__(self) -> str:
        return f"profile={self.name}: {self.description}"


PROFILES = {
    "full": Profile("full", "the chapter's settings (the published site)"),
    "quick": Profile("quick", "every code path on a small budget (tests)"),
}


def profile() -> Profile:
    """The active profile, from ``$MLP_NOTES_PROFILE`` (default ``full``).

    Raises:
        ValueError: the variable names no known profile.
    """
    name = os.environ.get(PROFILE_VAR, "full").strip().lower() or "full"
    if name not in PROFILES:
        raise ValueError(
            f"{PROFILE_VAR}={name!r} is not a profile; "
            f"use one of {sorted(PROFILES)}"
        )
    return PROFILES[name]


def pick(budgets: dict[str, T], active: Profile | None = None) -> T:
    """A page's budget for the active profile.

    Each page's study module defines its own small budget dataclass and
    one value per profile, ``{"full": ..., "quick": ...}``; this returns
    the active profile's (or ``active``'s).

    Raises:
        KeyError: ``budgets`` has no entry for the profile.
    """
    name = (active or profile()).name
    if name not in budgets:
        raise KeyError(
            f"no budget for profile {name!r}: the page defines "
            f"{sorted(budgets)}"
        )
    return budgets[name]


def cache_root() -> Path:
    """Directory for downloaded data and cached runs (even if runs are off)."""
    value = os.environ.get(CACHE_VAR, "").strip()
    if value and value.lower() not in {"off", "0", "false", "no"}:
        return Path(value).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mlp-notes"))


def cache_dir() -> Path | None:
    """Directory for cached runs, or ``None`` when caching is switched off."""
    value = os.environ.get(CACHE_VAR, "").strip().lower()
    if value in {"off", "0", "false", "no"}:
        return None
    return cache_root() / "runs"


def default_device() -> torch.device:
    """CUDA when present, else the CPU (the same code runs on both)."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class PageRecord:
    """What a page's first block declares; the provenance line reads it."""

    seed: int
    profile: str
    started: float
    device: str


_page: PageRecord | None = None


def start_page(seed: int) -> Profile:
    """Seed torch's global generator and note the page's seed and profile.

    Every page calls this in its first block, so the seed is visible.

    Returns:
        The active :class:`Profile`.
    """
    global _page
    torch.manual_seed(seed)
    active = profile()
    _page = PageRecord(
        seed=seed,
        profile=active.name,
        started=time.perf_counter(),
        device=str(default_device()),
    )
    return active


def forget_page() -> None:
    """Forget the last page's record (before the next page executes)."""
    global _page
    _page = None


def page_record() -> PageRecord | None:
    """The record of the page that ran last in this process (or None)."""
    return _page


def machine() -> str:
    """A one-line description of this machine for provenance lines."""
    from mlp_notes import hardware

    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else ""
    return f"{hardware.cpu_model()}, {os.cpu_count()} cores" + (
        f", {gpu}" if gpu else ""
    )
