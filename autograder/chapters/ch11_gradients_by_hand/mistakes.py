"""Wrong answers to chapter 11's exercises: the known mistakes (``@mistake``, with hints) and,
after those of each exercise, answers right on the chapter's first examples that break a
property the exercise's text states (``@breaks``).

Each function's source becomes the student's answer cell; ``as_pair`` and ``conv2d`` (the
convolution from scratch) are defined in the notebook's first cells, and the answers to
``Conv2dFunction`` call the notebook's ``conv2d_backward`` (the definitions below only make
the names resolve in this module).
"""

import torch
import torch.nn.functional as F

from autograder.runtime.mistakes import breaks, mistake


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def conv2d(X, K, b=None, stride=1, padding=0):
    return F.conv2d(X, K, b, as_pair(stride), as_pair(padding))


def conv2d_backward(dY, X, K, stride=1, padding=0):
    raise NotImplementedError  # the notebook's own


CHAPTER = "ch11_gradients_by_hand"
NUMERIC = f"{CHAPTER}#checking-a-gradient-with-numbers"
CONV = f"{CHAPTER}#the-gradient-of-a-cross-correlation"
STRIDE = f"{CHAPTER}#stride-padding-and-channels"
POOL = f"{CHAPTER}#pooling-backwards"
BN = f"{CHAPTER}#the-batch-norm-backward"
FUNCTION = f"{CHAPTER}#your-own-autograd-function"

# ---------------------------------------------------------------------------------------
# numerical_gradient


@mistake(
    "numerical_gradient",
    summary="one-sided differences (f(x + eps) - f(x)) / eps",
    hint="Your gradient is off by about eps times half the second derivative, far more than rounding: "
    "a one-sided difference has an error proportional to eps, a central difference "
    "(f(x + eps) - f(x - eps)) / (2 eps) one proportional to eps squared.",
    section=NUMERIC,
)
def numerical_gradient_one_sided(f, x, eps=1e-6):
    flat = x.detach().clone().reshape(-1)
    grad = torch.zeros_like(flat)
    base = f(flat.reshape(x.shape))
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        grad[i] = (f(flat.reshape(x.shape)) - base) / eps
        flat[i] = old
    return grad.reshape(x.shape)


@mistake(
    "numerical_gradient",
    summary="divides the central difference by eps instead of 2 eps",
    hint="Every value is twice the gradient: f(x + eps) and f(x - eps) lie 2 eps apart, so their "
    "difference is divided by 2 eps.",
    section=NUMERIC,
)
def numerical_gradient_over_eps(f, x, eps=1e-6):
    flat = x.detach().clone().reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = f(flat.reshape(x.shape))
        flat[i] = old - eps
        minus = f(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (plus - minus) / eps
    return grad.reshape(x.shape)


@mistake(
    "numerical_gradient",
    summary="ignores the eps argument",
    hint="With eps=0.001 the result is what eps = 1e-6 would give: the step must be the eps the caller "
    "passes, not a constant written in the code.",
    section=NUMERIC,
)
def numerical_gradient_fixed_eps(f, x, eps=1e-6):
    h = 1e-6
    flat = x.detach().clone().reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        plus = f(flat.reshape(x.shape))
        flat[i] = old - h
        minus = f(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad.reshape(x.shape)


@mistake(
    "numerical_gradient",
    summary="computes in float32",
    hint="The result is float32 (and wrong in the third digit): float32 keeps about 7 digits, so "
    "f(x + eps) - f(x - eps) with eps = 1e-6 is mostly rounding error. Work on a copy of x in its "
    "own dtype, float64 here.",
    section=NUMERIC,
)
def numerical_gradient_float32(f, x, eps=1e-6):
    flat = x.detach().float().reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = f(flat.reshape(x.shape))
        flat[i] = old - eps
        minus = f(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


@breaks("numerical_gradient", "dtype")
def numerical_gradient_float32_result(f, x, eps=1e-6):
    flat = x.detach().clone().reshape(-1)
    grad = torch.zeros(flat.numel(), device=x.device)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = f(flat.reshape(x.shape))
        flat[i] = old - eps
        minus = f(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


@breaks("numerical_gradient", "device")
def numerical_gradient_default_device(f, x, eps=1e-6):
    flat = x.detach().clone().reshape(-1)
    grad = torch.zeros(flat.numel(), dtype=x.dtype)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = f(flat.reshape(x.shape))
        flat[i] = old - eps
        minus = f(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


@breaks("numerical_gradient", "unchanged")
def numerical_gradient_nudges_x(f, x, eps=1e-6):
    flat = x.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        flat[i] += eps
        plus = f(x)
        flat[i] -= 2 * eps
        minus = f(x)
        flat[i] += eps
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


# ---------------------------------------------------------------------------------------
# relative_error


@mistake(
    "relative_error",
    summary="no guard in the denominator: 0 / 0 for a pair of zeros",
    hint="The result is nan: where a and b are both 0, |a| + |b| is 0 and 0 / 0 is nan, which max "
    "passes on. CS231n's formula divides by max(1e-8, |a| + |b|) for that reason.",
    section=NUMERIC,
)
def relative_error_no_guard(a, b):
    return ((a - b).abs() / (a.abs() + b.abs())).max()


@mistake(
    "relative_error",
    summary="the mean relative error instead of the largest",
    hint="The result is smaller than the largest relative error: a gradient check reports the worst "
    "entry (max), since one wrong entry is a bug however many others agree.",
    section=NUMERIC,
)
def relative_error_mean(a, b):
    return ((a - b).abs() / (a.abs() + b.abs()).clamp(min=1e-8)).mean()


@mistake(
    "relative_error",
    summary="divides by max(|a|, |b|) instead of |a| + |b|",
    hint="Your relative errors are up to twice too large (2 for a pair of opposite signs, where the "
    "right one is 1): the denominator is the sum |a| + |b|, which bounds the error by 1.",
    section=NUMERIC,
)
def relative_error_max_denominator(a, b):
    return ((a - b).abs() / torch.maximum(a.abs(), b.abs()).clamp(min=1e-8)).max()


@mistake(
    "relative_error",
    summary="divides by |a + b| instead of |a| + |b|",
    hint="A pair of opposite signs (0.5 and -0.5) gives an enormous error: |a + b| is 0 there. The "
    "denominator adds the absolute values, |a| + |b|.",
    section=NUMERIC,
)
def relative_error_abs_of_sum(a, b):
    return ((a - b).abs() / (a + b).abs().clamp(min=1e-8)).max()


@breaks("relative_error", "dtype")
def relative_error_python_float(a, b):
    return torch.tensor(((a - b).abs() / (a.abs() + b.abs()).clamp(min=1e-8)).max().item(), device=a.device)


@breaks("relative_error", "device")
def relative_error_floor_on_default_device(a, b):
    floor = torch.full(a.shape, 1e-8, dtype=a.dtype)
    return ((a - b).abs() / torch.maximum(a.abs() + b.abs(), floor)).max()


@breaks("relative_error", "unchanged")
def relative_error_subtracts_in_place(a, b):
    denominator = (a.abs() + b.abs()).clamp(min=1e-8)
    a -= b
    return (a.abs() / denominator).max()


# ---------------------------------------------------------------------------------------
# conv2d_backward


@mistake(
    "conv2d_backward",
    summary="dX correlates dY with the kernel unflipped",
    hint="dK and db are right but dX is not: input pixel (i, j) meets kernel entry (a, b) through "
    "output (i - a, j - b), so gathering dX as a correlation needs the kernel flipped (K.flip(2, 3)); "
    "unflipped, each pixel gets the wrong kernel entries.",
    section=CONV,
)
def conv2d_backward_kernel_not_flipped(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum("nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], K[:, :, a, c])
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="dY not padded by k - 1 before the correlation for dX",
    hint="dK and db are right, dX is zero or wrong near the bottom and right: a 'valid' correlation of dY "
    "with the flipped kernel is smaller than the input. dY needs k - 1 zeros on every side (a 'full' "
    "correlation), so that each input pixel meets every output it fed.",
    section=CONV,
)
def conv2d_backward_dY_not_padded(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="dY padded by the forward's padding instead of k - 1",
    hint="dX is right without padding and wrong with it: the zeros around dY are k - 1 (so that every "
    "input pixel meets each output it fed), whatever the forward's padding; the forward's padding is "
    "undone afterwards, by cropping it off the result.",
    section=STRIDE,
)
def conv2d_backward_dY_padded_by_padding(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (pw, pw, ph, ph))
    flipped = K.flip(2, 3)
    dX = torch.zeros(N, Ci, D.shape[2] - kh + 1, D.shape[3] - kw + 1, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            part = D[:, :, a : a + dX.shape[2], c : c + dX.shape[3]]
            dX = dX + torch.einsum("nohw,oi->nihw", part, flipped[:, :, a, c])
    return dX, dK, db


@mistake(
    "conv2d_backward",
    summary="the forward's padding not cropped off dX",
    hint="dX has 2 p rows and columns too many: it is the gradient of the padded input. The padding "
    "is not an input, so crop p rows and columns off every side.",
    section=STRIDE,
)
def conv2d_backward_padding_not_cropped(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp, dK, db


@mistake(
    "conv2d_backward",
    summary="stride ignored in dX: dY not dilated",
    hint="dX is wrong as soon as the stride is above 1: neighbouring outputs read windows s pixels "
    "apart, so before the full correlation dY's entries must be spread s apart, with s - 1 zeros "
    "between them (a dilated dY), as a transposed convolution with stride s does.",
    section=STRIDE,
)
def conv2d_backward_dY_not_dilated(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = F.pad(dY, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = min(D.shape[2] - kh + 1, H + 2 * ph), min(D.shape[3] - kw + 1, W + 2 * pw)
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="dX sized by the rows the windows read, not by the input",
    hint="dX is smaller than X when the stride leaves the last rows or columns of the padded input "
    "unread: those pixels fed no output, so their gradient is 0, but they still need their place in "
    "dX, which always has X's shape.",
    section=STRIDE,
)
def conv2d_backward_unread_rows_dropped(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    dXp = 0
    for a in range(kh):
        for c in range(kw):
            part = D[:, :, a : D.shape[2] - kh + 1 + a, c : D.shape[3] - kw + 1 + c]
            dXp = dXp + torch.einsum("nohw,oi->nihw", part, flipped[:, :, a, c])
    return dXp[:, :, ph : dXp.shape[2] - ph, pw : dXp.shape[3] - pw], dK, db


@mistake(
    "conv2d_backward",
    summary="dK from the first sample of the batch only",
    hint="dK is right for N = 1 and wrong for a batch: the same kernel is used on every sample, so its "
    "gradient is the sum of the contributions of all N samples.",
    section=STRIDE,
)
def conv2d_backward_dK_first_sample(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[0, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("ohw,ihw->oi", dY[0], window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="dK averaged over the batch instead of summed",
    hint="dK is right for N = 1 and N times too small for a batch: the loss adds the outputs of all "
    "samples (as dY carries them), so the kernel's gradient is the sum over the batch, not the mean.",
    section=STRIDE,
)
def conv2d_backward_dK_mean_over_batch(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window) / N
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="dK summed over the input channels too",
    hint="All input channels of a kernel get the same gradient: K[o, i] only multiplies input channel "
    "i, so dK[o, i] correlates input channel i with output channel o, with a sum over the batch and "
    "the positions but not over the channels.",
    section=STRIDE,
)
def conv2d_backward_dK_summed_over_channels(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->o", dY, window)[:, None]
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="dK correlates the unpadded X with dY",
    hint="dK is right without padding and wrong with it: the kernel was slid over the padded input, so "
    "its gradient correlates the padded X (zeros included) with dY.",
    section=STRIDE,
)
def conv2d_backward_dK_without_padding(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = X[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            rows, cols = window.shape[2:]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY[:, :, :rows, :cols], window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="db summed over the positions but not over the batch",
    hint="db has shape (N, Co) instead of (Co,): the bias is shared by every sample and every position, "
    "so its gradient sums dY over the batch, the rows and the columns (axes 0, 2 and 3).",
    section=STRIDE,
)
def conv2d_backward_db_per_sample(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="db averaged over N, H and W instead of summed",
    hint="db is too small, by the number of outputs per channel: the bias is added to every output, "
    "and each of those outputs sends its gradient back to it, so they add up (a sum, not a mean).",
    section=STRIDE,
)
def conv2d_backward_db_mean(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.mean(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@mistake(
    "conv2d_backward",
    summary="lets autograd compute the gradients",
    hint="This exercise asks you to write the backward yourself; autograd (torch.autograd.grad, "
    ".backward()) is what it is checked against.",
)
def conv2d_backward_autograd(dY, X, K, stride=1, padding=0):
    with torch.enable_grad():
        X_ = X.detach().requires_grad_(True)
        K_ = K.detach().requires_grad_(True)
        b_ = torch.zeros(K.shape[0], dtype=K.dtype, device=K.device, requires_grad=True)
        Y = conv2d(X_, K_, b_, stride, padding)
        return torch.autograd.grad(Y, (X_, K_, b_), dY)


# Answers right on the chapter's first examples that break a stated property of conv2d_backward.


@breaks("conv2d_backward", "dtype")
def conv2d_backward_float32_dX(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3).float()
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@breaks("conv2d_backward", "device")
def conv2d_backward_dX_on_default_device(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@breaks("conv2d_backward", "unchanged")
def conv2d_backward_flips_K_in_place(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    K.copy_(K.flip(2, 3))
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum("nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], K[:, :, a, c])
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@breaks("conv2d_backward", "non-square")
def conv2d_backward_square_only(dY, X, K, stride=1, padding=0):
    N, Ci, H, W = X.shape
    Co, _, k, _ = K.shape
    s, p = as_pair(stride)[0], as_pair(padding)[0]
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (p, p, p, p))
    dK = torch.zeros_like(K)
    for a in range(k):
        for c in range(k):
            window = Xp[:, :, a : a + s * (Ho - 1) + 1 : s, c : c + s * (Wo - 1) + 1 : s]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, s * (Ho - 1) + 1, s * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::s, ::s] = dY
    D = F.pad(D, (k - 1, k - 1, k - 1, k - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - k + 1, D.shape[3] - k + 1
    dXp = torch.zeros(N, Ci, H + 2 * p, W + 2 * p, dtype=X.dtype, device=X.device)
    for a in range(k):
        for c in range(k):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, p : p + H, p : p + W], dK, db


@breaks("conv2d_backward", "batch")
def conv2d_backward_first_sample(dY, X, K, stride=1, padding=0):
    dY, X = dY[:1], X[:1]
    N, Ci, H, W = X.shape
    Co, _, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Ho, Wo = dY.shape[2:]
    db = dY.sum(dim=(0, 2, 3))
    Xp = F.pad(X, (pw, pw, ph, ph))
    dK = torch.zeros_like(K)
    for a in range(kh):
        for c in range(kw):
            window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
            dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, window)
    D = torch.zeros(N, Co, sh * (Ho - 1) + 1, sw * (Wo - 1) + 1, dtype=dY.dtype, device=dY.device)
    D[:, :, ::sh, ::sw] = dY
    D = F.pad(D, (kw - 1, kw - 1, kh - 1, kh - 1))
    flipped = K.flip(2, 3)
    rows, cols = D.shape[2] - kh + 1, D.shape[3] - kw + 1
    dXp = torch.zeros(N, Ci, H + 2 * ph, W + 2 * pw, dtype=X.dtype, device=X.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, :rows, :cols] += torch.einsum(
                "nohw,oi->nihw", D[:, :, a : a + rows, c : c + cols], flipped[:, :, a, c]
            )
    return dXp[:, :, ph : ph + H, pw : pw + W], dK, db


@breaks("conv2d_backward", "from scratch")
def conv2d_backward_torch_nn_grad(dY, X, K, stride=1, padding=0):
    dX = torch.nn.grad.conv2d_input(X.shape, K, dY, as_pair(stride), as_pair(padding))
    dK = torch.nn.grad.conv2d_weight(X, K.shape, dY, as_pair(stride), as_pair(padding))
    return dX, dK, dY.sum(dim=(0, 2, 3))


# ---------------------------------------------------------------------------------------
# max_pool2d_backward


@mistake(
    "max_pool2d_backward",
    summary="the gradient goes to every tied maximum",
    hint="Where a window holds its maximum twice, both copies got the gradient, so the window passes "
    "back more than it received. The forward picked one element (PyTorch: the first in row-major "
    "order), and only that element changes the output: it alone gets dY.",
    section=POOL,
)
def max_pool2d_backward_every_tie(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    Ho, Wo = windows.shape[2:4]
    top = windows.amax(dim=(-2, -1), keepdim=True)
    mask = (windows == top).to(dY.dtype)
    dX = torch.zeros(X.shape, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dX[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += mask[..., a, c] * dY
    return dX


@mistake(
    "max_pool2d_backward",
    summary="the gradient goes to the window's first element",
    hint="Each window's gradient landed on its top-left element whatever the values: it must go to "
    "the element that was the maximum, the one the forward pass read (argmax of the window).",
    section=POOL,
)
def max_pool2d_backward_first_element(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    Ho, Wo = dY.shape[2:]
    dX = torch.zeros(X.shape, dtype=dY.dtype, device=dY.device)
    dX[:, :, : sh * (Ho - 1) + 1 : sh, : sw * (Wo - 1) + 1 : sw] += dY
    return dX


@mistake(
    "max_pool2d_backward",
    summary="overlapping windows overwrite each other's gradient",
    hint="Where overlapping windows share their maximum, the element got the gradient of one window "
    "only: each window adds its dY to its maximum (scatter_add, or +=), since the element fed every "
    "one of those outputs.",
    section=POOL,
)
def max_pool2d_backward_overwrites(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    k = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


@mistake(
    "max_pool2d_backward",
    summary="the last tied maximum gets the gradient",
    hint="On ties your gradient went to the last maximum of the window; PyTorch's max pooling keeps "
    "the first one in row-major order (argmax does too), and the backward must follow the forward's choice.",
    section=POOL,
)
def max_pool2d_backward_last_tie(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)
    k = kh * kw - 1 - windows.flip(-1).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


@mistake(
    "max_pool2d_backward",
    summary="the stride defaults to 1 instead of the kernel size",
    hint="With stride=None, max pooling moves the window by its own size; the backward must read "
    "the same windows as the forward did.",
    section=POOL,
)
def max_pool2d_backward_stride_one(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(1 if stride is None else stride)
    N, C, H, W = X.shape
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    k = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


@mistake(
    "max_pool2d_backward",
    summary="lets autograd compute the gradient",
    hint="This exercise asks you to route the gradient yourself; autograd through F.max_pool2d is "
    "what it is checked against.",
)
def max_pool2d_backward_autograd(dY, X, kernel_size, stride=None):
    with torch.enable_grad():
        X_ = X.detach().requires_grad_(True)
        Y = F.max_pool2d(X_, kernel_size, stride)
        return torch.autograd.grad(Y, X_, dY)[0]


@breaks("max_pool2d_backward", "dtype")
def max_pool2d_backward_float32(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    k = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(N, C, H * W, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2).float())
    return dX.reshape(N, C, H, W)


@breaks("max_pool2d_backward", "device")
def max_pool2d_backward_default_device(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    k = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


@breaks("max_pool2d_backward", "unchanged")
def max_pool2d_backward_shifts_X(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    X -= X.amax()  # the maxima do not move
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    k = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


@breaks("max_pool2d_backward", "non-square")
def max_pool2d_backward_square_kernel(dY, X, kernel_size, stride=None):
    k = as_pair(kernel_size)[0]
    sh, sw = as_pair(kernel_size if stride is None else stride)
    N, C, H, W = X.shape
    windows = X.unfold(2, k, sh).unfold(3, k, sw)
    i = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + i // k) * W + (left + i % k)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


@breaks("max_pool2d_backward", "batch")
def max_pool2d_backward_first_sample(dY, X, kernel_size, stride=None):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    _, C, H, W = X.shape
    windows = X[:1].unfold(2, kh, sh).unfold(3, kw, sw)
    k = windows.flatten(-2).argmax(dim=-1)
    top = torch.arange(windows.shape[2], device=X.device)[:, None] * sh
    left = torch.arange(windows.shape[3], device=X.device)[None, :] * sw
    where = (top + k // kw) * W + (left + k % kw)
    dX = torch.zeros(1, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY[:1].flatten(2))
    return dX.reshape(1, C, H, W)


@breaks("max_pool2d_backward", "from scratch")
def max_pool2d_backward_builtin_indices(dY, X, kernel_size, stride=None):
    N, C, H, W = X.shape
    _, where = F.max_pool2d(X, kernel_size, stride, return_indices=True)
    dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
    dX = dX.scatter_add(2, where.flatten(2), dY.flatten(2))
    return dX.reshape(N, C, H, W)


# ---------------------------------------------------------------------------------------
# avg_pool2d_backward


@mistake(
    "avg_pool2d_backward",
    summary="the gradient not divided by the window size",
    hint="Your gradient is kh * kw times too large: each output is the mean of its window, so each "
    "of the window's cells gets dY / (kh * kw), not dY.",
    section=POOL,
)
def avg_pool2d_backward_not_divided(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY
    return dXp[:, :, ph : ph + H, pw : pw + W]


@mistake(
    "avg_pool2d_backward",
    summary="the padding not cropped off the gradient",
    hint="The result has the shape of the padded input: the padded zeros are not inputs, so their "
    "share of the gradient is dropped by cropping p rows and columns off every side.",
    section=POOL,
)
def avg_pool2d_backward_padding_kept(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY / (kh * kw)
    return dXp


@mistake(
    "avg_pool2d_backward",
    summary="divides by the number of real cells at the border, as count_include_pad=False",
    hint="Near the border your gradient is too large: with F.avg_pool2d's default (padding counted), "
    "every window is divided by kh * kw, padded cells included, so every cell gets dY / (kh * kw).",
    section=POOL,
)
def avg_pool2d_backward_padding_not_counted(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    inside = F.pad(torch.ones(1, 1, H, W, dtype=dY.dtype, device=dY.device), (pw, pw, ph, ph))
    count = inside.unfold(2, kh, sh).unfold(3, kw, sw).sum(dim=(-2, -1))
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY / count
    return dXp[:, :, ph : ph + H, pw : pw + W]


@mistake(
    "avg_pool2d_backward",
    summary="the stride defaults to 1 instead of the kernel size",
    hint="With stride=None, average pooling moves the window by its own size; the backward must "
    "spread each dY over the same windows as the forward read.",
    section=POOL,
)
def avg_pool2d_backward_stride_one(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(1 if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY / (kh * kw)
    return dXp[:, :, ph : ph + H, pw : pw + W]


@mistake(
    "avg_pool2d_backward",
    summary="overlapping windows overwrite each other's share",
    hint="Where windows overlap, a cell got the share of one window only: it fed every window it "
    "belongs to, so the shares add up (+=, not =).",
    section=POOL,
)
def avg_pool2d_backward_overwrites(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] = dY / (kh * kw)
    return dXp[:, :, ph : ph + H, pw : pw + W]


@mistake(
    "avg_pool2d_backward",
    summary="lets autograd compute the gradient",
    hint="This exercise asks you to spread the gradient yourself; autograd through F.avg_pool2d is "
    "what it is checked against.",
)
def avg_pool2d_backward_autograd(dY, input_shape, kernel_size, stride=None, padding=0):
    with torch.enable_grad():
        X = torch.zeros(input_shape, dtype=dY.dtype, device=dY.device, requires_grad=True)
        Y = F.avg_pool2d(X, kernel_size, stride, padding)
        return torch.autograd.grad(Y, X, dY)[0]


@breaks("avg_pool2d_backward", "dtype")
def avg_pool2d_backward_float32(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY / (kh * kw)
    return dXp[:, :, ph : ph + H, pw : pw + W]


@breaks("avg_pool2d_backward", "device")
def avg_pool2d_backward_default_device(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY / (kh * kw)
    return dXp[:, :, ph : ph + H, pw : pw + W]


@breaks("avg_pool2d_backward", "unchanged")
def avg_pool2d_backward_divides_dY(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dY /= kh * kw
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY
    return dXp[:, :, ph : ph + H, pw : pw + W]


@breaks("avg_pool2d_backward", "non-square")
def avg_pool2d_backward_square_kernel(dY, input_shape, kernel_size, stride=None, padding=0):
    k = as_pair(kernel_size)[0]
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    N, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(k):
        for c in range(k):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY / (k * k)
    return dXp[:, :, ph : ph + H, pw : pw + W]


@breaks("avg_pool2d_backward", "batch")
def avg_pool2d_backward_first_sample(dY, input_shape, kernel_size, stride=None, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(kernel_size if stride is None else stride)
    ph, pw = as_pair(padding)
    _, C, H, W = input_shape
    Ho, Wo = dY.shape[2:]
    dXp = torch.zeros(1, C, H + 2 * ph, W + 2 * pw, dtype=dY.dtype, device=dY.device)
    for a in range(kh):
        for c in range(kw):
            dXp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw] += dY[:1] / (kh * kw)
    return dXp[:, :, ph : ph + H, pw : pw + W]


@breaks("avg_pool2d_backward", "from scratch")
def avg_pool2d_backward_builtin(dY, input_shape, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    X = torch.zeros(input_shape, dtype=dY.dtype, device=dY.device)
    return torch.ops.aten.avg_pool2d_backward(
        dY, X, as_pair(kernel_size), as_pair(stride), as_pair(padding), False, True, None
    )


# ---------------------------------------------------------------------------------------
# batch_norm_backward


@mistake(
    "batch_norm_backward",
    summary="dX without the mean term (- sum of dY)",
    hint="dX sums to something other than 0 over each channel: every x moves the batch mean, and the "
    "mean is subtracted from every output, which gives the term - sum(dY) / m of the compact form.",
    section=BN,
)
def batch_norm_backward_no_mean_term(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dbeta = dY.sum(dim=dims)
    dgamma = (dY * x_hat).sum(dim=dims)
    m = X.numel() // X.shape[1]
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


@mistake(
    "batch_norm_backward",
    summary="the batch statistics treated as constants",
    hint="Your dX is gamma * dY / sqrt(var + eps), the gradient of eval mode: in training the mean "
    "and the variance are computed from X, so the gradient also flows through them, which adds the "
    "two terms - sum(dY) / m and - x_hat * sum(dY * x_hat) / m.",
    section=BN,
)
def batch_norm_backward_constant_statistics(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dX = gamma.reshape(shape) * inv_std * dY
    return dX, (dY * x_hat).sum(dim=dims), dY.sum(dim=dims)


@mistake(
    "batch_norm_backward",
    summary="the unbiased variance (divided by m - 1)",
    hint="All three gradients are slightly off: in training, batch norm normalizes with the biased "
    "variance (divided by m, the number of values per channel), as in chapter 9, not with "
    "torch.var's default (m - 1).",
    section=BN,
)
def batch_norm_backward_unbiased(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    mean = X.mean(dim=dims, keepdim=True)
    var = X.var(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dbeta = dY.sum(dim=dims)
    dgamma = (dY * x_hat).sum(dim=dims)
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


@mistake(
    "batch_norm_backward",
    summary="statistics over the batch axis only for 4-D inputs",
    hint="(N, C) batches are right, images are not: for (N, C, H, W) every channel has one mean and one "
    "variance over N, H and W (axes 0, 2, 3), so the sums of the backward run over those axes too.",
    section=BN,
)
def batch_norm_backward_batch_axis_only(dY, X, gamma, eps=1e-5):
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.shape[0]
    mean = X.mean(dim=0, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=0, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dbeta = dY.sum(dim=0, keepdim=True)
    dgamma = (dY * x_hat).sum(dim=0, keepdim=True)
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta - x_hat * dgamma)
    if X.dim() == 4:
        dbeta, dgamma = dbeta.sum(dim=(2, 3)), dgamma.sum(dim=(2, 3))
    return dX, dgamma.reshape(-1), dbeta.reshape(-1)


@mistake(
    "batch_norm_backward",
    summary="dgamma summed like dbeta, without x_hat",
    hint="dgamma equals dbeta: gamma multiplies the normalized x_hat, so its gradient is the sum of "
    "dY * x_hat over each channel (dbeta, for the added beta, is the sum of dY alone).",
    section=BN,
)
def batch_norm_backward_dgamma_without_x_hat(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dbeta = dY.sum(dim=dims)
    dX = (
        gamma.reshape(shape)
        * inv_std
        / m
        * (m * dY - dbeta.reshape(shape) - x_hat * (dY * x_hat).sum(dim=dims).reshape(shape))
    )
    return dX, dbeta, dbeta


@mistake(
    "batch_norm_backward",
    summary="eps ignored (always 1e-5)",
    hint="With eps=0.001 your gradients are what eps = 1e-5 gives: use the eps passed in, the one the "
    "forward added to the variance.",
    section=BN,
)
def batch_norm_backward_fixed_eps(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + 1e-5)
    x_hat = (X - mean) * inv_std
    dbeta = dY.sum(dim=dims)
    dgamma = (dY * x_hat).sum(dim=dims)
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


@mistake(
    "batch_norm_backward",
    summary="lets autograd compute the gradients",
    hint="This exercise asks you to write the backward yourself; autograd through F.batch_norm is "
    "what it is checked against.",
)
def batch_norm_backward_autograd(dY, X, gamma, eps=1e-5):
    with torch.enable_grad():
        X_ = X.detach().requires_grad_(True)
        g_ = gamma.detach().requires_grad_(True)
        b_ = torch.zeros_like(g_, requires_grad=True)
        Y = F.batch_norm(X_, None, None, g_, b_, training=True, eps=eps)
        return torch.autograd.grad(Y, (X_, g_, b_), dY)


@breaks("batch_norm_backward", "dtype")
def batch_norm_backward_float32_sums(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dbeta = torch.zeros(X.shape[1], device=X.device) + dY.sum(dim=dims).float()
    dgamma = torch.zeros(X.shape[1], device=X.device) + (dY * x_hat).sum(dim=dims).float()
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


@breaks("batch_norm_backward", "device")
def batch_norm_backward_sums_on_default_device(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    mean = X.mean(dim=dims, keepdim=True)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (X - mean) * inv_std
    dbeta = torch.zeros(X.shape[1], dtype=X.dtype) + dY.sum(dim=dims)
    dgamma = (dY * x_hat).sum(dim=dims)
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


@breaks("batch_norm_backward", "unchanged")
def batch_norm_backward_centres_X(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    X -= X.mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt((X**2).mean(dim=dims, keepdim=True) + eps)
    x_hat = X * inv_std
    dbeta = dY.sum(dim=dims)
    dgamma = (dY * x_hat).sum(dim=dims)
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


@breaks("batch_norm_backward", "from scratch")
def batch_norm_backward_builtin_x_hat(dY, X, gamma, eps=1e-5):
    dims = (0,) if X.dim() == 2 else (0, 2, 3)
    shape = (1, -1) + (1,) * (X.dim() - 2)
    m = X.numel() // X.shape[1]
    x_hat = F.batch_norm(X, None, None, training=True, eps=eps)
    var = ((X - X.mean(dim=dims, keepdim=True)) ** 2).mean(dim=dims, keepdim=True)
    inv_std = 1 / torch.sqrt(var + eps)
    dbeta = dY.sum(dim=dims)
    dgamma = (dY * x_hat).sum(dim=dims)
    dX = gamma.reshape(shape) * inv_std / m * (m * dY - dbeta.reshape(shape) - x_hat * dgamma.reshape(shape))
    return dX, dgamma, dbeta


# ---------------------------------------------------------------------------------------
# Conv2dFunction


# The known mistakes of Conv2dFunction carry their own convolution and its backward (a student's
# Function holds only static methods, from which the diagnosis cannot reach the notebook's names).


@mistake(
    "Conv2dFunction",
    summary="backward returns three gradients for five inputs",
    hint="PyTorch refused the backward: it must return one gradient per argument of forward (after "
    "ctx), in the same order, with None for those that take none, such as stride and padding.",
    section=FUNCTION,
)
class Conv2dFunction_three_gradients(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        ctx.save_for_backward(X, K)
        ctx.sizes = (sh, sw, ph, pw)
        Xp = F.pad(X, (pw, pw, ph, ph))
        Ho, Wo = (Xp.shape[2] - K.shape[2]) // sh + 1, (Xp.shape[3] - K.shape[3]) // sw + 1
        Y = b.reshape(1, -1, 1, 1)
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
                Y = Y + torch.einsum("nihw,oi->nohw", window, K[:, :, a, c])
        return Y

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        sh, sw, ph, pw = ctx.sizes
        Xp = F.pad(X, (pw, pw, ph, ph))
        dXp, dK = torch.zeros_like(Xp), torch.zeros_like(K)
        Ho, Wo = dY.shape[2:]
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                rows, cols = slice(a, a + sh * (Ho - 1) + 1, sh), slice(c, c + sw * (Wo - 1) + 1, sw)
                dXp[:, :, rows, cols] += torch.einsum("nohw,oi->nihw", dY, K[:, :, a, c])
                dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, Xp[:, :, rows, cols])
        dX = dXp[:, :, ph : ph + X.shape[2], pw : pw + X.shape[3]]
        return dX, dK, dY.sum(dim=(0, 2, 3))


@mistake(
    "Conv2dFunction",
    summary="backward ignores the gradient it receives",
    hint="Your gradients are those of the plain sum of the output: backward gets dY, the gradient of "
    "the loss with respect to the output, and must pass it on to conv2d_backward (the chain rule), "
    "not a tensor of ones.",
    section=FUNCTION,
)
class Conv2dFunction_ignores_dY(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        ctx.save_for_backward(X, K)
        ctx.sizes = (sh, sw, ph, pw)
        Xp = F.pad(X, (pw, pw, ph, ph))
        Ho, Wo = (Xp.shape[2] - K.shape[2]) // sh + 1, (Xp.shape[3] - K.shape[3]) // sw + 1
        Y = b.reshape(1, -1, 1, 1)
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
                Y = Y + torch.einsum("nihw,oi->nohw", window, K[:, :, a, c])
        return Y

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        sh, sw, ph, pw = ctx.sizes
        Xp = F.pad(X, (pw, pw, ph, ph))
        dXp, dK = torch.zeros_like(Xp), torch.zeros_like(K)
        Ho, Wo = dY.shape[2:]
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                rows, cols = slice(a, a + sh * (Ho - 1) + 1, sh), slice(c, c + sw * (Wo - 1) + 1, sw)
                dXp[:, :, rows, cols] += torch.einsum("nohw,oi->nihw", torch.ones_like(dY), K[:, :, a, c])
                dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", torch.ones_like(dY), Xp[:, :, rows, cols])
        dX = dXp[:, :, ph : ph + X.shape[2], pw : pw + X.shape[3]]
        return dX, dK, torch.ones_like(dY).sum(dim=(0, 2, 3)), None, None


@mistake(
    "Conv2dFunction",
    summary="backward forgets the stride and padding",
    hint="The gradients are right for stride 1 without padding only: backward must use the stride and "
    "padding of the forward, kept on ctx (ctx.stride = stride in forward).",
    section=FUNCTION,
)
class Conv2dFunction_forgets_stride(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        ctx.save_for_backward(X, K)
        ctx.sizes = (sh, sw, ph, pw)
        Xp = F.pad(X, (pw, pw, ph, ph))
        Ho, Wo = (Xp.shape[2] - K.shape[2]) // sh + 1, (Xp.shape[3] - K.shape[3]) // sw + 1
        Y = b.reshape(1, -1, 1, 1)
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
                Y = Y + torch.einsum("nihw,oi->nohw", window, K[:, :, a, c])
        return Y

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        sh, sw, ph, pw = 1, 1, 0, 0
        Xp = F.pad(X, (pw, pw, ph, ph))
        dXp, dK = torch.zeros_like(Xp), torch.zeros_like(K)
        Ho, Wo = dY.shape[2:]
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                rows, cols = slice(a, a + sh * (Ho - 1) + 1, sh), slice(c, c + sw * (Wo - 1) + 1, sw)
                dXp[:, :, rows, cols] += torch.einsum("nohw,oi->nihw", dY, K[:, :, a, c])
                dK[:, :, a, c] = torch.einsum("nohw,nihw->oi", dY, Xp[:, :, rows, cols])
        dX = dXp[:, :, ph : ph + X.shape[2], pw : pw + X.shape[3]]
        return dX, dK, dY.sum(dim=(0, 2, 3)), None, None


@mistake(
    "Conv2dFunction",
    summary="backward lets autograd differentiate the forward again",
    hint="The point of the Function is a backward of your own: call your conv2d_backward on dY, rather "
    "than running autograd (torch.autograd.grad, .backward()) inside backward.",
    section=FUNCTION,
)
class Conv2dFunction_autograd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        ctx.save_for_backward(X, K)
        ctx.sizes = (sh, sw, ph, pw)
        Xp = F.pad(X, (pw, pw, ph, ph))
        Ho, Wo = (Xp.shape[2] - K.shape[2]) // sh + 1, (Xp.shape[3] - K.shape[3]) // sw + 1
        Y = b.reshape(1, -1, 1, 1)
        for a in range(K.shape[2]):
            for c in range(K.shape[3]):
                window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
                Y = Y + torch.einsum("nihw,oi->nohw", window, K[:, :, a, c])
        return Y

    @staticmethod
    def backward(ctx, dY):
        X, K = (t.detach().requires_grad_(True) for t in ctx.saved_tensors)
        sh, sw, ph, pw = ctx.sizes
        with torch.enable_grad():
            Xp = F.pad(X, (pw, pw, ph, ph))
            Ho, Wo = dY.shape[2:]
            Y = 0
            for a in range(K.shape[2]):
                for c in range(K.shape[3]):
                    window = Xp[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw]
                    Y = Y + torch.einsum("nihw,oi->nohw", window, K[:, :, a, c])
            dX, dK = torch.autograd.grad(Y, (X, K), dY)
        return dX, dK, dY.sum(dim=(0, 2, 3)), None, None


@breaks("Conv2dFunction", "dtype")
class Conv2dFunction_float32(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        ctx.save_for_backward(X, K)
        ctx.stride, ctx.padding = stride, padding
        return conv2d(X.float(), K.float(), b.float(), stride, padding)

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        dX, dK, db = conv2d_backward(dY.to(X.dtype), X, K, ctx.stride, ctx.padding)
        return dX, dK, db, None, None


@breaks("Conv2dFunction", "device")
class Conv2dFunction_bias_on_default_device(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        ctx.save_for_backward(X, K)
        ctx.stride, ctx.padding = stride, padding
        bias = torch.zeros(K.shape[0], dtype=X.dtype) + b
        return conv2d(X, K, bias, stride, padding)

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
        return dX, dK, db, None, None


@breaks("Conv2dFunction", "unchanged")
class Conv2dFunction_scales_X(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        scale = X.abs().max()
        X /= scale  # keep the sums small
        ctx.save_for_backward(X * scale, K)
        ctx.stride, ctx.padding = stride, padding
        return conv2d(X, K, None, stride, padding) * scale + b.reshape(1, -1, 1, 1)

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
        return dX, dK, db, None, None


@breaks("Conv2dFunction", "differentiable")
class Conv2dFunction_no_bias_gradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        ctx.save_for_backward(X, K)
        ctx.stride, ctx.padding = stride, padding
        return conv2d(X, K, b, stride, padding)

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        dX, dK, _ = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
        return dX, dK, None, None, None


@breaks("Conv2dFunction", "from scratch")
class Conv2dFunction_builtin_forward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        ctx.save_for_backward(X, K)
        ctx.stride, ctx.padding = stride, padding
        return F.conv2d(X, K, b, stride, padding)

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
        return dX, dK, db, None, None
