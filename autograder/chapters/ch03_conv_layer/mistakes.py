"""Wrong answers to chapter 3's ``Conv2D``, ``make_stripe_data``, ``learn_kernel`` and ``receptive_field``.

Each becomes the student's answer cell, after ``import torch``, ``import torch.nn.functional
as F`` and ``from torch import nn``; it may use the notebook's ``corr2d`` (imported in the
first cell) and, for ``learn_kernel``, the notebook's (correct) ``Conv2D``.
"""

import torch
from torch import nn

from autograder.chapters.ch03_conv_layer.reference import Conv2D  # the notebook's own Conv2D stands in for it
from autograder.runtime.blocks import corr2d
from autograder.runtime.mistakes import mistake

# ---------------------------------------------------------------------------------------
# Conv2D


@mistake(
    "Conv2D",
    summary="forward forgets the bias",
    hint="The layer's output is the cross-correlation plus the bias: a bias that forward never "
    "uses is never trained either.",
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
    hint="A module registers, trains and moves (with .to) only the tensors wrapped in "
    "nn.Parameter; requires_grad=True alone does not make a tensor a parameter.",
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
    hint="kernel_size is (height, width), in PyTorch's order, and the weight has exactly that "
    "shape; test with a kernel whose height and width differ, such as (1, 2).",
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
    hint="A convolutional layer computes a cross-correlation: slide the weight as it is. "
    "With weight [[1, -1]] the stripe's left edge must come out as +1.",
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
    summary="adds the bias as a Python number (.item()), cutting it out of the gradient",
    hint="self.bias.item() is a plain float: the output's values are right, but no gradient "
    "reaches the bias, so it never learns. Add the parameter itself.",
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
    summary="own loop in forward allocates a float32 output",
    hint="torch.zeros(...) is float32 on the CPU unless told otherwise, so after "
    ".to(torch.float64), or to a GPU, your loop still writes into a float32 CPU buffer; create "
    "it with the dtype and device of x.",
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
    hint="The task asks for random starting values (torch.randn). With a fixed start every "
    "layer begins identical, and kernels that start equal get equal gradients and stay equal.",
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
# make_stripe_data


@mistake(
    "make_stripe_data",
    summary="edge signs reversed",
    hint="Y[i, j] = X[i, j] - X[i, j + 1]: going from the bright background into the dark "
    "stripe (column 1) gives +1, coming out of it (column 5) gives -1.",
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
    hint="Output column j compares input columns j and j + 1, so the change between input "
    "columns 1 and 2 lands in output column 1, not 2.",
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
    hint="torch.tensor on Python ints gives int64; gradient descent needs floating-point "
    "data, so make float32 tensors (torch.ones and torch.zeros are float32).",
    section="ch03_conv_layer#training-data-a-stripe-and-its-edges",
)
def make_stripe_data_integers():
    X = torch.tensor([[1, 1, 0, 0, 0, 0, 1, 1]] * 6)
    Y = torch.tensor([[0, 1, 0, 0, 0, -1, 0]] * 6)
    return X, Y


@mistake(
    "make_stripe_data",
    summary="makes the tensors once and returns the same ones on every call",
    hint="Build new X and Y on every call: tensors made once and handed out again are shared "
    "by all callers, so a change made to one result shows up in all later ones.",
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
    hint="backward() adds to .grad: without zeroing it after each step, every step also "
    "repeats all the earlier ones and the kernel overshoots.",
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
    hint="Both parameters start random: a bias that is never updated keeps its random value, "
    "and the kernel has to make up for it. Update every parameter of the layer.",
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
    hint="The gradient points uphill, towards a larger loss: each step must subtract lr times the gradient.",
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
    hint="The mean divides every gradient by the number of output pixels (42 for the stripe "
    "data), so the given lr takes steps that many times shorter; the task asks for the sum.",
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
    hint="Build the layer with the kernel_size argument you are given: the hidden checks learn "
    "kernels of other sizes too.",
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
    hint="Use the lr argument: a step size that suits one image can make gradient descent "
    "diverge on another, where the loss curves more steeply.",
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
    hint="Use the steps argument: with a smaller step size, or on a harder image, 100 steps "
    "are not enough to get close to the kernel.",
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
    hint="The weight parameter is still tracked by autograd (requires_grad=True), so it cannot "
    "be turned into NumPy (.numpy()) or plotted; cut it out of the graph with detach() before "
    "returning it.",
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
    summary="keeps the layer in float32 whatever X's dtype",
    hint="A new layer's parameters are float32 on the CPU: move the layer to X's device and "
    "dtype with .to(...) before training, so that the learned kernel has them too.",
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


# ---------------------------------------------------------------------------------------
# receptive_field


@mistake(
    "receptive_field",
    summary="ignores the strides",
    hint="Below a layer with stride s, neighbouring windows start s pixels apart, so each "
    "extra pixel of width higher up costs s pixels further down.",
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
