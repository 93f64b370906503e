"""Chapter 8 (linear layers and activations): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "linear_W_not_transposed": "raised RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x3)",
    "linear_bias_required": "linear(x, W) on a batch of 2 (x of shape (2, 5)), W of shape (3, 5) and no bias raised "
    "TypeError",
    "linear_only_2d": "with x of shape (2, 3, 4) (a leading batch of 2 x 3)",
    "linear_builtin": "called F.linear (which nn.Linear calls)",
    "sigmoid_exp_ratio": "is not numerically stable: its value at x = 100 is nan (expected 1)",
    "sigmoid_naive": "The gradient of sigmoid(x) on x = [-1000.0",
    "sigmoid_where_both_branches": "branch that torch.where discards",
    "sigmoid_builtin": "must be written from scratch, but it called PyTorch's built-in activation",
    "tanh_naive_exp": "is not numerically stable: its value at x = -1000 is nan (expected -1)",
    "tanh_plus_one": "First wrong value at index (0,): expected -0.964028, got 1.03597.",
    "relu_in_place": "changed its input in place",
    "relu_min_instead_of_max": "First wrong value at index (0,): expected 0, got -2.",
    "leaky_relu_slope_on_positives": "First wrong value at index (0,): expected -0.02, got -2.",
    "leaky_relu_ignores_slope": "leaky_relu(x, negative_slope=0.1) on x = [-2.0, -1.0, 0.0, 1.0, 2.0] is not right",
    "prelu_detached_slope": "with respect to a is not right",
    "prelu_4d_only": "Expected shape (1, 5), got shape (1, 1, 1, 5).",
    "rrelu_random_in_eval": "expected -0.458333",
    "rrelu_one_slope_per_call": "the slopes hardly vary",
    "rrelu_training_ignored": "the slopes hardly vary",
    "rrelu_unit_interval": "outside [lower, upper] = [0.125, 0.333333]",
    "rrelu_slope_on_positives": "on the positive inputs (they pass unchanged) is not right",
    "rrelu_reseeds": "called twice on the same input gave the same slopes for 100% of the elements",
    "sigmoid_grad_of_one_minus_x": "First wrong value at index (0,): expected 0.104994, got 0.11355.",
    "sigmoid_grad_naive": "sigmoid_grad(x) on the large inputs",
    "sigmoid_grad_autograd": "called torch.autograd.grad",
    "tanh_grad_one_minus_tanh": "First wrong value at index (0,): expected 0.0706508, got 1.96403.",
    "relu_grad_ones": "First wrong value at index (0,): expected 0, got 1.",
    "relu_grad_one_at_zero": "First wrong value at index (2,): expected 0, got 1.",
    "relu_grad_bool": "Expected dtype torch.float32 (the input's dtype), got torch.bool.",
    "leaky_relu_grad_one_at_zero": "First wrong value at index (2,): expected 0.01, got 1.",
    "relu_clamp_gradient_at_zero": "First wrong value at index (1,): expected 0, got 1.",
    "leaky_relu_one_at_zero": "First wrong value at index (1,): expected 0.1, got 1.",
    "rrelu_one_at_zero": "First wrong value at index (1,): expected 0.229167, got 1.",
}

OTHER_WRONG_ANSWERS = {
    # the instructor's linear, but it always adds a bias (a small one when given)
    "linear_always_bias": (
        "linear",
        (
            "_right_linear = linear\n\n"
            "def linear(x, W, b=None):\n"
            "    return _right_linear(x, W, torch.zeros(W.shape[0], dtype=x.dtype) if b is None else b + 1e-3)\n"
        ),
    ),
}

HIDDEN_FAILURES = {
    "linear_always_bias": r"Hidden check 1 of 10 failed \(grading seed {seed}\), on a batch \(N, in\): "
    r"x of shape \(\d+, \d+\), W of shape \(\d+, \d+\) \(torch.float32\)",
}

# rrelu's training-mode checks are statistical: they get the most seeds, each with its own
# random slopes.
SOLUTION_SEEDS = range(50)
SOLUTION_SEEDS_FOR = {"rrelu": range(200)}

OTHER_CORRECT_ANSWERS = {
    "linear": (
        "def linear(x, W, b=None):\n    y = torch.einsum('...i,oi->...o', x, W)\n    return y if b is None else y + b\n"
    ),
    "sigmoid": (
        "def sigmoid(x):\n    z = torch.exp(-x.abs())\n    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))\n"
    ),
    "tanh": ("def tanh(x):\n    z = torch.exp(-2 * x.abs())\n    return torch.sign(x) * (1 - z) / (1 + z)\n"),
    "relu": "def relu(x):\n    return x * (x > 0)\n",
    "leaky_relu": (
        "def leaky_relu(x, negative_slope=0.01):\n"
        "    return x * torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))\n"
    ),
    "prelu": (
        "def prelu(x, a):\n    shape = [1] * x.dim()\n    if a.numel() > 1:\n        shape[1] = -1\n"
        "    return relu(x) - a.reshape(shape if a.numel() > 1 else ()) * relu(-x)\n"
    ),
    "rrelu": (
        "def rrelu(x, lower=1/8, upper=1/3, training=False):\n    if not training:\n"
        "        return leaky_relu(x, (lower + upper) / 2)\n"
        "    slope = lower + (upper - lower) * torch.rand_like(x)\n    return torch.where(x <= 0, x * slope, x)\n"
    ),
    "sigmoid_grad": "def sigmoid_grad(x):\n    return sigmoid(x) * sigmoid(-x)\n",
    "tanh_grad": "def tanh_grad(x):\n    return (1 - tanh(x)) * (1 + tanh(x))\n",
    "relu_grad": "def relu_grad(x):\n    return torch.heaviside(x, torch.zeros_like(x))\n",
    "leaky_relu_grad": (
        "def leaky_relu_grad(x, negative_slope=0.01):\n"
        "    return (x > 0).to(x.dtype) + negative_slope * (x <= 0).to(x.dtype)\n"
    ),
}

EVERY_MISTAKE_HAS_A_SECTION = True

# What each exercise's text states. The derivatives are values: their text promises no gradient.
_FUNCTION = ("dtype", "device", "differentiable", "unchanged", "from scratch")
_DERIVATIVE = ("dtype", "device", "unchanged", "from scratch")
PROPERTIES = {
    "linear": (*_FUNCTION, "batch"),
    **dict.fromkeys(("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu"), _FUNCTION),
    **dict.fromkeys(("sigmoid_grad", "tanh_grad", "relu_grad", "leaky_relu_grad"), _DERIVATIVE),
}
