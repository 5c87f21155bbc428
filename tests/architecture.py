"""Reads the committed picture of the code (``mlp_notes/parts.toml``) and
the code itself, and lists where the two disagree.

Every Python file outside tests/ lies in exactly one part; every import
of an mlp_notes module follows an arrow of the picture.  An import is
found however it is written: ``import``/``from ... import`` (relative
ones too), ``importlib.import_module``/``__import__``/``find_spec`` with
a literal name, a name that another module re-exports (followed to the
module that defines it), and attribute chains (``mlp_notes.training.fit``
after ``import mlp_notes``).  A module name computed at run time is an
error except in the files the picture lists under ``[dynamic]``.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "mlp_notes" / "parts.toml"
#: Top-level folders that hold no code of the project's own.
SKIP = {"site", "tests", "build", "node_modules"}
IMPORTERS = {"import_module", "__import__", "find_spec"}


def python_files(root: Path = ROOT) -> list[str]:
    """Every .py file of the repository outside tests/ (and outside
    virtual environments, caches and the built site)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        hidden = any(p.startswith(".") for p in rel.parts[:-1])
        if rel.parts[0] not in SKIP and not hidden:
            found.append(rel.as_posix())
    return found


def matches(path: str, pattern: str) -> bool:
    """``pattern`` matches ``path`` level by level ("*" stays in one)."""
    a, b = path.split("/"), pattern.split("/")
    return len(a) == len(b) and all(map(fnmatch.fnmatchcase, a, b))


@dataclass
class Code:
    """The sources of the repository, with planted replacements."""

    root: Path = ROOT
    overrides: dict[str, str] = field(default_factory=dict)
    _trees: dict = field(default_factory=dict, repr=False)
    _files: dict = field(default_factory=dict, repr=False)

    def tree(self, path: str) -> ast.Module:
        if path not in self._trees:
            self._trees[path] = ast.parse(self.source(path))
        return self._trees[path]

    def files(self) -> list[str]:
        return sorted(set(python_files(self.root)) | set(self.overrides))

    def source(self, path: str) -> str:
        if path in self.overrides:
            return self.overrides[path]
        return (self.root / path).read_text(encoding="utf-8")

    def file_of(self, module: str) -> str | None:
        """The file of ``mlp_notes.x.y`` (a module or a package)."""
        if module not in self._files:
            base = module.replace(".", "/")
            self._files[module] = next(
                (
                    path
                    for path in (f"{base}.py", f"{base}/__init__.py")
                    if path in self.overrides or (self.root / path).is_file()
                ),
                None,
            )
        return self._files[module]

    def module_of(self, path: str) -> str | None:
        if not path.startswith("mlp_notes/"):
            return None
        return (
            path.removesuffix(".py")
            .removesuffix("/__init__")
            .replace("/", ".")
        )

    def defining(self, module: str, name: str, seen=()) -> str:
        """The module that defines ``module.name``: the module itself, or
        the one it imported the name from (followed through re-exports)."""
        path = self.file_of(module)
        if path is None or (module, name) in seen:
            return module
        if self.file_of(f"{module}.{name}"):
            return f"{module}.{name}"  # a submodule
        for node in self.tree(path).body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        base = _absolute(node, path, self)
                        return self.defining(
                            base, alias.name, (*seen, (module, name))
                        )
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname == name:
                        return alias.name
        return module


def _absolute(node: ast.ImportFrom, path: str, code: Code) -> str:
    """The absolute module of ``from <...> import`` in ``path``."""
    if not node.level:
        return node.module or ""
    package = (code.module_of(path) or "").split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


@dataclass(frozen=True)
class Found:
    """One import of an mlp_notes module, or a dynamic import."""

    path: str
    line: int
    module: str  # "" for a name computed at run time
    how: str


def imports(code: Code, path: str) -> list[Found]:
    """Every mlp_notes module ``path`` imports, however written."""
    tree = code.tree(path)
    found, bound = [], {}  # bound: local name -> module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found.append(Found(path, node.lineno, a.name, "import"))
                if a.asname:
                    bound[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, path, code)
            found.append(Found(path, node.lineno, base, "from-import"))
            for a in node.names:
                target = code.defining(base, a.name)
                how = (
                    "re-export"
                    if target not in (base, f"{base}.{a.name}")
                    else "from-import"
                )
                found.append(Found(path, node.lineno, target, how))
                if code.file_of(f"{base}.{a.name}"):
                    bound[a.asname or a.name] = f"{base}.{a.name}"
        elif isinstance(node, ast.Call):
            found += _dynamic(node, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = _chain(node)
            if chain and chain[0] in bound:
                module = bound[chain[0]]
                for attr in chain[1:]:
                    nxt = f"{module}.{attr}"
                    if code.file_of(nxt):
                        module = nxt
                        continue
                    module = code.defining(module, attr)
                    break
                found.append(Found(path, node.lineno, module, "attribute"))
    return [
        f
        for f in found
        if f.module == "" or f.module.split(".")[0] == "mlp_notes"
    ]


def _chain(node: ast.Attribute) -> list[str] | None:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(names)]
    return None


def _dynamic(node: ast.Call, path: str) -> list[Found]:
    func = node.func
    name = (
        func.attr
        if isinstance(func, ast.Attribute)
        else getattr(func, "id", "")
    )
    if name not in IMPORTERS or not node.args:
        return []
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [Found(path, node.lineno, arg.value, f"{name}(literal)")]
    return [Found(path, node.lineno, "", f"{name}(computed name)")]


@dataclass
class Picture:
    """The parts file, read."""

    parts: dict
    dynamic: dict

    @classmethod
    def read(cls, path: Path = PICTURE) -> Picture:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(raw["parts"], raw.get("dynamic", {}))

    def parts_of(self, path: str) -> list[str]:
        return [
            name
            for name, part in self.parts.items()
            if any(matches(path, p) for p in part["files"])
        ]

    def may_import(self, mine: str, other: str) -> bool:
        return other == mine or other in self.parts[mine]["imports"]


def violations(code: Code, picture: Picture) -> list[str]:
    """Where the code disagrees with the picture (empty: they agree)."""
    out = []
    for path in code.files():
        mine = picture.parts_of(path)
        if len(mine) != 1:
            out.append(f"{path}: in {len(mine)} parts {mine}, not exactly one")
            continue
        for f in imports(code, path):
            if f.module == "":
                if path not in picture.dynamic:
                    out.append(f"{path}:{f.line}: {f.how}: not allowed here")
                continue
            target = code.file_of(f.module) or code.file_of(
                f.module.rsplit(".", 1)[0]
            )
            if target is None:
                out.append(f"{path}:{f.line}: {f.module} does not exist")
                continue
            theirs = (picture.parts_of(target) or ["(no part)"])[0]
            if not picture.may_import(mine[0], theirs):
                out.append(
                    f"{path}:{f.line}: {mine[0]} imports {f.module} "
                    f"({theirs}) by {f.how}; {mine[0]} may import "
                    f"{sorted(picture.parts[mine[0]]['imports'])}"
                )
    return out
