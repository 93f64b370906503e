"""Chapter 5 (channels): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "corr2d_multi_in_stacked": "Expected shape (2, 2), got shape (2, 2, 2).",
    "corr2d_multi_in_mean": "First wrong value at index (0, 0): expected 56, got 28.",
    "corr2d_multi_in_float32_buffer": "does not keep the input's dtype: given float64 inputs, it returned a "
    "torch.float32 tensor.",
    "corr2d_multi_in_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "corr2d_multi_in_out_sums_outputs": "Expected shape (3, 2, 2), got shape (2, 2).",
    "corr2d_multi_in_out_channels_last": "Expected shape (3, 2, 2), got shape (2, 2, 3).",
    "corr2d_1x1_output_loop": "must not loop over the input: it ran",
    "corr2d_1x1_kernel_transposed": "First wrong value at index (0, 0, 0): expected 18, got 6.",
    "corr2d_1x1_broadcast_sum": "gives the right values, but it ran no matrix product",
    "corr2d_1x1_reuses_multi_in_out": "gives the right values, but it ran no matrix product",
    "corr2d_grouped_reversed_groups": "First wrong value at index (0, 0, 0): expected 56, got 124.",
    # one explanation for an answer that ignores groups (it reads the first block of X for every group)
    "corr2d_grouped_groups_ignored": "Hint: Every output channel was computed from the first Ci // groups input "
    "channels only",
    "conv2d_num_params_no_bias": (
        "conv2d_num_params(in_channels=3, out_channels=64, kernel_size=3, bias=True, groups=1) "
        "returned 1728, expected 1792."
    ),
    "conv2d_num_params_groups_ignored": "groups=4) returned 73856, expected 18560.",
    "conv2d_num_params_pair_as_square": "kernel_size=(3, 5), bias=True, groups=1) (a non-square kernel) returned 57, "
    "expected 93.",
    "conv2d_num_params_float": "returned 1792.0, a float; it must return a Python int. A float usually comes from "
    "true division /",
    "conv2d_num_params_builds_module": "built a layer or tensors to count the parameters: counting must not build "
    "the layer",
    "linear_num_params_bias_per_input": (
        "linear_num_params(in_features=784, out_features=10, bias=True) returned 8624, expected 7850."
    ),
    "linear_num_params_bias_always": "linear_num_params(in_features=10, out_features=5, bias=False) returned 55",
}

ONE_HINT_PER_MISTAKE = True

HIDDEN_FAILURES = {
    "corr2d_multi_in_float32_buffer": r"Hidden check \d of \d failed \(grading seed {seed}\), on X of shape "
    r"\(\d+, \d+, \d+\) and K of shape \(\d+, \d+, \d+\) \(torch.float64\)",
}

OTHER_CORRECT_ANSWERS = {
    "corr2d_multi_in": """
def corr2d_multi_in(X, K):
    windows = X.unfold(1, K.shape[1], 1).unfold(2, K.shape[2], 1)
    return torch.einsum("chwab,cab->hw", windows, K)
""",
    "corr2d_multi_in_out": """
def corr2d_multi_in_out(X, K):
    outputs = []
    for o in range(K.shape[0]):
        outputs.append(corr2d_multi_in(X, K[o]))
    return torch.stack(outputs)
""",
    "corr2d_grouped": """
def corr2d_grouped(X, K, groups):
    xs, ks = X.chunk(groups), K.chunk(groups)
    return torch.cat([corr2d_multi_in_out(x, k) for x, k in zip(xs, ks)])
""",
    "conv2d_num_params": """
import math

def conv2d_num_params(in_channels, out_channels, kernel_size, bias=True, groups=1):
    size = (kernel_size,) * 2 if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels // groups * math.prod(size) + bias * out_channels
""",
    "linear_num_params": """
def linear_num_params(in_features, out_features, bias=True):
    return (in_features + int(bias)) * out_features
""",
    # any single matrix product counts: @, torch.matmul, einsum, tensordot
    "corr2d_1x1": {
        "einsum": 'def corr2d_1x1(X, K):\n    return torch.einsum("oi,ihw->ohw", K[:, :, 0, 0], X)\n',
        "tensordot": "def corr2d_1x1(X, K):\n    return torch.tensordot(K.flatten(1), X, dims=1)\n",
        "channels last": "def corr2d_1x1(X, K):\n    return (X.permute(1, 2, 0) @ K.flatten(1).T).permute(2, 0, 1)\n",
        "matmul on 3-D": "def corr2d_1x1(X, K):\n    return (K.flatten(1) @ X.flatten(1)).unflatten(1, X.shape[1:])\n",
    },
}

_TENSOR = ("dtype", "device", "differentiable", "unchanged", "from scratch", "non-square")
PROPERTIES = {
    "corr2d_multi_in": _TENSOR,
    "corr2d_multi_in_out": _TENSOR,
    "corr2d_1x1": _TENSOR,
    "corr2d_grouped": _TENSOR,
    # counts: a Python int computed with arithmetic, without building the layer or any tensor
    "conv2d_num_params": ("from scratch", "non-square"),
    "linear_num_params": ("from scratch",),
}
