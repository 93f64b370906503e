"""Chapter 7 (pooling): the table of the generic tests (see tests/tables.py)."""

MESSAGES = {
    "pool2d_stride_defaults_to_one": "Expected shape (1, 1, 2, 2), got shape (1, 1, 3, 3).",
    "pool2d_across_channels": "Expected shape (1, 2, 2, 4), got shape (1, 1, 2, 4).",
    "pool2d_max_pads_zeros": "on a batch of non-square planes (X 2x3x4x5, 0..119 mod 7, minus 10: negative numbers)",
    "pool2d_avg_excludes_padding": "mode='avg') on a batch of non-square planes (X 2x3x4x5",
    "pool2d_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
    "pool2d_ceil_mode_ignored": "mode='max', ceil_mode=True) on X = 0..24 as 1x1x5x5 (ceil_mode: a third row",
    "pool2d_ceil_keeps_window_in_padding": "padding=1, mode='max', ceil_mode=True) on X = 0..24 as 1x1x5x5",
    "pool2d_ceil_avg_divides_by_kernel": "First wrong value at index (0, 0, 0, 2): expected 6.5, got 3.25.",
    "pool2d_dilation_ignored": "dilation=2) on X 1x1x5x5 = [[0, 7, 14, 21, 3],",
    "pool2d_dilation_on_stride": "Expected shape (1, 1, 3, 3), got shape (1, 1, 2, 2).",
    "pool2d_dilation_whole_span": "First wrong value at index (0, 0, 0, 0): expected 20, got 24.",
    "avg_pool2d_always_clipped": "count_include_pad=True, divisor_override=None) on X = ones 1x1x3x3 is not right",
    "avg_pool2d_padding_always_counted": "count_include_pad=False, divisor_override=None) on X = ones 1x1x3x3",
    "avg_pool2d_divisor_ignored": "First wrong value at index (0, 0, 0, 0): expected 1.33333, got 1.",
    "avg_pool2d_stride_defaults_to_one": "Expected shape (1, 1, 2, 2), got shape (1, 1, 3, 3).",
    "max_pool_with_indices_window_index": "The indices of max_pool_with_indices(X, kernel_size=2)",
    "max_pool_with_indices_rows_times_H": "First wrong value at index (0, 0, 0, 0): expected 5, got 4.",
    "max_pool_with_indices_global": "The indices of max_pool_with_indices(X, kernel_size=(2, 2), stride=(2, 3))",
    "max_pool_with_indices_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
    "max_unpool_whole_tensor": "on a batch: Y = 1..16 as 2x2x2x2 (float64)",
    "max_unpool_divides_by_H": "raised IndexError: index 4 is out of bounds for dimension 2 with size 4",
    "max_unpool_doubles": "raised RuntimeError: index 18 is out of bounds for dimension 2 with size 16",
    "max_unpool_float32": "Expected dtype torch.float64 (the input's dtype), got torch.float32.",
    "max_unpool_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
    "adaptive_avg_pool2d_floor_end": "8 of 9 values differ",
    "adaptive_avg_pool2d_fixed_window": "9 of 9 values differ",
    "adaptive_avg_pool2d_axes_swapped": "adaptive_avg_pool2d(X, output_size=(3, 3)) on a non-square plane, "
    "X = 0..34 as 1x1x5x7",
    "adaptive_avg_pool2d_builtin": "must be written from scratch, but it called PyTorch's built-in pooling",
}

HIDDEN_FAILURES = {
    "max_unpool_float32": r"Hidden check \d of \d failed \(grading seed {seed}\), on Y of shape "
    r"\(\d+, \d+, \d+, \d+\) \(torch.float64\) and indices from pooling X",
}

# The default seeds, and 7: the seed of the chapter's former test that the hidden checks alone catch
# every mistake (a student who overfits the visible examples still loses points).
MISTAKE_SEEDS = (0, 1, 2, 3, 4, 7)
SOLUTION_SEEDS = range(30)

_TENSOR_PROPERTIES = ("dtype", "device", "differentiable", "unchanged", "non-square", "batch", "from scratch")
PROPERTIES = {
    "pool2d": _TENSOR_PROPERTIES,
    "avg_pool2d": _TENSOR_PROPERTIES,
    "max_pool_with_indices": _TENSOR_PROPERTIES,
    "max_unpool": _TENSOR_PROPERTIES,
    "adaptive_avg_pool2d": _TENSOR_PROPERTIES,
}

OTHER_CORRECT_ANSWERS = {
    "pool2d": """
def pool2d(X, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False, dilation=1):
    import math

    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride if stride is not None else kernel_size)
    ph, pw = as_pair(padding)
    dh, dw = as_pair(dilation)
    N, C, H, W = X.shape
    spans = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    sizes = []
    for n, span, s, p in ((H, spans[0], sh, ph), (W, spans[1], sw, pw)):
        steps = (n + 2 * p - span) / s
        count = (math.ceil(steps) if ceil_mode else math.floor(steps)) + 1
        if ceil_mode and (count - 1) * s >= n + p:
            count -= 1
        sizes.append(count)
    rows, cols = sizes
    out = []
    for i in range(rows):
        line = []
        for j in range(cols):
            r = [i * sh - ph + a * dh for a in range(kh)]
            c = [j * sw - pw + b * dw for b in range(kw)]
            r_in = [x for x in r if 0 <= x < H]
            c_in = [y for y in c if 0 <= y < W]
            window = X[:, :, r_in][:, :, :, c_in].reshape(N, C, -1)
            if mode == "max":
                line.append(window.max(dim=-1).values)
            else:
                # the cells of the window inside the padded input count, padding included
                count = sum(x < H + ph for x in r) * sum(y < W + pw for y in c)
                line.append(window.sum(dim=-1) / count)
        out.append(torch.stack(line, dim=-1))
    return torch.stack(out, dim=-2)
""",
    "max_unpool": """
def max_unpool(Y, indices, output_size):
    H, W = output_size
    N, C = Y.shape[:2]
    out = Y.new_zeros(N, C, H, W)
    n = torch.arange(N, device=Y.device).view(N, 1, 1, 1).expand_as(indices)
    c = torch.arange(C, device=Y.device).view(1, C, 1, 1).expand_as(indices)
    return out.index_put((n, c, indices // W, indices % W), Y)
""",
    "max_pool_with_indices": """
def max_pool_with_indices(X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    flat = torch.arange(H * W, device=X.device).reshape(1, 1, H, W).expand(N, C, H, W)
    values = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)
    where = flat.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)
    k = values.argmax(dim=-1, keepdim=True)
    return values.gather(-1, k)[..., 0], where.gather(-1, k)[..., 0]
""",
    "adaptive_avg_pool2d": """
import math

def adaptive_avg_pool2d(X, output_size):
    h, w = as_pair(output_size)
    H, W = X.shape[-2:]
    out = torch.zeros(*X.shape[:2], h, w, dtype=X.dtype, device=X.device)
    for i in range(h):
        for j in range(w):
            rows = slice(math.floor(i * H / h), math.ceil((i + 1) * H / h))
            cols = slice(math.floor(j * W / w), math.ceil((j + 1) * W / w))
            out[:, :, i, j] = X[:, :, rows, cols].mean(dim=(-2, -1))
    return out
""",
    "avg_pool2d": """
def avg_pool2d(X, kernel_size, stride=None, padding=0, count_include_pad=True, divisor_override=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    H, W = X.shape[2:]
    sums = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    if divisor_override:
        return sums / divisor_override
    if count_include_pad:
        return sums / (kh * kw)
    rows = torch.tensor([min(i * sh + kh, H + ph) - max(i * sh, ph) for i in range(sums.shape[2])])
    cols = torch.tensor([min(j * sw + kw, W + pw) - max(j * sw, pw) for j in range(sums.shape[3])])
    return sums / (rows[:, None] * cols[None, :]).to(X.device, X.dtype)
""",
}
