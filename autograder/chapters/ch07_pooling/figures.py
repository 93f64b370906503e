"""Figures of chapter 7 (pooling).

The routines draw; the chapter computes. Tensors are (H, W) planes unless said otherwise.
"""

import textwrap

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from autograder.runtime.figures import ACCENT, EDGE, SIGNED, SMALL, WIDTH, WINDOW, array, board, drawing, fit, grid
from autograder.runtime.kit import as_pair

# One colour per highlighted window.
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759")
LOST = "#e4e4e4"


def _outline(ax, row: float, col: float, height: float, width: float, colour: str, inset: float = 0.06) -> None:
    ax.add_patch(
        Rectangle(
            (col + inset, row + inset), width - 2 * inset, height - 2 * inset, fill=False, edgecolor=colour, lw=2.5
        )
    )


def _arrow(ax, start, end) -> None:
    ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": EDGE, "lw": 1.5})


def _rounded(values) -> np.ndarray:
    """Values rounded to 2 decimals, so that cells show 0.44 rather than 0.444444."""
    return np.round(array(values), 2)


@drawing
def windows(X, outputs: dict, kernel_size, stride, positions, cell: float = 0.42) -> Figure:
    """The input plane ``X`` with the windows of the output ``positions`` outlined (one colour
    each), and, after one arrow, the output planes ``outputs`` (title -> plane, each computed
    from the input) with those positions tinted."""
    (kh, kw), (sh, sw) = as_pair(kernel_size), as_pair(stride)
    X = array(X)
    H, W = X.shape
    outs = {title: _rounded(Y) for title, Y in outputs.items()}
    rows, cols = next(iter(outs.values())).shape
    width = W + sum(cols + 1.8 for _ in outs)
    cell = fit(cell, width + 0.6)
    fig = Figure(figsize=(cell * (width + 0.6), cell * (H + 1.8)), layout="constrained")
    ax = fig.subplots()
    grid(ax, X, shade=False, label="input")
    for n, (i, j) in enumerate(positions):
        colour = COLOURS[n % len(COLOURS)]
        ax.add_patch(Rectangle((j * sw, i * sh), kw, kh, facecolor=colour, alpha=0.18, lw=0))
        _outline(ax, i * sh, j * sw, kh, kw, colour, inset=0.06 + 0.08 * n)
    x0 = W
    _arrow(ax, (W + 0.2, H / 2), (W + 1.6, H / 2))
    for title, Y in outs.items():
        x0 += 1.8
        fill = {(i, j): mpl.colors.to_rgba(COLOURS[n % len(COLOURS)], 0.4) for n, (i, j) in enumerate(positions)}
        grid(ax, Y, x0=x0, y0=(H - rows) / 2, fill=fill, shade=False, label=title)
        x0 += cols
    board(ax, x0, H)
    return fig


@drawing
def divisors(panels: dict, cell: float = 0.42) -> Figure:
    """Small grids side by side (title -> values), each under its title; values rounded to 2 decimals."""
    mats = {title: _rounded(v) for title, v in panels.items()}
    height = max(m.shape[0] for m in mats.values())
    widths = [m.shape[1] + 1.4 for m in mats.values()]
    cell = fit(cell, sum(widths) + 2)
    fig = Figure(figsize=(cell * (sum(widths) + 2), cell * (height + 2.2)), layout="constrained")
    axes = fig.subplots(1, len(mats), width_ratios=widths, squeeze=False)[0]
    for ax, (title, m) in zip(axes, mats.items()):
        grid(ax, m, y0=(height - m.shape[0]) / 2, shade=False)
        ax.set_title(textwrap.fill(title, 14), fontsize=SMALL)
        board(ax, m.shape[1], height)
    return fig


@drawing
def unpool(X, Y, indices, U, kernel_size, cell: float = 0.42) -> Figure:
    """Max pooling with indices and unpooling of one plane, left to right: the input with its
    windows and their maxima, the pooled values, their flat indices, and the unpooled plane.
    Inputs that no window reads are grey."""
    kh, kw = as_pair(kernel_size)
    X, Y, U = array(X), array(Y), array(U)
    indices = np.asarray(array(indices), dtype=int)
    H, W = X.shape
    rows, cols = Y.shape
    winners = {divmod(int(q), W) for q in indices.ravel()}
    read = {(i, j) for i in range(rows * kh) for j in range(cols * kw)}
    fill = {(i, j): LOST for i, j in np.ndindex(H, W) if (i, j) not in read}
    fill.update(dict.fromkeys(winners, WINDOW))
    cell = fit(cell, 2 * W + 2 * cols + 8)
    fig = Figure(figsize=(cell * (2 * W + 2 * cols + 8), cell * (H + 2)), layout="constrained")
    ax = fig.subplots()
    grid(ax, X, fill=fill, shade=False, label="input X")
    for n, (i, j) in enumerate(np.ndindex(rows, cols)):
        _outline(ax, i * kh, j * kw, kh, kw, COLOURS[n % len(COLOURS)])
    x = W + 1.8
    y0 = (H - rows) / 2
    _arrow(ax, (W + 0.2, H / 2), (x - 0.2, H / 2))
    colours = {
        (i, j): mpl.colors.to_rgba(COLOURS[n % len(COLOURS)], 0.4) for n, (i, j) in enumerate(np.ndindex(rows, cols))
    }
    grid(ax, Y, x0=x, y0=y0, fill=colours, shade=False, label="Y")
    x += cols + 1
    grid(ax, indices, x0=x, y0=y0, fill=colours, shade=False, label="indices")
    x += cols + 1.8
    _arrow(ax, (x - 1.6, H / 2), (x - 0.2, H / 2))
    back = dict.fromkeys(winners, WINDOW)
    grid(ax, U, x0=x, fill=back, shade=False, label="max_unpool(Y, indices)")
    board(ax, x + W, H)
    return fig


def _brackets(ax, bins, along: str, offset: float) -> None:
    """Draw the windows ``bins`` ([start, end) pairs) as bars beside the grid, staggered so
    that overlapping windows stay apart."""
    for n, (start, end) in enumerate(bins):
        colour = COLOURS[n % len(COLOURS)]
        level = offset - 0.35 * (n % 2)
        if along == "columns":
            ax.plot([start + 0.1, end - 0.1], [level, level], color=colour, lw=4, solid_capstyle="butt")
            ax.text(
                (start + end) / 2,
                level - 0.2,
                f"[{start}, {end})",
                ha="center",
                va="bottom",
                fontsize=SMALL,
                color=colour,
            )
        else:
            ax.plot([level, level], [start + 0.1, end - 0.1], color=colour, lw=4, solid_capstyle="butt")
            ax.text(
                level - 0.2,
                (start + end) / 2,
                f"[{start}, {end})",
                ha="right",
                va="center",
                fontsize=SMALL,
                color=colour,
            )


@drawing
def adaptive(X, Y, row_bins, col_bins, highlight: tuple[int, int], cell: float = 0.42) -> Figure:
    """Adaptive average pooling of one plane: the input with its row and column windows drawn
    as bars (left and top), the window of output ``highlight`` tinted, and the output."""
    X, Y = array(X), _rounded(Y)
    H, W = X.shape
    i, j = highlight
    (r0, r1), (c0, c1) = row_bins[i], col_bins[j]
    fill = {(a, b): WINDOW for a in range(r0, r1) for b in range(c0, c1)}
    cell = fit(cell, W + Y.shape[1] + 7)
    fig = Figure(figsize=(cell * (W + Y.shape[1] + 7), cell * (H + 3.2)), layout="constrained")
    ax = fig.subplots()
    grid(ax, X, fill=fill, shade=False)
    _outline(ax, r0, c0, r1 - r0, c1 - c0, ACCENT)
    _brackets(ax, col_bins, "columns", -0.4)
    _brackets(ax, row_bins, "rows", -0.4)
    x0, y0 = W + 1.8, (H - Y.shape[0]) / 2
    _arrow(ax, (W + 0.2, H / 2), (x0 - 0.2, H / 2))
    grid(ax, Y, x0=x0, y0=y0, fill={(i, j): WINDOW}, shade=False, label="output")
    ax.set_xlim(-2.6, x0 + Y.shape[1] + 0.2)
    ax.set_ylim(H + 0.2, -1.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


@drawing
def shift_tolerance(maps: dict, unchanged: dict, sizes: list) -> Figure:
    """Top: feature maps (title -> image; differences drawn in ``SIGNED``, symmetric around 0).
    Bottom: the share of output values a one-pixel shift leaves exactly unchanged (label -> one
    share per window size in ``sizes``)."""
    fig = Figure(figsize=(WIDTH, 6.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1])
    axes = top.subplots(1, len(maps))
    for ax, (title, image) in zip(axes, maps.items()):
        image = array(image)
        if image.min() < 0:
            limit = np.percentile(np.abs(image), 99.5) or 1.0
            ax.imshow(image, cmap=SIGNED, vmin=-limit, vmax=limit)
        else:
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=np.percentile(image, 99.5))
        ax.set_title(f"{textwrap.fill(title, 16)}\n{image.shape[0]}×{image.shape[1]}", fontsize=SMALL)
        ax.axis("off")
    ax = bottom.subplots()
    positions = np.arange(len(sizes))
    width = 0.8 / len(unchanged)
    for n, (label, shares) in enumerate(unchanged.items()):
        bars = ax.bar(
            positions + (n - (len(unchanged) - 1) / 2) * width,
            shares,
            width,
            label=label,
            color=COLOURS[n % len(COLOURS)],
        )
        ax.bar_label(bars, labels=[f"{s:.0%}" for s in shares], fontsize=SMALL, padding=2)
    ax.set_xticks(positions, [f"{k}×{k}" for k in sizes])
    ax.set_xlabel("pooling window (stride = window)")
    ax.set_ylabel("outputs unchanged by the shift")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.legend(loc="upper left")
    return fig


@drawing
def ceil_and_dilation(X, ceil_output, S, dilated_output, kernel_size: int, stride: int, dilation: int) -> Figure:
    """Two rows. Top: the input plane ``X`` (unpadded) with the ``kernel_size`` windows of
    stride ``stride`` that ``ceil_mode=True`` keeps: blue those floor keeps too, orange those
    that run past the input (over the grey cells beyond it), and the output ``ceil_output`` in
    the same colours. Bottom: the plane ``S`` with the taps of the first dilated window
    (``dilation`` apart, orange) inside its span (dashed), and ``dilated_output`` (stride 1)."""
    X, Yc, S, Yd = array(X), _rounded(ceil_output), array(S), array(dilated_output)
    k, s, d = kernel_size, stride, dilation
    H, W = X.shape
    rows, cols = Yc.shape
    floor_rows, floor_cols = (H - k) // s + 1, (W - k) // s + 1
    past = (rows - 1) * s + k - H, (cols - 1) * s + k - W
    units = W + past[1] + 1.8 + cols + 0.6
    cell = fit(0.42, units)
    fig = Figure(figsize=(cell * units, cell * (2 * H + past[0] + 4.6)), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=[H + past[0] + 1.4, S.shape[0] + 1.4])
    for i in range(H + past[0]):
        for j in range(W + past[1]):
            if i >= H or j >= W:
                top.add_patch(Rectangle((j, i), 1, 1, facecolor=LOST, edgecolor=EDGE, lw=1, ls=":"))
    grid(top, X, shade=False, label="input; grey: past its end")
    fill = {}
    for i in range(rows):
        for j in range(cols):
            colour = COLOURS[0] if i < floor_rows and j < floor_cols else COLOURS[1]
            _outline(top, i * s, j * s, k, k, colour, inset=0.1)
            fill[i, j] = mpl.colors.to_rgba(colour, 0.35)
    x0 = W + past[1]
    _arrow(top, (x0 + 0.2, H / 2), (x0 + 1.6, H / 2))
    grid(top, Yc, x0=x0 + 1.8, y0=(H - rows) / 2, fill=fill, shade=False, label="ceil_mode=True")
    board(top, x0 + 1.8 + cols, H + past[0])
    span = d * (k - 1) + 1
    taps = {(a * d, b * d): WINDOW for a in range(k) for b in range(k)}
    grid(bottom, S, fill=taps, shade=False, label=f"{k}×{k} window, dilation {d}")
    bottom.add_patch(Rectangle((0.04, 0.04), span - 0.08, span - 0.08, fill=False, edgecolor=ACCENT, lw=2.5, ls="--"))
    W2 = S.shape[1]
    _arrow(bottom, (W2 + 0.2, S.shape[0] / 2), (W2 + 1.6, S.shape[0] / 2))
    grid(
        bottom,
        Yd,
        x0=W2 + 1.8,
        y0=(S.shape[0] - Yd.shape[0]) / 2,
        fill={(0, 0): WINDOW},
        shade=False,
        label="stride 1",
    )
    board(bottom, W2 + 1.8 + Yd.shape[1], S.shape[0])
    return fig


@drawing
def shift_and_rotation(shifts, by_shift: dict, angles, by_angle: dict) -> Figure:
    """Two panels side by side: how much a max-pooled feature map changes (relative distance,
    0 = unchanged) against a shift in pixels, and against a rotation in degrees; one line per
    label (e.g. a pooling window) in ``by_shift`` and ``by_angle``."""
    fig = Figure(figsize=(WIDTH, 3.0), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, xs, curves, xlabel in (
        (left, shifts, by_shift, "shift (pixels)"),
        (right, angles, by_angle, "rotation (degrees)"),
    ):
        for n, (label, values) in enumerate(curves.items()):
            ax.plot(xs, values, marker="o", ms=3.5, color=COLOURS[n % len(COLOURS)], label=label)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    left.set_ylabel("relative change of\nthe pooled map")
    left.set_ylim(bottom=0)
    left.legend(loc="upper left", fontsize=SMALL)
    return fig
