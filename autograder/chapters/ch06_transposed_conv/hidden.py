"""Hidden checks of chapter 6 (transposed convolution), run at grading time: random non-square
shapes from the grading seed, a square one, edge cases, float64, gradients, the stated properties
on random inputs, and a seeded grid of output sizes.

The tensor exercises are compared with the references of
:mod:`autograder.chapters.ch06_transposed_conv.reference`, and every check is wrapped in
:class:`~autograder.runtime.diagnosis.Diagnoser`, so that a failure names the known mistake
(from :mod:`autograder.chapters.ch06_transposed_conv.mistakes`) the answer behaves like.
"""

from functools import partial

import torch

from autograder.chapters.ch06_transposed_conv import mistakes
from autograder.chapters.ch06_transposed_conv import reference as ref
from autograder.chapters.ch06_transposed_conv.checks import (
    FROM_SCRATCH,
    assert_conv_matrix,
    assert_size,
    assert_trans_conv,
    trans_what,
)
from autograder.runtime import kit, properties
from autograder.runtime.cases import Cases
from autograder.runtime.compare import shape_text
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)


def _properties_case(fn, args: tuple, what: str, labels: dict[int, str], inputs: str) -> kit.Hidden:
    """The hidden case that re-tests what the exercise's text states (inputs unchanged, dtype and
    device kept, differentiable) on random ``inputs``."""
    return kit.Hidden(
        f"the properties the exercise states (inputs unchanged, dtype and device kept, differentiable), on {inputs}",
        partial(properties.assert_properties, fn, args, what, labels, from_scratch=FROM_SCRATCH),
    )


# ---------------------------------------------------------------------------------------
# conv_matrix


def _assert_conv_matrix(conv_matrix, K: torch.Tensor, input_shape: tuple[int, int], what: str) -> None:
    """``conv_matrix(K, input_shape)`` matches the reference, no built-in convolution."""
    assert_conv_matrix(conv_matrix, K, input_shape, what, ref.conv_matrix(K, input_shape))


def _conv_matrix_plan(cases: Cases) -> list[tuple[torch.Tensor, tuple[int, int], str]]:
    """Hidden cases (K, input_shape, inputs in words): H != W and kh != kw, a kernel as large
    as the input, a 1x1 kernel, a single row of output, float64, then a square input and kernel."""
    plan = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(3, 8)
        kh, kw = cases.distinct_sizes(1, min(H, W))
        plan.append((cases.randn(kh, kw, dtype=dtype), (H, W), ""))
    H, W = cases.distinct_sizes(2, 5)
    plan.append((cases.randn(H, W), (H, W), " (the kernel as large as the input: W has one row)"))
    plan.append((cases.randn(1, 1), cases.distinct_sizes(2, 6), " (a 1x1 kernel: W is diagonal)"))
    H, W = cases.distinct_sizes(2, 6)
    plan.append((cases.randn(H, cases.size(1, W)), (H, W), " (the kernel as tall as the input)"))
    n = cases.size(3, 6)
    k = cases.size(2, n - 1)
    plan.append((cases.randn(k, k), (n, n), " (a square input and a square kernel)"))
    return [
        (K, shape, f"K of shape {shape_text(K.shape)} ({K.dtype}) and input_shape {shape}{extra}")
        for K, shape, extra in plan
    ]


@diagnosed
def grade_conv_matrix(conv_matrix) -> None:
    """Hidden checks of ``conv_matrix``: random non-square kernels and input shapes, a kernel as
    large as the input, a 1x1 kernel, a square case, float64, the gradient with respect to K, and
    the stated properties."""
    cases = Cases()
    plan = [
        kit.Hidden(inputs, partial(_assert_conv_matrix, conv_matrix, K, shape, f"conv_matrix(K, {shape})"))
        for K, shape, inputs in _conv_matrix_plan(cases)
    ]
    H, W = cases.distinct_sizes(3, 6)
    K = cases.randn(*cases.distinct_sizes(1, min(H, W)), dtype=torch.float64)
    G = cases.randn(*ref.conv_matrix(K, (H, W)).shape, dtype=torch.float64)
    plan.append(
        kit.gradient_case(
            f"the gradient for K of shape {shape_text(K.shape)} (torch.float64) and input_shape {(H, W)}",
            conv_matrix,
            ref.conv_matrix,
            (K, (H, W)),
            G,
            f"conv_matrix(K, {(H, W)})",
            ("K",),
            from_scratch=FROM_SCRATCH,
        )
    )
    H, W = cases.distinct_sizes(3, 6)
    K = cases.randn(*cases.distinct_sizes(1, min(H, W)))
    inputs = f"K of shape {shape_text(K.shape)} and input_shape {(H, W)}"
    plan.append(_properties_case(conv_matrix, (K, (H, W)), f"conv_matrix(K, {(H, W)})", {0: "K"}, inputs))
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# trans_conv


def _assert_trans_conv(trans_conv, X, K, stride, padding) -> None:
    """``trans_conv`` matches the reference, without a built-in convolution."""
    assert_trans_conv(trans_conv, X, K, stride, padding, "", ref.trans_conv(X, K, stride, padding))


def _trans_case(cases: Cases, H: int, W: int, kernel: tuple[int, int], stride, padding, dtype, label: str):
    """(X, K, stride, padding, inputs in words)."""
    X, K = cases.randn(H, W, dtype=dtype), cases.randn(*kernel, dtype=dtype)
    inputs = f"{label}: X {H}x{W} and K {kernel[0]}x{kernel[1]} ({dtype}), stride={stride!r}, padding={padding!r}"
    return X, K, stride, padding, inputs


def _max_padding(n: int, k: int, s: int) -> int:
    """The largest padding that leaves at least one output element along an axis."""
    return ((n - 1) * s + k - 1) // 2


def _trans_plan(cases: Cases) -> list[tuple]:
    """Hidden cases of ``trans_conv``: (X, K, stride, padding, inputs in words)."""
    f32, f64 = torch.float32, torch.float64
    plan = []
    H, W = cases.distinct_sizes(2, 6)
    plan.append(_trans_case(cases, H, W, cases.distinct_sizes(1, 4), 1, 0, f32, "stride 1, no padding"))
    H, W = cases.distinct_sizes(2, 5)
    plan.append(
        _trans_case(
            cases, H, W, cases.distinct_sizes(2, 4), cases.distinct_sizes(2, 3), 0, f32, "a (height, width) stride"
        )
    )
    H, W = cases.distinct_sizes(2, 5)
    kh, kw = cases.distinct_sizes(1, 3)
    stride = (kh + cases.size(1, 2), kw + cases.size(1, 2))
    plan.append(_trans_case(cases, H, W, (kh, kw), stride, 0, f32, "a stride larger than the kernel (gaps of zeros)"))
    H, W = cases.distinct_sizes(2, 5)
    kh, kw = cases.distinct_sizes(2, 4)
    sh, sw = cases.distinct_sizes(1, 3)
    ph = cases.size(1, min(2, _max_padding(H, kh, sh)))
    pw = cases.size(0, min(2, _max_padding(W, kw, sw)))
    plan.append(_trans_case(cases, H, W, (kh, kw), (sh, sw), (ph, pw), f32, "padding with a stride"))
    H, W = cases.distinct_sizes(1, 3)
    plan.append(
        _trans_case(cases, H, W, cases.distinct_sizes(4, 6), cases.size(1, 2), 0, f32, "a kernel larger than the input")
    )
    H, W = cases.distinct_sizes(2, 5)
    plan.append(
        _trans_case(
            cases,
            H,
            W,
            (1, 1),
            cases.distinct_sizes(2, 3),
            0,
            f32,
            "a 1x1 kernel (upsampling by spreading the input out)",
        )
    )
    H, W = cases.distinct_sizes(2, 5)
    kh, kw = cases.distinct_sizes(2, 4)
    stride = cases.size(2, 3)
    padding = min(cases.size(1, 2), _max_padding(min(H, W), min(kh, kw), stride))
    plan.append(_trans_case(cases, H, W, (kh, kw), stride, padding, f64, "float64 with int stride and padding"))
    n, k = cases.size(2, 5), cases.size(2, 4)
    stride = cases.size(1, 3)
    padding = min(cases.size(0, 1), _max_padding(n, k, stride))
    plan.append(_trans_case(cases, n, n, (k, k), stride, padding, f32, "a square input and a square kernel"))
    return plan


@diagnosed
def grade_trans_conv(trans_conv) -> None:
    """Hidden checks of ``trans_conv``: random non-square inputs and kernels, pair strides, a stride
    larger than the kernel, padding with stride, a kernel larger than the input, a 1x1 kernel,
    float64, a square case, the gradient, and the stated properties."""
    cases = Cases()
    plan = [
        kit.Hidden(inputs, partial(_assert_trans_conv, trans_conv, X, K, stride, padding))
        for X, K, stride, padding, inputs in _trans_plan(cases)
    ]
    H, W = cases.distinct_sizes(2, 5)
    kh, kw = cases.distinct_sizes(2, 4)
    stride = cases.distinct_sizes(1, 3)
    padding = (cases.size(0, 1), cases.size(0, 1))
    X, K, stride, padding, inputs = _trans_case(
        cases, H, W, (kh, kw), stride, padding, torch.float64, "the gradient with respect to X and K"
    )
    G = cases.randn(*ref.trans_conv(X, K, stride, padding).shape, dtype=torch.float64)
    plan.append(
        kit.gradient_case(
            inputs,
            trans_conv,
            ref.trans_conv,
            (X, K, stride, padding),
            G,
            trans_what(stride, padding),
            ("X", "K"),
            from_scratch=FROM_SCRATCH,
        )
    )
    H, W = cases.distinct_sizes(2, 5)
    X, K, stride, padding, inputs = _trans_case(
        cases, H, W, cases.distinct_sizes(2, 4), cases.distinct_sizes(1, 3), (1, 0), torch.float32, "random inputs"
    )
    what = trans_what(stride, padding)
    plan.append(_properties_case(trans_conv, (X, K, stride, padding), what, {0: "X", 1: "K"}, inputs))
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# trans_conv_output_size


def _valid(n: int, k: int, s: int, p: int, op: int, d: int) -> bool:
    """PyTorch accepts these settings: output_padding below stride or dilation, a positive output."""
    return (op < s or op < d) and (n - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1


def _draw(cases: Cases, n_range, k_range, s_range, p_range, d_range, *, output_padding: bool) -> tuple:
    """A valid random (n, k, stride, padding, output_padding, dilation)."""
    while True:
        n, k, s = cases.size(*n_range), cases.size(*k_range), cases.size(*s_range)
        p, d = cases.size(*p_range), cases.size(*d_range)
        op = cases.size(1, max(s, d) - 1) if output_padding and max(s, d) > 1 else 0
        if _valid(n, k, s, p, op, d):
            return n, k, s, p, op, d


def _size_plan(cases: Cases) -> list[tuple[str, list[tuple]]]:
    """Groups of hidden cases (n, k, stride, padding, output_padding, dilation), each described."""
    random_sizes = [_draw(cases, (1, 20), (1, 7), (1, 4), (0, 3), (1, 3), output_padding=False) for _ in range(10)]
    with_output_padding = [_draw(cases, (1, 20), (1, 7), (2, 5), (0, 3), (1, 3), output_padding=True) for _ in range(6)]
    undo = []  # the output_padding that gives back the input length of a strided convolution
    for _ in range(5):
        n, k, s, p, d = cases.size(6, 40), cases.size(1, 5), cases.size(2, 4), cases.size(0, 2), cases.size(1, 2)
        if d * (k - 1) + 1 > n + 2 * p:
            k = 1
        room = n + 2 * p - d * (k - 1) - 1
        undo.append((room // s + 1, k, s, p, room % s, d))
    dilated = [
        _draw(cases, (1, 15), (2, 5), (1, 3), (1, 3), (2, 4), output_padding=cases.size(0, 1) == 1) for _ in range(4)
    ]
    large = [_draw(cases, (500, 100_000), (1, 11), (1, 8), (0, 5), (1, 4), output_padding=True) for _ in range(4)]
    return [
        ("random sizes, kernels, strides, padding and dilation", random_sizes),
        ("output_padding > 0 (below the stride)", with_output_padding),
        ("the output_padding that restores the input length of a strided convolution", undo),
        ("dilation > 1 with padding", dilated),
        ("large inputs (n from 500 to 100000)", large),
    ]


@diagnosed
def grade_trans_conv_output_size(trans_conv_output_size) -> None:
    """Hidden checks of ``trans_conv_output_size``: a seeded grid of settings, output_padding,
    round trips of strided convolutions, dilation with padding, large inputs."""
    cases = Cases()
    check = partial(assert_size, trans_conv_output_size, ref.trans_conv_output_size)
    kit.run_hidden(cases, kit.example_groups(_size_plan(cases), check))
