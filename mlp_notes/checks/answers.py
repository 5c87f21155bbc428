"""Reading a learner's answer as numbers, whatever it is.

``numbers(value, what)`` turns a tensor (of any subclass, device, layout
or dtype, a MaskedTensor with no entry masked out), a NumPy array or
scalar, an ``array.array``, a Python number or a (nested) list or tuple
of those into ``Numbers``: a plain float64 CPU tensor and the
precision the answer was given in.  Anything else (text, True/False,
complex numbers, meta tensors, ragged lists, objects that fail when
read) raises ``WrongAnswerError`` saying what it is.  It runs inside the
check's worker thread, so an object that hangs when read is stopped by
the time limit like any other learner code.
"""

from __future__ import annotations

import array
import decimal
import itertools
import numbers as _abc
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import torch

from mlp_notes.checks.verdict import WrongAnswerError, describe, kind, wrong

MAX_DEPTH, MAX_ITEMS = 6, 100_000
_FLOAT, _INT = id(float), id(int)
# precision classes, from the least to the most precise
LOW, FLOAT32, FLOAT64 = "16- or 8-bit float", "float32", "float64"
EXACT = "exact"
_RANK = MappingProxyType({LOW: 0, FLOAT32: 1, FLOAT64: 2, EXACT: 3})


@dataclass(frozen=True)
class Numbers:
    """An answer read as numbers: ``values`` (float64, CPU, strided, a
    plain tensor the learner cannot reach) and the lowest ``precision``
    among its parts (``LOW``, ``FLOAT32``, ``FLOAT64`` or ``EXACT``
    for integers)."""

    values: torch.Tensor
    precision: str


def numbers(value, what: str) -> Numbers:
    """``value`` read as numbers; ``what`` names it in messages."""
    found: list[str] = []
    values = _read(value, what, 0, found)
    worst = min(found, key=_RANK.__getitem__, default=EXACT)
    return Numbers(values, worst)


def _read(value, what: str, depth: int, found: list[str]) -> torch.Tensor:
    tp = type(value)
    if value is None or value is Ellipsis:
        raise wrong(f"{what} contains {value!r} where numbers belong")
    if issubclass(tp, str | bytes | bytearray):
        raise wrong(f"{what} is text ({kind(value)}), not numbers")
    if issubclass(tp, bool | np.bool_):
        raise wrong(f"{what} is True/False, not a number")
    if issubclass(tp, torch.masked.MaskedTensor):
        return _masked(value, what, found)
    if issubclass(tp, torch.Tensor):
        return _tensor(value, what, found)
    if issubclass(tp, np.ma.MaskedArray):  # np.asarray drops the mask
        return _array(_unmasked(value, what), what, depth, found)
    if issubclass(tp, np.ndarray | np.generic | array.array):
        return _array(np.asarray(value), what, depth, found)
    if issubclass(tp, complex):
        raise wrong(f"{what} is a complex number; the answer is real")
    if issubclass(tp, int):
        found.append(EXACT)
        return _scalar(int.__int__(value), what)
    if issubclass(tp, float):
        found.append(FLOAT64)
        return _scalar(float.__float__(value), what)
    if issubclass(tp, list | tuple):
        return _sequence(value, what, depth, found)
    if hasattr(tp, "__array__") or hasattr(tp, "__array_interface__"):
        given = np.asanyarray(value)  # the array it gives, mask and all
        if isinstance(given, np.ma.MaskedArray):
            given = _unmasked(given, what)
        return _array(np.asarray(given), what, depth, found)
    if issubclass(tp, _abc.Real | decimal.Decimal) or hasattr(tp, "__float__"):
        found.append(FLOAT64)  # Fraction, Decimal, a sympy number, ...
        return _scalar(float(value), what)
    raise wrong(
        f"{what} should be numbers (a tensor, an array, a number or a "
        f"list of numbers); got {kind(value)}"
    )


def _unmasked(value, what: str) -> np.ndarray:
    """A masked array's data; masked-out entries are wrong (as in a
    MaskedTensor), also in one an object's ``__array__`` gives."""
    if np.ma.getmaskarray(value).any():
        raise wrong(
            f"{what} is a masked array with masked-out entries: every "
            "entry needs a value"
        )
    return np.ma.getdata(value)


def _scalar(v, what: str) -> torch.Tensor:
    try:
        return torch.tensor(float(v), dtype=torch.float64)
    except OverflowError:
        raise wrong(f"{what} is too large for a float") from None


def _tensor(t, what: str, found: list[str]) -> torch.Tensor:
    with torch._C.DisableTorchFunctionSubclass():
        if torch.Tensor.layout.__get__(t) != torch.strided:
            t = torch.Tensor.to_dense(t)  # sparse layouts hold numbers too
        t = torch.Tensor.as_subclass(t, torch.Tensor)
        if t.is_meta:
            raise wrong(f"{what} is a meta tensor: it holds no values")
        if t.is_complex():
            raise wrong(f"{what} is complex ({t.dtype}); the answer is real")
        if t.dtype == torch.bool:
            raise wrong(f"{what} is True/False (torch.bool), not numbers")
        if t.is_nested:
            raise wrong(f"{what} is a nested tensor")
        if t.is_quantized:
            t = t.dequantize()
        t = t.detach().to("cpu").resolve_conj().resolve_neg()
        if t.dtype == torch.float32:
            found.append(FLOAT32)
        elif t.dtype == torch.float64:
            found.append(FLOAT64)
        elif t.dtype.is_floating_point:  # 16 or 8 bits
            found.append(LOW)
        else:
            found.append(EXACT)
        return t.to(torch.float64).contiguous().clone()


def _masked(t, what: str, found: list[str]) -> torch.Tensor:
    """A MaskedTensor holds numbers where its mask is set; an answer
    needs every entry."""
    mask = torch.masked.MaskedTensor.get_mask(t)
    with torch._C.DisableTorchFunctionSubclass():
        full = bool(torch.Tensor.all(torch.Tensor.to(mask, "cpu")))
    if not full:
        raise wrong(
            f"{what} is a MaskedTensor with masked-out entries: every "
            "entry needs a value"
        )
    return _tensor(torch.masked.MaskedTensor.get_data(t), what, found)


def _array(a: np.ndarray, what: str, depth: int, found) -> torch.Tensor:
    kind_ = a.dtype.kind
    if kind_ == "O":  # Python objects: read them one by one
        items = a.tolist()
        if a.ndim == 0:
            return _read(items, what, depth + 1, found)
        return _sequence(items, what, depth, found)
    if kind_ == "b":
        raise wrong(f"{what} is True/False (a bool array), not numbers")
    if kind_ in "USa":
        raise wrong(f"{what} is an array of text ({a.dtype}), not numbers")
    if kind_ == "c":
        raise wrong(f"{what} is complex ({a.dtype}); the answer is real")
    if kind_ not in "fiu":
        raise wrong(f"{what} is not numbers ({a.dtype})")
    if kind_ == "f":
        size = a.dtype.itemsize
        found.append(LOW if size < 4 else FLOAT32 if size == 4 else FLOAT64)
    else:
        found.append(EXACT)
    return torch.from_numpy(np.array(a, dtype=np.float64, copy=True))


def _sequence(value, what: str, depth: int, found) -> torch.Tensor:
    if depth >= MAX_DEPTH:
        raise wrong(f"{what} is nested more than {MAX_DEPTH} levels deep")
    items = list(itertools.islice(iter(value), MAX_ITEMS + 1))
    if len(items) > MAX_ITEMS:
        raise wrong(f"{what} has more than {MAX_ITEMS} entries")
    plain = _plain(items, found)
    if plain is not None:
        return plain
    parts = [_read(item, what, depth + 1, found) for item in items]
    if not parts:
        return torch.zeros(0, dtype=torch.float64)
    shapes = {tuple(p.shape) for p in parts}
    if len(shapes) > 1:
        raise wrong(f"{what} is ragged: its entries have different shapes")
    return torch.stack(parts)


def _plain(items: list, found) -> torch.Tensor | None:
    """A list of plain floats or ints read in one call (one by one, a
    long list would use up a check's time limit); None otherwise."""
    # by identity, in C calls (no per-item profile events): a metaclass
    # can make a subclass hash and compare equal to float
    types = set(map(id, map(type, items)))
    if not items or not types <= {_FLOAT, _INT}:
        return None
    try:
        values = torch.tensor(items, dtype=torch.float64)
    except (OverflowError, RuntimeError):  # an int too large for a float
        return None
    if _FLOAT in types:
        found.append(FLOAT64)
    if _INT in types:
        found.append(EXACT)
    return values


def read(value, what: str) -> Numbers:
    """``numbers``, with any failure of the learner's object while it is
    read (a ``__float__`` or ``__iter__`` that raises) as a verdict."""
    try:
        return numbers(value, what)
    except RecursionError:
        raise wrong(f"{what} could not be read: it contains itself") from None
    except WrongAnswerError:
        raise
    except Exception as err:
        raise wrong(
            f"{what} could not be read as numbers ({describe(err)})"
        ) from None
