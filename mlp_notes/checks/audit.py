"""What the checks see of the learner's code beyond the profile
function, and what they refuse.

* ``watching(tracer)``: one audit hook (PEP 578), installed when the
  checks are imported, reports to the tracer of the thread a check runs
  the learner's code in.  The profile function sees a C function only
  where Python code calls it directly; an audit event is raised whatever
  the route (``functools.partial``, ``map``, ``ctypes``).
* ``started(before)``: a new thread running the learner's code.
"""

from __future__ import annotations

import _thread
import os
import sys
import types
from types import MappingProxyType

from mlp_notes.checks.callers import filename, learners

_frames = sys._current_frames

#: Audit events (PEP 578) and what they mean in the learner's code.  The
#: profile function sees a C function only where Python code calls it
#: directly; an audit event is raised whatever the route to the call
#: (``functools.partial``, ``map``, a key function, another C library).
_EVENTS = MappingProxyType(
    {
        "sys.setprofile": "tamper",
        "sys.settrace": "tamper",
        "sys._getframe": "getframe",
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
)
#: The attributes that lead from an object to a frame (and from there to
#: the check's variables); reading them raises ``object.__getattr__``.
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
#: A function's attributes whose reading (``object.__getattr__``: the
#: code, which leads to the tripwires' record) or writing
#: (``object.__setattr__``) raises an event: refused for ``mlp_notes``'
#: own functions.
_CODE_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
#: Events on the routes from the learner's code to a code object (a
#: function's ``__code__``, a frame's ``f_code``, a profiler's or
#: tracer's frames) or to code compiled again: after one, the tripwires
#: look for copies of the package's functions (``tripwire.sharing``).
_READS = frozenset(
    {
        "object.__getattr__",
        "sys._getframe",
        "sys._current_frames",
        "sys.setprofile",
        "sys.settrace",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "marshal.loads",
    }
)
#: Events that make code, and where their file name is: one naming a
#: file of the package is the package's source compiled again (or a code
#: object of it remade), whoever raises it.
_COMPILES = MappingProxyType(
    {
        "compile": lambda args: args[1],
        "exec": lambda args: getattr(args[0], "co_filename", None),
        "code.__new__": lambda args: args[1],
    }
)
_REAL = os.path.realpath(os.path.dirname(os.path.dirname(__file__))) + os.sep


def _compiles_package(event, args) -> bool:
    """``event`` makes code under a file name of the package."""
    try:
        name = os.fsdecode(_COMPILES[event](args))
        return os.path.realpath(name).startswith(_REAL)
    except Exception:  # not a file name
        return False


#: The checks' own machinery: reading its code is not refused (torch's
#: compiler reads the code of the tanh check's torch function mode while
#: it compiles the learner's own function); changing it is.
_MACHINERY = frozenset(
    {
        f"mlp_notes.checks.{name}"
        for name in (
            "answers audit compare guard isolation package runs swap tripwire "
            "verdict watch worker"
        ).split()
    }
)


def _package(obj, reading: bool = False) -> bool:
    """``obj`` is one of ``mlp_notes``' functions (``reading``: not of
    the checks' machinery)."""
    if type(obj) is not types.FunctionType:
        return False
    module = obj.__module__
    if type(module) is not str or module.partition(".")[0] != "mlp_notes":
        return False
    return not (reading and module in _MACHINERY)


_PACKAGE = os.path.dirname(os.path.dirname(__file__)) + os.sep


def _anywhere(frame) -> bool:
    """The learner's code is on ``frame``'s stack above the package's
    own and below any import (a library function, ``dis`` or
    ``inspect``, reading a package function's code for it; not the
    package doing it, nor a module being imported)."""
    while frame is not None:
        name = filename(frame)
        if name.startswith(_PACKAGE) or name.startswith("<frozen importlib."):
            return False
        if learners(frame, relay=False):
            return True
        frame = frame.f_back
    return False


def _kind(event, args):
    """What an audit event means here, or None where it means nothing."""
    what = _EVENTS.get(event)
    if what is None:
        return "elsewhere" if event.startswith("ctypes.") else None
    if what in ("frame", "changed"):
        if args[1] in _CODE_ATTRIBUTES and _package(args[0], what == "frame"):
            return "code" if what == "frame" else "changed"
        if what == "changed" or args[1] not in _FRAME_ATTRIBUTES:
            return None
    return what


def _report(
    tracer, what, caller, own_thread, mine=learners, anywhere=_anywhere
):
    """Note in ``tracer`` what an audit event from ``caller`` means.  A
    package function's code read or changed counts with the learner's
    code anywhere on the stack (``dis`` reading it for the learner), not
    beyond an import (a library imported by the learner's code, reading
    code as it loads).  ``sys._getframe`` in the learner's other threads
    (started in an earlier cell) counts only where the learner's code
    calls it itself: ``logging`` calls it there for its own purposes."""
    if what == "tamper":
        tracer.tamper |= own_thread
    elif what in ("code", "changed") or (
        what != "getframe" and not own_thread
    ):
        if anywhere(caller):
            what = "introspect" if what in ("code", "frame") else what
            setattr(tracer, what, True)
    elif what == "frame":  # directly, not through traceback
        tracer.introspect |= mine(caller, relay=False)
    elif mine(caller):
        setattr(tracer, "introspect" if what == "getframe" else what, True)


def _audit():
    """Install (once, at import) the audit hook; return ``(watching,
    registered, blocked, reads, quiet, the hook's code)``.
    ``watching(tracer)`` registers the calling thread's tracer (``None``
    ends it; ``registered(tracer)``: it is the one): the hook reports what the
    learner's code does in that thread, and in any other thread while a
    check runs (a thread started in an earlier cell).  Audit hooks
    cannot be removed: outside a check the hook only blocks audit hooks
    added by the learner's code (they would see the check's work),
    noting each in ``blocked``, and notes in ``reads[0]`` that the
    learner's code may have reached a code object (``_READS``), except
    in the threads in ``quiet`` (the checks lifting patches, which reads
    every package function's code)."""
    tracers: dict = {}
    busy: set = set()  # threads inside the hook (getframe raises events)
    blocked: list = []
    reads, quiet = [True], set()  # reads: whatever came before the import
    get_ident, getframe = _thread.get_ident, sys._getframe
    anywhere, kind, list_, report = _anywhere, _kind, list, _report
    compiles = _compiles_package

    def hook(event, args):
        ident = get_ident()
        if ident in busy:
            return
        added = event == "sys.addaudithook"
        if not reads[0] and event in _COMPILES and ident not in quiet:
            reads[0] = compiles(event, args)
        elif added or (
            not reads[0] and event in _READS and ident not in quiet
        ):
            busy.add(ident)
            try:
                learner = anywhere(getframe(1))
            except Exception:  # an exception would stop the audited call
                learner = True
            finally:
                busy.discard(ident)
            if added and learner:
                blocked.append(True)
                raise RuntimeError("blocked by mlp_notes.checks")
            if added:
                return
            reads[0] = learner
        what = tracers and kind(event, args)
        if not what:
            return
        tracer = tracers.get(ident)
        targets = [tracer] if tracer is not None else list_(tracers.values())
        busy.add(ident)
        try:
            caller = getframe(1)
            for one in targets:
                if one.armed:
                    report(one, what, caller, tracer is not None)
        except Exception:  # an exception would stop the audited call
            pass
        finally:
            busy.discard(ident)

    def watching(tracer) -> None:
        if tracer is None:
            tracers.pop(get_ident(), None)
        else:
            tracers[get_ident()] = tracer

    def registered(tracer) -> bool:
        return tracers.get(get_ident()) is tracer

    sys.addaudithook(hook)
    return watching, registered, blocked, reads, quiet, hook.__code__


watching, registered, blocked, reads, quiet, HOOK = _audit()


def quietly(fn):
    """``fn``, with its thread in ``quiet`` while it runs."""

    def run(*args):
        ident = _thread.get_ident()
        try:
            quiet.add(ident)
            return fn(*args)
        finally:
            quiet.discard(ident)

    return run


def started(before: set) -> bool:
    """A thread not in ``before`` runs the learner's code now."""
    for ident, frame in _frames().items():
        if ident not in before:
            while frame is not None:
                if learners(frame, relay=False):
                    return True
                frame = frame.f_back
    return False
