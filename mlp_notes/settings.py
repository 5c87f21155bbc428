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
from typing import TypeVar

import torch

PROFILE_VAR = "MLP_NOTES_PROFILE"
CACHE_VAR = "MLP_NOTES_CACHE"
T = TypeVar("T")


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
        widths: hidden widths of §4.2's width sweep.
        depths: hidden-layer counts of §4.3's depth sweep.
        lrs: learning rates of §4.2's rate sweep.
        activations: activations of §4.3's activation sweep.
        fit_steps: Adam steps of §4.1's 1-D fits.
        dropout_subset: training images of §4.6's runs (None: all).
        dropout_floor: validation accuracy §4.6's chapter runs must pass.
        stability_epochs, stability_subset: §4.8's symmetric starts.
        regression_epochs, regression_subset: §4.8's softmax regression
            and deep-network runs.
        poly_seeds: data sets of §4.4's overfitting table.
        wd_seeds: data sets of §4.5's lambda sweep.
        timing_repeats: repeats of §4.7's timings (the fastest counts).
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
    widths: tuple[int, ...]
    depths: tuple[int, ...]
    lrs: tuple[float, ...]
    activations: tuple[str, ...]
    fit_steps: int
    dropout_subset: int | None
    dropout_floor: float
    stability_epochs: int
    stability_subset: int | None
    regression_epochs: int
    regression_subset: int | None
    poly_seeds: tuple[int, ...]
    wd_seeds: tuple[int, ...]
    timing_repeats: int
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
        widths=(16, 32, 64, 128, 256, 512, 1024),
        depths=(1, 2, 3, 4),
        lrs=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
        activations=("relu", "sigmoid", "tanh", "gelu", "swish"),
        fit_steps=3000,
        dropout_subset=None,
        dropout_floor=0.75,
        stability_epochs=3,
        stability_subset=None,
        regression_epochs=5,
        regression_subset=20_000,
        poly_seeds=(0, 1, 2, 3, 4),
        wd_seeds=(0, 1, 2),
        timing_repeats=15,
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
        widths=(16, 256),
        depths=(1, 3),
        lrs=(0.1, 30.0),
        activations=("relu", "sigmoid"),
        fit_steps=400,
        dropout_subset=2_000,
        dropout_floor=0.15,  # 16 steps
        stability_epochs=1,
        stability_subset=6_000,
        regression_epochs=1,
        regression_subset=6_000,
        poly_seeds=(0, 1),
        wd_seeds=(0,),
        timing_repeats=5,
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
