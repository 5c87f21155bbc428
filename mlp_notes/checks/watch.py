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
import dis
import gc
import inspect
import os
import signal
import site
import sys
import sysconfig
import threading
import traceback
import types

import torch

try:  # POSIX only
    import _posixsubprocess
except ImportError:  # pragma: no cover (Windows)
    _posixsubprocess = None

from mlp_notes.checks.worker import SWITCH, set_switch

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
#: Work done out of the profiler's sight: another process (fork,
#: subprocess, a shell) or a signal whose handler runs elsewhere.
_ELSEWHERE = tuple(
    getattr(module, name)
    for module, names in (
        (os, ("fork", "forkpty", "kill", "killpg", "system", "popen")),
        (os, ("posix_spawn", "posix_spawnp", "execv", "execve")),
        (signal, ("raise_signal", "pthread_kill", "alarm", "setitimer")),
        (_posixsubprocess, ("fork_exec",)),
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
#: Code of these files is not the learner's (``inspect.currentframe`` and
#: ``traceback.extract_stack`` call ``sys._getframe`` for their caller).
_LIBRARY = tuple(
    {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        *sysconfig.get_paths().values(),
        *site.getsitepackages(),
        site.getusersitepackages(),
        os.path.dirname(os.__file__),
        os.path.dirname(os.path.dirname(torch.__file__)),
        os.path.dirname(os.path.dirname(__file__)),  # mlp_notes
    }
)
_RELAY = {inspect.__file__, traceback.__file__}


def fingerprint(code: types.CodeType) -> tuple:
    """What a copy of ``code`` keeps, whatever its name, file or line:
    its arguments, names and constants (the docstring among them; nested
    code by its fingerprint).  Not the bytecode: the same source can
    compile to different instructions (a method call's two forms)."""
    return (
        code.co_argcount,
        code.co_names,
        code.co_varnames,
        tuple(_constant(c) for c in code.co_consts),
    )


#: Constants the compiler makes; any other object put into a code
#: object's constants (``code.replace``) is keyed by its type's identity,
#: never hashed: its ``__hash__`` would run inside the profile function.
_PLAIN = (str, bytes, int, float, complex, bool, type(None), type(...))


def _constant(c):
    if type(c) is types.CodeType:
        return fingerprint(c)
    if type(c) is tuple:
        return (tuple, tuple(_constant(v) for v in c))
    if type(c) is frozenset:
        return (frozenset, frozenset(_constant(v) for v in c))
    if type(c) in _PLAIN:
        return (type(c), c)
    return (id(type(c)),)


def learners(frame, relay: bool = True) -> bool:
    """``frame`` (skipping ``inspect`` and ``traceback`` unless
    ``relay`` is False) runs code that is neither the library's nor
    mlp_notes'."""
    while relay and frame is not None and frame.f_code.co_filename in _RELAY:
        frame = frame.f_back
    if frame is None:
        return False
    name = frame.f_code.co_filename
    return not name.startswith(_LIBRARY) and not name.startswith("<frozen")


class Tracer:
    """A profile function recording what the learner's code calls.

    ``banned`` maps ``id(code)`` to the name to report (the caller keeps
    the code objects alive)."""

    def __init__(self, banned: dict[int, str], copies: dict | None = None):
        self.banned = banned
        self.copies = copies or {}  # {fingerprint: name}
        self.seen: dict[int, str | None] = {}  # id(code): a copy's name
        self.hit: str | None = None
        self.tanh = self.tamper = self.thread = self.introspect = False
        self.elsewhere = self.changed = self.hooked = False
        self.left_mode = False  # a torch mode left active by the call
        self.importing = 0  # imports under way (their time is not timed)
        self.armed = True  # the check sets False before it switches off

    def __call__(self, frame, event, arg):
        try:
            if not self.armed:
                return
            if event == "call":
                code = frame.f_code
                if code is _IMPORT:
                    self.importing += 1
                name = self.banned.get(_id(code))
                if name is None and self.copies:
                    name = self._copy_of(code)
                if name is not None and self.hit is None:
                    self.hit = name
                elif code in _TAMPER_CODES:
                    self.tamper = True
            elif event == "return":
                if frame.f_code is _IMPORT:
                    self.importing -= 1
            elif event == "c_return" and arg is _SET_SWITCH:
                set_switch(SWITCH)
            elif event == "c_call":
                if arg in _TAMPER or arg is _SET_SWITCH:
                    self.tamper = True
                elif arg in _THREADS:
                    self.thread = True
                elif arg in _ELSEWHERE:
                    self.elsewhere = True
                elif arg in _INTROSPECT and learners(frame):
                    self.introspect = True
                elif _getattr(arg, "__name__", "") in ("tanh", "tanh_"):
                    self.tanh = True
        except Exception:  # a profile function that raises is switched off
            pass

    def _copy_of(self, code) -> str | None:
        key = _id(code)
        if key not in self.seen:
            self.seen[key] = self.copies.get(fingerprint(code))
        return self.seen[key]


def members(objects: dict) -> dict:
    """{function: name} of every function in ``objects`` ({name: a
    function, a class or a module}) and of their methods.  A function
    counts only where its code is in the file of the module that defines
    ``obj``: a wrapper shared by many modules (``torch.no_grad``'s, a
    mutation tool's trampoline) is not theirs, the function it wraps
    is."""
    found: dict = {}
    for name, obj in objects.items():
        home = getattr(obj, "__file__", None)  # set for modules
        if home is None:  # a class or a function: its module's file
            module = sys.modules.get(getattr(obj, "__module__", None) or "")
            home = getattr(module, "__file__", None)
        for member in _functions(obj):
            code = getattr(member, "__code__", None)
            if isinstance(code, types.CodeType) and home in (
                None,
                code.co_filename,
            ):
                found.setdefault(member, name)
    return found


def codes(objects: dict) -> dict:
    """{code object: name} of the functions of ``objects`` (``members``)
    and of the functions nested in them."""
    found: dict = {}

    def add(code, name):
        if code not in found:
            found[code] = name
            for const in code.co_consts:
                if isinstance(const, types.CodeType):
                    add(const, name)

    for member, name in members(objects).items():
        add(member.__code__, name)
    return found


def copies(objects: dict) -> dict:
    """{fingerprint: name} of the functions in ``objects`` that have a
    docstring (``members``): a copy of one of them, compiled again from
    its source or with its code object renamed, is still refused, while
    a learner's own short function that happens to match a helper's
    bytecode is not (it has no docstring of the package's)."""
    found: dict = {}
    for member, name in members(objects).items():
        if getattr(member, "__doc__", None):
            found.setdefault(fingerprint(member.__code__), name)
    return found


def _functions(obj) -> list:
    """The functions an object holds: itself, a class's methods (and
    properties' getters), a module's functions and classes' methods,
    including those kept in a module-level dict, list or tuple (the
    prior check's table of coefficients)."""
    if isinstance(obj, types.ModuleType):
        values = list(vars(obj).values())
        for v in vars(obj).values():  # functions kept in a table
            if isinstance(v, dict):
                values += v.values()
            elif isinstance(v, list | tuple):
                values += v
        own = [
            v for v in values if getattr(v, "__module__", None) == obj.__name__
        ]
        return [f for v in own for f in _functions(v)]
    if isinstance(obj, type):
        found = []
        for v in vars(obj).values():
            v = getattr(v, "__func__", v)  # classmethod, staticmethod
            v = getattr(v, "fget", v)  # property
            found.append(getattr(v, "__wrapped__", v))
            found.append(v)
        return found
    obj = getattr(obj, "__func__", obj)
    return [obj, getattr(obj, "__wrapped__", obj)]


_IDLE = {
    "RESUME",
    "NOP",
    "CACHE",
    "COPY_FREE_VARS",
    "MAKE_CELL",
    "EXTENDED_ARG",
}


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
