"""Figures of the book's chapters: each routine takes tensors or arrays and returns a Figure.

The figures are built with :class:`matplotlib.figure.Figure`, not pyplot, so a chapter
shows one by ending a cell with it, and importing this module changes no global state.
"""

import functools

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

STYLE = {
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "lines.linewidth": 2,
    "figure.dpi": 120,
    "figure.facecolor": "white",
}
ACCENT, WINDOW, PLAIN, EDGE = "#f28e2b", "#ffd8a8", "#ffffff", "#555555"


def styled(make):
    """Decorator: build the figure under the course's matplotlib style."""

    @functools.wraps(make)
    def wrapper(*args, **kwargs):
        with mpl.rc_context(STYLE):
            return make(*args, **kwargs)

    return wrapper


def _array(values) -> np.ndarray:
    """A tensor (detached, on the CPU) or array-like as a float NumPy array."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def _shade(value: float, scale: float) -> tuple:
    """A light colour for a cell: blue for positive values, red for negative, white for 0."""
    return mpl.colormaps["RdBu"](0.5 + 0.35 * value / scale) if scale else PLAIN


def _grid(ax, values, x0=0.0, y0=0.0, fill=None, numbers=True, shade=True, scale=None, label=None):
    """Draw a matrix as cells with their top-left corner at (x0, y0), row 0 on top.

    ``fill`` maps (row, col) to a colour; other cells are shaded by value relative to
    ``scale`` (default: the largest absolute value), or white if ``shade`` is false.
    """
    values = _array(values)
    scale = np.abs(values).max() if scale is None else scale
    for (i, j), v in np.ndenumerate(values):
        color = (fill or {}).get((i, j), _shade(v, scale) if shade else PLAIN)
        ax.add_patch(Rectangle((x0 + j, y0 + i), 1, 1, facecolor=color, edgecolor=EDGE, lw=1))
        if numbers:
            ax.text(x0 + j + 0.5, y0 + i + 0.5, f"{v:g}", ha="center", va="center")
    if label:
        ax.text(x0 + values.shape[1] / 2, y0 - 0.25, label, ha="center", va="bottom")


def _board(ax, width: float, height: float) -> None:
    """Turn ``ax`` into a drawing board of cells: equal aspect, row 0 on top, no axes."""
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(height + 0.2, -1.2)
    ax.set_aspect("equal")
    ax.axis("off")


@styled
def derivative(x, y, grad, exact) -> Figure:
    """A function, the gradient autograd returns at sample points, and the exact derivative."""
    x, y, grad, exact = map(_array, (x, y, grad, exact))
    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.plot(x, y, color="#4e79a7", label="$f(x)$")
    ax.plot(x, exact, color=ACCENT, label="exact $f'(x)$")
    ax.plot(x[::4], grad[::4], "o", color="black", ms=4, label="x.grad from autograd")
    ax.set_xlabel("$x$")
    ax.legend(loc="upper center", ncols=3)
    return fig


@styled
def vector_jacobian(v, J, result) -> Figure:
    """``v^T J`` as a weighted sum of the Jacobian's rows, each row next to its weight."""
    v, J, result = _array(v).ravel(), _array(J), _array(result).ravel()
    m, n = J.shape
    fig = Figure(figsize=(0.55 * (n + 3.9), 0.55 * (m + 2.9)), layout="constrained")
    ax = fig.subplots()
    _grid(ax, v[:, None], label="$v$")
    _grid(ax, J, x0=2, label="Jacobian $J$")
    for i in range(m):
        ax.text(1.5, i + 0.5, "×", ha="center", va="center", fontsize=14)
    ax.plot([1.6, n + 2.4], [m + 0.3, m + 0.3], color=EDGE, lw=1.5)
    ax.text(1.2, m + 1.0, r"$\sum_i$", ha="center", va="center", fontsize=12)
    _grid(ax, result[None, :], x0=2, y0=m + 0.5, fill={(0, j): WINDOW for j in range(n)})
    ax.text(n + 2.2, m + 1.0, r"$= v^\top J$", ha="left", va="center")
    _board(ax, n + 3.5, m + 1.5)
    return fig


@styled
def sliding_window(X, K, Y) -> Figure:
    """One panel per output element: the window of ``X`` it reads, the sum, the cell it fills."""
    X, K, Y = map(_array, (X, K, Y))
    (kh, kw), (H, W) = K.shape, X.shape
    rows, cols = Y.shape
    fig = Figure(figsize=(3.5 * cols, 2.1 * rows), layout="constrained")
    for (i, j), ax in zip(np.ndindex(rows, cols), fig.subplots(rows, cols, squeeze=False).ravel()):
        window = {(i + a, j + b): WINDOW for a in range(kh) for b in range(kw)}
        _grid(ax, X, fill=window, shade=False, label="$X$")
        ax.text(W + 0.6, H / 2, r"$\star$", ha="center", va="center", fontsize=14)
        _grid(ax, K, x0=W + 1.2, y0=(H - kh) / 2, fill=dict.fromkeys(np.ndindex(kh, kw), WINDOW), label="$K$")
        ax.text(W + kw + 1.8, H / 2, "=", ha="center", va="center", fontsize=14)
        _grid(ax, Y, x0=W + kw + 2.4, y0=(H - rows) / 2, fill={(i, j): ACCENT}, shade=False, label="$Y$")
        terms = " + ".join(f"{X[i + a, j + b]:g}·{K[a, b]:g}" for a, b in np.ndindex(kh, kw))
        ax.set_title(f"$Y_{{{i},{j}}}$ = {terms} = {Y[i, j]:g}")
        _board(ax, W + kw + cols + 2.4, H)
    return fig


@styled
def matrices(mats, titles, cell: float = 0.33) -> Figure:
    """Matrices side by side, cells shaded by value (blue positive, red negative); ``cell`` in inches."""
    mats = [_array(m) for m in mats]
    height = max(m.shape[0] for m in mats)
    widths = [max(m.shape[1], 4) + 0.4 for m in mats]
    fig = Figure(figsize=(cell * sum(widths), cell * (height + 1.6)), layout="constrained")
    axes = fig.subplots(1, len(mats), width_ratios=widths, squeeze=False)[0]
    for ax, m, title in zip(axes, mats, titles):
        _grid(ax, m, y0=(height - m.shape[0]) / 2, label=title)
        _board(ax, m.shape[1], height)
    return fig


def kernel_flip(K, Y_corr, Y_conv) -> Figure:
    """The kernel, its 180° rotation (same numbers, same colours) and the results they give."""
    K = _array(K)
    return matrices(
        [K, np.rot90(K, 2), Y_corr, Y_conv],
        ["kernel $K$", "$K$ rotated by 180°", "cross-correlation\n$X \\star K$", "convolution\n$X * K$"],
        cell=0.42,
    )


@styled
def images(panels: dict, cmaps: dict | None = None, ncols: int = 2) -> Figure:
    """Images in a grid (title -> image).

    Maps drawn with the diverging ``RdBu_r`` get a colour scale symmetric around 0 that
    saturates at the 99th percentile of the absolute values, so faint edges stay visible.
    """
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(3.4 * ncols, 3.9 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, (title, img) in zip(axes, panels.items()):
        img, cmap = _array(img), (cmaps or {}).get(title, "gray")
        limit = np.percentile(np.abs(img), 99) if cmap == "RdBu_r" else None
        ax.imshow(img, cmap=cmap, vmin=-limit if limit else None, vmax=limit)
        ax.set_title(f"{title}\n{img.shape[0]}×{img.shape[1]}")
    return fig


@styled
def receptive_field(size: int, kernel: int, index: tuple[int, int]) -> Figure:
    """Receptive field of one output element after one and after two ``kernel``x``kernel`` layers.

    The input is ``size``x``size``; every layer has stride 1 and no padding.
    """
    fig = Figure(figsize=(7, 5.6), layout="constrained")
    names = ["input $X$", "layer 1 output $Y$", "layer 2 output $Z$"]
    sides = [size - depth * (kernel - 1) for depth in range(3)]
    for layers, ax in zip((1, 2), fig.subplots(2, 1)):
        x0 = 0.0
        for depth, n in enumerate(sides[:layers + 1]):
            reach = (layers - depth) * (kernel - 1)
            color = ACCENT if depth == layers else WINDOW
            fill = {(index[0] + a, index[1] + b): color for a in range(reach + 1) for b in range(reach + 1)}
            _grid(ax, np.zeros((n, n)), x0=x0, y0=(size - n) / 2, fill=fill, numbers=False, shade=False,
                  label=names[depth])
            x0 += n + 1.2
        ax.set_title(f"{layers} layer{'s' * (layers > 1)} of {kernel}×{kernel}: the receptive field is "
                     f"{1 + layers * (kernel - 1)}×{1 + layers * (kernel - 1)} on the input")
        _board(ax, sum(sides) + 2.4, size)
    return fig


@styled
def windows(X, kernel_shape: tuple[int, int]) -> Figure:
    """``X`` and the (H-kh+1) x (W-kw+1) grid of its kh x kw windows, each labelled windows[i, j]."""
    X = _array(X)
    kh, kw = kernel_shape
    rows, cols = X.shape[0] - kh + 1, X.shape[1] - kw + 1
    width, height = X.shape[1] + 1.5 + cols * (kw + 1), rows * (kh + 1) - 1
    fig = Figure(figsize=(0.5 * (width + 0.4), 0.5 * (height + 1.4)), layout="constrained")
    ax = fig.subplots()
    _grid(ax, X, y0=(height - X.shape[0]) / 2, label="$X$")
    x0 = X.shape[1] + 1.5
    ax.annotate("", (x0 - 0.2, height / 2), (X.shape[1] + 0.2, height / 2),
                arrowprops={"arrowstyle": "->", "color": EDGE, "lw": 1.5})
    for i, j in np.ndindex(rows, cols):
        _grid(ax, X[i:i + kh, j:j + kw], x0=x0 + j * (kw + 1), y0=i * (kh + 1), scale=np.abs(X).max(),
              label=f"windows[{i}, {j}]")
    _board(ax, width, height)
    return fig


@styled
def timings(sizes, seconds: dict) -> Figure:
    """Run time against input side length, one line per implementation, log-log axes."""
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    for (name, times), marker in zip(seconds.items(), "osd^v"):
        ax.loglog(sizes, _array(times) * 1e3, marker=marker, label=name)
    ax.set_xlabel("input side length $n$ (the input is $n \\times n$)")
    ax.set_ylabel("time per call (ms)")
    ax.set_xticks(sizes, [str(s) for s in sizes])
    ax.minorticks_off()
    ax.legend()
    return fig
