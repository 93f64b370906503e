"""Hidden checks of chapter 4 (padding, stride and dilation), run at grading time: seeded grids
of sizes, random non-square and square inputs and kernels, pair arguments, edge cases, float64,
gradients and the stated properties, compared with the references of
:mod:`autograder.chapters.ch04_padding_stride.reference`."""

from functools import partial

import torch

from autograder.chapters.ch04_padding_stride import mistakes
from autograder.chapters.ch04_padding_stride import reference as ref
from autograder.chapters.ch04_padding_stride.checks import (
    NO_CONVOLUTION,
    NO_PADDING,
    assert_general,
    assert_general_properties,
    assert_pad2d,
    assert_pad2d_properties,
    assert_size,
    general_what,
)
from autograder.runtime import kit
from autograder.runtime.cases import Cases
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)


def _span(k: int, d: int) -> int:
    """Extent of a kernel of size ``k`` dilated by ``d`` along one axis."""
    return d * (k - 1) + 1


def _input_size(cases: Cases, span: int, pad: int, extra: int) -> int:
    """A random input length on which a kernel of extent ``span`` fits after padding ``pad``."""
    low = max(1, span - 2 * pad)
    return cases.size(low, low + extra)


# ---------------------------------------------------------------------------------------
# conv_output_size


def _fitting(cases: Cases, count: int, extra: int, *ranges: tuple[int, int]) -> list[tuple[int, ...]]:
    """``count`` random (n, k, padding, stride, dilation): the last four drawn from their ``ranges``,
    n such that the dilated kernel fits the padded input, with up to ``extra`` to spare."""
    drawn = []
    for _ in range(count):
        k, p, s, d = (cases.size(*bounds) for bounds in ranges)
        drawn.append((_input_size(cases, _span(k, d), p, extra), k, p, s, d))
    return drawn


def _size_plan(cases: Cases) -> list[tuple[str, list[tuple[int, int, int, int, int]]]]:
    """Groups of hidden cases (n, k, padding, stride, dilation), each with a description."""
    random_sizes = _fitting(cases, 12, 20, (1, 7), (0, 3), (1, 4), (1, 3))
    stride_beyond_kernel = []
    for _ in range(4):
        k, p = cases.size(1, 4), cases.size(0, 2)
        s = k + cases.size(1, 3)
        stride_beyond_kernel.append((cases.size(k + 1, 30), k, p, s, 1))
    padding_with_dilation = _fitting(cases, 4, 15, (2, 5), (1, 4), (1, 3), (2, 4))
    kernel_fills_input = []
    for _ in range(4):
        k, s, d = cases.size(2, 6), cases.size(1, 4), cases.size(1, 3)
        p = cases.size(0, min(2, (_span(k, d) - 1) // 2))
        kernel_fills_input.append((_span(k, d) - 2 * p, k, p, s, d))
    large = []
    for _ in range(4):
        k, p, s, d = cases.size(1, 11), cases.size(0, 5), cases.size(1, 8), cases.size(1, 4)
        large.append((cases.size(500, 100_000), k, p, s, d))
    return [
        ("random sizes, kernels, padding, stride and dilation", random_sizes),
        ("a stride larger than the kernel", stride_beyond_kernel),
        ("padding together with dilation", padding_with_dilation),
        ("a dilated kernel exactly as large as the padded input (output size 1)", kernel_fills_input),
        ("large inputs (n from 500 to 100000)", large),
    ]


def _tuple_case(cases: Cases, dims: int) -> tuple:
    """Random (n, k, padding, stride, dilation) for ``dims`` spatial dimensions, the kernel fitting
    the padded input along every axis; each argument but n a tuple or, at random, one int for all
    axes (n too when another argument is a tuple)."""
    per_axis = [_fitting(cases, 1, 12, (1, 5), (0, 2), (1, 3), (1, 2))[0] for _ in range(dims)]
    columns = [tuple(axis[i] for axis in per_axis) for i in range(5)]
    arguments = []
    for column in columns:
        arguments.append(column[0] if len(set(column)) == 1 and cases.size(0, 1) else column)
    if all(isinstance(a, int) for a in arguments):
        arguments[0] = columns[0]
    return tuple(arguments)


def _tuple_plan(cases: Cases) -> list[tuple[str, list[tuple]]]:
    """Groups of hidden cases with tuple arguments: 1-D, 2-D and 3-D, ints among the tuples."""
    groups = []
    for dims, layer in ((1, "nn.Conv1d"), (2, "nn.Conv2d"), (3, "nn.Conv3d")):
        groups.append(
            (
                f"tuples for {dims} spatial dimension{'s' * (dims > 1)} (the sizes of {layer})",
                [_tuple_case(cases, dims) for _ in range(5)],
            )
        )
    broadcast = []
    for dims in (2, 3, 2, 3):
        n, _, padding, stride, dilation = _tuple_case(cases, dims)
        n = n if isinstance(n, tuple) else (n,) * dims
        pads, dilations = (a if isinstance(a, tuple) else (a,) * dims for a in (padding, dilation))
        k = cases.size(1, 3)
        if any(d * (k - 1) + 1 > m + 2 * p for m, p, d in zip(n, pads, dilations)):
            k = 1
        broadcast.append((n, k, padding, stride, dilation))
    groups.append(("a tuple input with an int kernel size (broadcast to every dimension)", broadcast))
    return groups


@diagnosed
def grade_conv_output_size(conv_output_size) -> None:
    """Hidden checks of ``conv_output_size``: a seeded grid of sizes, stride beyond the kernel,
    padding with dilation, a kernel filling the padded input, large inputs; then tuple arguments
    for one, two and three spatial dimensions, ints broadcast among them."""
    cases = Cases()
    check = partial(assert_size, conv_output_size, ref.conv_output_size)
    kit.run_hidden(cases, kit.example_groups(_size_plan(cases) + _tuple_plan(cases), check))


# ---------------------------------------------------------------------------------------
# pad2d


@diagnosed
def grade_pad2d(pad2d) -> None:
    """Hidden checks of ``pad2d``: int and (ph, pw) paddings with ph != pw, a zero on one side,
    no padding at all, float64, a square input, the gradient and the stated properties."""
    cases = Cases()
    plan = []
    H, W = cases.distinct_sizes(2, 9)
    plan.append((H, W, cases.size(1, 3), torch.float32))
    H, W = cases.distinct_sizes(2, 9)
    plan.append((H, W, cases.distinct_sizes(1, 3), torch.float32))
    H, W = cases.distinct_sizes(2, 9)
    plan.append((H, W, (0, cases.size(1, 3)) if cases.size(0, 1) else (cases.size(1, 3), 0), torch.float32))
    H, W = cases.distinct_sizes(2, 9)
    plan.append((H, W, 0, torch.float32))
    H, W = cases.distinct_sizes(2, 9)
    plan.append((H, W, cases.distinct_sizes(1, 3), torch.float64))
    side = cases.size(2, 9)
    plan.append((side, side, cases.distinct_sizes(1, 3), torch.float32))
    hidden = [
        kit.Hidden(
            f"X {H}x{W} ({dtype}) with padding {padding!r}",
            partial(assert_pad2d, pad2d, ref.pad2d, cases.randn(H, W, dtype=dtype), padding, f"pad2d(X, {padding!r})"),
        )
        for H, W, padding, dtype in plan
    ]
    H, W = cases.distinct_sizes(2, 7)
    ph, pw = cases.distinct_sizes(1, 3)
    X = cases.randn(H, W, dtype=torch.float64)
    G = cases.randn(H + 2 * ph, W + 2 * pw, dtype=torch.float64)
    hidden.append(
        kit.gradient_case(
            f"the gradient for X {H}x{W} (float64) and padding ({ph}, {pw})",
            pad2d,
            ref.pad2d,
            (X, (ph, pw)),
            G,
            f"pad2d(X, ({ph}, {pw}))",
            ("X",),
            from_scratch=NO_PADDING,
        )
    )
    H, W = cases.distinct_sizes(2, 7)
    padding = cases.distinct_sizes(1, 3)
    hidden.append(
        kit.Hidden(
            f"the stated properties for X {H}x{W} and padding {padding!r}",
            partial(assert_pad2d_properties, pad2d, cases.randn(H, W), padding, f"pad2d(X, {padding!r})"),
        )
    )
    kit.run_hidden(cases, hidden)


# ---------------------------------------------------------------------------------------
# corr2d_general


def _general_case(
    cases: Cases, kernel, padding, stride, dilation, dtype, label: str, *, fill: bool = False, square: bool = False
):
    """Draw X for the kernel size and arguments (so that the kernel fits), and describe the case.

    With ``fill``, the padded input is exactly as large as the dilated kernel; with ``square``,
    X is square. Otherwise X is never square.
    """
    (kh, kw), (ph, pw), (dh, dw) = kernel, kit.as_pair(padding), kit.as_pair(dilation)
    if fill:
        H, W = _span(kh, dh) - 2 * ph, _span(kw, dw) - 2 * pw
    elif square:
        H = W = max(_input_size(cases, _span(kh, dh), ph, 8), _input_size(cases, _span(kw, dw), pw, 8))
    else:
        H, W = _input_size(cases, _span(kh, dh), ph, 8), _input_size(cases, _span(kw, dw), pw, 8)
        if W == H:
            W += 1
    inputs = (
        f"{label}: X {H}x{W} and K {kh}x{kw} ({dtype}), padding={padding!r}, stride={stride!r}, dilation={dilation!r}"
    )
    return cases.randn(H, W, dtype=dtype), cases.randn(kh, kw, dtype=dtype), padding, stride, dilation, inputs


def _general_plan(cases: Cases) -> list[tuple]:
    """Hidden cases of ``corr2d_general``: (X, K, padding, stride, dilation, description)."""
    f32, f64 = torch.float32, torch.float64
    plan = [
        _general_case(
            cases,
            cases.distinct_sizes(1, 4),
            cases.distinct_sizes(0, 2),
            cases.distinct_sizes(1, 3),
            cases.distinct_sizes(1, 3),
            f32,
            "different height and width values",
        ),
        _general_case(
            cases,
            cases.distinct_sizes(2, 5),
            cases.size(1, 2),
            cases.distinct_sizes(1, 3),
            1,
            f32,
            "an int padding and a (height, width) stride",
        ),
    ]
    kh, kw = cases.distinct_sizes(1, 3)
    stride = (kh + cases.size(1, 2), kw + cases.size(1, 2))
    plan.append(_general_case(cases, (kh, kw), cases.size(0, 1), stride, 1, f32, "a stride larger than the kernel"))
    plan.append(
        _general_case(
            cases,
            cases.distinct_sizes(2, 4),
            cases.distinct_sizes(1, 3),
            1,
            cases.size(2, 3),
            f32,
            "padding with dilation",
        )
    )
    kh, kw = cases.distinct_sizes(2, 4)
    dh, dw = cases.size(1, 2), cases.size(1, 2)
    padding = tuple(cases.size(0, min(1, (_span(k, d) - 1) // 2)) for k, d in ((kh, dh), (kw, dw)))
    plan.append(
        _general_case(
            cases,
            (kh, kw),
            padding,
            cases.size(1, 3),
            (dh, dw),
            f32,
            "a dilated kernel exactly as large as the padded input",
            fill=True,
        )
    )
    plan.append(
        _general_case(
            cases,
            cases.distinct_sizes(1, 4),
            cases.distinct_sizes(0, 2),
            cases.distinct_sizes(1, 3),
            cases.distinct_sizes(1, 2),
            f64,
            "float64",
        )
    )
    k = cases.size(2, 4)
    plan.append(
        _general_case(
            cases,
            (k, k),
            cases.size(0, 2),
            cases.size(1, 3),
            cases.size(1, 2),
            f32,
            "a square input and kernel",
            square=True,
        )
    )
    return plan


@diagnosed
def grade_corr2d_general(corr2d_general) -> None:
    """Hidden checks of ``corr2d_general``: random non-square inputs and kernels, pair arguments,
    stride beyond the kernel, padding with dilation, a kernel filling the padded input, float64,
    a square input and kernel, the gradient, and the stated properties (without padding, where an
    answer might work on X itself)."""
    cases = Cases()
    hidden = [
        kit.Hidden(inputs, partial(assert_general, corr2d_general, ref.corr2d_general, X, K, padding, stride, dilation))
        for X, K, padding, stride, dilation, inputs in _general_plan(cases)
    ]
    kernel, padding, stride, dilation = (
        cases.distinct_sizes(2, 3),
        cases.distinct_sizes(1, 2),
        cases.distinct_sizes(1, 2),
        cases.distinct_sizes(1, 2),
    )
    X, K, padding, stride, dilation, inputs = _general_case(
        cases, kernel, padding, stride, dilation, torch.float64, "the gradient with respect to X and K"
    )
    G = cases.randn(*ref.corr2d_general(X, K, padding, stride, dilation).shape, dtype=torch.float64)
    what = general_what(padding, stride, dilation)
    hidden.append(
        kit.gradient_case(
            inputs,
            corr2d_general,
            ref.corr2d_general,
            (X, K, padding, stride, dilation),
            G,
            what,
            ("X", "K"),
            from_scratch=NO_CONVOLUTION,
        )
    )
    kernel, stride, dilation = cases.distinct_sizes(2, 3), cases.distinct_sizes(1, 2), cases.distinct_sizes(1, 2)
    X, K, _, _, _, inputs = _general_case(cases, kernel, 0, stride, dilation, torch.float32, "the stated properties")
    hidden.append(kit.Hidden(inputs, partial(assert_general_properties, corr2d_general, X, K, 0, stride, dilation)))
    kit.run_hidden(cases, hidden)
