"""Figures of chapter 6 (transposed convolution).

The routines draw; the chapter computes. Grids put row 0 on top, like a tensor printed.
"""

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from autograder.runtime.figures import EDGE, PLAIN, SIGNED, SMALL, WINDOW, array, board, drawing, fit, grid, panel_grid
from autograder.runtime.kit import as_pair

CROPPED = "#e4e4e4"
KEPT = "#59a14f"
# One colour per input element, for the copy of the kernel it spreads.
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")


def _symbol(ax, x, y, text, fontsize=14) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _light(colour: str, alpha: float = 0.35) -> tuple:
    """``colour`` mixed with white, so that black numbers on it stay legible."""
    r, g, b = mpl.colors.to_rgb(colour)
    return (1 - alpha * (1 - r), 1 - alpha * (1 - g), 1 - alpha * (1 - b), 1.0)


@drawing
def scatter(X, K, Y, stride=1, cell: float = 0.36) -> Figure:
    """A transposed convolution step by step: every input element spreads a scaled copy of K.

    The top row shows ``X`` and ``K``; the panels below give, for each element ``X[i, j]``,
    the output-sized grid with ``X[i, j] * K`` in the block at row ``i * sh`` and column
    ``j * sw`` (each element in its own colour); the last panel is their sum ``Y``.
    """
    X, K, Y = array(X), array(K), array(Y)
    (H, W), (kh, kw), (sh, sw) = X.shape, K.shape, as_pair(stride)
    rows, cols = Y.shape
    colour = {(i, j): COLOURS[(i * W + j) % len(COLOURS)] for i, j in np.ndindex(H, W)}
    step = cols + 1.4
    width = (H * W + 1) * step
    height = rows + 2.2 + max(H, kh) + 1.6
    cell = fit(cell, width)
    fig = Figure(figsize=(cell * width, cell * height), layout="constrained")
    ax = fig.subplots()
    top = 0.0
    grid(ax, X, fill={ij: _light(c, 0.45) for ij, c in colour.items()}, shade=False, label="input $X$")
    grid(ax, K, x0=W + 1.5, fill=dict.fromkeys(np.ndindex(kh, kw), WINDOW), shade=False, label="kernel $K$")
    ax.text(
        W + kw + 2.5,
        top + max(H, kh) / 2,
        f"stride {sh}" if sh == sw else f"stride ({sh}, {sw})",
        ha="left",
        va="center",
        color=EDGE,
    )
    y0 = max(H, kh) + 1.6
    for n, (i, j) in enumerate(np.ndindex(H, W)):
        x0 = n * step
        for r, c in np.ndindex(rows, cols):
            a, b = r - i * sh, c - j * sw
            inside = 0 <= a < kh and 0 <= b < kw
            ax.add_patch(
                Rectangle(
                    (x0 + c, y0 + r), 1, 1, facecolor=_light(colour[i, j]) if inside else PLAIN, edgecolor=EDGE, lw=1
                )
            )
            if inside:
                ax.text(x0 + c + 0.5, y0 + r + 0.5, f"{X[i, j] * K[a, b]:g}", ha="center", va="center")
        ax.text(x0 + cols / 2, y0 - 0.25, f"$X_{{{i},{j}}} K = {X[i, j]:g} \\cdot K$", ha="center", va="bottom")
        _symbol(ax, x0 + cols + 0.7, y0 + rows / 2, "=" if n == H * W - 1 else "+")
    grid(ax, Y, x0=H * W * step, y0=y0, label="sum $Y$")
    board(ax, width - 1.4, y0 + rows)
    return fig


@drawing
def matrix_pair(M, input_shape, cell: float = 0.3) -> Figure:
    """The convolution matrix ``M`` and its transpose side by side, zeros left blank, and under
    ``M`` each of its rows seen as an image of the input (of ``input_shape``).

    Entries are coloured by value (the kernel's entries keep their colour everywhere), so the
    kernel shows up as a band that moves along each row of ``M`` and down each column of ``M.T``.
    """
    M = array(M)
    out, n = M.shape
    H, W = input_shape
    values = M[M != 0]
    low, high = values.min(), values.max()
    colours = mpl.colormaps["YlOrBr"]

    def draw(ax, matrix, x0, y0, title, row_name=None, col_name=None):
        for (i, j), v in np.ndenumerate(matrix):
            shade = PLAIN if v == 0 else colours(0.15 + 0.5 * ((v - low) / (high - low) if high > low else 0))
            ax.add_patch(Rectangle((x0 + j, y0 + i), 1, 1, facecolor=shade, edgecolor=EDGE, lw=0.6))
            if v != 0:
                ax.text(x0 + j + 0.5, y0 + i + 0.5, f"{v:g}", ha="center", va="center", fontsize=SMALL)
        ax.text(x0 + matrix.shape[1] / 2, y0 - 0.35, title, ha="center", va="bottom")
        if row_name:
            ax.text(x0 - 0.3, y0 + matrix.shape[0] / 2, row_name, ha="right", va="center", rotation=90, color=EDGE)
        if col_name:
            ax.text(x0 + matrix.shape[1] / 2, y0 + matrix.shape[0] + 0.3, col_name, ha="center", va="top", color=EDGE)

    x_t = n + 3.5
    cell = fit(cell, x_t + out + 1.5)
    fig = Figure(figsize=(cell * (x_t + out + 1.5), cell * (n + 3.0)), layout="constrained")
    ax = fig.subplots()
    draw(ax, M, 0.0, 0.0, f"$W$: {out} × {n}", f"{out} output elements", f"{n} input pixels")
    draw(ax, M.T, x_t, 0.0, f"$W^\\top$: {n} × {out}", f"{n} output pixels", f"{out} input elements")
    per_row = int(np.ceil(np.sqrt(out)))
    y_rows = out + 3.2
    ax.text(n / 2, y_rows - 1.1, f"each row of $W$ as a {H} × {W} image: one window", ha="center", va="bottom")
    left = (n - per_row * (W + 1) + 1) / 2
    for r in range(out):
        a, b = divmod(r, per_row)
        draw(ax, M[r].reshape(H, W), left + b * (W + 1), y_rows + a * (H + 1.2), f"row {r}")
    ax.set_xlim(-1.2, x_t + out + 0.3)
    ax.set_ylim(n + 1.5, -1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


@drawing
def output_padding(x, k, stride: int, padding: int, output_padding: int, cell: float = 0.42) -> Figure:
    """One axis of a transposed convolution: the scaled copies of ``k``, their sum, and the crop.

    ``x`` and ``k`` are 1-D. The full sum has length (n - 1)s + len(k); ``padding`` pixels are
    cropped from each end (grey); ``output_padding`` keeps that many of the cropped pixels at the
    end (green), which is what PyTorch returns with that argument.
    """
    x, k = array(x), array(k)
    n, size = len(x), len(k)
    length = (n - 1) * stride + size
    full = np.zeros(length)
    for i, v in enumerate(x):
        full[i * stride : i * stride + size] += v * k
    x0, row = 8.2, 1.25
    cell = fit(cell, x0 + length + 0.6)
    fig = Figure(figsize=(cell * (x0 + length + 0.6), cell * (row * (n + 4) + 1.8)), layout="constrained")
    ax = fig.subplots()

    def strip(y, values, fills, note, numbers=None):
        for c, f in enumerate(fills):
            if f is None:
                continue
            ax.add_patch(Rectangle((x0 + c, y), 1, 1, facecolor=f, edgecolor=EDGE, lw=1))
            if numbers is not None and numbers[c] is not None:
                ax.text(x0 + c + 0.5, y + 0.5, f"{numbers[c]:g}", ha="center", va="center", fontsize=SMALL)
        ax.text(x0 - 0.3, y + 0.5, note, ha="right", va="center", fontsize=SMALL)

    for c in range(length):
        ax.text(x0 + c + 0.5, -0.35, str(c), ha="center", va="bottom", fontsize=SMALL, color=EDGE)
    for i, v in enumerate(x):
        fills = [
            _light(COLOURS[i % len(COLOURS)]) if i * stride <= c < i * stride + size else None for c in range(length)
        ]
        numbers = [v * k[c - i * stride] if fill else None for c, fill in enumerate(fills)]
        strip(i * row, full, fills, f"$x_{i} = {v:g}$ spreads ${v:g} \\cdot k$", numbers)
    total = n * row + 0.3
    strip(total, full, [PLAIN] * length, f"sum: length ({n} − 1)·{stride} + {size} = {length}", list(full))
    for label, extra, y in (
        (f"padding={padding}: length {length - 2 * padding}", 0, total + row + 0.3),
        (
            f"padding={padding}, output_padding={output_padding}: length {length - 2 * padding + output_padding}",
            output_padding,
            total + 2 * row + 0.6,
        ),
    ):
        end = length - padding + extra
        fills = [
            CROPPED if c < padding or c >= end else (_light(KEPT, 0.6) if c >= length - padding else PLAIN)
            for c in range(length)
        ]
        numbers = [None if c < padding or c >= end else full[c] for c in range(length)]
        strip(y, full, fills, label, numbers)
        ax.add_patch(Rectangle((x0 + padding, y), end - padding, 1, fill=False, edgecolor="black", lw=2))
    bottom = y + 1.4
    ax.set_xlim(-0.2, x0 + length + 0.3)
    ax.set_ylim(bottom, -1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


@drawing
def round_trip(panels: dict, signed: tuple = (), ncols: int = 4) -> Figure:
    """Images side by side (title -> (H, W) image), each with its shape, drawn at a common scale.

    All images share one pixel size, so a smaller image looks smaller, and the gray ones share
    one brightness scale, from 0 to the largest value among them, so a darker image looks
    darker. Titles in ``signed`` are drawn with a diverging map centred on 0 that saturates at
    the 99th percentile of the absolute values.
    """
    panels = {title: array(img) for title, img in panels.items()}
    brightest = max(img.max() for title, img in panels.items() if title not in signed)
    height = max(img.shape[0] for img in panels.values())
    widths = [img.shape[1] for img in panels.values()]
    fig, axes = panel_grid(len(panels), ncols, 2.6, 3.0)
    for ax, (title, img) in zip(axes, panels.items()):
        if title in signed:
            limit = np.percentile(np.abs(img), 99) or 1.0
            ax.imshow(img, cmap=SIGNED, vmin=-limit, vmax=limit)
        else:
            ax.imshow(img, cmap="gray", vmin=0.0, vmax=brightest)
        ax.set_xlim(-0.5, max(widths) - 0.5)
        ax.set_ylim(height - 0.5, -0.5)
        ax.set_title(f"{title}\n{img.shape[0]}×{img.shape[1]}")
    return fig


@drawing
def overlaps(counts: dict, cell: float = 0.32) -> Figure:
    """How many copies of the kernel land on each output pixel (title -> counts), shaded by count."""
    counts = {title: array(c) for title, c in counts.items()}
    vmax = max(c.max() for c in counts.values())
    colours = mpl.colormaps["YlOrBr"]
    H = max(c.shape[0] for c in counts.values())
    widths = [c.shape[1] + 1.0 for c in counts.values()]
    cell = fit(cell, sum(widths))
    fig = Figure(figsize=(cell * sum(widths), cell * (H + 1.8)), layout="constrained")
    axes = fig.subplots(1, len(counts), width_ratios=widths, squeeze=False)[0]
    for ax, (title, c) in zip(axes, counts.items()):
        fill = {(i, j): colours(0.05 + 0.6 * v / vmax) for (i, j), v in np.ndenumerate(c)}
        grid(ax, c, fill=fill, label=title)
        board(ax, c.shape[1], H)
    return fig
