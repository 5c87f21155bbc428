"""What counts as the package's own code, and what as a copy of it.

* ``members(objects)``, ``codes(objects)``: the functions (and code
  objects) of modules, classes and functions, as the checks refuse or
  arm them.
* ``copies(objects)`` and ``copy_of(code, copies, own)``: a copy of one
  of them, compiled again from the package's source or made from its
  code object, is refused like the function itself.
"""

from __future__ import annotations

import sys
import types


def fingerprint(code: types.CodeType) -> tuple:
    """What a copy of ``code`` keeps, whatever its name, file or line:
    its arguments, names and constants (nested code by its fingerprint),
    all but the first constant of a function's code, which is its
    docstring or ``None`` (compiled with ``optimize=2``, the copy has
    ``None`` there).  Not the bytecode: the same source can compile to
    different instructions (a method call's two forms)."""
    consts = code.co_consts
    if consts and type(consts[0]) in (str, type(None)):
        consts = consts[1:]
    return (
        code.co_argcount,
        code.co_names,
        code.co_varnames,
        tuple(_constant(c) for c in consts),
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
    """{fingerprint: (name, docstring or None, file)} of the functions
    in ``objects`` (``members``), for ``copy_of``."""
    found: dict = {}
    for member, name in members(objects).items():
        code = member.__code__
        doc = code.co_consts[:1]
        doc = doc[0] if doc and type(doc[0]) is str else None
        found.setdefault(fingerprint(code), (name, doc, code.co_filename))
    return found


def copy_of(code: types.CodeType, copies: dict, own) -> str | None:
    """The name of the function in ``copies`` that ``code`` is a copy
    of, compiled again from its source or with its code object renamed
    or edited, or None.  A code object with the same fingerprint is a
    copy where it keeps the function's docstring, or where it says it
    comes from the function's own file but is not one of the package's
    code objects (``own``: their ids), as a copy compiled again with
    ``optimize=2`` (no docstring) does.  A learner's short function that
    happens to match a helper's names and constants is neither: code
    under the learner's own file name is the learner's, like code typed
    from the page."""
    entry = copies.get(fingerprint(code))
    if entry is None:
        return None
    name, doc, file = entry
    first, where = code.co_consts[:1], code.co_filename
    if doc is not None and first and type(first[0]) is str and first[0] == doc:
        return name
    if type(where) is str and where == file and id(code) not in own:
        return name
    return None


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
