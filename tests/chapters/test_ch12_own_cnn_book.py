"""Chapter 12's book page (your own CNN): the worked example, the memory table, the answers of its
Check-yourself questions and the numbers it glues, recomputed with plain torch and arithmetic, so
that a wrong claim cannot come back unnoticed. The exercises' own tests are in test_ch12_own_cnn.py."""

import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from answers import namespace
from glued import glued_values
from torch import nn

from autograder.chapters.ch10_simple_cnn.data import Digits, digits_data, given
from autograder.chapters.ch12_own_cnn import reference as ref

ASSIGNMENT = "ch12_own_cnn"
PAGE = Path(__file__).resolve().parents[2] / "book" / f"{ASSIGNMENT}.md"
F64 = torch.float64


def _example():
    """Chapter 5's two-channel example, as the page builds it."""
    X = torch.stack([torch.arange(9.0), torch.arange(1.0, 10.0)]).reshape(1, 2, 3, 3)
    K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]]).reshape(1, 2, 2, 2)
    return X, K


def _bytes(shape, k, s, p):
    """Input and column bytes in float32, by the output-size formula alone."""
    N, C, H, W = shape
    L = ((H + 2 * p - k) // s + 1) * ((W + 2 * p - k) // s + 1)
    return 4 * N * C * H * W, 4 * N * C * k * k * L


# ---------------------------------------------------------------------------------------
# Section "im2col: a convolution as one matrix product"


def test_the_columns_of_the_worked_example_and_their_layout():
    """Column l is window l (row-major); row r = c * kh * kw + a * kw + b; the figure's values."""
    X, _ = _example()
    columns = ref.im2col(X, 2)
    assert columns.shape == (1, 8, 4)
    assert columns[0].T.tolist() == [
        [0, 1, 3, 4, 1, 2, 4, 5],
        [1, 2, 4, 5, 2, 3, 5, 6],
        [3, 4, 6, 7, 4, 5, 7, 8],
        [4, 5, 7, 8, 5, 6, 8, 9],
    ]
    for c, a, b in [(0, 0, 0), (0, 1, 0), (1, 0, 1), (1, 1, 1)]:
        for p, q in [(0, 0), (0, 1), (1, 0), (1, 1)]:
            assert columns[0, c * 4 + a * 2 + b, p * 2 + q] == X[0, c, p + a, q + b]


def test_the_product_is_chapter_5s_result_and_equals_conv2d():
    """The kernel rows times the columns: 56, 72, 104, 120 (chapter 5), and +20, +40 per added 1."""
    X, K = _example()
    K3 = torch.cat([K, K + 1, K + 2])
    Y = (K3.reshape(3, -1) @ ref.im2col(X, 2)).reshape(1, 3, 2, 2)
    assert Y[0].tolist() == [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]]
    assert torch.equal(Y, F.conv2d(X, K3))
    # the dot product the prose writes out
    assert 0 * 0 + 1 * 1 + 2 * 3 + 3 * 4 + 1 * 1 + 2 * 2 + 3 * 4 + 4 * 5 == 56


def test_im2col_check_yourself_answers():
    """(8, 3, 32, 32), 5x5, padding 2: (8, 75, 1024); row 7 is channel 1's bottom-right; 16 kernels:
    rows (16, 75), product (8, 16, 1024)."""
    X = torch.randn(8, 3, 32, 32)
    columns = ref.im2col(X, 5, padding=2)
    assert columns.shape == (8, 75, 1024)
    assert 1 * 4 + 1 * 2 + 1 == 7 == ref.im2col(_example()[0], 2).shape[1] - 1
    K = torch.randn(16, 3, 5, 5)
    Y = K.reshape(16, -1) @ columns
    assert K.reshape(16, -1).shape == (16, 75) and Y.shape == (8, 16, 1024)
    assert torch.allclose(Y.reshape(8, 16, 32, 32), F.conv2d(X, K, padding=2), atol=1e-4)


# ---------------------------------------------------------------------------------------
# Section "What the columns cost"


def test_the_reference_bytes_agree_with_unfold_and_the_formula():
    for shape, k, s, p in [((2, 3, 11, 9), 3, 1, 1), ((1, 2, 16, 16), 7, 2, 3), ((3, 4, 20, 18), 11, 4, 2)]:
        inputs, columns = ref.im2col_bytes(shape, k, s, p)
        assert (inputs, columns) == _bytes(shape, k, s, p)
        assert columns == 4 * F.unfold(torch.zeros(shape), k, padding=p, stride=s).numel()


def test_the_memory_table_and_its_prose():
    """Ratio 9 for every 3x3 layer with padding 1; AlexNet 7.29, ResNet 12.25; VGG-16's second layer:
    411 MB of input, 3.70 GB of columns, for 32 images; the digits' first layer 73,728 bytes."""
    for shape in [(32, 3, 32, 32), (32, 32, 16, 16), (32, 64, 8, 8)]:  # SimpleCNN's three convolutions
        inputs, columns = _bytes(shape, 3, 1, 1)
        assert columns == 9 * inputs
    image = (32, 3, 224, 224)
    alexnet, resnet = _bytes(image, 11, 4, 2), _bytes(image, 7, 2, 3)
    assert f"{alexnet[1] / alexnet[0]:.2f}" == "7.29" and resnet[1] / resnet[0] == 12.25
    vgg2 = _bytes((32, 64, 224, 224), 3, 1, 1)
    assert f"{vgg2[0] / 1e6:,.0f}" == "411" and f"{vgg2[1] / 1e9:.2f}" == "3.70"
    assert _bytes((32, 1, 8, 8), 3, 1, 1)[1] == 73_728


def test_memory_check_yourself_answers():
    """Stride 2 on 64x64: 2.25; a 1x1 convolution: 1 (the columns are the input); ResNet: 49 * 12544 / 50176."""
    inputs, columns = _bytes((1, 1, 64, 64), 3, 2, 1)
    assert columns / inputs == 2.25
    X = torch.randn(2, 5, 6, 7)
    assert torch.equal(F.unfold(X, 1), X.reshape(2, 5, 42))
    assert 112 * 112 == 12_544 and 49 * 12_544 / 50_176 == 12.25


# ---------------------------------------------------------------------------------------
# Section "How fast, and what cuDNN does instead", "Modules of your own"


def test_the_exact_facts_of_the_speed_section():
    """Winograd F(2x2, 3x3): 16 multiplications against 4 * 9 = 36 direct, 2.25 times fewer; the
    largest timed input's columns: 8 images, 16 channels, 128x128, 3x3: 75 MB."""
    assert 4 * 9 == 36 and 36 / 16 == 2.25
    assert (2 + 3 - 1) ** 2 == 16  # F(m x m, r x r) multiplies (m + r - 1)^2 transformed values
    assert f"{ref.im2col_bytes((8, 16, 128, 128), 3, 1, 1)[1] / 1e6:.0f}" == "75"


def test_the_modules_section_facts():
    """PReLU's parameter is `weight` (init 0.25); Linear and Conv2d initialise within 1/sqrt(fan_in);
    BatchNorm2d's parameters and buffers; Conv2d(1, 16, 3)'s state_dict."""
    assert [(n, p.tolist()) for n, p in nn.PReLU(2).named_parameters()] == [("weight", [0.25, 0.25])]
    for layer, fan_in in ((nn.Linear(128, 64), 128), (nn.Conv2d(16, 32, 3), 144)):
        for p in (layer.weight, layer.bias):
            assert p.abs().max() <= fan_in**-0.5
    bn = nn.BatchNorm2d(4)
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert bn.num_batches_tracked.dtype == torch.int64 and bn.num_batches_tracked.dim() == 0
    assert {k: tuple(v.shape) for k, v in nn.Conv2d(1, 16, 3).state_dict().items()} == {
        "weight": (16, 1, 3, 3),
        "bias": (16,),
    }


def test_the_page_glues_what_it_says():
    """Every number of the prose that comes from a computation is glued, not typed."""
    text = PAGE.read_text()
    glued = set(re.findall(r"\{glue:text\}`(ch12_[a-z0-9_]+)", text))
    assert glued >= {
        "ch12_example_out",
        "ch12_simple_ratio",
        "ch12_alexnet_ratio",
        "ch12_resnet_ratio",
        "ch12_vgg2_input_mb",
        "ch12_vgg2_cols_gb",
        "ch12_ratio_smallest",
        "ch12_ratio_largest",
        "ch12_largest_cols_mb",
        "ch12_conv_kernel",
        "ch12_prelu_gap",
        "ch12_gradients_gap",
        "ch12_own_accuracy",
        "ch12_twin_accuracy",
        "ch12_own_epoch_s",
        "ch12_twin_epoch_s",
        "ch12_epoch_ratio",
        "ch12_maps_gap",
    }
    assert set(re.findall(r'glue\("(ch12_[a-z0-9_]+)"', text)) >= glued


# ---------------------------------------------------------------------------------------
# The glued numbers, from the page's own cells


@pytest.fixture(scope="module")
def values():
    return glued_values(ASSIGNMENT)


@pytest.mark.slow
def test_the_glued_numbers(values):
    """The worked example, the memory table, the timings' direction, the gradient comparisons and the
    side-by-side training, as the page's cells compute them with the pinned PyTorch."""
    assert values["ch12_example_out"] == 56 and values["ch12_example_equal"] is True
    assert values["ch12_simple_ratio"] == 9
    assert f"{values['ch12_alexnet_ratio']:.2f}" == "7.29" and values["ch12_resnet_ratio"] == 12.25
    assert f"{values['ch12_vgg2_input_mb']:,.0f}" == "411" and f"{values['ch12_vgg2_cols_gb']:.2f}" == "3.70"
    assert f"{values['ch12_largest_cols_mb']:.0f}" == "75"
    # "took ... times as long as F.conv2d": im2col and the product are the slower route
    assert values["ch12_ratio_smallest"] > 1 and values["ch12_ratio_largest"] > 1
    if torch.backends.mkldnn.is_available():  # "PyTorch's CPU builds hand convolutions to oneDNN"
        assert values["ch12_conv_kernel"] == "aten::mkldnn_convolution"
    assert values["ch12_prelu_gap"] < 1e-12 and values["ch12_gradients_gap"] < 1e-12  # "rounding"
    # "a convolution's bias cannot change the loss, and its gradient is 0 up to rounding"
    assert values["ch12_conv_bias_grad"] < 1e-12 < 1e-3 < values["ch12_conv_weight_grad"]
    # "the two compute the same function ... differ only by the rounding of float32"
    assert values["ch12_own_accuracy"] >= 0.93 and values["ch12_twin_accuracy"] >= 0.93
    assert abs(values["ch12_own_accuracy"] - values["ch12_twin_accuracy"]) <= 0.02
    assert values["ch12_epoch_ratio"] > 1  # the own network is the slower one
    assert values["ch12_maps_gap"] < 0.5


# What batch norm makes irrelevant: the convolutions' biases and the running means that follow them.
BEFORE_BATCH_NORM = {"layer1.conv1.bias", "layer2.conv2.bias", "layer1.bn1.running_mean", "layer2.bn2.running_mean"}


@pytest.mark.slow
def test_the_two_networks_part_only_by_float32_rounding():
    """Section "Your network and the nn network": trained from the same weights on the same
    mini-batches in float64, the solution's OwnDigitsCNN and DigitsTwin stay together (so the
    float32 gap is rounding, amplified); in float32 the convolutions' biases part first."""
    solution = namespace(ASSIGNMENT)
    split = digits_data("cpu")
    split64 = Digits(split.X_train.double(), split.y_train, split.X_test.double(), split.y_test)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for dtype, data in ((F64, split64), (torch.float32, split)):
            torch.manual_seed(0)
            twin = ref.DigitsTwin().to(dtype)
            own = solution["OwnDigitsCNN"]().to(dtype)
            own.load_state_dict(twin.state_dict())
            with given(data):
                for model, train in ((own, solution["train_own_digits"]), (twin, ref.train_own_digits)):
                    torch.manual_seed(1)
                    train(model, 2, 0.01)
            gaps = {
                name: (mine - theirs).abs().max().item()
                for (name, mine), theirs in zip(own.state_dict().items(), twin.state_dict().values())
                if mine.is_floating_point()
            }
            others = max(gap for name, gap in gaps.items() if name not in BEFORE_BATCH_NORM)
            if dtype == F64:
                assert max(gaps.values()) < 1e-6 and others < 1e-10, gaps
            else:
                assert max(gaps[name] for name in BEFORE_BATCH_NORM) > 10 * others, gaps
    finally:
        torch.set_num_threads(threads)
