"""What counts as the package's own code, and what as a copy of it.

* ``members(objects)``, ``codes(objects)``: the functions (and code
  objects) of modules, classes and functions, as the checks refuse or
  arm them.
* ``copies(objects)`` and ``copy_of(code, copies, own)``: a copy of one
  of them, compiled again from the package's source or made from its
  code object, is refused like the function itself.
"""

from __future__ import annotations

import os
import sys
import types
from operator import itemgetter


def fingerprint(code: types.CodeType) -> tuple:
    """What a copy of ``code`` keeps, whatever its name, file or line:
    its arguments, names and constants (nested code by its fingerprint),
    but not a function's docstring (its first constant, when a str) nor
    ``None``: compiled with ``optimize=2``, a copy has ``None`` first and
    not again where the original needs it.  Not the bytecode: the same
    source can compile to different instructions (a method call's two
    forms)."""
    consts = code.co_consts
    if consts and type(consts[0]) is str:
        consts = consts[1:]
    return (
        code.co_argcount,
        code.co_names,
        code.co_varnames,
        tuple(_constant(c) for c in consts if c is not None),
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
        home = _get(obj, "__file__")  # set for modules
        if home is None:  # a class or a function: its module's file
            home = _get(sys.modules.get(_module(obj) or ""), "__file__")
        for member in _functions(obj):
            code = _get(member, "__code__")
            if (
                type(member) is types.FunctionType
                and type(code) is types.CodeType
                and home in (None, code.co_filename)
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
                if type(const) is types.CodeType:
                    add(const, name)

    for member, name in members(objects).items():
        add(member.__code__, name)
    return found


def copies(objects: dict) -> dict:
    """{fingerprint: ((name, docstring or None, file), ...)} of the
    functions in ``objects`` (``members``; several short functions may
    share a fingerprint), for ``copy_of``."""
    found: dict = {}
    for member, name in members(objects).items():
        code = member.__code__
        doc = code.co_consts[:1]
        doc = doc[0] if doc and type(doc[0]) is str else None
        file = os.path.realpath(code.co_filename)
        key = fingerprint(code)
        found[key] = found.get(key, ()) + ((name, doc, file),)
    return found


def copy_of(code: types.CodeType, copies: dict, own) -> str | None:
    """``"a copy of <name>"`` for the function in ``copies`` that
    ``code`` is a copy of, compiled again from its source or with its
    code object renamed or edited, or None.  A code object with the
    same fingerprint is a copy where it keeps the function's docstring,
    or where it says it comes from the function's own file but is not
    one of the package's code objects (``own``: their ids), as a copy
    compiled again with ``optimize=2`` (no docstring) does.  A learner's
    short function that happens to match a helper's names and constants
    is neither: code under the learner's own file name is the learner's,
    like code typed from the page."""
    entries = copies.get(fingerprint(code), ())
    first, where = code.co_consts[:1], code.co_filename
    real = None
    for name, doc, file in entries:
        if doc is not None and first and type(first[0]) is str:
            if first[0] == doc:
                return f"a copy of {name}"
        if type(where) is str and id(code) not in own:
            real = real or os.path.realpath(where)  # however it is spelled
            if real == file:
                return f"a copy of {name}"
    return None


def _get(obj, name: str, default=None):
    """``getattr(obj, name, default)``, where an attribute that raises
    (an object the learner put into a package's table) counts as
    missing."""
    try:
        return getattr(obj, name, default)
    except Exception:
        return default


def _functions(obj) -> list:
    """The functions an object holds: itself, a class's methods (and
    properties' getters), a module's functions and classes' methods,
    including those kept in a module-level dict (read-only too), list or
    tuple (the prior check's table of coefficients).  Dunder names (a module's
    ``__builtins__``) are not looked into."""
    if issubclass(type(obj), types.ModuleType):
        values = []
        for key, v in list(vars(obj).items()):
            if type(key) is str and key.startswith("__"):
                continue
            values.append(v)
            if type(v) in (dict, types.MappingProxyType):  # a table
                values += list(v.values())
            elif type(v) in (list, tuple):
                values += list(v)
        name = obj.__name__
        own = [v for v in values if _module(v) == name]
        return [f for v in own for f in _functions(v)]
    if issubclass(type(obj), type):
        found = []
        for v in list(vars(obj).values()):
            v = _get(v, "__func__", v)  # classmethod, staticmethod
            v = _get(v, "fget", v)  # property
            found.append(_get(v, "__wrapped__", v))
            found.append(v)
        return found
    obj = _get(obj, "__func__", obj)
    return [obj, _get(obj, "__wrapped__", obj)]


def _module(obj) -> str | None:
    """``obj.__module__`` where it is a str."""
    module = _get(obj, "__module__")
    return module if type(module) is str else None


def counted(item, in_module: bool) -> bool:
    """A name added to a class counts as a patch, and so does one added
    to a module unless it starts with ``__``: torch's compiler adds such
    globals to the modules of the code it traces (``__compiled_fn_1``,
    ``__import_torch_dot__dynamo_dot_utils``), the checks' own among
    them.  Whatever the value: a module object can be called and bound
    like a function (its class's ``__call__`` and ``__get__``)."""
    name, _ = item
    return not (in_module and type(name) is str and name.startswith("__"))


#: a class's bases, whatever its metaclass says
bases_of = type.__dict__["__bases__"].__get__


def _shapes() -> tuple:
    """``shape(owner)``: what looking up an attribute of ``owner`` goes
    through besides its own dict: its class (a module's ``__class__``
    can be set to a ModuleType subclass whose ``__getattribute__`` lies,
    a class's to another metaclass) and a class's bases
    (``torch.Tensor.__bases__`` can be set to a base whose methods lie).
    ``reshape(owner, recorded)``: give ``owner`` its recorded shape;
    what it had, if that differed (else None).  Closures holding the
    builtins they use, whatever a cell rebinds later."""
    type_, sub, bases = type, issubclass, bases_of
    set_class, set_type = object.__setattr__, type.__setattr__

    def shape(owner) -> tuple:
        kind = type_(owner)
        return kind, (bases(owner) if sub(kind, type_) else None)

    def reshape(owner, recorded: tuple) -> tuple | None:
        now = shape(owner)
        if now[0] is recorded[0] and now[1] is recorded[1]:
            return None
        if recorded[1] is not None:  # a class
            if now[1] is not recorded[1]:
                set_type(owner, "__bases__", recorded[1])
            if now[0] is not recorded[0]:
                set_type(owner, "__class__", recorded[0])
        else:
            set_class(owner, "__class__", recorded[0])
        return now

    return shape, reshape


shape, reshape = _shapes()


def state_of(entries):
    """``state()``: the package's own recorded attributes and how many
    names each of its modules and classes holds (``package.counted``;
    None where a recorded name is gone).  Not the functions' code and
    defaults: setting those raises an audit event (``audit``)."""
    getters = tuple(
        (owner, _getter(tuple(record)))
        for owner, _, _, record, own in entries
        if own
    )
    vars_, sub, counted_, shape_ = vars, issubclass, counted, shape

    def state() -> tuple | None:
        values, sizes = [], []
        try:
            for owner, get in getters:
                current, module = vars_(owner), not sub(type(owner), type)
                items = [*current.items()]  # another thread may add names
                sizes.append(sum(counted_(i, module) for i in items))
                values += get(current)
                values += shape_(owner)  # its class, a class's bases
        except KeyError:
            return None
        return values, sizes

    return state


def _getter(names: tuple):
    """A function of a dict: the tuple of its values at ``names``
    (KeyError where one is missing)."""
    if len(names) > 1:
        return itemgetter(*names)
    get = itemgetter(*names) if names else None
    return (lambda d: (get(d),)) if get else (lambda d: ())


def same(before: tuple | None, after: tuple | None) -> bool:
    """Two ``state()``s hold the same objects and as many names."""
    if before is None or after is None:
        return after is before
    return before[1] == after[1] and all(
        a is b for a, b in zip(before[0], after[0], strict=True)
    )
