"""The code against its committed picture (mlp_notes/parts.toml): parts,
arrows, sizes, and the API page.  The checker is tests/architecture.py;
each of the four ways around an arrow that an older version of this test
missed is planted below and must be caught."""

import ast
from pathlib import Path

import pytest

from tests.architecture import ROOT, Code, Picture, imports, violations

PICTURE = Picture.read()


def test_the_code_follows_the_picture():
    problems = violations(Code(), PICTURE)
    assert not problems, "\n".join(problems)


def test_every_pattern_of_the_picture_names_files():
    files = Code().files()
    from tests.architecture import matches

    for name, part in PICTURE.parts.items():
        for pattern in part["files"]:
            assert any(matches(f, pattern) for f in files), (
                f"part {name}: {pattern} matches no file"
            )
    for path in PICTURE.dynamic:
        assert (ROOT / path).is_file(), f"[dynamic] lists {path}: no file"


PLANTED = {
    "importlib by name": {
        "mlp_notes/site/planted.py": "import importlib\n"
        "loop = importlib.import_module('mlp_notes.training.loop')\n",
    },
    "a computed module name": {
        "mlp_notes/site/planted.py": "import importlib\n"
        "name = 'mlp_notes.' + 'training'\n"
        "loop = importlib.import_module(name)\n",
    },
    "a re-export": {
        "mlp_notes/runs/__init__.py": (
            "from mlp_notes.training import Recipe\n"
        ),
        "mlp_notes/site/planted.py": "from mlp_notes.runs import Recipe\n",
    },
    "an attribute chain": {
        "mlp_notes/planted_chapter.py": "import mlp_notes\n"
        "fit = mlp_notes.training.fit\n",
    },
    "a chapter module importing the checks": {
        "mlp_notes/planted_chapter.py": (
            "from mlp_notes.checks import verdict\n"
        ),
    },
}


@pytest.mark.parametrize("hole", PLANTED)
def test_each_planted_hole_is_caught(hole):
    code = Code(overrides=PLANTED[hole])
    picture = Picture(
        {
            **PICTURE.parts,
            "chapter": {
                **PICTURE.parts["chapter"],
                "files": [
                    *PICTURE.parts["chapter"]["files"],
                    "mlp_notes/planted_chapter.py",
                ],
            },
        },
        PICTURE.dynamic,
    )
    problems = [p for p in violations(code, picture) if "planted" in p]
    assert problems, f"{hole}: not caught"


def test_a_file_outside_every_part_is_caught():
    code = Code(overrides={"mlp_notes/orphan/new.py": "x = 1\n"})
    assert any(
        "orphan/new.py: in 0 parts" in p for p in violations(code, PICTURE)
    )


def test_relative_imports_and_aliases_resolve():
    code = Code(
        overrides={
            "mlp_notes/runs/planted.py": "from . import chapter\n"
            "from ..training import loop as L\n"
            "import mlp_notes.training.steps as S\n"
            "x = S.AutogradStep\n"
        }
    )
    got = {f.module for f in imports(code, "mlp_notes/runs/planted.py")}
    assert {
        "mlp_notes.runs.chapter",
        "mlp_notes.training.loop",
        "mlp_notes.training.steps",
    } <= got


def test_no_cycles_between_modules():
    code = Code()
    graph = {}
    for path in code.files():
        name = code.module_of(path)
        if name:
            graph[name] = {
                f.module for f in imports(code, path) if f.module != name
            }
    done, active = set(), []

    def visit(node):
        if node in active:
            cycle = active[active.index(node) :] + [node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in done or node not in graph:
            return
        active.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue  # a package and its own submodules
            visit(nxt)
        active.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


SIZED = [
    p
    for p in Code().files()
    if p.startswith(("mlp_notes/", "benchmarks/", "scripts/"))
    or p == "docs/hooks.py"
]


@pytest.mark.parametrize("path", SIZED)
def test_sizes(path):
    """Modules and scripts under 300 lines, functions under 60 (their
    docstrings not counted)."""
    text = (ROOT / path).read_text()
    lines = len(text.splitlines())
    assert lines <= 300, f"{path}: {lines} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            size = node.end_lineno - node.lineno + 1
            doc = ast.get_docstring(node)
            size -= len(doc.splitlines()) + 1 if doc else 0
            assert size <= 60, f"{path}:{node.name}: {size} lines"


def test_api_page_lists_every_module_part_by_part():
    api = (ROOT / "docs" / "api.md").read_text()
    listed = [
        line.split()[1] for line in api.splitlines() if line.startswith(":::")
    ]
    code = Code()
    modules = {
        code.module_of(p)
        for p in code.files()
        if p.startswith("mlp_notes/") and not p.endswith("__init__.py")
    }
    packages = {  # a package a page imports as a whole (its docstring)
        m for m in listed if (code.file_of(m) or "").endswith("__init__.py")
    }
    assert len(listed) == len(set(listed)), "docs/api.md lists a module twice"
    assert set(listed) - packages == modules, (
        "docs/api.md must list every module once: "
        f"missing {sorted(modules - set(listed))}, "
        f"extra {sorted(set(listed) - packages - modules)}"
    )
    order = list(PICTURE.parts)
    ranks = [order.index(PICTURE.parts_of(code.file_of(m))[0]) for m in listed]
    assert ranks == sorted(ranks), "docs/api.md lists the parts out of order"


def test_the_site_machinery_is_smaller_than_training():
    def lines(folder):
        return sum(
            len(p.read_text().splitlines())
            for p in (ROOT / "mlp_notes" / folder).glob("*.py")
        )

    assert lines("site") < lines("training"), (
        lines("site"),
        lines("training"),
    )


def test_readme_describes_every_part():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    for name in PICTURE.parts:
        assert f"`{name}`" in section, f"README's Architecture lacks {name}"
    assert "mlp_notes/parts.toml" in section


def test_fit_stays_small_and_is_shown_on_the_page():
    """The chapter's central function reads on one screen (fit <= 40 lines
    without its docstring, no formatter escapes) and §4.2 shows it with
    the teaching loop."""
    path = ROOT / "mlp_notes" / "training" / "loop.py"
    text = path.read_text()
    (fit,) = [
        n
        for n in ast.walk(ast.parse(text))
        if isinstance(n, ast.FunctionDef) and n.name == "fit"
    ]
    doc = ast.get_docstring(fit)
    size = fit.end_lineno - fit.lineno + 1 - (len(doc.splitlines()) + 1)
    assert size <= 40, f"fit has {size} lines"
    body = "\n".join(text.splitlines()[fit.lineno - 1 : fit.end_lineno])
    assert "fmt: skip" not in body
    teaching = (ROOT / "mlp_notes" / "training" / "teaching.py").read_text()
    loop = teaching.split("[start:train_plain]")[1].split("[end:train_plain]")[
        0
    ]
    assert len(loop.strip().splitlines()) <= 27  # <= 25 lines + markers
    page = (ROOT / "docs" / "mlp-scratch.md").read_text()
    assert '--8<-- "mlp_notes/training/loop.py:fit"' in page
    assert '--8<-- "mlp_notes/training/teaching.py:train_plain"' in page


def test_repository_files_are_found():
    assert "mlp_notes/training/loop.py" in Code().files()
    assert not any(p.startswith("tests/") for p in Code().files())
    assert Path(ROOT / "mlp_notes" / "parts.toml").is_file()
