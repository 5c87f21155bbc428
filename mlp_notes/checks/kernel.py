"""What a check does in the kernel's own thread, around its run.

* ``taken``/``quiet``/``loud``: a profile or trace function the learner
  set in the kernel's thread (a Python function, method or callable
  object) would run inside the check's own code, and one that raised
  there stopped the check between putting the learner's patches aside
  and giving them back: it is off for the check and given back after
  it.  Profilers and tracers written in C (cProfile's, coverage's) run
  none of the learner's code and cannot be given back through
  ``sys.setprofile``: they stay on.  The default dtype is read and set
  through torch's own functions as they were at import (a patched
  ``torch.get_default_dtype`` ran before any patch was lifted).
* ``alone``: one check at a time; a second one, called from another
  thread while the first runs, says so.
* ``again``: putting the patches aside or back goes on where an
  exception cut it short (a signal's handler, the stop button), since
  doing it again finishes it, and the exception is raised after.
"""

from __future__ import annotations

import functools
import sys
import types

import torch

from mlp_notes.checks.verdict import WRONG, Verdict, unchecked

_setprofile, _getprofile = sys.setprofile, sys.getprofile
_settrace, _gettrace = sys.settrace, sys.gettrace
_mro, _dict = (
    type.__dict__["__mro__"].__get__,
    type.__dict__["__dict__"].__get__,
)
_get_dtype = torch.get_default_dtype
_set_dtype = torch._C._set_default_dtype
#: callables that run Python code when called (a C callable that wraps
#: a Python function, ``functools.partial``, counts)
_PYTHON = (types.FunctionType, types.MethodType, functools.partial)
TRIES = 2  # ``again``: a second stop (the stop button pressed again) is obeyed
NOTHING = object()  # no answer passed
_BUSY = (
    "another check is running in this kernel (called from a thread of "
    "yours?): run one check at a time"
)


def _pythons(fn) -> bool:
    """``fn`` was set through ``sys.setprofile`` or ``settrace`` and runs
    Python code: a function, a method, a partial, or an object whose
    class defines ``__call__`` in Python."""
    if isinstance(fn, _PYTHON):
        return True
    for klass in _mro(type(fn)):  # no lookup runs the learner's code
        if "__call__" in _dict(klass):
            return isinstance(_dict(klass)["__call__"], types.FunctionType)
    return False


def taken() -> tuple:
    """This thread's profile and trace functions and the default dtype,
    for ``quiet`` and ``loud`` (read first, changing nothing)."""
    return _getprofile(), _gettrace(), _get_dtype()


def quiet(kept: tuple) -> None:
    """Switch off the profile and trace functions of ``kept`` that run
    Python code."""
    profile, trace, _ = kept
    if _pythons(trace):
        _settrace(None)
    if _pythons(profile):
        _setprofile(None)


def loud(kept: tuple) -> None:
    """Give back what ``quiet`` switched off, and the default dtype (the
    check's may have changed it)."""
    profile, trace, dtype = kept
    _set_dtype(dtype)
    if _pythons(trace) and _gettrace() is not trace:
        _settrace(trace)
    if _pythons(profile) and _getprofile() is not profile:
        _setprofile(profile)


def again(fn, arg):
    """``fn(arg)``, called again (up to ``TRIES`` times) where an
    exception cut it short; the first exception is raised once a call
    has finished, or after the last try."""
    first = None
    for _ in range(TRIES):
        try:
            fn(arg)
            break
        except BaseException as err:  # a handler that raised meanwhile
            first = err if first is None else first
    if first is not None:
        raise first


def alone(title: str, claims: list, guarded):
    """``guarded(answer, extra, named)`` as a check that never raises,
    one at a time (two at once would cross their lifts and lose the
    patches), with the kernel thread's profile and trace functions off
    (``quiet``) before anything else.  A check's claim is its own
    object in ``claims`` (appended and removed by single calls, so an
    exception at any point leaves no claim behind); the first claim
    runs."""

    def check(answer=NOTHING, *extra, **named):
        claim, kept = object(), None
        try:
            kept = taken()
            quiet(kept)
            claims.append(claim)
            if claims[0] is not claim:
                return Verdict(title, WRONG, _BUSY)
            return guarded(answer, extra, named)
        except BaseException as err:  # a signal while lifting
            return Verdict(title, WRONG, unchecked(err))
        finally:
            if claim in claims:
                claims.remove(claim)
            if kept is not None:
                _loud(kept)

    return check


def _loud(kept: tuple) -> None:
    """``kernel.loud``; a profile function of the learner's that raises
    as it is given back (it is then off, as Python switches off one that
    raises) is no verdict of the check's."""
    try:
        loud(kept)
    except BaseException:  # noqa: S110 (the verdict stands)
        pass
