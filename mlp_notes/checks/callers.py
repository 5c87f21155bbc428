"""Whose code is running: the learner's, the library's (Python's, torch's,
mlp_notes') or the checks' own, judged from a frame and its callers."""

from __future__ import annotations

import contextlib
import ctypes
import inspect
import logging
import os
import site
import sys
import sysconfig
import traceback

import torch
import torch.overrides
import torch.utils._python_dispatch

#: Code of these folders is not the learner's (``inspect.currentframe``
#: and ``traceback.extract_stack`` call ``sys._getframe`` for their
#: caller); each ends with a separator (``.venv`` is not ``.venv-mine``).
_LIBRARY = tuple(
    os.path.join(folder, "")
    for folder in {
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
#: Python's frozen modules (``<frozen os>``, ``<frozen importlib._bootstrap>``)
_FROZEN = frozenset(sys.stdlib_module_names)
#: Files whose functions act for their caller: ``inspect`` and
#: ``traceback`` (frames), ``ctypes``' wrappers (a library loaded or a C
#: function looked up, ``CDLL(...)``, ``lib.name``, ``lib["name"]``)
_RELAY = frozenset({inspect.__file__, traceback.__file__, ctypes.__file__})
#: Functions of other files that return their caller's frame (by the
#: id of their code: hashing a code object hashes its constants, which
#: can be the learner's objects).  The code objects are kept here: one
#: freed when its function is replaced could leave its id to the
#: learner's code.
_KEPT = (logging.currentframe.__code__,)
_RELAY_CODES = frozenset(map(id, _KEPT))
_CONTEXTLIB = contextlib.__file__
#: The checks' own code: a learner's call of it is refused (``Tracer``)
CHECKS = (os.path.dirname(__file__) + os.sep, "<mlp_notes stand-in>")
#: Torch's readers of its mode stacks, where the checks' modes are
#: (the tanh check's sigmoid swap): refused where the learner calls them
#: (``MODE_CODES``: ids of code objects, as above)
MODE_READERS = tuple(
    getattr(torch._C, name)
    for name in (
        "_get_function_stack_at",
        "_pop_torch_function_stack",
        "_get_dispatch_stack_at",
        "_pop_torch_dispatch_stack",
    )
    if hasattr(torch._C, name)
)
_MODE_KEPT = tuple(
    f.__code__
    for module in (torch.overrides, torch.utils._python_dispatch)
    for name in (
        "_get_current_function_mode_stack",
        "_get_current_function_mode",
        "_get_current_dispatch_mode_stack",
        "_get_current_dispatch_mode",
        "_pop_mode",
        "_pop_mode_temporarily",
    )
    if hasattr(f := inspect.unwrap(getattr(module, name, len)), "__code__")
)
MODE_CODES = frozenset(map(id, _MODE_KEPT))  # kept alive, as above


_plain = str.__str__  # a str subclass's own methods never run


def filename(frame) -> str:
    """The file of ``frame``'s code as a plain str (a code object can
    carry a str subclass whose ``startswith`` or ``__eq__`` lies)."""
    return _plain(frame.f_code.co_filename)


def learners(frame, relay: bool = True) -> bool:
    """``frame`` (skipping ``inspect``, ``traceback`` and ``ctypes`` unless
    ``relay`` is False) runs code that is neither the library's nor
    mlp_notes'."""
    while (
        relay
        and frame is not None
        and (filename(frame) in _RELAY or id(frame.f_code) in _RELAY_CODES)
    ):
        frame = frame.f_back
    if frame is None:
        return False
    name = filename(frame)
    return not name.startswith(_LIBRARY) and not frozen(name)


def frozen(name: str) -> bool:
    """``name`` is the file name of a frozen module of Python's own."""
    if not (name.startswith("<frozen ") and name.endswith(">")):
        return False
    return name[8:-1].split(".")[0] in _FROZEN


def from_learner(frame) -> bool:
    """The code that called ``frame``'s (the first caller above it that is
    not the library's) is the learner's, not the checks'."""
    frame = frame.f_back
    while frame is not None:
        if filename(frame).startswith(CHECKS):
            return False
        if learners(frame, relay=False):
            return True
        frame = frame.f_back
    return False


def called_by_learner(frame) -> bool:
    """``frame``'s function was called by the learner's code itself (or
    entered by its ``with``, through contextlib)."""
    caller = frame.f_back
    while caller is not None and filename(caller) == _CONTEXTLIB:
        caller = caller.f_back
    return caller is not None and learners(caller, relay=False)
