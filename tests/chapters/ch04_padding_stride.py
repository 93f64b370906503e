"""Chapter 4 (padding, stride and dilation): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "conv_output_size_ceil": "conv_output_size(n=8, k=3, padding=1, stride=2, dilation=1) returned 5, expected 4.",
    "conv_output_size_dilation_ignored": "conv_output_size(n=7, k=3, padding=0, stride=1, dilation=2) returned 5, "
    "expected 3.",
    "conv_output_size_true_division": "returned 6.0, a float; it must return a Python int",
    "conv_output_size_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "conv_output_size_first_dimension_only": "conv_output_size(n=(6, 5), k=(3, 3)) (default padding, stride and "
    "dilation) returned 4; with tuple arguments (2 spatial dimensions) it must return a tuple of 2 ints",
    "conv_output_size_no_broadcast": "conv_output_size(n=(6, 5), k=(3, 3)) (default padding, stride and dilation) "
    "raised TypeError: 'int' object is not iterable",
    "conv_output_size_list": "returned [4, 3], a list; with tuple arguments it must return a tuple",
    "conv_output_size_always_tuple": "conv_output_size(n=8, k=3) (default padding, stride and dilation) returned (6,) "
    "(of type tuple); it must return a Python int",
    "pad2d_pair_swapped": "Expected shape (7, 6), got shape (5, 8).",
    "pad2d_ones": "First wrong value at index (0, 0): expected 0, got 1.",
    "pad2d_float32": "pad2d(X, (2, 1)) with a non-square X = 1..12 as 3x4 (2 rows above and below, 1 column left "
    "and right) does not keep the input's dtype: given float64 inputs, it returned a torch.float32 tensor.",
    "pad2d_tolist": "pad2d(X, (2, 1)) with a non-square X = 1..12 as 3x4 (2 rows above and below, 1 column left "
    "and right) is not differentiable",
    "pad2d_builtin": "must be written from scratch, but it called PyTorch's built-in padding",
    "corr2d_general_dilation_ignored": "Expected shape (3, 5), got shape (4, 6).",
    "corr2d_general_padding_one_side": "Expected shape (4, 4), got shape (3, 3).",
    "corr2d_general_stride_rows_only": "First wrong value at index (0, 1): expected 8, got 3.",
    "corr2d_general_item": "corr2d_general(X, K, padding=0, stride=1, dilation=2) with a non-square X 5x7 (0..34 "
    "mod 6), K = [[0, 1], [2, 3]] (output 3x5) is not differentiable",
    "corr2d_general_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
}

HIDDEN_FAILURES = {
    "pad2d_float32": r"Hidden check 5 of 8 failed \(grading seed {seed}\), on X \d+x\d+ \(torch.float64\) "
    r"with padding \(\d, \d\)",
    "corr2d_general_item": r"Hidden check 8 of 9 failed \(grading seed {seed}\), on the gradient with respect "
    r"to X and K: X \d+x\d+ and K \d+x\d+ \(torch.float64\), padding=\(\d, \d\)",
}

ONE_HINT_PER_MISTAKE = True

MISTAKE_SEEDS = range(0, 100, 13)
SOLUTION_SEEDS = range(60)

OTHER_CORRECT_ANSWERS = {
    "conv_output_size": [
        # math.floor of a true division is an int too; tuples handled axis by axis
        (
            "import math\n\ndef conv_output_size(n, k, padding=0, stride=1, dilation=1):\n"
            "    if isinstance(n, tuple) or not all(isinstance(a, int) for a in (k, padding, stride, dilation)):\n"
            "        dims = max(len(a) for a in (n, k, padding, stride, dilation) if isinstance(a, tuple))\n"
            "        axes = [a if isinstance(a, tuple) else (a,) * dims for a in (n, k, padding, stride, dilation)]\n"
            "        return tuple(conv_output_size(*axis) for axis in zip(*axes))\n"
            "    return math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1\n"
        ),
        # counting the start positions, with the ints broadcast by a helper
        (
            "def conv_output_size(n, k, padding=0, stride=1, dilation=1):\n"
            "    args = (n, k, padding, stride, dilation)\n"
            "    if all(type(a) is int for a in args):\n"
            "        span = dilation * (k - 1) + 1\n"
            "        return len(range(0, n + 2 * padding - span + 1, stride))\n"
            "    dims = {len(a) for a in args if type(a) is tuple}.pop()\n"
            "    def at(a, i):\n"
            "        return a if type(a) is int else a[i]\n"
            "    return tuple(conv_output_size(*(at(a, i) for a in args)) for i in range(dims))\n"
        ),
    ],
    "pad2d": [
        # torch.cat of zero blocks
        (
            "def pad2d(X, padding):\n"
            "    ph, pw = (padding, padding) if isinstance(padding, int) else padding\n"
            "    side = X.new_zeros(X.shape[0], pw)\n"
            "    X = torch.cat([side, X, side], dim=1)\n"
            "    top = X.new_zeros(ph, X.shape[1])\n"
            "    return torch.cat([top, X, top], dim=0)\n"
        ),
    ],
    "corr2d_general": [
        # F.pad is allowed here, and so is Tensor.unfold
        (
            "def corr2d_general(X, K, padding=0, stride=1, dilation=1):\n"
            "    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)\n"
            "    (ph, pw), (sh, sw), (dh, dw) = pair(padding), pair(stride), pair(dilation)\n"
            "    X = F.pad(X, (pw, pw, ph, ph))\n"
            "    kh, kw = K.shape\n"
            "    windows = X.unfold(0, dh * (kh - 1) + 1, sh).unfold(1, dw * (kw - 1) + 1, sw)\n"
            "    return (windows[..., ::dh, ::dw] * K).sum(dim=(-2, -1))\n"
        ),
        # a dilated kernel with zeros between the taps, then a strided plain correlation
        (
            "def corr2d_general(X, K, padding=0, stride=1, dilation=1):\n"
            "    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)\n"
            "    (sh, sw), (dh, dw) = pair(stride), pair(dilation)\n"
            "    X = pad2d(X, padding)\n"
            "    kh, kw = K.shape\n"
            "    D = K.new_zeros(dh * (kh - 1) + 1, dw * (kw - 1) + 1)\n"
            "    D[::dh, ::dw] = K\n"
            "    windows = X.unfold(0, D.shape[0], 1).unfold(1, D.shape[1], 1)\n"
            "    return (windows * D).sum(dim=(-2, -1))[::sh, ::sw]\n"
        ),
    ],
}

SECTIONS_ELSEWHERE = {
    "pad2d_tolist": "ch01_autograd",
    "corr2d_general_item": "ch01_autograd",
}

_TENSOR = ("dtype", "device", "differentiable", "unchanged", "from scratch", "non-square")
PROPERTIES = {
    # a Python int, computed with arithmetic (no convolution run to read the size off)
    "conv_output_size": ("from scratch",),
    "pad2d": _TENSOR,
    "corr2d_general": _TENSOR,
}
