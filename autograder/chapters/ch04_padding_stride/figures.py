"""Figures of chapter 4 (padding, stride and dilation).

The routines draw; the chapter computes. Windows are given by the settings of one axis
pair each, ``(height, width)``, the way ``nn.Conv2d`` takes them.
"""

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from autograder.runtime.figures import EDGE, PLAIN, SMALL, WIDTH, array, board, drawing, fit, grid, panel_grid
from autograder.runtime.kit import as_pair

PADDING = "#e4e4e4"
# One colour per highlighted output position (its window on the input, its output cell).
COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2")
MISSED = "#d62728"


def _arrow(ax, start, end) -> None:
    ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": EDGE, "lw": 1.5})


def _sequential(values, cmap: str, vmax: float) -> dict:
    """Cell colours from the light half of a sequential colour map, so black numbers stay legible."""
    colours = mpl.colormaps[cmap]
    return {(i, j): colours(0.08 + 0.55 * v / vmax) for (i, j), v in np.ndenumerate(array(values))}


def _windows(ax, X, kernel_shape, padding, stride, dilation, positions, Y, out_shape, title) -> None:
    """One panel: the padded input with the windows of ``positions`` and the output they fill."""
    (kh, kw), (ph, pw), (sh, sw), (dh, dw) = map(as_pair, (kernel_shape, padding, stride, dilation))
    X = array(X)
    H, W = X.shape
    padded = np.pad(X, ((ph, ph), (pw, pw)))
    Hp, Wp = padded.shape
    border = {(i, j): PADDING for i, j in np.ndindex(Hp, Wp) if not (ph <= i < ph + H and pw <= j < pw + W)}
    grid(
        ax,
        padded,
        fill=border,
        shade=False,
        numbers=H * W <= 64,
        label="input" + (f", padded by {padding}" if ph or pw else ""),
    )
    for n, (i, j) in enumerate(positions):
        colour, inset = COLOURS[n % len(COLOURS)], 0.06 + 0.07 * (n % 3)
        for a, b in np.ndindex(kh, kw):
            ax.add_patch(Rectangle((j * sw + b * dw, i * sh + a * dh), 1, 1, facecolor=colour, alpha=0.3, lw=0))
        span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
        ax.add_patch(
            Rectangle(
                (j * sw + inset, i * sh + inset),
                span_w - 2 * inset,
                span_h - 2 * inset,
                fill=False,
                edgecolor=colour,
                lw=2.5,
            )
        )
    rows, cols = out_shape
    x0, y0 = Wp + 1.6, (Hp - rows) / 2
    _arrow(ax, (Wp + 0.2, Hp / 2), (x0 - 0.2, Hp / 2))
    fill = {(i, j): mpl.colors.to_rgba(COLOURS[n % len(COLOURS)], 0.45) for n, (i, j) in enumerate(positions)}
    values = np.zeros(out_shape) if Y is None else array(Y)
    grid(ax, values, x0=x0, y0=y0, fill=fill, shade=False, numbers=Y is not None, label=f"output {rows}×{cols}")
    ax.set_title(title, pad=2)
    board(ax, x0 + cols, Hp)


@drawing
def windows(cases: list[dict], cell: float = 0.36) -> Figure:
    """Panels of windows on padded input grids, one per case, stacked from top to bottom.

    Each case is a dict with ``X`` (H, W) (shown with its numbers when it has at most 64
    entries), ``kernel_shape``, optionally ``padding``, ``stride`` and ``dilation`` (int or
    pair), ``positions`` (output positions whose windows are outlined, one colour each),
    ``out_shape``, optionally ``Y`` (the output, to show its numbers) and ``title``. Zero
    padding is shaded grey; the taps of each window are tinted, its span outlined.
    """
    shapes = []
    for case in cases:
        ph, pw = as_pair(case.get("padding", 0))
        H, W = array(case["X"]).shape
        rows, cols = case["out_shape"]
        shapes.append((max(H + 2 * ph, rows), W + 2 * pw + 1.6 + cols))
    width = max(w for _, w in shapes)
    heights = [h + 1.6 for h, _ in shapes]
    cell = fit(cell, width + 0.5)
    fig = Figure(figsize=(cell * (width + 0.5), cell * sum(heights)), layout="constrained")
    axes = fig.subplots(len(cases), 1, height_ratios=heights, squeeze=False)[:, 0]
    for ax, case in zip(axes, cases):
        _windows(
            ax,
            case["X"],
            case["kernel_shape"],
            case.get("padding", 0),
            case.get("stride", 1),
            case.get("dilation", 1),
            case.get("positions", []),
            case.get("Y"),
            case["out_shape"],
            case.get("title", ""),
        )
        ax.set_xlim(-0.2, width + 0.2)
    return fig


@drawing
def usage(counts: dict, cell: float = 0.36) -> Figure:
    """Heat maps (title -> counts of shape (H, W)): how many output elements read each input pixel."""
    counts = {title: array(c) for title, c in counts.items()}
    vmax = max(c.max() for c in counts.values())
    H, W = next(iter(counts.values())).shape
    cell = fit(cell, len(counts) * (W + 1.2))
    fig = Figure(figsize=(cell * len(counts) * (W + 1.2), cell * (H + 1.6)), layout="constrained")
    for ax, (title, c) in zip(fig.subplots(1, len(counts), squeeze=False)[0], counts.items()):
        grid(ax, c, fill=_sequential(c, "YlOrBr", vmax), label=title)
        board(ax, W, H)
    return fig


@drawing
def padding_modes(padded: dict, padding: int, cell: float = 0.36) -> Figure:
    """The same input padded in several modes (title -> padded array); the input is framed."""
    padded = {title: array(p) for title, p in padded.items()}
    vmax = max(p.max() for p in padded.values())
    Hp, Wp = next(iter(padded.values())).shape
    fig, axes = panel_grid(len(padded), 2, cell * (Wp + 1.0), cell * (Hp + 1.6))
    for ax, (title, p) in zip(axes, padded.items()):
        grid(ax, p, fill=_sequential(p, "Blues", vmax), label=title)
        ax.add_patch(
            Rectangle((padding, padding), Wp - 2 * padding, Hp - 2 * padding, fill=False, edgecolor="black", lw=2.5)
        )
        board(ax, Wp, Hp)
    return fig


@drawing
def output_axis(n: int, k: int, padding: int, stride: int, dilation: int) -> Figure:
    """The output-size formula along one axis: the padded input, and one row per window start.

    Every window that fits is drawn with its taps filled; the next start, which would
    stick out past the end of the padded input, is drawn dashed in red. Pixels that no
    window reads (in the gaps of dilated windows, or past the last window) are hatched.
    """
    length, span = n + 2 * padding, dilation * (k - 1) + 1
    count = (length - span) // stride + 1
    read = {i * stride + a * dilation for i in range(count) for a in range(k)}
    x0, step = 7.2, 1.3
    right = x0 + max(length, count * stride + span)
    bottom = 1.5 + (count + 1) * step + 2.0
    cell = fit(0.42, right + 0.4)
    fig = Figure(figsize=(cell * (right + 0.4), cell * (bottom + 0.4)), layout="constrained")
    ax = fig.subplots()
    for x in range(length):
        pad = x < padding or x >= padding + n
        ax.add_patch(Rectangle((x0 + x, 0), 1, 1, facecolor=PADDING if pad else PLAIN, edgecolor=EDGE, lw=1))
        if x not in read:
            ax.add_patch(Rectangle((x0 + x, 0), 1, 1, fill=False, hatch="//", edgecolor=MISSED, alpha=0.5, lw=0))
        ax.text(x0 + x + 0.5, 0.5, str(x), ha="center", va="center", fontsize=SMALL, color=EDGE)
    ax.text(
        x0 - 0.3, 0.5, f"padded input,\nlength {n} + 2·{padding} = {length}", ha="right", va="center", fontsize=SMALL
    )
    for i in range(count + 1):
        y, start = 1.5 + i * step, i * stride
        fits = i < count
        colour = COLOURS[i % len(COLOURS)] if fits else MISSED
        for a in range(k):
            ax.add_patch(
                Rectangle((x0 + start + a * dilation, y), 1, 1, facecolor=colour, alpha=0.45 if fits else 0.15, lw=0)
            )
        ax.add_patch(
            Rectangle((x0 + start, y), span, 1, fill=False, edgecolor=colour, lw=2, linestyle="-" if fits else "--")
        )
        note = (
            f"output {i}: start {start}" if fits else f"start {start}: would end at {start + span - 1} > {length - 1}"
        )
        ax.text(x0 - 0.3, y + 0.5, note, ha="right", va="center", fontsize=SMALL, color="black" if fits else MISSED)
    ax.text(
        0,
        bottom - 1.0,
        f"span $d(k-1)+1 = {span}$;  last start $\\leq {length} - {span} = {length - span}$\n"
        f"starts $0, {stride}, \\dots$: $\\lfloor {length - span}/{stride} \\rfloor + 1 = {count}$ outputs",
        ha="left",
        va="center",
    )
    ax.set_xlim(-0.2, right + 0.2)
    ax.set_ylim(bottom, -0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


@drawing
def output_sizes(ns, curves: dict, guides: dict | None = None) -> Figure:
    """Output length against input length (label -> lengths) as steps with markers.

    ``guides`` (label -> values) are drawn as thin dashed grey lines, e.g. $n / s$.
    """
    fig = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    ax = fig.subplots()
    for (label, values), style in zip((guides or {}).items(), ("--", ":", "-.")):
        ax.plot(ns, values, linestyle=style, color="grey", lw=1, label=label)
    for (label, sizes), marker in zip(curves.items(), "osd^v"):
        ax.plot(ns, sizes, drawstyle="steps-mid", marker=marker, markersize=4, label=label)
    ax.set_xlabel("input length $n$")
    ax.set_ylabel("output length")
    ax.set_xticks(ns)
    ax.set_yticks(range(int(max(max(v) for v in curves.values())) + 2))
    ax.legend(ncols=2)
    return fig


@drawing
def receptive_fields(maps: dict, ncols: int = 2, cell: float = 0.15) -> Figure:
    """Input maps (title -> (H, W) array), orange where non-zero, the centre pixel framed."""
    maps = {title: array(m) for title, m in maps.items()}
    H, W = next(iter(maps.values())).shape
    cell = fit(cell, ncols * (W + 2))
    fig, axes = panel_grid(len(maps), ncols, cell * (W + 2), cell * (H + 5))
    for ax, (title, m) in zip(axes, maps.items()):
        ax.axis("on")
        ax.imshow(m != 0, cmap=mpl.colors.ListedColormap([PLAIN, COLOURS[1]]), vmin=0, vmax=1)
        ax.add_patch(Rectangle((W // 2 - 0.5, H // 2 - 0.5), 1, 1, fill=False, edgecolor="black", lw=1.5))
        ax.set_xticks(np.arange(-0.5, W, 1), minor=True)
        ax.set_yticks(np.arange(-0.5, H, 1), minor=True)
        ax.grid(which="minor", color=EDGE, lw=0.3, alpha=0.5)
        ax.grid(which="major", visible=False)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color(EDGE)
        ax.set_title(title)
    return fig
