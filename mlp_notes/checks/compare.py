"""How close is close enough: the checks' tolerance, in one place.

References are computed in float64.  An answer is compared at float32
precision whatever its dtype: a float32 answer must agree to ``RTOL``
(float32's rounding, 1.2e-7, with room for the rounding a float32
computation accumulates), and so must a float64 one.  A float64 answer
that agrees only that well is still correct, with a note that part of
it ran in float32: a ``torch.tensor(alpha)`` inside a float64
computation is float32 unless the default dtype is float64, and the
verdict must not depend on the default dtype.  16-bit floats keep about
three digits, too few to tell a right answer from a near miss: they are
wrong, with a hint about precision and none about the mathematics.
Whole numbers (counts, bytes) must be exact, save where the reference
itself is measured: the memory check accepts up to 64 bytes less than
autograd keeps (its bookkeeping).

Mistakes a check names are recognized with the same tolerance, so a
hint about a mathematical error appears only when the answer is wrong
at its own precision, and, where one number could match a confusion by
chance, only when it matches on every input tried (``confusion``).  Two
checks use their own measure for a hint: the prior check names a
confusion whose coefficient is within 0.1 % under every setting
(``prior``), and the logit check allows for float32's rounding of the
sigmoid near 1 (``shift``).
"""

from __future__ import annotations

import math

import torch

from mlp_notes.checks.answers import EXACT, FLOAT64, LOW, Numbers
from mlp_notes.checks.verdict import wrong

RTOL = 3e-5  # relative to the size of the reference values
FLOAT64_RTOL = 1e-10  # a float64 answer this close ran in float64


def usable(answer: Numbers, what: str) -> Numbers:
    """The answer, if its precision can be judged at all."""
    if answer.precision == LOW:
        raise wrong(
            f"{what} is in a 16-bit (or 8-bit) float type, which keeps at "
            "most three significant digits, too few to tell a right answer "
            "from a near miss: compute in float32 or float64"
        )
    return answer


def shaped(answer: Numbers, shape: tuple[int, ...], what: str) -> torch.Tensor:
    """The answer's values with ``shape``: extra dimensions of size 1
    are fine ((d, 1) or (1, d) for (d,); any one number for ()); a wrong
    shape or a NaN or infinite entry is wrong."""
    usable(answer, what)
    v = answer.values
    core = [n for n in v.shape if n != 1]
    if core != [n for n in shape if n != 1] or v.numel() != math.prod(shape):
        raise wrong(f"{what} has shape {tuple(v.shape)}, expected {shape}")
    v = v.reshape(shape)
    bad = int((~torch.isfinite(v)).sum())
    if bad:
        raise wrong(f"{what} has {bad} NaN or infinite entries")
    return v


def error(got: torch.Tensor, want: torch.Tensor, scale: float) -> float:
    """max |got - want| / scale (0 for empty tensors)."""
    if not got.numel():
        return 0.0
    return float((got - want).abs().max()) / scale


def scale_of(want: torch.Tensor) -> float:
    """The size of the reference values: max |want| (or 1 if all 0)."""
    top = float(want.abs().max()) if want.numel() else 0.0
    return top if top > 0 else 1.0


def close(got: torch.Tensor, want: torch.Tensor, scale: float) -> bool:
    """``got`` agrees with ``want`` at float32 precision."""
    return error(got, want, scale) <= RTOL


def confusion(tried, confusions, otherwise: str) -> str:
    """The hint of the first confusion that the answer matches on every
    input tried: ``tried`` holds (the answer's value, the inputs) pairs,
    ``confusions`` (function of the inputs, hint) pairs; ``otherwise``
    if none.  On one input alone, a constant answer can equal some
    confusion's number by chance."""
    for mistaken, hint in confusions:
        values = [(v, mistaken(*inputs)) for v, inputs in tried]
        values = [
            (v, torch.as_tensor(c, dtype=torch.float64)) for v, c in values
        ]
        if all(close(v, c, scale_of(c)) for v, c in values):
            return hint
    return otherwise


def entrywise(got: torch.Tensor, want: torch.Tensor) -> float:
    """max |got / want - 1|: each entry against its own size, for
    references whose entries span orders of magnitude (``want`` has no
    zero entry), so that a small entry is as well checked as a large one
    (an error relative to the largest entry lets a constant added to
    every entry pass)."""
    return error(got / want, torch.ones_like(want), 1.0)


def sum_error(
    got: torch.Tensor, want: torch.Tensor, terms: torch.Tensor
) -> float:
    """max_j |got_j - want_j| / sum_i |terms_ij|, for ``want`` the sum of
    ``terms`` over its first dimension: each entry against the float32
    rounding its own sum can carry (at most a few units of 2^-24 of
    sum_i |terms_ij|), so that a constant added to every entry shows in
    the entry whose terms are small (an error relative to the largest
    entry hides it).  An entry whose terms are all 0 must be 0."""
    if not got.numel():
        return 0.0
    size = terms.abs().sum(0).clamp_min(torch.finfo(torch.float64).tiny)
    return float(((got - want).abs() / size).max())


def step_scale(start: torch.Tensor, want: torch.Tensor) -> float:
    """The scale for an update of ``start`` that should give ``want``:
    the size of the reference step, plus room for float32's rounding of
    the updated values (a few units of 2^-24 of |start|, as ``RTOL``
    allows for the step).  A step much smaller than the weights is then
    checked to ``RTOL`` of itself, not of the weights, where an error of
    a few percent of the step would hide."""
    rounding = 4 * 2.0**-24 / RTOL
    return scale_of(want - start) + rounding * scale_of(start)


def note(answer: Numbers, err: float) -> str:
    """A remark for a correct float64 answer that agrees only to float32
    precision (empty otherwise)."""
    if answer.precision == FLOAT64 and err > FLOAT64_RTOL:
        return (
            " (to float32 precision only: part of your computation ran in "
            "float32, or lost digits to rounding, as 1 - p does for p "
            "near 1)"
        )
    return ""


def whole(answer: Numbers, what: str) -> int:
    """A single whole number, exactly (a float must hold an integer
    value, and float32 only holds integers up to 2^24 exactly)."""
    v = shaped(answer, (), what)
    value = float(v)
    if value != math.floor(value):
        raise wrong(f"{what} is {value:g}, not a whole number")
    if answer.precision != EXACT and abs(value) > 2**24:
        if answer.precision != FLOAT64 or abs(value) > 2**53:
            raise wrong(
                f"{what} is a float too large to hold a count exactly: "
                "return an int"
            )
    return int(value)


def answer(run, fn, args: tuple, what: str, shape: tuple, mode=None):
    """``fn(*args)`` through ``run.call``, read as numbers of ``shape``:
    (the Numbers, the values as a float64 tensor of ``shape``)."""
    got = run.call(fn, *args, mode=mode, what=what)
    return got, shaped(got, shape, what)
