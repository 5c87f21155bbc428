"""The problems of the KS check (§4.9 exercise 2): pairs of samples on
which the shortcuts a learner may take, instead of comparing the two
empirical CDFs at every value of both samples, give a wrong D.

The two-sample statistic D = max_t |F_a(t) - F_b(t)| is reached at one
of the pooled values.  A problem of ``untied`` reaches it at one value
only (by 1e-3 more than at any other), so that evaluating the CDFs at
part of the values is wrong unless that part holds the one value:

- every other value, in sorted or in pooled order: the value's place in
  each order has a parity the problem sets, and the check's four
  problems take each parity in each order twice;
- the values of one sample: two problems shift a below b, so that the
  value is a's, and two shift b below a;
- a grid of quantiles of the pooled values (``SMALL``, and in the fourth
  problem ``LARGE``, linearly interpolated as ``torch.quantile`` and
  ``np.percentile`` do): the value is never one such a grid evaluates at;
- an evenly spaced grid from the smallest value to the largest: one of
  b's values lies about 1e4 beyond the rest, so such a grid steps over
  the whole bulk of the values.

Other shortcuts can pass by luck, as the workbook says: a grid of
quantiles of other sizes or interpolation (one of 150 points passes about
one run in twelve; one with more points than values evaluates every value
and is right), or every other value in another order (one run in
sixteen).  The sizes are kept small enough that a right answer in plain
Python, O(N^2) under the check's profiler, ends well within the time
limit.  ``tied`` draws samples whose values repeat, within each sample and
across the two.  Values are multiples of 1/16 (or 1/2), exact in float32,
so a float32 answer sees the same ties as the reference.
"""

from __future__ import annotations

import torch

F64 = torch.float64
#: the sizes of the quantile grids (0 to 1, linear) no problem can be
#: solved on; the large problem's, and the other problems'
LARGE = (50, 51, 100, 101, 200, 201)
SMALL = (50, 51, 100, 101)
TRIES = 10_000  # a draw is kept about once in 50 tries


def tied(run, sign: float):
    """Two samples of different sizes (n, m in [20, 100]), b shifted by
    about ``sign``, on one grid of halves: values repeat within each
    sample and across the two."""
    n = run.integer(20, 100)
    m = run.integer(20, 100)
    m = m + 1 if m == n else m
    a, b = run.normal(n), run.normal(m) + sign * run.uniform(0.8, 1.2)
    return (a * 2).round() / 2, (b * 2).round() / 2


def untied(run, parity: tuple[int, int], a_lower: bool, large: bool):
    """Two samples without repeated values, N = n + m in [220, 260] (or
    [450, 500] if ``large``) and n != m, a shifted below b if
    ``a_lower``, whose largest gap is reached at one value only: at a
    sorted place of parity ``parity[0]`` and a place in
    ``torch.cat([a, b])`` of parity ``parity[1]``, never one a grid of
    ``LARGE`` (``SMALL``) evaluates at."""
    sizes, grids = ((450, 500), LARGE) if large else ((220, 260), SMALL)
    for _ in range(TRIES):
        is_a = _labels(run, run.integer(*sizes), a_lower)
        peak = _peak(is_a, grids)
        if peak is not None and peak % 2 == parity[0]:
            return _values(run, is_a, peak, parity[1])
    raise RuntimeError(f"no KS problem found in {TRIES} draws")


def _labels(run, N: int, a_lower: bool) -> torch.Tensor:
    """Which of the N sorted pooled values are a's: more of the small
    ones if ``a_lower``, else fewer; the largest is b's."""
    p = torch.linspace(0.75, 0.25, N, dtype=F64)
    is_a = torch.rand(N, generator=run.rng, dtype=F64) < p
    is_a = is_a if a_lower else ~is_a
    is_a[-1] = False
    return is_a


def _peak(is_a: torch.Tensor, grids: tuple) -> int | None:
    """The sorted place where |F_a - F_b| is largest, if it is there only
    (by 1e-3 more than anywhere else) and no grid of ``grids`` evaluates
    at it; else None.  Exact: the gaps times n * m are integers."""
    N, n = len(is_a), int(is_a.sum())
    m = N - n
    if n == m:
        return None
    gaps = torch.cumsum(torch.where(is_a, m, -n), 0).abs()
    (top, second), (peak, _) = gaps.topk(2)
    if int(top) - int(second) < 1e-3 * n * m:
        return None
    peak = int(peak)
    for size in grids:  # the place before a grid point, either side of
        at = torch.arange(size, dtype=F64) * (N - 1) / (size - 1)  # rounding
        near = torch.cat([(at - 1e-6).floor(), (at + 1e-6).floor()])
        if peak in set(near.long().tolist()):
            return None
    return peak


def _values(run, is_a: torch.Tensor, peak: int, parity: int):
    """The samples: sorted values 1/16 to 1/4 apart, the largest moved
    1e4 up; each sample shuffled, then the peak's value moved to a place
    of ``parity`` in ``torch.cat([a, b])``."""
    N = len(is_a)
    steps = torch.randint(1, 5, (N,), generator=run.rng).to(F64) / 16
    values = torch.cumsum(steps, 0) - 20.0
    values[-1] += 1e4
    a, b = values[is_a], values[~is_a]
    a = a[torch.randperm(len(a), generator=run.rng)]
    b = b[torch.randperm(len(b), generator=run.rng)]
    mine, offset = (a, 0) if is_a[peak] else (b, len(a))
    at = int((mine == values[peak]).nonzero()[0, 0])
    if (offset + at) % 2 != parity:
        other = at + 1 if at + 1 < len(mine) else at - 1
        mine[[at, other]] = mine[[other, at]]
    return a, b


#: the check's problems, in order: (function, its arguments after the run)
PROBLEMS = (
    (untied, ((0, 0), True, False)),
    (untied, ((1, 1), True, False)),
    (untied, ((0, 1), False, False)),
    (untied, ((1, 0), False, True)),
    (tied, (1.0,)),
    (tied, (0.0,)),
)
