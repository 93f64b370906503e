"""Wrong answers to chapter 5's ``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_1x1``,
``conv2d_num_params``, ``linear_num_params`` and ``corr2d_grouped``: known mistakes, and after
each exercise's, answers right on the chapter's example that break a property its text states
(``@breaks``).

In the notebook, ``corr2d`` comes from the imports cell (chapter 2's finished block) and
``corr2d_multi_in`` / ``corr2d_multi_in_out`` from the answer cells above; the imports
below only give those names a meaning here.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch05_channels.reference import corr2d_multi_in, corr2d_multi_in_out
from autograder.runtime.blocks import corr2d
from autograder.runtime.mistakes import breaks, mistake

# ---------------------------------------------------------------------------------------
# corr2d_multi_in


@mistake(
    "corr2d_multi_in",
    summary="stacks the per-channel results instead of adding them",
    hint="Each input channel gives one 2-D map, and the output is their sum: one (H', W') map, not a stack of Ci maps.",
    section="ch05_channels#several-input-channels",
)
def corr2d_multi_in_stacked(X, K):
    return torch.stack([corr2d(x, k) for x, k in zip(X, K)])


@mistake(
    "corr2d_multi_in",
    summary="averages the per-channel results instead of adding them",
    hint="The channels' contributions are added, not averaged: with two channels the mean is half the right answer.",
    section="ch05_channels#several-input-channels",
)
def corr2d_multi_in_mean(X, K):
    return torch.stack([corr2d(x, k) for x, k in zip(X, K)]).mean(dim=0)


@mistake(
    "corr2d_multi_in",
    summary="uses the first channel only",
    hint="Every input channel contributes to the output: cross-correlate each channel of X with "
    "the kernel channel of the same index and add all the results.",
    section="ch05_channels#several-input-channels",
)
def corr2d_multi_in_first_channel(X, K):
    return corr2d(X[0], K[0])


@mistake(
    "corr2d_multi_in",
    summary="pairs the channels in reverse order",
    hint="Channel i of X goes with channel i of K; on the chapter's example, check which kernel "
    "channel meets which input channel.",
    section="ch05_channels#several-input-channels",
)
def corr2d_multi_in_reversed_pairs(X, K):
    return sum(corr2d(x, k) for x, k in zip(X, K.flip(0)))


@mistake(
    "corr2d_multi_in",
    summary="returns float32 whatever the input's dtype",
    hint="Given float64 inputs, the result came back float32: a tensor created without dtype=... "
    "(torch.zeros, torch.ones, torch.tensor of Python numbers) is float32 whatever X is. Create "
    "it with X's dtype and device, or start the sum from the first channel's map.",
    section="ch05_channels#channels",
)
def corr2d_multi_in_float32_buffer(X, K):
    Y = torch.zeros(X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1, device=X.device)
    for x, k in zip(X, K):
        Y += corr2d(x, k)
    return Y


@mistake(
    "corr2d_multi_in",
    summary="calls the built-in F.conv2d",
    hint="Build the multi-channel correlation from corr2d, one channel at a time; F.conv2d is "
    "the reference it is checked against.",
    section="ch05_channels#several-input-channels",
)
def corr2d_multi_in_builtin(X, K):
    return F.conv2d(X[None], K[None])[0, 0]


@breaks("corr2d_multi_in", "dtype")
def corr2d_multi_in_casts_to_float(X, K):
    X, K = X.float(), K.float()  # "to be safe"
    return sum(corr2d(x, k) for x, k in zip(X, K))


@breaks("corr2d_multi_in", "device")
def corr2d_multi_in_buffer_on_default_device(X, K):
    Y = torch.zeros(X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1, dtype=X.dtype)
    for x, k in zip(X, K):
        Y += corr2d(x, k)
    return Y


@breaks("corr2d_multi_in", "differentiable")
def corr2d_multi_in_no_grad(X, K):
    with torch.no_grad():
        return sum(corr2d(x, k) for x, k in zip(X, K))


@breaks("corr2d_multi_in", "unchanged")
def corr2d_multi_in_maps_in_X(X, K):
    h, w = X.shape[1] - K.shape[1] + 1, X.shape[2] - K.shape[2] + 1
    for c in range(X.shape[0]):
        X[c, :h, :w] = corr2d(X[c], K[c])  # reuse X's memory for the channel maps
    return X[:, :h, :w].sum(dim=0)


@breaks("corr2d_multi_in", "from scratch")
def corr2d_multi_in_builtin_per_channel(X, K):
    return sum(F.conv2d(x[None, None], k[None, None])[0, 0] for x, k in zip(X, K))


@breaks("corr2d_multi_in", "non-square")
def corr2d_multi_in_square_buffer(X, K):
    n = X.shape[1] - K.shape[1] + 1  # the side of the output
    Y = torch.zeros(n, n, dtype=X.dtype, device=X.device)
    for x, k in zip(X, K):
        Y = Y + corr2d(x, k)
    return Y


# ---------------------------------------------------------------------------------------
# corr2d_multi_in_out


@mistake(
    "corr2d_multi_in_out",
    summary="adds the output channels together as well",
    hint="Only the input channels are summed; each output channel keeps its own map, so the "
    "result has shape (Co, H', W').",
    section="ch05_channels#several-output-channels",
)
def corr2d_multi_in_out_sums_outputs(X, K):
    return sum(corr2d_multi_in(X, k) for k in K)


@mistake(
    "corr2d_multi_in_out",
    summary="takes K[:, o] (input and output channel axes confused)",
    hint="K has shape (Co, Ci, kh, kw): output channel o uses K[o], a (Ci, kh, kw) kernel that "
    "matches all channels of X.",
    section="ch05_channels#several-output-channels",
)
def corr2d_multi_in_out_axes_confused(X, K):
    return torch.stack([corr2d_multi_in(X, K[:, o]) for o in range(X.shape[0])])


@mistake(
    "corr2d_multi_in_out",
    summary="stacks the output channels on the last axis: (H', W', Co)",
    hint="Channels come first in PyTorch: stack the Co maps along a new first axis to get (Co, H', W').",
    section="ch05_channels#several-output-channels",
)
def corr2d_multi_in_out_channels_last(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K], dim=-1)


@mistake(
    "corr2d_multi_in_out",
    summary="uses the kernel of output channel 0 for every output channel",
    hint="Each output channel has its own kernel: output channel o is computed with K[o], not "
    "with the same K[0] every time.",
    section="ch05_channels#several-output-channels",
)
def corr2d_multi_in_out_same_kernel(X, K):
    return torch.stack([corr2d_multi_in(X, K[0]) for _ in range(K.shape[0])])


@mistake(
    "corr2d_multi_in_out",
    summary="calls the built-in F.conv2d",
    hint="Build it from your corr2d_multi_in, one output channel at a time; F.conv2d is the "
    "reference it is checked against.",
    section="ch05_channels#several-output-channels",
)
def corr2d_multi_in_out_builtin(X, K):
    return F.conv2d(X[None], K)[0]


@breaks("corr2d_multi_in_out", "dtype")
def corr2d_multi_in_out_float32_buffer(X, K):
    Y = torch.zeros(K.shape[0], X.shape[1] - K.shape[2] + 1, X.shape[2] - K.shape[3] + 1, device=X.device)
    for o in range(K.shape[0]):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y


@breaks("corr2d_multi_in_out", "device")
def corr2d_multi_in_out_buffer_on_default_device(X, K):
    Y = torch.zeros(K.shape[0], X.shape[1] - K.shape[2] + 1, X.shape[2] - K.shape[3] + 1, dtype=X.dtype)
    for o in range(K.shape[0]):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y


@breaks("corr2d_multi_in_out", "differentiable")
def corr2d_multi_in_out_numpy(X, K):
    import numpy as np

    maps = [corr2d_multi_in(X, k).detach().cpu().numpy() for k in K]
    return torch.from_numpy(np.stack(maps)).to(X.device)


@breaks("corr2d_multi_in_out", "unchanged")
def corr2d_multi_in_out_transposes_K(X, K):
    K.transpose_(0, 1)  # (Ci, Co, kh, kw): the kernels of each input channel together
    return torch.stack([sum(corr2d(x, k[o]) for x, k in zip(X, K)) for o in range(K.shape[1])])


@breaks("corr2d_multi_in_out", "from scratch")
def corr2d_multi_in_out_layer(X, K):
    layer = nn.Conv2d(K.shape[1], K.shape[0], tuple(K.shape[2:]), bias=False)
    layer.weight.data = K
    return layer(X[None])[0]


@breaks("corr2d_multi_in_out", "non-square")
def corr2d_multi_in_out_square_buffer(X, K):
    n = X.shape[1] - K.shape[2] + 1  # the side of each output map
    Y = torch.zeros(K.shape[0], n, n, dtype=X.dtype, device=X.device)
    for o in range(K.shape[0]):
        Y[o] = corr2d_multi_in(X, K[o])
    return Y


# ---------------------------------------------------------------------------------------
# corr2d_1x1


@mistake(
    "corr2d_1x1",
    summary="loops over the output channels (one small product each)",
    hint="The values are right, but the number of operations grows with the number of output "
    "channels, as it does with one small product per output channel; one matrix product can "
    "compute all output channels at once.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_output_loop(X, K):
    c_in, h, w = X.shape
    flat = X.reshape(c_in, h * w)
    return torch.stack([(K[o].reshape(1, c_in) @ flat).reshape(h, w) for o in range(K.shape[0])])


@mistake(
    "corr2d_1x1",
    summary="reshapes K as (Ci, Co) and transposes it",
    hint="The output channels mix the input channels with the wrong weights. K is laid out as "
    "(Co, Ci, 1, 1), so its (Co, Ci) matrix is a plain reshape; a reshape to (Ci, Co) (then a "
    "transpose) pairs the weights with the wrong channels.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_kernel_transposed(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    return (K.reshape(c_in, c_out).T @ X.reshape(c_in, h * w)).reshape(c_out, h, w)


@mistake(
    "corr2d_1x1",
    summary="reshapes X as (H * W, Ci), which scrambles the pixels",
    hint="The output pixels mix values of different pixels and channels. X is laid out as "
    "(Ci, H, W): a reshape keeps that order, so the matrix with one row per channel is (Ci, H * W); "
    "a reshape straight to (H * W, Ci) scrambles them (a permute, not a reshape, moves the channels last).",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_pixels_scrambled(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    return (X.reshape(h * w, c_in) @ K.reshape(c_out, c_in).T).T.reshape(c_out, h, w)


@mistake(
    "corr2d_1x1",
    summary="broadcast multiply and sum instead of a matrix product",
    hint="Your values are right, but the exercise asks for the 1x1 convolution written as one "
    "matrix product (@ or torch.matmul), the point of the section.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_broadcast_sum(X, K):
    c_out, c_in = K.shape[:2]
    return (K.reshape(c_out, c_in, 1, 1) * X[None]).sum(dim=1)


@mistake(
    "corr2d_1x1",
    summary="reuses corr2d_multi_in_out (a loop over channels, no matrix product)",
    hint="The values are right, but no matrix product ran: the operations are those of a loop over "
    "the channels, as in corr2d_multi_in_out. The exercise asks for the same result as a single "
    "matrix product.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_reuses_multi_in_out(X, K):
    return corr2d_multi_in_out(X, K)


@mistake(
    "corr2d_1x1",
    summary="calls the built-in F.conv2d",
    hint="Write the 1x1 convolution as a matrix product yourself; F.conv2d is the reference it is checked against.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_builtin(X, K):
    return F.conv2d(X[None], K)[0]


@breaks("corr2d_1x1", "dtype")
def corr2d_1x1_float_matrices(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    return (K.reshape(c_out, c_in).float() @ X.reshape(c_in, h * w).float()).reshape(c_out, h, w)


@breaks("corr2d_1x1", "device")
def corr2d_1x1_result_on_default_device(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    Y = torch.empty(c_out, h, w, dtype=X.dtype)
    Y[:] = (K.reshape(c_out, c_in) @ X.reshape(c_in, h * w)).reshape(c_out, h, w)
    return Y


@breaks("corr2d_1x1", "differentiable")
def corr2d_1x1_kernel_through_numpy(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    W = torch.from_numpy(K.detach().cpu().numpy().reshape(c_out, c_in)).to(X.device)
    return (W @ X.reshape(c_in, h * w)).reshape(c_out, h, w)


@breaks("corr2d_1x1", "unchanged")
def corr2d_1x1_resizes_X(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    X.resize_(c_in, h * w)  # one row per channel
    return (K.reshape(c_out, c_in) @ X).reshape(c_out, h, w)


@breaks("corr2d_1x1", "from scratch")
def corr2d_1x1_conv1d(X, K):
    c_in, h, w = X.shape
    return F.conv1d(X.reshape(1, c_in, h * w), K[..., 0]).reshape(K.shape[0], h, w)


@breaks("corr2d_1x1", "non-square")
def corr2d_1x1_square_image(X, K):
    c_out, c_in = K.shape[:2]
    side = X.shape[-1]
    return (K.reshape(c_out, c_in) @ X.reshape(c_in, -1)).reshape(c_out, side, side)


# ---------------------------------------------------------------------------------------
# conv2d_num_params


@mistake(
    "conv2d_num_params",
    summary="forgets the bias",
    hint="With bias=True every output channel also has one bias value, and the count must "
    "include those as well as the weights.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_no_bias(in_channels, out_channels, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * (in_channels // groups) * kh * kw


@mistake(
    "conv2d_num_params",
    summary="counts one bias per input channel",
    hint="A bias is added to each output map, so there is one per output channel, not one per input channel.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_bias_per_input(in_channels, out_channels, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * (in_channels // groups) * kh * kw + (in_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="ignores groups",
    hint="With groups, each filter sees only in_channels / groups input channels, so the weight "
    "count shrinks by that factor.",
    section="ch05_channels#groups",
)
def conv2d_num_params_groups_ignored(in_channels, out_channels, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="divides both channel counts by groups",
    hint="Grouping shrinks what each filter sees (in_channels / groups channels), but there are "
    "still out_channels filters in total: divide only once.",
    section="ch05_channels#groups",
)
def conv2d_num_params_groups_twice(in_channels, out_channels, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return (out_channels // groups) * (in_channels // groups) * kh * kw + (out_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="does not square an int kernel_size",
    hint="An int kernel_size k means a k x k kernel: it has k * k weights per input channel, not k.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_int_not_squared(in_channels, out_channels, kernel_size, bias=True, groups=1):
    taps = kernel_size if isinstance(kernel_size, int) else kernel_size[0] * kernel_size[1]
    return out_channels * (in_channels // groups) * taps + (out_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="treats a (kh, kw) kernel_size as square, using kh for both sides",
    hint="A kernel_size pair (kh, kw) means kh rows and kw columns: the kernel has kh * kw weights per input channel.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_pair_as_square(in_channels, out_channels, kernel_size, bias=True, groups=1):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return out_channels * (in_channels // groups) * k * k + (out_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="returns the count as a float",
    hint="The counts came back as floats (1792.0 for 1792). The usual cause is true division /, "
    "which gives a float even when the division is exact (64 / 4 is 16.0): a count of parameters "
    "is an int, so divide with floor division //.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_float(in_channels, out_channels, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * (in_channels / groups) * kh * kw + (out_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="builds the layer, or tensors, to count its parameters",
    hint="Counting must not build the layer, nor any tensor: count the parameters yourself from the "
    "layer's arguments, with Python integer arithmetic (the weights of all kernels, plus the biases).",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_builds_module(in_channels, out_channels, kernel_size, bias=True, groups=1):
    layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups)
    return sum(p.numel() for p in layer.parameters())


@breaks("conv2d_num_params", "from scratch")
def conv2d_num_params_meta_layer(in_channels, out_channels, kernel_size, bias=True, groups=1):
    layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups, device="meta")
    return sum(p.numel() for p in layer.parameters())


@breaks("conv2d_num_params", "non-square")
def conv2d_num_params_last_side_squared(in_channels, out_channels, kernel_size, bias=True, groups=1):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[-1]
    return out_channels * (in_channels // groups) * k * k + (out_channels if bias else 0)


# ---------------------------------------------------------------------------------------
# linear_num_params


@mistake(
    "linear_num_params",
    summary="counts one bias per input feature",
    hint="nn.Linear adds a bias to each output, so there are out_features bias values, not in_features.",
    section="ch05_channels#counting-parameters",
)
def linear_num_params_bias_per_input(in_features, out_features, bias=True):
    return in_features * out_features + (in_features if bias else 0)


@mistake(
    "linear_num_params",
    summary="forgets the bias",
    hint="With bias=True each output feature has a bias value as well as its row of weights.",
    section="ch05_channels#counting-parameters",
)
def linear_num_params_no_bias(in_features, out_features, bias=True):
    return in_features * out_features


@mistake(
    "linear_num_params",
    summary="adds the feature counts instead of multiplying them",
    hint="Every output is connected to every input by its own weight, so the weight matrix has "
    "one entry per pair of an input and an output feature: count pairs, not features.",
    section="ch05_channels#counting-parameters",
)
def linear_num_params_adds_sizes(in_features, out_features, bias=True):
    return in_features + out_features + (out_features if bias else 0)


@mistake(
    "linear_num_params",
    summary="always counts the bias, even with bias=False",
    hint="bias=False means the layer has no bias at all: count only the weight matrix then.",
    section="ch05_channels#counting-parameters",
)
def linear_num_params_bias_always(in_features, out_features, bias=True):
    return in_features * out_features + out_features


@breaks("linear_num_params", "from scratch")
def linear_num_params_meta_layer(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias, device="meta")
    return sum(p.numel() for p in layer.parameters())


# ---------------------------------------------------------------------------------------
# corr2d_grouped


@mistake(
    "corr2d_grouped",
    summary="splits the channels by stride (X[g::groups]) instead of into contiguous blocks",
    hint="As in nn.Conv2d, each group is a block of Ci // groups consecutive channels (group 0 "
    "first, then group 1, and so on); taking every groups-th channel mixes channels of "
    "different groups.",
    section="ch05_channels#groups",
)
def corr2d_grouped_strided_split(X, K, groups):
    K_parts = K.split(K.shape[0] // groups)
    return torch.cat([corr2d_multi_in_out(X[g::groups], K_parts[g]) for g in range(groups)])


@mistake(
    "corr2d_grouped",
    summary="concatenates the groups' outputs in reverse order",
    hint="The output channels of group 0 come first, then those of group 1, and so on, in the order of K's first axis.",
    section="ch05_channels#groups",
)
def corr2d_grouped_reversed_groups(X, K, groups):
    parts = [corr2d_multi_in_out(x, k) for x, k in zip(X.chunk(groups), K.chunk(groups))]
    return torch.cat(parts[::-1])


@mistake(
    "corr2d_grouped",
    summary="computes every output group from the first block of input channels",
    hint="Every output channel was computed from the first Ci // groups input channels only: output "
    "group t must read its own block of Ci // groups channels of X, block t. Usual causes: ignoring "
    "groups (all of X handed to corr2d_multi_in_out, whose pairing of X's channels with K's stops "
    "after K's Ci // groups channels), or picking the same block of X for every group.",
    section="ch05_channels#groups",
)
def corr2d_grouped_groups_ignored(X, K, groups):
    return corr2d_multi_in_out(X, K)


@mistake(
    "corr2d_grouped",
    summary="calls the built-in F.conv2d",
    hint="Split the channels into groups and reuse your corr2d_multi_in_out; F.conv2d is the "
    "reference it is checked against.",
    section="ch05_channels#groups",
)
def corr2d_grouped_builtin(X, K, groups):
    return F.conv2d(X[None], K, groups=groups)[0]


@breaks("corr2d_grouped", "dtype")
def corr2d_grouped_float32_buffer(X, K, groups):
    per_in, per_out = X.shape[0] // groups, K.shape[0] // groups
    Y = torch.zeros(K.shape[0], X.shape[1] - K.shape[2] + 1, X.shape[2] - K.shape[3] + 1, device=X.device)
    for t in range(groups):
        Y[t * per_out : (t + 1) * per_out] = corr2d_multi_in_out(
            X[t * per_in : (t + 1) * per_in], K[t * per_out : (t + 1) * per_out]
        )
    return Y


@breaks("corr2d_grouped", "device")
def corr2d_grouped_buffer_on_default_device(X, K, groups):
    per_in, per_out = X.shape[0] // groups, K.shape[0] // groups
    Y = torch.zeros(K.shape[0], X.shape[1] - K.shape[2] + 1, X.shape[2] - K.shape[3] + 1, dtype=X.dtype)
    for t in range(groups):
        Y[t * per_out : (t + 1) * per_out] = corr2d_multi_in_out(
            X[t * per_in : (t + 1) * per_in], K[t * per_out : (t + 1) * per_out]
        )
    return Y


@breaks("corr2d_grouped", "differentiable")
def corr2d_grouped_numpy(X, K, groups):
    import numpy as np

    parts = [corr2d_multi_in_out(x, k).detach().cpu().numpy() for x, k in zip(X.chunk(groups), K.chunk(groups))]
    return torch.from_numpy(np.concatenate(parts)).to(X.device)


@breaks("corr2d_grouped", "unchanged")
def corr2d_grouped_resizes_X(X, K, groups):
    X.resize_(groups, X.shape[0] // groups, *X.shape[1:])  # X[t] is group t
    return torch.cat([corr2d_multi_in_out(X[t], k) for t, k in enumerate(K.chunk(groups))])


@breaks("corr2d_grouped", "from scratch")
def corr2d_grouped_layer(X, K, groups):
    layer = nn.Conv2d(X.shape[0], K.shape[0], tuple(K.shape[2:]), groups=groups, bias=False)
    layer.weight.data = K
    return layer(X[None])[0]


@breaks("corr2d_grouped", "non-square")
def corr2d_grouped_square_buffer(X, K, groups):
    per_in, per_out = X.shape[0] // groups, K.shape[0] // groups
    n = X.shape[1] - K.shape[2] + 1  # the side of each output map
    Y = torch.zeros(K.shape[0], n, n, dtype=X.dtype, device=X.device)
    for t in range(groups):
        Y[t * per_out : (t + 1) * per_out] = corr2d_multi_in_out(
            X[t * per_in : (t + 1) * per_in], K[t * per_out : (t + 1) * per_out]
        )
    return Y
