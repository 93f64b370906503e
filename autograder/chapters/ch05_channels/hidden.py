"""Hidden checks of chapter 5 (channels), run at grading time: random channel counts and
shapes from the grading seed (square and non-square inputs and kernels), float64, gradients,
the stated properties, matrix products and no loop on larger sizes, and parameter counts of
random and large layers, compared with the references of
:mod:`autograder.chapters.ch05_channels.reference`."""

from functools import partial

import torch

from autograder.chapters.ch05_channels import mistakes
from autograder.chapters.ch05_channels import reference as ref
from autograder.chapters.ch05_channels.checks import (
    FROM_SCRATCH,
    assert_1x1,
    assert_1x1_no_loop,
    assert_conv2d_count,
    assert_linear_count,
    assert_tensor_properties,
)
from autograder.runtime import kit
from autograder.runtime.cases import Cases
from autograder.runtime.compare import shape_text
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)


def _tensor_hidden(fn, name: str, reference, cases: Cases, items: list, gradient: tuple) -> None:
    """Run the hidden cases ``items`` ((args, inputs in words) each), then the gradient case
    ``gradient`` (args, labels of the tensor args, inputs in words), in float64, then the stated
    properties on the gradient case's inputs."""
    plan = [
        kit.Hidden(
            inputs, partial(kit.assert_result, fn, args, reference(*args), _what(name, args), from_scratch=FROM_SCRATCH)
        )
        for args, inputs in items
    ]
    args, labels, inputs = gradient
    G = cases.randn(*reference(*args).shape, dtype=torch.float64)
    plan.append(kit.gradient_case(inputs, fn, reference, args, G, _what(name, args), labels, from_scratch=FROM_SCRATCH))
    plan.append(_properties_case(fn, _what(name, args), args))
    kit.run_hidden(cases, plan)


def _properties_case(fn, what: str, args: tuple) -> kit.Hidden:
    """The hidden case that re-tests the stated properties (dtype, device, inputs unchanged,
    differentiable) on random inputs."""
    X, K = args[:2]
    return kit.Hidden(f"the stated properties for {_inputs(X, K)}", partial(assert_tensor_properties, fn, args, what))


def _square(cases: Cases) -> tuple[int, int, int, int]:
    """(H, W, kh, kw) of a square input (3x3 to 8x8) and a square kernel larger than 1x1."""
    n, k = cases.size(3, 8), cases.size(2, 3)
    return n, n, k, k


def _what(name: str, args) -> str:
    """``name(X, K)`` or ``name(X, K, groups=g)``: how the function was called."""
    return f"{name}(X, K)" if len(args) == 2 else f"{name}(X, K, groups={args[2]})"


def _inputs(X: torch.Tensor, K: torch.Tensor, extra: str = "") -> str:
    """Describe the inputs of a hidden case: shapes and dtype."""
    return f"X of shape {shape_text(X.shape)} and K of shape {shape_text(K.shape)}{extra} ({X.dtype})"


# ---------------------------------------------------------------------------------------
# corr2d_multi_in


def _multi_in_plan(cases: Cases) -> list:
    """(X, K) of random channel counts, H != W and kh != kw, one channel, a kernel as large as
    the input, a square input and kernel, float64."""
    shapes = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 10)
        kh, kw = cases.distinct_sizes(1, min(H, W))
        shapes.append((cases.size(2, 5), H, W, kh, kw, dtype))
    H, W = cases.distinct_sizes(3, 9)
    kh, kw = cases.distinct_sizes(1, min(H, W))
    shapes.append((1, H, W, kh, kw, torch.float32))
    H, W = cases.distinct_sizes(2, 6)
    shapes.append((cases.size(2, 4), H, W, H, W, torch.float32))
    shapes.append((cases.size(2, 4), *_square(cases), torch.float32))
    items = []
    for Ci, H, W, kh, kw, dtype in shapes:
        X, K = cases.randn(Ci, H, W, dtype=dtype), cases.randn(Ci, kh, kw, dtype=dtype)
        extra = " (the kernel as large as the input)" if (kh, kw) == (H, W) else ""
        items.append(((X, K), _inputs(X, K, extra)))
    return items


@diagnosed
def grade_corr2d_multi_in(corr2d_multi_in) -> None:
    """Hidden checks of ``corr2d_multi_in``: random channel counts (1 included), non-square and
    square inputs and kernels, a kernel as large as the input, float64, gradients, the stated
    properties."""
    cases = Cases()
    items = _multi_in_plan(cases)
    Ci = cases.size(2, 4)
    H, W = cases.distinct_sizes(4, 8)
    X, K = cases.randn(Ci, H, W, dtype=torch.float64), cases.randn(Ci, 2, 3, dtype=torch.float64)
    _tensor_hidden(
        corr2d_multi_in,
        "corr2d_multi_in",
        ref.corr2d_multi_in,
        cases,
        items,
        ((X, K), ("X", "K"), f"the gradient for {_inputs(X, K)}"),
    )


# ---------------------------------------------------------------------------------------
# corr2d_multi_in_out


@diagnosed
def grade_corr2d_multi_in_out(corr2d_multi_in_out) -> None:
    """Hidden checks of ``corr2d_multi_in_out``: Ci != Co (one input channel, one output
    channel), non-square and square inputs and kernels, a kernel as large as the input, float64,
    gradients, the stated properties."""
    cases = Cases()
    shapes = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        Ci, Co = cases.distinct_sizes(2, 5)
        H, W = cases.distinct_sizes(4, 9)
        shapes.append((Co, Ci, H, W, *cases.distinct_sizes(1, min(H, W)), dtype))
    H, W = cases.distinct_sizes(3, 8)
    shapes.append((cases.size(2, 4), 1, H, W, *cases.distinct_sizes(1, min(H, W)), torch.float32))
    H, W = cases.distinct_sizes(3, 8)
    shapes.append((1, cases.size(2, 4), H, W, *cases.distinct_sizes(1, min(H, W)), torch.float32))
    Ci, Co = cases.distinct_sizes(2, 4)
    H, W = cases.distinct_sizes(2, 5)
    shapes.append((Co, Ci, H, W, H, W, torch.float32))
    shapes.append((*cases.distinct_sizes(2, 4), *_square(cases), torch.float32))
    items = []
    for Co, Ci, H, W, kh, kw, dtype in shapes:
        X, K = cases.randn(Ci, H, W, dtype=dtype), cases.randn(Co, Ci, kh, kw, dtype=dtype)
        extra = " (the kernel as large as the input)" if (kh, kw) == (H, W) else ""
        items.append(((X, K), _inputs(X, K, extra)))
    Ci, Co = cases.distinct_sizes(2, 4)
    H, W = cases.distinct_sizes(4, 8)
    X, K = cases.randn(Ci, H, W, dtype=torch.float64), cases.randn(Co, Ci, 3, 2, dtype=torch.float64)
    _tensor_hidden(
        corr2d_multi_in_out,
        "corr2d_multi_in_out",
        ref.corr2d_multi_in_out,
        cases,
        items,
        ((X, K), ("X", "K"), f"the gradient for {_inputs(X, K)}"),
    )


# ---------------------------------------------------------------------------------------
# corr2d_1x1


@diagnosed
def grade_corr2d_1x1(corr2d_1x1) -> None:
    """Hidden checks of ``corr2d_1x1``: random Ci != Co (one input channel, one output channel),
    H != W and H == W, float64, gradients, the stated properties, a matrix product and no loop
    on larger sizes."""
    cases = Cases()
    shapes = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        Ci, Co = cases.distinct_sizes(2, 8)
        shapes.append((Co, Ci, *cases.distinct_sizes(2, 12), dtype))
    shapes.append((cases.size(2, 5), 1, *cases.distinct_sizes(2, 9), torch.float32))
    shapes.append((1, cases.size(2, 5), *cases.distinct_sizes(2, 9), torch.float32))
    side = cases.size(2, 9)
    shapes.append((*cases.distinct_sizes(2, 8), side, side, torch.float32))
    plan = []
    for Co, Ci, H, W, dtype in shapes:
        X, K = cases.randn(Ci, H, W, dtype=dtype), cases.randn(Co, Ci, 1, 1, dtype=dtype)
        check = partial(assert_1x1, corr2d_1x1, X, K, "corr2d_1x1(X, K)", ref.corr2d_1x1(X, K))
        plan.append(kit.Hidden(_inputs(X, K), check))
    Ci, Co = cases.distinct_sizes(2, 5)
    H, W = cases.distinct_sizes(3, 7)
    X, K = cases.randn(Ci, H, W, dtype=torch.float64), cases.randn(Co, Ci, 1, 1, dtype=torch.float64)
    G = cases.randn(Co, H, W, dtype=torch.float64)
    plan.append(
        kit.gradient_case(
            f"the gradient for {_inputs(X, K)}",
            corr2d_1x1,
            ref.corr2d_1x1,
            (X, K),
            G,
            "corr2d_1x1(X, K)",
            ("X", "K"),
            from_scratch=FROM_SCRATCH,
        )
    )
    plan.append(_properties_case(corr2d_1x1, "corr2d_1x1(X, K)", (X, K)))
    small = (cases.size(2, 3), cases.size(2, 3), cases.size(3, 5), cases.size(3, 5))
    large = tuple(size + cases.size(3, 8) for size in small)
    plan.append(
        kit.Hidden(
            "a small and a larger input, to count the operations",
            partial(assert_1x1_no_loop, corr2d_1x1, small, large, cases),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# conv2d_num_params and linear_num_params


def _grouped_channels(cases: Cases, groups: int, low: int, high: int) -> tuple[int, int]:
    """In and out channel counts that ``groups`` divides, different from each other."""
    a, b = cases.distinct_sizes(low, high)
    return groups * a, groups * b


def _conv2d_plan(cases: Cases) -> list[tuple[str, list[tuple]]]:
    """Groups of hidden cases (in_channels, out_channels, kernel_size, bias, groups)."""

    def channels():
        return cases.distinct_sizes(1, 96)

    square = [(*channels(), cases.size(1, 7), True, 1) for _ in range(5)]
    pairs = [(*channels(), cases.distinct_sizes(1, 7), True, 1) for _ in range(4)]
    grouped = []
    for _ in range(3):
        groups = cases.size(2, 8)
        grouped.append((*_grouped_channels(cases, groups, 1, 12), cases.size(1, 5), True, groups))
    for _ in range(2):
        Ci = cases.size(3, 64)
        grouped.append((Ci, Ci * cases.size(1, 3), cases.size(3, 5), True, Ci))
    no_bias = [
        (*channels(), cases.size(1, 7), False, 1),
        (*channels(), cases.distinct_sizes(1, 7), False, 1),
    ]
    groups = cases.size(2, 6)
    no_bias.append((*_grouped_channels(cases, groups, 1, 10), cases.distinct_sizes(1, 5), False, groups))
    large = [
        (*cases.distinct_sizes(256, 4096), cases.size(1, 11), True, 1),
        (*cases.distinct_sizes(256, 2048), cases.distinct_sizes(1, 7), cases.size(0, 1) == 1, 1),
        (*_grouped_channels(cases, 32, 8, 64), 3, True, 32),
    ]
    return [
        ("random channel counts and square kernels (an int kernel_size)", square),
        ("kernels with different height and width (a (kh, kw) kernel_size)", pairs),
        ("groups > 1 (groups dividing both channel counts, depthwise included)", grouped),
        ("bias=False", no_bias),
        ("large layers (hundreds to thousands of channels)", large),
    ]


@diagnosed
def grade_conv2d_num_params(conv2d_num_params) -> None:
    """Hidden checks of ``conv2d_num_params``: random channels, int and (kh, kw) kernel sizes,
    groups > 1 (depthwise too), bias=False, large layers."""
    cases = Cases()
    check = partial(assert_conv2d_count, conv2d_num_params, reference=ref.conv2d_num_params)
    kit.run_hidden(cases, kit.example_groups(_conv2d_plan(cases), check))


@diagnosed
def grade_linear_num_params(linear_num_params) -> None:
    """Hidden checks of ``linear_num_params``: random sizes with and without bias, one input or
    output feature, large layers."""
    cases = Cases()
    plan = [
        ("random sizes with bias", [(*cases.distinct_sizes(2, 500), True) for _ in range(4)]),
        ("random sizes without bias", [(*cases.distinct_sizes(2, 500), False) for _ in range(3)]),
        (
            "one input or one output feature",
            [
                (1, cases.size(2, 100), True),
                (cases.size(2, 100), 1, True),
                (cases.size(2, 100), 1, False),
            ],
        ),
        (
            "large layers",
            [
                (cases.size(10_000, 600_000), cases.size(512, 8192), True),
                (cases.size(512, 8192), cases.size(10_000, 100_000), cases.size(0, 1) == 1),
            ],
        ),
    ]
    check = partial(assert_linear_count, linear_num_params, reference=ref.linear_num_params)
    kit.run_hidden(cases, kit.example_groups(plan, check))


# ---------------------------------------------------------------------------------------
# corr2d_grouped


def _grouped_case(
    cases: Cases,
    groups: int,
    per_in: int,
    per_out: int,
    dtype: torch.dtype,
    label: str,
    *,
    fill: bool = False,
    square: bool = False,
):
    """((X, K, groups), inputs in words) with ``per_in`` input and ``per_out`` output channels per
    group; with ``fill`` a kernel as large as the input, with ``square`` a square input and kernel."""
    if square:
        H, W, kh, kw = _square(cases)
    else:
        H, W = cases.distinct_sizes(3, 8)
        kh, kw = (H, W) if fill else cases.distinct_sizes(1, min(H, W))
    X = cases.randn(groups * per_in, H, W, dtype=dtype)
    K = cases.randn(groups * per_out, per_in, kh, kw, dtype=dtype)
    return (X, K, groups), f"{label}: {_inputs(X, K, f', groups={groups}')}"


@diagnosed
def grade_corr2d_grouped(corr2d_grouped) -> None:
    """Hidden checks of ``corr2d_grouped``: one group, depthwise, groups in between, Ci != Co,
    non-square and square inputs and kernels, a kernel as large as the input, float64,
    gradients, the stated properties."""
    cases = Cases()
    f32, f64 = torch.float32, torch.float64
    per_in, per_out = cases.distinct_sizes(1, 4)
    items = [_grouped_case(cases, 1, per_in, per_out, f32, "one group")]
    items.append(_grouped_case(cases, cases.size(2, 5), 1, 1, f32, "depthwise (groups = Ci = Co)"))
    items.append(
        _grouped_case(
            cases,
            cases.size(2, 4),
            1,
            cases.size(2, 3),
            f32,
            "depthwise with several filters per channel (groups = Ci)",
        )
    )
    for dtype, label in ((f32, "groups between 1 and Ci"), (f64, "groups between 1 and Ci")):
        per_in, per_out = cases.distinct_sizes(2, 3)
        items.append(_grouped_case(cases, cases.size(2, 3), per_in, per_out, dtype, label))
    per_in, per_out = cases.distinct_sizes(1, 3)
    items.append(
        _grouped_case(cases, cases.size(2, 3), per_in, per_out, f32, "a kernel as large as the input", fill=True)
    )
    per_in, per_out = cases.distinct_sizes(1, 3)
    items.append(_grouped_case(cases, cases.size(2, 3), per_in, per_out, f32, "a square input and kernel", square=True))
    per_in, per_out = cases.distinct_sizes(2, 3)
    args, inputs = _grouped_case(cases, 2, per_in, per_out, f64, "the gradient")
    _tensor_hidden(corr2d_grouped, "corr2d_grouped", ref.corr2d_grouped, cases, items, (args, ("X", "K"), inputs))
