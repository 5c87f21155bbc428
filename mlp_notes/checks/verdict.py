"""The verdict a workbook check returns, and the two ways a check's body
says that an answer is not correct: ``WrongAnswerError`` (wrong, with
what is wrong and a hint) and ``BlankAnswerError`` (not answered yet).

A verdict says what was compared and how far apart, never how the
reference computes it, the values it expects or the inputs it tried.
Its text is always a plain ``str``: whatever the learner's code returns
or raises is described by ``describe``, which cannot fail.
"""

from __future__ import annotations

from dataclasses import dataclass

CORRECT, WRONG, BLANK = "correct", "wrong", "not answered yet"
_MARK = {CORRECT: "✔", WRONG: "✘", BLANK: "○"}  # glyphs every font has
_STR = str.__str__  # an exact str copy, even of a str subclass
MAX_TEXT = 300  # characters of a learner's message kept in a verdict


def text(value, limit: int = MAX_TEXT) -> str:
    """``value`` as a plain ``str`` of at most ``limit`` characters; "?"
    when it is not a string."""
    if not issubclass(type(value), str):
        return "?"
    value = _STR(value)
    return value if len(value) <= limit else value[:limit] + "…"


def kind(value) -> str:
    """The name of ``value``'s type, without calling into ``value``."""
    try:
        return text(type.__dict__["__name__"].__get__(type(value)))
    except Exception:  # a metaclass that breaks even this
        return "object"


def describe(err: BaseException) -> str:
    """``TypeName: message`` of an exception, whatever its ``__str__``
    does (it may raise or return a non-string)."""
    try:
        message = " ".join(text(str(err)).split())  # one line, no controls
    except Exception:
        message = "(its message could not be read)"
    name = kind(err)
    return f"{name}: {message}" if message else name


@dataclass(frozen=True)
class Verdict:
    """What a check found: ``status`` is one of ``CORRECT``, ``WRONG``,
    ``BLANK``; ``message`` the evidence (correct) or what is wrong and a
    hint (wrong)."""

    exercise: str
    status: str
    message: str

    def __post_init__(self):
        if self.status not in _MARK:
            raise ValueError(f"unknown status {self.status!r}")
        for field in ("exercise", "message"):
            value = text(getattr(self, field), limit=4000)
            object.__setattr__(self, field, value)

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


def wrong(message: str) -> WrongAnswerError:
    """``raise wrong("...")`` in a check's body: a "wrong" verdict."""
    return WrongAnswerError(message)
