"""Figures of chapter 5 (channels)."""

import matplotlib as mpl
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from autograder.runtime.figures import (
    ACCENT,
    EDGE,
    PLAIN,
    SIGNED,
    SMALL,
    WIDTH,
    WINDOW,
    array,
    board,
    drawing,
    fit,
    framed,
    grid,
)

PADDING = "#e4e4e4"
CHANNEL_COLOURS = ("#d62728", "#2ca02c", "#1f77b4")


def _arrow(ax, start, end, text=None) -> None:
    """A grey arrow from ``start`` to ``end`` (board coordinates), with ``text`` above it."""
    ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": EDGE, "lw": 1.5})
    if text:
        ax.text(
            (start[0] + end[0]) / 2,
            (start[1] + end[1]) / 2 - 0.3,
            text,
            ha="center",
            va="bottom",
            fontsize=SMALL,
            color=EDGE,
        )


def _symbol(ax, x, y, text, fontsize=14) -> None:
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


@drawing
def multi_in(X, K, parts, Y, index: tuple[int, int] = (0, 0)) -> Figure:
    """Each input channel cross-correlated with its kernel channel, and the sum of the results.

    ``X`` is (Ci, H, W), ``K`` (Ci, kh, kw), ``parts`` the Ci per-channel results and ``Y``
    their sum. The window read by output element ``index`` is shaded in every channel.
    """
    X, K, parts, Y = map(array, (X, K, parts, Y))
    channels, H, W = X.shape
    _, kh, kw = K.shape
    rows, cols = Y.shape
    i, j = index
    step = H + 1.6
    height = channels * step - 1.6
    x_k, x_part = W + 1.2, W + kw + 2.4
    x_sum = x_part + cols + 2.6
    window = {(i + a, j + b): WINDOW for a in range(kh) for b in range(kw)}
    cell = fit(0.5, x_sum + cols + 0.4)
    fig = Figure(figsize=(cell * (x_sum + cols + 0.4), cell * (height + 2.0)), layout="constrained")
    ax = fig.subplots()
    for c in range(channels):
        y0 = c * step
        grid(ax, X[c], y0=y0, fill=window, shade=False, label=f"input channel $X_{c}$")
        _symbol(ax, W + 0.6, y0 + H / 2, r"$\star$")
        grid(ax, K[c], x0=x_k, y0=y0 + (H - kh) / 2, fill=dict.fromkeys(np.ndindex(kh, kw), WINDOW), label=f"$K_{c}$")
        _symbol(ax, W + kw + 1.8, y0 + H / 2, "=")
        grid(
            ax,
            parts[c],
            x0=x_part,
            y0=y0 + (H - rows) / 2,
            fill={index: ACCENT},
            shade=False,
            label=f"$X_{c} \\star K_{c}$",
        )
        if c:
            _symbol(ax, x_part + cols / 2, y0 - 0.8, "+")
        _arrow(ax, (x_part + cols + 0.2, y0 + H / 2), (x_sum - 0.3, height / 2))
    grid(ax, Y, x0=x_sum, y0=(height - rows) / 2, fill={index: ACCENT}, shade=False, label="sum $Y$")
    terms = " + ".join(f"{parts[c, i, j]:g}" for c in range(channels))
    ax.set_title(f"$Y_{{{i},{j}}}$ = {terms} = {Y[i, j]:g}")
    board(ax, x_sum + cols, height)
    return fig


def _channel_map(colour: str):
    return mpl.colors.LinearSegmentedColormap.from_list(colour, ["black", colour])


@drawing
def rgb_channels(rgb) -> Figure:
    """An RGB image (H, W, 3) with values in [0, 1], and each of its channels on its own, in a 2x2 grid."""
    rgb = array(rgb)
    fig = Figure(figsize=(4.8, 5.6), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    axes[0].imshow(rgb)
    axes[0].set_title(f"RGB image\n{rgb.shape[0]}×{rgb.shape[1]}×3")
    for c, (ax, name) in enumerate(zip(axes[1:], ("red", "green", "blue"))):
        ax.imshow(rgb[:, :, c], cmap=_channel_map(CHANNEL_COLOURS[c]), vmin=0, vmax=1)
        ax.set_title(f"channel {c}: {name}\n{rgb.shape[0]}×{rgb.shape[1]}")
    for ax in axes:
        ax.axis("off")
    return fig


def _symmetric(values, percentile: float = 100) -> float:
    limit = np.percentile(np.abs(values), percentile)
    return float(limit) or 1.0


@drawing
def kernel_bank(K, Y, names, channel_names=("R", "G", "B"), gray=(), ncols: int = 3) -> Figure:
    """A bank of kernels ``K`` (Co, Ci, k, k) and the feature maps ``Y`` (Co, H', W') they make.

    One panel per output channel o: the Ci slices of its kernel side by side (orange
    positive, purple negative, one colour scale per kernel), and below them output channel
    o. Maps named in ``gray`` are drawn in grey levels, the others on a scale symmetric
    around 0.
    """
    K, Y = array(K), array(Y)
    co, ci = K.shape[:2]
    nrows = -(-co // ncols)
    ratio = Y.shape[1] / Y.shape[2]
    kernel_row, panel = 1.0 / ci, WIDTH / ncols
    fig = Figure(figsize=(WIDTH, nrows * (0.94 * panel * (kernel_row + ratio) + 0.55)), layout="constrained")
    panels = fig.subfigures(nrows, ncols, squeeze=False).ravel()
    for o, panel in enumerate(panels[:co]):
        axes = panel.subplot_mosaic([list(range(ci)), ["map"] * ci], height_ratios=[kernel_row, ratio])
        limit = _symmetric(K[o])
        for c in range(ci):
            axes[c].imshow(K[o, c], cmap=SIGNED, vmin=-limit, vmax=limit)
            framed(axes[c])
            axes[c].set_title(channel_names[c], fontsize=SMALL, pad=2)
        if names[o] in gray:
            axes["map"].imshow(Y[o], cmap="gray")
        else:
            limit = _symmetric(Y[o], 99)
            axes["map"].imshow(Y[o], cmap=SIGNED, vmin=-limit, vmax=limit)
        framed(axes["map"])
        panel.suptitle(f"{o}: {names[o]}", fontsize=10)
    return fig


@drawing
def matmul_1x1(X, K, Y, pixel: tuple[int, int]) -> Figure:
    """A 1x1 convolution as the matrix product of K (Co, Ci) and X (Ci, H*W).

    ``X`` is (Ci, H, W), ``K`` (Co, Ci, 1, 1) and ``Y`` (Co, H, W). Top: the input
    channels; middle: the product; bottom: the output channels. The values at ``pixel``
    are highlighted in every panel: they form one column of the product.
    """
    X, K, Y = array(X), array(K)[:, :, 0, 0], array(Y)
    ci, H, W = X.shape
    co = K.shape[0]
    i, j = pixel
    p = i * W + j
    x_flat = ci + 1.0
    x_out = x_flat + H * W + 1.0
    width = x_out + H * W
    y_mid = H + 2.6
    y_low = y_mid + max(ci, co) + 2.4
    height = y_low + H
    cell = fit(0.42, width + 0.4)
    fig = Figure(figsize=(cell * (width + 0.4), cell * (height + 2.4)), layout="constrained")
    ax = fig.subplots()
    top_width = ci * W + (ci - 1)
    x0 = x_flat + (H * W - top_width) / 2
    for c in range(ci):
        grid(ax, X[c], x0=x0 + c * (W + 1), fill={(i, j): WINDOW}, shade=False, label=f"input channel $X_{c}$")
    _arrow(ax, (x_flat + H * W / 2, H + 0.2), (x_flat + H * W / 2, y_mid - 0.6))
    ax.text(
        x_flat + H * W / 2 + 0.3,
        (H + y_mid) / 2 - 0.3,
        "each channel\nbecomes a row",
        ha="left",
        va="center",
        fontsize=SMALL,
        color=EDGE,
    )
    rows = max(ci, co)
    grid(ax, K, y0=y_mid + (rows - co) / 2, scale=2 * np.abs(K).max(), label=f"$K$ as {co}×{ci}")
    _symbol(ax, ci + 0.5, y_mid + rows / 2, "·", fontsize=22)
    grid(
        ax,
        X.reshape(ci, H * W),
        x0=x_flat,
        y0=y_mid + (rows - ci) / 2,
        fill={(c, p): WINDOW for c in range(ci)},
        shade=False,
        label=f"$X$ as {ci}×{H * W}",
    )
    _symbol(ax, x_out - 0.5, y_mid + rows / 2, "=")
    grid(
        ax,
        Y.reshape(co, H * W),
        x0=x_out,
        y0=y_mid + (rows - co) / 2,
        fill={(o, p): ACCENT for o in range(co)},
        shade=False,
        label=f"$Y$ as {co}×{H * W}",
    )
    y_start = y_mid + (rows + co) / 2 + 0.2
    _arrow(ax, (x_out + H * W / 2, y_start), (x_out + H * W / 2, y_low - 0.6))
    ax.text(
        x_out + H * W / 2 - 0.3,
        (y_start + y_low) / 2 - 0.3,
        "each row\nbecomes a channel",
        ha="right",
        va="center",
        fontsize=SMALL,
        color=EDGE,
    )
    low_width = co * W + (co - 1)
    x0 = x_out + (H * W - low_width) / 2
    for o in range(co):
        grid(
            ax, Y[o], x0=x0 + o * (W + 1), y0=y_low, fill={(i, j): ACCENT}, shade=False, label=f"output channel $Y_{o}$"
        )
    board(ax, max(width, x0 + low_width), height)
    return fig


@drawing
def padding_modes(X, kernel, modes=("zeros", "reflect", "replicate", "circular")) -> Figure:
    """For each ``padding_mode`` of nn.Conv2d: the padded input and the output it gives.

    ``X`` is (H, W) and ``kernel`` (k, k) with k odd; the padding is (k - 1) / 2, so the
    output has the input's shape. Output cells whose windows hold no padding are shaded:
    they are the same in every mode.
    """
    X = torch.as_tensor(X, dtype=torch.float32)
    kernel = torch.as_tensor(kernel, dtype=torch.float32)
    H, W = X.shape
    pad = (kernel.shape[0] - 1) // 2
    width = W + 2 * pad + 1.4 + W
    height = H + 2 * pad
    cell = fit(0.27, 2 * (width + 0.6))
    fig = Figure(figsize=(cell * 2 * (width + 0.6), cell * 2 * (height + 1.8)), layout="constrained")
    inner = {(a, b): WINDOW for a in range(pad, H - pad) for b in range(pad, W - pad)}
    for ax, mode in zip(fig.subplots(2, 2).ravel(), modes):
        padded = F.pad(X[None, None], (pad,) * 4, mode="constant" if mode == "zeros" else mode)[0, 0]
        border = {
            (a, b): PADDING for a, b in np.ndindex(*padded.shape) if not (pad <= a < H + pad and pad <= b < W + pad)
        }
        grid(ax, padded, fill=border, shade=False, label=f'padding_mode="{mode}"')
        x0 = W + 2 * pad + 1.4
        _arrow(ax, (x0 - 1.2, height / 2), (x0 - 0.2, height / 2))
        out = F.conv2d(padded[None, None], kernel[None, None])[0, 0]
        grid(ax, out, x0=x0, y0=pad, fill=inner, shade=False, label="output")
        board(ax, width, height)
    return fig


@drawing
def groups_diagram(in_channels: int, out_channels: int, groups_list, kernel_size: int = 3) -> Figure:
    """Which input channels each output channel reads, for several values of ``groups``."""
    fig = Figure(figsize=(WIDTH, 3.0), layout="constrained")
    axes = fig.subplots(1, len(groups_list), squeeze=False)[0]
    colours = mpl.colormaps["tab10"].colors
    size = 0.6
    for ax, g in zip(axes, groups_list):
        cin, cout = in_channels // g, out_channels // g
        span = max(in_channels, out_channels)
        y_in = (span - in_channels) / 2 + np.arange(in_channels)
        y_out = (span - out_channels) / 2 + np.arange(out_channels)
        for o in range(out_channels):
            group = o // cout
            for c in range(group * cin, (group + 1) * cin):
                ax.plot([size, 3 - size / 2], [y_in[c], y_out[o]], color=colours[group % 10], lw=1.2, alpha=0.8)
        for c in range(in_channels):
            ax.add_patch(
                Rectangle(
                    (0, y_in[c] - size / 2), size, size, facecolor=PLAIN, edgecolor=colours[(c // cin) % 10], lw=2
                )
            )
        for o in range(out_channels):
            ax.add_patch(
                Rectangle(
                    (3 - size / 2, y_out[o] - size / 2),
                    size,
                    size,
                    facecolor=PLAIN,
                    edgecolor=colours[(o // cout) % 10],
                    lw=2,
                )
            )
        ax.text(size / 2, -0.9, "input\nchannels", ha="center", va="center", fontsize=SMALL)
        ax.text(3, -0.9, "output\nchannels", ha="center", va="center", fontsize=SMALL)
        weights = out_channels * cin * kernel_size**2
        name = " (depthwise)" if g == in_channels == out_channels else ""
        ax.set_title(
            f"groups={g}{name}\nweight ({out_channels}, {cin}, {kernel_size}, {kernel_size}):\n{weights} numbers",
            fontsize=SMALL,
        )
        ax.set_xlim(-0.3, 3.6)
        ax.set_ylim(span - 0.4, -1.5)
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


@drawing
def param_bars(rows) -> Figure:
    """Parameter counts on a log scale: ``rows`` of (input label, layer label, count)."""
    inputs = list(dict.fromkeys(r[0] for r in rows))
    layers = list(dict.fromkeys(r[1] for r in rows))
    counts = {(r[0], r[1]): r[2] for r in rows}
    fig = Figure(figsize=(WIDTH, 3.3), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(layers)
    for n, layer in enumerate(layers):
        xs = np.arange(len(inputs)) + (n - (len(layers) - 1) / 2) * width
        values = [counts[(inp, layer)] for inp in inputs]
        bars = ax.bar(xs, values, width, label=layer)
        for bar, v in zip(bars, values):
            ax.text(bar.get_x() + bar.get_width() / 2, v * 1.6, _short(v), ha="center", va="bottom", fontsize=SMALL)
    ax.set_yscale("log")
    ax.set_ylim(1e2, 1e14)
    ax.set_xticks(np.arange(len(inputs)), [f"input {inp}" for inp in inputs])
    ax.set_ylabel("parameters")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", fontsize=SMALL)
    return fig


def _short(n: int) -> str:
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)


def _image(ax, values, title, limit=None, cmap=SIGNED) -> None:
    values = array(values)
    if cmap == SIGNED and limit is None:
        limit = _symmetric(values, 99)
    ax.imshow(values, cmap=cmap, vmin=-limit if limit else None, vmax=limit)
    ax.set_title(title)
    framed(ax)


@drawing
def equivariance(photo, shifted, fmap, fmap_shifted, shift, labels=("x", "f")) -> Figure:
    """Shift then convolve equals convolve then shift, except next to the image's borders.

    ``photo`` and ``shifted`` are RGB (H, W, 3), ``fmap`` and ``fmap_shifted`` the feature
    maps of one output channel for each, and ``shift`` the shift (rows, columns).
    """
    fmap, fmap_shifted = array(fmap), array(fmap_shifted)
    moved = np.roll(fmap, shift, axis=(0, 1))
    limit = _symmetric(fmap, 99)
    fig = Figure(figsize=(WIDTH, 5.4), layout="constrained")
    axes = fig.subplots(2, 3)
    _image(axes[0, 0], photo, "photo $x$", cmap=None)
    _image(axes[0, 1], shifted, "shifted photo $S(x)$", cmap=None)
    _image(axes[0, 2], moved, "shifted map $S(f(x))$", limit)
    _image(axes[1, 0], fmap, "feature map $f(x)$", limit)
    _image(axes[1, 1], fmap_shifted, "map of shifted\nphoto $f(S(x))$", limit)
    _image(axes[1, 2], fmap_shifted - moved, "difference\n$f(S(x)) - S(f(x))$", limit)
    return fig


def _signed(ax, values, limit=None) -> None:
    """``values`` as an image on the diverging scale, symmetric around 0."""
    values = array(values)
    limit = limit or _symmetric(values)
    ax.imshow(values, cmap=SIGNED, vmin=-limit, vmax=limit)
    framed(ax)


@drawing
def pattern_search(X, K, Y, hits) -> Figure:
    """An input holding copies of a pattern, the pattern used as kernel, and the feature map.

    ``hits`` lists the (row, col) of output elements to outline and label with their values.
    """
    X, K, Y = map(array, (X, K, Y))
    fig = Figure(figsize=(WIDTH, 2.3), layout="constrained")
    axes = fig.subplots(1, 3, width_ratios=[X.shape[1], 7, Y.shape[1]])
    _signed(axes[0], X, 1.8 * np.abs(X).max())
    axes[0].set_title(f"input $X$ ({X.shape[0]}×{X.shape[1]})")
    _signed(axes[1], K, 1.8 * np.abs(K).max())
    for (a, b), v in np.ndenumerate(K):
        axes[1].text(b, a, f"{v:g}", ha="center", va="center", fontsize=SMALL)
    axes[1].set_title("kernel $K$")
    _signed(axes[2], Y)
    for r, c in hits:
        axes[2].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="black", lw=1))
        axes[2].text(c, r - 2.7, f"{Y[r, c]:g}", fontsize=SMALL, ha="center", va="bottom")
    axes[2].set_title(f"feature map $X \\star K$ ({Y.shape[0]}×{Y.shape[1]})")
    return fig


@drawing
def input_gradients(panels: dict, windows: dict) -> Figure:
    """Gradients of single output elements with respect to the input, in a 2-column grid.

    ``panels`` maps a title to a gradient (H, W); ``windows`` maps some titles to the
    (row, col, height, width) of a rectangle to outline.
    """
    rows = -(-len(panels) // 2)
    first = array(next(iter(panels.values())))
    fig = Figure(figsize=(WIDTH, rows * (0.47 * WIDTH * first.shape[0] / first.shape[1] + 0.6)), layout="constrained")
    axes = fig.subplots(rows, 2, squeeze=False).ravel()
    for ax, (title, grad) in zip(axes, panels.items()):
        grad = array(grad)
        _signed(ax, grad)
        ax.set_title(f"{title}\n{np.count_nonzero(grad)} of {grad.size} entries non-zero")
        if title in windows:
            r, c, h, w = windows[title]
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, fill=False, edgecolor="black", lw=1))
    return fig
