"""The one wrapper every check goes through.

``@exercise(title, banned)`` turns a check's body, ``body(answer,
run)`` (which returns the evidence of a correct answer or raises
``WrongAnswerError`` / ``BlankAnswerError``), into a check that

* lifts the learner's monkeypatches first (``isolation``) and gives them
  back at the end, so the check computes with the original torch,
  NumPy, builtins and ``mlp_notes``;
* runs the body in a worker thread, fresh for each check: no
  ``TorchFunctionMode``, ``no_grad`` or default device the learner set
  in the kernel's thread applies there;
* turns *any* exception, from the learner's code or from the check's
  handling of the answer, into a "wrong" verdict that names it;
* stops (``checks.worker``) after ``LIMITS.seconds`` (10 s;
  ``LIMITS.first``, 30 s, until the check's first run in the kernel
  ends in time): the worker is sent an
  exception (``PyThreadState_SetAsyncExc``), which ends Python code at
  its next instruction.  Code stuck inside one long C call (a huge
  matrix product, ``time.sleep``) cannot be interrupted: the verdict
  then says the function is still running in the background, and only
  a kernel restart ends it.  This works in a Jupyter kernel and under
  pytest alike (no signals, which only the main thread receives).  An
  interrupt of the kernel while a check waits (the stop button, or the
  learner's ``_thread.interrupt_main``) ends the check with a verdict
  that says so;
* calls the learner's code through ``Run.call``: a profile function
  refuses calls of the package's own answer to the exercise and of the
  checks' reference code, and an audit hook (``audit.watching``) sees
  what is called through ``functools.partial``, ``map`` or ``ctypes``
  (the profiler, frames, gc, other processes and signals); a filled-in
  function that returns ``None`` is told so, the untouched starter is
  "not answered yet".

Inputs come from ``run.rng``, seeded afresh for every check from the
operating system's randomness and never printed.
"""

from __future__ import annotations

import secrets
import sys
import warnings

import torch

from mlp_notes.checks import isolation
from mlp_notes.checks.answers import read
from mlp_notes.checks.audit import refuse, started, watching
from mlp_notes.checks.verdict import (
    BLANK,
    CORRECT,
    WRONG,
    BlankAnswerError,
    Verdict,
    WrongAnswerError,
    describe,
    kind,
    wrong,
)
from mlp_notes.checks.watch import Tracer, codes, copies, is_starter
from mlp_notes.checks.worker import StopWork, in_worker


class Limits:
    """The time limit of a check, in seconds (``grace``: how long a
    stopped function gets to end).  ``first``: the limit of a check's
    first run in a kernel, until a run ends in time, because torch's
    one-time start-up work (the first ``vmap``, an optimizer's first
    step) runs under the check's profiler and can take seconds."""

    seconds = 10.0
    first = 30.0
    grace = 1.0


LIMITS = Limits()
_NOTHING = object()
_randbits = secrets.randbits  # the inputs' seed: the OS's randomness
_setprofile, _getprofile = sys.setprofile, sys.getprofile
_frames = sys._current_frames


class Run:
    """One run of a check: its fresh random inputs and the learner's
    calls."""

    def __init__(self, banned: tuple[dict, dict], relift):
        self.rng = torch.Generator().manual_seed(_randbits(62))
        codes_, self.copies = banned  # {code: name}, {fingerprint: name}
        self.banned = {id(code): name for code, name in codes_.items()}
        self.relift = relift
        self.tanh = False  # a C call of tanh seen in the learner's code
        self.tracer: Tracer | None = None  # the one watching now

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
        tracer, failure, unreadable = (
            Tracer(self.banned, self.copies),
            None,
            None,
        )
        self.tracer = tracer
        threads = set(_frames())
        _setprofile(tracer)
        watching(tracer)  # the audit hook reports to it from now on
        try:
            if mode is None:
                out = fn(*args)
                out, unreadable = _read_now(out, what)
            else:
                with mode:
                    out = fn(*args)
                    out, unreadable = _read_now(out, what)
        except StopWork:
            raise
        except BaseException as err:
            failure = err
        finally:
            tracer.armed = False
            # switched off or replaced by a route the watch did not see
            tracer.tamper |= _getprofile() is not tracer
            _setprofile(None)
            watching(None)
            # a thread started out of the watch's sight, still running
            tracer.thread |= started(threads)
            self.tracer = None
            self.relift()
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


def _verdict(title: str, body, answer, run: Run) -> Verdict:
    """The body's outcome as a Verdict (runs in the worker thread)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return Verdict(title, CORRECT, body(answer, run))
        except BlankAnswerError:
            return Verdict(
                title, BLANK, "Fill in the cell above, then run this one."
            )
        except WrongAnswerError as err:
            return Verdict(title, WRONG, err.args[0] if err.args else "")
        except StopWork:
            raise
        except RecursionError:
            message = "your answer made the check recurse too deeply"
        except BaseException as err:
            message = f"the check could not use your answer: {describe(err)}"
        return Verdict(title, WRONG, message)


def _judge(
    title: str, body, answer, banned: tuple, relift, warm: list
) -> Verdict:
    """Run the check; ``warm`` ([bool]) says whether one of its runs in
    this kernel already ended in time (else the ``first`` limit)."""
    run = Run(banned, relift)
    limit = LIMITS.seconds if warm[0] else max(LIMITS.seconds, LIMITS.first)
    seconds, grace = float(limit), float(LIMITS.grace)
    outcome = in_worker(
        lambda: _verdict(title, body, answer, run),
        seconds,
        grace,
        lambda: run.tracer is not None and run.tracer.importing > 0,
    )
    if isinstance(outcome, Verdict):
        warm[0] = True
        return outcome
    return Verdict(title, WRONG, outcome)


def _make():
    sealed: list = []  # (lift, reapply, the checks' reference code)

    def seal(own_modules, reference_modules) -> None:
        """Record the state the checks compute with (once, at import);
        the code of ``reference_modules`` is refused in learners' code."""
        if not sealed:
            lift, reapply = isolation.seal(own_modules)
            mine, copied = {}, {}
            for module in reference_modules:
                mine |= codes({"the check's reference": module})
                copied |= copies({"the check's reference": module})
            sealed.append((lift, reapply, (mine, copied)))

    def exercise(title: str, banned: dict | None = None):
        """Decorator: ``body(answer, run)`` becomes a check that never
        raises; ``banned`` ({name: function, class or module}) is the
        package's own answer, refused in the learner's code."""
        refused = codes(banned or {}), copies(banned or {})
        warm = [False]  # a run of this check ended in time

        def decorate(body):
            def check(answer=_NOTHING, *extra, **named):
                lift, reapply, mine = sealed[0]
                saved: list = []
                active = [True]  # a worker still running after the
                # verdict (a call that cannot be interrupted) must not
                # lift the learner's patches once they are given back
                lift(saved)
                dtype = torch.get_default_dtype()
                try:
                    if answer is _NOTHING or extra or named:
                        return Verdict(title, WRONG, "pass one answer")
                    return _judge(
                        title,
                        body,
                        answer,
                        (mine[0] | refused[0], mine[1] | refused[1]),
                        lambda: active[0] and lift(None),
                        warm,
                    )
                finally:
                    active[0] = False
                    torch.set_default_dtype(dtype)  # as the learner had it
                    reapply(saved)

            check.__name__ = check.__qualname__ = body.__name__.lstrip("_")
            check.__doc__ = body.__doc__
            check.__module__ = body.__module__
            check.__wrapped__ = body
            return check

        return decorate

    return seal, exercise


seal, exercise = _make()
