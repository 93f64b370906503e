"""Figures of chapter 10 (putting it together): digits, initialisation, training, what was learned."""

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from autograder.runtime.figures import ACCENT, SIGNED, SMALL, WIDTH, array, drawing, framed

TRAIN_COLOUR, TEST_COLOUR = "#4e79a7", ACCENT


@drawing
def digit_samples(images, labels, per_digit: int = 3) -> Figure:
    """The first ``per_digit`` images of each digit 0..9 (``images`` (N, 1, 8, 8) in [0, 1]), one column per digit."""
    images, labels = array(images)[:, 0], array(labels).astype(int)
    fig = Figure(figsize=(WIDTH, 0.7 * per_digit + 0.5), layout="constrained")
    axes = fig.subplots(per_digit, 10, squeeze=False)
    for digit in range(10):
        chosen = np.flatnonzero(labels == digit)[:per_digit]
        for row, index in enumerate(chosen):
            ax = axes[row, digit]
            ax.imshow(images[index], cmap="gray_r", vmin=0, vmax=1)
            framed(ax)
            if row == 0:
                ax.set_title(str(digit))
    return fig


@drawing
def activation_spread(spreads: dict, layer_names) -> Figure:
    """Standard deviation of each layer's output for several initialisations (name -> list of stds), log scale."""
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    ax = fig.subplots()
    xs = np.arange(len(layer_names))
    for name, values in spreads.items():
        ax.plot(xs, values, marker="o", label=name)
    ax.set_yscale("log")
    ax.set_xticks(xs, layer_names, rotation=30, ha="right")
    ax.set_ylabel("std of the layer's output")
    ax.legend(fontsize=SMALL)
    return fig


@drawing
def training_curves(history) -> Figure:
    """Loss and accuracy per epoch from a list of records with ``loss``, ``train_accuracy``, ``test_accuracy``."""
    epochs = np.arange(1, len(history) + 1)
    fig = Figure(figsize=(WIDTH, 3.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(epochs, [r["loss"] for r in history], color=TRAIN_COLOUR, marker="o", ms=3)
    left.set_xlabel("epoch")
    left.set_ylabel("mean training loss")
    left.set_yscale("log")
    right.plot(
        epochs,
        [r["train_accuracy"] for r in history],
        color=TRAIN_COLOUR,
        marker="o",
        ms=3,
        label="training set (1347)",
    )
    right.plot(
        epochs, [r["test_accuracy"] for r in history], color=TEST_COLOUR, marker="o", ms=3, label="test set (450)"
    )
    right.set_xlabel("epoch")
    right.set_ylabel("accuracy (eval mode)")
    right.set_ylim(max(0.0, min(r["test_accuracy"] for r in history) - 0.05), 1.005)
    right.legend(loc="lower right", fontsize=SMALL)
    for ax in (left, right):  # at most 6 whole-epoch ticks, so that their labels stay apart
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=6, integer=True))
    return fig


@drawing
def confusion(matrix) -> Figure:
    """A 10x10 confusion matrix (rows: true digit, columns: predicted digit) with its counts."""
    matrix = array(matrix).astype(int)
    fig = Figure(figsize=(4.6, 4.1), layout="constrained")
    ax = fig.subplots()
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    shade = np.where(np.eye(10, dtype=bool), 0, off)
    ax.imshow(shade, cmap="Oranges", vmin=0, vmax=max(3, off.max()))
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            weight = "bold" if i == j else "normal"
            ax.text(
                j,
                i,
                str(count),
                ha="center",
                va="center",
                fontsize=SMALL,
                weight=weight,
                color="#333333" if i == j else "black",
            )
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.grid(False)
    return fig


@drawing
def kernels(weight, ncols: int = 8) -> Figure:
    """The 3x3 kernels of a first convolution (weight (Co, 1, kh, kw)), each on its own symmetric scale."""
    weight = array(weight)[:, 0]
    rows = -(-len(weight) // ncols)
    fig = Figure(figsize=(WIDTH, (WIDTH / ncols + 0.15) * rows + 0.2), layout="constrained")
    axes = fig.subplots(rows, ncols, squeeze=False).ravel()
    for index, ax in enumerate(axes):
        framed(ax)
        if index >= len(weight):
            ax.axis("off")
            continue
        limit = float(np.abs(weight[index]).max()) or 1.0
        ax.imshow(weight[index], cmap=SIGNED, vmin=-limit, vmax=limit)
        ax.set_title(str(index), fontsize=SMALL, pad=2)
    return fig


@drawing
def feature_maps(image, first, second, label: str) -> Figure:
    """One digit (8x8), the maps of the first block's ReLU (C1, 8, 8) and of the second's (C2, 4, 4),
    each map on its own scale from 0 (black) to its largest value."""
    image, first, second = array(image), array(first), array(second)
    fig = Figure(figsize=(WIDTH, 4.0), layout="constrained")
    left, middle, right = fig.subfigures(1, 3, width_ratios=[1.3, 2.4, 3.4])
    digit_and_maps(
        left,
        image,
        label,
        ((middle, first, "layer1: conv1 + ReLU\n8×8 maps", 4), (right, second, "layer2: conv2 + ReLU\n4×4 maps", 6)),
    )
    return fig


def digit_and_maps(left, image, label: str, panels) -> None:
    """Draw the digit ``image`` in the subfigure ``left`` and, for each ``(panel, maps, title, ncols)``,
    the feature ``maps`` (C, h, w) in a grid of ``ncols`` columns, each on its own scale from 0 to its
    largest value."""
    ax = left.subplots()
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    framed(ax)
    ax.set_title(label)
    for panel, maps, title, ncols in panels:
        rows = -(-len(maps) // ncols)
        axes = panel.subplots(rows, ncols, squeeze=False).ravel()
        for index, ax in enumerate(axes):
            framed(ax)
            if index < len(maps):
                ax.imshow(maps[index], cmap="magma", vmin=0, vmax=float(maps[index].max()) or 1.0)
            else:
                ax.axis("off")
        panel.suptitle(title, fontsize=10)


@drawing
def dropout_expectation(x, train_draw, eval_output, scaled_mean, unscaled_mean, p: float) -> Figure:
    """Left: activations ``x`` (1-D), one draw of inverted dropout in train mode and the output in eval
    mode. Right: the mean of many draws in train mode, with the kept elements scaled by 1 / (1 - p)
    (inverted dropout) and without scaling, against ``x``."""
    x, train_draw, eval_output = array(x), array(train_draw), array(eval_output)
    scaled_mean, unscaled_mean = array(scaled_mean), array(unscaled_mean)
    units = np.arange(len(x))
    fig = Figure(figsize=(WIDTH, 3.0), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    width = 0.4
    left.bar(units - width / 2, train_draw, width, color=TRAIN_COLOUR, label="train mode (one draw)")
    left.bar(units + width / 2, eval_output, width, color=TEST_COLOUR, label="eval mode")
    left.set_title(f"one forward pass, p = {p:g}")
    left.set_xlabel("unit")
    left.set_xticks(units[::2])
    left.set_ylabel("output")
    left.legend(fontsize=SMALL, loc="upper left")
    right.plot(units, x, color="black", marker="o", ms=3, lw=1, label="x")
    right.plot(units, scaled_mean, color=TRAIN_COLOUR, marker="s", ms=3, label="÷ (1 − p): inverted")
    right.plot(units, unscaled_mean, color=TEST_COLOUR, marker="^", ms=3, ls="--", label="no scaling")
    right.set_title("mean of many passes in train mode")
    right.set_xlabel("unit")
    right.set_xticks(units[::2])
    right.legend(fontsize=SMALL, loc="upper left")
    return fig
