"""The verdict a workbook check returns, and the two ways a check's body
says that an answer is not correct: ``WrongAnswerError`` (wrong, with
what is wrong and a hint) and ``BlankAnswerError`` (not answered yet).

A verdict says what was compared and how far apart, never how the
reference computes it, the values it expects or the inputs it tried.
Its text is always a plain ``str``: whatever the learner's code returns
or raises is described by ``describe``, which cannot fail.  ``refuse``
turns what the watch saw the learner's code do (``watch.Tracer``) into
its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

CORRECT, WRONG, BLANK = "correct", "wrong", "not answered yet"
#: glyphs every font has
_MARK = MappingProxyType({CORRECT: "✔", WRONG: "✘", BLANK: "○"})
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


def interrupted(err: BaseException) -> str:
    """Why a check has no verdict when the kernel's own thread was
    interrupted while it waited (the stop button, or the learner's
    ``_thread.interrupt_main``)."""
    what = "KeyboardInterrupt"
    if type(err) is not KeyboardInterrupt:
        what = "an exception in the kernel"
    return (
        f"the check was interrupted ({what}: the kernel's stop button, "
        "or your code interrupted the kernel, as _thread.interrupt_main "
        "does): no verdict; run it again"
    )


def unchecked(err: BaseException) -> str:
    """Why a check has no verdict when putting the kernel's patches
    aside, or back, failed (a signal handler that raised, the stop
    button, a class dict that cannot be put back): the exception's type
    only, as its message could be the learner's and never end."""
    if type(err) is KeyboardInterrupt:
        return interrupted(err)
    return (
        f"the check could not run: {kind(err)} while it set your "
        "kernel's changes aside or gave them back (a signal handler, an "
        "odd key in a module's or class's dict); run it again, after "
        "restarting the kernel if it happens again"
    )


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


def refuse(tracer) -> None:
    """A verdict for what the profiler saw the learner's code do."""
    if tracer.tamper:
        raise wrong(
            "your code switched off or read the check's profiler, or "
            "changed how often threads switch (sys.setprofile, "
            "settrace, getprofile, setswitchinterval): compute the "
            "answer"
        )
    if tracer.thread:
        raise wrong("your function starts a thread: compute the answer")
    if tracer.elsewhere:
        raise wrong(
            "your function starts another process or interpreter, sends "
            "a signal or calls C through ctypes (os.fork, subprocess, "
            "os.system, os.kill, signal, subinterpreters, ctypes): compute "
            "the answer in your function"
        )
    if tracer.left_mode:
        raise wrong(
            "your function left a torch mode active after it returned (a "
            "function or dispatch mode, as torch.set_default_device sets, "
            "inference mode or a dispatch key guard), which would run "
            "during the check: exit every mode you enter (use `with`)"
        )
    if tracer.hooked:
        raise wrong(
            "your code tried to add an audit hook (sys.addaudithook), "
            "which would see the check's work: the checks block it. "
            "Remove it and run the check again"
        )
    if tracer.introspect:
        raise wrong(
            "your function reads the interpreter's frames or objects "
            "(sys._getframe, inspect, a traceback's frames, gc, the code "
            "of mlp_notes' functions): compute the answer"
        )
    if tracer.changed:
        raise wrong(
            "your function changed mlp_notes' own functions, classes or "
            "module attributes while it ran: compute the answer without "
            "them"
        )
    if tracer.hit is not None:
        raise wrong(
            f"your function calls {tracer.hit}, which computes this "
            "exercise's answer for you: write it yourself"
        )
    if tracer.own_code:
        raise wrong(
            "your code calls the checks' own code (mlp_notes.checks), "
            "which runs the check: compute the answer without it"
        )
