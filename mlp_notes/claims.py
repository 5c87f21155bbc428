"""Claims a page asserts, checked by one package function per page block.

A page block that checks several cases calls a function that returns a
:class:`Claims`: each :class:`Claim` says in words what is asserted,
with the measured numbers and the threshold, and whether it holds.  The
page prints ``claims`` and calls ``claims.check()``, which raises an
``AssertionError`` naming every claim that fails, so a broken claim
fails the build and the page test.  The unit tests call the same
functions and assert ``claims.all_hold``.

A comparison the page's prose makes ("dropout beats no dropout", "no
detectable difference") is a claim about a paired interval
(:meth:`Claims.compare`): it fails when the interval does not say what
the prose says.  An experiment's function returns a :class:`Finding`:
the lines the page prints, data for its figure, and its claims.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

from mlp_notes.stats import Difference

WIDTH = 79  # printed lines fit the page's content column

#: What a comparison claim says of a - b, and when its interval says so.
EXPECT = {
    ">": ("beats", lambda d: d.low > 0),
    "<": ("loses to", lambda d: d.high < 0),
    "~": ("is not detectably different from", lambda d: not d.resolved),
    ">=": ("does not detectably lose to", lambda d: not d.high < 0),
    "<=": ("does not detectably beat", lambda d: not d.low > 0),
}


@dataclass(frozen=True)
class Claim:
    """One asserted statement, with the numbers that decide it.

    ``enforced`` is False for a claim about the published budget that a
    smaller budget cannot test (see :meth:`Claims.compare`): it is printed,
    with whether it would hold, and does not fail ``check``.
    """

    text: str
    holds: bool
    enforced: bool = True

    def __str__(self) -> str:
        if not self.enforced:
            state = "would hold" if self.holds else "would fail"
            return f"not asserted at this budget ({state}): {self.text}"
        return f"asserted, {'ok' if self.holds else 'FAILS'}: {self.text}"


class Claims(list):
    """A list of :class:`Claim`, printed one per line."""

    def add(self, text: str, holds: bool) -> Claims:
        self.append(Claim(text, bool(holds)))
        return self

    def compare(
        self,
        d: Difference,
        a: str,
        b: str,
        expect: str,
        *,
        enforce: bool = True,
        words: str | None = None,
    ) -> Claims:
        """Claim that the paired interval of ``a - b`` says ``expect``:
        ">" (a beats b: the interval lies above 0), "<" (below 0), "~"
        (it contains 0: no detectable difference), ">=" (not below 0:
        a does not detectably lose) or "<=" (not above 0).

        ``words`` replaces the verb for a quantity where lower is not
        worse ("is narrower than" for a gap).

        With ``enforce`` False (a budget too small to test what the
        prose says of the published one) the claim is printed and not
        checked.  A single pair (no interval) supports only "~", ">="
        and "<=".
        """
        if expect not in EXPECT:
            raise ValueError(f"expect must be one of {list(EXPECT)}")
        verb, says = EXPECT[expect]
        words = words or verb
        holds = (
            expect in ("~", ">=", "<=")
            if math.isnan(d.half_width)
            else says(d)
        )
        text = f"{a} {words} {b}: difference {d}"
        if not (d.resolved or math.isnan(d.half_width)):
            text += f"; {d.power_note()}"
        self.append(Claim(text, bool(holds), enforce))
        return self

    @property
    def all_hold(self) -> bool:
        return all(c.holds for c in self if c.enforced)

    def check(self) -> None:
        """Raise ``AssertionError`` naming each enforced claim that fails."""
        failed = [c.text for c in self if c.enforced and not c.holds]
        if failed:
            raise AssertionError("claims that fail: " + "; ".join(failed))

    def __str__(self) -> str:
        return "\n".join(
            textwrap.fill(str(c), WIDTH, subsequent_indent="    ")
            for c in self
        )


@dataclass
class Finding:
    """What one experiment on a page found.

    Attributes:
        lines: what the page prints (a table, verdict lines), one string
            per line.
        claims: what the page asserts about it.
        data: numbers a figure plots (curves by label, bars), if any.
    """

    lines: list[str] = field(default_factory=list)
    claims: Claims = field(default_factory=Claims)
    data: dict = field(default_factory=dict)

    def __str__(self) -> str:
        parts = ["\n".join(self.lines)] if self.lines else []
        if self.claims:
            parts.append(str(self.claims))
        return "\n".join(parts)

    def check(self) -> None:
        """Raise if a claim fails (see :meth:`Claims.check`)."""
        self.claims.check()
