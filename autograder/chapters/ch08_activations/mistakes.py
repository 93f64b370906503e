"""Wrong answers to chapter 8's ``linear``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``,
``prelu``, ``rrelu``, ``sigmoid_grad``, ``tanh_grad``, ``relu_grad`` and ``leaky_relu_grad``.

In the notebook, ``sigmoid``, ``tanh`` and ``relu`` come from the answer cells above the
derivatives; the import below only gives those names a meaning here.
"""

import torch
import torch.nn.functional as F

from autograder.chapters.ch08_activations.reference import relu, sigmoid, tanh
from autograder.runtime.mistakes import mistake

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
    hint="The bias has one entry per output feature and is added to the product x W^T, after "
    "the matrix product, not to the input.",
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


# ---------------------------------------------------------------------------------------
# sigmoid


@mistake(
    "sigmoid",
    summary="exp(x) instead of exp(-x) in the denominator",
    hint="With exp(+x) the curve is mirrored: it falls from 1 to 0. Check sigmoid(2) > 0.5 on the chapter's example.",
    section=f"{PAGE}#sigmoid",
)
def sigmoid_missing_minus(x):
    return 1 / (1 + torch.exp(x))


@mistake(
    "sigmoid",
    summary="exp(x) / (1 + exp(x)), which is nan for large x",
    hint="exp(x) overflows to inf above about 88 in float32 and inf / inf is nan; use a form in "
    "which exp only sees -|x|.",
    section=f"{PAGE}#a-numerically-stable-sigmoid",
)
def sigmoid_exp_ratio(x):
    return torch.exp(x) / (1 + torch.exp(x))


@mistake(
    "sigmoid",
    summary="1 / (1 + exp(-x)): right values, nan gradient for very negative x",
    hint="The values survive the overflow of exp(-x), but autograd multiplies 0 by inf on the "
    "way back and the gradient is nan; use a form in which exp only sees -|x|.",
    section=f"{PAGE}#a-numerically-stable-sigmoid",
)
def sigmoid_naive(x):
    return 1 / (1 + torch.exp(-x))


@mistake(
    "sigmoid",
    summary="torch.where between two formulas that each overflow on one side",
    hint="torch.where picks the right value, but both branches are computed and differentiated; "
    "the unused branch's inf turns the gradient into nan. Compute exp of -|x| only.",
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


# ---------------------------------------------------------------------------------------
# tanh


@mistake(
    "tanh",
    summary="(e^x - e^-x) / (e^x + e^-x), which is nan for large |x|",
    hint="The textbook formula divides inf by inf once |x| passes about 88 in float32; rewrite "
    "tanh through a stable sigmoid, or with exp(-2|x|) only.",
    section=f"{PAGE}#tanh",
)
def tanh_naive_exp(x):
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))


@mistake(
    "tanh",
    summary="2 / (1 + e^(-2x)) + 1 (plus one instead of minus one)",
    hint="tanh(0) must be 0 and the range is (-1, 1): the identity is 2 sigmoid(2x) - 1.",
    section=f"{PAGE}#tanh",
)
def tanh_plus_one(x):
    return 2 / (1 + torch.exp(-2 * x)) + 1


@mistake(
    "tanh",
    summary="2 sigmoid(x) - 1 (the argument is not doubled)",
    hint="2 sigmoid(x) - 1 is tanh(x / 2): the identity needs sigmoid of 2x.",
    section=f"{PAGE}#tanh",
)
def tanh_sigmoid_not_doubled(x):
    return 2 * sigmoid(x) - 1


@mistake(
    "tanh",
    summary="sinh(x) / cosh(x), which is nan for large |x|",
    hint="sinh and cosh overflow to inf together, and inf / inf is nan; use a stable sigmoid of 2x instead.",
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


# ---------------------------------------------------------------------------------------
# relu


@mistake(
    "relu",
    summary="keeps the negative part (clamp with max=0)",
    hint="ReLU keeps the positive inputs and sets the negative ones to 0: max(x, 0) is a lower "
    "bound of 0, not an upper one.",
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
    summary="calls the built-in torch.relu",
    hint="The exercise is from scratch; torch.relu and F.relu are what the check compares with.",
    section=f"{PAGE}#relu",
)
def relu_builtin(x):
    return torch.relu(x)


# ---------------------------------------------------------------------------------------
# leaky_relu


@mistake(
    "leaky_relu",
    summary="applies the slope to the positive inputs",
    hint="Positive inputs pass unchanged; only the negative ones are multiplied by negative_slope.",
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
    summary="calls the built-in F.leaky_relu",
    hint="The exercise is from scratch; F.leaky_relu is what the check compares with.",
    section=f"{PAGE}#leaky-relu",
)
def leaky_relu_builtin(x, negative_slope=0.01):
    return F.leaky_relu(x, negative_slope)


# ---------------------------------------------------------------------------------------
# prelu


@mistake(
    "prelu",
    summary="broadcasts the per-channel slopes over the last dimension",
    hint="a has one slope per channel, and the channels are dim 1 of x: reshape a to (C, 1, 1, ...) "
    "so that it lines up with dim 1, not with the last dim.",
    section=f"{PAGE}#prelu-a-learned-slope",
)
def prelu_last_dim(x, a):
    return torch.where(x > 0, x, a * x)


@mistake(
    "prelu",
    summary="supports a single slope only (float(a))",
    hint="a may hold one slope per channel, as nn.PReLU(num_parameters=C) stores it; float(a) only works with one.",
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
    return torch.where(x >= 0, x, slope * x)


@mistake(
    "rrelu",
    summary="uses lower as the slope in evaluation mode",
    hint="In evaluation mode the slope is the mean of the training slopes, (lower + upper) / 2.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_eval_uses_lower(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.empty_like(x).uniform_(lower, upper) if training else lower
    return torch.where(x >= 0, x, slope * x)


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
    return torch.where(x >= 0, x, slope * x)


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
    return torch.where(x >= 0, x, slope * x)


@mistake(
    "rrelu",
    summary="multiplies every input by the random slope in training, positives too",
    hint="Positive inputs pass unchanged in both modes; only the negative ones get the random slope.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_slope_on_positives(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        return x * torch.empty_like(x).uniform_(lower, upper)
    return torch.where(x >= 0, x, (lower + upper) / 2 * x)


@mistake(
    "rrelu",
    summary="draws the slopes from [0, 1) instead of [lower, upper]",
    hint="torch.rand gives numbers in [0, 1); scale and shift them to [lower, upper] (or use "
    "Tensor.uniform_(lower, upper)).",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_unit_interval(x, lower=1 / 8, upper=1 / 3, training=False):
    slope = torch.rand_like(x) if training else (lower + upper) / 2
    return torch.where(x >= 0, x, slope * x)


@mistake(
    "rrelu",
    summary="ignores training (always the mean slope)",
    hint="In training mode the slope of each negative input is random, drawn from [lower, upper]; "
    "the fixed mean slope is for evaluation mode only.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_training_ignored(x, lower=1 / 8, upper=1 / 3, training=False):
    return torch.where(x >= 0, x, (lower + upper) / 2 * x)


@mistake(
    "rrelu",
    summary="reseeds the random generator inside the function",
    hint="torch.manual_seed inside the function makes every call draw the same slopes; the noise "
    "must be new on every training step.",
    section=f"{PAGE}#rrelu-a-random-slope",
)
def rrelu_reseeds(x, lower=1 / 8, upper=1 / 3, training=False):
    if training:
        torch.manual_seed(0)
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
    hint="The quotient is inf / inf once exp(-x) overflows; write the derivative with the stable "
    "sigmoid, as s * (1 - s).",
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
    hint="At the kink the course follows PyTorch, which uses the left-hand slope: relu_grad(0) "
    "is 0, so use x > 0, not x >= 0.",
    section=f"{PAGE}#the-derivative-at-a-kink",
)
def relu_grad_one_at_zero(x):
    return (x >= 0).to(x.dtype)


@mistake(
    "relu_grad",
    summary="returns a bool tensor",
    hint="x > 0 is a tensor of True/False; convert it to the dtype of x so that it can be multiplied into gradients.",
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
    hint="At the kink the course follows PyTorch, which uses the left-hand slope: "
    "leaky_relu_grad(0) is negative_slope.",
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
