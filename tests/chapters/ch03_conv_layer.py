"""Chapter 3 (a convolutional layer that learns): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "Conv2D_bias_not_parameter": "its named_parameters() are: weight. self.bias is a plain tensor, not nn.Parameter",
    "Conv2D_weight_shape_swapped": "Conv2D((1, 2)).weight should have shape (1, 2) (the kernel_size), "
    "got shape (2, 1).",
    "Conv2D_bias_kernel_shaped": "Conv2D((1, 2)).bias should have shape (1,) (one number added to every output pixel)",
    "Conv2D_flipped_kernel": "First wrong value at index (0, 1): expected 1, got -1.",
    "Conv2D_bias_item": "with respect to bias is not right.",
    "Conv2D_float32_output": "the precision of float32: does forward create a float32 tensor",
    "Conv2D_zero_init": "Two new Conv2D((1, 2)) layers start with the same weight ([[0.0, 0.0]]).",
    "make_stripe_data_integers": "has dtype torch.int64; expected torch.float32.",
    "make_stripe_data_y_too_wide": "Expected shape (6, 7), got shape (6, 8).",
    "make_stripe_data_shared": "Do both calls return the same tensors?",
    "learn_kernel_ascent": "The values blew up: gradient descent diverged.",
    "learn_kernel_mean_loss": "Check that the loss is summed (not averaged)",
    "learn_kernel_not_detached": "returned a tensor that requires gradients (the layer's weight itself)",
    "learn_kernel_fixed_size": "learn_kernel(X, Y, kernel_size=(",
    "learn_kernel_float32": "Expected dtype torch.float64 (the input's dtype), got torch.float32.",
    "receptive_field_no_strides": "receptive_field([3, 3], strides=[2, 1]) returned 5, expected 7.",
    "receptive_field_own_stride": "receptive_field([3, 3], strides=[2, 1]) returned 9, expected 7.",
    "receptive_field_product": "receptive_field([3, 3]) (default strides: all 1) returned 9, expected 5.",
    "receptive_field_float": "returned 3.0, a float; it must return a Python int.",
}

# Wrong answers whose failure could depend on the random start: more grading seeds (0 misses
# in 5000 grading seeds were measured for the first two).
MISTAKE_SEEDS_FOR = {
    "learn_kernel_fixed_steps": range(8),
    "learn_kernel_bias_frozen": range(8),
    "learn_kernel_fixed_lr": range(8),
}

# learn_kernel trains for each seed (a third of a second): fewer seeds, backed by the proof
# of tests/chapters/test_ch03_conv_layer.py.
SOLUTION_SEEDS_FOR = {"learn_kernel": range(10)}

OTHER_CORRECT_ANSWERS = {
    "Conv2D": {
        # Conv2D is not "from scratch": a forward with F.conv2d is right
        "F.conv2d": (
            "class Conv2D(nn.Module):\n"
            "    def __init__(self, kernel_size):\n"
            "        super().__init__()\n"
            "        self.weight = nn.Parameter(torch.randn(kernel_size))\n"
            "        self.bias = nn.Parameter(torch.randn(1))\n"
            "    def forward(self, x):\n"
            "        return F.conv2d(x[None, None], self.weight[None, None], self.bias)[0, 0]\n"
        ),
        # only the weight must start random: a zero bias (a common convention) is right
        "zero bias": (
            "class Conv2D(nn.Module):\n"
            "    def __init__(self, kernel_size):\n"
            "        super().__init__()\n"
            "        self.weight = nn.Parameter(torch.randn(kernel_size))\n"
            "        self.bias = nn.Parameter(torch.zeros(1))\n"
            "    def forward(self, x):\n"
            "        return corr2d(x, self.weight) + self.bias\n"
        ),
    },
    "learn_kernel": {
        # torch.optim.SGD without momentum is plain gradient descent
        "SGD": (
            "def learn_kernel(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):\n"
            "    layer = Conv2D(kernel_size).to(X.device, X.dtype)\n"
            "    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)\n"
            "    for _ in range(steps):\n"
            "        optimizer.zero_grad()\n"
            "        torch.nn.functional.mse_loss(layer(X), Y, reduction='sum').backward()\n"
            "        optimizer.step()\n"
            "    return layer.weight.detach()\n"
        ),
    },
    "make_stripe_data": {
        # data made from nothing may be on the CPU (torch's default) or on DEVICE
        "on DEVICE": (
            "def make_stripe_data():\n"
            "    X = torch.ones(6, 8, device=DEVICE)\n"
            "    X[:, 2:6] = 0\n"
            "    Y = torch.zeros(6, 7, device=DEVICE)\n"
            "    Y[:, 1] = 1\n"
            "    Y[:, 5] = -1\n"
            "    return X, Y\n"
        ),
    },
}

SECTIONS_ELSEWHERE = {
    "Conv2D_flipped_kernel": "ch02_cross_correlation",
    "learn_kernel_no_zero_grad": "ch01_autograd",
    "learn_kernel_not_detached": "ch01_autograd",
}
