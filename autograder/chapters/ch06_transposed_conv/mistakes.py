"""Wrong answers to chapter 6's ``conv_matrix``, ``trans_conv`` and ``trans_conv_output_size``:
the known mistakes (``@mistake``, with hints) and, after them, answers right on the chapter's
examples that break a property the exercise's text states (``@breaks``).

Each function's source becomes the student's answer cell. In the notebook, ``corr2d`` comes
from the imports cell (chapter 2's finished block); the import below only makes the name
resolve in this module.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.runtime.blocks import corr2d
from autograder.runtime.mistakes import breaks, mistake

CHAPTER = "ch06_transposed_conv"

# ---------------------------------------------------------------------------------------
# conv_matrix


@mistake(
    "conv_matrix",
    summary="returns the transpose: one row per input pixel",
    hint="W multiplies the flattened input, W @ X.flatten(), so it needs one column per input pixel "
    "and one row per output element.",
    section=f"{CHAPTER}#convolution-as-a-matrix",
)
def conv_matrix_transposed(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(H * W, oh * ow, dtype=K.dtype, device=K.device)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[(i + a) * W + (j + b), i * ow + j] = K[a, b]
    return M


@mistake(
    "conv_matrix",
    summary="numbers the input pixels with the output's width",
    hint="Pixel (r, c) of an H x W input is entry r * W + c of X.flatten(): a row of the input is as "
    "long as the input's width, not the output's.",
    section=f"{CHAPTER}#convolution-as-a-matrix",
)
def conv_matrix_output_width(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(oh * ow, H * W, dtype=K.dtype, device=K.device)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * ow + j, (i + a) * ow + (j + b)] = K[a, b]
    return M


@mistake(
    "conv_matrix",
    summary="places the kernel flipped (a true convolution)",
    hint="corr2d is a cross-correlation: the window's top-left input pixel meets K[0, 0], so each row "
    "of W holds K in its own orientation.",
    section=f"{CHAPTER}#convolution-as-a-matrix",
)
def conv_matrix_flipped(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(oh * ow, H * W, dtype=K.dtype, device=K.device)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * ow + j, (i + a) * W + (j + b)] = K[kh - 1 - a, kw - 1 - b]
    return M


@mistake(
    "conv_matrix",
    summary="reads input_shape as (width, height)",
    hint="input_shape is (H, W), like a tensor's shape: its first number is the number of rows.",
    section=f"{CHAPTER}#convolution-as-a-matrix",
)
def conv_matrix_shape_swapped(K, input_shape):
    W, H = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(oh * ow, H * W, dtype=K.dtype, device=K.device)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * ow + j, (i + a) * W + (j + b)] = K[a, b]
    return M


@mistake(
    "conv_matrix",
    summary="returns a float32 matrix for a float64 kernel",
    hint="A tensor created without dtype=... (torch.zeros, torch.empty, torch.tensor, ...) is float32 "
    "whatever K is: create the matrix with dtype=K.dtype and device=K.device.",
)
def conv_matrix_float32(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(oh * ow, H * W, device=K.device)
    for i in range(oh):
        for j in range(ow):
            M[i * ow + j].view(H, W)[i : i + kh, j : j + kw] = K
    return M


@mistake(
    "conv_matrix",
    summary="returns a matrix that is not differentiable in K",
    hint="The matrix is not connected to K in the autograd graph, usually because its entries went "
    "through Python numbers (.tolist(), .item(), float(...)), numpy or .detach(). Write the entries of K "
    "into a tensor of zeros instead.",
)
def conv_matrix_tolist(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    values = K.tolist()
    rows = []
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            row = [0.0] * (H * W)
            for a in range(kh):
                for b in range(kw):
                    row[(i + a) * W + (j + b)] = values[a][b]
            rows.append(row)
    return torch.tensor(rows, dtype=K.dtype, device=K.device)


@mistake(
    "conv_matrix",
    summary="runs a built-in convolution",
    hint="The exercise asks you to place the kernel's entries yourself, without running a convolution: "
    "a built-in convolution is how the check builds the expected matrix.",
)
def conv_matrix_builtin(K, input_shape):
    H, W = input_shape
    units = torch.eye(H * W, dtype=K.dtype, device=K.device).reshape(H * W, 1, H, W)
    return F.conv2d(units, K[None, None]).flatten(1).T


# Answers right on the chapter's examples that break a stated property of conv_matrix.


@breaks("conv_matrix", "dtype")
def conv_matrix_in_float32(K, input_shape):
    K = K.float()
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = K.new_zeros(oh * ow, H * W)
    for i in range(oh):
        for j in range(ow):
            M[i * ow + j].view(H, W)[i : i + kh, j : j + kw] = K
    return M


@breaks("conv_matrix", "device")
def conv_matrix_default_device(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(oh * ow, H * W, dtype=K.dtype)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * ow + j, (i + a) * W + (j + b)] = K[a, b]
    return M


@breaks("conv_matrix", "differentiable")
def conv_matrix_item(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    M = torch.zeros(oh * ow, H * W, dtype=K.dtype, device=K.device)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * ow + j, (i + a) * W + (j + b)] = K[a, b].item()
    return M


@breaks("conv_matrix", "unchanged")
def conv_matrix_flattens_K_in_place(K, input_shape):
    H, W = input_shape
    kh, kw = K.shape
    oh, ow = H - kh + 1, W - kw + 1
    K.resize_(kh * kw)  # one row of kernel entries
    M = torch.zeros(oh * ow, H * W, dtype=K.dtype, device=K.device)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    M[i * ow + j, (i + a) * W + (j + b)] = K[a * kw + b]
    return M


@breaks("conv_matrix", "non-square")
def conv_matrix_square_only(K, input_shape):
    n, k = input_shape[0], K.shape[0]
    m = n - k + 1
    M = torch.zeros(m * m, n * n, dtype=K.dtype, device=K.device)
    for i in range(m):
        for j in range(m):
            M[i * m + j].view(n, n)[i : i + k, j : j + k] = K
    return M


@breaks("conv_matrix", "from scratch")
def conv_matrix_jacobian(K, input_shape):
    X = torch.zeros(*input_shape, dtype=K.dtype, device=K.device)
    return torch.autograd.functional.jacobian(lambda x: F.conv2d(x[None, None], K[None, None]).flatten(), X).flatten(1)


# ---------------------------------------------------------------------------------------
# trans_conv


@mistake(
    "trans_conv",
    summary="applies the kernel turned by 180 degrees",
    hint="Each input element must spread a copy of K in its own orientation, K[0, 0] at the top-left of its "
    "block; usual causes are sliding K over a zero-padded input without flipping it first, or reading K from "
    "its last entry backwards.",
    section=f"{CHAPTER}#a-convolution-in-disguise",
)
def trans_conv_kernel_turned(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    spread = torch.zeros((H - 1) * sh + 1, (W - 1) * sw + 1, dtype=X.dtype, device=X.device)
    spread[::sh, ::sw] = X
    full = torch.zeros(spread.shape[0] + 2 * (kh - 1), spread.shape[1] + 2 * (kw - 1), dtype=X.dtype, device=X.device)
    full[kh - 1 : kh - 1 + spread.shape[0], kw - 1 : kw - 1 + spread.shape[1]] = spread
    Y = corr2d(full, K)
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@mistake(
    "trans_conv",
    summary="padding makes the output larger instead of smaller",
    hint="In a transposed convolution, padding does the opposite of what it does in a convolution: it "
    "removes padding rows and columns from each border of the result, and nothing is added to the input.",
    section=f"{CHAPTER}#padding",
)
def trans_conv_pads_input(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    P = torch.zeros(X.shape[0] + 2 * ph, X.shape[1] + 2 * pw, dtype=X.dtype, device=X.device)
    P[ph : ph + X.shape[0], pw : pw + X.shape[1]] = X
    kh, kw = K.shape
    Y = torch.zeros((P.shape[0] - 1) * sh + kh, (P.shape[1] - 1) * sw + kw, dtype=X.dtype, device=X.device)
    for i in range(P.shape[0]):
        for j in range(P.shape[1]):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] += P[i, j] * K
    return Y


@mistake(
    "trans_conv",
    summary="ignores the stride",
    hint="With stride s, neighbouring input elements place their copies of K s pixels apart in the "
    "output, which is what makes the output about s times larger.",
    section=f"{CHAPTER}#stride",
)
def trans_conv_stride_ignored(X, K, stride=1, padding=0):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    kh, kw = K.shape
    H, W = X.shape
    Y = torch.zeros(H - 1 + kh, W - 1 + kw, dtype=X.dtype, device=X.device)
    for i in range(H):
        for j in range(W):
            Y[i : i + kh, j : j + kw] += X[i, j] * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@mistake(
    "trans_conv",
    summary="crops all the padding from the bottom and the right",
    hint="padding removes that many rows at the top AND at the bottom (and columns on both sides), "
    "so the result stays centred on the full output.",
    section=f"{CHAPTER}#padding",
)
def trans_conv_crop_one_side(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Y = torch.zeros((H - 1) * sh + kh, (W - 1) * sw + kw, dtype=X.dtype, device=X.device)
    for i in range(H):
        for j in range(W):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] += X[i, j] * K
    return Y[: Y.shape[0] - 2 * ph, : Y.shape[1] - 2 * pw]


@mistake(
    "trans_conv",
    summary="keeps one scaled kernel where copies overlap instead of their sum",
    hint="Where the copies of K from neighbouring input elements overlap, their contributions add up; "
    "the usual cause of keeping only one is assigning a block (=) instead of adding to it (+=).",
    section=f"{CHAPTER}#each-input-element-spreads-a-copy-of-the-kernel",
)
def trans_conv_overwrites(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Y = torch.zeros((H - 1) * sh + kh, (W - 1) * sw + kw, dtype=X.dtype, device=X.device)
    for i in range(H):
        for j in range(W):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] = X[i, j] * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@mistake(
    "trans_conv",
    summary="reads (height, width) pairs as (width, height)",
    hint="Pair arguments are (height, width), like tensor shapes: the first number is for the rows, "
    "the second for the columns.",
)
def trans_conv_pairs_swapped(X, K, stride=1, padding=0):
    (sw, sh), (pw, ph) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Y = torch.zeros((H - 1) * sh + kh, (W - 1) * sw + kw, dtype=X.dtype, device=X.device)
    for i in range(H):
        for j in range(W):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] += X[i, j] * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@mistake(
    "trans_conv",
    summary="returns float32 for float64 inputs",
    hint="A tensor created without dtype=... (torch.zeros, torch.empty, torch.tensor, ...) is float32 "
    "whatever the input is: create the output with dtype=X.dtype and device=X.device.",
)
def trans_conv_float32_buffer(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Y = torch.zeros((H - 1) * sh + kh, (W - 1) * sw + kw, device=X.device)
    for i in range(H):
        for j in range(W):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] += X[i, j] * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@mistake(
    "trans_conv",
    summary="calls a built-in convolution",
    hint="Spread the scaled copies of K yourself (loops over the input elements are fine); "
    "PyTorch's transposed convolution is the reference the check compares with.",
)
def trans_conv_builtin(X, K, stride=1, padding=0):
    return F.conv_transpose2d(X[None, None], K[None, None], stride=stride, padding=padding)[0, 0]


# Answers right on the chapter's examples that break a stated property of trans_conv.


@breaks("trans_conv", "dtype")
def trans_conv_in_float32(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    X, K = X.float(), K.float()
    kh, kw = K.shape
    H, W = X.shape
    Y = X.new_zeros((H - 1) * sh + kh, (W - 1) * sw + kw)
    for i in range(H):
        for j in range(W):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] += X[i, j] * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@breaks("trans_conv", "device")
def trans_conv_default_device(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    full = torch.zeros((H - 1) * sh + kh, (W - 1) * sw + kw, dtype=X.dtype, device=X.device)
    for i in range(H):
        for j in range(W):
            full[i * sh : i * sh + kh, j * sw : j * sw + kw] += X[i, j] * K
    Y = torch.zeros(full.shape[0] - 2 * ph, full.shape[1] - 2 * pw, dtype=X.dtype)
    Y[:, :] = full[ph : full.shape[0] - ph, pw : full.shape[1] - pw]
    return Y


@breaks("trans_conv", "differentiable")
def trans_conv_item(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Y = torch.zeros((H - 1) * sh + kh, (W - 1) * sw + kw, dtype=X.dtype, device=X.device)
    for i in range(H):
        for j in range(W):
            Y[i * sh : i * sh + kh, j * sw : j * sw + kw] += X[i, j].item() * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@breaks("trans_conv", "unchanged")
def trans_conv_flips_K_in_place(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Z = torch.zeros((H - 1) * sh + 2 * kh - 1, (W - 1) * sw + 2 * kw - 1, dtype=X.dtype, device=X.device)
    Z[kh - 1 : Z.shape[0] - kh + 1 : sh, kw - 1 : Z.shape[1] - kw + 1 : sw] = X
    K[:] = K.flip(0, 1)  # a transposed convolution slides the flipped kernel
    Y = corr2d(Z, K)
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@breaks("trans_conv", "non-square")
def trans_conv_square_only(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    n, k = X.shape[0], K.shape[0]
    Y = torch.zeros((n - 1) * sh + k, (n - 1) * sw + k, dtype=X.dtype, device=X.device)
    for i in range(n):
        for j in range(n):
            Y[i * sh : i * sh + k, j * sw : j * sw + k] += X[i, j] * K
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


@breaks("trans_conv", "from scratch")
def trans_conv_as_conv2d(X, K, stride=1, padding=0):
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    kh, kw = K.shape
    H, W = X.shape
    Z = torch.zeros((H - 1) * sh + 1, (W - 1) * sw + 1, dtype=X.dtype, device=X.device)
    Z[::sh, ::sw] = X
    Y = F.conv2d(Z[None, None], K.flip(0, 1)[None, None], padding=(kh - 1, kw - 1))[0, 0]
    return Y[ph : Y.shape[0] - ph, pw : Y.shape[1] - pw]


# ---------------------------------------------------------------------------------------
# trans_conv_output_size


@mistake(
    "trans_conv_output_size",
    summary="forgets output_padding",
    hint="output_padding adds that many rows (or columns) at the end of the output: it is how you pick "
    "one of the input lengths that a strided convolution maps to the same output length.",
    section=f"{CHAPTER}#output-padding",
)
def trans_conv_output_size_no_output_padding(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return (n - 1) * stride - 2 * padding + dilation * (k - 1) + 1


@mistake(
    "trans_conv_output_size",
    summary="ignores the dilation",
    hint="With dilation d, the copy of the kernel that each input element spreads spans d(k - 1) + 1 "
    "output pixels, not k.",
    section=f"{CHAPTER}#the-output-size",
)
def trans_conv_output_size_dilation_ignored(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return (n - 1) * stride - 2 * padding + k + output_padding


@mistake(
    "trans_conv_output_size",
    summary="multiplies n by the stride instead of n - 1",
    hint="The n copies of the kernel start at 0, s, ..., (n - 1)s: there are n - 1 steps between the "
    "first and the last.",
    section=f"{CHAPTER}#the-output-size",
)
def trans_conv_output_size_n_times_stride(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return n * stride - 2 * padding + dilation * (k - 1) + output_padding + 1


@mistake(
    "trans_conv_output_size",
    summary="adds the padding instead of removing it",
    hint="A transposed convolution crops padding rows from each border of its result, so the padding "
    "makes the output smaller, the opposite of a convolution.",
    section=f"{CHAPTER}#padding",
)
def trans_conv_output_size_adds_padding(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return (n - 1) * stride + 2 * padding + dilation * (k - 1) + output_padding + 1


@mistake(
    "trans_conv_output_size",
    summary="removes the padding on one side only",
    hint="padding is cropped from both ends of the axis, so the output loses 2 * padding pixels.",
    section=f"{CHAPTER}#the-output-size",
)
def trans_conv_output_size_padding_once(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return (n - 1) * stride - padding + dilation * (k - 1) + output_padding + 1


@mistake(
    "trans_conv_output_size",
    summary="adds output_padding on both sides",
    hint="output_padding is added on one side only, at the bottom or the right of the output.",
    section=f"{CHAPTER}#output-padding",
)
def trans_conv_output_size_output_padding_twice(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return (n - 1) * stride - 2 * padding + dilation * (k - 1) + 2 * output_padding + 1


@mistake(
    "trans_conv_output_size",
    summary="uses the convolution's formula",
    hint="A transposed convolution goes the other way: it maps the output length of a convolution back "
    "to its input length, so solve the convolution's formula for n instead.",
    section=f"{CHAPTER}#the-output-size",
)
def trans_conv_output_size_conv_formula(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


@mistake(
    "trans_conv_output_size",
    summary="gets the size from PyTorch tensors or layers",
    hint="The exercise is to derive the size with the formula, in Python integers; running a real "
    "transposed convolution is how the check computes the expected answer.",
)
def trans_conv_output_size_builtin(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    layer = nn.ConvTranspose2d(
        1,
        1,
        (k, 1),
        stride=(stride, 1),
        padding=(padding, 0),
        output_padding=(output_padding, 0),
        dilation=(dilation, 1),
    )
    return layer(torch.zeros(1, 1, n, 1)).shape[2]


# An answer right on the chapter's examples that breaks a stated property of trans_conv_output_size.


@breaks("trans_conv_output_size", "from scratch")
def trans_conv_output_size_measured(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    x, w = torch.zeros(1, 1, n), torch.zeros(1, 1, k)
    y = F.conv_transpose1d(x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    return y.shape[-1]
