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
from dataclasses import dataclass, field
from pathlib import Path

import torch

PROFILE_VAR = "MLP_NOTES_PROFILE"
CACHE_VAR = "MLP_NOTES_CACHE"


@dataclass(frozen=True)
class Profile:
    """A training budget.  Pages read these numbers; they never hard-code one.

    Attributes:
        name: ``"full"`` or ``"quick"``.
        epochs: epochs of a chapter run (D2L uses 10).
        sweep_epochs: epochs of each point of a hyperparameter sweep.
        sweep_subset: training examples used by each sweep point
            (``None``: the whole training split).
        seeds: seeds over which spreads (mean ± std) are reported.
        paired_seeds: seeds of the comparisons that need a tighter
            interval (paired differences, see ``mlp_notes.stats``).
        best_epochs: epochs of each best-MLP run.
        best_subset: training images of the best-MLP runs (``None``: all).
        best_val_floor: validation accuracy the best MLP must exceed (the
            full profile: the benchmark MLP's published 0.8833).
        search_trials: trials of each hyperparameter-search strategy.
        search_epochs: epochs of each search trial.
        poly_epochs: epochs of the polynomial-regression demo (D2L: 400).
        poly_overfit_epochs: epochs of the 20-feature overfit demo (1500).
        wd_epochs: epochs of the weight-decay demo (D2L: 100).
    """

    name: str
    epochs: int
    sweep_epochs: int
    sweep_subset: int | None
    seeds: tuple[int, ...]
    paired_seeds: tuple[int, ...]
    best_epochs: int
    best_subset: int | None
    best_val_floor: float
    search_trials: int
    search_epochs: int
    poly_epochs: int
    poly_overfit_epochs: int
    wd_epochs: int
    extra: dict = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return (
            f"profile={self.name}: {self.epochs} epochs per chapter run, "
            f"{self.sweep_epochs} per sweep point, seeds {list(self.seeds)}"
        )


PROFILES = {
    "full": Profile(
        name="full",
        epochs=10,
        sweep_epochs=10,
        sweep_subset=None,
        seeds=(0, 1, 2),
        paired_seeds=(0, 1, 2, 3, 4),
        best_epochs=30,
        best_subset=None,
        best_val_floor=0.8833,
        search_trials=12,
        search_epochs=3,
        poly_epochs=400,
        poly_overfit_epochs=1500,
        wd_epochs=100,
    ),
    "quick": Profile(
        name="quick",
        epochs=2,
        sweep_epochs=1,
        sweep_subset=12_000,
        seeds=(0,),
        paired_seeds=(0, 1),
        best_epochs=2,
        best_subset=10_000,
        best_val_floor=0.5,
        search_trials=4,
        search_epochs=1,
        poly_epochs=100,
        poly_overfit_epochs=200,
        wd_epochs=50,
    ),
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
