"""The one wrapper every check goes through.

``@exercise(title, banned)`` turns a check's body, ``body(answer,
run)`` (which returns the evidence of a correct answer or raises
``WrongAnswerError`` / ``BlankAnswerError``), into a check that

* lifts the learner's monkeypatches first (``isolation``) and gives them
  back at the end, so the check computes with the original torch,
  NumPy, builtins and ``mlp_notes``, one check at a time, running none
  of the learner's code in the kernel's thread meanwhile (``kernel``);
  no verdict stands where something put them back while it computed;
* runs the body in a worker thread, fresh for each check: no
  ``TorchFunctionMode``, ``no_grad`` or default device the learner set
  in the kernel's thread applies there;
* turns *any* exception, from the learner's code or from the check's
  handling of the answer, into a "wrong" verdict that names it;
* stops (``checks.worker``) after ``LIMITS.seconds`` (10 s;
  ``LIMITS.first``, 30 s, until the check's first run in the kernel
  ends in time): the worker is sent an
  exception (``PyThreadState_SetAsyncExc``), which ends Python code at
  its next instruction.  Code stuck inside one long C call that lets
  other threads run (a huge matrix product, ``time.sleep``) cannot be
  interrupted: the verdict then says the function is still running in
  the background, and only a kernel restart ends it.  A C call that
  never lets go of the interpreter (``sum(itertools.repeat(0))``) holds
  the waiting thread too: no verdict comes, and the workbooks say so.
  This works in a Jupyter kernel and under pytest alike (no signals,
  which only the main thread receives).  An
  interrupt of the kernel while a check waits (the stop button, or the
  learner's ``_thread.interrupt_main``) ends the check with a verdict
  that says so;
* calls the learner's code through ``Run.call`` (``checks.runs``),
  which refuses the package's own answer, in whatever thread, and what
  would switch its watch off; a filled-in function that returns
  ``None`` is told so, the untouched starter is "not answered yet".

Inputs come from ``run.rng``, seeded afresh for every check from the
operating system's randomness and never printed.
"""

from __future__ import annotations

import warnings

from mlp_notes.checks import isolation, swap
from mlp_notes.checks.audit import HOOK, quietly, watching
from mlp_notes.checks.callers import CHECKS
from mlp_notes.checks.kernel import NOTHING, again, alone
from mlp_notes.checks.package import codes, copies, members
from mlp_notes.checks.runs import Run
from mlp_notes.checks.verdict import (
    BLANK,
    CORRECT,
    WRONG,
    BlankAnswerError,
    Verdict,
    WrongAnswerError,
    describe,
)
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
_MOVED = (
    "the check could not trust its own result: something changed torch, "
    "NumPy, Python's builtins or mlp_notes while it computed (a thread "
    "or finalizer of yours from an earlier cell?); stop it, or restart "
    "the kernel, and run the check again"
)


def _verdict(title: str, body, answer, run: Run) -> Verdict:
    """The body's outcome as a Verdict (runs in the worker thread), or
    no trust in it where something put the learner's patches back while
    the check computed (a thread or finalizer of the learner's: the
    run's relift, after the last call's, found something to lift)."""
    verdict = _outcome(title, body, answer, run)
    return Verdict(title, WRONG, _MOVED) if run.relift() else verdict


def _outcome(title: str, body, answer, run: Run) -> Verdict:
    """The body's outcome as a Verdict."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            evidence = body(answer, run)
            run.finish()  # what the learner's code did after its calls
            return Verdict(title, CORRECT, evidence)
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
        finally:
            watching(None)
        return Verdict(title, WRONG, message)


def _judge(
    title: str, body, answer, banned: tuple, isolate: tuple, warm: list
) -> Verdict:
    """Run the check (``banned``: snapshots for ``_tables``);
    ``isolate``: (relift, state, own) (``Run``); ``warm`` ([bool]) says
    whether one of its runs in this kernel already ended in time (else
    the ``first`` limit)."""
    run = Run(_tables(*banned), *isolate)
    limit = LIMITS.seconds if warm[0] else max(LIMITS.seconds, LIMITS.first)
    seconds, grace = float(limit), float(LIMITS.grace)
    try:
        outcome = in_worker(
            lambda: _verdict(title, body, answer, run),
            seconds,
            grace,
            lambda: (
                run.looking
                or (run.tracer is not None and run.tracer.importing > 0)
            ),
        )
    finally:
        run.disarm()
    if isinstance(outcome, Verdict):
        warm[0] = True
        return outcome
    return Verdict(title, WRONG, outcome)


def _snapshot(pairs: tuple) -> tuple:
    """The refused code of ``pairs`` ((name, a function, class or
    module)), taken once (at import) as tuples of items: ({code: name},
    ``package.copies``, {function: name}), merged as ``_tables`` does.
    Nothing the learner changes later (a function's ``__module__``,
    ``sys.modules``, a table emptied) changes it."""
    parts = []
    for name, obj in pairs:
        one = {name: obj}
        parts.append(
            tuple(
                tuple(t.items())
                for t in (codes(one), copies(one), members(one))
            )
        )
    return tuple(tuple(table.items()) for table in _tables(*parts))


def _tables(*snapshots: tuple) -> tuple:
    """The tables of ``snapshots`` (``_snapshot``), made afresh as dicts
    for each run: the first name of a code object or function wins, the
    entries of a fingerprint are all kept."""
    found: tuple = ({}, {}, {})
    for snapshot in snapshots:
        for table, items in zip(found, snapshot):
            for key, value in items:
                if table is found[1]:
                    table[key] = table.get(key, ()) + value
                else:
                    table.setdefault(key, value)
    return found


def _record(own_modules, reference_modules) -> tuple:
    """(lift, reapply, the checks' reference code (``_snapshot``), state,
    (the package's own code objects, their ids))."""
    lift, reapply, state = isolation.seal(own_modules)
    lift, reapply = quietly(lift), quietly(reapply)  # 1,700 code reads
    reference = _snapshot(
        tuple(("the check's reference", m) for m in reference_modules)
    )
    own = tuple(codes({m.__name__: m for m in own_modules}))
    checks = {id(c) for c in own if c.co_filename.startswith(CHECKS)}
    checks -= {id(c) for c in _callbacks()}
    ids = frozenset(map(id, own))
    return lift, reapply, reference, state, (own, ids, frozenset(checks))


def _callbacks() -> tuple:
    """The checks' code that runs inside the learner's call without the
    check calling it: the tanh check's torch modes and sigmoid swaps
    (torch calls them) and the audit hook (Python calls it)."""
    modes = (swap.TanhWatch, swap.SigmoidSwap)
    return (
        *(mode.__torch_function__.__code__ for mode in modes),
        *swap.SWAP_CODES.values(),
        HOOK,
    )


def _make():
    sealed: list = []  # ``_record``'s
    claims: list = []  # ``_alone``'s: one check at a time in a kernel

    def seal(own_modules, reference_modules) -> None:
        """Record the state the checks compute with (once, at import);
        the code of ``reference_modules`` is refused in learners' code."""
        if not sealed:
            sealed.append(_record(own_modules, reference_modules))

    def exercise(title: str, banned: dict | None = None):
        """Decorator: ``body(answer, run)`` becomes a check that never
        raises; ``banned`` ({name: function, class or module}) is the
        package's own answer, refused in the learner's code."""
        banned = _snapshot(tuple((banned or {}).items()))
        warm = [False]  # a run of this check ended in time

        def decorate(body):
            def guarded(answer, extra, named):
                lift, reapply, reference, state, own = sealed[0]
                saved: list = []
                active = [True]  # a worker still running after the
                # verdict (a call that cannot be interrupted) must not
                # lift the learner's patches once they are given back
                try:
                    again(lift, saved)  # to the end, if a signal cut in
                    if answer is NOTHING or extra or named:
                        return Verdict(title, WRONG, "pass one answer")
                    return _judge(
                        title,
                        body,
                        answer,
                        (banned, reference),
                        (lambda: active[0] and lift(None), state, own),
                        warm,
                    )
                finally:
                    active[0] = False
                    again(reapply, saved)

            check = alone(title, claims, guarded)
            check.__name__ = check.__qualname__ = body.__name__.lstrip("_")
            check.__doc__ = body.__doc__
            check.__module__ = body.__module__
            check.__wrapped__ = body
            return check

        return decorate

    def record() -> tuple:
        """What ``seal`` recorded (``_record``)."""
        return sealed[0]

    return seal, exercise, record


seal, exercise, record = _make()
