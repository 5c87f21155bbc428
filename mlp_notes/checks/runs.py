"""One run of a check (``Run``): its fresh random inputs and the
learner's calls, watched.

``Run.call`` calls the learner's code with

* a profile function (``watch.Tracer``) in the check's worker thread: it
  refuses calls of the package's own answer to the exercise and of the
  checks' reference code (copies too), and switching itself off;
* the audit hook (``audit.watching``): what is called through
  ``functools.partial``, ``map`` or ``ctypes`` (the profiler, frames,
  gc, other processes and signals);
* the answers armed (``tripwire``): they refuse to run in whatever
  thread calls them;
* a check, after the call, that nothing of ``mlp_notes`` changed while
  it ran (``isolation``) and that the profiler's own record is intact.

A filled-in function that returns ``None`` is told so; the untouched
starter is "not answered yet".  Inputs come from ``Run.rng``, seeded
afresh for every run from the operating system's randomness and never
printed.
"""

from __future__ import annotations

import os
import sys
from _thread import allocate_lock as _allocate_lock

import torch

from mlp_notes.checks.answers import read
from mlp_notes.checks.audit import (
    blocked,
    reads,
    registered,
    started,
    watching,
)
from mlp_notes.checks.package import same
from mlp_notes.checks.switches import put_back, taken
from mlp_notes.checks.tripwire import Wires
from mlp_notes.checks.verdict import (
    BlankAnswerError,
    WrongAnswerError,
    describe,
    kind,
    refuse,
    wrong,
)
from mlp_notes.checks.watch import Tracer, is_starter
from mlp_notes.checks.worker import StopWork

#: the inputs' seed: the OS's randomness, read through the function
#: itself (``secrets.randbits`` reads ``random._urandom``, which a cell can
#: replace with one that repeats, and so make the inputs repeat)
_urandom = os.urandom
_setprofile, _getprofile = sys.setprofile, sys.getprofile
_frames = sys._current_frames


class Run:
    """One run of a check: its fresh random inputs and the learner's
    calls."""

    def __init__(self, banned: tuple, relift, state=None, own=None):
        seed = int.from_bytes(_urandom(8), "little") >> 2  # 62 bits
        self.rng = torch.Generator().manual_seed(seed)
        # {code: name}, ``package.copies``, {function: name}
        codes_, self.copies, self.functions = banned
        self.banned = {id(code): name for code, name in codes_.items()}
        self.relift = relift  # lift the learner's patches again
        #: the package's own code objects, their ids, and the ids of the
        #: checks' code the learner's must not call (``guard._record``)
        own = own or ((), frozenset())
        self.every, self.own = own[:2]
        self.checks = own[2] if len(own) > 2 else frozenset()
        #: the package's own attributes now (``isolation.seal``)
        self.state = state or (lambda: ((), ()))
        self.tanh = False  # a C call of tanh seen in the learner's code
        self.tracer: Tracer | None = None  # the one watching now
        # the answers and their copies, armed during each call; made in
        # the worker thread at the first call, and again after the
        # learner's code could have made a copy (the look for copies
        # takes tenths of a second, not counted against the time limit)
        self.wires: Wires | None = None
        self.over = False  # the verdict is given (``disarm``)
        self.arming = _allocate_lock()  # ``_arm`` against ``disarm``
        self.looking = False
        #: what the learner's code does between and after its calls (a
        #: finalizer, a hook it left): heard by the audit hook
        self.late = Tracer({}, {})
        self.calls = 0  # calls of the learner's code so far
        self.calm = None  # the package's state when the first call began
        #: the learner's arguments and results, alive until the verdict:
        #: a finalizer on one cannot run while the check computes
        self.held: list = []

    def finish(self) -> None:
        """The run is over: refuse what the learner's code did after its
        calls (``late``), such as reading the check's frames or objects,
        or changing mlp_notes, from a finalizer."""
        self._still_late()
        if self.calls and not same(self.calm, self.state()):
            self.late.changed = True
        watching(None)
        refuse(self.late)

    def _begin(self, state, args) -> None:
        """A call begins: the late watch must have stayed on since the
        last one; the arguments are held until the verdict."""
        self._still_late()
        self.calls += 1
        self.calm = state if self.calm is None else self.calm
        self.held.append(args)

    def _still_late(self) -> None:
        """The late watch is still the one registered since the last call
        (``audit.watching(None)`` from a finalizer switched it off)."""
        if self.calls and not registered(self.late):
            self.late.tamper = True

    def disarm(self) -> None:
        """The verdict is given: put the answers' code back, also where a
        call of the learner's is still running (one the check could not
        stop), and make no call after it.  The stop sent to the worker is
        an exception, which a finalizer or weakref callback running when
        it arrives prints and loses: the check's code would go on, and
        its next call would arm the answers while other checks run."""
        got = self.arming.acquire(timeout=1.0)  # not held for long
        try:
            self.over = True
            if self.wires is not None:
                self.wires.__exit__()
        finally:
            if got:
                self.arming.release()

    def uniform(self, low: float, high: float) -> float:
        """A random float in [low, high)."""
        u = float(torch.rand((), generator=self.rng, dtype=torch.float64))
        return low + (high - low) * u

    def integer(self, low: int, high: int) -> int:
        """A random int in [low, high]."""
        return int(torch.randint(low, high + 1, (), generator=self.rng))

    def normal(self, *shape: int) -> torch.Tensor:
        """Standard normal numbers, float64."""
        return torch.randn(shape, generator=self.rng, dtype=torch.float64)

    def function(self, answer):
        """The answer as a function: blank or not callable is a verdict."""
        if answer is None or answer is Ellipsis:
            raise BlankAnswerError
        if not callable(answer):
            raise wrong(f"expected a function, got {kind(answer)}")
        return answer

    def call(self, fn, *args, mode=None, what=None):
        """``fn(*args)``, watched; ``mode`` (a TorchFunctionMode) is
        active during the call.  With ``what``, the result is read as
        numbers (``answers.read``) inside the watch too: an answer that
        computes its values only when read (``__array__``, ``__float__``)
        runs under the same profiler, mode and lifting of patches as the
        function itself."""
        wires = self._wires()
        tracer = Tracer(self.banned, self.copies, self.own, self.checks)
        self.tracer, failure, unreadable = tracer, None, None
        kept = (self.banned, self.copies, len(self.banned), self.state())
        self._begin(kept[3], args)
        switches = taken()
        threads = set(_frames())
        self._arm(wires)
        watching(None)  # not the late watch while the profiler starts
        _setprofile(tracer)
        watching(tracer)  # the audit hook reports to it from now on
        try:
            if mode is None:
                out = fn(*args)
                self.held.append(out)
                out, unreadable = _read_now(out, what)
            else:
                with mode:
                    out = fn(*args)
                    self.held.append(out)
                    out, unreadable = _read_now(out, what)
        except StopWork:
            raise
        except BaseException as err:
            failure = err
        finally:
            # switched off or replaced by a route the watch did not see
            tracer.tamper |= _getprofile() is not tracer or not tracer.armed
            tracer.armed = False
            _setprofile(None)
            watching(self.late)  # what runs now is not the call's
            wires.__exit__()
            # a torch mode or inference mode left on (refused); grad
            # mode and autocast put back
            tracer.left_mode |= put_back(switches)
            self.tracer = None
            self._after(tracer, wires, threads, kept)
        if wires.hits or tracer.changed:  # before what they make raise
            refuse(tracer)
        if failure is not None:
            if isinstance(failure, NotImplementedError) and is_starter(fn):
                raise BlankAnswerError
            raise wrong(f"your function raised {describe(failure)}")
        self.tanh |= tracer.tanh
        refuse(tracer)
        if out is None:
            if is_starter(fn):
                raise BlankAnswerError
            raise wrong(
                "your function returned nothing — did you forget `return`?"
            )
        if unreadable is not None:
            raise unreadable
        return out

    def _wires(self) -> Wires:
        """The answers' wires for the next call, made again after the
        learner's code could have made a copy; none once the verdict is
        given (``disarm``): a worker that went on calls nothing."""
        if self.over:
            raise StopWork
        if self.wires is None or reads[0]:  # armed, with their copies
            self.looking = True  # not counted against the time limit
            self.wires = Wires(
                self.functions, reads, self.every, self.copies, self.own
            )
            self.looking = False
        return self.wires

    def _arm(self, wires: Wires) -> None:
        """Arm ``wires``, unless the verdict was given meanwhile (one
        lock with ``disarm``: no other thread sees them armed after)."""
        with self.arming:
            if self.over:
                raise StopWork
            wires.__enter__()

    def call_method(self, obj, name: str, *args):
        """``obj.name(*args)``, the method looked up under the watch too
        (a property there is the learner's code)."""
        return self.call(_method, obj, name, *args)

    def read(self, out, what: str):
        """``out``, a value the learner's code returned or gave, read as
        numbers under the same watch as a call: reading it runs its
        ``__float__``, ``__array__`` or ``__iter__``, the learner's code."""
        return self.call(_given, out, what=what)

    def _after(self, tracer, wires, threads: set, kept: tuple) -> None:
        """What the call did out of the profiler's sight: a thread still
        running the learner's code, a call of an answer in whatever
        thread, a change to ``mlp_notes`` or to the profiler's record
        (noted in ``tracer``); then the learner's patches are lifted
        again."""
        banned, copied, size, state = kept
        tracer.thread |= started(threads)
        tracer.hooked |= bool(blocked)  # in an earlier cell or now
        blocked.clear()
        tracer.tamper |= (
            tracer.banned is not banned
            or tracer.copies is not copied
            or len(banned) != size
        )
        tracer.changed |= not same(state, self.state())
        self.relift()
        if wires.hits and tracer.hit is None:
            tracer.hit = wires.hits[0]  # in whatever thread


def _method(obj, name: str, *args):
    """``Run.call_method``'s call."""
    return getattr(obj, name)(*args)


def _given(value):
    """``Run.read``'s call: the value itself."""
    return value


def _read_now(out, what):
    """(``out`` read as numbers, None), or (``out``, the verdict of why
    it cannot be read); ``out`` as it is without ``what`` or if None
    (the caller reports a missing ``return``)."""
    if what is None or out is None:
        return out, None
    try:
        return read(out, what), None
    except WrongAnswerError as verdict:
        return out, verdict
