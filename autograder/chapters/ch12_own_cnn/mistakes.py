"""Wrong answers to chapter 12's exercises: the known mistakes (``@mistake``, with hints) and, after
those of each exercise, answers right on the values that break a property the exercise's text states
(``@breaks``).

Each function's or class's source becomes the student's answer cell. A module's answer cell holds its
Function and its module: a wrong answer whose mistake is in the Function carries its own Function as a
nested class; one whose mistake is in the module uses the notebook's Function. The notebook's first
cells define ``as_pair``, ``math``, ``digits_data`` and the three finished backwards, and its earlier
answers ``im2col``, ``conv2d_im2col`` and the modules (the definitions below only make the names
resolve in this module).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from autograder.runtime.mistakes import breaks, mistake


def as_pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def im2col(X, kernel_size, stride=1, padding=0):
    return F.unfold(X, as_pair(kernel_size), padding=as_pair(padding), stride=as_pair(stride))


def conv2d_im2col(X, K, b=None, stride=1, padding=0):
    return F.conv2d(X, K, b, as_pair(stride), as_pair(padding))


def conv2d_backward(dY, X, K, stride=1, padding=0):
    raise NotImplementedError  # the notebook's (chapter 11's block)


def max_pool2d_backward(dY, X, kernel_size, stride=None):
    raise NotImplementedError  # the notebook's (chapter 11's block)


def batch_norm_backward(dY, X, gamma, eps=1e-5):
    raise NotImplementedError  # the notebook's (chapter 11's block)


def digits_data(device=None):
    raise NotImplementedError  # the notebook's (chapter 10's split)


class _Notebook:
    """Stand-ins for the notebook's own Functions and modules."""

    apply = staticmethod(lambda *args: None)


ReLUFunction = LinearFunction = Conv2dFunction = MaxPool2dFunction = BatchNorm2dFunction = _Notebook
OwnConv2d = OwnBatchNorm2d = OwnReLU = OwnMaxPool2d = OwnLinear = _Notebook

CHAPTER = "ch12_own_cnn"
IM2COL = f"{CHAPTER}#im2col-a-convolution-as-one-matrix-product"
COST = f"{CHAPTER}#what-the-columns-cost"
MODULES = f"{CHAPTER}#modules-of-your-own"
NETWORK = f"{CHAPTER}#your-network-and-the-nn-network"

# ---------------------------------------------------------------------------------------
# im2col


@mistake(
    "im2col",
    summary="the rows of a column ordered by kernel position first, channels inner",
    hint="Your columns hold the right values in another order when there are several channels: the rows "
    "must run channel by channel, each channel's kh x kw window row by row (row c * kh * kw + a * kw + b), as "
    "F.unfold and the flattened kernel K.reshape(Co, -1) order them. Check the order of the axes before the "
    "reshape: the channel axis goes before the two kernel axes.",
    section=IM2COL,
)
def im2col_kernel_major(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C = X.shape[:2]
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 4, 5, 1, 2, 3).reshape(N, kh * kw * C, L)


@mistake(
    "im2col",
    summary="the windows taken column by column (the output pixels in column-major order)",
    hint="Your columns are the right windows in the wrong order: column l must be output pixel l counted "
    "row by row (l = p * W_out + q), as the output's reshape to (H_out, W_out) reads them. Usually the "
    "output's row and column axes were swapped before the reshape.",
    section=IM2COL,
)
def im2col_column_major(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C = X.shape[:2]
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 3, 2).reshape(N, C * kh * kw, L)


@mistake(
    "im2col",
    summary="padding ignored",
    hint="With padding you return too few columns: the windows must be cut from the input padded with "
    "zeros by `padding` on each side (F.pad takes (left, right, top, bottom)), which adds 2 * padding to "
    "H and W before the windows are counted.",
    section=IM2COL,
)
def im2col_no_padding(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    N, C = X.shape[:2]
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, L)


@mistake(
    "im2col",
    summary="stride ignored (every window, step 1)",
    hint="With a stride you return too many columns: consecutive windows start `stride` pixels apart, so "
    "there are (H + 2 padding - kh) // stride + 1 rows of them. The step of Tensor.unfold (its third "
    "argument) is the stride, not 1.",
    section=IM2COL,
)
def im2col_no_stride(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    ph, pw = as_pair(padding)
    N, C = X.shape[:2]
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, 1).unfold(3, kw, 1)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, L)


@mistake(
    "im2col",
    summary="a Python loop over the output pixels",
    hint="Your values are right, but the number of tensor operations grows with the image: a loop over the "
    "output pixels runs one slice per window, thousands on a real image. Cut out every window at once with "
    "Tensor.unfold along the rows and the columns (views, no copy), then permute and reshape.",
    section=IM2COL,
)
def im2col_pixel_loop(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    Xp = F.pad(X, (pw, pw, ph, ph))
    N = X.shape[0]
    Ho, Wo = (Xp.shape[2] - kh) // sh + 1, (Xp.shape[3] - kw) // sw + 1
    columns = []
    for p in range(Ho):
        for q in range(Wo):
            columns.append(Xp[:, :, p * sh : p * sh + kh, q * sw : q * sw + kw].reshape(N, -1))
    return torch.stack(columns, dim=2)


@breaks("im2col", "dtype")
def im2col_float32(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C = X.shape[:2]
    windows = F.pad(X, (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, L).float()


@breaks("im2col", "device")
def im2col_padded_on_default_device(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C, H, W = X.shape
    Xp = torch.zeros(N, C, H + 2 * ph, W + 2 * pw, dtype=X.dtype)
    Xp[:, :, ph : ph + H, pw : pw + W] = X
    windows = Xp.unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, L)


@breaks("im2col", "unchanged")
def im2col_pads_the_input(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C = X.shape[:2]
    X.data = F.pad(X.data, (pw, pw, ph, ph))
    windows = X.unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, L)


@breaks("im2col", "differentiable")
def im2col_detached(X, kernel_size, stride=1, padding=0):
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, C = X.shape[:2]
    windows = F.pad(X.detach(), (pw, pw, ph, ph)).unfold(2, kh, sh).unfold(3, kw, sw)
    L = windows.shape[2] * windows.shape[3]
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(N, C * kh * kw, L).contiguous()


@breaks("im2col", "from scratch")
def im2col_F_unfold(X, kernel_size, stride=1, padding=0):
    return F.unfold(X, as_pair(kernel_size), padding=as_pair(padding), stride=as_pair(stride))


# ---------------------------------------------------------------------------------------
# conv2d_im2col


@mistake(
    "conv2d_im2col",
    summary="the bias not added",
    hint="Your outputs are short by exactly the bias, each output channel by its own b[o]: the layer is "
    "the matrix product plus b, added to every pixel of channel o (when b is not None).",
    section=IM2COL,
)
def conv2d_im2col_no_bias(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    return (K.reshape(Co, -1) @ im2col(X, (kh, kw), stride, padding)).reshape(N, Co, Ho, Wo)


@mistake(
    "conv2d_im2col",
    summary="the kernel flattened in another order than the columns' rows",
    hint="Your result is right for one input channel and wrong for several: each output is a dot product "
    "of a kernel row with a column, so both must list the values in the same order, channel by channel "
    "and each window row by row. K.reshape(Co, -1) does; permuting K's axes first does not.",
    section=IM2COL,
)
def conv2d_im2col_kernel_order(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = (K.permute(0, 2, 3, 1).reshape(Co, -1) @ im2col(X, (kh, kw), stride, padding)).reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b.reshape(1, Co, 1, 1)


@mistake(
    "conv2d_im2col",
    summary="the bias added along the pixels instead of the channels",
    hint="Adding b to the product of shape (N, Co, L) broadcasts it along the last axis, the L pixels, "
    "which fails (or adds b[l] to pixel l) unless there is one channel: reshape b to (Co, 1), or to "
    "(1, Co, 1, 1) after the reshape to (N, Co, H_out, W_out), so that b[o] goes to channel o.",
    section=IM2COL,
)
def conv2d_im2col_bias_on_pixels(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = K.reshape(Co, -1) @ im2col(X, (kh, kw), stride, padding)
    if b is not None:
        Y = Y + b
    return Y.reshape(N, Co, Ho, Wo)


@mistake(
    "conv2d_im2col",
    summary="the output's height and width swapped",
    hint="Your output has shape (N, Co, W_out, H_out) on non-square inputs: the L columns are the output "
    "pixels row by row, so they reshape to (H_out, W_out), with H_out from the heights (H, kh, the first "
    "stride and padding) and W_out from the widths.",
    section=IM2COL,
)
def conv2d_im2col_swapped_shape(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = (K.reshape(Co, -1) @ im2col(X, (kh, kw), stride, padding)).reshape(N, Co, Wo, Ho)
    return Y if b is None else Y + b.reshape(1, Co, 1, 1)


@mistake(
    "conv2d_im2col",
    summary="a matrix product per output pixel",
    hint="Your values are right, but you run one matrix product per output pixel: im2col's point is that "
    "all of them are ONE product, the flattened kernel (Co, Ci kh kw) times the whole matrix of columns "
    "(N, Ci kh kw, L), which @ broadcasts over the batch.",
    section=IM2COL,
)
def conv2d_im2col_pixel_loop(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    cols = im2col(X, (kh, kw), stride, padding)
    Y = torch.stack([cols[:, :, i] @ K.reshape(Co, -1).T for i in range(cols.shape[2])], dim=2)
    Y = Y.reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b.reshape(1, Co, 1, 1)


@mistake(
    "conv2d_im2col",
    summary="calls F.conv2d",
    hint="The exercise is to compute the convolution yourself, as im2col's columns times the flattened "
    "kernel: PyTorch's convolution (F.conv2d, nn.Conv2d) earns no points here.",
    section=IM2COL,
)
def conv2d_im2col_builtin(X, K, b=None, stride=1, padding=0):
    return F.conv2d(X, K, b, stride=stride, padding=padding)


@breaks("conv2d_im2col", "dtype")
def conv2d_im2col_float32(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = (K.reshape(Co, -1).float() @ im2col(X, (kh, kw), stride, padding).float()).reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b.float().reshape(1, Co, 1, 1)


@breaks("conv2d_im2col", "device")
def conv2d_im2col_zero_bias_on_default_device(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    b = torch.zeros(Co, dtype=X.dtype) if b is None else b
    Y = (K.reshape(Co, -1) @ im2col(X, (kh, kw), stride, padding)).reshape(N, Co, Ho, Wo)
    return Y + b.reshape(1, Co, 1, 1) + torch.zeros(Ho, Wo, dtype=X.dtype)


@breaks("conv2d_im2col", "unchanged")
def conv2d_im2col_reshapes_K(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    cols = im2col(X, (kh, kw), stride, padding)
    K.data = K.data.reshape(Co, -1)
    Y = (K @ cols).reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b.reshape(1, Co, 1, 1)


@breaks("conv2d_im2col", "differentiable")
def conv2d_im2col_detached_kernel(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    Y = (K.detach().reshape(Co, -1) @ im2col(X.detach(), (kh, kw), stride, padding)).reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b.detach().reshape(1, Co, 1, 1)


@breaks("conv2d_im2col", "from scratch")
def conv2d_im2col_F_unfold(X, K, b=None, stride=1, padding=0):
    Co, Ci, kh, kw = K.shape
    sh, sw = as_pair(stride)
    ph, pw = as_pair(padding)
    N, _, H, W = X.shape
    Ho, Wo = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
    cols = F.unfold(X, (kh, kw), padding=(ph, pw), stride=(sh, sw))
    Y = (K.reshape(Co, -1) @ cols).reshape(N, Co, Ho, Wo)
    return Y if b is None else Y + b.reshape(1, Co, 1, 1)


# ---------------------------------------------------------------------------------------
# OwnReLU


@mistake(
    "OwnReLU",
    summary="the backward's mask taken from dY instead of X",
    hint="Your gradient is wrong wherever the input and the output gradient differ in sign: ReLU passes "
    "the gradient where its INPUT was positive, so the backward needs X (saved with ctx.save_for_backward "
    "in forward), not the sign of dY.",
    section=MODULES,
)
class OwnReLU_mask_from_dY(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X):
            return X.clamp(min=0)

        @staticmethod
        def backward(ctx, dY):
            return dY * (dY > 0)

    def forward(self, X):
        return self.Function.apply(X)


@mistake(
    "OwnReLU",
    summary="the backward's mask taken from the output with >= 0, so it passes every gradient",
    hint="Your gradient passes where the input was negative too: the output max(X, 0) is never negative, "
    "so a mask Y >= 0 is all ones. Mask with the input, X > 0 (or the output, Y > 0).",
    section=MODULES,
)
class OwnReLU_mask_from_output(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X):
            Y = X.clamp(min=0)
            ctx.save_for_backward(Y)
            return Y

        @staticmethod
        def backward(ctx, dY):
            (Y,) = ctx.saved_tensors
            return dY * (Y >= 0)

    def forward(self, X):
        return self.Function.apply(X)


@mistake(
    "OwnReLU",
    summary="gradient 1 at x = 0 (mask X >= 0)",
    hint="Your gradient differs only where the input is exactly 0: ReLU has no derivative there, and "
    "PyTorch uses 0, so the mask is X > 0, not X >= 0 (inputs of exact zeros are common after a ReLU or "
    "a max pooling).",
    section=MODULES,
)
class OwnReLU_one_at_zero(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X):
            ctx.save_for_backward(X)
            return X.clamp(min=0)

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return dY * (X >= 0)

    def forward(self, X):
        return self.Function.apply(X)


@mistake(
    "OwnReLU",
    summary="no Function: the forward computes the ReLU with tensor operations",
    hint="Your output is right, but autograd differentiates it, not your code: a module of your own "
    "returns YourFunction.apply(X), whose backward computes the gradient by hand. Computing on X "
    "directly in the module's forward (clamp, where, *) hands the gradient back to PyTorch.",
    section=MODULES,
)
class OwnReLU_no_function(nn.Module):
    def forward(self, X):
        return X.clamp(min=0)


@breaks("OwnReLU", "dtype")
class OwnReLU_float32(nn.Module):
    def forward(self, X):
        return ReLUFunction.apply(X.float())


@breaks("OwnReLU", "device")
class OwnReLU_zeros_on_default_device(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X):
            ctx.save_for_backward(X)
            return torch.maximum(X, torch.zeros(X.shape, dtype=X.dtype))

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return dY * (X > 0)

    def forward(self, X):
        return self.Function.apply(X)


@breaks("OwnReLU", "unchanged")
class OwnReLU_in_place(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X):
            mask = X > 0
            ctx.save_for_backward(mask)
            return X.clamp_(min=0).clone()

        @staticmethod
        def backward(ctx, dY):
            (mask,) = ctx.saved_tensors
            return dY * mask

    def forward(self, X):
        return self.Function.apply(X)


@breaks("OwnReLU", "from scratch")
class OwnReLU_torch_relu(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X):
            ctx.save_for_backward(X)
            return torch.relu(X)

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return dY * (X > 0)

    def forward(self, X):
        return self.Function.apply(X)


# ---------------------------------------------------------------------------------------
# OwnLinear


@mistake(
    "OwnLinear",
    summary="the weight stored as (in_features, out_features)",
    hint="Your weight has the transposed shape of nn.Linear's, so a state_dict cannot load from one into "
    "the other: nn.Linear stores W as (out_features, in_features) and computes X W^T + b. Keep that shape "
    "and transpose in the product.",
    section=MODULES,
)
class OwnLinear_weight_in_out(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return X @ W + b if b is not None else X @ W

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            return dY @ W.T, X.T @ dY, dY.sum(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@mistake(
    "OwnLinear",
    summary="dW not transposed (X^T dY instead of dY^T X)",
    hint="Your backward's gradient for W has the shape (in, out) and PyTorch refuses it: W has the shape "
    "(out, in), and so must dW = dY^T X. Check every gradient's shape against its input's.",
    section=MODULES,
)
class OwnLinear_dW_transposed(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return X @ W.T + b if b is not None else X @ W.T

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            return dY @ W, X.T @ dY, dY.sum(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@mistake(
    "OwnLinear",
    summary="db averaged over the batch instead of summed",
    hint="Your bias's gradient is the batch size times too small: the bias is added to every input of the "
    "batch, so its gradient is the SUM of dY over the batch (axis 0), as the loss sums the contributions "
    "of every input (any averaging is the loss's business).",
    section=MODULES,
)
class OwnLinear_db_mean(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return X @ W.T + b if b is not None else X @ W.T

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            return dY @ W, dY.T @ X, dY.mean(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@mistake(
    "OwnLinear",
    summary="calls F.linear",
    hint="The exercise is to write the layer yourself: PyTorch's F.linear (or an nn.Linear inside) earns "
    "no points here. Inside your Function, the forward is X @ W.T (+ b) and the backward three matrix "
    "products and a sum.",
    section=MODULES,
)
class OwnLinear_F_linear(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return F.linear(X, W, b)

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            return dY @ W, dY.T @ X, dY.sum(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@mistake(
    "OwnLinear",
    summary="a bias even with bias=False",
    hint="With bias=False your module still has a bias, which nn.Linear(..., bias=False) does not: its "
    "state_dict has no bias to load. Without bias, set self.bias to None (register_parameter('bias', None)) "
    "and let the Function return None as its gradient.",
    section=MODULES,
)
class OwnLinear_always_bias(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return X @ W.T + b if b is not None else X @ W.T

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            return dY @ W, dY.T @ X, dY.sum(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@breaks("OwnLinear", "dtype")
class OwnLinear_float32(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return LinearFunction.apply(X, self.weight, self.bias).float()


@breaks("OwnLinear", "device")
class OwnLinear_zero_bias_on_default_device(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return X @ W.T + (b if b is not None else torch.zeros(W.shape[0], dtype=X.dtype))

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            return dY @ W, dY.T @ X, dY.sum(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@breaks("OwnLinear", "unchanged")
class OwnLinear_frees_X_in_place(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W)
            ctx.has_bias = b is not None
            return X @ W.T + b if b is not None else X @ W.T

        @staticmethod
        def backward(ctx, dY):
            X, W = ctx.saved_tensors
            dX, dW = dY @ W, dY.T @ X
            X.zero_()  # the saved input is no longer needed
            return dX, dW, dY.sum(dim=0) if ctx.has_bias else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


@breaks("OwnLinear", "from scratch")
class OwnLinear_autograd_backward(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, W, b):
            ctx.save_for_backward(X, W, b)
            return X @ W.T + b if b is not None else X @ W.T

        @staticmethod
        def backward(ctx, dY):
            X, W, b = ctx.saved_tensors
            with torch.enable_grad():
                leaves = [t.detach().requires_grad_(True) if t is not None else None for t in (X, W, b)]
                Y = leaves[0] @ leaves[1].T + (leaves[2] if b is not None else 0)
                tensors = [t for t in leaves if t is not None]
                grads = list(torch.autograd.grad(Y, tensors, dY))
            return grads[0], grads[1], grads[2] if b is not None else None

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias)


# ---------------------------------------------------------------------------------------
# OwnConv2d


@mistake(
    "OwnConv2d",
    summary="stride and padding not handed to the backward",
    hint="Your gradients are right with stride 1 and no padding only: the backward must use the forward's "
    "stride and padding (keep them on ctx in forward, pass them to conv2d_backward), or its gradients "
    "have the wrong shape or values.",
    section=MODULES,
)
class OwnConv2d_backward_without_stride(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, K, b, stride, padding):
            ctx.save_for_backward(X, K)
            ctx.has_bias = b is not None
            return conv2d_im2col(X, K, b, stride, padding)

        @staticmethod
        def backward(ctx, dY):
            X, K = ctx.saved_tensors
            dX, dK, db = conv2d_backward(dY, X, K)
            return dX, dK, db if ctx.has_bias else None, None, None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias, self.stride, self.padding)


@mistake(
    "OwnConv2d",
    summary="the bias not used in the forward",
    hint="Your outputs are short by the bias of each output channel: the module's bias must go into the "
    "Function, and the Function's forward must add it (conv2d_im2col(X, K, b, ...)), so that it also "
    "gets its gradient.",
    section=MODULES,
)
class OwnConv2d_bias_ignored(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, K, b, stride, padding):
            ctx.save_for_backward(X, K)
            ctx.stride, ctx.padding, ctx.has_bias = stride, padding, b is not None
            return conv2d_im2col(X, K, None, stride, padding)

        @staticmethod
        def backward(ctx, dY):
            X, K = ctx.saved_tensors
            dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
            return dX, dK, db if ctx.has_bias else None, None, None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias, self.stride, self.padding)


@mistake(
    "OwnConv2d",
    summary="the weights initialised to zeros",
    hint="A new layer of yours has all its weights at 0: every output channel then computes the same thing "
    "and gets the same gradient, so they never become different. nn.Conv2d draws them uniformly in "
    "[-1/sqrt(fan_in), 1/sqrt(fan_in)], fan_in = Ci * kh * kw (uniform_ with that bound).",
    section=MODULES,
)
class OwnConv2d_zero_init(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, K, b, stride, padding):
            ctx.save_for_backward(X, K)
            ctx.stride, ctx.padding, ctx.has_bias = stride, padding, b is not None
            return conv2d_im2col(X, K, b, stride, padding)

        @staticmethod
        def backward(ctx, dY):
            X, K = ctx.saved_tensors
            dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
            return dX, dK, db if ctx.has_bias else None, None, None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        self.weight = nn.Parameter(torch.zeros(out_channels, in_channels, kh, kw))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias, self.stride, self.padding)


@mistake(
    "OwnConv2d",
    summary="a square kernel assumed (kernel_size used as an int)",
    hint="Your constructor fails with a (height, width) pair: kernel_size, stride and padding are ints or "
    "pairs, as nn.Conv2d takes them; turn each into a pair with as_pair before using it.",
    section=MODULES,
)
class OwnConv2d_int_kernel(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, K, b, stride, padding):
            ctx.save_for_backward(X, K)
            ctx.stride, ctx.padding, ctx.has_bias = stride, padding, b is not None
            return conv2d_im2col(X, K, b, stride, padding)

        @staticmethod
        def backward(ctx, dY):
            X, K = ctx.saved_tensors
            dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
            return dX, dK, db if ctx.has_bias else None, None, None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        self.stride, self.padding = stride, padding
        bound = 1 / math.sqrt(in_channels * kernel_size * kernel_size)
        shape = (out_channels, in_channels, kernel_size, kernel_size)
        self.weight = nn.Parameter(torch.empty(shape).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias, self.stride, self.padding)


@breaks("OwnConv2d", "dtype")
class OwnConv2d_float32(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return Conv2dFunction.apply(X, self.weight, self.bias, self.stride, self.padding).float()


@breaks("OwnConv2d", "device")
class OwnConv2d_zero_bias_on_default_device(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        b = self.bias if self.bias is not None else torch.zeros(self.weight.shape[0], dtype=X.dtype)
        return Conv2dFunction.apply(X, self.weight, b, self.stride, self.padding)


@breaks("OwnConv2d", "unchanged")
class OwnConv2d_pads_the_input(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, K, b, stride, padding):
            ph, pw = padding
            X.data = F.pad(X.data, (pw, pw, ph, ph))
            ctx.save_for_backward(X, K)
            ctx.stride, ctx.has_bias = stride, b is not None
            ctx.padding = padding
            return conv2d_im2col(X, K, b, stride, 0)

        @staticmethod
        def backward(ctx, dY):
            X, K = ctx.saved_tensors
            dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, 0)
            ph, pw = ctx.padding
            dX = dX[:, :, ph : dX.shape[2] - ph, pw : dX.shape[3] - pw]
            return dX, dK, db if ctx.has_bias else None, None, None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias, self.stride, self.padding)


@breaks("OwnConv2d", "from scratch")
class OwnConv2d_F_conv2d(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, K, b, stride, padding):
            ctx.save_for_backward(X, K)
            ctx.stride, ctx.padding, ctx.has_bias = stride, padding, b is not None
            return F.conv2d(X, K, b, stride, padding)

        @staticmethod
        def backward(ctx, dY):
            X, K = ctx.saved_tensors
            dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
            return dX, dK, db if ctx.has_bias else None, None, None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        super().__init__()
        kh, kw = as_pair(kernel_size)
        self.stride, self.padding = as_pair(stride), as_pair(padding)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, X):
        return self.Function.apply(X, self.weight, self.bias, self.stride, self.padding)


# ---------------------------------------------------------------------------------------
# OwnMaxPool2d


@mistake(
    "OwnMaxPool2d",
    summary="the default stride 1 instead of the kernel size",
    hint="Your OwnMaxPool2d(2) returns almost as many pixels as it was given: nn.MaxPool2d's stride "
    "defaults to None, which means the kernel size (windows side by side, halving H and W with 2x2 "
    "windows), not 1.",
    section=MODULES,
)
class OwnMaxPool2d_stride_one(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(stride)
            N, C, H, W = X.shape
            Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
            ctx.save_for_backward(X)
            ctx.kernel_size, ctx.stride = kernel_size, stride
            return im2col(X, (kh, kw), (sh, sw)).reshape(N, C, kh * kw, Ho * Wo).amax(dim=2).reshape(N, C, Ho, Wo)

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return max_pool2d_backward(dY, X, ctx.kernel_size, ctx.stride), None, None

    def __init__(self, kernel_size, stride=1):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


@mistake(
    "OwnMaxPool2d",
    summary="the backward sends the gradient to every maximum of a window",
    hint="Your gradient is too large where a window holds its maximum more than once: PyTorch's max "
    "pooling picks one element per window (the first maximum), and only that one gets the window's "
    "gradient. The block max_pool2d_backward does exactly that.",
    section=MODULES,
)
class OwnMaxPool2d_every_tie(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(stride)
            N, C, H, W = X.shape
            Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
            cols = im2col(X, (kh, kw), (sh, sw)).reshape(N, C, kh * kw, Ho * Wo)
            Y = cols.amax(dim=2)
            ctx.save_for_backward(cols, Y)
            ctx.sizes = (kh, kw, sh, sw, H, W, Ho, Wo)
            return Y.reshape(N, C, Ho, Wo)

        @staticmethod
        def backward(ctx, dY):
            cols, Y = ctx.saved_tensors
            kh, kw, sh, sw, H, W, Ho, Wo = ctx.sizes
            N, C = dY.shape[:2]
            share = (cols == Y[:, :, None]) * dY.reshape(N, C, 1, Ho * Wo)
            dX = torch.zeros(N, C, H, W, dtype=dY.dtype, device=dY.device)
            for a in range(kh):
                for c in range(kw):
                    rows = slice(a, a + sh * (Ho - 1) + 1, sh)
                    columns = slice(c, c + sw * (Wo - 1) + 1, sw)
                    dX[:, :, rows, columns] += share[:, :, a * kw + c].reshape(N, C, Ho, Wo)
            return dX, None, None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


@mistake(
    "OwnMaxPool2d",
    summary="the maximum taken over all the channels' rows of a column at once",
    hint="Your forward takes one maximum per column of im2col, over the C * kh * kw rows of every "
    "channel: max pooling keeps the channels apart, one maximum per channel and window. Reshape the "
    "columns to (N, C, kh * kw, L) and take the maximum over the kh * kw axis.",
    section=MODULES,
)
class OwnMaxPool2d_max_over_channels(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(stride)
            N, C, H, W = X.shape
            Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
            ctx.save_for_backward(X)
            ctx.kernel_size, ctx.stride = kernel_size, stride
            return im2col(X, (kh, kw), (sh, sw)).amax(dim=1).reshape(N, C, Ho, Wo)

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return max_pool2d_backward(dY, X, ctx.kernel_size, ctx.stride), None, None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


@mistake(
    "OwnMaxPool2d",
    summary="the stride not handed to the backward",
    hint="Your gradient is right when the stride is the kernel size only: the backward must pool with the "
    "forward's stride too (keep it on ctx and pass it to max_pool2d_backward), or with overlapping "
    "windows it sends the gradients to the wrong places.",
    section=MODULES,
)
class OwnMaxPool2d_backward_default_stride(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(stride)
            N, C, H, W = X.shape
            Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
            ctx.save_for_backward(X)
            ctx.kernel_size = kernel_size
            return im2col(X, (kh, kw), (sh, sw)).reshape(N, C, kh * kw, Ho * Wo).amax(dim=2).reshape(N, C, Ho, Wo)

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return max_pool2d_backward(dY, X, ctx.kernel_size), None, None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


@breaks("OwnMaxPool2d", "dtype")
class OwnMaxPool2d_float32(nn.Module):
    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return MaxPool2dFunction.apply(X, self.kernel_size, self.stride).float()


@breaks("OwnMaxPool2d", "device")
class OwnMaxPool2d_output_on_default_device(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(stride)
            N, C, H, W = X.shape
            Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
            ctx.save_for_backward(X)
            ctx.kernel_size, ctx.stride = kernel_size, stride
            Y = torch.full((N, C, Ho, Wo), -math.inf, dtype=X.dtype)
            for a in range(kh):
                for c in range(kw):
                    Y = torch.maximum(Y, X[:, :, a : a + sh * (Ho - 1) + 1 : sh, c : c + sw * (Wo - 1) + 1 : sw])
            return Y

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return max_pool2d_backward(dY, X, ctx.kernel_size, ctx.stride), None, None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


@breaks("OwnMaxPool2d", "unchanged")
class OwnMaxPool2d_planes_as_batch(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            kh, kw = as_pair(kernel_size)
            sh, sw = as_pair(stride)
            N, C, H, W = X.shape
            Ho, Wo = (H - kh) // sh + 1, (W - kw) // sw + 1
            X.data = X.data.reshape(N * C, 1, H, W)  # every plane as an image of one channel
            Y = im2col(X, (kh, kw), (sh, sw)).amax(dim=1).reshape(N, C, Ho, Wo)
            ctx.save_for_backward(X)
            ctx.sizes = (kernel_size, stride, N, C)
            return Y

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            kernel_size, stride, N, C = ctx.sizes
            dX = max_pool2d_backward(dY.reshape(N * C, 1, *dY.shape[2:]), X, kernel_size, stride)
            return dX.reshape(N, C, *X.shape[2:]), None, None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


@breaks("OwnMaxPool2d", "from scratch")
class OwnMaxPool2d_F_max_pool2d(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, kernel_size, stride):
            ctx.save_for_backward(X)
            ctx.kernel_size, ctx.stride = kernel_size, stride
            return F.max_pool2d(X, kernel_size, stride)

        @staticmethod
        def backward(ctx, dY):
            (X,) = ctx.saved_tensors
            return max_pool2d_backward(dY, X, ctx.kernel_size, ctx.stride), None, None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride

    def forward(self, X):
        return self.Function.apply(X, self.kernel_size, self.stride)


# ---------------------------------------------------------------------------------------
# OwnBatchNorm2d


@mistake(
    "OwnBatchNorm2d",
    summary="the running variance updated with the biased variance",
    hint="Your running_var after a training step is a little too small, by a factor (n - 1) / n: PyTorch "
    "normalizes the batch with its biased variance (divided by n = N H W) but updates running_var with "
    "the unbiased one (divided by n - 1), the better estimate of the variance of the data.",
    section=MODULES,
)
class OwnBatchNorm2d_biased_running_var(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        return self.Function.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )


@mistake(
    "OwnBatchNorm2d",
    summary="the momentum the wrong way round",
    hint="Your running statistics move almost all the way to each batch's (or barely at all): PyTorch's "
    "momentum m is the weight of the NEW batch, running = (1 - m) * running + m * batch, with m = 0.1 by "
    "default, the opposite of the momentum of an optimizer.",
    section=MODULES,
)
class OwnBatchNorm2d_momentum_reversed(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
                self.running_var.mul_(self.momentum).add_((1 - self.momentum) * var)
                self.num_batches_tracked += 1
        return self.Function.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )


@mistake(
    "OwnBatchNorm2d",
    summary="batch statistics in eval mode",
    hint="Your output in eval mode depends on the batch it is given: in eval mode batch norm normalizes "
    "with the running statistics, fixed numbers, so that an image is classified the same alone or in "
    "any batch. Use self.training to choose.",
    section=MODULES,
)
class OwnBatchNorm2d_batch_stats_in_eval(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        return self.Function.apply(X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, True)


@mistake(
    "OwnBatchNorm2d",
    summary="the running statistics kept as plain attributes, not buffers",
    hint="Your running statistics are missing from the state_dict: a tensor assigned to an attribute is not "
    "part of the module's state (nor moved by .to() or .double()). Make each with "
    "self.register_buffer(name, tensor): running_mean, running_var and num_batches_tracked.",
    section=MODULES,
)
class OwnBatchNorm2d_plain_attributes(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.running_mean = torch.zeros(num_features)
        self.running_var = torch.ones(num_features)
        self.num_batches_tracked = torch.tensor(0, dtype=torch.long)

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * var
                self.num_batches_tracked += 1
        return self.Function.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )


@mistake(
    "OwnBatchNorm2d",
    summary="the running statistics updated in eval mode too",
    hint="Your running statistics change when the model is evaluated: they are updated in train mode only, "
    "so that testing (or any call after model.eval()) leaves the trained model as it is.",
    section=MODULES,
)
class OwnBatchNorm2d_updates_in_eval(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        Y = self.Function.apply(
            X, self.weight, self.bias, self.running_mean.clone(), self.running_var.clone(), self.eps, self.training
        )
        with torch.no_grad():
            mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
            self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
            self.num_batches_tracked += 1
        return Y


@breaks("OwnBatchNorm2d", "dtype")
class OwnBatchNorm2d_float32(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        Y = BatchNorm2dFunction.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )
        return Y.float()


@breaks("OwnBatchNorm2d", "device")
class OwnBatchNorm2d_mean_on_default_device(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean = torch.zeros(X.shape[1], dtype=X.dtype) + X.mean(dim=(0, 2, 3))
                var = X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        return self.Function.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )


@breaks("OwnBatchNorm2d", "unchanged")
class OwnBatchNorm2d_centres_in_place(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            if training:
                mean = X.mean(dim=(0, 2, 3))
                var = X.var(dim=(0, 2, 3), unbiased=False)
            inv_std = 1 / torch.sqrt(var + eps)
            X -= mean.reshape(1, -1, 1, 1)  # centre, then scale: x_hat
            x_hat = X * inv_std.reshape(1, -1, 1, 1)
            ctx.save_for_backward(X, gamma, x_hat, inv_std)
            ctx.eps, ctx.training = eps, training
            return gamma.reshape(1, -1, 1, 1) * x_hat + beta.reshape(1, -1, 1, 1)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, x_hat, inv_std = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        return self.Function.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )


@breaks("OwnBatchNorm2d", "from scratch")
class OwnBatchNorm2d_F_batch_norm(nn.Module):
    class Function(torch.autograd.Function):
        @staticmethod
        def forward(ctx, X, gamma, beta, mean, var, eps, training):
            ctx.save_for_backward(X, gamma, mean, var)
            ctx.eps, ctx.training = eps, training
            return F.batch_norm(X, mean.clone(), var.clone(), gamma, beta, training, 0.0, eps)

        @staticmethod
        def backward(ctx, dY):
            X, gamma, mean, var = ctx.saved_tensors
            if ctx.training:
                dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, ctx.eps)
            else:
                inv_std = 1 / torch.sqrt(var + ctx.eps)
                x_hat = (X - mean.reshape(1, -1, 1, 1)) * inv_std.reshape(1, -1, 1, 1)
                dX = dY * (gamma * inv_std).reshape(1, -1, 1, 1)
                dgamma, dbeta = (dY * x_hat).sum(dim=(0, 2, 3)), dY.sum(dim=(0, 2, 3))
            return dX, dgamma, dbeta, None, None, None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, X):
        if self.training:
            with torch.no_grad():
                mean, var = X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
                self.num_batches_tracked += 1
        return self.Function.apply(
            X, self.weight, self.bias, self.running_mean, self.running_var, self.eps, self.training
        )


# ---------------------------------------------------------------------------------------
# OwnDigitsCNN


@mistake(
    "OwnDigitsCNN",
    summary="an nn layer inside the network",
    hint="Your network uses one of PyTorch's layers where one of yours belongs: every layer of "
    "OwnDigitsCNN must be your own module (OwnConv2d, OwnBatchNorm2d, OwnReLU, OwnMaxPool2d, OwnLinear), so "
    "that the forward and the backward are all yours; nn.Sequential is only the container.",
    section=NETWORK,
)
class OwnDigitsCNN_nn_relu(nn.Module):
    def __init__(self):
        super().__init__()
        for n, (c_in, c_out) in enumerate([(1, 16), (16, 32)], start=1):
            block = nn.Sequential()
            block.add_module(f"conv{n}", OwnConv2d(c_in, c_out, 3, padding=1))
            block.add_module(f"bn{n}", OwnBatchNorm2d(c_out))
            block.add_module(f"relu{n}", nn.ReLU())
            block.add_module(f"pool{n}", OwnMaxPool2d(2))
            setattr(self, f"layer{n}", block)
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", OwnLinear(128, 64))
        self.layer3.add_module("fc_relu1", nn.ReLU())
        self.layer3.add_module("fc2", OwnLinear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.reshape(x.shape[0], -1))


@mistake(
    "OwnDigitsCNN",
    summary="no batch normalization (chapter 10's DigitsCNN without dropout)",
    hint="Your network lacks the batch norms: each block is conv, batch norm (bn1, bn2: OwnBatchNorm2d of "
    "the block's channels), ReLU, max pooling, in that order; the nn twin has them, and so must its "
    "state_dict.",
    section=NETWORK,
)
class OwnDigitsCNN_no_batch_norm(nn.Module):
    def __init__(self):
        super().__init__()
        for n, (c_in, c_out) in enumerate([(1, 16), (16, 32)], start=1):
            block = nn.Sequential()
            block.add_module(f"conv{n}", OwnConv2d(c_in, c_out, 3, padding=1))
            block.add_module(f"relu{n}", OwnReLU())
            block.add_module(f"pool{n}", OwnMaxPool2d(2))
            setattr(self, f"layer{n}", block)
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", OwnLinear(128, 64))
        self.layer3.add_module("fc_relu1", OwnReLU())
        self.layer3.add_module("fc2", OwnLinear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.reshape(x.shape[0], -1))


@mistake(
    "OwnDigitsCNN",
    summary="the layers named by number (nn.Sequential(...) of the layers)",
    hint="Your layers are called 0, 1, 2, ...: nn.Sequential(a, b, c) numbers them, so the state_dict's "
    "keys (layer1.0.weight) are not the twin's (layer1.conv1.weight). Fill empty nn.Sequential blocks "
    "with add_module(name, layer), under the names of the table.",
    section=NETWORK,
)
class OwnDigitsCNN_numbered(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(OwnConv2d(1, 16, 3, padding=1), OwnBatchNorm2d(16), OwnReLU(), OwnMaxPool2d(2))
        self.layer2 = nn.Sequential(OwnConv2d(16, 32, 3, padding=1), OwnBatchNorm2d(32), OwnReLU(), OwnMaxPool2d(2))
        self.layer3 = nn.Sequential(OwnLinear(128, 64), OwnReLU(), OwnLinear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.reshape(x.shape[0], -1))


@mistake(
    "OwnDigitsCNN",
    summary="the whole batch flattened into one row",
    hint="Your forward fails at fc1: x.flatten() (or reshape(-1)) puts the whole batch into one long row. "
    "Keep the batch axis: each image's 32 x 2 x 2 feature maps become one row of 128, "
    "x.reshape(x.shape[0], -1).",
    section=NETWORK,
)
class OwnDigitsCNN_flat_batch(nn.Module):
    def __init__(self):
        super().__init__()
        for n, (c_in, c_out) in enumerate([(1, 16), (16, 32)], start=1):
            block = nn.Sequential()
            block.add_module(f"conv{n}", OwnConv2d(c_in, c_out, 3, padding=1))
            block.add_module(f"bn{n}", OwnBatchNorm2d(c_out))
            block.add_module(f"relu{n}", OwnReLU())
            block.add_module(f"pool{n}", OwnMaxPool2d(2))
            setattr(self, f"layer{n}", block)
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", OwnLinear(128, 64))
        self.layer3.add_module("fc_relu1", OwnReLU())
        self.layer3.add_module("fc2", OwnLinear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.flatten())


@breaks("OwnDigitsCNN", "dtype")
class OwnDigitsCNN_float32_logits(nn.Module):
    def __init__(self):
        super().__init__()
        for n, (c_in, c_out) in enumerate([(1, 16), (16, 32)], start=1):
            block = nn.Sequential()
            block.add_module(f"conv{n}", OwnConv2d(c_in, c_out, 3, padding=1))
            block.add_module(f"bn{n}", OwnBatchNorm2d(c_out))
            block.add_module(f"relu{n}", OwnReLU())
            block.add_module(f"pool{n}", OwnMaxPool2d(2))
            setattr(self, f"layer{n}", block)
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", OwnLinear(128, 64))
        self.layer3.add_module("fc_relu1", OwnReLU())
        self.layer3.add_module("fc2", OwnLinear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.reshape(x.shape[0], -1)).float()


@breaks("OwnDigitsCNN", "from scratch")
class OwnDigitsCNN_nn_linear_head(nn.Module):
    def __init__(self):
        super().__init__()
        for n, (c_in, c_out) in enumerate([(1, 16), (16, 32)], start=1):
            block = nn.Sequential()
            block.add_module(f"conv{n}", OwnConv2d(c_in, c_out, 3, padding=1))
            block.add_module(f"bn{n}", OwnBatchNorm2d(c_out))
            block.add_module(f"relu{n}", OwnReLU())
            block.add_module(f"pool{n}", OwnMaxPool2d(2))
            setattr(self, f"layer{n}", block)
        self.layer3 = nn.Sequential()
        self.layer3.add_module("fc1", nn.Linear(128, 64))
        self.layer3.add_module("fc_relu1", OwnReLU())
        self.layer3.add_module("fc2", nn.Linear(64, 10))

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.layer3(x.reshape(x.shape[0], -1))


# ---------------------------------------------------------------------------------------
# train_own_digits


@mistake(
    "train_own_digits",
    summary="plain SGD instead of Adam",
    hint="The recipe's optimizer is torch.optim.Adam at the given lr: with plain SGD at lr = 0.01 the "
    "network learns far more slowly and misses the accuracy in the epochs given.",
    section=NETWORK,
)
def train_own_digits_sgd(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(X_train), device=on).split(32):
            optimizer.zero_grad()
            loss_fn(model(X_train[batch]), y_train[batch]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(X_test).argmax(dim=1) == y_test).float().mean().item()


@mistake(
    "train_own_digits",
    summary="the test accuracy measured in train mode",
    hint="Your test runs in train mode: the batch norms then normalize the test images with their own "
    "statistics and update their running ones. Call model.eval() before the test, so that they use the "
    "running statistics learned in training.",
    section=NETWORK,
)
def train_own_digits_no_eval(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(X_train), device=on).split(32):
            optimizer.zero_grad()
            loss_fn(model(X_train[batch]), y_train[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        return (model(X_test).argmax(dim=1) == y_test).float().mean().item()


@mistake(
    "train_own_digits",
    summary="the accuracy measured on the training images",
    hint="Your accuracy is the one on the images the network was trained on, which it may have learned by "
    "heart: the exercise asks for the share of the test images (X_test, y_test) classified correctly.",
    section=NETWORK,
)
def train_own_digits_train_accuracy(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(X_train), device=on).split(32):
            optimizer.zero_grad()
            loss_fn(model(X_train[batch]), y_train[batch]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(X_train).argmax(dim=1) == y_train).float().mean().item()


@breaks("train_own_digits", "recipe")
def train_own_digits_no_zero_grad(model, epochs, lr):
    on = next(model.parameters()).device
    X_train, y_train, X_test, y_test = digits_data(on)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(X_train), device=on).split(32):
            loss_fn(model(X_train[batch]), y_train[batch]).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        return (model(X_test).argmax(dim=1) == y_test).float().mean().item()
