"""Wrong answers to chapter 3's ``Conv2D``, ``make_stripe_data``, ``learn_kernel`` and ``receptive_field``,
and answers right on the values that break a property the exercise states (``@breaks``).

Each becomes the student's answer cell, after ``import torch``, ``import torch.nn.functional
as F`` and ``from torch import nn``; it may use the notebook's ``corr2d`` (imported in the
first cell) and, for ``learn_kernel``, the notebook's (correct) ``Conv2D``.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch03_conv_layer.reference import Conv2D  # the notebook's own Conv2D stands in for it
from autograder.runtime.blocks import corr2d
from autograder.runtime.mistakes import breaks, mistake

# ---------------------------------------------------------------------------------------
# Conv2D


@mistake(
    "Conv2D",
    summary="forward forgets the bias",
    hint="The output lacks the bias: a layer's output is the cross-correlation plus the bias, and a "
    "bias that forward never uses is never trained either.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_bias_forgotten(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, self.weight)


@mistake(
    "Conv2D",
    summary="bias is a plain tensor, not an nn.Parameter",
    hint="The bias is missing from the layer's parameters: a module registers, trains and moves "
    "(with .to) only the tensors wrapped in nn.Parameter, and a plain tensor is left out even when "
    "it requires grad.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_bias_not_parameter(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = torch.randn(1, requires_grad=True)

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


@mistake(
    "Conv2D",
    summary="weight of shape (kw, kh): kernel_size read as (width, height)",
    hint="The weight's height and width are swapped: kernel_size is (height, width), in PyTorch's "
    "order, and the weight has exactly that shape; test with a kernel whose height and width "
    "differ, such as (1, 2).",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_weight_shape_swapped(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        width, height = kernel_size
        self.weight = nn.Parameter(torch.randn(height, width))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, self.weight.T) + self.bias


@mistake(
    "Conv2D",
    summary="bias of shape kernel_size (one per kernel entry)",
    hint="The bias is a single number added to every output pixel, so its shape is (1,), whatever the kernel's size.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_bias_kernel_shaped(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(kernel_size))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias.mean()


@mistake(
    "Conv2D",
    summary="flips the kernel (a true convolution)",
    hint="The output is that of the flipped kernel (a true convolution), where a convolutional "
    "layer computes a cross-correlation and slides the weight as it is. With weight [[1, -1]] the "
    "stripe's left edge must come out as +1.",
    section="ch02_cross_correlation#cross-correlation-or-convolution",
)
class Conv2D_flipped_kernel(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, torch.flip(self.weight, dims=(0, 1))) + self.bias


@mistake(
    "Conv2D",
    summary="no gradient reaches the bias (added as a Python number)",
    hint="The output's values are right, but no gradient reaches the bias, so it never learns: a "
    "bias added as a Python number (.item(), float(...)) or detached is cut out of the autograd "
    "graph. Add the parameter itself.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_bias_item(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias.item()


@mistake(
    "Conv2D",
    summary="forward builds its output in a tensor of the default dtype and device",
    hint="Part of the output was made on PyTorch's default device and dtype rather than x's: a "
    "tensor created inside forward without a device and a dtype (as torch.zeros or torch.tensor "
    "make it) is float32 on the CPU whatever x is. Create it with the dtype and device of x, or "
    "compute the output from x and the parameters.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_float32_output(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        h, w = self.weight.shape
        Y = torch.zeros(x.shape[0] - h + 1, x.shape[1] - w + 1)
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (x[i : i + h, j : j + w] * self.weight).sum()
        return Y + self.bias


@mistake(
    "Conv2D",
    summary="starts every layer from a zero kernel",
    hint="Two new layers start from the same kernel: the task asks for random starting values "
    "(torch.randn), since kernels that start equal get equal gradients and stay equal.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
class Conv2D_zero_init(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


# ---------------------------------------------------------------------------------------
# Right on the values, but breaking a stated property of the layer's forward


@breaks("Conv2D", "dtype")
class Conv2D_casts_to_float32(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return F.conv2d(x.float()[None, None], self.weight.float()[None, None], self.bias.float())[0, 0]


@breaks("Conv2D", "device")
class Conv2D_loop_on_default_device(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        h, w = self.weight.shape
        Y = torch.zeros(x.shape[0] - h + 1, x.shape[1] - w + 1, dtype=x.dtype)
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (x[i : i + h, j : j + w] * self.weight).sum()
        return Y + self.bias


@breaks("Conv2D", "differentiable")
class Conv2D_loop_item(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        h, w = self.weight.shape
        Y = torch.zeros_like(x[: x.shape[0] - h + 1, : x.shape[1] - w + 1])
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (x[i : i + h, j : j + w] * self.weight).sum().item()
        return Y + self.bias


@breaks("Conv2D", "unchanged")
class Conv2D_unsqueezes_x_in_place(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return F.conv2d(x.unsqueeze_(0).unsqueeze_(0), self.weight[None, None], self.bias)[0, 0]


@breaks("Conv2D", "non-square")
class Conv2D_square_input(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        n = x.shape[0]
        h, w = self.weight.shape
        Y = torch.zeros_like(x[: n - h + 1, : n - w + 1])
        for i in range(n - h + 1):
            for j in range(n - w + 1):
                Y[i, j] = (x[i : i + h, j : j + w] * self.weight).sum()
        return Y + self.bias


# ---------------------------------------------------------------------------------------
# make_stripe_data


@mistake(
    "make_stripe_data",
    summary="edge signs reversed",
    hint="The edges have the opposite signs: Y[i, j] = X[i, j] - X[i, j + 1], so going from the "
    "bright background into the dark stripe (column 1) gives +1, coming out of it (column 5) gives -1.",
    section="ch03_conv_layer#training-data-a-stripe-and-its-edges",
)
def make_stripe_data_signs_reversed():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = torch.zeros(6, 7)
    Y[:, 1] = -1
    Y[:, 5] = 1
    return X, Y


@mistake(
    "make_stripe_data",
    summary="edges one column to the right (at the first pixel after each change)",
    hint="The edges are one column too far right: output column j compares input columns j and "
    "j + 1, so the change between input columns 1 and 2 lands in output column 1, not 2.",
    section="ch03_conv_layer#training-data-a-stripe-and-its-edges",
)
def make_stripe_data_edges_shifted():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = torch.zeros(6, 7)
    Y[:, 2] = 1
    Y[:, 6] = -1
    return X, Y


@mistake(
    "make_stripe_data",
    summary="Y of shape (6, 8) like X",
    hint="A 1x2 kernel fits at 8 - 2 + 1 = 7 horizontal positions, so the edge map has 7 "
    "columns, one fewer than the image.",
    section="ch03_conv_layer#training-data-a-stripe-and-its-edges",
)
def make_stripe_data_y_too_wide():
    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    Y = torch.zeros(6, 8)
    Y[:, 1] = 1
    Y[:, 5] = -1
    return X, Y


@mistake(
    "make_stripe_data",
    summary="integer tensors (built from lists of ints)",
    hint="X and Y are integer tensors, where gradient descent needs floating-point data: "
    "torch.tensor on Python ints gives int64, while torch.ones, torch.zeros and float values give float32.",
    section="ch03_conv_layer#training-data-a-stripe-and-its-edges",
)
def make_stripe_data_integers():
    X = torch.tensor([[1, 1, 0, 0, 0, 0, 1, 1]] * 6)
    Y = torch.tensor([[0, 1, 0, 0, 0, -1, 0]] * 6)
    return X, Y


@mistake(
    "make_stripe_data",
    summary="makes the tensors once and returns the same ones on every call",
    hint="A change made to one call's X and Y showed up in the next call's: tensors made once and "
    "handed out again are shared by all callers, so build new X and Y on every call.",
    section="ch03_conv_layer#training-data-a-stripe-and-its-edges",
)
def make_stripe_data_shared(_made={}):
    if not _made:
        X = torch.ones(6, 8)
        X[:, 2:6] = 0
        Y = torch.zeros(6, 7)
        Y[:, 1] = 1
        Y[:, 5] = -1
        _made["pair"] = (X, Y)
    return _made["pair"]


# ---------------------------------------------------------------------------------------
# learn_kernel


@mistake(
    "learn_kernel",
    summary="never zeroes the gradients",
    hint="The kernel overshoots, as when gradients add up from step to step: backward() adds to "
    ".grad, so unless it is zeroed after every step, each step also repeats all the earlier ones.",
    section="ch01_autograd#gradients-accumulate",
)
def learn_kernel_no_zero_grad(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            layer.weight -= lr * layer.weight.grad
            layer.bias -= lr * layer.bias.grad
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="updates the weight but not the bias",
    hint="The kernel is off by an amount that depends on the random start, as when the bias is "
    "never updated and keeps its random value, which the kernel then has to make up for. Update "
    "every parameter of the layer.",
    section="ch03_conv_layer#learning-the-kernel-by-gradient-descent",
)
def learn_kernel_bias_frozen(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            layer.weight -= lr * layer.weight.grad
        layer.weight.grad.zero_()
        layer.bias.grad.zero_()
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="gradient ascent (adds the gradient)",
    hint="The loss grew instead of shrinking: the gradient points uphill, towards a larger loss, "
    "so each step must subtract lr times the gradient.",
    section="ch03_conv_layer#learning-the-kernel-by-gradient-descent",
)
def learn_kernel_ascent(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter += lr * parameter.grad
                parameter.grad.zero_()
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="averages the squared error instead of summing it",
    hint="The kernel moved far too little, as when the loss is averaged: the mean divides every "
    "gradient by the number of output pixels (42 for the stripe data), so the given lr takes steps "
    "that many times shorter, and the task asks for the sum.",
    section="ch03_conv_layer#why-it-converges-and-how-large-a-step-may-be",
)
def learn_kernel_mean_loss(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="returns the expected answer [[1, -1]] without learning",
    hint="learn_kernel must learn whatever kernel maps X to Y; the hidden checks use other "
    "images, targets and kernel sizes.",
    section="ch03_conv_layer#learning-the-kernel-by-gradient-descent",
)
def learn_kernel_hard_coded(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    return torch.tensor([[1.0, -1.0]], dtype=X.dtype, device=X.device)


@mistake(
    "learn_kernel",
    summary="ignores kernel_size (always a 1x2 kernel)",
    hint="The learned kernel has the default size whatever kernel_size asks for: build the layer "
    "with the kernel_size argument you are given, as the hidden checks learn kernels of other sizes too.",
    section="ch03_conv_layer#learning-the-kernel-by-gradient-descent",
)
def learn_kernel_fixed_size(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D((1, 2)).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="ignores lr (always steps of 0.01)",
    hint="The result is what a step size of 0.01 gives, whatever lr says: use the lr argument, since "
    "a step size that suits one image can make gradient descent diverge on another.",
    section="ch03_conv_layer#why-it-converges-and-how-large-a-step-may-be",
)
def learn_kernel_fixed_lr(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= 0.01 * parameter.grad
                parameter.grad.zero_()
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="ignores steps (always 100 steps)",
    hint="The result is what 100 steps give, whatever steps says: use the steps argument, since "
    "with a smaller step size, or on a harder image, 100 steps are not enough to get close to the kernel.",
    section="ch03_conv_layer#why-it-converges-and-how-large-a-step-may-be",
)
def learn_kernel_fixed_steps(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(100):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
    return layer.weight.detach()


@mistake(
    "learn_kernel",
    summary="returns the weight parameter itself, not detached",
    hint="The returned kernel still requires gradients, as the layer's weight parameter does, so it "
    "cannot be turned into NumPy (.numpy()) or plotted; cut it out of the graph with detach() "
    "before returning it.",
    section="ch01_autograd#keeping-computations-out-of-the-graph",
)
def learn_kernel_not_detached(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
    return layer.weight


@mistake(
    "learn_kernel",
    summary="returns a float32 kernel for float64 data",
    hint="Given float64 data, the learned kernel came back float32: a new layer's parameters are "
    "float32 until the layer is moved to X's dtype with .to(...), and a kernel rebuilt from Python "
    "numbers is float32 too.",
    section="ch03_conv_layer#a-kernel-and-a-bias",
)
def learn_kernel_float32(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
    return layer.weight.detach()


@breaks("learn_kernel", "dtype")
def learn_kernel_rebuilt_from_list(X, Y, kernel_size=(1, 2), steps=100, lr=0.01):
    layer = Conv2D(kernel_size).to(X.device, X.dtype)
    for _ in range(steps):
        loss = ((layer(X) - Y) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for parameter in layer.parameters():
                parameter -= lr * parameter.grad
                parameter.grad.zero_()
    return torch.tensor(layer.weight.tolist(), device=X.device)


# ---------------------------------------------------------------------------------------
# receptive_field


@mistake(
    "receptive_field",
    summary="ignores the strides",
    hint="The result is the same as with all strides 1: below a layer with stride s, neighbouring "
    "windows start s pixels apart, so each extra pixel of width higher up costs s pixels further down.",
    section="ch03_conv_layer#receptive-fields-of-stacked-layers",
)
def receptive_field_no_strides(kernel_sizes, strides=None):
    side = 1
    for k in kernel_sizes:
        side += k - 1
    return side


@mistake(
    "receptive_field",
    summary="multiplies in the layer's own stride too (off by one layer)",
    hint="A layer's own stride only spaces out the windows of its output; what a layer adds "
    "is scaled by the strides of the layers below it, not its own.",
    section="ch03_conv_layer#receptive-fields-of-stacked-layers",
)
def receptive_field_own_stride(kernel_sizes, strides=None):
    strides = strides or [1] * len(kernel_sizes)
    side, jump = 1, 1
    for k, s in zip(kernel_sizes, strides):
        jump *= s
        side += (k - 1) * jump
    return side


@mistake(
    "receptive_field",
    summary="scales each layer's kernel by its own stride only",
    hint="Strides compound: a pixel of layer 3 is as far from its neighbour as the product "
    "of all the strides below it, not only one of them.",
    section="ch03_conv_layer#receptive-fields-of-stacked-layers",
)
def receptive_field_single_stride(kernel_sizes, strides=None):
    strides = strides or [1] * len(kernel_sizes)
    side = 1
    for layer, k in enumerate(kernel_sizes):
        side += (k - 1) * (strides[layer - 1] if layer else 1)
    return side


@mistake(
    "receptive_field",
    summary="multiplies the kernel sizes",
    hint="Two 3x3 layers see 5x5, not 9x9: neighbouring windows overlap, so each layer adds "
    "k - 1 pixels (times the strides below) rather than multiplying.",
    section="ch03_conv_layer#receptive-fields-of-stacked-layers",
)
def receptive_field_product(kernel_sizes, strides=None):
    side = 1
    for k in kernel_sizes:
        side *= k
    return side


@mistake(
    "receptive_field",
    summary="adds up the kernel sizes",
    hint="One output pixel sees one pixel to start with; each layer then widens it by k - 1 "
    "(not k), scaled by the strides below. Try one 3x3 layer: it sees 3 pixels, not 4.",
    section="ch03_conv_layer#receptive-fields-of-stacked-layers",
)
def receptive_field_sum(kernel_sizes, strides=None):
    strides = strides or [1] * len(kernel_sizes)
    side, jump = 0, 1
    for k, s in zip(kernel_sizes, strides):
        side += k * jump
        jump *= s
    return side


@mistake(
    "receptive_field",
    summary="returns a float",
    hint="A side length counts pixels: return a Python int (avoid / and float starting values).",
    section="ch03_conv_layer#receptive-fields-of-stacked-layers",
)
def receptive_field_float(kernel_sizes, strides=None):
    strides = strides or [1] * len(kernel_sizes)
    side, jump = 1.0, 1.0
    for k, s in zip(kernel_sizes, strides):
        side += (k - 1) * jump
        jump *= s
    return side


@breaks("receptive_field", "unchanged")
def receptive_field_reverses_in_place(kernel_sizes, strides=None):
    strides = strides or [1] * len(kernel_sizes)
    kernel_sizes.reverse()
    strides.reverse()
    side = 1
    for k, s in zip(kernel_sizes, strides):
        side = (side - 1) * s + k
    return side
