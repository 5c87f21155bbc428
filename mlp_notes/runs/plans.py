"""Cached calls as plain data, for the build's run plan (``site``).

A call is a run function's name and its keyword arguments.  The plan
stores arguments as JSON: numbers, strings, booleans and None as they
are; a tuple as ``{"tuple": [...]}``; a ``Spec`` or a ``Recipe`` as
``{"Spec": {field: value}}``.  Reading them back builds those values and
nothing else (no ``eval``): an unknown tag is an error.  This module is
the site's one way to the runs: their names (:func:`registry`), whether
the cache answers a call (:func:`is_cached`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from mlp_notes.models import Spec
from mlp_notes.runs import cache
from mlp_notes.training import Recipe

#: The values a run's arguments may hold besides plain JSON.
VALUES = {"Spec": Spec, "Recipe": Recipe}


def encode(value):
    """``value`` as plain JSON data (see the module's docstring)."""
    if dataclasses.is_dataclass(value) and type(value).__name__ in VALUES:
        fields = {
            f.name: encode(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
        return {type(value).__name__: fields}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {k: encode(v) for k, v in value.items()}}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a run argument the plan cannot store: {value!r}")


def decode(data):
    """The value :func:`encode` wrote as ``data``."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    ((tag, body),) = data.items()
    if tag == "tuple":
        return tuple(decode(v) for v in body)
    if tag == "dict":
        return {k: decode(v) for k, v in body.items()}
    if tag in VALUES:
        return VALUES[tag](**{k: decode(v) for k, v in body.items()})
    raise ValueError(f"unknown value in a planned call: {tag!r}")


def args_key(kwargs: dict) -> str:
    """A call's arguments as one canonical JSON string."""
    return json.dumps(encode(dict(sorted(kwargs.items()))), sort_keys=True)


def registry() -> dict[str, Callable]:
    """Every cached run function (``cache.cached``), by "module.name"."""
    from mlp_notes.runs import (
        best,
        chapter,
        dropout,
        polynomial,
        shift,
        stability,
        weight_decay,
    )

    found = {}
    for module in (best, chapter, dropout, polynomial, shift, stability):
        found |= _runs_of(module)
    return found | _runs_of(weight_decay)


def _runs_of(module) -> dict[str, Callable]:
    return {
        f"{fn.__module__}.{fn.__qualname__}": fn
        for fn in vars(module).values()
        if callable(fn) and hasattr(fn, "uncached") and hasattr(fn, "depends")
    }


def is_cached(name: str, args: str) -> bool:
    """Whether the run cache answers the call ``name(**args)`` (``args``
    from :func:`args_key`); False for a run that no longer exists or a
    call this version cannot read (a plan recorded in an older format:
    the estimate counts it as a run to train)."""
    fn = registry().get(name)
    if fn is None:
        return False  # a renamed run: it trains under its new name
    try:
        kwargs = decode(json.loads(args))
    except (ValueError, KeyError, TypeError):
        return False
    if not isinstance(kwargs, dict):
        return False
    return cache.is_cached(fn, **kwargs)
