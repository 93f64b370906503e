"""Chapter 5 (channels): loops and matrix products in corr2d_1x1, integer counts (and answers
that build the layer they count), one explanation for an answer that ignores groups, the
finished blocks, the references. The generic tests (messages, seeds, other correct answers,
properties) read the chapter's table, tests/chapters/ch05_channels.py."""

import time
from functools import partial

import numpy as np
import pytest
import torch
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import namespace as notebook_namespace
from answers import with_answer

from autograder.chapters.ch05_channels import reference as ref

ASSIGNMENT = "ch05_channels"
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


def test_corr2d_1x1_pixel_loop_fails():
    """A matrix product per pixel is still a loop over the input."""
    source = """
def corr2d_1x1(X, K):
    c_in, h, w = X.shape
    W = K.flatten(1)
    columns = [W @ X[:, i, j] for i in range(h) for j in range(w)]
    return torch.stack(columns, dim=1).reshape(K.shape[0], h, w)
"""
    message = failure("corr2d_1x1", namespace(corr2d_1x1=source)["corr2d_1x1"])
    assert message is not None and "must not loop over the input" in message


@pytest.mark.parametrize(
    "value, phrase",
    [
        (1792.0, "returned 1792.0, a float"),
        (torch.tensor(1792), "returned a tensor"),
        (np.int64(1792), "of type numpy.int64; it must return a Python int (convert with int(...))"),
        (None, "returned None: did you forget the return statement?"),
        (True, "returned True, a bool"),
        ("1792", "of type str"),
    ],
)
def test_non_int_counts_are_rejected(value, phrase):
    """A count that is not a Python int fails with a message that says what it is."""
    message = failure("conv2d_num_params", lambda *args: value)
    assert message is not None and phrase in message, message


@pytest.mark.parametrize(
    "expression, phrase",
    [
        (
            "torch.tensor(weights + biases)",
            "conv2d_num_params(in_channels=3, out_channels=64, kernel_size=3, bias=True, groups=1) returned a "
            "tensor (tensor(1792)); it must return a Python int, computed with integer arithmetic on the arguments "
            "(no tensors).",
        ),
        (
            "torch.tensor(weights + biases).item()",
            "groups=1) built a layer or tensors to count the parameters: counting must not build the layer",
        ),
    ],
)
def test_counts_through_tensors_are_told_in_plain_words(expression, phrase):
    """A count returned as a tensor, or computed through one, is told so without PyTorch's names
    for the operations it ran."""
    source = (
        "def conv2d_num_params(in_channels, out_channels, kernel_size, bias=True, groups=1):\n"
        "    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size\n"
        "    weights = out_channels * (in_channels // groups) * kh * kw\n"
        "    biases = out_channels if bias else 0\n"
        f"    return {expression}\n"
    )
    message = failure("conv2d_num_params", with_answer("conv2d_num_params", source)["conv2d_num_params"])
    assert phrase in message, message
    assert "lift_fresh" not in message and "tensor operations" not in message, message


@pytest.mark.parametrize("kind", [0, 1])
def test_building_the_layer_to_count_is_refused_on_a_small_layer_first(kind):
    """An answer that builds the nn.Linear it counts fails on a small layer, before the checks reach
    the chapter's 616-million-weight example (seconds and gigabytes): each check stays fast."""
    source = (
        "from torch import nn\n\n"
        "def linear_num_params(in_features, out_features, bias=True):\n"
        "    return sum(p.numel() for p in nn.Linear(in_features, out_features, bias=bias).parameters())\n"
    )
    answer = with_answer("linear_num_params", source)["linear_num_params"]
    start = time.process_time()
    message = failure("linear_num_params", answer, kinds=(kind,))
    assert time.process_time() - start < 1.0
    assert "bias=True) built a layer or tensors to count the parameters: counting must not build the layer" in message


@pytest.mark.parametrize(
    "body",
    [
        "    return corr2d_multi_in_out(X, K)\n",
        "    per_in, per_out = X.shape[0] // groups, K.shape[0] // groups\n"
        "    return torch.cat([corr2d_multi_in_out(X[:per_in], k) for k in K.split(per_out)])\n",
    ],
    ids=["groups ignored", "first block for every group"],
)
def test_reading_the_first_block_for_every_group_gets_one_explanation(body):
    """Ignoring groups and reading the same block for every group compute the same thing: the
    message explains it once, by its effect."""
    source = f"def corr2d_grouped(X, K, groups):\n{body}"
    message = failure("corr2d_grouped", with_answer("corr2d_grouped", source)["corr2d_grouped"])
    assert message.count("Hint: ") == 1, message
    assert "Hint: Every output channel was computed from the first Ci // groups input channels only" in message


def test_count_checks_use_the_defaults():
    """The visible checks call conv2d_num_params and linear_num_params without bias and groups too."""

    def conv_wrong_defaults(in_channels, out_channels, kernel_size, bias=False, groups=1):
        return namespace()["conv2d_num_params"](in_channels, out_channels, kernel_size, bias, groups)

    def linear_wrong_default(in_features, out_features, bias=False):
        return namespace()["linear_num_params"](in_features, out_features, bias)

    assert "(default bias and groups) returned 1728, expected 1792" in failure("conv2d_num_params", conv_wrong_defaults)
    assert "(default bias) returned 7840, expected 7850" in failure("linear_num_params", linear_wrong_default)


def test_finished_block_is_allowed_but_the_reference_is_not():
    """Students may build on autograder.runtime.blocks.corr2d; handing in the reference earns nothing."""
    names = namespace()
    assert failure("corr2d_multi_in", names["corr2d_multi_in"]) is None
    message = failure("corr2d_multi_in", ref.corr2d_multi_in)
    assert "called the course's own implementation (reference.corr2d_multi_in)" in message


def test_reference_counts_match_the_formulas():
    """The references count what the chapter says: Co * (Ci / g) * kh * kw (+ Co), out * in (+ out)."""
    assert ref.conv2d_num_params(3, 64, 3) == 1792
    assert ref.conv2d_num_params(2, 3, (3, 5)) == 93
    assert ref.conv2d_num_params(64, 128, 3, groups=4) == 128 * 16 * 9 + 128
    assert ref.conv2d_num_params(32, 32, 3, bias=False, groups=32) == 288
    assert ref.linear_num_params(224 * 224 * 3, 4096) == 616_566_784
    assert ref.linear_num_params(10, 5, bias=False) == 50


# ---------------------------------------------------------------------------------------
# The chapter's computed numbers (issue 16: glued in the prose), recomputed with the reference.


def test_counting_parameters_numbers():
    """Section "Counting parameters": on 224x224x3 images a 3x3 layer with 64 channels has 1,792
    parameters (1,728 weights, 64 * 27 products per pixel), a fully connected layer with an output of
    the same size 483 billion (about 1.9 TB of float32), one with 4096 outputs 617 million."""
    n_in = 3 * 224 * 224
    conv = ref.conv2d_num_params(3, 64, 3)
    fc_image = ref.linear_num_params(n_in, 64 * 224 * 224)
    assert conv == 1792 and conv - 64 == 1728 == 64 * 27
    assert round(fc_image / 1e9) == 483 and round(4 * fc_image / 1e12, 1) == 1.9
    assert round(ref.linear_num_params(n_in, 4096) / 1e6) == 617


def test_group_shares():
    """Section "Counting parameters": the depthwise layer keeps 1.7 % of a 64 -> 64 3x3 layer's
    parameters, the depthwise-separable pair 13 %."""
    full = ref.conv2d_num_params(64, 64, 3)
    depthwise = ref.conv2d_num_params(64, 64, 3, groups=64)
    pointwise = ref.conv2d_num_params(64, 64, 1)
    assert f"{depthwise / full:.1%}" == "1.7%" and f"{(depthwise + pointwise) / full:.0%}" == "13%"


def test_init_bound_and_photo_sizes():
    """Section "nn.Conv2d": 1 / sqrt(30) is 0.183; section "The channels of a photograph": every third
    row and column of the portrait is 200 x 171, and its 5x5 feature maps are 196 x 167."""
    import matplotlib.pyplot as plt
    from matplotlib import cbook

    assert f"{30**-0.5:.3f}" == "0.183"
    rgb = plt.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))[::3, ::3]
    assert rgb.shape[:2] == (200, 171)
    photo = torch.zeros(1, 3, *rgb.shape[:2])
    assert torch.nn.functional.conv2d(photo, torch.zeros(6, 3, 5, 5)).shape[-2:] == (196, 167)


def test_worked_examples_of_the_text():
    """The hand-computed examples: the two-channel result [[56, 72], [104, 120]] and the 1x1 pixel (1, 0)."""
    X = torch.stack([torch.arange(9.0).reshape(3, 3), torch.arange(1.0, 10.0).reshape(3, 3)])
    K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    assert ref.corr2d_multi_in(X, K).tolist() == [[56, 72], [104, 120]]
    X1 = torch.arange(18.0).reshape(3, 2, 3)
    assert (X1[:, 1, 0] * torch.tensor([1.0, 1.0, 1.0])).sum() == 27
    assert (X1[:, 1, 0] * torch.tensor([1.0, 0.0, -1.0])).sum() == -12
