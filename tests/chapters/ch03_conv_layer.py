"""Chapter 3 (a convolutional layer that learns): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "Conv2D_bias_not_parameter": "its named_parameters() are: weight. self.bias is a plain tensor, not nn.Parameter",
    "Conv2D_weight_shape_swapped": "Conv2D((1, 2)).weight should have shape (1, 2) (the kernel_size), "
    "got shape (2, 1).",
    "Conv2D_bias_kernel_shaped": "Conv2D((1, 2)).bias should have shape (1,) (one number added to every output pixel)",
    "Conv2D_flipped_kernel": "First wrong value at index (0, 1): expected 1, got -1.",
    "Conv2D_bias_item": "(x, weight and bias as its inputs) is not differentiable with respect to bias",
    "Conv2D_float32_output": "(x, weight and bias as its inputs) does not keep the input's device: it mixed its inputs",
    "Conv2D_zero_init": "Two new Conv2D((1, 2)) layers start with the same weight ([[0.0, 0.0]]).",
    "make_stripe_data_integers": "has dtype torch.int64; expected torch.float32.",
    "make_stripe_data_y_too_wide": "Expected shape (6, 7), got shape (6, 8).",
    "make_stripe_data_shared": "Do both calls return the same tensors?",
    "learn_kernel_ascent": "The values blew up: gradient descent diverged.",
    "learn_kernel_mean_loss": "Check that the loss is summed (not averaged)",
    "learn_kernel_not_detached": "returned a tensor that requires gradients (the layer's weight itself)",
    "learn_kernel_fixed_size": "learn_kernel(X, Y, kernel_size=(",
    "learn_kernel_float32": "learn_kernel(X, Y) on the stripe data does not keep the input's dtype: given float64 "
    "inputs, it returned a torch.float32 tensor.",
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
        # a loop into an output made like x keeps x's dtype and device, and stays differentiable
        "loop": (
            "class Conv2D(nn.Module):\n"
            "    def __init__(self, kernel_size):\n"
            "        super().__init__()\n"
            "        self.weight = nn.Parameter(torch.randn(kernel_size))\n"
            "        self.bias = nn.Parameter(torch.randn(1))\n"
            "    def forward(self, x):\n"
            "        h, w = self.weight.shape\n"
            "        Y = x.new_zeros(x.shape[0] - h + 1, x.shape[1] - w + 1)\n"
            "        for i in range(Y.shape[0]):\n"
            "            for j in range(Y.shape[1]):\n"
            "                Y[i, j] = (x[i : i + h, j : j + w] * self.weight).sum()\n"
            "        return Y + self.bias\n"
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
    "receptive_field": {
        # reversing a copy of the lists leaves the caller's alone
        "reversed copies": (
            "def receptive_field(kernel_sizes, strides=None):\n"
            "    kernels = list(kernel_sizes)\n"
            "    steps = list(strides or [1] * len(kernels))\n"
            "    kernels.reverse()\n"
            "    steps.reverse()\n"
            "    side = 1\n"
            "    for k, s in zip(kernels, steps):\n"
            "        side = (side - 1) * s + k\n"
            "    return side\n"
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

# What each exercise's text states of every answer (tests/test_properties.py). make_stripe_data
# makes its data from nothing (float32 and new tensors on every call are checked as values);
# learn_kernel returns a detached kernel (not differentiable), on X's device: a property the
# visible check tests on a GPU only, since training builds a layer on the default device and
# moves it, which the device check's stand-in default device cannot follow.
PROPERTIES = {
    "Conv2D": ("dtype", "device", "differentiable", "unchanged", "non-square"),
    "make_stripe_data": (),
    "learn_kernel": ("dtype",),
    "receptive_field": ("unchanged",),
}
