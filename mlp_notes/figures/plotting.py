"""Figures for the pages: functions return matplotlib Figures; ``to_svg``
turns one into inline SVG for the page.  Nothing else in the package
imports this module, so ``import mlp_notes`` stays free of matplotlib.

Figures follow the site's palette: ``to_svg`` draws the background in the
page's background color and black (text, axes, ticks) in the page's text
color, through Material's CSS variables, so a figure is neither a white
card in the dark palette nor black on black.
"""

from __future__ import annotations

import builtins
import inspect
import io
import itertools
import re
from collections.abc import Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

_ids = itertools.count()


def figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 5.0, height: float = 2.8
):
    """A new white-background figure and its axes (like ``plt.subplots``)."""
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False
    )
    fig.patch.set_facecolor("white")
    return fig, axes


# Material's palette variables (with the light palette as a fallback).
FOREGROUND = "var(--md-default-fg-color, #000)"
BACKGROUND = "var(--md-default-bg-color, #fff)"


def follow_palette(svg: str) -> str:
    """White backgrounds -> the page's background, black -> its text color.

    Text without a fill inherits the root's ``fill: currentColor``.
    """
    svg = re.sub(r"fill: ?#ffffff", f"fill: {BACKGROUND}", svg)
    svg = re.sub(r"(fill|stroke): ?#000000", r"\1: currentColor", svg)
    return svg.replace("<svg", '<svg fill="currentColor"', 1)


def to_svg(fig: Figure, *, alt: str = "") -> str:
    """Render ``fig`` as an inline, responsive ``<svg>`` and close it.

    Every figure gets its own id salt, so clip paths of several figures on
    one page never collide.

    Args:
        fig: the figure.
        alt: a text description, stored as the SVG's ``<title>`` and
            ``aria-label``.
    """
    buffer = io.StringIO()
    fig_id = f"mlp-fig-{next(_ids)}"
    with matplotlib.rc_context(
        {"svg.hashsalt": fig_id, "svg.fonttype": "none"}
    ):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype
    # Responsive: natural size as CSS width, never wider than the column.
    size = re.search(r'<svg[^>]*? width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width = float(size.group(1)) * 4 / 3  # pt -> CSS px
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1
    )
    svg = follow_palette(svg)
    label = alt.replace('"', "'")
    svg = svg.replace(
        "<svg",
        f'<svg class="mlp-figure" role="img" aria-label="{label}" '
        f'style="width:{width:.0f}px;max-width:100%;height:auto;'
        f'color:{FOREGROUND}"',
        1,
    )
    # Click to enlarge: GLightbox (mkdocs-glightbox) shows a copy of the
    # figure found by its id, so the SVG is not stored twice in the page.
    return (
        f'<figure class="mlp-figure" id="{fig_id}">'
        f'<a class="glightbox" href="#{fig_id}" data-type="inline" '
        'data-width="95vw" data-height="85vh" '
        f'aria-label="Enlarge the figure">{svg}</a>'
        "</figure>"
    )


def show(fig: Figure, *, alt: str = "") -> None:
    """Show a figure: inline SVG on a page, a figure in a Jupyter notebook.

    On a page the SVG is printed with the *calling block's* ``print``:
    markdown-exec captures a block's output by giving it its own ``print``,
    and a plain ``print`` here, inside the package, would go to the
    terminal instead of the page.
    """
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
    except ImportError:
        kernel = None
    if kernel is not None:
        from IPython.display import HTML, display

        display(HTML(to_svg(fig, alt=alt)))
        return
    caller = inspect.currentframe().f_back
    emit = caller.f_globals.get("print", builtins.print)
    emit(to_svg(fig, alt=alt))


def curves(
    x: Sequence[float] | np.ndarray | Mapping[str, Sequence[float]],
    ys: Mapping[str, Sequence[float]],
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    logx: bool = False,
    logy: bool = False,
    ax=None,
    styles: Mapping[str, str] | None = None,
) -> Figure:
    """Plot named curves over a shared x (or one x per curve when a mapping).

    Args:
        x: x values, shape (n,), or a mapping name -> x values.
        ys: mapping name -> y values (n,).
        ax: draw into these axes instead of a new figure.
        styles: optional matplotlib format string per curve name.
    """
    if ax is None:
        fig, axes = figure()
        ax = axes[0, 0]
    fig = ax.figure
    for name, y in ys.items():
        xs = x[name] if isinstance(x, Mapping) else x
        fmt = (styles or {}).get(name, "-")
        ax.plot(np.asarray(xs), np.asarray(y, dtype=float), fmt, label=name)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    if len(ys) > 1:
        ax.legend(fontsize="small")
    return fig


def panels(
    x,
    groups: Mapping[str, Mapping[str, Sequence[float]]],
    *,
    xlabel: str = "",
    ylabel: str = "",
) -> Figure:
    """Side-by-side panels of named curves: ``groups`` maps each panel's
    title to its curves (name -> y values over the shared ``x``)."""
    fig, axes = figure(len(groups), 1, width=3.6, height=2.7)
    for ax, (title, ys) in zip(axes[0], groups.items()):
        curves(x, ys, xlabel=xlabel, ylabel=ylabel, title=title, ax=ax)
    fig.tight_layout()
    return fig


def image_grid(
    images: np.ndarray,
    titles: Sequence[str],
    *,
    ncols: int = 8,
    scale: float = 1.3,
    title_colors: Sequence[str] | None = None,
) -> Figure:
    """Show grey images in a grid with a title under each.

    Args:
        images: (n, 28, 28) or (n, 1, 28, 28) array or tensor.
        titles: n strings.
        title_colors: optional colour per title (e.g. red for mistakes).
    """
    images = np.asarray(images).reshape(len(titles), 28, 28)
    nrows = -(-len(titles) // ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(scale * ncols, scale * 1.25 * nrows),
        squeeze=False,
    )
    fig.patch.set_facecolor("white")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(titles):
            ax.imshow(images[i], cmap="gray_r")
            color = title_colors[i] if title_colors else "black"
            ax.set_title(titles[i], fontsize=9, color=color)
    return fig


def function_and_derivative(
    x, panels: Mapping[str, tuple], *, ncols: int = 3
) -> Figure:
    """One panel per function: f(x), its analytic derivative, and autograd's.

    Args:
        x: grid, shape (n,).
        panels: name -> (f(x), analytic f'(x), autograd f'(x)), each (n,).
    """
    nrows = -(-len(panels) // ncols)
    fig, axes = figure(ncols, nrows, width=2.6, height=2.2)
    x = np.asarray(x)
    for ax, (name, (y, dy, dy_auto)) in zip(axes.flat, panels.items()):
        ax.plot(x, np.asarray(y), label=f"{name}(x)")
        ax.plot(x, np.asarray(dy), label="derivative (analytic)")
        ax.plot(x[::8], np.asarray(dy_auto)[::8], ".", ms=3, label="autograd")
        ax.set_title(name)
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize="small")
    fig.tight_layout()
    return fig


def history_curves(history, *, title: str = "") -> Figure:
    """Train loss, train accuracy and validation accuracy per epoch.

    Args:
        history: a ``mlp_notes.training.History``.
    """
    epochs = np.arange(1, history.epochs + 1)
    fig, axes = figure(2, 1, width=3.6, height=2.6)
    curves(
        epochs,
        {"train loss": history.train_loss},
        xlabel="epoch",
        ylabel="cross-entropy",
        ax=axes[0, 0],
        title=title,
    )
    accs = {"train acc": history.train_acc}
    if history.val_acc:  # a refit on all training images has none
        accs["val acc"] = history.val_acc
    curves(
        epochs,
        accs,
        xlabel="epoch",
        ylabel="accuracy",
        ax=axes[0, 1],
        styles={"train acc": "-o", "val acc": "-s"},
    )
    fig.tight_layout()
    return fig


def errorbars(
    x,
    means,
    stds,
    *,
    xlabel: str = "",
    ylabel: str = "",
    title: str = "",
    logx: bool = False,
    label: str | None = None,
    ax=None,
) -> Figure:
    """Means with ±1 std error bars (NaN stds are drawn without bars)."""
    if ax is None:
        fig, axes = figure()
        ax = axes[0, 0]
    stds = np.nan_to_num(np.asarray(stds, dtype=float))
    ax.errorbar(
        np.asarray(x),
        np.asarray(means, dtype=float),
        yerr=stds,
        fmt="-o",
        capsize=3,
        label=label,
    )
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if logx:
        ax.set_xscale("log")
    ax.grid(True, alpha=0.3)
    if label:
        ax.legend(fontsize="small")
    return ax.figure
