"""Figures of chapter 12 (your own CNN): im2col's columns, its speed against ``F.conv2d``, and the
first layer's feature maps of the own network and of its ``nn`` twin.

The routines draw; the chapter computes. Grids put row 0 on top, like a tensor printed.
"""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from autograder.chapters.ch10_simple_cnn.figures import digit_and_maps
from autograder.runtime.figures import ACCENT, PLAIN, SMALL, WIDTH, array, board, drawing, fit, grid

# One colour per window (output pixel): its outline on the input, its column's tint.
WINDOW_COLOURS = ("#4e79a7", ACCENT, "#59a14f", "#b07aa1", "#e15759", "#76b7b2")
LIBRARY, OWN = "#4e79a7", ACCENT  # F.conv2d (or nn) and the hand-written route


@drawing
def windows_as_columns(X, kernel_size: int, cell: float = 0.42) -> Figure:
    """im2col of one image ``X`` (C, H, W), stride 1, no padding: every window outlined in its colour
    on each channel (left), and the column matrix (C * k * k, L) with column l tinted in the colour of
    window l (right); the rows run channel by channel, each channel's window row by row."""
    X = array(X)
    C, H, W = X.shape
    k = kernel_size
    Ho, Wo = H - k + 1, W - k + 1
    L, rows = Ho * Wo, C * k * k
    gap = 1.2  # between the channels, stacked
    label_width = 2.3  # room for the row labels left of the column matrix
    units = W + 1.0 + label_width + L
    cell = fit(cell, units)
    height = max(C * H + (C - 1) * gap, rows)
    fig = Figure(figsize=(cell * units, cell * (height + 1.8)), layout="constrained")
    ax = fig.subplots()
    columns = np.zeros((rows, L))
    for c in range(C):
        y0 = c * (H + gap)
        grid(ax, X[c], y0=y0, fill=dict.fromkeys(np.ndindex(H, W), PLAIN), label=f"channel {c}")
        for index, (i, j) in enumerate(np.ndindex(Ho, Wo)):
            colour = WINDOW_COLOURS[index % len(WINDOW_COLOURS)]
            inset = 0.06 + 0.07 * index
            ax.add_patch(
                Rectangle((j + inset, y0 + i + inset), k - 2 * inset, k - 2 * inset, fill=False, edgecolor=colour, lw=2)
            )
            columns[c * k * k : (c + 1) * k * k, index] = X[c, i : i + k, j : j + k].reshape(-1)
    x0 = W + 1.0 + label_width
    y0 = (height - rows) / 2
    fill = {(r, col): WINDOW_COLOURS[col % len(WINDOW_COLOURS)] + "55" for r, col in np.ndindex(rows, L)}
    grid(ax, columns, x0=x0, y0=y0, fill=fill, label="columns")
    for r in range(rows):
        c, a, b = r // (k * k), r % (k * k) // k, r % k
        ax.text(x0 - 0.15, y0 + r + 0.5, f"ch {c}, ({a}, {b})", ha="right", va="center")
    for index in range(L):
        ax.text(x0 + index + 0.5, y0 + rows + 0.5, f"l={index}", ha="center", va="center")
    board(ax, x0 + L, height + 0.8)
    return fig


@drawing
def conv_timing(sizes, library_ms, own_ms, label: str) -> Figure:
    """Median time (ms, log scale) of ``F.conv2d`` and of im2col + one matrix product against the
    height and width of the input (log scale), with the ratio of the two written at each size."""
    sizes, library_ms, own_ms = array(sizes), array(library_ms), array(own_ms)
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    ax = fig.subplots()
    ax.loglog(sizes, library_ms, marker="o", color=LIBRARY, label="F.conv2d")
    ax.loglog(sizes, own_ms, marker="s", color=OWN, label="im2col + matrix product")
    for size, fast, slow in zip(sizes, library_ms, own_ms):
        ax.annotate(f"×{slow / fast:.1f}", (size, slow), textcoords="offset points", xytext=(0, 7), ha="center")
    ax.set_xticks(sizes, [f"{int(s)}" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("input height and width (pixels)")
    ax.set_ylabel("median time (ms)")
    ax.set_title(label)
    ax.legend(loc="upper left", fontsize=SMALL)
    ax.margins(y=0.15)
    return fig


@drawing
def first_layer_maps(image, own_maps, twin_maps, label: str, ncols: int = 4) -> Figure:
    """One digit (8x8) and the maps of the first block's ReLU, (C, 8, 8), of the own network and of
    its ``nn`` twin; each map on its own scale from 0 (black) to its largest value."""
    image, own_maps, twin_maps = array(image), array(own_maps), array(twin_maps)
    fig = Figure(figsize=(WIDTH, 3.3), layout="constrained")
    left, middle, right = fig.subfigures(1, 3, width_ratios=[1.2, 2.3, 2.3])
    panels = ((middle, own_maps, "OwnDigitsCNN"), (right, twin_maps, "nn twin"))
    panels = [(panel, maps, f"{title}\nlayer1.relu1, 8×8 maps", ncols) for panel, maps, title in panels]
    digit_and_maps(left, image, label, panels)
    return fig
