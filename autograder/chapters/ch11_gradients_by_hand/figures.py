"""Figures of chapter 11 (gradients by hand).

The routines draw; the chapter computes. Grids put row 0 on top, like a tensor printed.
"""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from autograder.runtime.figures import ACCENT, EDGE, PLAIN, WIDTH, WINDOW, array, board, drawing, fit, grid

BACKWARD = "#7b3294"  # the backward pass: arrows and labels in purple, the forward in grey
FORWARD = "#555555"
INSERTED = "#e4e4e4"  # zeros the backward inserts (dilation) or adds around (padding)


def _box(ax, x, y, text, width=1.6, height=0.8, colour=PLAIN) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.05",
            facecolor=colour,
            edgecolor=EDGE,
            lw=1.2,
        )
    )
    ax.text(x, y, text, ha="center", va="center")


def _arrow(ax, start, end, colour, text=None, offset=(0.0, 0.0), rad=0.0) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, color=colour, lw=1.4, connectionstyle=f"arc3,rad={rad}"
        )
    )
    if text:
        x, y = (start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1]
        ax.text(x, y, text, ha="center", va="center", color=colour)


@drawing
def graph() -> Figure:
    """The computational graph of a convolution layer and a loss, forward (grey, left to right)
    and backward (purple, right to left): every backward step is a vector-Jacobian product."""
    fig = Figure(figsize=(WIDTH, 2.7), layout="constrained")
    ax = fig.subplots()
    inputs = {"$X$": 2.3, "$K$": 1.0, "$b$": -0.3}
    labels = {"$X$": "$dX$: transposed conv of $dY$", "$K$": "$dK$: corr of $X$ with $dY$", "$b$": "$db$: sum of $dY$"}
    for name, y in inputs.items():
        _box(ax, 3.6, y, name, width=0.7)
        ax.text(3.1, y, labels[name], ha="right", va="center", color=BACKWARD)
        _arrow(ax, (3.95, y + 0.12), (5.0, 1.0 + (y - 1.0) * 0.3 + 0.12), FORWARD)
        _arrow(ax, (5.0, 1.0 + (y - 1.0) * 0.3 - 0.12), (3.95, y - 0.12), BACKWARD)
    _box(ax, 5.75, 1.0, "conv2d", width=1.4, colour=WINDOW)
    _box(ax, 7.55, 1.0, "$Y$", width=0.6)
    _box(ax, 9.05, 1.0, "$L$", width=0.6)
    _arrow(ax, (6.45, 1.12), (7.25, 1.12), FORWARD)
    _arrow(ax, (7.85, 1.12), (8.75, 1.12), FORWARD)
    _arrow(ax, (8.75, 0.88), (7.85, 0.88), BACKWARD)
    _arrow(ax, (7.25, 0.88), (6.45, 0.88), BACKWARD)
    ax.text(8.0, 0.25, "$dY$", ha="center", va="center", color=BACKWARD)
    ax.text(6.4, 2.55, "forward: grey, left to right", ha="center", color=FORWARD)
    ax.text(6.4, -0.75, "backward: purple, right to left", ha="center", color=BACKWARD)
    ax.set_xlim(-0.1, 9.5)
    ax.set_ylim(-1.0, 2.85)
    ax.axis("off")
    return fig


@drawing
def input_gradient(dY, D, flipped, dX, stride, kernel, cell: float = 0.4) -> Figure:
    """dX as a full cross-correlation: ``dY``; ``D``, dY dilated by ``stride`` and padded by
    k - 1 (the inserted zeros grey, dY's entries coloured); the flipped kernel; and ``dX``."""
    dY, D, flipped, dX = map(array, (dY, D, flipped, dX))
    kh, kw = kernel
    sh, sw = stride
    rows, cols = D.shape
    units = dY.shape[1] + cols + flipped.shape[1] + dX.shape[1] + 5.5
    cell = fit(cell, units)
    height = max(rows, dX.shape[0]) + 1.8
    fig = Figure(figsize=(cell * units, cell * height), layout="constrained")
    ax = fig.subplots()
    grid(ax, dY, label="$dY$")
    x = dY.shape[1] + 1.5
    real = {(kh - 1 + i * sh, kw - 1 + j * sw) for i, j in np.ndindex(*dY.shape)}
    fill = {(i, j): (WINDOW if (i, j) in real else INSERTED) for i, j in np.ndindex(rows, cols)}
    grid(ax, D, x0=x, fill=fill, label="dilated, padded $dY$")
    x += cols + 1.5
    grid(ax, flipped, x0=x, fill=dict.fromkeys(np.ndindex(*flipped.shape), PLAIN), label="flipped $K$")
    ax.text(x - 0.75, flipped.shape[0] / 2, "⋆", ha="center", va="center", fontsize=14)
    x += flipped.shape[1] + 1.5
    ax.text(x - 0.75, dX.shape[0] / 2, "=", ha="center", va="center", fontsize=14)
    grid(ax, dX, x0=x, label="$dX$")
    board(ax, x + dX.shape[1], max(rows, dX.shape[0]))
    return fig


@drawing
def max_routing(X, dY, dX, kernel_size: int, stride: int, winners, cell: float = 0.5) -> Figure:
    """Max pooling's backward: each window's first maximum (outlined in its window's colour)
    receives that window's dY; ties elsewhere in the window get nothing."""
    X, dY, dX = map(array, (X, dY, dX))
    colours = ("#4e79a7", ACCENT, "#59a14f", "#b07aa1", "#e15759", "#76b7b2")
    units = X.shape[1] + dY.shape[1] + dX.shape[1] + 3.4
    cell = fit(cell, units)
    fig = Figure(figsize=(cell * units, cell * (X.shape[0] + 1.8)), layout="constrained")
    ax = fig.subplots()
    grid(ax, X, fill=dict.fromkeys(np.ndindex(*X.shape), PLAIN), label="$X$ (maxima outlined)")
    for n, (r, c) in enumerate(winners):
        colour = colours[n % len(colours)]
        inset = 0.08 + 0.08 * (n % 3)
        ax.add_patch(
            Rectangle((c + inset, r + inset), 1 - 2 * inset, 1 - 2 * inset, fill=False, edgecolor=colour, lw=2.2)
        )
    x = X.shape[1] + 1.2
    fill = {(i, j): colours[n % len(colours)] + "55" for n, (i, j) in enumerate(np.ndindex(*dY.shape))}
    grid(ax, dY, x0=x, fill=fill, label="$dY$")
    x += dY.shape[1] + 1.2
    grid(ax, dX, x0=x, label="$dX$")
    ax.text(X.shape[1] / 2, X.shape[0] + 0.6, f"{kernel_size}×{kernel_size} windows, stride {stride}", ha="center")
    board(ax, x + dX.shape[1], X.shape[0] + 0.8)
    return fig
