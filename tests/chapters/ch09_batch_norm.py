"""Chapter 9 (batch normalization): the table of the generic tests (see tests/tables.py)."""

SEED = 3

_TRAINING = "batch_norm(X, gamma, beta, running_mean, running_var, training=True)"
_EVAL = "batch_norm(X, gamma, beta, running_mean, running_var, training=False)"
_EXAMPLE_LAYER = "BatchNorm2d(2) with weight [2.0, 0.5] and bias [1.0, -1.0]"
_ON_X = "on the chapter's non-square X"  # the (2, 2, 1, 2) images of the layer's checks
_ON_X4 = "on the chapter's non-square 4-D X"  # the same numbers, in batch_norm's checks

# The first failing check of each known mistake says which value is wrong, where; the known
# mistake's hint, the only explanation, comes after it.
MESSAGES = {
    "layer_norm_unbiased": "First wrong value at index (0, 0, 0): expected -1.22474, got -0.999995.",
    "layer_norm_over_batch": "First wrong value at index (0, 0, 0): expected -1.22474, got -0.99998.",
    "layer_norm_eps_outside_sqrt": "layer_norm(x, normalized_shape=(3,), eps=0.5) on the chapter's x",
    "layer_norm_last_dim_only": "First wrong value at index (0, 0, 0): expected -1.11803, got -1.22474.",
    "layer_norm_affine_ignored": "First wrong value at index (0, 0, 1): expected 0.105575, got -0.447213.",
    "layer_norm_builtin": "must be written from scratch, but it called PyTorch's built-in batch_norm "
    "(the operation native_layer_norm ran)",
    "batch_norm_batch_axis_only": f"The output Y of {_TRAINING} {_ON_X4} of shape (2, 2, 1, 2)",
    "batch_norm_wrong_axes": f"The output Y of {_TRAINING} on the chapter's X of shape (4, 2)",
    "batch_norm_per_image": f"The output Y of {_TRAINING} {_ON_X4} of shape (2, 2, 1, 2)",
    "batch_norm_biased_running_var": f"The running_var returned by {_TRAINING} on the chapter's X of shape (4, 2)",
    "batch_norm_unbiased_output": f"The output Y of {_TRAINING} on the chapter's X of shape (4, 2)",
    "batch_norm_bessel_with_N": f"The running_var returned by {_TRAINING} {_ON_X4}",
    "batch_norm_momentum_reversed": f"The running_mean returned by {_TRAINING} on the chapter's X of shape (4, 2)",
    "batch_norm_eval_batch_stats": f"The output Y of {_EVAL} on the chapter's X of shape (4, 2)",
    "batch_norm_running_stats_in_training": f"The output Y of {_TRAINING} on the chapter's X of shape (4, 2)",
    "batch_norm_updates_in_eval": f"The running_mean returned by {_EVAL} on the chapter's X of shape (4, 2)",
    "batch_norm_gamma_beta_swapped": "First wrong value at index (0, 0): expected -0.999997, got 1.",
    "batch_norm_eps_outside_sqrt": f"The output Y of {_TRAINING} on batch 1 of shape",
    "batch_norm_detached_stats": f"The gradient of {_TRAINING} with respect to X is not right",
    "batch_norm_running_with_graph": "requires gradients: it is still attached to the autograd graph",
    "batch_norm_builtin": "must be written from scratch, but it called PyTorch's built-in batch_norm",
    "BatchNorm2d_plain_tensors": "are plain tensors: register them with self.register_buffer(name, tensor)",
    "BatchNorm2d_no_counter": "should have the buffers running_mean, running_var, num_batches_tracked; its "
    "named_buffers() are: running_mean, running_var.",
    "BatchNorm2d_ignores_mode": f"The output of {_EXAMPLE_LAYER} in eval mode {_ON_X}",
    "BatchNorm2d_momentum_none_default": "momentum=None).running_mean after a step in training mode on batch 1",
    "BatchNorm2d_cumulative_off_by_one": "momentum=None).running_mean after a step in training mode on batch 1",
    "BatchNorm2d_affine_ignored": "should have no parameters; its named_parameters() are: weight, bias.",
    "BatchNorm2d_tracking_ignored": "should have no buffers; its named_buffers() are: running_mean, running_var, "
    "num_batches_tracked.",
    "BatchNorm2d_random_weight": "BatchNorm2d(2).weight (gamma, one per channel, starting at 1) is not right.",
    "BatchNorm2d_counts_eval": f"num_batches_tracked after a step in eval mode {_ON_X}",
    "BatchNorm2d_unbiased_output": f"The output of {_EXAMPLE_LAYER} in training mode {_ON_X}",
    "BatchNorm2d_batch_axis_only": f"The output of {_EXAMPLE_LAYER} in training mode {_ON_X}",
    "BatchNorm2d_per_image": f"The output of {_EXAMPLE_LAYER} in training mode {_ON_X}",
    "BatchNorm2d_channel_axis": f"The output of {_EXAMPLE_LAYER} in training mode {_ON_X}",
    "BatchNorm2d_eps_outside_sqrt": "in training mode on batch 1 of shape",
    "BatchNorm2d_weight_bias_swapped": f"The output of {_EXAMPLE_LAYER} in training mode {_ON_X}",
    "BatchNorm2d_running_stats_in_training": f"The output of {_EXAMPLE_LAYER} in training mode {_ON_X}",
    "BatchNorm2d_momentum_reversed": f"BatchNorm2d(2).running_mean after a step in training mode {_ON_X}",
    "BatchNorm2d_biased_running_var": f"BatchNorm2d(2).running_var after a step in training mode {_ON_X}",
    "BatchNorm2d_bessel_with_N": f"BatchNorm2d(2).running_var after a step in training mode {_ON_X}",
    "BatchNorm2d_updates_in_eval": f"BatchNorm2d(2).running_mean after a step in eval mode {_ON_X}",
    "BatchNorm2d_never_counts": f"BatchNorm2d(2).num_batches_tracked after a step in training mode {_ON_X}",
    "BatchNorm2d_detached_stats": "with respect to the input x is not right",
    "BatchNorm2d_builtin": "is PyTorch's own batch norm",
}
MESSAGE_FOR_EVERY_MISTAKE = True
ONE_HINT_PER_MISTAKE = True

HIDDEN_FAILURES = {
    "batch_norm_eps_outside_sqrt": r"Hidden check \d of \d failed \(grading seed {seed}\), on \(N, C",
}

# Grading seeds 0 to 200: the hidden checks are cheap, and their tolerances face many batches.
SOLUTION_SEEDS = range(201)

_OTHER_BATCH_NORMS = {
    "var_mean and rsqrt": """
def batch_norm(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    dims = tuple(d for d in range(X.dim()) if d != 1)
    view = (1, -1) + (1,) * (X.dim() - 2)
    if training:
        var, mean = torch.var_mean(X, dim=dims, correction=0)
        n = X.numel() / X.shape[1]
        with torch.no_grad():
            running_mean = running_mean * (1 - momentum) + momentum * mean
            running_var = running_var * (1 - momentum) + momentum * n / (n - 1) * var
    else:
        mean, var = running_mean, running_var
    Y = (X - mean.view(view)) * torch.rsqrt(var.view(view) + eps) * gamma.view(view) + beta.view(view)
    return Y, running_mean, running_var
""",
    "unbiased torch.var for the estimate, detached": """
def batch_norm(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    if X.dim() == 2:
        X4 = X[:, :, None, None]
    else:
        X4 = X
    if training:
        mean = X4.mean(dim=(0, 2, 3), keepdim=True)
        var = X4.var(dim=(0, 2, 3), keepdim=True, unbiased=False)
        new_mean = (1 - momentum) * running_mean + momentum * mean.flatten().detach()
        new_var = (1 - momentum) * running_var + momentum * X4.var(dim=(0, 2, 3)).detach()
    else:
        mean, var = running_mean.reshape(1, -1, 1, 1), running_var.reshape(1, -1, 1, 1)
        new_mean, new_var = running_mean, running_var
    Y = gamma.reshape(1, -1, 1, 1) * (X4 - mean) / (var + eps).sqrt() + beta.reshape(1, -1, 1, 1)
    return Y.reshape(X.shape), new_mean, new_var
""",
    "one-pass variance E[x^2] - E[x]^2": """
def batch_norm(X, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    dims = [0] if X.dim() == 2 else [0, 2, 3]
    shape = [1, -1] + [1] * (X.dim() - 2)
    if training:
        mean = X.mean(dim=dims)
        var = (X * X).mean(dim=dims) - mean * mean
        n = X.numel() // X.shape[1]
        with torch.no_grad():
            running_mean = running_mean + momentum * (mean - running_mean)
            running_var = running_var + momentum * (var * n / (n - 1) - running_var)
    else:
        mean, var = running_mean, running_var
    return (gamma.reshape(shape) * (X - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
            + beta.reshape(shape)), running_mean, running_var
""",
}

_OTHER_MODULES = {
    "without the function, copy_ into the buffers": """
class BatchNorm2d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine = eps, momentum, affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x):
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            mean = x.mean(dim=(0, 2, 3))
            var = x.var(dim=(0, 2, 3), unbiased=False)
            if self.training and self.track_running_stats:
                self.num_batches_tracked.add_(1)
                factor = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    self.running_mean.copy_((1 - factor) * self.running_mean + factor * mean)
                    self.running_var.copy_((1 - factor) * self.running_var + factor * var * n / (n - 1))
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + self.eps)
        if self.affine:
            y = y * self.weight[None, :, None, None] + self.bias[None, :, None, None]
        return y
""",
}

OTHER_CORRECT_ANSWERS = {
    "batch_norm": _OTHER_BATCH_NORMS,  # one updating the estimates in place is a variant: it changes its inputs
    "BatchNorm2d": _OTHER_MODULES,  # without batch_norm, with None parameters and buffers as PyTorch registers them
}
OTHER_CORRECT_SEEDS = range(5)

# The reference layer is nn.BatchNorm2d itself: refused as PyTorch's own.
REFERENCE_MESSAGES = {"BatchNorm2d": "is PyTorch's own batch norm"}

# What each exercise's text states. batch_norm returns its new running estimates and leaves its
# inputs alone; the layer updates its own buffers by design, but not its input x.
PROPERTIES = {
    "batch_norm": ("dtype", "device", "differentiable", "unchanged", "from scratch", "non-square"),
    "BatchNorm2d": ("dtype", "device", "differentiable", "unchanged", "from scratch", "non-square"),
    "layer_norm": ("dtype", "device", "differentiable", "unchanged", "from scratch"),
}
