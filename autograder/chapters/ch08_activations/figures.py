"""Figures of chapter 8 (linear layers and activations)."""

import numpy as np
from matplotlib.figure import Figure

from autograder.runtime.figures import ACCENT, EDGE, SMALL, WIDTH, array, drawing, matrices

FUNCTION, DERIVATIVE, MUTED = "#1f77b4", ACCENT, "#9a9a9a"


def linear_layer(x, W, b, y) -> Figure:
    """``y = x W^T + b`` as matrices side by side: x, W (as stored), W^T, b and y."""
    x, W, b, y = map(array, (x, W, b, y))
    titles = [
        f"x\n{x.shape[0]}×{x.shape[1]}",
        f"W (stored)\n{W.shape[0]}×{W.shape[1]}",
        f"Wᵀ\n{W.shape[1]}×{W.shape[0]}",
        f"b\n{b.shape[0]}",
        f"y = x Wᵀ + b\n{y.shape[0]}×{y.shape[1]}",
    ]
    return matrices([x, W, W.T, b[None], y], titles, cell=0.42)


def _zero_lines(ax) -> None:
    ax.axhline(0, color=EDGE, lw=0.8)
    ax.axvline(0, color=EDGE, lw=0.8)


@drawing
def functions_and_derivatives(panels: list[dict]) -> Figure:
    """Each activation (left) beside its derivative (right), one activation per row.

    A panel is a dict with ``name``, ``x``, ``y`` (the function) and ``dy`` (its derivative),
    and optionally ``samples``: (x, y, dy) points drawn as a cloud (random slopes in
    training mode), with ``label`` and ``sample_label`` for the legend.
    """
    fig = Figure(figsize=(WIDTH, 2.1 * len(panels)), layout="constrained")
    for (left, right), panel in zip(fig.subplots(len(panels), 2, squeeze=False), panels):
        x = array(panel["x"])
        if "samples" in panel:
            sx, sy, sdy = map(array, panel["samples"])
            label = panel.get("sample_label")
            left.scatter(sx, sy, s=3, color=MUTED, alpha=0.5, lw=0, label=label)
            right.scatter(sx, sdy, s=3, color=MUTED, alpha=0.5, lw=0, label=label)
        left.plot(x, array(panel["y"]), color=FUNCTION, label=panel.get("label"))
        right.plot(x, array(panel["dy"]), color=DERIVATIVE, label=panel.get("label"))
        left.set_title(panel["name"])
        right.set_title("its derivative")
        for ax in (left, right):
            _zero_lines(ax)
            ax.set_xlabel("x")
        if panel.get("label") or panel.get("sample_label"):
            left.legend(loc="upper left", fontsize=SMALL, markerscale=3)
    return fig


@drawing
def prelu_training(steps, slopes, x, target, fitted, initial) -> Figure:
    """A PReLU slope learned by gradient descent: the slope over the steps, and the fit."""
    fig = Figure(figsize=(WIDTH, 3.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(array(steps), array(slopes), color=FUNCTION)
    left.axhline(-1, color=EDGE, lw=0.8, ls="--")
    left.set_xlabel("gradient descent step")
    left.set_ylabel("slope a")
    left.set_title("the learned slope")
    x = array(x)
    right.plot(x, array(target), color=EDGE, lw=4, alpha=0.3, label="target |x|")
    right.plot(x, array(initial), color=MUTED, ls="--", label=f"start, a = {float(array(slopes)[0]):.2f}")
    right.plot(x, array(fitted), color=DERIVATIVE, label=f"learned, a = {float(array(slopes)[-1]):.2f}")
    _zero_lines(right)
    right.set_xlabel("x")
    right.set_title("PReLU before and after")
    right.legend(loc="upper center", fontsize=SMALL, frameon=True, framealpha=0.9, edgecolor="none")
    return fig


@drawing
def gradients_by_depth(norms: dict, derivatives: dict) -> Figure:
    """Top: the gradient norm of each layer's weight, input side first (log scale), one line
    per network. Bottom: histograms of the activation derivatives met on the way back."""
    fig = Figure(figsize=(WIDTH, 6.4), layout="constrained")
    left, right = fig.subplots(2, 1)
    colours = [FUNCTION, DERIVATIVE, "#59a14f", "#b07aa1"]
    for colour, (name, values) in zip(colours, norms.items()):
        values = array(values)
        left.semilogy(np.arange(1, len(values) + 1), values, "o-", ms=3, color=colour, label=name)
    left.set_xlabel("layer (1 = next to the input)")
    left.set_ylabel("‖∂loss / ∂W‖")
    left.set_title("gradient reaching each layer")
    left.legend()
    bins = np.linspace(0, 1, 41)
    for colour, (name, values) in zip(colours, derivatives.items()):
        values = array(values).ravel()
        weights = np.full(values.shape, 1 / values.size)
        right.hist(values, bins=bins, weights=weights, color=colour, alpha=0.6, label=name)
    right.set_xlabel("activation derivative")
    right.set_ylabel("share of all units")
    right.set_title("the factors backpropagation multiplies")
    right.legend()
    return fig


@drawing
def dead_units(steps, dead: dict, active_share, width: int) -> Figure:
    """Top: the number of dead ReLU units while training, one line per learning rate. Bottom:
    the share of training inputs on which each unit of one network is active, sorted."""
    fig = Figure(figsize=(WIDTH, 6.0), layout="constrained")
    left, right = fig.subplots(2, 1)
    for colour, (name, values) in zip([FUNCTION, DERIVATIVE], dead.items()):
        left.plot(array(steps), array(values), color=colour, label=name)
    left.set_ylim(-0.5, width + 0.5)
    left.set_xlabel("training step")
    left.set_ylabel(f"dead units (of {width})")
    left.set_title("units that are 0 on every input")
    left.legend()
    share = np.sort(array(active_share))[::-1]
    colours = [FUNCTION if s > 0 else MUTED for s in share]
    right.bar(np.arange(len(share)), share, color=colours, width=0.8)
    right.scatter(
        np.flatnonzero(share == 0),
        np.zeros(int((share == 0).sum())),
        marker="x",
        color=EDGE,
        zorder=3,
        label="dead: 0 on every input",
    )
    right.set_ylim(0, 1)
    right.set_xlabel("hidden unit (sorted)")
    right.set_ylabel("share of inputs where active")
    right.set_title("after training with the larger rate")
    right.legend(loc="upper right")
    return fig
