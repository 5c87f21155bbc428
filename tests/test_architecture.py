"""The package's layers, and what each may import (read from the code).

base      settings, stats, claims, telemetry, hardware: import only each other
chapter   the math and models of §4.1-4.8: base and chapter
training  mlp_notes.training: base, chapter, training
runs      mlp_notes.runs (cached runs the pages show): all of the above
site      mlp_notes.site (the site machinery): base, chapter, runs and
          site; training only through the run functions of runs
cli       the command line: anything
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mlp_notes"
BASE = {
    "settings",
    "stats",
    "claims",
    "telemetry",
    "hardware",
    "precision",
    "__init__",
}
ALLOWED = {
    "base": {"base"},
    "chapter": {"base", "chapter"},
    "training": {"base", "chapter", "training"},
    "runs": {"base", "chapter", "training", "runs"},
    "studies": {"base", "chapter", "runs", "studies"},
    "site": {"base", "chapter", "runs", "site"},
    "cli": {"base", "chapter", "training", "runs", "site", "cli"},
}


def layer(module: str) -> str:
    """The layer of "mlp_notes.<...>"."""
    parts = module.split(".")[1:] or ["__init__"]
    if parts[0] in ("training", "runs", "studies", "site", "cli"):
        return parts[0]
    if parts[0] == "data":
        return "chapter"
    return "base" if parts[0] in BASE else "chapter"


def imports(path: Path) -> set[str]:
    """The mlp_notes modules a file imports (anywhere in it)."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = list(rel[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = (
                package[: len(package) - node.level + 1] if node.level else []
            )
            name = ".".join(base + ([node.module] if node.module else []))
            found.add(name)
            for alias in node.names:  # "from pkg import module"
                sub = PACKAGE.parent.joinpath(
                    *f"{name}.{alias.name}".split(".")
                )
                if sub.with_suffix(".py").is_file() or sub.is_dir():
                    found.add(f"{name}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.split(".")[0] == "mlp_notes"}


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    "path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_imports_run_one_way(path):
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    mine = layer(module)
    for other in imports(path):
        assert layer(other) in ALLOWED[mine], (
            f"{module} ({mine}) imports {other} ({layer(other)}); "
            f"{mine} may import only {sorted(ALLOWED[mine])}"
        )


def test_no_cycles_between_modules():
    graph = {}
    for path in MODULES:
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        graph[name] = {m for m in imports(path) if m != name}
    done, active = set(), []

    def visit(node):
        if node in active:
            cycle = active[active.index(node) :] + [node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in done or node not in graph:
            return
        active.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue  # a package importing its own submodules
            visit(nxt)
        active.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def test_sizes():
    """Modules under 300 lines, functions under 60 (plotting's figure
    functions excepted, see the README)."""
    for path in MODULES:
        lines = len(path.read_text().splitlines())
        assert lines <= 300, f"{path.name}: {lines} lines"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node)
                size -= len(doc.splitlines()) + 1 if doc else 0
                assert size <= 60, f"{path.name}:{node.name}: {size} lines"


def test_api_page_lists_every_module_layer_by_layer():
    api = (PACKAGE.parent / "docs" / "api.md").read_text()
    listed = [
        line.split()[1] for line in api.splitlines() if line.startswith(":::")
    ]
    modules = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in MODULES
        if p.name != "__init__.py"
    }
    assert sorted(listed) == sorted(modules), (
        "docs/api.md must list every module once: "
        f"missing {sorted(modules - set(listed))}, "
        f"extra {sorted(set(listed) - modules)}"
    )
    order = ["base", "chapter", "training", "runs", "studies", "site", "cli"]
    ranks = [order.index(layer(m)) for m in listed]
    assert ranks == sorted(ranks), "docs/api.md lists the layers out of order"


def test_fit_stays_small_and_is_shown_on_the_page():
    """The chapter's central function reads on one screen (issue: fit
    <= 40 lines without its docstring) and §4.2 shows it."""
    path = PACKAGE / "training" / "loop.py"
    (fit,) = [
        n
        for n in ast.walk(ast.parse(path.read_text()))
        if isinstance(n, ast.FunctionDef) and n.name == "fit"
    ]
    doc = ast.get_docstring(fit)
    size = fit.end_lineno - fit.lineno + 1 - (len(doc.splitlines()) + 1)
    assert size <= 40, f"fit has {size} lines"
    page = (PACKAGE.parent / "docs" / "mlp-scratch.md").read_text()
    assert '--8<-- "mlp_notes/training/loop.py:fit"' in page
