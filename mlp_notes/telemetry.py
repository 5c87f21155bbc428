"""Events the build listens to: cached runs starting and ending, fits.

A leaf module: ``runs.cache`` reports here (runs starting and ending,
and each fit's workload through the ``fit`` callback ``REPORT``), and
whoever wants to know (the build's monitor, ``site.monitor``) listens.
Nothing is recorded while no one listens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Listener = Callable[..., None]
_listeners: list[Listener] = []


def emit(event: str, **data) -> None:
    """Tell every listener: ``listener(event, **data)``."""
    for listener in list(_listeners):
        listener(event, **data)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call ``listener`` with every event emitted inside the block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def add_listener(listener: Listener) -> None:
    """Listen until :func:`remove_listener` (for hooks with no block)."""
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)
