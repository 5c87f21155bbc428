"""The learner's code in a worker thread, under a time limit.

``in_worker(work, seconds, grace, importing)`` runs ``work()`` in a new
thread and waits for it, not counting the time the worker spends
importing modules.  Past the limit the worker is sent ``StopWork``
(``PyThreadState_SetAsyncExc``), which ends Python code at its next
instruction; code stuck inside one long C call cannot be interrupted,
and the returned text says so (if the call lets the waiting thread run:
one that holds the interpreter throughout holds it too).  An interrupt
of the kernel's thread (the stop button) stops the worker the same way
and waits up to the grace for it to end.  No signals,
which only the main thread receives: this works in a Jupyter kernel and
under pytest alike.
"""

from __future__ import annotations

import _thread
import ctypes
import sys
import time

from mlp_notes.checks.verdict import describe, interrupted

IMPORTS = 60.0  # seconds of module imports a check waits for, at most
#: The interpreter's thread switch interval while a check runs (Python's
#: default): a learner's long interval would let the worker keep the GIL,
#: and the check could not stop it.
SWITCH = 0.005
# Taken when the checks are imported: a learner's cell that replaces
# them later (time.monotonic, _thread, ctypes.pythonapi) cannot break,
# stop or hang a check.
_allocate_lock, _start = _thread.allocate_lock, _thread.start_new_thread
_stack_size = _thread.stack_size
_clock = time.monotonic
_set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
_c_ulong, _py_object = ctypes.c_ulong, ctypes.py_object
_get_switch, set_switch = sys.getswitchinterval, sys.setswitchinterval


class StopWork(BaseException):
    """Sent to a worker thread that ran past the time limit."""


def _stop(ident: int) -> None:
    """Raise ``StopWork`` in the thread ``ident`` at its next instruction."""
    _set_async(_c_ulong(ident), _py_object(StopWork))


def _wait(done, seconds: float, importing) -> bool:
    """Wait for ``done`` up to ``seconds``, not counting the time the
    worker spends importing modules (a first ``torch.optim`` step imports
    torch._dynamo, seconds under a profiler) or in torch.compile's
    compiling, up to ``IMPORTS`` more: the time left when one starts is
    still left when it ends."""
    clock = _clock
    last = clock()
    deadline, cap = last + seconds, last + seconds + IMPORTS
    while True:
        now = clock()
        if importing():  # the time since the last look is not counted
            deadline = min(deadline + (now - last), cap)
        last = now
        if now >= deadline:
            return False
        if done.acquire(timeout=min(deadline - now, 0.25)):
            return True


def in_worker(work, seconds: float, grace: float, importing=bool):
    """``work()`` in a new thread; its result, or a str saying why not."""
    before = _get_switch()
    set_switch(SWITCH)
    try:
        return _in_worker(work, seconds, grace, importing)
    finally:
        set_switch(before)


def _settle(done, grace: float) -> None:
    """Wait up to ``grace`` for a stopped worker to end, so that what it
    armed is put back after it (a second interrupt ends the wait)."""
    try:
        done.acquire(timeout=grace)
    except BaseException:  # noqa: BLE001 (KeyboardInterrupt again)
        pass


def _in_worker(work, seconds: float, grace: float, importing):
    done = _allocate_lock()
    done.acquire()
    box: list = []

    def target():
        try:
            box.append(work())
        except BaseException as err:  # StopWork, or an escape from _verdict
            # described here, under the time limit: the exception may be
            # the learner's, with a __str__ that never returns
            try:
                box.append(f"the check failed: {describe(err)}")
            except BaseException:  # stopped while describing it
                pass
        finally:
            done.release()

    try:
        size = _stack_size(0)  # the default size: a cell's may not fit
    except (RuntimeError, ValueError):  # a platform that cannot set it
        size = None
    try:
        ident = _start(target, ())
    except RuntimeError as err:  # no thread can start at all
        return f"the check could not start its thread ({describe(err)})"
    finally:
        if size is not None:
            _stack_size(size)
    try:
        finished = _wait(done, seconds, importing)
    except BaseException as err:  # KeyboardInterrupt in the kernel's thread
        _stop(ident)
        _settle(done, grace)
        return interrupted(err)
    if finished:  # a Verdict, or why there is none
        return box[0] if box else "the check was stopped as it ended"
    _stop(ident)
    if done.acquire(timeout=grace):
        return (
            f"your code ran for more than {seconds:g} s (a check's time "
            "limit) and was stopped"
        )
    return (
        f"your code ran for more than {seconds:g} s (a check's time limit) "
        "and is still running in the background (inside a call that "
        "cannot be interrupted, or code that catches the stop): restart "
        "the kernel to end it"
    )
