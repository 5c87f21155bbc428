"""The verdict a workbook check returns, and the plumbing every check
shares: call the learner's code without ever raising, turn what it
returns into a float64 tensor of the expected shape, and compare.

A check never raises on a wrong answer: an exception in the learner's
code, a NaN or inf, a wrong type or a wrong shape is a "wrong" verdict
that names the problem.  A verdict says what was compared and how far
apart, never how the reference computes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

CORRECT, WRONG, BLANK = "correct", "wrong", "not answered yet"
_MARK = {CORRECT: "✔", WRONG: "✘", BLANK: "○"}  # glyphs every font has


@dataclass(frozen=True)
class Verdict:
    """What a check found: ``status`` is one of ``CORRECT``, ``WRONG``,
    ``BLANK``; ``message`` the evidence (correct) or what is wrong and a
    hint (wrong)."""

    exercise: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        mark = _MARK[self.status]
        return f"{mark} {self.exercise}: {self.status}. {self.message}"

    __repr__ = __str__  # a notebook shows the verdict as text


class WrongAnswerError(Exception):
    """Raised inside a check to return a "wrong" verdict with a message."""


class BlankAnswerError(Exception):
    """Raised inside a check when the starter has not been filled in."""


def blank(answer) -> bool:
    """An unfilled starter: ``None`` or ``...``."""
    return answer is None or answer is Ellipsis


def call(fn, *args):
    """``fn(*args)``; the learner's exception becomes ``WrongAnswerError``."""
    if blank(fn):
        raise BlankAnswerError
    if not callable(fn):
        raise WrongAnswerError(f"expected a function, got {type(fn).__name__}")
    try:
        out = fn(*args)
    except Exception as err:  # the learner's code: any failure is a verdict
        raise WrongAnswerError(
            f"your function raised {type(err).__name__}: {err}"
        ) from None
    if blank(out):
        raise BlankAnswerError
    return out


def as_tensor(value, shape: tuple[int, ...], what: str) -> torch.Tensor:
    """``value`` (tensor, array, number or nested list) as float64 of
    ``shape``; a wrong type, shape or non-finite entry raises
    ``WrongAnswerError``."""
    try:
        t = torch.as_tensor(value, dtype=torch.float64)
    except Exception as err:
        raise WrongAnswerError(
            f"{what} should be numbers (a tensor, an array or a float); "
            f"got {type(value).__name__} ({type(err).__name__})"
        ) from None
    if tuple(t.shape) != tuple(shape):
        raise WrongAnswerError(
            f"{what} has shape {tuple(t.shape)}, expected {tuple(shape)}"
        )
    bad = int((~torch.isfinite(t)).sum())
    if bad:
        raise WrongAnswerError(f"{what} has {bad} NaN or infinite entries")
    return t


def max_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got - want).abs().max()) if got.numel() else 0.0


def judge(exercise: str, body) -> Verdict:
    """Run ``body()`` (which returns the evidence of a correct answer or
    raises ``WrongAnswerError``/``BlankAnswerError``) into a Verdict."""
    try:
        return Verdict(exercise, CORRECT, body())
    except BlankAnswerError:
        return Verdict(
            exercise, BLANK, "Fill in the cell above, then run this one."
        )
    except WrongAnswerError as err:
        return Verdict(exercise, WRONG, str(err))


def rng(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)
