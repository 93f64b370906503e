"""The course's figure style and the drawings every chapter uses: grids of numbers, images."""

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


def array(values) -> np.ndarray:
    """A tensor (detached, on the CPU) or array-like as a float NumPy array."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def tint(value: float, scale: float) -> tuple:
    """A light colour for a cell: blue for positive values, red for negative, white for 0."""
    return mpl.colormaps["RdBu"](0.5 + 0.35 * value / scale) if scale else PLAIN


def grid(ax, values, x0=0.0, y0=0.0, fill=None, numbers=True, shade=True, scale=None, label=None):
    """Draw a matrix as cells with their top-left corner at (x0, y0), row 0 on top.

    ``fill`` maps (row, col) to a colour; other cells are shaded by value relative to
    ``scale`` (default: the largest absolute value), or white if ``shade`` is false.
    """
    values = array(values)
    scale = np.abs(values).max() if scale is None else scale
    for (i, j), v in np.ndenumerate(values):
        color = (fill or {}).get((i, j), tint(v, scale) if shade else PLAIN)
        ax.add_patch(Rectangle((x0 + j, y0 + i), 1, 1, facecolor=color, edgecolor=EDGE, lw=1))
        if numbers:
            ax.text(x0 + j + 0.5, y0 + i + 0.5, f"{v:g}", ha="center", va="center")
    if label:
        ax.text(x0 + values.shape[1] / 2, y0 - 0.25, label, ha="center", va="bottom")


def board(ax, width: float, height: float) -> None:
    """Turn ``ax`` into a drawing board of cells: equal aspect, row 0 on top, no axes."""
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(height + 0.2, -1.2)
    ax.set_aspect("equal")
    ax.axis("off")


@styled
def matrices(mats, titles, cell: float = 0.33) -> Figure:
    """Matrices side by side, cells shaded by value (blue positive, red negative); ``cell`` in inches."""
    mats = [array(m) for m in mats]
    height = max(m.shape[0] for m in mats)
    widths = [max(m.shape[1], 4) + 0.4 for m in mats]
    fig = Figure(figsize=(cell * sum(widths), cell * (height + 1.6)), layout="constrained")
    axes = fig.subplots(1, len(mats), width_ratios=widths, squeeze=False)[0]
    for ax, m, title in zip(axes, mats, titles):
        grid(ax, m, y0=(height - m.shape[0]) / 2, label=title)
        board(ax, m.shape[1], height)
    return fig


def panel_grid(count: int, ncols: int, width: float, height: float) -> tuple[Figure, np.ndarray]:
    """A figure for ``count`` panels in rows of ``ncols``, each ``width`` x ``height`` inches, and
    its axes, all switched off: a drawing switches on what it uses, and the unused panels of
    the last row stay blank."""
    nrows = -(-count // ncols)
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes:
        ax.axis("off")
    return fig, axes


@styled
def images(panels: dict, cmaps: dict | None = None, ncols: int = 2) -> Figure:
    """Images in a grid (title -> image).

    Maps drawn with the diverging ``RdBu_r`` get a colour scale symmetric around 0 that
    saturates at the 99th percentile of the absolute values, so faint edges stay visible.
    """
    fig, axes = panel_grid(len(panels), ncols, 3.4, 3.9)
    for ax, (title, img) in zip(axes, panels.items()):
        img, cmap = array(img), (cmaps or {}).get(title, "gray")
        limit = np.percentile(np.abs(img), 99) if cmap == "RdBu_r" else None
        ax.imshow(img, cmap=cmap, vmin=-limit if limit else None, vmax=limit)
        ax.set_title(f"{title}\n{img.shape[0]}×{img.shape[1]}")
    return fig


def framed(ax) -> None:
    """No ticks, no grid, a thin grey frame on all four sides."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(True)
        side.set_color("#999999")
