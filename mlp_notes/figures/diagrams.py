"""Diagrams of §4.7: a computational graph, and the ways to split
training across devices."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from mlp_notes.figures.plotting import figure

# Text on a light box keeps a dark ink in both palettes (plotting's
# follow_palette turns only pure black into the page's text color).
INK = "#1a1a1a"


def computational_graph(
    nodes: Sequence, edges: Sequence[tuple[int, int]], *, title: str = ""
) -> Figure:
    """Draw a computational graph left (inputs) to right (objective).

    Args:
        nodes: objects with ``key``, ``op`` ("leaf" for a parameter) and
            ``var`` (name of the tensor produced, may be "").
        edges: (a, b) pairs of keys: a's output feeds b.
    """
    inputs: dict[int, list[int]] = {n.key: [] for n in nodes}
    for a, b in edges:
        inputs[b].append(a)
    level: dict[int, int] = {}

    def depth(k: int) -> int:  # longest path from a leaf
        if k not in level:
            level[k] = 1 + max((depth(a) for a in inputs[k]), default=-1)
        return level[k]

    columns: dict[int, list[int]] = {}
    for n in nodes:
        columns.setdefault(depth(n.key), []).append(n.key)
    y: dict[int, float] = {}
    for col in sorted(columns):  # order by the mean height of the inputs
        keys = sorted(
            columns[col],
            key=lambda k: np.mean([y[a] for a in inputs[k]] or [0]),
        )
        for i, k in enumerate(keys):
            y[k] = i - (len(keys) - 1) / 2
    ncol, nrow = len(columns), max(len(c) for c in columns.values())
    fig, axes = figure(width=1.1 * ncol + 0.5, height=0.9 * nrow + 0.8)
    ax = axes[0, 0]
    for a, b in edges:
        ax.annotate(
            "",
            xy=(level[b], y[b]),
            xytext=(level[a], y[a]),
            arrowprops=dict(
                arrowstyle="-|>", color="0.45", shrinkA=17, shrinkB=17
            ),
        )
    for n in nodes:
        leaf = n.op == "leaf"
        text = n.var if leaf else (f"{n.op}\n→ {n.var}" if n.var else n.op)
        ax.text(
            level[n.key],
            y[n.key],
            text,
            ha="center",
            va="center",
            fontsize=9,
            color=INK,
            bbox=dict(
                boxstyle="square,pad=0.5" if leaf else "round,pad=0.4",
                fc="#ffe9b3" if leaf else "#dde6ff",
                ec="0.3",
            ),
        )
    ax.set_xlim(-0.6, ncol - 0.4)
    ax.set_ylim(-nrow / 2 - 0.2, nrow / 2 + 0.2)
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    return fig


def parallelism_diagram(
    num_devices: int = 3, micro_batches: int = 4
) -> Figure:
    """Data, pipeline and tensor parallelism as three schematic panels,
    stacked (side by side, their text was too small on any screen)."""
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = figure(1, 3, width=5.0, height=2.4)
    _data_parallel(axes[0, 0], num_devices)
    _pipeline(axes[1, 0], num_devices, micro_batches, colors)
    _tensor_parallel(axes[2, 0], num_devices, colors)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
    fig.tight_layout()
    return fig


def _data_parallel(ax, num_devices: int) -> None:
    """Full model copies, each on a shard of the batch."""
    for d in range(num_devices):
        ax.add_patch(
            matplotlib.patches.Rectangle(
                (0.1, d), 0.8, 0.8, fc="#dde6ff", ec="0.3"
            )
        )
        ax.text(
            0.5, d + 0.55, f"device {d}: all layers", ha="center", color=INK
        )
        ax.text(
            0.5, d + 0.25, f"batch shard {d}", ha="center", fontsize=8,
            color=INK,
        )  # fmt: skip
    ax.annotate(
        "",
        xy=(0.97, 0.4),
        xytext=(0.97, num_devices - 0.6),
        arrowprops=dict(arrowstyle="<->", color="0.4"),
    )
    ax.text(1.0, num_devices / 2 - 0.1, "all-reduce\ngradients", fontsize=8)
    ax.set(xlim=(0, 1.4), ylim=(-0.2, num_devices), title="data parallel")


def _pipeline(ax, num_devices: int, micro_batches: int, colors) -> None:
    """Layers split by depth; micro-batches flow forward, then back."""
    steps = micro_batches + num_devices - 1
    for d in range(num_devices):
        for m in range(micro_batches):
            for phase, t in (("F", d + m), ("B", 2 * steps - 1 - d - m)):
                ax.add_patch(
                    matplotlib.patches.Rectangle(
                        (t, num_devices - 1 - d),
                        0.95,
                        0.8,
                        fc=colors[m % len(colors)],
                        alpha=1.0 if phase == "F" else 0.45,
                    )
                )
                ax.text(
                    t + 0.47,
                    num_devices - 0.6 - d,
                    f"{phase}{m}",
                    ha="center",
                    va="center",
                    fontsize=8,
                )
        ax.text(-0.2, num_devices - 0.6 - d, f"layers {d}", ha="right")
    ax.set(
        xlim=(-2.2, 2 * steps),
        ylim=(-0.4, num_devices),
        title="pipeline (idle = bubble)",
        xlabel="time",
    )


def _tensor_parallel(ax, num_devices: int, colors) -> None:
    """One weight matrix split by columns across the devices."""
    for d in range(num_devices):
        ax.add_patch(
            matplotlib.patches.Rectangle(
                (d, 0.5), 0.95, 2, fc=colors[d], ec="0.3"
            )
        )
        ax.text(
            d + 0.47, 1.5, f"W[:, {d}]\ndevice {d}", ha="center", color=INK
        )
    ax.text(
        num_devices / 2,
        0.1,
        "every layer split; exchange\nactivations inside each layer",
        ha="center",
        va="top",
        fontsize=8,
    )
    ax.set(xlim=(-0.2, num_devices), ylim=(-0.8, 2.8), title="tensor parallel")
