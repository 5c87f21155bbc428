"""What the checks see of the learner's code while it runs (the tanh
watch and the sigmoid swap are in ``checks.swap``).

* ``Tracer``: a profile function (``sys.setprofile``, set in the check's
  worker thread only) that notes calls of banned code (the package's own
  answer to the exercise, or the checks' own reference code), C calls of
  tanh, and attempts to switch the tracer off.
* ``is_starter``: a function whose body does nothing (the workbook's
  ``...`` starter, ``pass``, ``raise NotImplementedError``).
"""

from __future__ import annotations

import _frozen_importlib
import _thread
import concurrent.futures.thread
import dis
import gc
import os
import signal
import subprocess
import sys
import threading
import types

import torch
import torch.overrides
import torch.utils._python_dispatch

try:  # POSIX only
    import _posixsubprocess
except ImportError:  # pragma: no cover (Windows)
    _posixsubprocess = None
try:  # another interpreter in this process (no audit event, no profiler)
    import _xxsubinterpreters
except ImportError:  # pragma: no cover (other Pythons)
    _xxsubinterpreters = None

from mlp_notes.checks.callers import (
    MODE_CODES,
    MODE_READERS,
    called_by_learner,
    filename,
    from_learner,
    learners,
)
from mlp_notes.checks.package import copy_of
from mlp_notes.checks.worker import SWITCH, set_switch

_plain = str.__str__  # a str subclass's own methods never run
_TAMPER = (sys.setprofile, sys.settrace, sys.getprofile, sys.gettrace)
#: A long switch interval lets the worker keep the interpreter, so the
#: check could not stop it: refused, and undone as soon as it returns.
_SET_SWITCH = sys.setswitchinterval
_THREADS = tuple(
    getattr(_thread, name)
    for name in ("start_new_thread", "start_joinable_thread")
    if hasattr(_thread, name)
)
_TAMPER_CODES = (threading.setprofile.__code__, threading.settrace.__code__)
#: While torch.compile compiles, torch's own code starts threads
#: (inductor's compile pool, the progress bar of torch.fx) and runs the
#: C++ compiler, through these files.
_MACHINERY = frozenset(
    {
        threading.__file__,
        concurrent.futures.thread.__file__,
        subprocess.__file__,
    }
)
_OURS = _THREADS + tuple(
    getattr(module, name)
    for module, name in (
        (_posixsubprocess, "fork_exec"),
        (os, "posix_spawn"),
        (os, "posix_spawnp"),
    )
    if hasattr(module, name)
)
_TORCH = os.path.dirname(torch.__file__) + os.sep
#: torch.compile's compiling (tracing, the backend's code generation and
#: C++ build) happens in here: its time is not timed, like an import's.
_COMPILE = os.path.join(_TORCH, "_dynamo", "convert_frame.py")
#: Work done out of the profiler's sight: another process (fork,
#: subprocess, a shell), another interpreter or a signal whose handler
#: runs elsewhere.
_ELSEWHERE = tuple(
    getattr(module, name)
    for module, names in (
        (os, ("fork", "forkpty", "kill", "killpg", "system", "popen")),
        (os, ("posix_spawn", "posix_spawnp", "execv", "execve")),
        (signal, ("raise_signal", "pthread_kill", "alarm", "setitimer")),
        (_posixsubprocess, ("fork_exec",)),
        (_xxsubinterpreters, ("create", "run_string", "channel_recv")),
    )
    for name in names
    if hasattr(module, name)
)
_id, _getattr = id, getattr
_IMPORT = _frozen_importlib._find_and_load.__code__  # one import
#: Ways to reach the check's own variables: the interpreter's frames and
#: its object graph.  Refused where the learner's code calls them.
_INTROSPECT = (
    sys._getframe,
    sys._current_frames,
    gc.get_objects,
    gc.get_referrers,
    gc.get_referents,
)


def _is_compile(code) -> bool:
    """``code`` is dynamo's ``_compile`` (by name: importing dynamo to
    compare the code object would slow every kernel's first check)."""
    return _plain(code.co_name) == "_compile" and (
        _plain(code.co_filename) == _COMPILE
    )


def _torchs(frame) -> bool:
    """The thread or process being started is torch's: called from
    torch's code, through the machinery (a pool, subprocess) or tqdm's
    progress bar, not from the learner's code."""
    while frame is not None and (
        filename(frame) in _MACHINERY
        or f"{os.sep}tqdm{os.sep}" in filename(frame)
    ):
        frame = frame.f_back
    return frame is not None and filename(frame).startswith(_TORCH)


class Tracer:
    """A profile function recording what the learner's code calls.

    ``banned`` maps ``id(code)`` to the name to report (the caller keeps
    the code objects alive)."""

    def __init__(
        self,
        banned: dict[int, str],
        copies: dict | None = None,
        own=(),
        checks=frozenset(),
    ):
        self.banned = banned
        self.copies = copies or {}  # ``package.copies``
        self.own = own  # ids of the package's own code objects
        #: ids of the checks' own code objects that the learner's code
        #: must not call (not the modes' callbacks, which torch calls)
        self.checks = checks
        self.own_code = False  # the learner's code called one
        self.seen: dict[int, tuple] = {}  # id(code): (code, a copy's name)
        self.hit: str | None = None
        self.tanh = self.tamper = self.thread = self.introspect = False
        self.elsewhere = self.changed = self.hooked = False
        self.left_mode = False  # a torch mode left active by the call
        self.importing = 0  # imports under way (their time is not timed)
        self.compiling = 0  # torch.compile's compiling under way (as well)
        self.armed = True  # the check sets False before it switches off

    def __call__(self, frame, event, arg):
        try:
            if not self.armed:
                return
            if event == "call":
                code = frame.f_code
                if code is _IMPORT:
                    self.importing += 1
                elif _is_compile(code):
                    self.importing += 1
                    self.compiling += 1
                name = self.banned.get(_id(code))
                if name is None and self.copies:
                    name = self._copy_of(code)
                if name is not None and self.hit is None:
                    self.hit = name
                elif code in _TAMPER_CODES:
                    self.tamper = True
                elif _id(code) in self.checks and from_learner(frame):
                    self.own_code = True
                elif _id(code) in MODE_CODES and called_by_learner(frame):
                    self.introspect = True
            elif event == "return":
                if frame.f_code is _IMPORT:
                    self.importing -= 1
                elif _is_compile(frame.f_code):
                    self.importing -= 1
                    self.compiling -= 1
            elif event == "c_return" and arg is _SET_SWITCH:
                set_switch(SWITCH)
            elif event == "c_call":
                if arg in _TAMPER or arg is _SET_SWITCH:
                    self.tamper = True
                elif self.compiling and arg in _OURS and _torchs(frame):
                    pass  # torch.compile's own pool, bar or C++ build
                elif arg in _THREADS:
                    self.thread = True
                elif arg in _ELSEWHERE:
                    self.elsewhere = True
                elif arg in _INTROSPECT and learners(frame):
                    self.introspect = True
                elif arg in MODE_READERS and learners(frame, relay=False):
                    self.introspect = True
                elif _getattr(arg, "__name__", "") in ("tanh", "tanh_"):
                    self.tanh = True
        except Exception:  # a profile function that raises is switched off
            pass

    def _copy_of(self, code) -> str | None:
        key = _id(code)  # the code is kept: its id is not freed for another
        if key not in self.seen:
            self.seen[key] = (code, copy_of(code, self.copies, self.own))
        return self.seen[key][1]


_IDLE = frozenset(
    {
        "RESUME",
        "NOP",
        "CACHE",
        "COPY_FREE_VARS",
        "MAKE_CELL",
        "EXTENDED_ARG",
    }
)


def is_starter(fn) -> bool:
    """``fn``'s body does nothing: only a docstring, ``...``, ``pass``,
    ``return None`` or ``raise NotImplementedError``."""
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if not isinstance(code, types.CodeType):
        return False
    ops = [i for i in dis.get_instructions(code) if i.opname not in _IDLE]
    names = [i.opname for i in ops]
    if names in (["LOAD_CONST", "RETURN_VALUE"], ["RETURN_CONST"]):
        return ops[0].argval is None
    raises = names[-1:] == ["RAISE_VARARGS"] and all(
        n in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_CONST", "PUSH_NULL")
        or n.startswith(("CALL", "PRECALL"))
        for n in names[:-1]
    )
    loaded = {
        i.argval for i in ops if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    }
    return raises and loaded == {"NotImplementedError"}
