"""Checks of chapter 4 (padding, stride and dilation): ``conv_output_size``, ``pad2d``, ``corr2d_general``.

``conv_output_size`` returns a Python int, compared exactly; the tensor exercises are
compared with the references of :mod:`autograder.chapters.ch04_padding_stride.reference`. ``pad2d`` must not
call a padding built-in (``F.pad``); ``corr2d_general`` must not call a convolution
built-in, but may pad with ``F.pad`` (the intended path is the student's own ``pad2d``).
"""

from functools import partial

import torch

from autograder.chapters.ch04_padding_stride import mistakes
from autograder.chapters.ch04_padding_stride import reference as ref
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

NO_CONVOLUTION = ("convolution",)
NO_PADDING = ("padding",)


def _span(k: int, d: int) -> int:
    """Extent of a kernel of size ``k`` dilated by ``d`` along one axis."""
    return d * (k - 1) + 1


def _input_size(cases: Cases, span: int, pad: int, extra: int) -> int:
    """A random input length on which a kernel of extent ``span`` fits after padding ``pad``."""
    low = max(1, span - 2 * pad)
    return cases.size(low, low + extra)


# ---------------------------------------------------------------------------------------
# conv_output_size


def _size_what(n: int, k: int, padding: int, stride: int, dilation: int) -> str:
    return f"conv_output_size(n={n}, k={k}, padding={padding}, stride={stride}, dilation={dilation})"


def _assert_size(
    conv_output_size, n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1, *, defaults: bool = False
) -> None:
    """``conv_output_size`` returns exactly the int the reference gives (with ``defaults``,
    called as ``conv_output_size(n, k)`` so that its default arguments are used)."""
    expected = ref.conv_output_size(n, k, padding, stride, dilation)
    if defaults:
        what = f"conv_output_size(n={n}, k={k}) (default padding, stride and dilation)"
        got, _ = call(conv_output_size, n, k, what=what, from_scratch=NO_CONVOLUTION)
    else:
        what = _size_what(n, k, padding, stride, dilation)
        got, _ = call(conv_output_size, n, k, padding, stride, dilation, what=what, from_scratch=NO_CONVOLUTION)
    kit.assert_int(got, expected, what, kit.OUTPUT_SIZE)


# The chapter's examples: (n, k, padding, stride, dilation).
SIZE_EXAMPLES = [
    (8, 3, 1, 1, 1),  # 3x3 kernel with padding 1 keeps 8
    (8, 5, 2, 1, 1),  # 5-wide kernel with padding 2 keeps 8
    (8, 3, 1, 2, 1),  # stride 2 halves 8 to 4
    (8, 3, 0, 3, 1),  # the (3, 4)-stride example, height: 2
    (8, 5, 1, 4, 1),  # the (3, 4)-stride example, width: 2
    (7, 3, 1, 2, 1),  # 7 with stride 2: 4 (floor, not round)
    (7, 3, 0, 1, 2),  # dilation 2: the 3x3 kernel spans 5, output 3
    (9, 3, 2, 1, 2),  # padding 2 with dilation 2 keeps 9
]


@diagnosed
def check_conv_output_size(conv_output_size) -> None:
    """Visible checks of ``conv_output_size``: the defaults and the chapter's examples."""
    _assert_size(conv_output_size, 8, 3, defaults=True)
    for example in SIZE_EXAMPLES:
        _assert_size(conv_output_size, *example)


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


@diagnosed
def grade_conv_output_size(conv_output_size) -> None:
    """Hidden checks of ``conv_output_size``: a seeded grid of sizes, stride beyond the kernel,
    padding with dilation, a kernel filling the padded input, large inputs."""
    cases = Cases()
    kit.run_hidden(cases, kit.example_groups(_size_plan(cases), partial(_assert_size, conv_output_size)))


# ---------------------------------------------------------------------------------------
# pad2d


def _assert_pad2d(pad2d, X: torch.Tensor, padding, what: str, expected: torch.Tensor | None = None) -> None:
    """``pad2d(X, padding)`` matches the reference (or ``expected``), without a padding built-in."""
    expected = ref.pad2d(X, padding) if expected is None else expected
    kit.assert_result(pad2d, (X, padding), expected, what, from_scratch=NO_PADDING)


@diagnosed
def check_pad2d(pad2d) -> None:
    """Visible checks of ``pad2d``: an int padding with its known answer, then a (ph, pw) pair."""
    X = kit.on_device([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    expected = kit.on_device(
        [
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 2.0, 3.0, 0.0],
            [0.0, 4.0, 5.0, 6.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
        ]
    )
    _assert_pad2d(pad2d, X, 1, "pad2d(X, 1) with X = [[1, 2, 3], [4, 5, 6]]", expected)
    X = kit.numbers(3, 4, shift=-1.0)
    _assert_pad2d(
        pad2d, X, (2, 1), "pad2d(X, (2, 1)) with X = 1..12 as 3x4 (2 rows above and below, 1 column left and right)"
    )


@diagnosed
def grade_pad2d(pad2d) -> None:
    """Hidden checks of ``pad2d``: int and (ph, pw) paddings with ph != pw, a zero on one side,
    no padding at all, float64, and the gradient."""
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
    hidden = [
        kit.Hidden(
            f"X {H}x{W} ({dtype}) with padding {padding!r}",
            partial(_assert_pad2d, pad2d, cases.randn(H, W, dtype=dtype), padding, f"pad2d(X, {padding!r})"),
        )
        for H, W, padding, dtype in plan
    ]
    H, W = cases.distinct_sizes(2, 7)
    ph, pw = cases.distinct_sizes(1, 3)
    X = cases.randn(H, W, dtype=torch.float64)
    G = cases.randn(H + 2 * ph, W + 2 * pw, dtype=torch.float64)
    hidden.append(
        kit.Hidden(
            f"the gradient for X {H}x{W} (float64) and padding ({ph}, {pw})",
            partial(
                kit.assert_gradients_match,
                pad2d,
                ref.pad2d,
                (X, (ph, pw)),
                G,
                f"pad2d(X, ({ph}, {pw}))",
                ("X",),
                from_scratch=NO_PADDING,
            ),
        )
    )
    kit.run_hidden(cases, hidden)


# ---------------------------------------------------------------------------------------
# corr2d_general


def _general_what(padding, stride, dilation) -> str:
    return f"corr2d_general(X, K, padding={padding!r}, stride={stride!r}, dilation={dilation!r})"


def _assert_general(
    corr2d_general, X, K, padding, stride, dilation, context: str = "", expected: torch.Tensor | None = None
) -> None:
    """``corr2d_general`` matches the reference (or ``expected``), without a convolution built-in."""
    if expected is None:
        expected = ref.corr2d_general(X, K, padding, stride, dilation)
    what = _general_what(padding, stride, dilation) + (f" {context}" if context else "")
    kit.assert_result(corr2d_general, (X, K, padding, stride, dilation), expected, what, from_scratch=NO_CONVOLUTION)


@diagnosed
def check_corr2d_general(corr2d_general) -> None:
    """Visible checks of ``corr2d_general``: the chapter's examples (padding, stride, dilation)."""
    X, K = kit.numbers(3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])
    example = "on the chapter's example (X = 0..8 as 3x3, K = [[0, 1], [2, 3]])"
    padded = kit.on_device(
        [[0.0, 3.0, 8.0, 4.0], [9.0, 19.0, 25.0, 10.0], [21.0, 37.0, 43.0, 16.0], [6.0, 7.0, 8.0, 0.0]]
    )
    _assert_general(corr2d_general, X, K, 1, 1, 1, example, padded)
    _assert_general(corr2d_general, X, K, 1, (3, 2), 1, example, kit.on_device([[0.0, 8.0], [6.0, 8.0]]))
    X = kit.numbers(8, 8, modulo=7)
    eight = "with X 8x8 (0..63 mod 7)"
    K = kit.on_device([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 3.0]])
    _assert_general(corr2d_general, X, K, 1, 1, 1, f"{eight} and a 3x3 K (output 8x8)")
    _assert_general(corr2d_general, X, kit.numbers(5, 3, shift=7.0), (2, 1), 1, 1, f"{eight} and a 5x3 K (output 8x8)")
    _assert_general(corr2d_general, X, K, 1, 2, 1, f"{eight} and a 3x3 K (output 4x4)")
    K = kit.numbers(3, 5, modulo=4, shift=1.0)
    _assert_general(corr2d_general, X, K, (0, 1), (3, 4), 1, f"{eight} and a 3x5 K (output 2x2)")
    X, K = kit.numbers(5, 7, modulo=6), kit.on_device([[0.0, 1.0], [2.0, 3.0]])
    _assert_general(corr2d_general, X, K, 0, 1, 2, "with X 5x7 (0..34 mod 6), K = [[0, 1], [2, 3]] (output 3x5)")


def _general_case(cases: Cases, kernel, padding, stride, dilation, dtype, label: str, *, fill: bool = False):
    """Draw X for the kernel size and arguments (so that the kernel fits), and describe the case.

    With ``fill``, the padded input is exactly as large as the dilated kernel.
    """
    (kh, kw), (ph, pw), (dh, dw) = kernel, kit.as_pair(padding), kit.as_pair(dilation)
    if fill:
        H, W = _span(kh, dh) - 2 * ph, _span(kw, dw) - 2 * pw
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
    return plan


@diagnosed
def grade_corr2d_general(corr2d_general) -> None:
    """Hidden checks of ``corr2d_general``: random non-square inputs and kernels, pair arguments,
    stride beyond the kernel, padding with dilation, a kernel filling the padded input, float64,
    and the gradient."""
    cases = Cases()
    hidden = [
        kit.Hidden(inputs, partial(_assert_general, corr2d_general, X, K, padding, stride, dilation))
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
    what = _general_what(padding, stride, dilation)
    hidden.append(
        kit.Hidden(
            inputs,
            partial(
                kit.assert_gradients_match,
                corr2d_general,
                ref.corr2d_general,
                (X, K, padding, stride, dilation),
                G,
                what,
                ("X", "K"),
                from_scratch=NO_CONVOLUTION,
            ),
        )
    )
    kit.run_hidden(cases, hidden)
