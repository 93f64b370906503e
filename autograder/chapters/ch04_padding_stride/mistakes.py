"""Wrong answers to chapter 4's ``conv_output_size``, ``pad2d`` and ``corr2d_general``: known
mistakes, and after each exercise's, answers right on the chapter's example that break a
property its text states (``@breaks``).

Each function's source becomes the student's answer cell. The ``corr2d_general`` ones call
``pad2d``, which in the notebook is the student's own answer to the previous exercise; the
import below only makes the name resolve in this module.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch04_padding_stride.reference import pad2d
from autograder.runtime.mistakes import breaks, mistake

# ---------------------------------------------------------------------------------------
# conv_output_size


@mistake(
    "conv_output_size",
    summary="ignores the dilation",
    hint="With dilation d, neighbouring kernel taps are d pixels apart, so a kernel of size k "
    "spans d(k - 1) + 1 input pixels, not k.",
    section="ch04_padding_stride#dilation",
)
def conv_output_size_dilation_ignored(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - k) // stride + 1


@mistake(
    "conv_output_size",
    summary="rounds the number of steps up (ceil) instead of down",
    hint="The last window must fit completely inside the padded input; a step that would "
    "leave the kernel sticking out does not count, so round down.",
    section="ch04_padding_stride#the-output-size-formula",
)
def conv_output_size_ceil(n, k, padding=0, stride=1, dilation=1):
    import math

    return math.ceil((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1


@mistake(
    "conv_output_size",
    summary="counts the padding once",
    hint="Padding adds p zeros on both sides of the axis (top and bottom, or left and right), "
    "so the padded length is n + 2p.",
    section="ch04_padding_stride#zero-padding",
)
def conv_output_size_padding_once(n, k, padding=0, stride=1, dilation=1):
    return (n + padding - dilation * (k - 1) - 1) // stride + 1


@mistake(
    "conv_output_size",
    summary="forgets the + 1 (counts steps, not positions)",
    hint="Every size came out one too small: the number of windows is one more than the number "
    "of steps between the first window and the last.",
    section="ch04_padding_stride#the-output-size-formula",
)
def conv_output_size_no_plus_one(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride


@mistake(
    "conv_output_size",
    summary="forgets the - 1 (one position too many at stride 1)",
    hint="The sizes are one too large at stride 1. Check your formula on a kernel as large as the "
    "input (n = k = 3, no padding, stride 1): it fits in exactly one position.",
    section="ch04_padding_stride#the-output-size-formula",
)
def conv_output_size_no_minus_one(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - dilation * (k - 1)) // stride + 1


@mistake(
    "conv_output_size",
    summary="returns the size as a float",
    hint="The sizes came back as floats (8.0 for 8). The usual cause is true division /, which "
    "gives a float even when the division is exact: floor division // keeps an int and rounds down.",
    section="ch04_padding_stride#the-output-size-formula",
)
def conv_output_size_true_division(n, k, padding=0, stride=1, dilation=1):
    return (n + 2 * padding - dilation * (k - 1) - 1) / stride + 1


@mistake(
    "conv_output_size",
    summary="applies the stride before adding the padding",
    hint="With padding and a stride above 1 the sizes come out too large: the kernel slides over "
    "the padded input, so the stride steps over the padded border like any other pixels (the "
    "padding is part of the length that is divided into steps).",
    section="ch04_padding_stride#the-output-size-formula",
)
def conv_output_size_stride_before_padding(n, k, padding=0, stride=1, dilation=1):
    return (n - dilation * (k - 1) - 1) // stride + 1 + 2 * padding


@mistake(
    "conv_output_size",
    summary="reads the size off the built-in F.conv2d",
    hint="The exercise is to derive the size with the formula; running a real convolution "
    "(F.conv2d, nn.Conv2d) is how the check computes the expected answer.",
    section="ch04_padding_stride#the-output-size-formula",
)
def conv_output_size_builtin(n, k, padding=0, stride=1, dilation=1):
    x = torch.zeros(1, 1, n, 1)
    w = torch.zeros(1, 1, k, 1)
    return F.conv2d(x, w, padding=(padding, 0), stride=(stride, 1), dilation=(dilation, 1)).shape[2]


@mistake(
    "conv_output_size",
    summary="uses only the first dimension of tuple arguments",
    hint="A single int came back for tuple arguments: the answer must be a tuple with one size per "
    "spatial dimension, each from the same entry of every argument. The usual cause is reading only "
    "the first entry of each tuple and dropping the other dimensions.",
    section="ch04_padding_stride#one-formula-per-axis-1-d-2-d-and-3-d",
)
def conv_output_size_first_dimension_only(n, k, padding=0, stride=1, dilation=1):
    first = [a if isinstance(a, int) else a[0] for a in (n, k, padding, stride, dilation)]
    n, k, padding, stride, dilation = first
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


@mistake(
    "conv_output_size",
    summary="does not broadcast int arguments among tuples",
    hint="An int argument stands for the same value in every dimension (as nn.Conv2d's "
    "kernel_size=3 means (3, 3)): turn each int into a tuple as long as the others before pairing "
    "the entries. zip() over a mix of ints and tuples fails, and so does indexing an int.",
    section="ch04_padding_stride#one-formula-per-axis-1-d-2-d-and-3-d",
)
def conv_output_size_no_broadcast(n, k, padding=0, stride=1, dilation=1):
    if isinstance(n, int):
        return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    return tuple((a + 2 * p - d * (b - 1) - 1) // s + 1 for a, b, p, s, d in zip(n, k, padding, stride, dilation))


@mistake(
    "conv_output_size",
    summary="returns a list instead of a tuple",
    hint="The sizes are right but come back as a list. Shapes (torch.Size) and the size arguments "
    "of nn.Conv2d are tuples: build the result with tuple(...) rather than a list comprehension.",
    section="ch04_padding_stride#one-formula-per-axis-1-d-2-d-and-3-d",
)
def conv_output_size_list(n, k, padding=0, stride=1, dilation=1):
    arguments = (n, k, padding, stride, dilation)
    if all(isinstance(a, int) for a in arguments):
        return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    dims = max(len(a) for a in arguments if not isinstance(a, int))
    n, k, padding, stride, dilation = ((a,) * dims if isinstance(a, int) else a for a in arguments)
    return [(a + 2 * p - d * (b - 1) - 1) // s + 1 for a, b, p, s, d in zip(n, k, padding, stride, dilation)]


@mistake(
    "conv_output_size",
    summary="returns a tuple even when every argument is an int",
    hint="With int arguments the answer is a single int, the size along one axis, as before "
    "tuples came in; only tuple arguments call for a tuple back. The usual cause is turning every "
    "argument into a tuple first, without remembering that none of them was one.",
    section="ch04_padding_stride#one-formula-per-axis-1-d-2-d-and-3-d",
)
def conv_output_size_always_tuple(n, k, padding=0, stride=1, dilation=1):
    arguments = (n, k, padding, stride, dilation)
    dims = max([len(a) for a in arguments if not isinstance(a, int)], default=1)
    n, k, padding, stride, dilation = ((a,) * dims if isinstance(a, int) else a for a in arguments)
    return tuple((a + 2 * p - d * (b - 1) - 1) // s + 1 for a, b, p, s, d in zip(n, k, padding, stride, dilation))


@breaks("conv_output_size", "from scratch")
def conv_output_size_layer(n, k, padding=0, stride=1, dilation=1):
    layer = nn.Conv2d(1, 1, (k, 1), padding=(padding, 0), stride=(stride, 1), dilation=(dilation, 1))
    return layer(torch.zeros(1, 1, n, 1)).shape[2]


# ---------------------------------------------------------------------------------------
# pad2d


@mistake(
    "pad2d",
    summary="pads only the top and the left",
    hint="Zero padding adds ph rows above AND below, and pw columns on the left AND on the "
    "right, so the result has 2ph more rows and 2pw more columns than X.",
    section="ch04_padding_stride#zero-padding",
)
def pad2d_top_left_only(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.zeros(H + ph, W + pw, dtype=X.dtype, device=X.device)
    Y[ph:, pw:] = X
    return Y


@mistake(
    "pad2d",
    summary="reads a (ph, pw) pair as (width, height)",
    hint="A pair is (height, width), like a tensor's shape: its first number pads the rows "
    "(top and bottom), the second the columns.",
    section="ch04_padding_stride#odd-kernels-and-same-padding",
)
def pad2d_pair_swapped(X, padding):
    pw, ph = (padding, padding) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.zeros(H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    Y[ph : ph + H, pw : pw + W] = X
    return Y


@mistake(
    "pad2d",
    summary="pads with ones instead of zeros",
    hint="The new border holds ones, but zero padding fills it with zeros.",
    section="ch04_padding_stride#zero-padding",
)
def pad2d_ones(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.ones(H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    Y[ph : ph + H, pw : pw + W] = X
    return Y


@mistake(
    "pad2d",
    summary="always returns float32",
    hint="Given a float64 X, the result came back float32: a tensor created without dtype=... "
    "(torch.zeros, torch.ones, ...) is float32 whatever X is. Create the padded tensor with X's "
    "dtype (and device).",
    section="ch04_padding_stride#padding-stride-and-dilation",
)
def pad2d_float32(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.zeros(H + 2 * ph, W + 2 * pw, device=X.device)
    Y[ph : ph + H, pw : pw + W] = X
    return Y


@mistake(
    "pad2d",
    summary="returns a result that no gradient flows through",
    hint="No gradient reaches X: the values went through Python numbers or numpy (.tolist(), "
    ".item(), .numpy()), which autograd cannot follow. Build the result with tensor operations on "
    "X itself.",
    section="ch01_autograd#tensors-that-record-their-history",
)
def pad2d_tolist(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    width = X.shape[1] + 2 * pw
    rows = [[0.0] * width for _ in range(ph)]
    rows += [[0.0] * pw + row + [0.0] * pw for row in X.tolist()]
    rows += [[0.0] * width for _ in range(ph)]
    return torch.tensor(rows, dtype=X.dtype, device=X.device)


@mistake(
    "pad2d",
    summary="applies an int padding to the rows only",
    hint="An int padding pads both dimensions by the same amount: padding=1 adds one row "
    "above and below and one column on the left and on the right.",
    section="ch04_padding_stride#odd-kernels-and-same-padding",
)
def pad2d_int_rows_only(X, padding):
    ph, pw = (padding, 0) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.zeros(H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    Y[ph : ph + H, pw : pw + W] = X
    return Y


@mistake(
    "pad2d",
    summary="calls the built-in F.pad",
    hint="This exercise asks you to build the padded tensor yourself; F.pad is the reference it is checked against.",
    section="ch04_padding_stride#zero-padding",
)
def pad2d_builtin(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return F.pad(X, (pw, pw, ph, ph))


@breaks("pad2d", "dtype")
def pad2d_as_float(X, padding):
    X = X.float()  # pad floats, whatever came in
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.zeros(H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    Y[ph : ph + H, pw : pw + W] = X
    return Y


@breaks("pad2d", "device")
def pad2d_on_default_device(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    H, W = X.shape
    Y = torch.zeros(H + 2 * ph, W + 2 * pw, dtype=X.dtype)
    Y[ph : ph + H, pw : pw + W] = X
    return Y


@breaks("pad2d", "differentiable")
def pad2d_numpy(X, padding):
    import numpy as np

    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    padded = np.pad(X.detach().cpu().numpy(), ((ph, ph), (pw, pw)))
    return torch.from_numpy(padded).to(X.device)


@breaks("pad2d", "unchanged")
def pad2d_transposes_X(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding

    def pad_rows(T, p):
        zeros = T.new_zeros(p, T.shape[1])
        return torch.cat([zeros, T, zeros])

    X.t_()  # the columns as rows, to pad them the same way
    return pad_rows(pad_rows(X, pw).t(), ph)


@breaks("pad2d", "from scratch")
def pad2d_zero_pad_layer(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return torch.nn.ZeroPad2d((pw, pw, ph, ph))(X)


@breaks("pad2d", "non-square")
def pad2d_square_input(X, padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    n = len(X)  # the side of X
    Y = torch.zeros(n + 2 * ph, n + 2 * pw, dtype=X.dtype, device=X.device)
    Y[ph : ph + n, pw : pw + n] = X
    return Y


# ---------------------------------------------------------------------------------------
# corr2d_general


@mistake(
    "corr2d_general",
    summary="ignores the dilation",
    hint="With dilation d, the kernel's taps are d pixels apart: the window spans "
    "d(k - 1) + 1 pixels and only every d-th one is used.",
    section="ch04_padding_stride#dilation",
)
def corr2d_general_dilation_ignored(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    X = pad2d(X, padding)
    kh, kw = K.shape
    Y = torch.zeros((X.shape[0] - kh) // sh + 1, (X.shape[1] - kw) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + kh, j * sw : j * sw + kw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="spaces the kernel taps dilation + 1 pixels apart",
    hint="In PyTorch, dilation is the distance between neighbouring taps: dilation=1 is the "
    "ordinary kernel without gaps, and dilation=2 skips one pixel between taps.",
    section="ch04_padding_stride#dilation",
)
def corr2d_general_dilation_plus_one(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    gh, gw = dh + 1, dw + 1  # leave `dilation` pixels out between taps
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = gh * (kh - 1) + 1, gw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : gh, j * sw : j * sw + span_w : gw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="moves the window by the stride along the rows only",
    hint="The stride applies in both directions: the window jumps sw columns between "
    "neighbouring outputs of a row, just as it jumps sh rows between output rows.",
    section="ch04_padding_stride#stride",
)
def corr2d_general_stride_rows_only(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j : j + span_w : dw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="reads (height, width) pairs as (width, height)",
    hint="Pair arguments are (height, width), like tensor shapes: the first number is for "
    "the rows, the second for the columns.",
    section="ch04_padding_stride#odd-kernels-and-same-padding",
)
def corr2d_general_pairs_swapped(X, K, padding=0, stride=1, dilation=1):
    pw, ph = (padding, padding) if isinstance(padding, int) else padding
    sw, sh = (stride, stride) if isinstance(stride, int) else stride
    dw, dh = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, (ph, pw))
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="pads on one side only (top and left)",
    hint="Padding adds ph zero rows above AND below the input, and pw zero columns on both "
    "sides; your pad2d from the previous exercise does exactly that.",
    section="ch04_padding_stride#zero-padding",
)
def corr2d_general_padding_one_side(X, K, padding=0, stride=1, dilation=1):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    P = torch.zeros(X.shape[0] + ph, X.shape[1] + pw, dtype=X.dtype, device=X.device)
    P[ph:, pw:] = X
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros((P.shape[0] - span_h) // sh + 1, (P.shape[1] - span_w) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (P[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="rounds the output size up (the last window runs past the edge)",
    hint="A window that would stick out past the padded input is not computed: the number "
    "of steps is rounded down, as in conv_output_size.",
    section="ch04_padding_stride#the-output-size-formula",
)
def corr2d_general_ceil_output_size(X, K, padding=0, stride=1, dilation=1):
    import math

    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros(
        math.ceil((X.shape[0] - span_h) / sh) + 1,
        math.ceil((X.shape[1] - span_w) / sw) + 1,
        dtype=X.dtype,
        device=X.device,
    )
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="uses the stride inside the window and the dilation as the step",
    hint="The stride is how far the window moves from one output to the next; the dilation "
    "is the spacing of the taps inside one window. Here the two play each other's part.",
    section="ch04_padding_stride#dilation",
)
def corr2d_general_stride_inside_window(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = sh * (kh - 1) + 1, sw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // dh + 1, (X.shape[1] - span_w) // dw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * dh : i * dh + span_h : sh, j * dw : j * dw + span_w : sw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="ignores the padding",
    hint="Padding adds zero rows and columns around X before the kernel slides over it; the "
    "pad2d you wrote in the previous exercise does that.",
    section="ch04_padding_stride#zero-padding",
)
def corr2d_general_padding_ignored(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y


@mistake(
    "corr2d_general",
    summary="returns a result that no gradient flows through",
    hint="No gradient reaches X or K: the outputs went through Python numbers or numpy (.item(), "
    "float(...), .tolist(), .numpy()), which autograd cannot follow. Keep every output a tensor "
    "(write it into a tensor, or stack them).",
    section="ch01_autograd#tensors-that-record-their-history",
)
def corr2d_general_item(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    rows = [
        [(X[i : i + span_h : dh, j : j + span_w : dw] * K).sum().item() for j in range(0, X.shape[1] - span_w + 1, sw)]
        for i in range(0, X.shape[0] - span_h + 1, sh)
    ]
    return torch.tensor(rows, dtype=X.dtype, device=X.device)


@mistake(
    "corr2d_general",
    summary="calls the built-in F.conv2d",
    hint="Write the sliding window yourself (loops over the output positions are fine); "
    "F.conv2d is the reference it is checked against.",
    section="ch04_padding_stride#padding-stride-and-dilation",
)
def corr2d_general_builtin(X, K, padding=0, stride=1, dilation=1):
    return F.conv2d(X[None, None], K[None, None], padding=padding, stride=stride, dilation=dilation)[0, 0]


@breaks("corr2d_general", "dtype")
def corr2d_general_float32_output(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y


@breaks("corr2d_general", "device")
def corr2d_general_output_on_default_device(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y


@breaks("corr2d_general", "differentiable")
def corr2d_general_numpy(X, K, padding=0, stride=1, dilation=1):
    import numpy as np

    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    P, Kn = pad2d(X, padding).detach().cpu().numpy(), K.detach().cpu().numpy()
    kh, kw = Kn.shape
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    Y = np.zeros(((P.shape[0] - span_h) // sh + 1, (P.shape[1] - span_w) // sw + 1), dtype=P.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (P[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * Kn).sum()
    return torch.from_numpy(Y).to(X.device)


@breaks("corr2d_general", "unchanged")
def corr2d_general_unsqueezes_K(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    kh, kw = K.shape
    windows = X.unfold(0, dh * (kh - 1) + 1, sh).unfold(1, dw * (kw - 1) + 1, sw)[..., ::dh, ::dw]
    K.unsqueeze_(0).unsqueeze_(0)  # (1, 1, kh, kw), to broadcast over the (rows, cols) windows
    return (windows * K).sum(dim=(-2, -1))


@breaks("corr2d_general", "from scratch")
def corr2d_general_layer(X, K, padding=0, stride=1, dilation=1):
    layer = nn.Conv2d(1, 1, tuple(K.shape), padding=padding, stride=stride, dilation=dilation, bias=False)
    layer.weight.data = K[None, None]
    return layer(X[None, None])[0, 0]


@breaks("corr2d_general", "non-square")
def corr2d_general_square_kernel(X, K, padding=0, stride=1, dilation=1):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    X = pad2d(X, padding)
    k = len(K)  # the side of the kernel
    span_h, span_w = dh * (k - 1) + 1, dw * (k - 1) + 1
    Y = torch.zeros((X.shape[0] - span_h) // sh + 1, (X.shape[1] - span_w) // sw + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw] * K).sum()
    return Y
