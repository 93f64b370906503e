"""Figures of chapter 3 (a convolutional layer that learns).

The routines draw; the chapter computes. The one exception is :func:`dependency_maps`,
which measures with autograd which cells of every map of a stack of layers one output
pixel depends on, for :func:`stacked_fields` and for the chapter to check sizes against.
"""

import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from autograder.runtime.figures import ACCENT, EDGE, SMALL, WIDTH, WINDOW, array, board, drawing, fit, grid

RUNS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")
TARGET = "#333333"


def _frame(ax, x0, y0, width, height, color=ACCENT, lw=2.5) -> None:
    ax.add_patch(Rectangle((x0, y0), width, height, fill=False, edgecolor=color, lw=lw, zorder=3))


@drawing
def stripe_data(X, Y, row: int = 0) -> Figure:
    """The stripe image and its edge map, and below them one row worked out column by column.

    Each cell of the row of ``Y`` sits under the two cells of ``X`` that the kernel [1, -1]
    reads, with the difference it computes written underneath.
    """
    X, Y = array(X), array(Y)
    (H, W), (_, Wy) = X.shape, Y.shape
    width = W + 1.5 + Wy
    cell = fit(0.42, width + 3.2)
    fig = Figure(figsize=(cell * (width + 3.2), cell * (H + 8.6)), layout="constrained")
    ax = fig.subplots()
    grid(ax, X, label=f"input $X$ ({H}×{W})")
    grid(ax, Y, x0=W + 1.5, label=f"target $Y$ ({H}×{Wy})")
    _frame(ax, 0, row, W, 1)
    _frame(ax, W + 1.5, row, Wy, 1)

    top, x0 = H + 2.2, (width - W) / 2
    ax.text(
        width / 2,
        top - 0.35,
        f"row {row}, column by column: $Y_{{{row},j}} = X_{{{row},j}} - X_{{{row},j+1}}$",
        ha="center",
        va="bottom",
    )
    grid(ax, X[row : row + 1], x0=x0, y0=top + 0.4)
    grid(ax, Y[row : row + 1], x0=x0 + 0.5, y0=top + 2.4, scale=1)
    ax.text(x0 - 0.3, top + 0.9, f"$X_{{{row},j}}$", ha="right", va="center")
    ax.text(x0 + 0.2, top + 2.9, f"$Y_{{{row},j}}$", ha="right", va="center")
    for j in range(Wy):
        for source in (j, j + 1):
            ax.plot([x0 + source + 0.5, x0 + j + 1], [top + 1.45, top + 2.35], color=EDGE, lw=0.8)
        a, b = X[row, j], X[row, j + 1]
        ax.text(x0 + j + 1, top + 3.65, f"{a:g}−{b:g}", ha="center", va="center", fontsize=SMALL)
    for j in range(W):
        ax.text(x0 + j + 0.5, top + 0.2, f"{j}", ha="center", va="bottom", fontsize=SMALL, color=EDGE)
    board(ax, width, top + 4.2)
    ax.set_xlim(-1.6, width + 0.2)
    return fig


@drawing
def learning(runs: list, targets=(1.0, -1.0)) -> Figure:
    """Loss per step (log scale) on top, and below it the two kernel entries per step, one colour per run.

    Each run is ``(start, losses, kernels)``: the initial kernel, the loss before each step
    and the kernel after each step, as :func:`autograder.chapters.ch03_conv_layer.reference.fit` returns them.
    """
    fig = Figure(figsize=(WIDTH, 5.6), layout="constrained")
    axes = fig.subplot_mosaic([["loss", "loss"], [0, 1]])
    ax_loss, ax_entries = axes["loss"], [axes[0], axes[1]]
    for (start, losses, kernels), color in zip(runs, RUNS):
        start = array(start).ravel()
        entries = np.vstack([start, array(torch.stack(list(kernels))).reshape(len(kernels), -1)])
        ax_loss.semilogy(
            np.arange(len(losses)), losses, color=color, lw=1.5, label=f"start [{start[0]:.2f}, {start[1]:.2f}]"
        )
        for e, ax in enumerate(ax_entries):
            ax.plot(np.arange(len(entries)), entries[:, e], color=color, lw=1.5)
    ax_loss.set(xlabel="step", ylabel="summed squared error", title="loss (log scale)")
    ax_loss.legend(fontsize=SMALL, loc="lower left", handlelength=1.2)
    for e, (ax, target) in enumerate(zip(ax_entries, targets)):
        ax.axhline(target, color=TARGET, ls="--", lw=1, zorder=0)
        ax.text(
            len(entries) - 1,
            target,
            f"{target:g}".replace("-", "−"),
            ha="right",
            va="bottom" if target > 0 else "top",
            color=TARGET,
        )
        ax.set(xlabel="step", title=f"kernel entry $K_{{0,{e}}}$")
    return fig


@drawing
def learning_rates(curves: dict, eigenvalues) -> Figure:
    """Top: the loss per step for several step sizes (lr -> losses). Bottom: the factor
    ``|1 - lr * lambda|`` by which each eigen-direction of the Hessian shrinks per step."""
    eigenvalues = array(eigenvalues)
    fig = Figure(figsize=(WIDTH, 6.2), layout="constrained")
    ax_loss, ax_factor = fig.subplots(2, 1)
    limit = 2 / eigenvalues.max()
    for (lr, losses), color in zip(curves.items(), RUNS):
        losses = array(losses)
        label = f"lr = {lr:g}" + (" (diverges)" if lr > limit else "")
        ax_loss.semilogy(np.arange(len(losses)), losses, color=color, lw=1.5, label=label)
    ax_loss.set_ylim(1e-14, 1e12)
    ax_loss.set(xlabel="step", ylabel="summed squared error", title="loss for several step sizes")
    ax_loss.legend(fontsize=SMALL, loc="lower left", handlelength=1.2)

    lrs = np.linspace(0, 1.3 * max(curves), 400)
    for lam, ls in zip(sorted(eigenvalues), (":", "--", "-")):
        ax_factor.plot(lrs, np.abs(1 - lrs * lam), color=TARGET, ls=ls, lw=1.3, label=f"$\\lambda$ = {lam:.1f}")
    ax_factor.axhline(1, color=EDGE, lw=0.8)
    ax_factor.axvspan(limit, lrs[-1], color="#e15759", alpha=0.12, lw=0)
    ax_factor.text(
        limit + 0.04 * lrs[-1],
        2.4,
        f"diverges:\nlr > 2 / {eigenvalues.max():.1f}\n   = {limit:.4f}",
        va="top",
        fontsize=SMALL,
    )
    for (lr, _), color in zip(curves.items(), RUNS):
        ax_factor.plot([lr], [np.abs(1 - lr * eigenvalues).max()], "o", color=color, ms=6)
    ax_factor.set_ylim(0, 2.5)
    ax_factor.set_xlim(0, lrs[-1])
    ax_factor.set(
        xlabel="step size lr",
        ylabel="$|1 - \\mathrm{lr}\\cdot\\lambda|$",
        title="shrink factor per step, per eigenvalue",
    )
    ax_factor.legend(fontsize=SMALL, loc="upper left")
    return fig


@drawing
def start_to_end(panels: dict, target=(1.0, -1.0)) -> Figure:
    """Kernels in the plane of their two entries: an arrow from each start to the kernel learned.

    ``panels`` maps a title to a list of ``(start, end)`` kernel pairs.
    """
    fig = Figure(figsize=(WIDTH, 3.4), layout="constrained")
    axes = fig.subplots(1, len(panels), sharex=True, sharey=True)
    points = np.array([array(k).ravel() for pairs in panels.values() for pair in pairs for k in pair] + [target])
    limits = (points.min() - 0.3, points.max() + 0.3)
    for ax, (title, pairs) in zip(np.atleast_1d(axes), panels.items()):
        for (start, end), color in zip(pairs, RUNS * 4):
            (s0, s1), (e0, e1) = array(start).ravel(), array(end).ravel()
            ax.annotate("", (e0, e1), (s0, s1), arrowprops={"arrowstyle": "->", "color": color, "lw": 1.3})
            ax.plot([s0], [s1], "o", mfc="white", mec=color, ms=6)
            ax.plot([e0], [e1], "o", color=color, ms=4)
        ax.plot(*target, "*", color=TARGET, ms=14, zorder=0)
        ax.annotate("[1, −1]", target, (target[0] + 0.25, target[1] - 0.45), fontsize=SMALL)
        ax.set_title(title)
        ax.set_xlabel("$K_{0,0}$")
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(*limits)
        ax.set_ylim(*limits)
    np.atleast_1d(axes)[0].set_ylabel("$K_{0,1}$")
    return fig


def dependency_maps(input_size: int, kernel_sizes, strides=None, index=(0, 0)) -> list[np.ndarray]:
    """Which cells of the input and of every feature map output pixel ``index`` of the last map depends on.

    A stack of square ``nn.Conv2d``-like layers (no padding, all weights 1) runs on an
    ``input_size`` x ``input_size`` input; the gradient of the chosen output pixel is non-zero
    exactly on the cells it depends on. Returns one boolean array per map, input first.
    """
    strides = strides or [1] * len(kernel_sizes)
    x = torch.zeros(1, 1, input_size, input_size, dtype=torch.float64, requires_grad=True)
    maps = [x]
    for k, s in zip(kernel_sizes, strides):
        maps.append(F.conv2d(maps[-1], torch.ones(1, 1, k, k, dtype=torch.float64), stride=s))
        maps[-1].retain_grad()
    maps[-1][0, 0][index].backward()
    return [m.grad[0, 0].numpy() != 0 for m in maps]


def field_side(mask: np.ndarray) -> int:
    """Side length of the square of cells marked in ``mask``."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows.max() - rows.min() + 1)


@drawing
def stacked_fields(stacks: list, cell: float = 0.19) -> Figure:
    """One row per stack of layers: every map from the input to the last layer's output.

    Each stack is ``(input_size, kernel_sizes, strides, index)``. The chosen output pixel is
    orange; the cells it depends on are shaded in every earlier map, and framed on the input.
    """
    rows = [(stack, dependency_maps(*stack)) for stack in stacks]
    width = max(sum(m.shape[1] for m in masks) + 2.0 * (len(masks) - 1) for _, masks in rows)
    heights = [max(m.shape[0] for m in masks) for _, masks in rows]
    cell = fit(cell, width + 1)
    fig = Figure(figsize=(cell * (width + 1), cell * (sum(heights) + 6.5 * len(rows))), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(rows), 1, height_ratios=[h + 5 for h in heights]))
    for ax, ((_, kernels, strides, _), masks), height in zip(axes, rows, heights):
        strides = strides or [1] * len(kernels)
        x0 = 0.0
        for depth, mask in enumerate(masks):
            n = mask.shape[0]
            last = depth == len(masks) - 1
            fill = dict.fromkeys(zip(*np.nonzero(mask)), ACCENT if last else WINDOW)
            y0 = (height - n) / 2
            grid(ax, np.zeros(mask.shape), x0=x0, y0=y0, fill=fill, numbers=False, shade=False)
            if depth == 0:
                r, c = np.nonzero(mask)
                _frame(ax, x0 + c.min(), y0 + r.min(), c.max() - c.min() + 1, r.max() - r.min() + 1)
                name = f"input {n}×{n}"
            else:
                name = f"layer {depth}\n{kernels[depth - 1]}×{kernels[depth - 1]}, stride {strides[depth - 1]}"
            ax.text(x0 + n / 2, y0 - 0.4, name, ha="center", va="bottom", fontsize=SMALL)
            if not last:
                ax.annotate(
                    "",
                    (x0 + n + 1.7, height / 2),
                    (x0 + n + 0.3, height / 2),
                    arrowprops={"arrowstyle": "->", "color": EDGE, "lw": 1.2},
                )
            x0 += n + 2.0
        side = field_side(masks[0])
        kinds = sorted({f"{k}×{k}" for k in kernels})
        ax.set_title(
            f"{len(kernels)} layers of {', '.join(kinds)} with strides {', '.join(map(str, strides))}: "
            f"the receptive field is {side}×{side}",
            pad=14,
        )
        board(ax, width, height)
        ax.set_ylim(height + 0.2, -2.4)
    return fig


@drawing
def field_sizes(depths, curves: dict, reference: int | None = None) -> Figure:
    """Receptive-field side against the number of layers, one line per kind of stack (log scale)."""
    fig = Figure(figsize=(WIDTH, 3.6), layout="constrained")
    ax = fig.subplots()
    for (name, sides), color, marker in zip(curves.items(), RUNS, "osd^v"):
        ax.plot(depths, sides, marker=marker, color=color, ms=5, label=name)
    if reference:
        ax.axhline(reference, color=EDGE, ls="--", lw=1)
        ax.text(
            depths[0],
            reference * 0.9,
            f"side of a {reference}×{reference} image",
            color=EDGE,
            ha="left",
            va="top",
            fontsize=SMALL,
        )
    ax.set_yscale("log", base=2)
    ax.set_yticks([2**k for k in range(1, 11)], [str(2**k) for k in range(1, 11)])
    ax.minorticks_off()
    ax.set_xticks(depths)
    ax.set_xlabel("number of layers")
    ax.set_ylabel("receptive field side (pixels)")
    ax.legend(fontsize=SMALL, loc="upper left")
    return fig
