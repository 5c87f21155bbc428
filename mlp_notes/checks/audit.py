"""What the checks see of the learner's code beyond the profile
function, and what they refuse.

* ``watching(tracer)``: one audit hook (PEP 578), installed when the
  checks are imported, reports to the tracer of the thread a check runs
  the learner's code in.  The profile function sees a C function only
  where Python code calls it directly; an audit event is raised whatever
  the route (``functools.partial``, ``map``, ``ctypes``).
* ``started(before)``: a new thread running the learner's code.
* ``refuse(tracer)``: the verdict for what was seen.
"""

from __future__ import annotations

import _thread
import sys
import types

from mlp_notes.checks.verdict import wrong
from mlp_notes.checks.watch import learners

_frames = sys._current_frames

#: Audit events (PEP 578) and what they mean in the learner's code.  The
#: profile function sees a C function only where Python code calls it
#: directly; an audit event is raised whatever the route to the call
#: (``functools.partial``, ``map``, a key function, another C library).
_EVENTS = {
    "sys.setprofile": "tamper",
    "sys.settrace": "tamper",
    "sys._getframe": "introspect",
    "sys._current_frames": "introspect",
    "gc.get_objects": "introspect",
    "gc.get_referrers": "introspect",
    "gc.get_referents": "introspect",
    "object.__getattr__": "frame",  # a traceback's or generator's frame
    "object.__setattr__": "changed",  # a function's code or defaults
    **dict.fromkeys(
        (
            "os.fork",
            "os.forkpty",
            "os.kill",
            "os.killpg",
            "os.system",
            "os.posix_spawn",
            "os.exec",
            "os.spawn",
            "subprocess.Popen",
            "signal.pthread_kill",
        ),
        "elsewhere",
    ),
}
#: The attributes that lead from an object to a frame (and from there to
#: the check's variables); reading them raises ``object.__getattr__``.
_FRAME_ATTRIBUTES = {"tb_frame", "gi_frame", "cr_frame", "ag_frame"}
#: A function's attributes whose reading (``object.__getattr__``: the
#: code, which leads to the tripwires' record) or writing
#: (``object.__setattr__``) raises an event: refused for ``mlp_notes``'
#: own functions.
_CODE_ATTRIBUTES = {"__code__", "__defaults__", "__kwdefaults__"}


def _package(obj) -> bool:
    """``obj`` is one of ``mlp_notes``' functions."""
    if not isinstance(obj, types.FunctionType):
        return False
    module = obj.__module__
    return isinstance(module, str) and module.partition(".")[0] == "mlp_notes"


def _audit():
    """Install (once, at import) the audit hook that reports to the
    tracer of the thread it runs in; return ``watching(tracer)``, which
    registers the calling thread's tracer (``None`` ends it).  Audit
    hooks cannot be removed: the hook does nothing outside a check."""
    tracers: dict = {}
    busy: list = []
    get_ident, getframe, events = _thread.get_ident, sys._getframe, _EVENTS
    mine, frame_attributes = learners, _FRAME_ATTRIBUTES
    code_attributes, package = _CODE_ATTRIBUTES, _package

    def hook(event, args):
        what = events.get(event)
        if what is None:
            if not event.startswith("ctypes."):
                return
            what = "elsewhere"
        tracer = tracers.get(get_ident())
        if tracer is None or not tracer.armed or busy:
            return
        if what in ("frame", "changed"):
            if args[1] in code_attributes and package(args[0]):
                what = "introspect" if what == "frame" else what
            elif what == "changed" or args[1] not in frame_attributes:
                return
        busy.append(True)  # getframe raises an event of its own
        try:
            caller = getframe(1)
            if what == "tamper":
                tracer.tamper = True
            elif what == "frame":  # directly, not through traceback
                if mine(caller, relay=False):
                    tracer.introspect = True
            elif mine(caller):
                setattr(tracer, what, True)
        except Exception:  # an exception would stop the audited call
            pass
        finally:
            busy.pop()

    def watching(tracer) -> None:
        if tracer is None:
            tracers.pop(get_ident(), None)
        else:
            tracers[get_ident()] = tracer

    sys.addaudithook(hook)
    return watching


watching = _audit()


def started(before: set) -> bool:
    """A thread not in ``before`` runs the learner's code now."""
    for ident, frame in _frames().items():
        if ident not in before:
            while frame is not None:
                if learners(frame, relay=False):
                    return True
                frame = frame.f_back
    return False


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
            "your function starts another process, sends a signal or "
            "calls C through ctypes (os.fork, subprocess, os.system, "
            "os.kill, signal, ctypes): compute the answer in your function"
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
