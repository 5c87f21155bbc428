"""What the site build adds to each executed page: one row of actions
under the title (notebook, Colab, report a mistake, edit), and one folded
block with the provenance and links from the page's imports to the API
reference (``docs/hooks.py`` calls these from MkDocs' hooks)."""

from __future__ import annotations

import datetime
import functools
import html
import platform
import re
import urllib.parse
from pathlib import Path

_IMPORT = re.compile(
    r"^\s*from mlp_notes(?:\.([\w.]+))? import (\([^)]*\)|[^\n]+)", re.M
)


def api_links(markdown: str) -> list[tuple[str, str]]:
    """(label, API anchor) of each ``mlp_notes`` name a page imports.

    Documented functions and classes get their own entry; modules and
    other names (constants) link to their module's entry.  The package
    is read, not imported (griffe's static analysis, as the API page's
    mkdocstrings reads it).
    """
    package = _package()
    links: dict[str, str] = {}
    for module, names in _IMPORT.findall(markdown):
        for item in names.strip("()").split(","):
            name = item.split()[0] if item.split() else "_"  # "x as y": x
            if name.startswith("_"):
                continue
            obj = package[f"{module}.{name}" if module else name]
            obj = obj.final_target if obj.is_alias else obj
            if obj.is_module:  # from mlp_notes.runs import search
                links[obj.path.removeprefix("mlp_notes.")] = obj.path
                continue
            home = obj.parent.path
            documented = (obj.is_function or obj.is_class) and obj.docstring
            label = f"{home.removeprefix('mlp_notes.')}.{obj.name}"
            links[label] = obj.path if documented else home
    return sorted(links.items())


@functools.cache
def _package():
    import griffe

    root = Path(__file__).resolve().parents[2]
    return griffe.load("mlp_notes", search_paths=[str(root)])


def provenance(record: dict, seconds: float) -> str:
    """The page's provenance (HTML): profile, seed, device and machine,
    the precision of mixed-precision runs here, versions, the build date
    and how long the page took to execute."""
    import torch

    import mlp_notes
    from mlp_notes import precision, settings

    today = datetime.date.today().isoformat()
    return (
        f'<p class="mlp-provenance" data-profile="{record["profile"]}">'
        f"Built {today} with profile <strong>{record['profile']}</strong>, "
        f"seed {record['seed']}, on {record['device']} "
        f"({settings.machine()}; runs that ask for mixed precision train "
        f"in {precision.resolve(True, record['device'])} here); mlp_notes "
        f"{mlp_notes.__version__}, torch {torch.__version__}, Python "
        f"{platform.python_version()}. Executing this page took "
        f"{seconds:.1f} s.</p>"
    )


def about(record: dict, seconds: float, api: list[tuple[str, str]], up: str):
    """One folded block (HTML) with the provenance and the API names the
    page uses; ``up`` leads from the page to the site root."""
    used = ", ".join(
        f'<a href="{up}api/#{anchor}"><code>{label}</code></a>'
        for label, anchor in api
    )
    api_line = f'<p class="mlp-api">API used: {used}</p>' if used else ""
    return (
        '<details class="mlp-about"><summary>How this page was built '
        f"(profile {record['profile']}) and the API it uses</summary>"
        f"{provenance(record, seconds)}{api_line}</details>"
    )


def repository(repo_url: str) -> str:
    """'owner/name' of a GitHub ``repo_url``."""
    found = re.match(r"https://github\.com/([^/]+/[^/]+?)/?$", repo_url or "")
    if not found:
        raise ValueError(
            f"repo_url {repo_url!r} is not https://github.com/<owner>/<name>: "
            "set it in mkdocs.yml"
        )
    return found[1]


# The branch the Pages workflow publishes the built notebooks to.
NOTEBOOK_BRANCH = "notebooks"


def colab_url(repo_url: str, stem: str) -> str:
    """Where Colab opens page ``stem``'s notebook (the notebook branch)."""
    return (
        "https://colab.research.google.com/github/"
        f"{repository(repo_url)}/blob/{NOTEBOOK_BRANCH}/{stem}.ipynb"
    )


def report_url(
    repo_url: str, stem: str, title: str, source: str | None = None
) -> str:
    """A new issue prefilled with the page (the script adds the section)."""
    body = (
        f"Page: {title} (docs/{source or stem + '.md'})\nSection: \n\n"
        "What is wrong, and what should it say?\n"
    )
    query = urllib.parse.urlencode(
        {"title": f"Mistake on {title}", "body": body, "labels": "content"}
    )
    return f"{repo_url.rstrip('/')}/issues/new?{query}"


def actions(
    stem: str,
    depth: int,
    *,
    repo_url: str,
    edit_uri: str,
    title: str,
    source: str | None = None,
):
    """One compact row (HTML): download the notebook, open it in Colab,
    report a mistake on this page, edit this page.  ``stem`` is the
    notebook's path under notebooks/ ("mlp", "practice/mlp"); ``source``
    the page's file under docs/ (default ``stem`` + ".md")."""
    up = "../" * depth
    source = source or f"{stem}.md"
    links = [
        (
            f"{up}notebooks/{stem}.ipynb",
            "Notebook",
            "mlp-notebook",
            "download",
        ),
        (colab_url(repo_url, stem), "Open in Colab", "mlp-colab", ""),
        (
            report_url(repo_url, stem, title, source),
            "Report a mistake",
            "mlp-report",
            "",
        ),
        (
            f"{repo_url.rstrip('/')}/{edit_uri.strip('/')}/{source}",
            "Edit this page",
            "mlp-edit",
            "",
        ),
    ]
    items = " · ".join(
        f'<a class="{cls}" href="{html.escape(href)}" {extra}>{label}</a>'
        for href, label, cls, extra in links
    )
    return f'<p class="mlp-actions">{items}</p>'


def after_title(page_html: str, insert: str) -> str:
    """``insert`` placed right after the page's first heading."""
    return re.sub(r"(</h1>)", lambda m: m[1] + insert, page_html, count=1)


_TEX = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
_SYMBOLS = {
    "alpha": "α", "beta": "β", "lambda": "λ", "sigma": "σ", "phi": "φ",
    "mu": "μ", "eta": "η", "theta": "θ", "epsilon": "ε", "in": "∈",
    "le": "≤", "ge": "≥", "leq": "≤", "geq": "≥", "times": "×",
    "cdot": "·", "partial": "∂", "sum": "Σ", "prod": "Π", "infty": "∞",
    "approx": "≈", "neq": "≠", "to": "→", "top": "ᵀ", "ldots": "…",
    "dots": "…",
}  # fmt: skip


def plain_math(tex: str) -> str:
    """TeX as plain text for a search preview: symbols for common
    commands, other commands and braces dropped."""
    text = re.sub(r"\\([a-zA-Z]+)", lambda m: _SYMBOLS.get(m[1], ""), tex)
    text = re.sub(r"\\.", " ", text)  # \, \; \{ and the like
    text = re.sub(r"[{}]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_search_index(path) -> int:
    """Rewrite the search index at ``path`` with its math as plain text;
    return how many math spans were rewritten."""
    import json
    from pathlib import Path

    index = json.loads(Path(path).read_text(encoding="utf-8"))
    count = 0
    for doc in index["docs"]:
        doc["text"], n = _TEX.subn(
            lambda m: plain_math(m[1] or m[2]), doc["text"]
        )
        count += n
    Path(path).write_text(json.dumps(index), encoding="utf-8")
    return count
