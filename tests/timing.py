"""Wall-clock times in the checks' timing tests (limits, sleeps, bounds
on how long a check takes), scaled together by ``MLP_NOTES_TIME_SCALE``
(default 1).  In mutmut's tree every call of a checks function goes
through its trampoline (two more Python frames, each seen by the check's
profiler), and its first pass records each call: a check of a right
Xavier bound took 1.3 s there, 3 s in the first pass, against 0.035 s in
the package, past the 0.3 s limits these tests set (scripts/mutation.py
sets the scale to 20).  Scaling every time in a test keeps what it
tests."""

from __future__ import annotations

import os

SCALE = float(os.environ.get("MLP_NOTES_TIME_SCALE", "1"))
if not SCALE >= 1:
    raise ValueError(f"MLP_NOTES_TIME_SCALE must be 1 or more, not {SCALE}")


def s(seconds: float) -> float:
    """``seconds`` of wall-clock time, scaled."""
    return seconds * SCALE


def more_than(seconds: float) -> str:
    """The words a verdict uses for a limit of ``seconds`` (scaled)."""
    return f"more than {s(seconds):g} s"


def short_limits(monkeypatch) -> None:
    """The checks' time limits cut to 0.3 s, 0.2 s to end (scaled), for
    one test (``monkeypatch`` puts them back)."""
    from mlp_notes.checks import guard

    monkeypatch.setattr(guard.LIMITS, "seconds", s(0.3))
    monkeypatch.setattr(guard.LIMITS, "first", s(0.3))
    monkeypatch.setattr(guard.LIMITS, "grace", s(0.2))
