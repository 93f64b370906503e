"""Checks of chapter 4 (padding, stride and dilation): ``conv_output_size``, ``pad2d``, ``corr2d_general``.

``conv_output_size`` returns a Python int, compared exactly; the tensor exercises are
compared with the references of :mod:`autograder.chapters.ch04_padding_stride.reference`. ``pad2d`` must not
call a padding built-in (``F.pad``); ``corr2d_general`` must not call a convolution
built-in, but may pad with ``F.pad`` (the intended path is the student's own ``pad2d``).
"""

import torch

from autograder.chapters.ch04_padding_stride import mistakes
from autograder.chapters.ch04_padding_stride import reference as ref
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser
from autograder.runtime.hidden import hidden_case
from autograder.runtime.kit import assert_gradients_match, assert_result, int_problem

diagnosed = Diagnoser(mistakes, ref)

NO_CONVOLUTION = ("convolution",)
NO_PADDING = ("padding",)


def _pair(value) -> tuple[int, int]:
    """An int or a (height, width) pair as a pair."""
    return (value, value) if isinstance(value, int) else tuple(value)


def _span(k: int, d: int) -> int:
    """Extent of a kernel of size ``k`` dilated by ``d`` along one axis."""
    return d * (k - 1) + 1


# ---------------------------------------------------------------------------------------
# conv_output_size


def size_problem(value) -> str | None:
    """Why ``value`` is not an acceptable size (a Python int), or None when it is one."""
    return int_problem(
        value,
        quantity="the output size",
        float_advice="True division / always gives a float: use floor division // instead.",
        tensor_advice=". Compute the size with Python integers, not tensors.",
    )


def _size_what(n: int, k: int, padding: int, stride: int, dilation: int) -> str:
    return f"conv_output_size(n={n}, k={k}, padding={padding}, stride={stride}, dilation={dilation})"


def _assert_size(conv_output_size, n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1,
                 *, defaults: bool = False) -> None:
    """``conv_output_size`` returns exactly the int the reference gives (with ``defaults``,
    called as ``conv_output_size(n, k)`` so that its default arguments are used)."""
    expected = ref.conv_output_size(n, k, padding, stride, dilation)
    if defaults:
        what = f"conv_output_size(n={n}, k={k}) (default padding, stride and dilation)"
        got, _ = call(conv_output_size, n, k, what=what, from_scratch=NO_CONVOLUTION)
    else:
        what = _size_what(n, k, padding, stride, dilation)
        got, _ = call(conv_output_size, n, k, padding, stride, dilation, what=what, from_scratch=NO_CONVOLUTION)
    problem = size_problem(got)
    if problem is not None:
        raise CheckFailure(f"{what} {problem}")
    if got != expected:
        raise CheckFailure(f"{what} returned {got}, expected {expected}.")


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


def _size_plan(cases: Cases) -> list[tuple[str, list[tuple[int, int, int, int, int]]]]:
    """Groups of hidden cases (n, k, padding, stride, dilation), each with a description."""
    random_sizes = []
    for _ in range(12):
        k, p, s, d = cases.size(1, 7), cases.size(0, 3), cases.size(1, 4), cases.size(1, 3)
        low = max(1, _span(k, d) - 2 * p)
        random_sizes.append((cases.size(low, low + 20), k, p, s, d))
    stride_beyond_kernel = []
    for _ in range(4):
        k, p = cases.size(1, 4), cases.size(0, 2)
        s = k + cases.size(1, 3)
        stride_beyond_kernel.append((cases.size(k + 1, 30), k, p, s, 1))
    padding_with_dilation = []
    for _ in range(4):
        k, p, s, d = cases.size(2, 5), cases.size(1, 4), cases.size(1, 3), cases.size(2, 4)
        low = max(1, _span(k, d) - 2 * p)
        padding_with_dilation.append((cases.size(low, low + 15), k, p, s, d))
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
    plan = _size_plan(cases)
    for number, (label, examples) in enumerate(plan, start=1):
        with hidden_case(cases, number, len(plan), f"{label} ({len(examples)} cases)"):
            for example in examples:
                _assert_size(conv_output_size, *example)


# ---------------------------------------------------------------------------------------
# pad2d


def _assert_pad2d(pad2d, X: torch.Tensor, padding, what: str, expected: torch.Tensor | None = None) -> None:
    """``pad2d(X, padding)`` matches the reference (or ``expected``), without a padding built-in."""
    expected = ref.pad2d(X, padding) if expected is None else expected
    assert_result(pad2d, (X, padding), expected, what, from_scratch=NO_PADDING)


@diagnosed
def check_pad2d(pad2d) -> None:
    """Visible checks of ``pad2d``: an int padding with its known answer, then a (ph, pw) pair."""
    X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device=device())
    expected = torch.tensor([
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 2.0, 3.0, 0.0],
        [0.0, 4.0, 5.0, 6.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
    ], device=device())
    _assert_pad2d(pad2d, X, 1, "pad2d(X, 1) with X = [[1, 2, 3], [4, 5, 6]]", expected)
    X = torch.arange(1.0, 13.0, device=device()).reshape(3, 4)
    _assert_pad2d(pad2d, X, (2, 1), "pad2d(X, (2, 1)) with X = 1..12 as 3x4 (2 rows above and "
                  "below, 1 column left and right)")


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
    total = len(plan) + 1
    for number, (H, W, padding, dtype) in enumerate(plan, start=1):
        label = f"X {H}x{W} ({dtype}) with padding {padding!r}"
        with hidden_case(cases, number, total, label):
            _assert_pad2d(pad2d, cases.randn(H, W, dtype=dtype), padding, f"pad2d(X, {padding!r})")
    H, W = cases.distinct_sizes(2, 7)
    ph, pw = cases.distinct_sizes(1, 3)
    X = cases.randn(H, W, dtype=torch.float64)
    G = cases.randn(H + 2 * ph, W + 2 * pw, dtype=torch.float64)
    with hidden_case(cases, total, total, f"the gradient for X {H}x{W} (float64) and padding ({ph}, {pw})"):
        assert_gradients_match(pad2d, ref.pad2d, (X, (ph, pw)), G, f"pad2d(X, ({ph}, {pw}))", ("X",),
                               from_scratch=NO_PADDING)


# ---------------------------------------------------------------------------------------
# corr2d_general


def _general_what(padding, stride, dilation) -> str:
    return f"corr2d_general(X, K, padding={padding!r}, stride={stride!r}, dilation={dilation!r})"


def _assert_general(corr2d_general, X, K, padding, stride, dilation, context: str = "",
                    expected: torch.Tensor | None = None) -> None:
    """``corr2d_general`` matches the reference (or ``expected``), without a convolution built-in."""
    if expected is None:
        expected = ref.corr2d_general(X, K, padding, stride, dilation)
    what = _general_what(padding, stride, dilation) + (f" {context}" if context else "")
    assert_result(corr2d_general, (X, K, padding, stride, dilation), expected, what, from_scratch=NO_CONVOLUTION)


@diagnosed
def check_corr2d_general(corr2d_general) -> None:
    """Visible checks of ``corr2d_general``: the chapter's examples (padding, stride, dilation)."""
    dev = device()
    X = torch.arange(9.0, device=dev).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]], device=dev)
    example = "on the chapter's example (X = 0..8 as 3x3, K = [[0, 1], [2, 3]])"
    padded = torch.tensor([[0.0, 3.0, 8.0, 4.0], [9.0, 19.0, 25.0, 10.0],
                           [21.0, 37.0, 43.0, 16.0], [6.0, 7.0, 8.0, 0.0]], device=dev)
    _assert_general(corr2d_general, X, K, 1, 1, 1, example, padded)
    strided = torch.tensor([[0.0, 8.0], [6.0, 8.0]], device=dev)
    _assert_general(corr2d_general, X, K, 1, (3, 2), 1, example, strided)
    X = torch.arange(64.0, device=dev).reshape(8, 8) % 7
    eight = "with X 8x8 (0..63 mod 7)"
    K = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 3.0]], device=dev)
    _assert_general(corr2d_general, X, K, 1, 1, 1, f"{eight} and a 3x3 K (output 8x8)")
    K = torch.arange(15.0, device=dev).reshape(5, 3) - 7
    _assert_general(corr2d_general, X, K, (2, 1), 1, 1, f"{eight} and a 5x3 K (output 8x8)")
    K = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 3.0]], device=dev)
    _assert_general(corr2d_general, X, K, 1, 2, 1, f"{eight} and a 3x3 K (output 4x4)")
    K = torch.arange(15.0, device=dev).reshape(3, 5) % 4 - 1
    _assert_general(corr2d_general, X, K, (0, 1), (3, 4), 1, f"{eight} and a 3x5 K (output 2x2)")
    X = torch.arange(35.0, device=dev).reshape(5, 7) % 6
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]], device=dev)
    _assert_general(corr2d_general, X, K, 0, 1, 2, "with X 5x7 (0..34 mod 6), K = [[0, 1], [2, 3]] "
                    "(output 3x5)")


def _input_size(cases: Cases, span: int, pad: int, extra: int) -> int:
    """A random input length on which a kernel of extent ``span`` fits after padding ``pad``."""
    low = max(1, span - 2 * pad)
    return cases.size(low, low + extra)


def _general_case(cases: Cases, kernel, padding, stride, dilation, dtype, label: str, *, fill: bool = False):
    """Draw X for the kernel size and arguments (so that the kernel fits), and describe the case.

    With ``fill``, the padded input is exactly as large as the dilated kernel.
    """
    (kh, kw), (ph, pw), (dh, dw) = kernel, _pair(padding), _pair(dilation)
    if fill:
        H, W = _span(kh, dh) - 2 * ph, _span(kw, dw) - 2 * pw
    else:
        H, W = _input_size(cases, _span(kh, dh), ph, 8), _input_size(cases, _span(kw, dw), pw, 8)
        if W == H:
            W += 1
    inputs = (
        f"{label}: X {H}x{W} and K {kh}x{kw} ({dtype}), padding={padding!r}, stride={stride!r}, "
        f"dilation={dilation!r}"
    )
    return cases.randn(H, W, dtype=dtype), cases.randn(kh, kw, dtype=dtype), padding, stride, dilation, inputs


def _general_plan(cases: Cases) -> list[tuple]:
    """Hidden cases of ``corr2d_general``: (X, K, padding, stride, dilation, description)."""
    f32, f64 = torch.float32, torch.float64
    plan = [
        _general_case(cases, cases.distinct_sizes(1, 4), cases.distinct_sizes(0, 2), cases.distinct_sizes(1, 3),
                      cases.distinct_sizes(1, 3), f32, "different height and width values"),
        _general_case(cases, cases.distinct_sizes(2, 5), cases.size(1, 2), cases.distinct_sizes(1, 3), 1, f32,
                      "an int padding and a (height, width) stride"),
    ]
    kh, kw = cases.distinct_sizes(1, 3)
    stride = (kh + cases.size(1, 2), kw + cases.size(1, 2))
    plan.append(_general_case(cases, (kh, kw), cases.size(0, 1), stride, 1, f32, "a stride larger than the kernel"))
    plan.append(_general_case(cases, cases.distinct_sizes(2, 4), cases.distinct_sizes(1, 3), 1, cases.size(2, 3),
                              f32, "padding with dilation"))
    kh, kw = cases.distinct_sizes(2, 4)
    dh, dw = cases.size(1, 2), cases.size(1, 2)
    padding = tuple(cases.size(0, min(1, (_span(k, d) - 1) // 2)) for k, d in ((kh, dh), (kw, dw)))
    plan.append(_general_case(cases, (kh, kw), padding, cases.size(1, 3), (dh, dw), f32,
                              "a dilated kernel exactly as large as the padded input", fill=True))
    plan.append(_general_case(cases, cases.distinct_sizes(1, 4), cases.distinct_sizes(0, 2),
                              cases.distinct_sizes(1, 3), cases.distinct_sizes(1, 2), f64, "float64"))
    return plan


@diagnosed
def grade_corr2d_general(corr2d_general) -> None:
    """Hidden checks of ``corr2d_general``: random non-square inputs and kernels, pair arguments,
    stride beyond the kernel, padding with dilation, a kernel filling the padded input, float64,
    and the gradient."""
    cases = Cases()
    plan = _general_plan(cases)
    total = len(plan) + 1
    for number, (X, K, padding, stride, dilation, inputs) in enumerate(plan, start=1):
        with hidden_case(cases, number, total, inputs):
            _assert_general(corr2d_general, X, K, padding, stride, dilation)
    kernel, padding, stride, dilation = (cases.distinct_sizes(2, 3), cases.distinct_sizes(1, 2),
                                         cases.distinct_sizes(1, 2), cases.distinct_sizes(1, 2))
    X, K, padding, stride, dilation, inputs = _general_case(
        cases, kernel, padding, stride, dilation, torch.float64, "the gradient with respect to X and K")
    G = cases.randn(*ref.corr2d_general(X, K, padding, stride, dilation).shape, dtype=torch.float64)
    with hidden_case(cases, total, total, inputs):
        assert_gradients_match(corr2d_general, ref.corr2d_general, (X, K, padding, stride, dilation), G,
                               _general_what(padding, stride, dilation), ("X", "K"), from_scratch=NO_CONVOLUTION)
