"""What the site build adds to each executed page: the provenance line,
the notebook download, and links from the page's imports to the API
reference (``docs/hooks.py`` calls these from MkDocs' hooks)."""

from __future__ import annotations

import datetime
import importlib
import inspect
import platform
import re

_IMPORT = re.compile(
    r"^\s*from mlp_notes(?:\.([\w.]+))? import (\([^)]*\)|[^\n]+)", re.M
)


def api_links(markdown: str) -> list[tuple[str, str]]:
    """(label, API anchor) of each ``mlp_notes`` name a page imports.

    Documented functions and classes get their own entry; modules and
    other names (constants) link to their module's entry.
    """
    links: dict[str, str] = {}
    for module, names in _IMPORT.findall(markdown):
        for item in names.strip("()").split(","):
            name = item.split()[0] if item.split() else "_"  # "x as y": x
            if name.startswith("_"):
                continue
            if not module:  # from mlp_notes import settings
                links[name] = f"mlp_notes.{name}"
                continue
            parent = importlib.import_module(f"mlp_notes.{module}")
            obj = getattr(parent, name, None)
            if obj is None:  # a submodule not imported by its package
                obj = importlib.import_module(f"{parent.__name__}.{name}")
            if inspect.ismodule(obj):  # from mlp_notes.runs import search
                links[obj.__name__.removeprefix("mlp_notes.")] = obj.__name__
                continue
            plain = inspect.unwrap(obj)  # e.g. lru_cache, cached wrappers
            documented = (
                inspect.isfunction(plain) or inspect.isclass(plain)
            ) and inspect.getdoc(plain)
            home = (
                getattr(plain, "__module__", None)
                if inspect.isfunction(plain) or inspect.isclass(plain)
                else _defining(parent, name)
            )
            if not home.startswith("mlp_notes"):
                home = f"mlp_notes.{module}"  # e.g. a re-exported Path
                documented = False
            links[f"{home.removeprefix('mlp_notes.')}.{name}"] = (
                f"{home}.{name}" if documented else home
            )
    return sorted(links.items())


def _defining(module, name: str) -> str:
    """The module that assigns ``name`` (a package's submodule, for a
    constant it re-exports), else ``module`` itself."""
    import ast
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        sub = importlib.import_module(f"{module.__name__}.{info.name}")
        tree = ast.parse(Path(sub.__file__).read_text())
        for node in tree.body:
            targets = getattr(node, "targets", [getattr(node, "target", None)])
            if any(getattr(t, "id", None) == name for t in targets):
                return sub.__name__
    return module.__name__


def provenance(record: dict, seconds: float) -> str:
    """The page's provenance line (HTML): profile, seed, device and
    machine, the precision of mixed-precision runs here, versions, the
    build date and how long the page took to execute."""
    import torch

    import mlp_notes
    from mlp_notes import settings
    from mlp_notes.runs.costs import mixed_precision_here

    today = datetime.date.today().isoformat()
    return (
        f'<p class="mlp-provenance" data-profile="{record["profile"]}">'
        f"Built {today} with profile <strong>{record['profile']}</strong>, "
        f"seed {record['seed']}, on {record['device']} "
        f"({settings.machine()}; runs that ask for mixed precision train "
        f"in {mixed_precision_here(record['device'])} here); mlp_notes "
        f"{mlp_notes.__version__}, torch {torch.__version__}, Python "
        f"{platform.python_version()}. Executing this page took "
        f"{seconds:.1f} s.</p>"
    )


def actions(stem: str, depth: int, api: list[tuple[str, str]]) -> str:
    """The notebook download and the API links (HTML) of page ``stem``,
    whose URL is ``depth`` directories below the site root."""
    up = "../" * depth
    html = (
        f'<p><a class="md-button mlp-notebook" '
        f'href="{up}notebooks/{stem}.ipynb" download>'
        "Download this page as a Jupyter notebook</a></p>"
    )
    used = ", ".join(
        f'<a href="{up}api/#{anchor}"><code>{label}</code></a>'
        for label, anchor in api
    )
    if used:
        html += f'<p class="mlp-api">API used on this page: {used}</p>'
    return html


def after_title(html: str, insert: str) -> str:
    """``insert`` placed right after the page's first heading."""
    return re.sub(r"(</h1>)", lambda m: m[1] + insert, html, count=1)
