"""Chapter 7 (pooling): the references against PyTorch and the dtype of the indices. The generic
tests (messages, seeds, other correct answers, the course's references handed in, the hints'
sections, the stated properties and their variants) read the chapter's table,
tests/chapters/ch07_pooling.py."""

import math
from functools import partial

import pytest
import torch
from answers import answer_failure as failure  # (exercise, the answer itself, ...)
from answers import namespace as notebook_namespace
from torch import nn

from autograder.chapters.ch07_pooling import reference as ref

ASSIGNMENT = "ch07_pooling"
namespace = partial(notebook_namespace, ASSIGNMENT)  # (**sources by grade_id) -> the notebook's globals


# ---------------------------------------------------------------------------------------
# The references agree with PyTorch's modules and with the chapter's formulas.


def test_pool2d_reference_defaults_the_stride_to_the_kernel():
    """stride=None is the kernel size, as in nn.MaxPool2d and nn.AvgPool2d."""
    X = torch.randn(2, 3, 7, 9)
    assert torch.equal(ref.pool2d(X, (2, 3)), nn.MaxPool2d((2, 3))(X))
    assert torch.equal(ref.pool2d(X, 3, None, 1, "avg"), nn.AvgPool2d(3, padding=1)(X))
    with pytest.raises(ValueError, match="mode must be"):
        ref.pool2d(X, 2, mode="min")


def test_max_pooling_pads_with_minus_infinity():
    """On negative values, max pooling with padding only reports real values."""
    X = -1 - torch.arange(16.0).reshape(1, 1, 4, 4)
    Y = ref.pool2d(X, 2, padding=1)
    assert Y.max() < 0 and set(Y.flatten().tolist()) <= set(X.flatten().tolist())


def test_max_unpool_reference_matches_the_module():
    """The reference unpools like nn.MaxUnpool2d, with a (H, W) or a full output size."""
    X = torch.randn(2, 3, 7, 9)
    Y, indices = ref.max_pool_with_indices(X, (2, 3))
    expected = nn.MaxUnpool2d((2, 3))(Y, indices, output_size=X.shape)
    assert torch.equal(ref.max_unpool(Y, indices, (7, 9)), expected)
    assert torch.equal(ref.max_unpool(Y, indices, X.shape), expected)
    positive = X.abs() + 0.1  # pooling the unpooled plane gives Y back when no maximum is below 0
    Y, indices = ref.max_pool_with_indices(positive, (2, 3))
    assert torch.equal(nn.MaxPool2d((2, 3))(ref.max_unpool(Y, indices, (7, 9))), Y)


@pytest.mark.parametrize("n, out", [(5, 3), (7, 3), (10, 4), (12, 4), (6, 6), (9, 1), (13, 5)])
def test_adaptive_bins_follow_floor_and_ceil(n, out):
    """The windows measured on the built-in start at floor(i n / out) and end at ceil((i + 1) n / out)."""
    expected = [(math.floor(i * n / out), math.ceil((i + 1) * n / out)) for i in range(out)]
    assert ref.adaptive_bins(n, out) == expected


def test_adaptive_reference_matches_the_bins():
    """Adaptive average pooling is the mean over the windows of adaptive_bins."""
    X = torch.randn(2, 3, 7, 10, dtype=torch.float64)
    Y = ref.adaptive_avg_pool2d(X, (3, 4))
    for i, (r0, r1) in enumerate(ref.adaptive_bins(7, 3)):
        for j, (c0, c1) in enumerate(ref.adaptive_bins(10, 4)):
            torch.testing.assert_close(Y[:, :, i, j], X[:, :, r0:r1, c0:c1].mean(dim=(-2, -1)))


def test_avg_pool2d_reference_divisors():
    """The chapter's border example: 4/9 at the corners, 1 without the padding, 4/3 with divisor 3."""
    ones = torch.ones(1, 1, 3, 3)
    assert ref.avg_pool2d(ones, 3, 1, 1)[0, 0, 0, 0].item() == pytest.approx(4 / 9)
    assert torch.equal(ref.avg_pool2d(ones, 3, 1, 1, count_include_pad=False), ones)
    overridden = ref.avg_pool2d(torch.ones(1, 1, 4, 4), 2, divisor_override=3)
    assert torch.allclose(overridden, torch.full((1, 1, 2, 2), 4 / 3))


# ---------------------------------------------------------------------------------------
# Indices.


def test_wrong_index_dtype_is_named():
    """Indices that are not int64 fail with a message that says which dtype they must have."""
    solution = namespace()["max_pool_with_indices"]

    def int32_indices(X, kernel_size, stride=None):
        Y, indices = solution(X, kernel_size, stride)
        return Y, indices.int()

    assert "have dtype torch.int32; they must be torch.int64" in failure("max_pool_with_indices", int32_indices)
    assert "must return a pair (Y, indices)" in failure("max_pool_with_indices", lambda *args: solution(*args)[0])
