"""Wrong answers to chapter 2's ``corr2d``, ``conv2d_flipped`` and ``corr2d_vectorized``."""

import torch
import torch.nn.functional as F

from autograder.mistakes import mistake
from autograder.reference.correlation import corr2d


@mistake(
    "corr2d",
    summary="output one row and one column short",
    hint="A kh x kw kernel fits at H - kh + 1 vertical positions, not H - kh: count the "
    "positions on the 3x3 example by hand.",
)
def corr2d_off_by_one(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h, X.shape[1] - w, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="kernel height and width swapped",
    hint="K.shape is (height, width): rows first. Square kernels hide this mistake, so "
    "test with a 2x3 kernel.",
)
def corr2d_kernel_dims_swapped(X, K):
    w, h = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="assumes a square input (uses H for both sides)",
    hint="The input has H rows and W columns; use both sizes from X.shape.",
)
def corr2d_square_input(X, K):
    h, w = K.shape
    n = X.shape[0]
    Y = torch.zeros(n - h + 1, n - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="flips the kernel (computes a true convolution)",
    hint="Cross-correlation slides K as it is; flipping K gives the mathematical "
    "convolution, which is the next exercise.",
)
def corr2d_flips_kernel(X, K):
    K = torch.flip(K, dims=(0, 1))
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="matrix product of window and kernel instead of elementwise product",
    hint="Each output is the sum of elementwise products of the window and K "
    "(window * K), not a matrix product (window @ K).",
)
def corr2d_matmul(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] @ K.T).sum()
    return Y


@mistake(
    "corr2d",
    summary="allocates the output as float32 whatever the input's dtype",
    hint="torch.zeros(...) is float32 by default; pass dtype=X.dtype and device=X.device.",
)
def corr2d_float32_output(X, K):
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


@mistake(
    "corr2d",
    summary="calls the built-in F.conv2d",
    hint="This exercise asks you to write the sliding window yourself; F.conv2d is the "
    "reference it is checked against.",
)
def corr2d_builtin(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]


@mistake(
    "conv2d_flipped",
    summary="does not flip the kernel (returns the cross-correlation)",
    hint="A true convolution flips K on both axes before sliding it: torch.flip(K, dims=(0, 1)).",
)
def conv2d_flipped_not_flipped(X, K):
    return corr2d(X, K)


@mistake(
    "conv2d_flipped",
    summary="flips the kernel on one axis only",
    hint="Convolution flips K both top-to-bottom and left-to-right (a 180 degree turn).",
)
def conv2d_flipped_one_axis(X, K):
    return corr2d(X, torch.flip(K, dims=(1,)))


@mistake(
    "conv2d_flipped",
    summary="transposes the kernel instead of flipping it",
    hint="K.T swaps rows and columns; a flip reverses their order. They agree only for "
    "special kernels.",
)
def conv2d_flipped_transposed(X, K):
    return corr2d(X, K.T)


@mistake(
    "conv2d_flipped",
    summary="flips both the input and the kernel",
    hint="Only the kernel is flipped; flipping X as well turns the whole output upside down.",
)
def conv2d_flipped_flips_input(X, K):
    return corr2d(torch.flip(X, dims=(0, 1)), torch.flip(K, dims=(0, 1)))


@mistake(
    "conv2d_flipped",
    summary="calls the built-in F.conv2d",
    hint="Build the convolution from your own corr2d and torch.flip.",
)
def conv2d_flipped_builtin(X, K):
    return F.conv2d(X[None, None], torch.flip(K, dims=(0, 1))[None, None])[0, 0]


@mistake(
    "corr2d_vectorized",
    summary="still loops over the output rows",
    hint="A loop over rows (or pixels) runs more operations as the image grows. Tensor.unfold "
    "on both dimensions gives every window at once, with no loop at all.",
)
def corr2d_vectorized_row_loop(X, K):
    h, w = K.shape
    rows = [(X[i:i + h].unfold(1, w, 1) * K[:, None, :]).sum(dim=(0, 2)) for i in range(X.shape[0] - h + 1)]
    return torch.stack(rows)


@mistake(
    "corr2d_vectorized",
    summary="multiplies the windows by the transposed kernel",
    hint="X.unfold(0, h, 1).unfold(1, w, 1) has windows of shape (h, w), laid out like K "
    "itself; multiply by K, not K.T.",
)
def corr2d_vectorized_transposed_kernel(X, K):
    h, w = K.shape
    windows = X.unfold(0, h, 1).unfold(1, w, 1)
    return (windows.reshape(*windows.shape[:2], -1) @ K.T.reshape(-1))


@mistake(
    "corr2d_vectorized",
    summary="reshapes F.unfold's columns with height and width swapped",
    hint="F.unfold lists windows row by row, so the flat result reshapes to "
    "(H - kh + 1, W - kw + 1), height first.",
)
def corr2d_vectorized_swapped_reshape(X, K):
    h, w = K.shape
    columns = F.unfold(X[None, None], (h, w))[0]
    return (K.reshape(1, -1) @ columns).reshape(X.shape[1] - w + 1, X.shape[0] - h + 1)


@mistake(
    "corr2d_vectorized",
    summary="calls the built-in F.conv2d",
    hint="Vectorize the sliding window yourself (unfold, as_strided or shifted slices).",
)
def corr2d_vectorized_builtin(X, K):
    return F.conv2d(X[None, None], K[None, None])[0, 0]
