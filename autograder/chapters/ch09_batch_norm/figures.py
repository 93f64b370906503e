"""Figures of chapter 9 (batch normalization)."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from autograder.runtime.figures import EDGE, SMALL, WIDTH, array, board, drawing, fit

CHANNEL_COLOURS = ("#f28e2b", "#4e79a7", "#59a14f", "#e15759")
LIGHT = ("#ffd8a8", "#c6d9ef", "#cde8c6", "#f7c6c7")
ACCENT_LIGHT = LIGHT[0]


@drawing
def shared_statistics(X) -> Figure:
    """Which values of an (N, C, H, W) batch share one mean and one variance.

    Every image of the batch is a column and every channel a row; the cells of a channel
    have that channel's colour in every image, and the label under a row says how many
    values its statistics are taken over.
    """
    X = array(X)
    N, C, H, W = X.shape
    gap_x, gap_y = 1.0, 1.4
    width = N * W + (N - 1) * gap_x
    height = C * H + (C - 1) * gap_y
    cell = fit(0.55, width + 5.5)
    fig = Figure(figsize=(cell * (width + 5.5), cell * (height + 1.6)), layout="constrained")
    ax = fig.subplots()
    for c in range(C):
        y0 = c * (H + gap_y)
        for n in range(N):
            x0 = n * (W + gap_x)
            for (i, j), v in np.ndenumerate(X[n, c]):
                ax.add_patch(Rectangle((x0 + j, y0 + i), 1, 1, facecolor=LIGHT[c % 4], edgecolor=EDGE, lw=1))
                ax.text(x0 + j + 0.5, y0 + i + 0.5, f"{v:g}", ha="center", va="center", fontsize=SMALL)
            ax.add_patch(Rectangle((x0, y0), W, H, fill=False, edgecolor=CHANNEL_COLOURS[c % 4], lw=2.5))
            if c == 0:
                ax.text(x0 + W / 2, -0.35, f"image {n}", ha="center", va="bottom")
        values = X[:, c]
        ax.text(
            width + 0.6,
            y0 + H / 2,
            f"channel {c}\n{values.size} values\nmean {values.mean():.3g}\nvariance {values.var():.3g}",
            ha="left",
            va="center",
            color=CHANNEL_COLOURS[c % 4],
            fontsize=SMALL,
            fontweight="bold",
        )
    board(ax, width + 5.0, height)
    return fig


def _limits(values: list[np.ndarray], quantile: float = 0.005) -> tuple[float, float]:
    everything = np.concatenate([v.ravel() for v in values])
    low, high = np.quantile(everything, [quantile, 1 - quantile])
    pad = 0.05 * (high - low)
    return low - pad, high + pad


@drawing
def histograms(before, after, names: list[str]) -> Figure:
    """Per-channel histograms of a batch before and after batch normalization.

    ``before`` and ``after`` are (N, C, H, W); each channel is one outlined histogram, in
    the same colour in both panels, before on top.
    """
    before, after = array(before), array(after)
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    axes = fig.subplots(2, 1)
    for ax, data, title in (
        (axes[0], before, "before: the convolution's outputs"),
        (axes[1], after, "after batch normalization"),
    ):
        channels = [data[:, c].ravel() for c in range(data.shape[1])]
        low, high = _limits(channels)
        bins = np.linspace(low, high, 40)
        for c, values in enumerate(channels):
            mean = 0.0 if abs(values.mean()) < 0.005 else values.mean()  # no "-0.00"
            colour = CHANNEL_COLOURS[c % 4]
            ax.hist(values, bins=bins, histtype="stepfilled", alpha=0.18, color=colour)
            ax.hist(
                values,
                bins=bins,
                histtype="step",
                lw=1.8,
                color=colour,
                label=f"{names[c]}: mean {mean:.2f}, std {values.std():.2f}",
            )
        ax.set_title(title)
        ax.set_xlabel("value")
        ax.set_yticks([])
        ax.legend(loc="upper left", fontsize=SMALL)
        top = ax.get_ylim()[1]
        ax.set_ylim(0, top * 1.45)
    return fig


@drawing
def running_estimates(batch_means, traces: dict, true_mean: float) -> Figure:
    """The running mean of one channel over training steps, for several ``momentum`` values.

    ``batch_means`` are the means of the successive batches (dots), ``traces`` maps a label
    to the running estimate after each step, ``true_mean`` is the mean of all the data.
    """
    batch_means = array(batch_means)
    steps = np.arange(1, len(batch_means) + 1)
    fig = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    ax = fig.subplots()
    ax.plot(steps, batch_means, "o", ms=3.5, color="#bbbbbb", label="mean of each batch")
    ax.axhline(true_mean, color=EDGE, lw=1, ls="--", label="mean of all the data")
    for (label, trace), colour in zip(traces.items(), CHANNEL_COLOURS):
        ax.plot(np.r_[0, steps], np.r_[0.0, array(trace)], color=colour, label=label)
    ax.set_xlabel("training step")
    ax.set_ylabel("running_mean of the channel")
    ax.set_xlim(0, steps[-1])
    ax.legend(loc="lower right", fontsize=SMALL, ncols=2)
    return fig


@drawing
def training_curves(curves: dict, steps_per_epoch: int) -> Figure:
    """Training loss per step (smoothed) of several runs; ``curves`` maps a label to the losses.

    Runs with batch normalization are solid lines, runs without it dashed; a label holds
    ``lr=...``, which picks the colour.
    """
    fig = Figure(figsize=(WIDTH, 3.8), layout="constrained")
    ax = fig.subplots()
    rates = sorted({label.split("lr=")[1].split(")")[0] for label in curves}, key=float)
    window = 5
    for label, losses in curves.items():
        losses = array(losses)
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        colour = CHANNEL_COLOURS[rates.index(label.split("lr=")[1].split(")")[0]) % 4]
        style = "-" if label.startswith("with ") else "--"
        ax.plot(np.arange(window, len(losses) + 1), smooth, style, color=colour, label=label)
    for epoch in range(1, len(losses) // steps_per_epoch + 1):
        ax.axvline(epoch * steps_per_epoch, color="#dddddd", lw=1, zorder=0)
    ax.set_xlabel(f"training step ({steps_per_epoch} per epoch, grey lines between epochs)")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_ylim(0, None)
    ax.legend(fontsize=SMALL)
    return fig


# The four normalizations of normalization_axes: which (n, c) pairs share the statistics of the
# cell (n = 0, c = 0), whatever the pixel (H, W is one axis of the drawing).
def _shares(kind: str, n: int, c: int, group: int) -> bool:
    return {
        "batch": c == 0,
        "layer": n == 0,
        "instance": n == 0 and c == 0,
        "group": n == 0 and c < group,
    }[kind]


NORMALIZATIONS = {
    "batch": "Batch norm",
    "layer": "Layer norm",
    "instance": "Instance norm",
    "group": "Group norm",
}


def _face(ax, corners, on: bool) -> None:
    """One cell of a face of the box: shaded when ``on``."""
    ax.add_patch(Polygon(corners, closed=True, facecolor=ACCENT_LIGHT if on else "#ffffff", edgecolor=EDGE, lw=0.8))


@drawing
def normalization_axes(N: int = 4, C: int = 6, HW: int = 4, group: int = 2) -> Figure:
    """The classic cube diagram of batch, layer, instance and group normalization.

    Each panel draws an (N, C, H, W) batch as a box: C along the bottom, the H * W pixels of one
    channel of one image up the front, the N images going back in depth. The shaded cells are
    the values normalized with one mean and one variance: those that share the statistics of
    image 0, channel 0. ``group`` channels make one group of group norm.
    """
    fig = Figure(figsize=(WIDTH, 5.4), layout="constrained")
    axes = fig.subplots(2, 2)
    dx, dy = 0.55, 0.45  # the oblique step of one image in depth
    for ax, (kind, title) in zip(axes.ravel(), NORMALIZATIONS.items()):
        for c in range(C):  # the front face: image 0, channel c, every pixel
            for k in range(HW):
                _face(ax, [(c, k), (c + 1, k), (c + 1, k + 1), (c, k + 1)], _shares(kind, 0, c, group))
        for n in range(N):  # the top face: image n, channel c
            for c in range(C):
                x0, y0 = c + n * dx, HW + n * dy
                corners = [(x0, y0), (x0 + 1, y0), (x0 + 1 + dx, y0 + dy), (x0 + dx, y0 + dy)]
                _face(ax, corners, _shares(kind, n, c, group))
        for n in range(N):  # the side face: image n, the last channel, every pixel
            for k in range(HW):
                x0, y0 = C + n * dx, k + n * dy
                corners = [(x0, y0), (x0 + dx, y0 + dy), (x0 + dx, y0 + dy + 1), (x0, y0 + 1)]
                _face(ax, corners, _shares(kind, n, C - 1, group))
        ax.annotate("", xy=(C, -0.55), xytext=(0, -0.55), arrowprops={"arrowstyle": "->", "color": EDGE})
        ax.text(C / 2, -0.7, "C (channels)", ha="center", va="top", fontsize=SMALL)
        ax.annotate("", xy=(-0.45, HW), xytext=(-0.45, 0), arrowprops={"arrowstyle": "->", "color": EDGE})
        ax.text(-0.6, HW / 2, "H, W", ha="right", va="center", fontsize=SMALL, rotation=90)
        start = (C + 0.35, -0.2)
        end = (C + 0.35 + N * dx, -0.2 + N * dy)
        ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": EDGE})
        ax.text(end[0] + 0.1, end[1] - 0.1, "N", ha="left", va="top", fontsize=SMALL)
        ax.set_title(title)
        ax.set_xlim(-1.5, C + N * dx + 1.0)
        ax.set_ylim(-1.8, HW + N * dy + 0.3)
        ax.set_aspect("equal")
        ax.axis("off")
    return fig
