"""What a check does in the kernel's own thread, around its run.

* ``quiet``/``loud``: the thread's profile and trace functions (a
  learner's, set in an earlier cell, would run inside the check's own
  code, and one that raises there stopped the check between putting
  the learner's patches aside and giving them back) are switched off
  for the check and given back after it, with the default dtype, read
  and set through torch's own functions as they were at import (a
  patched ``torch.get_default_dtype`` ran before any patch was lifted,
  with no time limit).
* ``held``: putting the patches aside or back is not cut short by a
  signal's handler (the stop button's interrupt, a handler of the
  learner's that raises): the signals wait until it is done, then
  arrive.  Python runs signal handlers in the main thread only, so
  that is where they are held.
"""

from __future__ import annotations

import signal
import sys
import threading
from _thread import get_ident as _get_ident

import torch

_setprofile, _getprofile = sys.setprofile, sys.getprofile
_settrace, _gettrace = sys.settrace, sys.gettrace
_get_dtype = torch.get_default_dtype
_set_dtype = torch._C._set_default_dtype
_signal, _getsignal = signal.signal, signal.getsignal
_raise = signal.raise_signal
#: every signal but those no handler can catch
_SIGNALS = tuple(
    sorted(
        set(signal.valid_signals())
        - {getattr(signal, n, None) for n in ("SIGKILL", "SIGSTOP")}
    )
)
_MAIN = threading.main_thread().ident


def quiet() -> tuple:
    """Switch off this thread's profile and trace functions; return them
    and the default dtype, for ``loud``."""
    kept = (_getprofile(), _gettrace(), _get_dtype())
    _setprofile(None)
    _settrace(None)
    return kept


def loud(kept: tuple) -> None:
    """Give back what ``quiet`` took: the default dtype (the check's may
    have changed it), then the trace and profile functions."""
    profile, trace, dtype = kept
    _set_dtype(dtype)
    _settrace(trace)
    _setprofile(profile)


def held(fn, arg):
    """``fn(arg)``, with the signals that have a Python handler (the
    interrupt's, the learner's) held until it returns, then raised again
    in the order they came.  A signal that arrives in the instant before
    they are held, or between two handlers given back, is raised when
    ``fn`` is done."""
    if _get_ident() != _MAIN:
        return fn(arg)
    handlers = {}
    for number in _SIGNALS:
        handler = _getsignal(number)
        if callable(handler):
            handlers[number] = handler
    got: list = []
    pending = None
    try:
        for number in handlers:
            _signal(number, lambda number, frame: got.append(number))
    except BaseException as err:  # raised by a handler not yet held
        pending = err
    try:
        return fn(arg)
    finally:
        for number, handler in handlers.items():
            try:
                _signal(number, handler)
            except BaseException as err:  # one already given back
                pending = err if pending is None else pending
        for number in got:
            try:
                _raise(number)
            except BaseException as err:  # the first one is raised
                pending = err if pending is None else pending
        if pending is not None:
            raise pending
