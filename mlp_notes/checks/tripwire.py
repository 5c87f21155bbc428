"""The package's answers and the checks' reference code refuse to run
while the learner's function runs, in whatever thread.

The profile function (``watch.Tracer``) sees calls in the check's worker
thread only, and Python 3.11 raises no audit event for a new thread: a
thread started through ``functools.partial`` runs unseen.  So for the
length of the learner's call, ``armed`` gives each of these functions a
stand-in code object that records the call and raises ``Refused``.  The
function object stays the same, so a reference the learner keeps
(``from mlp_notes.activations import prelu_grad``) is armed too.  The
original code is put back when the call returns, whatever happens
(``Run.disarm`` again at the end of a check, for a call that could not
be stopped).

Reading a package function's ``__code__`` in the learner's code raises
an audit event the check refuses (``audit``); a stand-in's constants
reach only the list its calls are noted in, never the original code.

Copies made before the check are armed too (``sharing``): function
objects that share one of these code objects
(``types.FunctionType(f.__code__, ...)``) or run a copy of it compiled
again (``package.copy_of``), found among the garbage collector's objects
at the check's first call and at any later call after the learner's
code could have made one (``audit.reads``).
"""

from __future__ import annotations

import gc
import types
import warnings
import weakref

from mlp_notes.checks.audit import quietly
from mlp_notes.checks.package import copy_of

_MARK = "mlp_notes: refused while a check runs"
STAND_IN = "<mlp_notes stand-in>"  # the stand-ins' file name
_templates: dict[int, types.CodeType] = {}


class Refused(BaseException):
    """Raised by a stand-in: this function computes the answer."""


def _template(free: int) -> types.CodeType:
    """A function's code taking any arguments, with ``free`` free
    variables (a code object can only replace one with as many), that
    calls the constant ``_MARK`` with its arguments."""
    if free not in _templates:
        names = [f"v{i}" for i in range(free)]
        uses = "".join(f"        {n}\n" for n in names)
        source = (
            "def outer():\n"
            + "".join(f"    {n} = None\n" for n in names)
            + "    def stand_in(*args, **kwargs):\n"
            + uses
            + f"        return {_MARK!r}(args, kwargs)\n"
            + "    return stand_in\n"
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "'str' object is not callable"
            outer = compile(source, STAND_IN, "exec")
        code = next(
            c
            for c in next(
                c for c in outer.co_consts if isinstance(c, types.CodeType)
            ).co_consts
            if isinstance(c, types.CodeType)
        )
        assert len(code.co_freevars) == free
        _templates[free] = code
    return _templates[free]


def _stand_in(fn, name: str, note) -> types.CodeType:
    """The code ``fn`` runs while armed: it calls ``note(name)`` and
    raises.  Its constants reach nothing else (not the original code: a
    learner's copy is armed too, and its code is not audited)."""

    def refuse(args, kwargs):
        note(name)
        raise Refused(
            f"{name} computes this exercise's answer: it does not run "
            "while a check runs your function"
        )

    code = _template(len(fn.__code__.co_freevars))
    return code.replace(
        co_consts=tuple(refuse if c == _MARK else c for c in code.co_consts),
        co_name=fn.__code__.co_name,
        co_qualname=fn.__code__.co_qualname,
    )


#: {function: its own code}, as seen the last time it held no stand-in: a
#: run's wires made while another run's stand-in is in place (a worker
#: that went on after its verdict) put back the function's own code, not
#: that stand-in, which would stay for good if the other run ended first
_genuine: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def is_stand_in(code: types.CodeType) -> bool:
    """``code`` is a tripwire's stand-in (made by ``_stand_in``)."""
    return code.co_filename == STAND_IN


def own_code(fn) -> types.CodeType:
    """``fn``'s own code, also while a stand-in is in its place."""
    code = fn.__code__
    if not is_stand_in(code):
        _genuine[fn] = code
        return code
    return _genuine.get(fn, code)


#: What the last look through the garbage collector's objects found:
#: {id of a package code object: the function objects that run it}, and
#: {function: its code} of functions that may be copies compiled again
#: (their arguments and names are a package function's)
_holders: dict[int, weakref.WeakSet] = {}
_suspects: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _look(every: tuple) -> None:
    """Look through every function object (50 to 200 ms, more in a
    process holding many objects)."""
    ids = {id(code) for code in every}
    keys = {(c.co_argcount, c.co_names, c.co_varnames) for c in every}
    _holders.clear()
    _suspects.clear()
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType:
            code = obj.__code__
            if id(code) in ids:
                _holders.setdefault(id(code), weakref.WeakSet()).add(obj)
            elif (code.co_argcount, code.co_names, code.co_varnames) in keys:
                _suspects[obj] = code


def sharing(
    functions: dict, look: list, every: tuple = (), copies=None, own=()
) -> dict:
    """{function: name} of the other function objects that run the code
    of one of ``functions`` (copies made from its ``__code__``) or a copy
    of it compiled again (``package.copy_of`` with ``copies`` and
    ``own``), made before the check.  All function objects are looked
    through (``_look``, over ``every`` code object of the package) only
    where ``look[0]`` says the learner's code may have reached a code
    object or compiled code since the last look (``audit.reads``); what
    was found is kept meanwhile."""
    if look[0]:
        look[0] = False  # a read while looking (another thread) counts
        quietly(_look)((*every, *(own_code(fn) for fn in functions)))
    found: dict = {}
    for fn, name in functions.items():
        code = own_code(fn)
        for holder in list(_holders.get(id(code), ())):
            if holder not in functions and holder.__code__ is code:
                found[holder] = name
    for holder, code in list(_suspects.items()):
        name = copy_of(code, copies or {}, own)
        if name is not None and holder.__code__ is code:
            found.setdefault(holder, name)
    return found


class Wires:
    """``with Wires(functions) as hits:`` — during the block, each of
    ``functions`` ({function: name}) and the copies that share their
    code (``sharing``, with ``look`` and ``every``) raises ``Refused``
    and its name is appended to ``hits`` (emptied each time)."""

    def __init__(
        self, functions: dict, look=None, every=(), copies=None, own=()
    ):
        self.hits: list[str] = []
        look = [True] if look is None else look
        functions = functions | sharing(functions, look, every, copies, own)
        self.swaps = [
            (fn, own_code(fn), _stand_in(fn, name, self.hits.append))
            for fn, name in functions.items()
        ]

    def __enter__(self) -> list[str]:
        self.hits.clear()
        for fn, _, stand_in in self.swaps:
            fn.__code__ = stand_in
        return self.hits

    def __exit__(self, *exc) -> None:
        for fn, code, stand_in in self.swaps:
            if fn.__code__ is stand_in:  # not another run's
                fn.__code__ = code
