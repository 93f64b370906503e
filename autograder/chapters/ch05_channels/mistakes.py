"""Wrong answers to chapter 5's ``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_1x1``,
``conv2d_num_params``, ``linear_num_params`` and ``corr2d_grouped``.

In the notebook, ``corr2d`` comes from the imports cell (chapter 2's finished block) and
``corr2d_multi_in`` / ``corr2d_multi_in_out`` from the answer cells above; the imports
below only give those names a meaning here.
"""

import torch
import torch.nn.functional as F
from torch import nn

from autograder.chapters.ch05_channels.reference import corr2d_multi_in, corr2d_multi_in_out
from autograder.runtime.blocks import corr2d
from autograder.runtime.mistakes import mistake

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
    summary="adds into a float32 buffer whatever the input's dtype",
    hint="torch.zeros(...) is float32 by default, so float64 inputs lose precision and dtype; "
    "create the buffer with X's dtype and device, or start the sum from the first channel's "
    "map.",
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


# ---------------------------------------------------------------------------------------
# corr2d_1x1


@mistake(
    "corr2d_1x1",
    summary="loops over the output channels (one small product each)",
    hint="The values are right, but a loop over output channels runs more operations as Co "
    "grows; one matrix product can compute all output channels at once.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_output_loop(X, K):
    c_in, h, w = X.shape
    flat = X.reshape(c_in, h * w)
    return torch.stack([(K[o].reshape(1, c_in) @ flat).reshape(h, w) for o in range(K.shape[0])])


@mistake(
    "corr2d_1x1",
    summary="reshapes K as (Ci, Co) and transposes it",
    hint="K is laid out as (Co, Ci, 1, 1), so its (Co, Ci) matrix is a plain reshape; reshaping "
    "to (Ci, Co) first mixes up which weight belongs to which pair of channels.",
    section="ch05_channels#the--convolution",
)
def corr2d_1x1_kernel_transposed(X, K):
    c_out, c_in = K.shape[:2]
    h, w = X.shape[1:]
    return (K.reshape(c_in, c_out).T @ X.reshape(c_in, h * w)).reshape(c_out, h, w)


@mistake(
    "corr2d_1x1",
    summary="reshapes X as (H * W, Ci), which scrambles the pixels",
    hint="X is laid out as (Ci, H, W): a reshape keeps that order, so the matrix with one row per "
    "channel is (Ci, H * W); reshaping straight to (H * W, Ci) mixes values from different channels.",
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
    hint="corr2d_multi_in_out gives the right values but loops over the channels; the exercise "
    "asks for the same result as a single matrix product.",
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
    summary="divides by groups with /, which returns a float",
    hint="In Python 3, / always gives a float (64 / 4 is 16.0); a count of parameters is an "
    "int, so use floor division //.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_float(in_channels, out_channels, kernel_size, bias=True, groups=1):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * (in_channels / groups) * kh * kw + (out_channels if bias else 0)


@mistake(
    "conv2d_num_params",
    summary="builds an nn.Conv2d and counts its parameters",
    hint="The exercise is to count the parameters yourself from the layer's arguments, with "
    "Python arithmetic; building the layer is how the check finds the answer.",
    section="ch05_channels#counting-parameters",
)
def conv2d_num_params_builds_module(in_channels, out_channels, kernel_size, bias=True, groups=1):
    layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups)
    return sum(p.numel() for p in layer.parameters())


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
    summary="every group reads the first group of input channels",
    hint="Each group of filters reads its own block of input channels; check the index you use "
    "to pick the block of X inside the loop over groups.",
    section="ch05_channels#groups",
)
def corr2d_grouped_first_input_group(X, K, groups):
    per_in, per_out = X.shape[0] // groups, K.shape[0] // groups
    return torch.cat([corr2d_multi_in_out(X[:per_in], K[g * per_out : (g + 1) * per_out]) for g in range(groups)])


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
    summary="ignores groups (one multi-channel correlation over all of X)",
    hint="K has only Ci // groups input channels: each group of output channels sees only its own "
    "block of Ci // groups input channels, so split X and K into groups first.",
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
