"""The run cache: reused only when nothing the run depends on changed."""

import importlib
import sys
import textwrap
import time

import pytest

from mlp_notes.runs import cache
from mlp_notes.runs.chapter import train_run

MODULE = '''
"""A module with a cached run."""
from mlp_notes.runs.cache import cached

CALLS = []


@cached("helper_mod")
def run(*, x):
    """Docstring version 1."""
    CALLS.append(x)
    return x * 2
'''
HELPER = '''
"""Helper, version 1."""
VALUE = 1
'''


@pytest.fixture
def modules(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_NOTES_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "run_mod.py").write_text(textwrap.dedent(MODULE))
    (src / "helper_mod.py").write_text(textwrap.dedent(HELPER))
    (src / "other_mod.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(src))
    yield src
    for name in ("run_mod", "helper_mod", "other_mod"):
        sys.modules.pop(name, None)


def load(src):
    sys.modules.pop("run_mod", None)
    importlib.invalidate_caches()
    return importlib.import_module("run_mod")


def edit(path, old, new):
    time.sleep(0.01)  # a new mtime
    path.write_text(path.read_text().replace(old, new))


def calls_after(src, x=3):
    mod = load(src)
    assert mod.run(x=x) == 2 * x
    return mod.CALLS


def test_second_call_is_served_from_disk(modules):
    assert calls_after(modules) == [3]
    assert calls_after(modules) == []  # a new process would see the same
    assert calls_after(modules, x=4) == [4]  # another configuration


def test_code_change_in_run_module_recomputes(modules):
    calls_after(modules)
    edit(modules / "run_mod.py", "return x * 2", "return x + x")
    assert calls_after(modules) == [3]


def test_code_change_in_dependency_recomputes(modules):
    calls_after(modules)
    edit(modules / "helper_mod.py", "VALUE = 1", "VALUE = 2")
    assert calls_after(modules) == [3]


def test_docstring_and_comment_edits_do_not_recompute(modules):
    calls_after(modules)
    edit(modules / "run_mod.py", "Docstring version 1.", "Reworded.")
    edit(modules / "helper_mod.py", "version 1", "version 2  # comment")
    assert calls_after(modules) == []


def test_unrelated_module_does_not_recompute(modules):
    calls_after(modules)
    edit(modules / "other_mod.py", "X = 1", "X = 2")
    assert calls_after(modules) == []


def test_cache_can_be_switched_off(modules, monkeypatch):
    monkeypatch.setenv("MLP_NOTES_CACHE", "off")
    assert calls_after(modules) == [3]
    assert calls_after(modules) == [3]


def test_precision_decision_is_part_of_the_key(modules, monkeypatch):
    """Where bfloat16 is granted, a run asking for it trains differently."""
    for fast, expected in ((False, [3]), (False, []), (True, [3])):
        monkeypatch.setattr(
            cache.precision, "mixed_precision_is_fast", lambda d, f=fast: f
        )
        assert calls_after(modules) == expected


def test_training_runs_depend_on_training_code():
    for name in ("mlp_notes.training", "mlp_notes.models", "mlp_notes.data"):
        assert name in train_run.depends
    assert "mlp_notes.figures.plotting" not in train_run.depends


def test_imports_found_relative_absolute_and_lazy():
    """Module names, not the names imported from them; relative imports
    resolved against the module's own package; imports inside functions
    included."""
    src = cache.PACKAGE / "runs" / "_probe_imports.py"
    src.write_text(
        "from mlp_notes import __version__, data\n"
        "from ..models import MLPScratch\n"
        "from . import chapter\n"
        "import mlp_notes.settings\n"
        "def f():\n"
        "    from mlp_notes.training import fit\n"
    )
    try:
        _, names = cache._parse(str(src), src.stat().st_mtime_ns)
    finally:
        src.unlink()
    assert names == {
        "mlp_notes.data",
        "mlp_notes.models",
        "mlp_notes.runs",  # "from . import chapter": the package, too
        "mlp_notes.runs.chapter",
        "mlp_notes.settings",
        "mlp_notes.training",
    }


def test_the_key_follows_imports_into_other_modules():
    """fit's steps live in mlp_notes.training.steps, which the training
    package imports: a run that declares training depends on the steps'
    code too, not on plotting's."""
    from mlp_notes.runs.cache import closure

    covered = closure(train_run.depends)
    assert "mlp_notes.training.steps" not in train_run.depends
    assert {"mlp_notes.training.steps", "mlp_notes.activations"} <= set(
        covered
    )
    assert "mlp_notes.figures.plotting" not in covered


def test_argument_order_does_not_matter(modules, monkeypatch):
    mod = load(modules)
    calls = []
    monkeypatch.setattr(mod, "CALLS", calls)
    from mlp_notes.runs.cache import cached

    @cached()
    def two(*, a, b):
        calls.append((a, b))
        return a - b

    assert two(a=1, b=2) == two(b=2, a=1) == -1
    assert calls == [(1, 2)]
