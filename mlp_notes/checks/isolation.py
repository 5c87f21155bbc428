"""The checks' defence against monkeypatches.

A learner's cell can replace what a check relies on: ``torch.tanh``,
``torch.Tensor.__sub__``, ``builtins.abs``, ``activations.prelu_grad``,
a check's own helper or tolerance.  ``seal`` (called once, when
``mlp_notes.checks`` is imported) records the attributes of the modules
and classes listed below and returns two closures: ``lift`` puts every
recorded attribute back (and hides attributes added to a class or to an
``mlp_notes`` module, which could shadow an inherited method or a
builtin), keeping what the learner had; ``reapply`` gives the learner's
kernel back exactly as it was.  A check lifts the patches before it
starts and after every call of the learner's code, and reapplies them
when it ends: it computes with the originals, and leaves no trace.  The
closures hold everything they use, so no patch of a module attribute
can reach them.

Also recorded: the modules' submodules (a rebound ``torch.linalg``)
and the torch classes the memory check measures with (autograd's
saved-tensor hooks, ``UntypedStorage``).

Not covered: patches made before ``mlp_notes.checks`` was first imported
(they are what ``seal`` records), changes to C types (which Python
forbids anyway), and code that rewrites a check function itself.
"""

from __future__ import annotations

import builtins
import math
import operator
import sys
import types
from itertools import repeat

import numpy as np
import torch
import torch.autograd.graph
import torch.functional
import torch.nn.functional as F
import torch.nn.modules.module
import torch.overrides
from torch import nn

from mlp_notes.checks.package import bases_of, reshape, shape, state_of
from mlp_notes.checks.package import counted as _counted
from mlp_notes.checks.tripwire import is_stand_in

THIRD_PARTY = (
    builtins,
    math,
    np,
    torch,
    F,
    torch.linalg,
    torch.special,
    torch.autograd,
    torch.autograd.graph,
    torch.nn.init,
    torch.overrides,
    torch.functional,  # its dispatch helpers (norm, einsum, ...)
    torch._C._nn,
    torch._C._linalg,
    torch._C._special,
    torch._C._autograd,  # the saved-tensor hooks the memory check sets
)
CLASSES = (
    torch.Tensor,
    nn.Parameter,
    nn.Module,
    nn.Linear,
    nn.Sequential,
    nn.ReLU,
    nn.Flatten,
    nn.Sigmoid,
    nn.Tanh,
    torch.optim.Optimizer,
    torch.autograd.graph.saved_tensors_hooks,  # the memory check's probe
    torch.UntypedStorage,
    torch.overrides.TorchFunctionMode,
)
SYS_NAMES = ("setprofile", "getprofile", "settrace", "gettrace")
#: nn.Module's global hooks (``register_module_forward_hook`` and the
#: like) live in dicts of this module, filled in place: a check swaps in
#: empty ones of its own, cleared every time it lifts.
HOOKS = torch.nn.modules.module


def _record(owner, names) -> dict:
    current = vars(owner)
    return {n: current[n] for n in names if n in current}


#: constants a check computes with (``torch.float64``, ``math.inf``)
CONSTANTS = (torch.dtype, torch.layout, torch.memory_format, float, int)


def _callables(module) -> list[str]:
    """The names of a module's callables, submodules (a rebound
    ``torch.linalg`` is a patch too) and constants."""
    return [
        name
        for name, value in vars(module).items()
        if callable(value) or isinstance(value, (types.ModuleType, *CONSTANTS))
    ]


def _entries(own_modules) -> tuple:
    """(owner, is a class, track added names, record, is the package's)
    for the callables of the third-party modules, a few names of
    ``sys``, everything in the listed classes, in ``own_modules`` and in
    the classes they define."""
    entries = [
        (m, False, False, _record(m, _callables(m)), False)
        for m in THIRD_PARTY
    ]
    entries.append((sys, False, False, _record(sys, SYS_NAMES), False))
    entries.append((HOOKS, False, False, _empty_hooks(), False))
    entries += [
        (c, True, True, _record(c, list(vars(c))), False) for c in CLASSES
    ]
    for module in own_modules:
        entries.append(
            (module, False, True, _record(module, list(vars(module))), True)
        )
        entries += [
            (v, True, True, _record(v, list(vars(v))), True)
            for v in vars(module).values()
            if isinstance(v, type) and v.__module__ == module.__name__
        ]
    return tuple(entries)


def _empty_hooks() -> dict:
    """A fresh empty dict for each of nn.Module's global hook dicts."""
    return {
        name: type(value)()
        for name, value in vars(HOOKS).items()
        if name.startswith("_global_") and isinstance(value, dict)
    }


def _functions(entries) -> tuple:
    """(function, its code, defaults, keyword defaults, is the
    package's) of every Python function recorded: swapping a function's
    ``__code__`` is a patch too."""
    found, seen = [], set()
    for _, _, _, record, own in entries:
        for value in record.values():
            if isinstance(value, types.ModuleType):
                continue  # torch.classes makes any attribute asked for
            value = getattr(value, "__func__", value)
            value = getattr(value, "fget", value)
            if isinstance(value, types.FunctionType) and id(value) not in seen:
                seen.add(id(value))
                found.append(
                    (
                        value,
                        value.__code__,
                        value.__defaults__,
                        value.__kwdefaults__,
                        own,
                    )
                )
    return tuple(found)


def _empty_hooks_of(entries) -> list:
    """The empty hook dicts recorded for ``HOOKS``."""
    return [v for e in entries if e[0] is HOOKS for v in e[3].values()]


#: Dict keys whose hash and comparison are the interpreter's own
_SAFE_KEYS = (str, int, float, bytes, bool, type(None))


def _tools(missing) -> tuple:
    """``changes(owner, track_added, record)``: the names whose value
    is not the recorded one; ``put(owner, is_class, name, value)``: set
    (``missing``: delete) an attribute.  Closures holding what they use,
    so no patch of a module attribute can reach them."""
    vars_, list_, counted, sub = vars, list, _counted, issubclass
    all_, map_, is_, type_, strs = all, map, operator.is_, type, repeat(str)
    str_, id_, safe = str, id, frozenset(map(id, _SAFE_KEYS))
    setattr_, delattr_ = type.__setattr__, type.__delattr__

    def changes(owner, track_added, record) -> list:
        current = vars_(owner)
        if not all_(map_(is_, map_(type_, current), strs)) and not all_(
            id_(type_(key)) in safe for key in list_(current)
        ):  # a key whose type is not a builtin's: its code runs on lookups
            raise TypeError("an odd key in a dict: restart the kernel")
        found = [
            (name, current.get(name, missing))
            for name, value in record.items()
            if current.get(name, missing) is not value
        ]
        if track_added:
            found += [
                (name, current[name])
                for name in list_(current)
                if type_(name) is str_  # no lookup finds another key
                and name not in record
                and counted((name, current[name]), not sub(type(owner), type))
            ]
        return found

    def put(owner, is_class, name, value) -> None:
        if is_class:
            if value is missing:
                delattr_(owner, name)
            else:
                setattr_(owner, name, value)
        elif value is missing:
            vars_(owner).pop(name, None)
        else:
            vars_(owner)[name] = value

    return changes, put


def seal(own_modules):
    """Record the attributes the checks rely on; return ``(lift,
    reapply, state)``.

    ``lift(saved)`` puts the recorded attributes back, and says whether
    any was not in place; when ``saved`` is a list it receives what the
    learner had (``lift(None)`` undoes, during a check, what the
    learner's code changed).
    ``reapply(saved)`` gives the learner's attributes back.
    ``state()``: the package's own attributes (``own_modules``, their
    classes and functions) as they are now, to compare with ``same``."""
    entries = _entries(own_modules)
    functions = _functions(entries)
    registries = tuple(_empty_hooks_of(entries))
    missing = object()
    set_function, stand_in = _set_function, is_stand_in
    reversed_ = reversed
    changes, put = _tools(missing)
    shapes = tuple((e[0], *shape(e[0])) for e in entries if e[0] is not HOOKS)
    reshape_, shape_, type_, bases_ = reshape, shape, type, bases_of

    def lift(saved) -> bool:
        for hooks in registries:
            hooks.clear()  # what a check's own calls registered
        moved = False
        # what the learner had is saved before it is replaced: a lift
        # cut short (a signal) and done again saves the rest, none lost
        for owner, kind, bases in shapes:  # first: lookups go through them
            if type_(owner) is kind and (
                bases is None or bases_(owner) is bases
            ):
                continue
            moved = True
            if saved is not None:
                saved.append((owner, shapes, None, shape_(owner)))
            reshape_(owner, (kind, bases))
        for owner, is_class, track_added, record, _ in entries:
            for name, value in changes(owner, track_added, record):
                moved = True
                if saved is not None:
                    saved.append((owner, is_class, name, value))
                put(owner, is_class, name, record.get(name, missing))
        for fn, code, defaults, kwdefaults, _ in functions:
            now = (fn.__code__, fn.__defaults__, fn.__kwdefaults__)
            if now[0] is code and now[1] is defaults and now[2] is kwdefaults:
                continue
            moved = True
            # another run's stand-in (a worker that went on) is not the
            # learner's patch: given back, it would stay for good
            if saved is not None and not stand_in(now[0]):
                saved.append((fn, None, None, now))
            set_function(fn, code, defaults, kwdefaults)
        return moved

    def reapply(saved) -> None:
        try:  # raises where ``lift(saved)`` did: a key of an odd type
            lift(None)
        finally:
            _give_back(saved)

    def _give_back(saved) -> None:
        for owner, is_class, name, value in reversed_(saved):
            if is_class is None:
                set_function(owner, *value)
            elif is_class is shapes:
                reshape_(owner, value)
            else:
                put(owner, is_class, name, value)

    return lift, reapply, state_of(entries)


def _set_function(fn, code, defaults, kwdefaults) -> None:
    """Give ``fn`` this code and these defaults."""
    fn.__code__, fn.__defaults__ = code, defaults
    fn.__kwdefaults__ = kwdefaults
