"""Wrong answers to chapter 7's ``pool2d``, ``avg_pool2d``, ``max_pool_with_indices``,
``max_unpool`` and ``adaptive_avg_pool2d``: the known mistakes (``@mistake``, with hints) and,
after those of each exercise, answers right on the chapter's first examples that break a
property the exercise's text states (``@breaks``).

Each function's source becomes the student's answer cell; ``as_pair`` is defined in the
notebook's first cell (the definition below only makes the name resolve in this module).
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.runtime.mistakes import breaks, mistake


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


CHAPTER = "ch07_pooling"

# ---------------------------------------------------------------------------------------
# pool2d


@mistake(
    "pool2d",
    summary="the stride defaults to 1 instead of the kernel size",
    hint="When no stride is given, pooling layers move the window by its own size, so that the "
    "windows tile the input without overlapping; stride=None means stride = kernel_size.",
    section=f"{CHAPTER}#padding-and-stride",
)
def pool2d_stride_defaults_to_one(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(1 if stride is None else stride)
    ph, pw = as_pair(padding)
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="pools across the channels too",
    hint="A pooling layer treats every channel on its own and never combines channels, unlike a "
    "convolution: the output has as many channels as the input.",
    section=f"{CHAPTER}#several-channels",
)
def pool2d_across_channels(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    if mode == "max":
        return windows.amax(dim=(1, -2, -1), keepdim=True)[..., 0, 0]
    return windows.mean(dim=(1, -2, -1), keepdim=True)[..., 0, 0]


@mistake(
    "pool2d",
    summary="max pooling lets the padding win windows of negative values",
    hint="Max pooling only ever reports values of the input, but at the border your maxima are 0 where "
    "every real value is negative; the usual cause is padding with zeros instead of -inf, which never wins.",
    section=f"{CHAPTER}#padding-and-stride",
)
def pool2d_max_pads_zeros(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="average pooling leaves the padding out of the count",
    hint="With the defaults of F.avg_pool2d, the padded zeros count as values of the window: "
    "every window is divided by kh * kw, even at the border.",
    section=f"{CHAPTER}#average-pooling-at-the-border",
)
def pool2d_avg_excludes_padding(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    if mode == "max":
        windows = F.pad(X, (pw, pw, ph, ph), value=float("-inf")).unfold(2, kh, sh).unfold(3, kw, sw)
        return windows.amax(dim=(-2, -1))
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return sums / ones.sum(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="reads kernel_size and stride pairs as (width, height)",
    hint="A pair is (height, width), like a tensor's shape: its first number is for the rows, "
    "the second for the columns.",
    section=f"{CHAPTER}#padding-and-stride",
)
def pool2d_pairs_swapped(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kw, kh = as_pair(kernel_size)
    sw, sh = as_pair(kernel_size if stride is None else stride)
    pw, ph = as_pair(padding)
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="ceil_mode is ignored: the number of windows is always rounded down",
    hint="With ceil_mode=True your output is one row or column short wherever the windows do not fit the "
    "padded input exactly: the last, partial window is missing. The usual cause is a floor division for the "
    "output size (or unfold, which drops a partial window) whatever ceil_mode says; ceil_mode=True rounds the "
    "number of steps up, so that the last window may run past the end of the padded input.",
    section=f"{CHAPTER}#ceil-mode-and-dilation",
)
def pool2d_ceil_mode_ignored(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw, ph, ph), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return windows.amax(dim=(-2, -1)) if mode == "max" else windows.mean(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="ceil_mode keeps a last window that starts in the padding",
    hint="With ceil_mode=True and padding, your output has one row or column too many, whose last window "
    "starts in the right or bottom padding beyond the input. Rounding up is only half of ceil_mode: PyTorch "
    "then drops a last window that would start there, when (n_out - 1) * stride >= H + padding (the same for "
    "the columns).",
    section=f"{CHAPTER}#ceil-mode-and-dilation",
)
def pool2d_ceil_keeps_window_in_padding(
    X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1
):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    up_h, up_w = (sh - 1, sw - 1) if ceil_mode else (0, 0)
    Ho = (H + 2 * ph - eh + up_h) // sh + 1
    Wo = (W + 2 * pw - ew + up_w) // sw + 1
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    taps = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    if mode == "max":
        return taps.amax(dim=(-2, -1))
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return taps.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="average pooling with ceil_mode divides a window that runs past the padded input by kh * kw",
    hint="With ceil_mode=True, the averages of your last row or column are too close to 0: a window that "
    "runs past the end of the padded input is divided by kh * kw, as if the cells beyond it were padded "
    "zeros. The usual cause is extending the padding with zeros for ceil_mode and taking the mean of every "
    "window; PyTorch divides such a window by the number of its cells inside the padded input (the padding "
    "counts, what lies beyond it does not).",
    section=f"{CHAPTER}#ceil-mode-and-dilation",
)
def pool2d_ceil_avg_divides_by_kernel(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    taps = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return taps.amax(dim=(-2, -1)) if mode == "max" else taps.mean(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="dilation is ignored",
    hint="With dilation > 1 your output is too large and its windows too small: each window reads "
    "kh x kw neighbouring cells. A dilated window spans d * (k - 1) + 1 rows (and columns) and reads every "
    "d-th of them; the usual cause is never using the dilation argument.",
    section=f"{CHAPTER}#ceil-mode-and-dilation",
)
def pool2d_dilation_ignored(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    H, W = X.shape[-2:]

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, kh, sh, ph), windows_along(W, kw, sw, pw)
    xh = max(0, (Ho - 1) * sh + kh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + kw - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    if mode == "max":
        return windows.amax(dim=(-2, -1))
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="dilation multiplies the stride instead of spacing the window's cells",
    hint="With dilation > 1 your output has too few windows, and each reads kh x kw neighbouring cells: "
    "the dilation went into the step between windows. Dilation spaces the cells one window reads (rows "
    "i, i + d, i + 2d, ...); the stride stays the step from one window to the next.",
    section=f"{CHAPTER}#ceil-mode-and-dilation",
)
def pool2d_dilation_on_stride(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    sh, sw = sh * dh, sw * dw
    H, W = X.shape[-2:]

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, kh, sh, ph), windows_along(W, kw, sw, pw)
    xh = max(0, (Ho - 1) * sh + kh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + kw - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    windows = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, kh, sh).unfold(3, kw, sw)
    if mode == "max":
        return windows.amax(dim=(-2, -1))
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="a dilated window reads every cell of its span, not only its taps",
    hint="With dilation > 1 your output has the right shape but some maxima are too large: each window "
    "takes the largest of all d * (k - 1) + 1 cells it spans, the cells between its taps included. A "
    "dilated window reads only every d-th row and column of its span: rows i, i + d, ..., i + d * (k - 1).",
    section=f"{CHAPTER}#ceil-mode-and-dilation",
)
def pool2d_dilation_whole_span(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    spans = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)
    if mode == "max":
        return spans.amax(dim=(-2, -1))
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)
    return spans.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@mistake(
    "pool2d",
    summary="calls a built-in pooling",
    hint="This exercise asks you to slide the window yourself; the built-in pooling is the "
    "reference it is checked against.",
)
def pool2d_builtin(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    stride = kernel_size if stride is None else stride
    if mode == "max":
        return F.max_pool2d(X, kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)
    return F.avg_pool2d(X, kernel_size, stride, padding, ceil_mode=ceil_mode)


# Answers right on the chapter's examples that break a stated property of pool2d. Each is the
# solution's computation, with one change.


@breaks("pool2d", "dtype")
def pool2d_float32_output(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    taps = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    Y = torch.zeros(taps.shape[:4], device=X.device)
    if mode == "max":
        Y[:] = taps.amax(dim=(-2, -1))
        return Y
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    Y[:] = taps.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))
    return Y


@breaks("pool2d", "device")
def pool2d_padded_on_default_device(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    N, C, H, W = X.shape
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    P = torch.full((N, C, H + 2 * ph + xh, W + 2 * pw + xw), fill, dtype=X.dtype)
    P[:, :, ph : ph + H, pw : pw + W] = X
    taps = P.unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    if mode == "max":
        return taps.amax(dim=(-2, -1))
    inside = torch.zeros(1, 1, H + 2 * ph + xh, W + 2 * pw + xw, dtype=X.dtype)
    inside[:, :, : H + 2 * ph, : W + 2 * pw] = 1
    counts = inside.unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return taps.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@breaks("pool2d", "differentiable")
def pool2d_item(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    N, C, H, W = X.shape
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    taps = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    Y = torch.zeros(N, C, Ho, Wo, dtype=X.dtype, device=X.device)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = taps[n, c, i, j]
                    value = window.max() if mode == "max" else window.sum() / counts[0, 0, i, j].sum()
                    Y[n, c, i, j] = value.item()
    return Y


@breaks("pool2d", "unchanged")
def pool2d_shifts_X(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    if mode == "max":
        low = X.min() - 1
        X -= low  # every value above 0, so that a padded zero never wins
        taps = F.pad(X, (pw, pw + xw, ph, ph + xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
        return taps.amax(dim=(-2, -1)) + low
    taps = F.pad(X, (pw, pw + xw, ph, ph + xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return taps.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@breaks("pool2d", "non-square")
def pool2d_square_kernel(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh = kw = as_pair(kernel_size)[0]
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    taps = F.pad(X, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    if mode == "max":
        return taps.amax(dim=(-2, -1))
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return taps.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@breaks("pool2d", "batch")
def pool2d_first_sample(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    H, W = X.shape[-2:]
    eh, ew = dh * (kh - 1) + 1, dw * (kw - 1) + 1

    def windows_along(n, k, s, p):
        count = (n + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        return count

    Ho, Wo = windows_along(H, eh, sh, ph), windows_along(W, ew, sw, pw)
    xh = max(0, (Ho - 1) * sh + eh - (H + 2 * ph))
    xw = max(0, (Wo - 1) * sw + ew - (W + 2 * pw))
    fill = float("-inf") if mode == "max" else 0.0
    first = X[:1]
    taps = F.pad(first, (pw, pw + xw, ph, ph + xh), value=fill).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    if mode == "max":
        return taps.amax(dim=(-2, -1))
    inside = torch.ones(1, 1, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    counts = F.pad(inside, (0, xw, 0, xh)).unfold(2, eh, sh).unfold(3, ew, sw)[..., ::dh, ::dw]
    return taps.sum(dim=(-2, -1)) / counts.sum(dim=(-2, -1))


@breaks("pool2d", "from scratch")
def pool2d_modules(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    if mode == "max":
        return nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode=ceil_mode)(X)
    return nn.AvgPool2d(kernel_size, stride, padding, ceil_mode=ceil_mode)(X)


# ---------------------------------------------------------------------------------------
# avg_pool2d


@mistake(
    "avg_pool2d",
    summary="divides by the clipped window when count_include_pad=True",
    hint="count_include_pad=True means the padded zeros count: every window is divided by "
    "kh * kw. Only with count_include_pad=False do you count the cells inside the input.",
    section=f"{CHAPTER}#average-pooling-at-the-border",
)
def avg_pool2d_always_clipped(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if divisor_override is not None:
        return sums / divisor_override
    ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return sums / ones.sum(dim=(-2, -1))


@mistake(
    "avg_pool2d",
    summary="ignores count_include_pad=False",
    hint="With count_include_pad=False, a window that overlaps the padding is divided by the "
    "number of its cells inside the input, not by kh * kw.",
    section=f"{CHAPTER}#average-pooling-at-the-border",
)
def avg_pool2d_padding_always_counted(
    X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None
):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    return sums / (kh * kw if divisor_override is None else divisor_override)


@mistake(
    "avg_pool2d",
    summary="ignores divisor_override",
    hint="When divisor_override is given, every window sum is divided by it, whatever the "
    "window and whatever count_include_pad says.",
    section=f"{CHAPTER}#average-pooling-at-the-border",
)
def avg_pool2d_divisor_ignored(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if count_include_pad:
        return sums / (kh * kw)
    ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return sums / ones.sum(dim=(-2, -1))


@mistake(
    "avg_pool2d",
    summary="count_include_pad overrides divisor_override",
    hint="divisor_override wins over both settings of count_include_pad: once it is given, "
    "nothing else decides the divisor.",
    section=f"{CHAPTER}#average-pooling-at-the-border",
)
def avg_pool2d_clipped_before_override(
    X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None
):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if not count_include_pad:
        ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
        return sums / ones.sum(dim=(-2, -1))
    return sums / (kh * kw if divisor_override is None else divisor_override)


@mistake(
    "avg_pool2d",
    summary="the stride defaults to 1 instead of the kernel size",
    hint="stride=None means stride = kernel_size, as for every pooling layer in PyTorch.",
    section=f"{CHAPTER}#padding-and-stride",
)
def avg_pool2d_stride_defaults_to_one(
    X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None
):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(1 if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if divisor_override is not None:
        return sums / divisor_override
    if count_include_pad:
        return sums / (kh * kw)
    ones = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return sums / ones.sum(dim=(-2, -1))


@mistake(
    "avg_pool2d",
    summary="calls a built-in pooling",
    hint="This exercise asks you to compute the sums and the divisors yourself; F.avg_pool2d "
    "is the reference it is checked against.",
)
def avg_pool2d_builtin(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    return F.avg_pool2d(
        X, kernel_size, stride, padding, count_include_pad=count_include_pad, divisor_override=divisor_override
    )


# Answers right on the chapter's first examples that break a stated property of avg_pool2d.


@breaks("avg_pool2d", "dtype")
def avg_pool2d_float32_output(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    counts = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    Y = torch.zeros(windows.shape[:4], device=X.device)
    for i in range(Y.shape[2]):
        for j in range(Y.shape[3]):
            if divisor_override is not None:
                divisor = divisor_override
            else:
                divisor = kh * kw if count_include_pad else counts[:, :, i, j]
            Y[:, :, i, j] = windows[:, :, i, j].sum(dim=(-2, -1)) / divisor
    return Y


@breaks("avg_pool2d", "device")
def avg_pool2d_padded_on_default_device(
    X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None
):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = X.shape
    P = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=X.dtype)
    P[:, :, ph : ph + H, pw : pw + W] = X
    sums = P.unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if divisor_override is not None:
        return sums / divisor_override
    if count_include_pad:
        return sums / (kh * kw)
    inside = torch.zeros_like(P)
    inside[:, :, ph : ph + H, pw : pw + W] = 1
    return sums / inside.unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))


@breaks("avg_pool2d", "differentiable")
def avg_pool2d_item(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    counts = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    N, C, Ho, Wo = windows.shape[:4]
    Y = torch.zeros(N, C, Ho, Wo, dtype=X.dtype, device=X.device)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    if divisor_override is not None:
                        divisor = divisor_override
                    else:
                        divisor = kh * kw if count_include_pad else counts[n, c, i, j].item()
                    Y[n, c, i, j] = windows[n, c, i, j].sum().item() / divisor
    return Y


@breaks("avg_pool2d", "unchanged")
def avg_pool2d_divides_X(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    if divisor_override is not None or count_include_pad:
        X /= kh * kw if divisor_override is None else divisor_override
        return F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    counts = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    return sums / counts.sum(dim=(-2, -1))


@breaks("avg_pool2d", "non-square")
def avg_pool2d_square_kernel(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    k = as_pair(kernel_size)[0]
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, k, sh).unfold(3, k, sw).sum(dim=(-2, -1))
    if divisor_override is not None:
        return sums / divisor_override
    if count_include_pad:
        return sums / (k * k)
    counts = F.pad(torch.ones_like(X), (pw, pw, ph, ph)).unfold(2, k, sh).unfold(3, k, sw)
    return sums / counts.sum(dim=(-2, -1))


@breaks("avg_pool2d", "batch")
def avg_pool2d_first_sample(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    sums = F.pad(X[0], (pw, pw, ph, ph)).unfold(1, kh, sh).unfold(2, kw, sw).sum(dim=(-2, -1))
    if divisor_override is not None:
        return (sums / divisor_override)[None]
    if count_include_pad:
        return (sums / (kh * kw))[None]
    counts = F.pad(torch.ones_like(X[0]), (pw, pw, ph, ph)).unfold(1, kh, sh).unfold(2, kw, sw)
    return (sums / counts.sum(dim=(-2, -1)))[None]


@breaks("avg_pool2d", "from scratch")
def avg_pool2d_module(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    pool = nn.AvgPool2d(
        kernel_size, stride, padding, count_include_pad=count_include_pad, divisor_override=divisor_override
    )
    return pool(X)


# ---------------------------------------------------------------------------------------
# max_pool_with_indices


@mistake(
    "max_pool_with_indices",
    summary="returns the index inside the window",
    hint="The index says where the maximum is in the whole H x W plane, i * W + j, not where it "
    "is inside its own window.",
    section=f"{CHAPTER}#where-the-maxima-were",
)
def max_pool_with_indices_window_index(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    return windows.flatten(-2).max(dim=-1)


@mistake(
    "max_pool_with_indices",
    summary="flattens the column into the row with H instead of W",
    hint="Row i of an H x W plane starts at the flat index i * W: a row has W entries.",
    section=f"{CHAPTER}#where-the-maxima-were",
)
def max_pool_with_indices_rows_times_H(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    H = X.shape[2]
    Y, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
    rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + k // kw
    cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + k % kw
    return Y, rows * H + cols


@mistake(
    "max_pool_with_indices",
    summary="indexes into the whole flattened tensor instead of each plane",
    hint="nn.MaxPool2d's indices restart at 0 in every (n, c) plane: they point into "
    "X[n, c].flatten(), not into X.flatten().",
    section=f"{CHAPTER}#where-the-maxima-were",
)
def max_pool_with_indices_global(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    Y, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
    rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + k // kw
    cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + k % kw
    plane = torch.arange(N * C, device=X.device).reshape(N, C, 1, 1)
    return Y, plane * H * W + rows * W + cols


@mistake(
    "max_pool_with_indices",
    summary="finds the row and column in the window as if a window row had kh entries",
    hint="Inside a kh x kw window flattened row by row, position k is at row k // kw and "
    "column k % kw: a window row has kw entries.",
    section=f"{CHAPTER}#where-the-maxima-were",
)
def max_pool_with_indices_divides_by_kh(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    Y, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
    rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + k // kh
    cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + k % kh
    return Y, rows * W + cols


@mistake(
    "max_pool_with_indices",
    summary="calls a built-in max pooling",
    hint="This exercise asks you to find the maxima and their positions yourself; the built-in "
    "is the reference it is checked against.",
)
def max_pool_with_indices_builtin(X, kernel_size, stride=None):
    return F.max_pool2d(X, kernel_size, stride, return_indices=True)


# Answers right on the chapter's first examples that break a stated property of max_pool_with_indices.


@breaks("max_pool_with_indices", "dtype")
def max_pool_with_indices_float32_values(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    values, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
    Y = torch.zeros(values.shape, device=X.device)
    Y[:] = values
    rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + k // kw
    cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + k % kw
    return Y, rows * W + cols


@breaks("max_pool_with_indices", "device")
def max_pool_with_indices_default_device(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    Y, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
    indices = torch.zeros(Y.shape, dtype=torch.int64)
    for i in range(Y.shape[2]):
        for j in range(Y.shape[3]):
            indices[:, :, i, j] = (i * sh + k[:, :, i, j] // kw) * W + j * sw + k[:, :, i, j] % kw
    return Y, indices


@breaks("max_pool_with_indices", "differentiable")
def max_pool_with_indices_no_grad(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    with torch.no_grad():  # indices need no gradient
        Y, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
        rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + k // kw
        cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + k % kw
    return Y, rows * W + cols


@breaks("max_pool_with_indices", "unchanged")
def max_pool_with_indices_shifts_X(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    low = X.min() - 1
    X -= low  # every value above 0
    Y, k = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2).max(dim=-1)
    rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + k // kw
    cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + k % kw
    return Y + low, rows * W + cols


@breaks("max_pool_with_indices", "non-square")
def max_pool_with_indices_square_kernel(X, kernel_size, stride=None):
    k = as_pair(kernel_size)[0]
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    Y, q = X.unfold(2, k, sh).unfold(3, k, sw).flatten(-2).max(dim=-1)
    rows = torch.arange(Y.shape[2], device=X.device)[:, None] * sh + q // k
    cols = torch.arange(Y.shape[3], device=X.device)[None, :] * sw + q % k
    return Y, rows * W + cols


@breaks("max_pool_with_indices", "batch")
def max_pool_with_indices_first_sample(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    W = X.shape[3]
    Y, k = X[0].unfold(1, kh, sh).unfold(2, kw, sw).flatten(-2).max(dim=-1)
    rows = torch.arange(Y.shape[1], device=X.device)[:, None] * sh + k // kw
    cols = torch.arange(Y.shape[2], device=X.device)[None, :] * sw + k % kw
    return Y[None], (rows * W + cols)[None]


@breaks("max_pool_with_indices", "from scratch")
def max_pool_with_indices_module(X, kernel_size, stride=None):
    return nn.MaxPool2d(kernel_size, stride, return_indices=True)(X)


# ---------------------------------------------------------------------------------------
# max_unpool


@mistake(
    "max_unpool",
    summary="reads the indices as positions inside each window",
    hint="The indices count from the top-left corner of the whole H x W plane (row index // W, "
    "column index % W), not from the corner of the window each value came from.",
    section=f"{CHAPTER}#unpooling-what-comes-back",
)
def max_unpool_per_window(Y, indices, output_size):
    H, W = output_size
    N, C, h, w = Y.shape
    kh, kw = H // h, W // w  # the window, guessed from the sizes
    out = torch.zeros(N, C, H, W, dtype=Y.dtype, device=Y.device)
    for i in range(h):
        for j in range(w):
            a, b = indices[:, :, i, j] // kw, indices[:, :, i, j] % kw
            for n in range(N):
                for c in range(C):
                    out[n, c, i * kh + a[n, c], j * kw + b[n, c]] = Y[n, c, i, j]
    return out


@mistake(
    "max_unpool",
    summary="writes into the flattened tensor instead of each plane",
    hint="Each index points into its own (n, c) plane, H * W values long; written into the "
    "whole flattened tensor, every value lands in the first plane.",
    section=f"{CHAPTER}#unpooling-what-comes-back",
)
def max_unpool_whole_tensor(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = torch.zeros(N * C * H * W, dtype=Y.dtype, device=Y.device)
    out = out.scatter(0, indices.flatten(), Y.flatten())
    return out.reshape(N, C, H, W)


@mistake(
    "max_unpool",
    summary="splits the index with H instead of W",
    hint="In an H x W plane flattened row by row, the flat index q is at row q // W and column q % W.",
    section=f"{CHAPTER}#unpooling-what-comes-back",
)
def max_unpool_divides_by_H(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = torch.zeros(N, C, H, W, dtype=Y.dtype, device=Y.device)
    n = torch.arange(N, device=Y.device).reshape(N, 1, 1, 1).expand_as(indices)
    c = torch.arange(C, device=Y.device).reshape(1, C, 1, 1).expand_as(indices)
    out = out.index_put((n, c, indices // H, indices % H), Y)
    return out


@mistake(
    "max_unpool",
    summary="ignores output_size and doubles the pooled size",
    hint="The pooled size does not say how large the input was (a 2x2 pooling maps both 4 and 5 "
    "rows to 2): that is what output_size is for.",
    section=f"{CHAPTER}#unpooling-what-comes-back",
)
def max_unpool_doubles(Y, indices, output_size):
    N, C, h, w = Y.shape
    planes = torch.zeros(N, C, 2 * h * 2 * w, dtype=Y.dtype, device=Y.device)
    return planes.scatter(2, indices.flatten(2), Y.flatten(2)).reshape(N, C, 2 * h, 2 * w)


@mistake(
    "max_unpool",
    summary="returns float32 for float64 values",
    hint="A tensor created without dtype=... (torch.zeros, torch.empty, torch.tensor, ...) is float32 "
    "whatever Y is, and a .float() makes float32 too: create the output with dtype=Y.dtype.",
    section=f"{CHAPTER}#unpooling-what-comes-back",
)
def max_unpool_float32(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    planes = torch.zeros(N, C, H * W, device=Y.device)
    planes = planes.scatter(2, indices.flatten(2), Y.flatten(2).float())
    return planes.reshape(N, C, H, W)


@mistake(
    "max_unpool",
    summary="calls a built-in unpooling",
    hint="This exercise asks you to write the values through the indices yourself; the built-in "
    "unpooling is the reference it is checked against.",
)
def max_unpool_builtin(Y, indices, output_size):
    return F.max_unpool2d(Y, indices, 2, output_size=output_size)


# Answers right on the chapter's first examples that break a stated property of max_unpool.


@breaks("max_unpool", "dtype")
def max_unpool_float32_planes(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = torch.zeros(N, C, H, W, device=Y.device)
    n = torch.arange(N, device=Y.device).reshape(N, 1, 1, 1).expand_as(indices)
    c = torch.arange(C, device=Y.device).reshape(1, C, 1, 1).expand_as(indices)
    out[n, c, indices // W, indices % W] = Y.float()
    return out


@breaks("max_unpool", "device")
def max_unpool_default_device(Y, indices, output_size):
    H, W = output_size
    N, C, h, w = Y.shape
    out = torch.zeros(N, C, H, W, dtype=Y.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(h):
                for j in range(w):
                    q = int(indices[n, c, i, j])
                    out[n, c, q // W, q % W] = Y[n, c, i, j]
    return out


@breaks("max_unpool", "differentiable")
def max_unpool_tolist(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = torch.zeros(N, C, H * W, dtype=Y.dtype, device=Y.device)
    for n in range(N):
        for c in range(C):
            for q, v in zip(indices[n, c].flatten().tolist(), Y[n, c].flatten().tolist()):
                out[n, c, q] = v
    return out.reshape(N, C, H, W)


@breaks("max_unpool", "unchanged")
def max_unpool_offsets_indices(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    indices += torch.arange(N * C, device=Y.device).reshape(N, C, 1, 1) * H * W  # positions in the whole tensor
    out = torch.zeros(N * C * H * W, dtype=Y.dtype, device=Y.device)
    return out.scatter(0, indices.flatten(), Y.flatten()).reshape(N, C, H, W)


@breaks("max_unpool", "non-square")
def max_unpool_square_planes(Y, indices, output_size):
    n = output_size[0]
    N, C = Y.shape[:2]
    planes = torch.zeros(N, C, n * n, dtype=Y.dtype, device=Y.device)
    planes = planes.scatter(2, indices.flatten(2), Y.flatten(2))
    return planes.reshape(N, C, n, n)


@breaks("max_unpool", "batch")
def max_unpool_first_sample(Y, indices, output_size):
    H, W = output_size
    C = Y.shape[1]
    planes = torch.zeros(C, H * W, dtype=Y.dtype, device=Y.device)
    planes = planes.scatter(1, indices[0].flatten(1), Y[0].flatten(1))
    return planes.reshape(1, C, H, W)


@breaks("max_unpool", "from scratch")
def max_unpool_module(Y, indices, output_size):
    return nn.MaxUnpool2d(2)(Y, indices, output_size=output_size)


# ---------------------------------------------------------------------------------------
# adaptive_avg_pool2d


@mistake(
    "adaptive_avg_pool2d",
    summary="ends each window at the floor instead of the ceiling",
    hint="A window ends at ceil((i + 1) n / out). Rounding down loses the row or column that "
    "two windows should share, and the window can even come out empty.",
    section=f"{CHAPTER}#adaptive-pooling",
)
def adaptive_avg_pool2d_floor_end(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    rows = []
    for i in range(h):
        r0, r1 = i * H // h, (i + 1) * H // h
        row = [X[:, :, r0:r1, j * W // w : (j + 1) * W // w].mean(dim=(-2, -1)) for j in range(w)]
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


@mistake(
    "adaptive_avg_pool2d",
    summary="uses one fixed window and stride, n // out",
    hint="When out does not divide n, windows of n // out rows stepped by n // out leave the last "
    "rows out. Adaptive windows are computed for each output from floor and ceil.",
    section=f"{CHAPTER}#adaptive-pooling",
)
def adaptive_avg_pool2d_fixed_window(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    kh, kw = H // h, W // w
    windows = X.unfold(2, kh, kh).unfold(3, kw, kw)
    return windows.mean(dim=(-2, -1))[:, :, :h, :w]


@mistake(
    "adaptive_avg_pool2d",
    summary="computes the column windows from H and the row windows from W",
    hint="The row windows divide the H rows into h parts, the column windows the W columns into "
    "w parts; the two axes are not interchangeable when H != W.",
    section=f"{CHAPTER}#adaptive-pooling",
)
def adaptive_avg_pool2d_axes_swapped(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    rows = []
    for i in range(h):
        r0, r1 = i * W // h, -(-(i + 1) * W // h)
        row = []
        for j in range(w):
            c0, c1 = j * H // w, -(-(j + 1) * H // w)
            row.append(X[:, :, r0:r1, c0:c1].mean(dim=(-2, -1)))
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


@mistake(
    "adaptive_avg_pool2d",
    summary="rounds the window edges to the nearest integer",
    hint="Adaptive windows start at the floor of i n / out and end at the ceiling of "
    "(i + 1) n / out, so that neighbouring windows may share a row; rounding both edges the "
    "same way gives different windows.",
    section=f"{CHAPTER}#adaptive-pooling",
)
def adaptive_avg_pool2d_rounded(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    rows = []
    for i in range(h):
        r0, r1 = round(i * H / h), round((i + 1) * H / h)
        row = [X[:, :, r0:r1, round(j * W / w) : round((j + 1) * W / w)].mean(dim=(-2, -1)) for j in range(w)]
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


@mistake(
    "adaptive_avg_pool2d",
    summary="calls a built-in pooling",
    hint="This exercise asks you to compute the windows yourself; the built-in is the reference it is checked against.",
)
def adaptive_avg_pool2d_builtin(X, output_size):
    return F.adaptive_avg_pool2d(X, output_size)


# Answers right on the chapter's first examples that break a stated property of adaptive_avg_pool2d.


@breaks("adaptive_avg_pool2d", "dtype")
def adaptive_avg_pool2d_float32_output(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    out = torch.zeros(*X.shape[:2], h, w, device=X.device)
    for i in range(h):
        for j in range(w):
            rows = slice(i * H // h, -(-(i + 1) * H // h))
            cols = slice(j * W // w, -(-(j + 1) * W // w))
            out[:, :, i, j] = X[:, :, rows, cols].mean(dim=(-2, -1))
    return out


@breaks("adaptive_avg_pool2d", "device")
def adaptive_avg_pool2d_default_device(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    out = torch.zeros(*X.shape[:2], h, w, dtype=X.dtype)
    for i in range(h):
        for j in range(w):
            rows = slice(i * H // h, -(-(i + 1) * H // h))
            cols = slice(j * W // w, -(-(j + 1) * W // w))
            out[:, :, i, j] = X[:, :, rows, cols].mean(dim=(-2, -1))
    return out


@breaks("adaptive_avg_pool2d", "differentiable")
def adaptive_avg_pool2d_item(X, output_size):
    h, w = as_pair(output_size)
    N, C, H, W = X.shape
    out = torch.zeros(N, C, h, w, dtype=X.dtype, device=X.device)
    for n in range(N):
        for c in range(C):
            for i in range(h):
                for j in range(w):
                    window = X[n, c, i * H // h : -(-(i + 1) * H // h), j * W // w : -(-(j + 1) * W // w)]
                    out[n, c, i, j] = window.mean().item()
    return out


@breaks("adaptive_avg_pool2d", "unchanged")
def adaptive_avg_pool2d_cumsum_in_place(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    S = F.pad(X.cumsum_(2).cumsum_(3), (1, 0, 1, 0))  # S[..., r, c]: the sum of X[..., :r, :c]
    rows = [(i * H // h, -(-(i + 1) * H // h)) for i in range(h)]
    cols = [(j * W // w, -(-(j + 1) * W // w)) for j in range(w)]
    out = [
        torch.stack(
            [
                (S[:, :, r1, c1] - S[:, :, r0, c1] - S[:, :, r1, c0] + S[:, :, r0, c0]) / ((r1 - r0) * (c1 - c0))
                for c0, c1 in cols
            ],
            dim=-1,
        )
        for r0, r1 in rows
    ]
    return torch.stack(out, dim=-2)


@breaks("adaptive_avg_pool2d", "non-square")
def adaptive_avg_pool2d_square_output(X, output_size):
    h = as_pair(output_size)[0]
    H, W = X.shape[2:]
    rows = []
    for i in range(h):
        row = [
            X[:, :, i * H // h : -(-(i + 1) * H // h), j * W // h : -(-(j + 1) * W // h)].mean(dim=(-2, -1))
            for j in range(h)
        ]
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


@breaks("adaptive_avg_pool2d", "batch")
def adaptive_avg_pool2d_first_sample(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[2:]
    rows = []
    for i in range(h):
        row = [
            X[0, :, i * H // h : -(-(i + 1) * H // h), j * W // w : -(-(j + 1) * W // w)].mean(dim=(-2, -1))
            for j in range(w)
        ]
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)[None]


@breaks("adaptive_avg_pool2d", "from scratch")
def adaptive_avg_pool2d_module(X, output_size):
    return nn.AdaptiveAvgPool2d(output_size)(X)
