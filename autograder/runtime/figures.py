"""The course's figure style and the drawings every chapter uses: grids of numbers, images.

The book shows a figure at its natural size, ``DPI`` pixels per inch, or scaled down to the
page's content column when it is wider. On a phone that column is ``COLUMN_PX["phone"]``
pixels wide, so a wide figure's text shrinks there. :func:`check_readable` keeps the smallest
text of every figure at ``SMALLEST_TEXT_PX`` or more on every screen. The book's drawings
check their figure when they make it (:func:`drawing`), so a drawing that breaks the rule
fails its cell and the book's build. Pyplot figures made in a chapter's own cells are checked
by :func:`guard_pyplot`: when made (their cell fails) and when drawn (an error under the cell).
"""

import functools

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.text import Text

DPI = 120
# Content column widths (CSS px) of a 390 px phone and of a 1280 px desktop (as measured in
# Chromium: 341 px and 650 to 700 px), and the smallest text (CSS px) readable on each.
COLUMN_PX = {"phone": 340, "desktop": 650}
SMALLEST_TEXT_PX = {"phone": 7, "desktop": 9}
# The widest figure (inches) and the smallest font (points) of the book's drawings: text of
# SMALL points in a figure WIDTH inches wide shows at 7 px on a phone.
WIDTH, SMALL = 5.8, 9
# Signs, in every figure: positive values orange, negative purple, 0 white. A diverging map
# safe for colour-blind readers, and not red/green/blue, which read as colour channels.
SIGNED = "PuOr_r"
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
    "figure.dpi": DPI,
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


class UnreadableFigure(ValueError):
    """A figure whose smallest text would show too small in the book."""


def _drawn_texts(fig: Figure) -> list[Text]:
    """The texts that drawing ``fig`` shows: visible, not empty, not on a switched-off axis."""
    hidden = {id(t) for ax in fig.axes if not ax.axison for axis in (ax.xaxis, ax.yaxis) for t in axis.findobj(Text)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def _require(points: float, inches: float, dpi: float, what: str) -> None:
    """Raise :class:`UnreadableFigure` if text of ``points`` in a figure ``inches`` wide, saved
    at ``dpi``, shows below ``SMALLEST_TEXT_PX`` on a screen of ``COLUMN_PX``."""
    for screen, column in COLUMN_PX.items():
        shown = points / 72 * dpi * min(1.0, column / (inches * dpi))
        if shown < SMALLEST_TEXT_PX[screen]:
            raise UnreadableFigure(
                f"{what} ({points:g} pt) of a figure {inches:.2f} in wide shows at {shown:.1f} px on a "
                f"{screen} ({column} px column), below {SMALLEST_TEXT_PX[screen]} px: "
                "use larger text or a narrower figure (stack its panels)"
            )


def _verify(fig: Figure) -> None:
    """Check the smallest text of the drawn ``fig`` with :func:`_require`."""
    texts = _drawn_texts(fig)
    if texts:
        smallest = min(texts, key=Text.get_fontsize)
        # Jupyter saves the figure's tight bounding box with a margin of savefig.pad_inches.
        inches = fig.get_tightbbox().width + 2 * mpl.rcParams["savefig.pad_inches"]
        _require(smallest.get_fontsize(), inches, fig.dpi, f"the text {smallest.get_text()!r}")


def check_readable(fig: Figure) -> Figure:
    """``fig``, once drawn, if its smallest text stays readable on a phone and on a desktop;
    raises :class:`UnreadableFigure` otherwise."""
    fig.draw_without_rendering()
    _verify(fig)
    return fig


def drawing(make):
    """Decorator for the book's drawings: build the figure under the course's style, and check
    that its text stays readable on every screen (:func:`check_readable`)."""
    return styled(functools.wraps(make)(lambda *args, **kwargs: check_readable(make(*args, **kwargs))))


_RC_SIZES = ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize")


def guard_pyplot(fig: Figure) -> None:
    """A ``figure.hooks`` entry for pyplot figures (``plt.subplots`` in a chapter's cell).

    When the figure is made, the cell fails if the default text sizes are too small for its
    width. Each time it is drawn (as when Jupyter shows it), its drawn text is checked too;
    Jupyter then shows the error under the cell, but the cell itself has already run.
    """
    points = min(FontProperties(size=mpl.rcParams[key]).get_size_in_points() for key in _RC_SIZES)
    _require(points, fig.get_figwidth(), fig.dpi, "the default text")
    fig.canvas.mpl_connect("draw_event", lambda event: _verify(event.canvas.figure))


# Every chapter imports this module, so the pyplot figures of its own cells are checked too.
if f"{__name__}:guard_pyplot" not in mpl.rcParams["figure.hooks"]:
    mpl.rcParams["figure.hooks"] = [*mpl.rcParams["figure.hooks"], f"{__name__}:guard_pyplot"]


def array(values) -> np.ndarray:
    """A tensor (detached, on the CPU) or array-like as a float NumPy array."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values, dtype=float)


def tint(value: float, scale: float) -> tuple:
    """A light colour for a cell: the light half of ``SIGNED`` (orange positive, purple
    negative, white for 0), so that black numbers on it stay legible."""
    return mpl.colormaps[SIGNED](0.5 + 0.35 * value / scale) if scale else PLAIN


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


def fit(cell: float, units: float) -> float:
    """The side (inches) of one cell of a drawing ``units`` cells wide: ``cell``, or less where
    that would make the figure wider than ``WIDTH``."""
    return min(cell, WIDTH / units)


def board(ax, width: float, height: float) -> None:
    """Turn ``ax`` into a drawing board of cells: equal aspect, row 0 on top, no axes."""
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(height + 0.2, -1.2)
    ax.set_aspect("equal")
    ax.axis("off")


@drawing
def matrices(mats, titles, cell: float = 0.33) -> Figure:
    """Matrices side by side, cells shaded by value (orange positive, purple negative); ``cell`` in inches."""
    mats = [array(m) for m in mats]
    height = max(m.shape[0] for m in mats)
    widths = [max(m.shape[1], 4) + 0.4 for m in mats]
    cell = fit(cell, sum(widths))
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


@drawing
def images(panels: dict, cmaps: dict | None = None, ncols: int = 2) -> Figure:
    """Images in a grid (title -> image).

    Maps drawn with the diverging ``SIGNED`` get a colour scale symmetric around 0 that
    saturates at the 99th percentile of the absolute values, so faint edges stay visible.
    """
    fig, axes = panel_grid(len(panels), ncols, WIDTH / ncols, 1.15 * WIDTH / ncols)
    for ax, (title, img) in zip(axes, panels.items()):
        img, cmap = array(img), (cmaps or {}).get(title, "gray")
        limit = np.percentile(np.abs(img), 99) if cmap == SIGNED else None
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
