"""Chapter 6 (transposed convolution): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "conv_matrix_transposed": "Expected shape (4, 9), got shape (9, 4).",
    "conv_matrix_output_width": "First wrong value at index (0, 2): expected 0, got 3.",
    "conv_matrix_flipped": "First wrong value at index (0, 0): expected 1, got 4.",
    "conv_matrix_shape_swapped": "Expected shape (6, 15), got shape (4, 15).",
    "conv_matrix_float32": "on a non-square example: K 2x3 (0..5 mod 5, minus 2) and an input of 3 rows and 5 "
    "columns (W is 6x15) does not keep the input's dtype: given float64 inputs, it returned a torch.float32 tensor.",
    "conv_matrix_tolist": "(W is 6x15) is not differentiable: its result is not connected to its inputs",
    "conv_matrix_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "trans_conv_kernel_turned": "trans_conv(X, K) on the chapter's example (X = K = [[0, 1], [2, 3]]) is not right.",
    # the case: an answer that spreads flipped copies of K pads nothing, and is told what it does
    "trans_conv_spreads_flipped_kernel": "This looks like a known mistake: applies the kernel turned by 180 degrees.",
    "trans_conv_pads_input": "trans_conv(X, K, stride=1, padding=1) on the chapter's example (X = K = [[0, 1], "
    "[2, 3]]) is not right.\nExpected shape (1, 1), got shape (5, 5).",
    "trans_conv_stride_ignored": "stride=2, padding=0) on the chapter's example (X = K = [[0, 1], [2, 3]]) is not "
    "right.\nExpected shape (4, 4), got shape (3, 3).",
    "trans_conv_crop_one_side": "padding=1) on the chapter's example (X = K = [[0, 1], [2, 3]]) is not right.\n1 of 1",
    "trans_conv_overwrites": "First wrong value at index (1, 1): expected 4, got 0.",
    "trans_conv_pairs_swapped": "Expected shape (5, 2), got shape (2, 6).",
    "trans_conv_float32_buffer": "(output 5x2) does not keep the input's dtype: given float64 inputs, it returned a "
    "torch.float32 tensor.",
    "trans_conv_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "trans_conv_output_size_no_output_padding": (
        "trans_conv_output_size(n=4, k=3, stride=2, padding=1, output_padding=1, dilation=1) returned 7, expected 8."
    ),
    "trans_conv_output_size_dilation_ignored": (
        "trans_conv_output_size(n=3, k=3, stride=1, padding=0, output_padding=0, dilation=2) returned 5, expected 7."
    ),
    "trans_conv_output_size_n_times_stride": (
        "trans_conv_output_size(n=2, k=2) (default stride, padding, output_padding, dilation) returned 4, expected 3."
    ),
    "trans_conv_output_size_adds_padding": "padding=1, output_padding=0, dilation=1) returned 5, expected 1.",
    "trans_conv_output_size_conv_formula": "returned 1, expected 3.",
    "trans_conv_output_size_builtin": "dilation) used PyTorch tensors or layers; it must compute the size from scratch",
    # the case: a float made without any division is told what came back and the usual causes
    "trans_conv_output_size_float": "returned 3.0, a float; it must return a Python int. Usual causes: a float "
    "somewhere in the arithmetic",
}

OTHER_WRONG_ANSWERS = {
    "trans_conv_spreads_flipped_kernel": (
        "trans_conv",
        "def trans_conv(X, K, stride=1, padding=0):\n"
        "    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)\n"
        "    (sh, sw), (ph, pw) = pair(stride), pair(padding)\n"
        "    (H, W), (kh, kw) = X.shape, K.shape\n"
        "    Y = X.new_zeros((H - 1) * sh + kh, (W - 1) * sw + kw)\n"
        "    for i in range(H):\n"
        "        for j in range(W):\n"
        "            Y[i * sh:i * sh + kh, j * sw:j * sw + kw] += X[i, j] * K.flip(0, 1)\n"
        "    return Y[ph:Y.shape[0] - ph, pw:Y.shape[1] - pw]\n",
    ),
    "trans_conv_output_size_float": (
        "trans_conv_output_size",
        "def trans_conv_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1):\n"
        "    return float((n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1)\n",
    ),
}

HIDDEN_FAILURES = {
    "trans_conv_float32_buffer": r"Hidden check 7 of 10 failed \(grading seed {seed}\), on float64 with int stride "
    r"and padding: X \d+x\d+ and K \d+x\d+ \(torch.float64\), stride=\d, padding=\d",
}

SOLUTION_SEEDS = range(0, 200, 4)

PROPERTIES = {
    "conv_matrix": ("dtype", "device", "differentiable", "unchanged", "non-square", "from scratch"),
    "trans_conv": ("dtype", "device", "differentiable", "unchanged", "non-square", "from scratch"),
    "trans_conv_output_size": ("from scratch",),
}

OTHER_CORRECT_ANSWERS = {
    "conv_matrix": [
        # the columns are the responses to unit images, computed with chapter 2's finished corr2d
        (
            "def conv_matrix(K, input_shape):\n"
            "    H, W = input_shape\n"
            "    units = torch.eye(H * W, dtype=K.dtype, device=K.device).reshape(H * W, H, W)\n"
            "    return torch.stack([corr2d(u, K).flatten() for u in units], dim=1)\n"
        ),
        # the index of every entry, written in one scatter
        (
            "def conv_matrix(K, input_shape):\n"
            "    H, W = input_shape\n"
            "    kh, kw = K.shape\n"
            "    oh, ow = H - kh + 1, W - kw + 1\n"
            "    rows, cols, vals = [], [], []\n"
            "    for i in range(oh):\n"
            "        for j in range(ow):\n"
            "            for a in range(kh):\n"
            "                for b in range(kw):\n"
            "                    rows.append(i * ow + j)\n"
            "                    cols.append((i + a) * W + j + b)\n"
            "                    vals.append(K[a, b])\n"
            "    M = K.new_zeros(oh * ow, H * W)\n"
            "    M[rows, cols] = torch.stack(vals)\n"
            "    return M\n"
        ),
    ],
    "trans_conv": [
        # zeros between the input elements, a border of k - 1 zeros, the flipped kernel, a crop
        (
            "def trans_conv(X, K, stride=1, padding=0):\n"
            "    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)\n"
            "    (sh, sw), (ph, pw) = pair(stride), pair(padding)\n"
            "    kh, kw = K.shape\n"
            "    H, W = X.shape\n"
            "    Z = X.new_zeros((H - 1) * sh + 1 + 2 * (kh - 1), (W - 1) * sw + 1 + 2 * (kw - 1))\n"
            "    Z[kh - 1:Z.shape[0] - kh + 1:sh, kw - 1:Z.shape[1] - kw + 1:sw] = X\n"
            "    Y = corr2d(Z, K.flip(0, 1))\n"
            "    return Y[ph:Y.shape[0] - ph, pw:Y.shape[1] - pw]\n"
        ),
        # all the scaled kernels at once (an outer product), then added up kernel entry by entry
        (
            "def trans_conv(X, K, stride=1, padding=0):\n"
            "    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)\n"
            "    (sh, sw), (ph, pw) = pair(stride), pair(padding)\n"
            "    (H, W), (kh, kw) = X.shape, K.shape\n"
            "    pieces = torch.einsum('ij,ab->abij', X, K)\n"
            "    Y = X.new_zeros((H - 1) * sh + kh, (W - 1) * sw + kw)\n"
            "    for a in range(kh):\n"
            "        for b in range(kw):\n"
            "            Y[a:a + (H - 1) * sh + 1:sh, b:b + (W - 1) * sw + 1:sw] += pieces[a, b]\n"
            "    return Y[ph:Y.shape[0] - ph, pw:Y.shape[1] - pw]\n"
        ),
    ],
    "trans_conv_output_size": [
        (
            "def trans_conv_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1):\n"
            "    last_start = (n - 1) * stride\n"
            "    full = last_start + dilation * (k - 1) + 1\n"
            "    return full - padding - padding + output_padding\n"
        ),
    ],
}
