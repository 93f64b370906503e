"""Wrong answers to chapter 2's ``corr2d``, ``conv2d_flipped``, ``corr2d_vectorized`` and ``corr1d``."""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch02_cross_correlation.reference import corr2d
from autograder.runtime.mistakes import breaks, mistake


@mistake(
    "corr2d",
    summary="output one row and one column short",
    hint="A kh x kw kernel fits at H - kh + 1 vertical positions, not H - kh: count the "
    "positions on the 3x3 example by hand.",
    section="ch02_cross_correlation#a-sliding-sum-of-products",
)
def corr2d_off_by_one(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h, X.shape[1] - w, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="kernel height and width swapped",
    hint="The output has the size a kernel turned on its side (kw x kh) would give. K.shape "
    "lists the height first, then the width; a square kernel hides the difference, so test "
    "with a 2 x 3 one.",
    section="ch02_cross_correlation#a-sliding-sum-of-products",
)
def corr2d_kernel_dims_swapped(X, K):
    w, h = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="assumes a square input (uses H for both sides)",
    hint="The input has H rows and W columns, and the output's width comes from W, not H; a "
    "square test input hides the difference, so try a 4 x 6 input with a 2 x 3 kernel.",
    section="ch02_cross_correlation#a-sliding-sum-of-products",
)
def corr2d_square_input(X, K):
    h, w = K.shape
    n = X.shape[0]
    Y = torch.zeros(n - h + 1, n - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="flips the kernel (computes a true convolution)",
    hint="Cross-correlation slides K as it is; flipping K gives the mathematical "
    "convolution, which is the next exercise.",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
def corr2d_flips_kernel(X, K):
    K = torch.flip(K, dims=(0, 1))
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="combines window and kernel by a matrix product instead of entry by entry",
    hint="The shape is right but the values are not: each output must be the sum of the "
    "products of the window and K entry by entry, as in the sliding-window figure. A matrix "
    "product, the usual cause, mixes rows of the window with columns of K.",
    section="ch02_cross_correlation#a-sliding-sum-of-products",
)
def corr2d_matmul(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] @ K.T).sum()
    return Y


@mistake(
    "corr2d",
    summary="returns float32 on the CPU whatever the input's dtype and device",
    hint="A float64 input gets a float32 result. A new tensor is float32 on the CPU unless "
    "told otherwise, so the usual cause is an output made without the dtype and device of X.",
    section="ch02_cross_correlation#cross-correlation",
)
def corr2d_float32_output(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="calls the built-in F.conv2d",
    hint="This exercise asks you to write the sliding window yourself; F.conv2d is the "
    "reference it is checked against.",
    section="ch02_cross_correlation#a-sliding-sum-of-products",
)
def corr2d_builtin(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]


@mistake(
    "conv2d_flipped",
    summary="does not flip the kernel (returns the cross-correlation)",
    hint="A true convolution turns K by 180 degrees (flipped along both axes) before sliding "
    "it over X; without the flip you get the cross-correlation again. torch.flip does the "
    "turning.",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
def conv2d_flipped_not_flipped(X, K):
    return corr2d(X, K)


@mistake(
    "conv2d_flipped",
    summary="flips the kernel on one axis only",
    hint="A true convolution flips K both top-to-bottom and left-to-right (a 180 degree turn, "
    "as in the kernel-flip figure); flipping one axis only gives a mirror image of K.",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
def conv2d_flipped_one_axis(X, K):
    return corr2d(X, torch.flip(K, dims=(1,)))


@mistake(
    "conv2d_flipped",
    summary="applies the kernel transposed instead of turned",
    hint="The results are those of K with rows and columns swapped, while a convolution "
    "reverses their order: for the chapter's kernel [[0, 1], [2, 3]] the transpose is [[0, "
    "2], [1, 3]] but the turned kernel is [[3, 2], [1, 0]].",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
def conv2d_flipped_transposed(X, K):
    return corr2d(X, K.T)


@mistake(
    "conv2d_flipped",
    summary="returns the cross-correlation turned by 180 degrees",
    hint="Your output is the cross-correlation turned upside down and left to right, not the "
    "convolution: the flip belongs on the kernel alone. Usual causes: flipping X as well as K, "
    "or flipping the result instead of K.",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
def conv2d_flipped_flips_input(X, K):
    return corr2d(torch.flip(X, dims=(0, 1)), torch.flip(K, dims=(0, 1)))


@mistake(
    "conv2d_flipped",
    summary="calls the built-in F.conv2d",
    hint="The exercise asks you to build the convolution from your own corr2d and torch.flip; "
    "F.conv2d is the reference it is checked against.",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
def conv2d_flipped_builtin(X, K):
    return F.conv2d(X[None, None], torch.flip(K, dims=(0, 1))[None, None])[0, 0]


@mistake(
    "corr2d_vectorized",
    summary="still loops over the output rows",
    hint="A loop over rows (or pixels) runs more operations as the image grows. Tensor.unfold "
    "on both dimensions gives every window at once, with no loop at all.",
    section="ch02_cross_correlation#all-windows-at-once",
)
def corr2d_vectorized_row_loop(X, K):
    h, w = K.shape
    rows = [(X[i : i + h].unfold(1, w, 1) * K[:, None, :]).sum(dim=(0, 2)) for i in range(X.shape[0] - h + 1)]
    return torch.stack(rows)


@mistake(
    "corr2d_vectorized",
    summary="pairs the windows with the kernel transposed",
    hint="The results are those of K with rows and columns swapped. Unfolding the rows and "
    "then the columns gives windows of shape (kh, kw), laid out like K itself (entry [a, b] of "
    "a window meets K[a, b]); a transposed K pairs the entries with the wrong weights.",
    section="ch02_cross_correlation#all-windows-at-once",
)
def corr2d_vectorized_transposed_kernel(X, K):
    h, w = K.shape
    windows = X.unfold(0, h, 1).unfold(1, w, 1)
    return windows.reshape(*windows.shape[:2], -1) @ K.T.reshape(-1)


@mistake(
    "corr2d_vectorized",
    summary="reshapes F.unfold's columns with height and width swapped",
    hint="F.unfold lists the windows row by row, one output row after another, so the flat "
    "result reads back with the output's height first and its width second; a square input "
    "hides the swap.",
    section="ch02_cross_correlation#all-windows-at-once",
)
def corr2d_vectorized_swapped_reshape(X, K):
    h, w = K.shape
    columns = F.unfold(X[None, None], (h, w))[0]
    return (K.reshape(1, -1) @ columns).reshape(X.shape[1] - w + 1, X.shape[0] - h + 1)


@mistake(
    "corr2d_vectorized",
    summary="calls the built-in F.conv2d",
    hint="Vectorize the sliding window yourself (unfold, as_strided or shifted slices).",
    section="ch02_cross_correlation#all-windows-at-once",
)
def corr2d_vectorized_builtin(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]


@mistake(
    "corr1d",
    summary="reverses the kernel (computes a true 1-D convolution)",
    hint="The values are those of the kernel read backwards: cross-correlation slides k as it "
    "is, while the convolution of signal processing (np.convolve, for one) reverses it first. "
    "Usual causes: k.flip(0), or an index such as k[w - 1 - j] where k[j] belongs.",
    section="ch02_cross_correlation#one-and-three-dimensions",
)
def corr1d_flips_kernel(x, k):
    k = torch.flip(k, dims=(0,))
    w = k.shape[0]
    y = torch.zeros(x.shape[0] - w + 1, dtype=x.dtype, device=x.device)
    for i in range(y.shape[0]):
        y[i] = (x[i : i + w] * k).sum()
    return y


@mistake(
    "corr1d",
    summary="output one element short (n - w instead of n - w + 1)",
    hint="A kernel of length w fits at n - w + 1 positions along a signal of length n (the "
    "last window starts at n - w): range(n - w) stops one position early.",
    section="ch02_cross_correlation#one-and-three-dimensions",
)
def corr1d_off_by_one(x, k):
    w = k.shape[0]
    y = torch.zeros(x.shape[0] - w, dtype=x.dtype, device=x.device)
    for i in range(y.shape[0]):
        y[i] = (x[i : i + w] * k).sum()
    return y


@mistake(
    "corr1d",
    summary="multiplies the window's sum by the kernel's sum",
    hint="Each output must be the sum of the products of the window and k entry by entry "
    "(x[i] k[0] + x[i+1] k[1] + ...). The sum of the window times the sum of k also multiplies "
    "every entry by every weight, so the values come out wrong wherever the window is not flat.",
    section="ch02_cross_correlation#one-and-three-dimensions",
)
def corr1d_sums_then_multiplies(x, k):
    w = k.shape[0]
    y = torch.zeros(x.shape[0] - w + 1, dtype=x.dtype, device=x.device)
    for i in range(y.shape[0]):
        y[i] = x[i : i + w].sum() * k.sum()
    return y


@mistake(
    "corr1d",
    summary="keeps the input's length (windows run past the end, padded with zeros)",
    hint="The output is as long as x, with w - 1 extra values at the end: windows that stick "
    "out past the end of the signal do not count here. Without padding (chapter 4) the output "
    "has n - w + 1 entries.",
    section="ch02_cross_correlation#one-and-three-dimensions",
)
def corr1d_same_length(x, k):
    w = k.shape[0]
    padded = torch.cat([x, x.new_zeros(w - 1)])
    y = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
    for i in range(y.shape[0]):
        y[i] = (padded[i : i + w] * k).sum()
    return y


@mistake(
    "corr1d",
    summary="calls the built-in F.conv1d",
    hint="This exercise asks you to write the sliding window yourself; F.conv1d is the reference "
    "it is checked against.",
    section="ch02_cross_correlation#one-and-three-dimensions",
)
def corr1d_builtin(x, k):
    return F.conv1d(x[None, None], k[None, None])[0, 0]


# --- Answers right on the chapter's example that break a property the exercises state ---------


@breaks("corr2d", "dtype")
def corr2d_default_dtype(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@breaks("corr2d", "device")
def corr2d_default_device(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@breaks("corr2d", "differentiable")
def corr2d_python_numbers(X, K):
    h, w = K.shape
    rows = [
        [float((X[i : i + h, j : j + w] * K).sum()) for j in range(X.shape[1] - w + 1)]
        for i in range(X.shape[0] - h + 1)
    ]
    return torch.tensor(rows, dtype=X.dtype, device=X.device)


@breaks("corr2d", "unchanged")
def corr2d_output_over_input(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    X[: Y.shape[0], : Y.shape[1]] = Y  # reuse the input's memory for the output
    return X[: Y.shape[0], : Y.shape[1]]


@breaks("corr2d", "non-square")
def corr2d_one_side(X, K):
    h, w = K.shape
    n = X.shape[0] - h + 1
    Y = torch.zeros(n, n, dtype=X.dtype, device=X.device)
    for i in range(n):
        for j in range(n):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


@breaks("corr2d", "from scratch")
def corr2d_conv_layer(X, K):
    layer = nn.Conv2d(1, 1, K.shape, bias=False).to(X.device, X.dtype)
    with torch.no_grad():
        layer.weight.copy_(K)
    return layer(X[None, None])[0, 0]


@breaks("conv2d_flipped", "differentiable")
def conv2d_flipped_numpy_flip(X, K):
    import numpy as np

    return corr2d(X, torch.from_numpy(np.flip(K.numpy(), axis=(0, 1)).copy()).to(K.device))


@breaks("conv2d_flipped", "unchanged")
def conv2d_flipped_in_place(X, K):
    K.copy_(torch.flip(K, dims=(0, 1)))
    return corr2d(X, K)


@breaks("conv2d_flipped", "non-square")
def conv2d_flipped_reshaped(X, K):
    h, w = K.shape
    return corr2d(X, K.reshape(-1).flip(0).reshape(w, h))


@breaks("conv2d_flipped", "from scratch")
def conv2d_flipped_conv_layer(X, K):
    return F.conv2d(X[None, None], K.flip(0, 1)[None, None])[0, 0]


@breaks("corr2d_vectorized", "differentiable")
def corr2d_vectorized_numpy(X, K):
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(X.detach().cpu().numpy(), tuple(K.shape))
    return torch.einsum("ijab,ab->ij", torch.from_numpy(windows.copy()).to(X.device), K.detach())


@breaks("corr2d_vectorized", "dtype")
def corr2d_vectorized_float_kernel(X, K):
    h, w = K.shape
    windows = X.unfold(0, h, 1).unfold(1, w, 1)
    return torch.einsum("ijab,ab->ij", windows.float(), K.float())


@breaks("corr2d_vectorized", "unchanged")
def corr2d_vectorized_unfold_in_place(X, K):
    h, w = K.shape
    H, W = X.shape
    columns = F.unfold(X.unsqueeze_(0).unsqueeze_(0), (h, w))
    return (K.reshape(1, -1) @ columns).reshape(H - h + 1, W - w + 1)


@breaks("corr2d_vectorized", "non-square")
def corr2d_vectorized_square_windows(X, K):
    h = K.shape[0]
    windows = X.unfold(0, h, 1).unfold(1, h, 1)
    return (windows * K).sum(dim=(2, 3))


@breaks("corr2d_vectorized", "from scratch")
def corr2d_vectorized_conv_layer(X, K):
    layer = nn.Conv2d(1, 1, K.shape, bias=False).to(X.device, X.dtype)
    layer.weight.data.copy_(K)
    return layer(X[None, None])[0, 0]


@breaks("corr1d", "dtype")
def corr1d_default_dtype(x, k):
    w = k.shape[0]
    y = torch.zeros(x.shape[0] - w + 1, device=x.device)
    for i in range(y.shape[0]):
        y[i] = (x[i : i + w] * k).sum()
    return y


@breaks("corr1d", "device")
def corr1d_default_device(x, k):
    w = k.shape[0]
    y = torch.zeros(x.shape[0] - w + 1, dtype=x.dtype)
    for i in range(y.shape[0]):
        y[i] = (x[i : i + w] * k).sum()
    return y


@breaks("corr1d", "differentiable")
def corr1d_python_numbers(x, k):
    w = k.shape[0]
    values = [float((x[i : i + w] * k).sum()) for i in range(x.shape[0] - w + 1)]
    return torch.tensor(values, dtype=x.dtype, device=x.device)


@breaks("corr1d", "unchanged")
def corr1d_output_over_input(x, k):
    w = k.shape[0]
    n = x.shape[0] - w + 1
    for i in range(n):
        x[i] = (x[i : i + w] * k).sum()  # overwrites x[i], which no later window reads
    return x[:n]


@breaks("corr1d", "from scratch")
def corr1d_conv_layer(x, k):
    layer = nn.Conv1d(1, 1, k.shape[0], bias=False).to(x.device, x.dtype)
    with torch.no_grad():
        layer.weight.copy_(k)
    return layer(x[None, None])[0, 0]
