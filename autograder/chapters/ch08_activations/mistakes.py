"""Wrong answers to chapter 8's ``linear``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``,
``prelu``, ``rrelu``, ``sigmoid_grad``, ``tanh_grad``, ``relu_grad`` and ``leaky_relu_grad``:
known mistakes (``@mistake``), and after each exercise's, answers right on the values that
break a property its text states (``@breaks``).

In the notebook, ``sigmoid``, ``tanh``, ``relu`` and ``leaky_relu`` come from the answer cells
above the derivatives; the import below only gives those names a meaning here.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch08_activations.reference import leaky_relu, relu, sigmoid, tanh
from autograder.runtime.mistakes import breaks, mistake

PAGE = "ch08_activations"

# ---------------------------------------------------------------------------------------
# linear


@mistake(
    "linear",
    summary="multiplies by W instead of W^T",
    hint="W is stored as (out_features, in_features), one row per output; x has in_features "
    "columns, so it must meet the transpose of W.",
    section=f"{PAGE}#the-shape-of-the-weight",
)
def linear_W_not_transposed(x, W, b=None):
    y = x @ W
    return y if b is None else y + b


@mistake(
    "linear",
    summary="adds the bias before the product",
    hint="The results are those of adding b to x before the matrix product (or a shape error when "
    "in_features != out_features): the bias has one entry per output feature and is added after the "
    "product, y = x W^T + b.",
    section=f"{PAGE}#the-linear-layer",
)
def linear_bias_before_product(x, W, b=None):
    if b is not None:
        x = x + b
    return x @ W.T


@mistake(
    "linear",
    summary="always adds b, even when it is None",
    hint="b is optional: nn.Linear(..., bias=False) has no bias, and linear(x, W) must then return x W^T alone.",
    section=f"{PAGE}#the-linear-layer",
)
def linear_bias_required(x, W, b=None):
    return x @ W.T + b


@mistake(
    "linear",
    summary="works on 2-D inputs only (Tensor.mm)",
    hint="x may be a single vector or have several leading batch dimensions; a product that "
    "broadcasts over them (@, torch.matmul) handles every case at once.",
    section=f"{PAGE}#batches-and-leading-dimensions",
)
def linear_only_2d(x, W, b=None):
    y = x.mm(W.t())
    return y if b is None else y + b


@mistake(
    "linear",
    summary="calls the built-in F.linear",
    hint="F.linear is the reference the check compares with; write the product and the bias yourself.",
    section=f"{PAGE}#the-linear-layer",
)
def linear_builtin(x, W, b=None):
    return F.linear(x, W, b)


@breaks("linear", "dtype")
def linear_float32_accumulator(x, W, b=None):
    y = torch.zeros(*x.shape[:-1], W.shape[0], device=x.device)
    y += x @ W.T
    if b is not None:
        y += b
    return y


@breaks("linear", "device")
def linear_zero_bias_on_the_default_device(x, W, b=None):
    if b is None:
        b = torch.zeros(W.shape[0], dtype=x.dtype)
    return x @ W.T + b


@breaks("linear", "unchanged")
def linear_transposes_W_in_place(x, W, b=None):
    y = x @ W.t_()
    return y if b is None else y + b


@breaks("linear", "differentiable")
def linear_through_numpy(x, W, b=None):
    y = x.detach().cpu().numpy() @ W.detach().cpu().numpy().T
    if b is not None:
        y = y + b.detach().cpu().numpy()
    return torch.from_numpy(y).to(x.device)


@breaks("linear", "batch")
def linear_one_sample(x, W, b=None):
    y = x.reshape(1, -1) @ W.T
    return y if b is None else y + b


@breaks("linear", "from scratch")
def linear_through_nn_linear(x, W, b=None):
    layer = nn.Linear(W.shape[1], W.shape[0], bias=b is not None, device=x.device, dtype=x.dtype)
    with torch.no_grad():
        layer.weight.copy_(W)
        if b is not None:
            layer.bias.copy_(b)
    return layer(x)


# ---------------------------------------------------------------------------------------
# sigmoid


@mistake(
    "sigmoid",
    summary="exp(x) instead of exp(-x) in the denominator",
    hint="The curve came out mirrored: it falls from 1 to 0 instead of rising, so sigmoid(2) is below "
    "0.5. Check the sign of the exponent: sigmoid(x) = 1 / (1 + exp(-x)).",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_missing_minus(x):
    return 1 / (1 + torch.exp(x))


@mistake(
    "sigmoid",
    summary="exp(x) / (1 + exp(x)), which is nan for large x",
    hint="The values are nan for large x: an exp that overflows to inf there (above about 88 in "
    "float32) gives inf / inf. Use a form in which exp only sees -|x|.",
    section=f"{PAGE}#a-numerically-stable-sigmoid",
)
def sigmoid_exp_ratio(x):
    return torch.exp(x) / (1 + torch.exp(x))


@mistake(
    "sigmoid",
    summary="1 / (1 + exp(-x)): right values, nan gradient for very negative x",
    hint="The values are right but the gradient is nan for very negative x: an exp that overflows "
    "to inf on the way, even where the value survives it, becomes 0 * inf = nan when autograd goes "
    "back. Use a form in which exp only sees -|x|.",
    section=f"{PAGE}#a-numerically-stable-sigmoid",
)
def sigmoid_naive(x):
    return 1 / (1 + torch.exp(-x))


@mistake(
    "sigmoid",
    summary="torch.where between two formulas that each overflow on one side",
    hint="The values are right but the gradient is nan at large |x|: autograd differentiates every "
    "value computed on the way, including a branch that torch.where or a mask discards, so an exp that "
    "overflows anywhere spoils the gradient. Compute exp of -|x| only.",
    section=f"{PAGE}#a-numerically-stable-sigmoid",
)
def sigmoid_where_both_branches(x):
    return torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))


@mistake(
    "sigmoid",
    summary="calls the built-in torch.sigmoid",
    hint="The exercise is the formula, from scratch; torch.sigmoid is what the check compares with.",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_builtin(x):
    return torch.sigmoid(x)


@breaks("sigmoid", "dtype")
def sigmoid_in_float32(x):
    x = x.float()
    z = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + z), z / (1 + z))


@breaks("sigmoid", "device")
def sigmoid_ones_on_the_default_device(x):
    one = torch.ones(x.shape, dtype=x.dtype)
    z = torch.exp(-x.abs())
    return torch.where(x >= 0, one / (one + z), z / (one + z))


@breaks("sigmoid", "unchanged")
def sigmoid_abs_in_place(x):
    positive = x >= 0
    z = torch.exp(-x.abs_())
    return torch.where(positive, 1 / (1 + z), z / (1 + z))


@breaks("sigmoid", "differentiable")
def sigmoid_with_math_exp(x):
    import math

    values = [1 / (1 + math.exp(-v)) if v >= 0 else math.exp(v) / (1 + math.exp(v)) for v in x.flatten().tolist()]
    return torch.tensor(values, dtype=x.dtype, device=x.device).reshape(x.shape)


@breaks("sigmoid", "from scratch")
def sigmoid_module(x):
    return nn.Sigmoid()(x)


# ---------------------------------------------------------------------------------------
# tanh


@mistake(
    "tanh",
    summary="(e^x - e^-x) / (e^x + e^-x), which is nan for large |x|",
    hint="The values are nan for large |x|: a quotient of two values that overflow to inf together "
    "(exp(x) and exp(-x) past about 88 in float32) is inf / inf. Build tanh on a stable sigmoid, or "
    "with exp(-2|x|) only.",
    section=f"{PAGE}#tanh",
)
def tanh_naive_exp(x):
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))


@mistake(
    "tanh",
    summary="2 / (1 + e^(-2x)) + 1 (plus one instead of minus one)",
    hint="The results are 2 too high (tanh(0) came out as 2): tanh(0) is 0 and the range is (-1, 1), "
    "and the identity is 2 sigmoid(2x) - 1.",
    section=f"{PAGE}#tanh",
)
def tanh_plus_one(x):
    return 2 / (1 + torch.exp(-2 * x)) + 1


@mistake(
    "tanh",
    summary="2 sigmoid(x) - 1 (the argument is not doubled)",
    hint="The results are tanh(x / 2), a curve twice as wide: in the identity tanh(x) = 2 sigmoid(2x) "
    "- 1 the argument of sigmoid is doubled.",
    section=f"{PAGE}#tanh",
)
def tanh_sigmoid_not_doubled(x):
    return 2 * sigmoid(x) - 1


@mistake(
    "tanh",
    summary="sinh(x) / cosh(x), which is nan for large |x|",
    hint="The values are nan for large |x|: a quotient of two values that overflow to inf together "
    "(sinh and cosh, or exp(x) and exp(-x)) is inf / inf. Build tanh on a stable sigmoid of 2x instead.",
    section=f"{PAGE}#tanh",
)
def tanh_sinh_over_cosh(x):
    return torch.sinh(x) / torch.cosh(x)


@mistake(
    "tanh",
    summary="calls the built-in torch.tanh",
    hint="The exercise is the formula, from scratch; torch.tanh is what the check compares with.",
    section=f"{PAGE}#tanh",
)
def tanh_builtin(x):
    return torch.tanh(x)


@breaks("tanh", "dtype")
def tanh_into_a_float32_buffer(x):
    out = torch.empty(x.shape, device=x.device)
    out.copy_(2 * sigmoid(2 * x) - 1)
    return out


@breaks("tanh", "device")
def tanh_ones_on_the_default_device(x):
    return 2 * sigmoid(2 * x) - torch.ones(x.shape, dtype=x.dtype)


@breaks("tanh", "unchanged")
def tanh_doubles_x_in_place(x):
    return 2 * sigmoid(x.mul_(2)) - 1


@breaks("tanh", "differentiable")
def tanh_of_the_data(x):
    return 2 * sigmoid(2 * x.data) - 1


@breaks("tanh", "from scratch")
def tanh_module(x):
    return nn.Tanh()(x)


# ---------------------------------------------------------------------------------------
# relu


@mistake(
    "relu",
    summary="keeps the negative part (clamp with max=0)",
    hint="The negative inputs came through and the positive ones became 0: ReLU does the opposite, "
    "max(x, 0) keeps the positive inputs and sets the negative ones to 0.",
    section=f"{PAGE}#relu",
)
def relu_min_instead_of_max(x):
    return x.clamp(max=0)


@mistake(
    "relu",
    summary="returns |x|",
    hint="Negative inputs become 0, not their absolute value: relu(-2) is 0.",
    section=f"{PAGE}#relu",
)
def relu_abs(x):
    return x.abs()


@mistake(
    "relu",
    summary="zeroes the negative entries of the input in place",
    hint="The values are right, but the caller's tensor is changed too (and autograd refuses "
    "in-place changes of a leaf); build a new tensor instead.",
    section=f"{PAGE}#relu",
)
def relu_in_place(x):
    x[x < 0] = 0
    return x


@mistake(
    "relu",
    summary="clamp(min=0): gradient 1 at x = 0",
    hint="The values are right, but the gradient at exactly x = 0 came out as 1, while PyTorch's F.relu, and "
    "the course, take the slope of the left piece there, 0. The usual causes are clamp(min=0), which lets the "
    "gradient through wherever x >= min, and a condition x >= 0 where x = 0 belongs with the negative inputs.",
    section=f"{PAGE}#the-derivative-at-a-kink",
)
def relu_clamp_gradient_at_zero(x):
    return x.clamp(min=0)


@mistake(
    "relu",
    summary="calls the built-in torch.relu",
    hint="The exercise is from scratch; torch.relu and F.relu are what the check compares with.",
    section=f"{PAGE}#relu",
)
def relu_builtin(x):
    return torch.relu(x)


@breaks("relu", "dtype")
def relu_from_a_list(x):
    return torch.tensor([v if v > 0 else 0.0 for v in x.flatten().tolist()], device=x.device).reshape(x.shape)


@breaks("relu", "device")
def relu_where_with_default_zeros(x):
    return torch.where(x > 0, x, torch.zeros(x.shape, dtype=x.dtype))


@breaks("relu", "unchanged")
def relu_clamps_in_place(x):
    return x.clamp_(min=0)


@breaks("relu", "differentiable")
def relu_on_a_detached_copy(x):
    out = x.detach().clone()
    out[out < 0] = 0
    return out


@breaks("relu", "from scratch")
def relu_tensor_method(x):
    return x.relu()


# ---------------------------------------------------------------------------------------
# leaky_relu


@mistake(
    "leaky_relu",
    summary="applies the slope to the positive inputs",
    hint="The positive inputs came out scaled and the negative ones unchanged: positive inputs pass "
    "unchanged, and only the negative ones are multiplied by negative_slope.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_slope_on_positives(x, negative_slope=0.01):
    return torch.where(x > 0, negative_slope * x, x)


@mistake(
    "leaky_relu",
    summary="ignores negative_slope (always 0.01)",
    hint="0.01 is only the default: use the negative_slope argument the caller passes.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_ignores_slope(x, negative_slope=0.01):
    return torch.where(x > 0, x, 0.01 * x)


@mistake(
    "leaky_relu",
    summary="default negative_slope of 0.1",
    hint="PyTorch's default negative_slope, and the exercise's, is 0.01.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_default_0_1(x, negative_slope=0.1):
    return torch.where(x > 0, x, negative_slope * x)


@mistake(
    "leaky_relu",
    summary="negative_slope times |x| (negative outputs become positive)",
    hint="For x < 0 the output is negative_slope * x, which is negative: the function keeps the sign of its input.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_abs(x, negative_slope=0.01):
    return torch.where(x > 0, x, negative_slope * x.abs())


@mistake(
    "leaky_relu",
    summary="x >= 0 for the positive branch: gradient 1 at x = 0",
    hint="The values are right, but the gradient at exactly x = 0 came out as 1 instead of negative_slope: "
    "PyTorch's F.leaky_relu, and the course, take the slope of the left piece at the kink. The usual cause "
    "is the condition x >= 0 where it should be x > 0 (torch.maximum(x, negative_slope * x) is wrong "
    "there too: it splits the gradient between its two arguments).",
    section=f"{PAGE}#the-derivative-at-a-kink",
)
def leaky_relu_one_at_zero(x, negative_slope=0.01):
    return torch.where(x >= 0, x, negative_slope * x)


@mistake(
    "leaky_relu",
    summary="calls the built-in F.leaky_relu",
    hint="The exercise is from scratch; F.leaky_relu is what the check compares with.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_builtin(x, negative_slope=0.01):
    return F.leaky_relu(x, negative_slope)


@breaks("leaky_relu", "dtype")
def leaky_relu_float32_accumulator(x, negative_slope=0.01):
    out = torch.zeros(x.shape, device=x.device)
    out += torch.where(x > 0, x, negative_slope * x)
    return out


@breaks("leaky_relu", "device")
def leaky_relu_slopes_on_the_default_device(x, negative_slope=0.01):
    slopes = torch.full(x.shape, negative_slope, dtype=x.dtype)
    return torch.where(x > 0, x, slopes * x)


@breaks("leaky_relu", "unchanged")
def leaky_relu_scales_in_place(x, negative_slope=0.01):
    x[x < 0] *= negative_slope
    return x


@breaks("leaky_relu", "differentiable")
def leaky_relu_through_numpy(x, negative_slope=0.01):
    import numpy as np

    values = x.detach().cpu().numpy()
    return torch.from_numpy(np.where(values > 0, values, negative_slope * values)).to(x.device)


@breaks("leaky_relu", "from scratch")
def leaky_relu_module(x, negative_slope=0.01):
    return nn.LeakyReLU(negative_slope)(x)


# ---------------------------------------------------------------------------------------
# prelu


@mistake(
    "prelu",
    summary="broadcasts the per-channel slopes over the last dimension",
    hint="The slopes were lined up with the last dimension of x (or could not broadcast at all): a "
    "has one slope per channel, and the channels are dim 1 of x, so reshape a to (C, 1, 1, ...).",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_last_dim(x, a):
    return torch.where(x > 0, x, a * x)


@mistake(
    "prelu",
    summary="supports a single slope only (float(a))",
    hint="It fails when a holds one slope per channel, as nn.PReLU(num_parameters=C) stores it: turning "
    "a into one Python number (float(a), a.item()) only works when it holds a single slope.",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_scalar_only(x, a):
    return torch.where(x > 0, x, float(a) * x)


@mistake(
    "prelu",
    summary="detaches the slope, so it cannot be learned",
    hint="The point of PReLU is that a is a parameter trained by gradient descent: keep a in the "
    "autograd graph (no .detach(), .item() or torch.tensor(...) copies).",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_detached_slope(x, a):
    a = a.detach().reshape(-1, *[1] * (x.dim() - 2)) if a.numel() > 1 else a.detach()
    return torch.where(x > 0, x, a * x)


@mistake(
    "prelu",
    summary="applies the slope to the positive inputs",
    hint="Positive inputs pass unchanged; the slope a multiplies the negative ones only.",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_slope_on_positives(x, a):
    if a.numel() > 1:
        a = a.reshape(-1, *[1] * (x.dim() - 2))
    return torch.where(x > 0, a * x, x)


@mistake(
    "prelu",
    summary="reshapes a to (1, C, 1, 1): right for 4-D inputs only",
    hint="x may be (N, C), (N, C, L) or (N, C, H, W): give a as many trailing 1s as x has "
    "dimensions after the channel one.",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_4d_only(x, a):
    return torch.where(x > 0, x, a.view(1, -1, 1, 1) * x)


@mistake(
    "prelu",
    summary="calls the built-in F.prelu",
    hint="The exercise is from scratch; F.prelu is what the check compares with.",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_builtin(x, a):
    return F.prelu(x, a.reshape(-1))


@breaks("prelu", "dtype")
def prelu_into_a_float32_buffer(x, a):
    if a.numel() > 1:
        a = a.reshape(-1, *[1] * (x.dim() - 2))
    out = torch.empty(x.shape, device=x.device)
    out[...] = torch.where(x > 0, x, a * x)
    return out


@breaks("prelu", "device")
def prelu_zeros_on_the_default_device(x, a):
    if a.numel() > 1:
        a = a.reshape(-1, *[1] * (x.dim() - 2))
    zeros = torch.zeros(x.shape, dtype=x.dtype)
    return torch.maximum(x, zeros) + a * torch.minimum(x, zeros)


@breaks("prelu", "unchanged")
def prelu_reshapes_a_in_place(x, a):
    if a.numel() > 1:
        for _ in range(x.dim() - 2):
            a.unsqueeze_(-1)
    return torch.where(x > 0, x, a * x)


@breaks("prelu", "differentiable")
def prelu_without_grad(x, a):
    with torch.no_grad():
        if a.numel() > 1:
            a = a.reshape(-1, *[1] * (x.dim() - 2))
        return torch.where(x > 0, x, a * x)


@breaks("prelu", "from scratch")
def prelu_torch_function(x, a):
    return torch.prelu(x, a.reshape(-1))


# ---------------------------------------------------------------------------------------
# rrelu


@mistake(
    "rrelu",
    summary="draws a random slope in evaluation mode too",
    hint="Only training mode is random; in evaluation mode the slope is fixed at the mean "
    "(lower + upper) / 2, so the same input always gives the same output.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_random_in_eval(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.empty_like(x).uniform_(lower, upper)
    return torch.where(x > 0, x, slope * x)


@mistake(
    "rrelu",
    summary="uses lower as the slope in evaluation mode",
    hint="In evaluation mode the slope is the mean of the training slopes, (lower + upper) / 2.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_eval_uses_lower(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.empty_like(x).uniform_(lower, upper) if training else lower
    return torch.where(x > 0, x, slope * x)


@mistake(
    "rrelu",
    summary="one random slope for the whole tensor",
    hint="Every element gets its own slope: draw a tensor of slopes with the shape of x, not a single number.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_one_slope_per_call(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        slope = lower + (upper - lower) * torch.rand((), dtype=x.dtype, device=x.device)
    else:
        slope = (lower + upper) / 2
    return torch.where(x > 0, x, slope * x)


@mistake(
    "rrelu",
    summary="one random slope per sample (row)",
    hint="Every element gets its own slope, not every sample: draw slopes with the full shape of x.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_one_slope_per_sample(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        slope = lower + (upper - lower) * torch.rand(shape, dtype=x.dtype, device=x.device)
    else:
        slope = (lower + upper) / 2
    return torch.where(x > 0, x, slope * x)


@mistake(
    "rrelu",
    summary="multiplies every input by the random slope in training, positives too",
    hint="Positive inputs pass unchanged in both modes; only the negative ones get the random slope.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_slope_on_positives(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        return x * torch.empty_like(x).uniform_(lower, upper)
    return torch.where(x > 0, x, (lower + upper) / 2 * x)


@mistake(
    "rrelu",
    summary="draws the slopes from [0, 1) instead of [lower, upper]",
    hint="The slopes came out spread over [0, 1), not over [lower, upper]: torch.rand and friends "
    "draw from [0, 1), so scale and shift what they give (or use Tensor.uniform_(lower, upper)).",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_unit_interval(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.rand_like(x) if training else (lower + upper) / 2
    return torch.where(x > 0, x, slope * x)


@mistake(
    "rrelu",
    summary="ignores training (always the mean slope)",
    hint="In training mode the slope of each negative input is random, drawn from [lower, upper]; "
    "the fixed mean slope is for evaluation mode only.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_training_ignored(x, lower=1 / 8, upper=1 / 3, training=False):
    return torch.where(x > 0, x, (lower + upper) / 2 * x)


@mistake(
    "rrelu",
    summary="reseeds the random generator inside the function",
    hint="Two calls drew the same slopes: seeding the random numbers inside the function "
    "(torch.manual_seed, a new torch.Generator with a fixed seed) restarts the draw on every call, and "
    "the noise must be new on every training step.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_reseeds(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        torch.manual_seed(0)
        slope = torch.empty_like(x).uniform_(lower, upper)
    else:
        slope = (lower + upper) / 2
    return torch.where(x > 0, x, slope * x)


@mistake(
    "rrelu",
    summary="x >= 0 for the positive branch: gradient 1 at x = 0",
    hint="The values are right, but the gradient at exactly x = 0 came out as 1 instead of the element's "
    "slope (the mean slope in evaluation mode, a random one in [lower, upper] in training mode): PyTorch's "
    "F.rrelu, and the course, take the slope of the left piece at the kink, as for Leaky ReLU. The usual "
    "cause is the condition x >= 0 where it should be x > 0.",
    section=f"{PAGE}#the-derivative-at-a-kink",
)
def rrelu_one_at_zero(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        slope = torch.empty_like(x).uniform_(lower, upper)
    else:
        slope = (lower + upper) / 2
    return torch.where(x >= 0, x, slope * x)


@mistake(
    "rrelu",
    summary="calls the built-in F.rrelu",
    hint="The exercise is from scratch; F.rrelu is what the check compares with.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_builtin(x, lower=1 / 8, upper=1 / 3, training=False):
    return F.rrelu(x, lower, upper, training=training)


@breaks("rrelu", "dtype")
def rrelu_into_a_float32_buffer(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.empty_like(x).uniform_(lower, upper) if training else (lower + upper) / 2
    out = torch.empty(x.shape, device=x.device)
    out[...] = torch.where(x > 0, x, slope * x)
    return out


@breaks("rrelu", "device")
def rrelu_slopes_on_the_default_device(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        slope = lower + (upper - lower) * torch.rand(x.shape, dtype=x.dtype)
    else:
        slope = (lower + upper) / 2
    return torch.where(x > 0, x, slope * x)


@breaks("rrelu", "unchanged")
def rrelu_scales_in_place(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.empty_like(x).uniform_(lower, upper) if training else (lower + upper) / 2
    return x.mul_(torch.where(x > 0, torch.ones_like(x), slope))


@breaks("rrelu", "differentiable")
def rrelu_detached(x, lower=1 / 8, upper=1 / 3, training=False):
    x = x.detach()
    slope = torch.empty_like(x).uniform_(lower, upper) if training else (lower + upper) / 2
    return torch.where(x > 0, x, slope * x)


@breaks("rrelu", "from scratch")
def rrelu_module(x, lower=1 / 8, upper=1 / 3, training=False):
    return nn.RReLU(lower, upper).train(training)(x)


# ---------------------------------------------------------------------------------------
# sigmoid_grad


@mistake(
    "sigmoid_grad",
    summary="sigma(x) * sigma(1 - x) instead of sigma(x) * (1 - sigma(x))",
    hint="The derivative is sigma(x) times one minus sigma(x): the 1 - ... goes around the value "
    "sigma(x), not inside the argument.",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_grad_of_one_minus_x(x):
    return sigmoid(x) * sigmoid(1 - x)


@mistake(
    "sigmoid_grad",
    summary="sigma(x) * (1 - x)",
    hint="Both factors are about the output s = sigma(x): the derivative is s * (1 - s), not s * (1 - x).",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_grad_times_one_minus_x(x):
    return sigmoid(x) * (1 - x)


@mistake(
    "sigmoid_grad",
    summary="returns sigma(x) itself",
    hint="sigmoid_grad is the slope of the curve, at most 0.25 (at x = 0), not its value.",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_grad_returns_sigmoid(x):
    return sigmoid(x)


@mistake(
    "sigmoid_grad",
    summary="exp(-x) / (1 + exp(-x))^2, which is nan for very negative x",
    hint="The result is nan for very negative x: an exp that overflows to inf there gives inf / inf. "
    "Write the derivative with your stable sigmoid, as s * (1 - s).",
    section=f"{PAGE}#a-numerically-stable-sigmoid",
)
def sigmoid_grad_naive(x):
    return torch.exp(-x) / (1 + torch.exp(-x)) ** 2


@mistake(
    "sigmoid_grad",
    summary="asks autograd for the derivative",
    hint="The exercise is the derivative's formula; autograd's answer is what the check compares with.",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_grad_autograd(x):
    leaf = x.detach().requires_grad_(True)
    return torch.autograd.grad(sigmoid(leaf).sum(), leaf)[0]


@breaks("sigmoid_grad", "dtype")
def sigmoid_grad_in_float32(x):
    s = sigmoid(x.float())
    return s * (1 - s)


@breaks("sigmoid_grad", "device")
def sigmoid_grad_ones_on_the_default_device(x):
    s = sigmoid(x)
    return s * (torch.ones(x.shape, dtype=x.dtype) - s)


@breaks("sigmoid_grad", "unchanged")
def sigmoid_grad_reuses_x(x):
    x.copy_(sigmoid(x))
    return x * (1 - x)


@breaks("sigmoid_grad", "from scratch")
def sigmoid_grad_builtin_sigmoid(x):
    s = torch.sigmoid(x)
    return s * (1 - s)


# ---------------------------------------------------------------------------------------
# tanh_grad


@mistake(
    "tanh_grad",
    summary="1 - tanh(x) instead of 1 - tanh(x)^2",
    hint="The derivative of tanh is 1 - tanh(x)^2: it is symmetric around 0, with its maximum 1 at x = 0.",
    section=f"{PAGE}#tanh",
)
def tanh_grad_one_minus_tanh(x):
    return 1 - tanh(x)


@mistake(
    "tanh_grad",
    summary="1 - x^2 (the input squared, not the output)",
    hint="The square is of the output tanh(x), not of the input x: 1 - x^2 goes negative for "
    "|x| > 1, and a derivative of tanh never does.",
    section=f"{PAGE}#tanh",
)
def tanh_grad_one_minus_x_squared(x):
    return 1 - x**2


@mistake(
    "tanh_grad",
    summary="t * (1 - t), the sigmoid's formula",
    hint="s * (1 - s) is the derivative of sigmoid in terms of its output; for tanh it is 1 - t^2.",
    section=f"{PAGE}#tanh",
)
def tanh_grad_sigmoid_form(x):
    t = tanh(x)
    return t * (1 - t)


@mistake(
    "tanh_grad",
    summary="uses the built-in torch.tanh",
    hint="Use your own tanh from the exercise above; the built-in activations are not allowed in this notebook.",
    section=f"{PAGE}#tanh",
)
def tanh_grad_builtin(x):
    return 1 - torch.tanh(x) ** 2


@breaks("tanh_grad", "dtype")
def tanh_grad_float32_ones(x):
    out = torch.ones(x.shape, device=x.device)
    out -= tanh(x) ** 2
    return out


@breaks("tanh_grad", "device")
def tanh_grad_ones_on_the_default_device(x):
    return torch.ones(x.shape, dtype=x.dtype) - tanh(x) ** 2


@breaks("tanh_grad", "unchanged")
def tanh_grad_overwrites_x(x):
    x[:] = tanh(x)
    return 1 - x**2


@breaks("tanh_grad", "from scratch")
def tanh_grad_by_backward(x):
    leaf = x.detach().clone().requires_grad_(True)
    tanh(leaf).sum().backward()
    return leaf.grad


# ---------------------------------------------------------------------------------------
# relu_grad


@mistake(
    "relu_grad",
    summary="1 everywhere, negative inputs included",
    hint="For x < 0 ReLU is the constant 0, so its slope there is 0; only positive inputs have slope 1.",
    section=f"{PAGE}#relu",
)
def relu_grad_ones(x):
    return torch.ones_like(x)


@mistake(
    "relu_grad",
    summary="returns relu(x) itself",
    hint="The derivative is 0 or 1, never x: it is the slope of the two straight pieces.",
    section=f"{PAGE}#relu",
)
def relu_grad_returns_relu(x):
    return relu(x)


@mistake(
    "relu_grad",
    summary="1 at x = 0",
    hint="relu_grad(0) came out as 1: at the kink the course follows PyTorch, which uses the "
    "left-hand slope, so relu_grad(0) is 0 (x = 0 counts with the negative inputs).",
    section=f"{PAGE}#the-derivative-at-a-kink",
)
def relu_grad_one_at_zero(x):
    return (x >= 0).to(x.dtype)


@mistake(
    "relu_grad",
    summary="returns a bool tensor",
    hint="The result is a bool tensor (True/False, what a comparison gives): convert it to the dtype "
    "of x, so that it can be multiplied into gradients.",
    section=f"{PAGE}#relu",
)
def relu_grad_bool(x):
    return x > 0


@mistake(
    "relu_grad",
    summary="sign(x): -1 for negative inputs",
    hint="ReLU is flat for negative inputs: the slope there is 0, not -1.",
    section=f"{PAGE}#relu",
)
def relu_grad_sign(x):
    return torch.sign(x)


@breaks("relu_grad", "dtype")
def relu_grad_float(x):
    return (x > 0).float()


@breaks("relu_grad", "device")
def relu_grad_where_on_the_default_device(x):
    return torch.where(x > 0, torch.ones(x.shape, dtype=x.dtype), torch.zeros(x.shape, dtype=x.dtype))


@breaks("relu_grad", "unchanged")
def relu_grad_overwrites_x(x):
    positive = x > 0
    x[positive] = 1
    x[~positive] = 0
    return x


@breaks("relu_grad", "from scratch")
def relu_grad_by_backward(x):
    leaf = x.detach().clone().requires_grad_(True)
    relu(leaf).backward(torch.ones_like(leaf))
    return leaf.grad


# ---------------------------------------------------------------------------------------
# leaky_relu_grad


@mistake(
    "leaky_relu_grad",
    summary="the slope for positive inputs and 1 for negative ones (swapped)",
    hint="Positive inputs pass unchanged (slope 1); negative ones are scaled by negative_slope.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_grad_swapped(x, negative_slope=0.01):
    return torch.where(x > 0, torch.full_like(x, negative_slope), torch.ones_like(x))


@mistake(
    "leaky_relu_grad",
    summary="0 for negative inputs (the ReLU derivative)",
    hint="The leak is the point: for x < 0 the slope is negative_slope, not 0.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_grad_zero_for_negatives(x, negative_slope=0.01):
    return (x > 0).to(x.dtype)


@mistake(
    "leaky_relu_grad",
    summary="1 at x = 0",
    hint="leaky_relu_grad(0) came out as 1: at the kink the course follows PyTorch, which uses "
    "the left-hand slope, so leaky_relu_grad(0) is negative_slope.",
    section=f"{PAGE}#the-derivative-at-a-kink",
)
def leaky_relu_grad_one_at_zero(x, negative_slope=0.01):
    return torch.where(x >= 0, torch.ones_like(x), torch.full_like(x, negative_slope))


@mistake(
    "leaky_relu_grad",
    summary="ignores negative_slope (always 0.01)",
    hint="0.01 is only the default: use the negative_slope argument the caller passes.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_grad_ignores_slope(x, negative_slope=0.01):
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, 0.01))


@breaks("leaky_relu_grad", "dtype")
def leaky_relu_grad_python_numbers(x, negative_slope=0.01):
    return torch.where(x > 0, 1.0, negative_slope)


@breaks("leaky_relu_grad", "device")
def leaky_relu_grad_slopes_on_the_default_device(x, negative_slope=0.01):
    return torch.where(x > 0, torch.ones_like(x), torch.full(x.shape, negative_slope, dtype=x.dtype))


@breaks("leaky_relu_grad", "unchanged")
def leaky_relu_grad_fills_x(x, negative_slope=0.01):
    positive = x > 0
    return x.masked_fill_(positive, 1.0).masked_fill_(~positive, negative_slope)


@breaks("leaky_relu_grad", "from scratch")
def leaky_relu_grad_by_func_grad(x, negative_slope=0.01):
    slope = torch.func.grad(lambda t: leaky_relu(t, negative_slope))
    return torch.vmap(slope)(x.reshape(-1)).reshape(x.shape)
