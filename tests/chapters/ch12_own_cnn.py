"""Chapter 12 (your own CNN): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "im2col_kernel_major": "on a batch of non-square inputs with 3 channels, X 2x3x5x6 = 0..179 mod 7 minus 3 is "
    "not right",
    "im2col_column_major": "First wrong value at index (0, 0, 1): expected 1, got 3.",
    "im2col_no_padding": "Expected shape (1, 4, 16), got shape (1, 4, 4).",
    "im2col_no_stride": "Expected shape (1, 4, 4), got shape (1, 4, 9).",
    "im2col_pixel_loop": "must not loop over the input: it ran 62 tensor operations",
    "conv2d_im2col_kernel_order": "First wrong value at index (0, 0, 0, 1): expected -1, got 1.",
    "conv2d_im2col_no_bias": "First wrong value at index (0, 0, 0, 0): expected 20, got 19.",
    "conv2d_im2col_bias_on_pixels": "The size of tensor a (24) must match the size of tensor b (4)",
    "conv2d_im2col_swapped_shape": "Expected shape (1, 3, 5, 6), got shape (1, 3, 6, 5).",
    "conv2d_im2col_pixel_loop": "ran 24 matrix products",
    "conv2d_im2col_builtin": "must be written from scratch, but it called PyTorch's built-in convolution",
    "OwnReLU_mask_from_dY": "First wrong value at index (0, 0, 0, 2): expected 0, got 1.36637.",
    "OwnReLU_mask_from_output": "First wrong value at index (0, 0, 0, 0): expected 0, got -0.786044.",
    "OwnReLU_one_at_zero": "First wrong value at index (0, 0, 1, 3): expected 0, got -2.0913.",
    "OwnReLU_no_function": "its gradients are not computed by your own backward (autograd recorded ClampBackward1)",
    "OwnLinear_weight_in_out": "(the transpose: nn.Linear stores its weight as (out_features, in_features))",
    "OwnLinear_dW_transposed": "returned an invalid gradient at index 1 - got [8, 6] but expected shape compatible "
    "with [6, 8]",
    "OwnLinear_db_mean": "The gradient of bias of OwnLinear(8, 6) in train mode",
    "OwnLinear_F_linear": "must be written from scratch, but it called F.linear (or nn.Linear)",
    "OwnLinear_always_bias": "OwnLinear(7, 3, bias=False) has the parameters weight, bias; its twin "
    "nn.Linear(7, 3, bias=False) has weight",
    "OwnConv2d_backward_without_stride": "OwnConv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), bias=False) (forward "
    "and backward) on a batch of non-square inputs, float64 raised RuntimeError",
    "OwnConv2d_bias_ignored": "The output of OwnConv2d(2, 3, 3) in train mode",
    "OwnConv2d_zero_init": "all lie within 0 of 0 (all zeros",
    "OwnConv2d_int_kernel": "raised TypeError: can't multiply sequence by non-int of type 'tuple'",
    "OwnMaxPool2d_stride_one": "returned a tensor of shape (2, 3, 5, 3); expected shape (2, 3, 3, 2)",
    "OwnMaxPool2d_every_tie": "First wrong value at index (0, 0, 1, 0): expected 0, got 0.794326.",
    "OwnMaxPool2d_max_over_channels": "shape '[2, 3, 3, 2]' is invalid for input of size 12",
    "OwnMaxPool2d_backward_default_stride": "The gradient with respect to the input of OwnMaxPool2d((3, 2), (2, 1)) "
    "in train mode",
    "OwnBatchNorm2d_biased_running_var": "running_var of OwnBatchNorm2d(3) after 2 forward passes in train mode",
    "OwnBatchNorm2d_momentum_reversed": "running_mean of OwnBatchNorm2d(3) after 2 forward passes in train mode",
    "OwnBatchNorm2d_batch_stats_in_eval": "The output of OwnBatchNorm2d(3) in eval mode",
    "OwnBatchNorm2d_plain_attributes": "OwnBatchNorm2d(3) has the buffers none",
    "OwnBatchNorm2d_updates_in_eval": "running_mean of OwnBatchNorm2d(3) after 1 forward pass in eval mode",
    "OwnDigitsCNN_nn_relu": "layer1.relu1 is torch's nn.ReLU",
    "OwnDigitsCNN_no_batch_norm": "(first difference: expected layer1.bn1, got layer1.relu1)",
    "OwnDigitsCNN_numbered": "(first difference: expected layer1.conv1, got layer1.0)",
    "OwnDigitsCNN_flat_batch": "mat1 and mat2 shapes cannot be multiplied (1x512 and 128x64)",
    # the visible check's short run (chapter 10's) is enough to name these
    "train_own_digits_sgd": "trained with torch.optim.SGD",
    "train_own_digits_no_eval": "never ran the model in eval mode",
    "train_own_digits_train_accuracy": "did you measure the accuracy on the training set?",
}
MESSAGE_FOR_EVERY_MISTAKE = True
EVERY_MISTAKE_HAS_A_SECTION = True

HIDDEN_FAILURES = {
    "im2col_no_padding": r"Hidden check \d of 5 failed \(grading seed {seed}\), on N = \d, C = \d, kernel",
    "OwnBatchNorm2d_updates_in_eval": r"Hidden check \d of 3 failed \(grading seed {seed}\), on OwnBatchNorm2d\(",
}

_MODULE = ("dtype", "device", "unchanged", "from scratch")
PROPERTIES = {
    "im2col": ("dtype", "device", "unchanged", "differentiable", "from scratch"),
    "conv2d_im2col": ("dtype", "device", "unchanged", "differentiable", "from scratch"),
    "OwnReLU": _MODULE,
    "OwnLinear": _MODULE,
    "OwnConv2d": _MODULE,
    "OwnMaxPool2d": _MODULE,
    "OwnBatchNorm2d": _MODULE,
    "OwnDigitsCNN": ("dtype", "from scratch"),
    "train_own_digits": ("recipe",),
}

# The hidden check of train_own_digits trains networks for seconds: fewer seeds for its mistakes,
# and none for the solution, whose reliability benchmarks/train_own_digits_reliability.py measures
# (see tests/chapters/test_ch12_own_cnn.py).
MISTAKE_SEEDS_FOR = {"train_own_digits": range(3)}
SOLUTION_SEEDS_FOR = {"train_own_digits": ()}

# Other right answers: a loop over the kernel's positions, einsum's one product, torch.where, a
# Function per mode of batch norm.
OTHER_CORRECT_ANSWERS = {
    "im2col": """
def im2col(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C, H, W = X.shape
    Xp = F.pad(X, (pw, pw, ph, ph))
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    rows = [
        Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, b : b + sw * (Wo - 1) + 1 : sw]
        for a in range(kh)
        for b in range(kw)
    ]
    return torch.stack(rows, dim=2).reshape(N, C * kh * kw, Ho * Wo)
""",
    "conv2d_im2col": """
def conv2d_im2col(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = torch.einsum("ok,nkl->nol", K.flatten(1), im2col(X, (kh, kw), stride, padding)).reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b[None, :, None, None]
""",
    "OwnReLU": """
class ReLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X):
        positive = X > 0
        ctx.save_for_backward(positive)
        return torch.where(positive, X, torch.zeros_like(X))

    @staticmethod
    def backward(ctx, dY):
        (positive,) = ctx.saved_tensors
        return torch.where(positive, dY, torch.zeros_like(dY))


class OwnReLU(nn.Module):
    def forward(self, X):
        return ReLUFunction.apply(X)
""",
    "OwnBatchNorm2d": """
class TrainNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, gamma, beta, eps):
        mean = X.mean(dim=(0, 2, 3), keepdim=True)
        var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        ctx.save_for_backward(X, gamma)
        ctx.eps = eps
        return gamma[None, :, None, None] * (X - mean) / torch.sqrt(var + eps) + beta[None, :, None, None]

    @staticmethod
    def backward(ctx, dY):
        X, gamma = ctx.saved_tensors
        return (*batch_norm_backward(dY, X, gamma, ctx.eps), None)


class EvalNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, gamma, beta, mean, var, eps):
        scale = gamma / torch.sqrt(var + eps)
        x_hat = (X - mean[None, :, None, None]) / torch.sqrt(var + eps)[None, :, None, None]
        ctx.save_for_backward(scale, x_hat)
        return x_hat * gamma[None, :, None, None] + beta[None, :, None, None]

    @staticmethod
    def backward(ctx, dY):
        scale, x_hat = ctx.saved_tensors
        return dY * scale[None, :, None, None], (dY * x_hat).sum((0, 2, 3)), dY.sum((0, 2, 3)), None, None, None


class OwnBatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0))

    def forward(self, X):
        if not self.training:
            return EvalNorm.apply(X, self.weight, self.bias, self.running_mean, self.running_var, self.eps)
        with torch.no_grad():
            m = self.momentum
            self.running_mean.copy_((1 - m) * self.running_mean + m * X.mean(dim=(0, 2, 3)))
            self.running_var.copy_((1 - m) * self.running_var + m * X.var(dim=(0, 2, 3)))
            self.num_batches_tracked.add_(1)
        return TrainNorm.apply(X, self.weight, self.bias, self.eps)
""",
}
ONE_HINT_PER_MISTAKE = True
