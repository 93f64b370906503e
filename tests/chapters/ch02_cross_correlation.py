"""Chapter 2 (cross-correlation): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    # mistake: a phrase its first failing check must say
    "corr2d_off_by_one": "Expected shape (2, 2), got shape (1, 1).",
    "corr2d_flips_kernel": "First wrong value at index (0, 0): expected 19, got 5.",
    "corr2d_float32_output": "does not keep the input's dtype: given float64 inputs, it returned a torch.float32",
    "corr2d_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "corr2d_vectorized_row_loop": "must not loop over the input: it ran 16 tensor operations on the smaller",
    # the output flipped rather than the kernel: the effect, not a cause the student did not write
    "conv2d_flipped_flips_output": "returns the cross-correlation turned by 180 degrees",
    "corr1d_flips_kernel": "First wrong value at index (0,): expected 0, got 4.",
    "corr1d_off_by_one": "Expected shape (6,), got shape (5,).",
    "corr1d_sums_then_multiplies": "First wrong value at index (0,): expected 0, got 6.",
    "corr1d_same_length": "Expected shape (6,), got shape (8,).",
    "corr1d_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
}

OTHER_WRONG_ANSWERS = {
    "conv2d_flipped_flips_output": (
        "conv2d_flipped",
        "def conv2d_flipped(X, K):\n    return corr2d(X, K).flip(0, 1)\n",
    ),
}

OTHER_CORRECT_ANSWERS = {
    "corr1d": [
        # all windows at once: Tensor.unfold is allowed, it is no convolution
        "def corr1d(x, k):\n    return (x.unfold(0, k.shape[0], 1) * k).sum(dim=1)\n",
        # a loop over the kernel's taps, shifted slices of x
        (
            "def corr1d(x, k):\n"
            "    n = x.shape[0] - k.shape[0] + 1\n"
            "    return sum(x[j : j + n] * k[j] for j in range(k.shape[0]))\n"
        ),
    ],
}

HIDDEN_FAILURES = {
    "corr2d_square_input": r"Hidden check \d of \d failed \(grading seed {seed}\), on X \d+x\d+ and K",
}

PROPERTIES = {
    "corr2d": ("dtype", "device", "differentiable", "unchanged", "non-square", "from scratch"),
    "conv2d_flipped": ("differentiable", "unchanged", "non-square", "from scratch"),
    "corr2d_vectorized": ("dtype", "differentiable", "unchanged", "non-square", "from scratch"),
    "corr1d": ("dtype", "device", "differentiable", "unchanged", "from scratch"),
}
