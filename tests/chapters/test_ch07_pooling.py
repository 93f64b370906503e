"""Chapter 7 (pooling): the references against PyTorch and the dtype of the indices. The generic
tests (messages, seeds, other correct answers, the course's references handed in, the hints'
sections, the stated properties and their variants) read the chapter's table,
tests/chapters/ch07_pooling.py."""

import math
from functools import partial

import pytest
import torch
import torch.nn.functional as F
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


# ---------------------------------------------------------------------------------------
# ceil_mode and dilation (issue 16).


@pytest.mark.parametrize("seed", range(4))
def test_pool2d_reference_ceil_mode_and_dilation_match_the_modules(seed):
    """The reference passes ceil_mode and dilation to PyTorch's modules, and refuses a dilated average."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(2, 3, 7, 9, generator=g)
    assert torch.equal(
        ref.pool2d(X, (2, 3), 2, 1, "max", True, (2, 1)), nn.MaxPool2d((2, 3), 2, 1, (2, 1), ceil_mode=True)(X)
    )
    assert torch.equal(ref.pool2d(X, 3, 2, 1, "avg", True), nn.AvgPool2d(3, 2, 1, ceil_mode=True)(X))
    with pytest.raises(ValueError, match="no dilation"):
        ref.pool2d(X, 2, mode="avg", dilation=2)


def test_chapter_ceil_mode_examples():
    """The chapter's 5x5 examples: ceil adds a third window per axis; with padding 1 the fourth is dropped;
    average pooling divides a window past the input by the cells it covers (2 at the border, 1 in the corner)."""
    X = torch.arange(25.0).reshape(1, 1, 5, 5)
    assert ref.pool2d(X, 2).shape[-2:] == (2, 2)
    assert ref.pool2d(X, 2, ceil_mode=True)[0, 0].tolist() == [[6, 8, 9], [16, 18, 19], [21, 23, 24]]
    avg = ref.pool2d(X, 2, mode="avg", ceil_mode=True)[0, 0]
    assert avg[0, 2].item() == 6.5 and avg[2, 0].item() == 20.5 and avg[2, 2].item() == 24
    assert ref.pool2d(X, 2, padding=1, ceil_mode=True).shape[-2:] == (3, 3)
    rounded_up = math.ceil((5 + 2 - 2) / 2) + 1
    assert rounded_up == 4 and (rounded_up - 1) * 2 >= 5 + 1  # the dropped window starts in the padding
    assert [ref.pool_output_size(5, 2, 2, p, 1, True) for p in (0, 1)] == [3, 3]


def test_chapter_dilation_example():
    """The first window of 2x2 max pooling with dilation 2 on the shuffled 5x5 grid reads 0, 14, 20, 9
    and reports 20, while 24 lies in its span."""
    S = (7 * torch.arange(25.0) % 25).reshape(1, 1, 5, 5)
    assert S[0, 0, ::2, ::2][:2, :2].flatten().tolist() == [0, 14, 20, 9]
    Y = ref.pool2d(S, 2, stride=1, dilation=2)
    assert Y.shape[-2:] == (3, 3) and Y[0, 0, 0, 0].item() == 20 and S[0, 0, :3, :3].max().item() == 24


# ---------------------------------------------------------------------------------------
# The chapter's measured numbers, recomputed with plain torch (issue 16: glued numbers).


def _portrait():
    import matplotlib.pyplot as plt
    from matplotlib import cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return torch.tensor(plt.imread(path), dtype=torch.float32) / 255


SOBEL = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])[None, None]


def test_share_of_pooled_values_a_one_pixel_shift_leaves_unchanged():
    """Section "Pooling and small shifts": max pooling keeps about a third (2x2) to a half (4x4) of
    its values, no pooling and average pooling hardly any."""
    gray = _portrait().mean(dim=2)[::2, ::2][None, None]
    maps = F.conv2d(gray, SOBEL).abs()
    shifted = F.conv2d(torch.roll(gray, 1, dims=3), SOBEL).abs()

    def same(k, pool):
        a, b = pool(maps, k), pool(shifted, k)
        return (a[..., 1:-1] == b[..., 1:-1]).float().mean().item()

    assert same(1, F.max_pool2d) < 0.01
    assert 0.30 < same(2, F.max_pool2d) < 0.37 and 0.5 < same(4, F.max_pool2d) < 0.6
    assert max(same(k, F.avg_pool2d) for k in (1, 2, 3, 4)) < 0.01


def test_pooling_absorbs_small_shifts_not_rotations():
    """Section "Shifts against rotations": 4x4 max pooling absorbs more than half of the change a
    one-pixel shift causes, and small rotations alike, but at 10 degrees the pooled map changes more
    than the unpooled one under a one-pixel shift, and at 45 degrees less than a quarter is absorbed."""
    import numpy as np
    from matplotlib import cbook

    with cbook.get_sample_data("s1045.ima.gz") as file:
        brain = torch.tensor(np.frombuffer(file.read(), np.uint16).reshape(256, 256).astype("float32"))
    portrait = _portrait().mean(dim=2)
    crops = [portrait[y : y + 128, x : x + 128] for y, x in [(60, 190), (250, 180), (420, 60), (420, 330)]]
    batch = torch.stack([*crops, brain[64:192, 64:192] / brain.max()])[:, None]

    def strength(images):
        gx = F.conv2d(images, SOBEL, padding=1)
        gy = F.conv2d(images, SOBEL.transpose(2, 3), padding=1)
        return (gx**2 + gy**2).sqrt()

    def rotate(images, degrees):
        c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
        theta = torch.tensor([[c, -s, 0.0], [s, c, 0.0]]).expand(len(images), 2, 3)
        return F.grid_sample(images, F.affine_grid(theta, images.shape, align_corners=False), align_corners=False)

    def change(moved, k):
        a, b = F.max_pool2d(strength(batch), k), F.max_pool2d(strength(moved), k)
        n = a.shape[-1]
        c = slice(n // 4, n - n // 4)
        a, b = a[..., c, c], b[..., c, c]
        return ((a - b).flatten(1).norm(dim=1) / a.flatten(1).norm(dim=1)).mean().item()

    shift1 = {k: change(torch.roll(batch, 1, dims=3), k) for k in (1, 4)}
    rot = {(k, a): change(rotate(batch, a), k) for k in (1, 4) for a in (0, 2, 10, 45)}
    assert rot[4, 0] < 1e-6
    assert 1 - shift1[4] / shift1[1] > 0.5
    assert rot[4, 2] < 0.3 and rot[4, 10] > shift1[1]
    assert 1 - rot[4, 45] / rot[1, 45] < 0.25
    assert rot[4, 45] > 0.75
