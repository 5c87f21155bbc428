"""Claims a page asserts, checked by one package function per page block.

A page block that checks several cases calls a function that returns a
:class:`Claims`: each :class:`Claim` says in words what is asserted,
with the measured numbers and the threshold, and whether it holds.  The
page prints ``claims`` and calls ``claims.check()``, which raises an
``AssertionError`` naming every claim that fails, so a broken claim
fails the build and the page test.  The unit tests call the same
functions and assert ``claims.all_hold``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

WIDTH = 79  # printed lines fit the page's content column


@dataclass(frozen=True)
class Claim:
    """One asserted statement, with the numbers that decide it."""

    text: str
    holds: bool

    def __str__(self) -> str:
        return f"{'ok' if self.holds else 'FAILS'}: {self.text}"


class Claims(list):
    """A list of :class:`Claim`, printed one per line."""

    def add(self, text: str, holds: bool) -> Claims:
        self.append(Claim(text, bool(holds)))
        return self

    @property
    def all_hold(self) -> bool:
        return all(c.holds for c in self)

    def check(self) -> None:
        """Raise ``AssertionError`` naming each claim that fails."""
        failed = [c.text for c in self if not c.holds]
        if failed:
            raise AssertionError("claims that fail: " + "; ".join(failed))

    def __str__(self) -> str:
        return "\n".join(
            textwrap.fill(f"asserted, {c}", WIDTH, subsequent_indent="    ")
            for c in self
        )
