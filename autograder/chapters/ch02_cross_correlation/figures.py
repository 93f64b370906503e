"""Figures of chapter 2 (cross-correlation)."""

import numpy as np
from matplotlib.figure import Figure

from autograder.runtime.figures import ACCENT, EDGE, WIDTH, WINDOW, array, board, drawing, grid, matrices


@drawing
def sliding_window(X, K, Y) -> Figure:
    """One panel per output element: the window of ``X`` it reads, the sum, the cell it fills."""
    X, K, Y = map(array, (X, K, Y))
    (kh, kw), (H, W) = K.shape, X.shape
    rows, cols = Y.shape
    fig = Figure(figsize=(WIDTH, 0.6 * WIDTH / cols * rows), layout="constrained")
    for (i, j), ax in zip(np.ndindex(rows, cols), fig.subplots(rows, cols, squeeze=False).ravel()):
        window = {(i + a, j + b): WINDOW for a in range(kh) for b in range(kw)}
        grid(ax, X, fill=window, shade=False, label="$X$")
        ax.text(W + 0.6, H / 2, r"$\star$", ha="center", va="center", fontsize=14)
        grid(ax, K, x0=W + 1.2, y0=(H - kh) / 2, fill=dict.fromkeys(np.ndindex(kh, kw), WINDOW), label="$K$")
        ax.text(W + kw + 1.8, H / 2, "=", ha="center", va="center", fontsize=14)
        grid(ax, Y, x0=W + kw + 2.4, y0=(H - rows) / 2, fill={(i, j): ACCENT}, shade=False, label="$Y$")
        terms = " + ".join(f"{X[i + a, j + b]:g}·{K[a, b]:g}" for a, b in np.ndindex(kh, kw))
        ax.set_title(f"$Y_{{{i},{j}}}$ = {terms} = {Y[i, j]:g}")
        board(ax, W + kw + cols + 2.4, H)
    return fig


def kernel_flip(K, Y_corr, Y_conv) -> Figure:
    """The kernel, its 180° rotation (same numbers, same colours) and the results they give."""
    K = array(K)
    return matrices(
        [K, np.rot90(K, 2), Y_corr, Y_conv],
        ["kernel $K$", "$K$ rotated by 180°", "cross-correlation\n$X \\star K$", "convolution\n$X * K$"],
        cell=0.42,
    )


@drawing
def receptive_field(size: int, kernel: int, index: tuple[int, int]) -> Figure:
    """Receptive field of one output element after one and after two ``kernel``x``kernel`` layers.

    The input is ``size``x``size``; every layer has stride 1 and no padding.
    """
    fig = Figure(figsize=(WIDTH, 5.0), layout="constrained")
    names = ["input $X$", "layer 1 output $Y$", "layer 2 output $Z$"]
    sides = [size - depth * (kernel - 1) for depth in range(3)]
    for layers, ax in zip((1, 2), fig.subplots(2, 1)):
        x0 = 0.0
        for depth, n in enumerate(sides[: layers + 1]):
            reach = (layers - depth) * (kernel - 1)
            color = ACCENT if depth == layers else WINDOW
            fill = {(index[0] + a, index[1] + b): color for a in range(reach + 1) for b in range(reach + 1)}
            grid(
                ax,
                np.zeros((n, n)),
                x0=x0,
                y0=(size - n) / 2,
                fill=fill,
                numbers=False,
                shade=False,
                label=names[depth],
            )
            x0 += n + 1.2
        ax.set_title(
            f"{layers} layer{'s' * (layers > 1)} of {kernel}×{kernel}: the receptive field is "
            f"{1 + layers * (kernel - 1)}×{1 + layers * (kernel - 1)} on the input"
        )
        board(ax, sum(sides) + 2.4, size)
    return fig


@drawing
def windows(X, kernel_shape: tuple[int, int]) -> Figure:
    """``X`` and the (H-kh+1) x (W-kw+1) grid of its kh x kw windows, each labelled windows[i, j]."""
    X = array(X)
    kh, kw = kernel_shape
    rows, cols = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    width, height = X.shape[1] + 1.5 + cols * (kw + 1), rows * (kh + 1) - 1
    fig = Figure(figsize=(0.5 * (width + 0.4), 0.5 * (height + 1.4)), layout="constrained")
    ax = fig.subplots()
    grid(ax, X, y0=(height - X.shape[0]) / 2, label="$X$")
    x0 = X.shape[1] + 1.5
    ax.annotate(
        "",
        (x0 - 0.2, height / 2),
        (X.shape[1] + 0.2, height / 2),
        arrowprops={"arrowstyle": "->", "color": EDGE, "lw": 1.5},
    )
    for i, j in np.ndindex(rows, cols):
        grid(
            ax,
            X[i : i + kh, j : j + kw],
            x0=x0 + j * (kw + 1),
            y0=i * (kh + 1),
            scale=np.abs(X).max(),
            label=f"windows[{i}, {j}]",
        )
    board(ax, width, height)
    return fig


@drawing
def timings(sizes, seconds: dict) -> Figure:
    """Run time against input side length, one line per implementation, log-log axes."""
    fig = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    ax = fig.subplots()
    for (name, times), marker in zip(seconds.items(), "osd^v"):
        ax.loglog(sizes, array(times) * 1e3, marker=marker, label=name)
    ax.set_xlabel("input side length $n$ (the input is $n \\times n$)")
    ax.set_ylabel("time per call (ms)")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.legend()
    return fig


@drawing
def sliding_window_1d(x, k, y, positions) -> Figure:
    """A 1-D cross-correlation, one row of panels per output position in ``positions``: the
    signal ``x`` with the window shaded, the kernel ``k`` under it, and the output ``y`` with
    the element it fills highlighted; the sum of products written out beside it."""
    x, k, y = map(array, (x, k, y))
    n, w = len(x), len(k)
    rows = len(positions)
    height = 3 * rows + (rows - 1) * 1.0
    width = n + 7.5  # the signal, then the sum written out
    cell = min(0.42, WIDTH / (width + 1.0))
    fig = Figure(figsize=(cell * (width + 1.0), cell * (height + 0.6)), layout="constrained")
    ax = fig.subplots()

    def term(value: float) -> str:
        return f"({value:g})" if value < 0 else f"{value:g}"

    for row, i in enumerate(positions):
        y0 = row * 4.0
        grid(ax, x[None], y0=y0, fill={(0, i + j): WINDOW for j in range(w)}, shade=False)
        ax.text(-0.15, y0 + 0.5, "$x$", ha="right", va="center")
        grid(ax, k[None], x0=i, y0=y0 + 1, fill=dict.fromkeys(((0, j) for j in range(w)), WINDOW), shade=False)
        ax.text(i - 0.15, y0 + 1.5, "$k$", ha="right", va="center")
        grid(ax, y[None], y0=y0 + 2, fill={(0, i): ACCENT}, shade=False)
        ax.text(-0.15, y0 + 2.5, "$y$", ha="right", va="center")
        terms = " + ".join(f"{term(x[i + j])}·{term(k[j])}" for j in range(w))
        ax.text(n + 0.3, y0 + 1.5, f"$y_{i}$ = {terms}\n= {y[i]:g}", ha="left", va="center")
    board(ax, width, height)
    ax.set_xlim(-1.0, width)
    ax.set_ylim(height + 0.2, -0.2)
    return fig
