"""Disk cache for expensive runs (joblib.Memory underneath).

A cached run is reused only when nothing it depends on changed.  The key
holds:

* the call's arguments (the run's configuration),
* the code of the ``mlp_notes`` modules the run declares it depends on
  and of every ``mlp_notes`` module those import, directly or not (so a
  module split in two stays covered), as their syntax tree without
  docstrings (a docstring or comment edit does not retrain; changing a
  line of code does),
* (the data need no key of their own: every load checks the files' MD5,
  so a run only ever sees the one data set),
* the device type (CPU and CUDA results differ in the last bits),
* whether mixed precision trains in bfloat16 here
  (``precision.mixed_precision_is_fast``): with the requested precision,
  which is part of the run's code or arguments, it fixes the precision a
  run actually trains in.

Where: ``$MLP_NOTES_CACHE/runs`` (see ``mlp_notes.settings``); set
``MLP_NOTES_CACHE=off`` to recompute everything.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import joblib

from mlp_notes import precision, settings, telemetry

T = TypeVar("T")
PACKAGE = Path(__file__).parents[1]  # mlp_notes/


def _source(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ValueError(f"cannot find module {name!r} to hash")
    return Path(spec.origin)


@functools.lru_cache(maxsize=64)
def _parse(path: str, mtime_ns: int) -> tuple[str, frozenset[str]]:
    """(hash of the code without docstrings, mlp_notes names imported)."""
    tree = ast.parse(Path(path).read_text())
    # the module's package, for relative imports ("from . import x")
    inside = Path(path).is_relative_to(PACKAGE.parent)
    package = (
        list(Path(path).relative_to(PACKAGE.parent).parts[:-1])
        if inside
        else []
    )
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            up = len(package) - node.level + 1
            parts = package[:up] if node.level else []
            base = ".".join(parts + ([node.module] if node.module else []))
            imported.add(base)  # "from pkg import name": name may be a module
            imported |= {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body[0] = ast.Pass()  # drop the docstring
    digest = hashlib.sha256(ast.dump(tree).encode()).hexdigest()[:16]
    ours = {
        m for m in imported if m.startswith("mlp_notes.") and _is_module(m)
    }
    return digest, frozenset(ours)


def _is_module(name: str) -> bool:
    """Whether mlp_notes.<...> names a module file (found without importing
    anything: ``from mlp_notes.training import fit`` also yields the name
    mlp_notes.training.fit, which is not one)."""
    path = PACKAGE.joinpath(*name.split(".")[1:])
    return (
        path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
    )


def _parsed(name: str) -> tuple[str, frozenset[str]]:
    path = _source(name)
    return _parse(str(path), path.stat().st_mtime_ns)


def closure(modules: tuple[str, ...]) -> list[str]:
    """The named modules and every mlp_notes module they import, sorted."""
    seen, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [m for m in _parsed(name)[1] if m not in seen]
    return sorted(seen)


def code_hash(modules: tuple[str, ...]) -> str:
    """Hash of the code (not the docstrings) of the named modules and of
    the mlp_notes modules they import."""
    parts = [f"{name}:{_parsed(name)[0]}" for name in closure(modules)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _invoke(name: str, key: dict, fn: Callable, kwargs: dict):
    return fn(**kwargs)


def _call_args(directory: Path, fn: Callable, modules, kwargs: dict):
    """The memoized ``_invoke`` and the arguments that key one run."""
    device = settings.default_device()
    key = {
        "code": code_hash(modules),
        "device": device.type,
        "bfloat16": precision.mixed_precision_is_fast(device),
    }
    memory = joblib.Memory(directory / "joblib", verbose=0)
    run = memory.cache(_invoke, ignore=["fn"])
    name = f"{fn.__module__}.{fn.__qualname__}"
    # sorted: the same configuration in any argument order is one key
    return run, (name, key, fn, dict(sorted(kwargs.items())))


def cached(*depends: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache a keyword-only run function on disk.

    Args:
        depends: modules whose code the run depends on; the decorated
            function's own module is always included.

    Example::

        @cached("mlp_notes.training", "mlp_notes.models")
        def train_width(*, num_hiddens: int, num_epochs: int) -> History:
            ...
    """

    def decorator(fn: Callable[..., T]) -> Callable[..., T]:
        modules = (fn.__module__, "mlp_notes.runs.cache", *depends)

        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(**kwargs) -> T:
            directory = settings.cache_dir()
            start = time.perf_counter()
            telemetry.emit("run_start", name=name, kwargs=kwargs)
            if directory is None:
                hit, result = False, fn(**kwargs)
            else:
                run, args = _call_args(directory, fn, modules, kwargs)
                hit = run.check_call_in_cache(*args)
                result = run(*args)
            telemetry.emit(
                "run_end",
                name=name,
                kwargs=kwargs,
                cached=hit,
                seconds=time.perf_counter() - start,
            )
            return result

        wrapper.uncached = fn
        wrapper.depends = modules
        return wrapper

    return decorator


class FitReport:
    """A ``fit`` callback: tells the build (``telemetry``) the workload
    and seconds of each fit, from which it estimates what runs cost."""

    def on_end(self, history, workload: str, seconds: float) -> None:
        telemetry.emit(
            "fit", workload=workload, epochs=history.epochs, seconds=seconds
        )


#: What every run passes to ``fit`` as its callbacks.
REPORT = (FitReport(),)


def seeded(fn):
    """Run ``fn(**kwargs)`` with torch's global generator seeded by its
    ``seed`` argument (``nn.Dropout``'s masks draw from it) and restored
    afterwards, so a cached and an uncached call leave the caller's random
    state alike."""
    import torch

    @functools.wraps(fn)
    def wrapper(**kwargs):
        with torch.random.fork_rng():
            torch.manual_seed(kwargs.get("seed", 0))
            return fn(**kwargs)

    return wrapper


def is_cached(fn: Callable, **kwargs) -> bool:
    """Whether ``fn(**kwargs)`` would be answered from the cache."""
    directory = settings.cache_dir()
    if directory is None:
        return False
    run, args = _call_args(directory, fn, fn.depends, kwargs)
    return run.check_call_in_cache(*args)
