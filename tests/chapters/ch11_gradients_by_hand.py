"""Chapter 11 (gradients by hand): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "numerical_gradient_one_sided": "numerical_gradient(f, x) for f(x) = sum(x ** 3) at x = [[1.0, 2.0, -3.0]",
    "numerical_gradient_over_eps": "First wrong value at index (0, 0): expected 3, got 6.",
    "numerical_gradient_fixed_eps": "numerical_gradient(f, x, eps=0.001) for f(x) = sum(x ** 3)",
    "numerical_gradient_float32": "Expected dtype torch.float64 (the input's dtype), got torch.float32.",
    "relative_error_no_guard": "expected 1, got nan.",
    "relative_error_mean": "expected 1, got 0.249524.",
    "relative_error_max_denominator": "expected 1, got 2.",
    "relative_error_abs_of_sum": "expected 1, got 1e+08.",
    "conv2d_backward_kernel_not_flipped": "dX of conv2d_backward(dY, X, K, stride=1, padding=0)",
    "conv2d_backward_dY_not_padded": "dX of conv2d_backward(dY, X, K, stride=1, padding=0)",
    "conv2d_backward_dY_padded_by_padding": "Expected shape (1, 1, 3, 3), got shape (1, 1, 1, 1).",
    "conv2d_backward_padding_not_cropped": "Expected shape (1, 1, 3, 3), got shape (1, 1, 5, 5).",
    "conv2d_backward_dY_not_dilated": "conv2d_backward(dY, X, K, stride=2, padding=0)",
    "conv2d_backward_unread_rows_dropped": "Expected shape (2, 2, 6, 5), got shape (2, 2, 5, 4).",
    "conv2d_backward_dK_first_sample": "dK of conv2d_backward(dY, X, K, stride=(2, 3), padding=(1, 2))",
    "conv2d_backward_dK_mean_over_batch": "dK of conv2d_backward(dY, X, K, stride=(2, 3), padding=(1, 2))",
    "conv2d_backward_dK_summed_over_channels": "dK of conv2d_backward(dY, X, K, stride=(2, 3), padding=(1, 2))",
    "conv2d_backward_dK_without_padding": "dK of conv2d_backward(dY, X, K, stride=1, padding=1)",
    "conv2d_backward_db_per_sample": "Expected shape (1,), got shape (1, 1).",
    "conv2d_backward_db_mean": "First wrong value at index (0,): expected 4, got 1.",
    "conv2d_backward_autograd": "must be written from scratch, but it called torch.autograd.grad",
    "max_pool2d_backward_every_tie": "First wrong value at index (0, 0, 0, 2): expected 0, got 1.",
    "max_pool2d_backward_first_element": "First wrong value at index (0, 0, 0, 0): expected 0, got 1.",
    "max_pool2d_backward_overwrites": "First wrong value at index (0, 0, 0, 1): expected 2, got 1.",
    "max_pool2d_backward_last_tie": "max_pool2d_backward(dY, X, kernel_size=2, stride=1)",
    "max_pool2d_backward_stride_one": "max_pool2d_backward(dY, X, kernel_size=2, stride=None)",
    "max_pool2d_backward_autograd": "must be written from scratch, but it called PyTorch's built-in pooling",
    "avg_pool2d_backward_not_divided": "First wrong value at index (0, 0, 0, 0): expected 0.25, got 1.",
    "avg_pool2d_backward_padding_kept": "Expected shape (1, 1, 3, 3), got shape (1, 1, 5, 5).",
    "avg_pool2d_backward_padding_not_counted": "avg_pool2d_backward(dY, input_shape=(1, 1, 3, 3), kernel_size=3",
    "avg_pool2d_backward_stride_one": "kernel_size=2, stride=None, padding=0)",
    "avg_pool2d_backward_overwrites": "First wrong value at index (0, 0, 0, 1): expected 0.5, got 0.25.",
    "avg_pool2d_backward_autograd": "must be written from scratch, but it called PyTorch's built-in pooling",
    "batch_norm_backward_no_mean_term": "dX of batch_norm_backward(dY, X, gamma) with X of shape (4, 2)",
    "batch_norm_backward_constant_statistics": "dX of batch_norm_backward(dY, X, gamma) with X of shape (4, 2)",
    "batch_norm_backward_unbiased": "dX of batch_norm_backward(dY, X, gamma) with X of shape (4, 2)",
    "batch_norm_backward_batch_axis_only": "batch_norm_backward(dY, X, gamma, eps=0.001) with X of shape (2, 2, 1, 2)",
    "batch_norm_backward_dgamma_without_x_hat": "dgamma of batch_norm_backward(dY, X, gamma)",
    "batch_norm_backward_fixed_eps": "batch_norm_backward(dY, X, gamma, eps=0.001)",
    "batch_norm_backward_autograd": "must be written from scratch, but it called PyTorch's built-in batch_norm",
    "Conv2dFunction_three_gradients": "returned an incorrect number of gradients (expected 5, got 3)",
    "Conv2dFunction_ignores_dY": "The gradient dX that the backward of Conv2dFunction.apply(X, K, b, (2, 3), (1, 2))",
    "Conv2dFunction_forgets_stride": "Conv2dFunction.apply(X, K, b, (2, 3), (1, 2))",
    "Conv2dFunction_autograd": "must be written from scratch, but it called torch.autograd.grad",
}
MESSAGE_FOR_EVERY_MISTAKE = True

# The reference Function is caught in its forward (and the convolution it calls), not in an __init__.
REFERENCE_MESSAGES = {
    "Conv2dFunction": "called the course's own implementation (reference.conv2d, reference.forward)",
}
# Every known mistake is told apart from the others by the visible check: its own hint alone.
ONE_HINT_PER_MISTAKE = True

_BACKWARD = ("dtype", "device", "unchanged", "non-square", "batch", "from scratch")
PROPERTIES = {
    "numerical_gradient": ("dtype", "device", "unchanged"),
    "relative_error": ("dtype", "device", "unchanged"),
    "conv2d_backward": _BACKWARD,
    "max_pool2d_backward": _BACKWARD,
    "avg_pool2d_backward": _BACKWARD,
    "batch_norm_backward": ("dtype", "device", "unchanged", "from scratch"),
    "Conv2dFunction": ("dtype", "device", "unchanged", "differentiable", "from scratch"),
}

OTHER_CORRECT_ANSWERS = {
    # dX as a transposed convolution that scatters (chapter 6) instead of a full correlation
    "conv2d_backward": """
def conv2d_backward(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    Xp = F.pad(X, (pw, pw, ph, ph))
    dXp = torch.zeros_like(Xp)
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            rows = slice(a, a + sh * (Ho - 1) + 1, sh)
            cols = slice(c, c + sw * (Wo - 1) + 1, sw)
            dXp[:, :, rows, cols] += torch.einsum("nohw,oi->nihw", dY, K[:, :, a, c])
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, Xp[:, :, rows, cols])
    return dXp[:, :, ph:ph + H, pw:pw + W], dK, dY.sum(dim=(0, 2, 3))
""",
    # the textbook's staged backward through mean and variance, as CS231n's batchnorm_backward
    "batch_norm_backward": """
def batch_norm_backward(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    mu = X.mean(dim=dims, keepdim=True)
    xc = X - mu
    var = (xc ** 2).mean(dim=dims, keepdim=True)
    std = torch.sqrt(var + eps)
    x_hat = xc / std
    dx_hat = dY * gamma.reshape(shape)
    dvar = (dx_hat * xc * -0.5 * std ** -3).sum(dim=dims, keepdim=True)
    dmu = (-dx_hat / std).sum(dim=dims, keepdim=True) + dvar * (-2 * xc).mean(dim=dims, keepdim=True)
    dX = dx_hat / std + dvar * 2 * xc / m + dmu / m
    return dX, (dY * x_hat).sum(dim=dims), dY.sum(dim=dims)
""",
}
