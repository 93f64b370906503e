"""Checks of chapter 7 (pooling): ``pool2d``, ``avg_pool2d``, ``max_pool_with_indices``,
``max_unpool`` and ``adaptive_avg_pool2d``.

Every exercise is from scratch (no built-in pooling or unpooling; padding with ``F.pad``
is allowed) on (N, C, H, W) inputs, and compared with the references of
:mod:`autograder.chapters.ch07_pooling.reference`. Arguments are passed by position, in the order of the
signatures; a check leaves an argument out only to test its default. Hidden inputs are
standard normal, so that no window has two equal maxima and the maximum's index is unique.
"""

from functools import partial

import torch

from autograder.chapters.ch07_pooling import mistakes
from autograder.chapters.ch07_pooling import reference as ref
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, describe, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

FROM_SCRATCH = ("pooling",)

# The names of the arguments of each exercise, in the order of its signature.
SIGNATURES = {
    "pool2d": ("kernel_size", "stride", "padding", "mode"),
    "avg_pool2d": ("kernel_size", "stride", "padding", "count_include_pad", "divisor_override"),
    "max_pool_with_indices": ("kernel_size", "stride"),
    "max_unpool": ("output_size",),
    "adaptive_avg_pool2d": ("output_size",),
}


def _what(name: str, args: tuple, first: str = "X") -> str:
    """How the function was called: ``pool2d(X, kernel_size=2, stride=1)``; the tensors are named."""
    tensors = [first] + (["indices"] if name == "max_unpool" else [])
    rest = args[len(tensors) :]
    named = [f"{n}={v!r}" for n, v in zip(SIGNATURES[name], rest)]
    return f"{name}({', '.join(tensors + named)})"


def _inputs(X: torch.Tensor, extra: str = "") -> str:
    """Describe the input of a hidden case: shape and dtype."""
    return f"X of shape {shape_text(X.shape)}{extra} ({X.dtype})"


def _tensor_hidden(fn, name: str, reference, cases: Cases, items: list, gradients: list) -> None:
    """Run the hidden cases ``items`` ((args, inputs in words) each), then the gradient cases
    ``gradients`` ((args, labels of the tensor args, inputs in words) each)."""
    first = "Y" if name == "max_unpool" else "X"
    plan = [
        kit.Hidden(
            inputs,
            partial(kit.assert_result, fn, args, reference(*args), _what(name, args, first), from_scratch=FROM_SCRATCH),
        )
        for args, inputs in items
    ]
    for args, labels, inputs in gradients:
        G = cases.randn(*reference(*args).shape, dtype=torch.float64)
        what = _what(name, args, first)
        if name == "max_unpool":
            plan.append(kit.Hidden(inputs, partial(_assert_unpool_gradient, fn, args, G, what)))
        else:
            plan.append(
                kit.Hidden(
                    inputs,
                    partial(
                        kit.assert_gradients_match, fn, reference, args, G, what, labels, from_scratch=FROM_SCRATCH
                    ),
                )
            )
    kit.run_hidden(cases, plan)


def _window(cases: Cases, H: int, W: int) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """A kernel with kh != kw that fits (H, W), a stride (None counted as the kernel) and a
    padding of at most half the kernel, as PyTorch allows."""
    kh, kw = cases.distinct_sizes(1, min(H, W, 4))
    return (kh, kw), (cases.size(1, 3), cases.size(1, 3)), (cases.size(0, kh // 2), cases.size(0, kw // 2))


# ---------------------------------------------------------------------------------------
# pool2d


EXAMPLE = "X = 0..8 as 1x1x3x3"
SOURCE_EXAMPLE = "X = 0..31 as 1x2x4x4 (two channels), the source notes' example"


@diagnosed
def check_pool2d(pool2d) -> None:
    """Visible checks of ``pool2d``: the chapter's 3x3 example in both modes, the default
    stride, the source notes' two-channel example with padding and a (2, 1) stride, and
    padding on negative values."""
    X = kit.numbers(1, 1, 3, 3)
    for mode, expected in (("max", [[4.0, 5.0], [7.0, 8.0]]), ("avg", [[2.0, 3.0], [5.0, 6.0]])):
        args = (X, 2, 1, 0, mode)
        kit.assert_result(
            pool2d,
            args,
            kit.on_device(expected)[None, None],
            f"{_what('pool2d', args)} on {EXAMPLE}",
            from_scratch=FROM_SCRATCH,
        )
    X = kit.numbers(1, 1, 4, 4)
    kit.assert_result(
        pool2d,
        (X, 2),
        kit.on_device([[5.0, 7.0], [13.0, 15.0]])[None, None],
        "pool2d(X, 2) on X = 0..15 as 1x1x4x4 (stride, padding and mode left at their defaults: the "
        "stride is the kernel size, so the 2x2 windows do not overlap)",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(1, 2, 4, 4)
    args = (X, 3, (2, 1), 1, "max")
    expected = kit.on_device(
        [[[5.0, 6.0, 7.0, 7.0], [13.0, 14.0, 15.0, 15.0]], [[21.0, 22.0, 23.0, 23.0], [29.0, 30.0, 31.0, 31.0]]]
    )[None]
    kit.assert_result(pool2d, args, expected, f"{_what('pool2d', args)} on {SOURCE_EXAMPLE}", from_scratch=FROM_SCRATCH)
    X = kit.numbers(2, 3, 4, 5, modulo=7, shift=10.0)
    for mode in ("max", "avg"):
        args = (X, (2, 3), (2, 1), (1, 1), mode)
        kit.assert_result(
            pool2d,
            args,
            ref.pool2d(*args),
            f"{_what('pool2d', args)} on X 2x3x4x5 holding negative numbers (0..119 mod 7, minus 10)",
            from_scratch=FROM_SCRATCH,
        )


def _pool2d_plan(cases: Cases) -> list:
    items = []
    for mode, dtype in (
        ("max", torch.float32),
        ("avg", torch.float32),
        ("max", torch.float64),
        ("avg", torch.float64),
        ("max", torch.float32),
        ("avg", torch.float32),
    ):
        H, W = cases.distinct_sizes(4, 10)
        kernel, stride, padding = _window(cases, H, W)
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        items.append(((X, kernel, stride, padding, mode), _inputs(X)))
    for mode in ("max", "avg"):
        H, W = cases.distinct_sizes(4, 9)
        kh, kw = cases.distinct_sizes(1, 3)
        X = cases.randn(2, cases.size(2, 3), H, W)
        items.append(((X, (kh, kw), None, 0, mode), _inputs(X, ", stride=None (the kernel size)")))
        stride = (kh + cases.size(1, 2), kw + cases.size(1, 2))
        items.append(((X, (kh, kw), stride, (kh // 2, kw // 2), mode), _inputs(X, ", stride larger than the kernel")))
        items.append(((X, (H, W), None, 0, mode), _inputs(X, ", the kernel as large as the input")))
    return items


def _pool2d_gradients(cases: Cases) -> list:
    gradients = []
    for mode in ("max", "avg"):
        H, W = cases.distinct_sizes(4, 8)
        kernel, stride, padding = _window(cases, H, W)
        X = cases.randn(2, cases.size(2, 3), H, W, dtype=torch.float64)
        gradients.append(((X, kernel, stride, padding, mode), ("X",), f"the gradient for {_inputs(X)}, mode={mode!r}"))
    return gradients


@diagnosed
def grade_pool2d(pool2d) -> None:
    """Hidden checks of ``pool2d``: both modes, N > 1 and C > 1, H != W, kh != kw, the default
    stride, overlapping windows, a stride larger than the kernel, padding, a kernel as large
    as the input, float64, gradients."""
    cases = Cases()
    _tensor_hidden(pool2d, "pool2d", ref.pool2d, cases, _pool2d_plan(cases), _pool2d_gradients(cases))


# ---------------------------------------------------------------------------------------
# avg_pool2d


@diagnosed
def check_avg_pool2d(avg_pool2d) -> None:
    """Visible checks of ``avg_pool2d``: the default stride, padding counted or not, and
    ``divisor_override``, on inputs where each setting changes the result."""
    X = torch.ones(1, 1, 4, 4, device=device())
    args = (X, 2, None, 0, True, 3)
    kit.assert_result(
        avg_pool2d,
        args,
        torch.full((1, 1, 2, 2), 4 / 3, device=device()),
        f"{_what('avg_pool2d', args)} on X = ones 1x1x4x4 (every window sums to 4, divided by 3)",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(1, 1, 4, 4)
    kit.assert_result(
        avg_pool2d,
        (X, 2),
        kit.on_device([[2.5, 4.5], [10.5, 12.5]])[None, None],
        "avg_pool2d(X, 2) on X = 0..15 as 1x1x4x4 (every argument after kernel_size left at its default)",
        from_scratch=FROM_SCRATCH,
    )
    X = torch.ones(1, 1, 3, 3, device=device())
    included = kit.on_device([[4.0, 6.0, 4.0], [6.0, 9.0, 6.0], [4.0, 6.0, 4.0]])[None, None] / 9
    for count, expected in ((True, included), (False, torch.ones_like(X))):
        args = (X, 3, 1, 1, count, None)
        kit.assert_result(
            avg_pool2d, args, expected, f"{_what('avg_pool2d', args)} on X = ones 1x1x3x3", from_scratch=FROM_SCRATCH
        )
    X = kit.numbers(2, 3, 5, 4, modulo=7, shift=3.0)
    for count, divisor in ((True, None), (False, None), (False, 5)):
        args = (X, (3, 2), (2, 1), (1, 1), count, divisor)
        kit.assert_result(
            avg_pool2d,
            args,
            ref.avg_pool2d(*args),
            f"{_what('avg_pool2d', args)} on X 2x3x5x4 (0..119 mod 7, minus 3)",
            from_scratch=FROM_SCRATCH,
        )


@diagnosed
def grade_avg_pool2d(avg_pool2d) -> None:
    """Hidden checks of ``avg_pool2d``: padding counted and not counted, divisor_override with
    both, the default stride, N > 1 and C > 1, H != W, kh != kw, float64, gradients."""
    cases = Cases()
    items = []
    settings = [
        (True, None),
        (False, None),
        (True, cases.size(2, 9)),
        (False, cases.size(2, 9)),
        (True, None),
        (False, None),
    ]
    for number, (count, divisor) in enumerate(settings):
        H, W = cases.distinct_sizes(4, 10)
        (kh, kw), stride, _ = _window(cases, H, W)
        kh, kw = max(kh, 2), max(kw, 2)  # room for padding on both axes
        padding = (cases.size(1, kh // 2), cases.size(1, kw // 2))
        dtype = torch.float64 if number % 3 == 2 else torch.float32
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        items.append(((X, (kh, kw), stride, padding, count, divisor), _inputs(X)))
    H, W = cases.distinct_sizes(4, 9)
    X = cases.randn(2, 3, H, W)
    items.append(((X, cases.distinct_sizes(2, 3)), _inputs(X, ", every argument after kernel_size at its default")))
    gradients = []
    for count, divisor in ((True, None), (False, None), (False, cases.size(2, 7))):
        H, W = cases.distinct_sizes(4, 8)
        X = cases.randn(2, cases.size(2, 3), H, W, dtype=torch.float64)
        args = (X, (3, 2), (cases.size(1, 2), cases.size(1, 2)), 1, count, divisor)
        gradients.append((args, ("X",), f"the gradient for {_inputs(X)}"))
    _tensor_hidden(avg_pool2d, "avg_pool2d", ref.avg_pool2d, cases, items, gradients)


# ---------------------------------------------------------------------------------------
# max_pool_with_indices


def _assert_with_indices(max_pool_with_indices, args: tuple, what: str) -> None:
    """The values and the int64 indices of ``max_pool_with_indices(*args)`` match the reference."""
    got, _ = call(max_pool_with_indices, *args, what=what, from_scratch=FROM_SCRATCH)
    if not isinstance(got, tuple) or len(got) != 2:
        raise CheckFailure(f"{what} must return a pair (Y, indices), but it returned {describe(got)}.")
    Y, indices = got
    expected_Y, expected_indices = ref.max_pool_with_indices(*args)
    assert_matches(Y, expected_Y, f"The pooled values Y of {what}")
    if isinstance(indices, torch.Tensor) and indices.dtype != torch.int64:
        raise CheckFailure(
            f"The indices of {what} have dtype {indices.dtype}; they must be torch.int64 (torch.long), as "
            "argmax returns them and as max_unpool (and nn.MaxUnpool2d) expects them."
        )
    assert_matches(indices, expected_indices, f"The indices of {what} (flat positions i * W + j in each H x W plane)")


# A 4x5 plane without ties: a permutation of 0..19.
PERMUTED = [[7, 12, 3, 18, 0], [15, 1, 9, 4, 11], [2, 19, 6, 13, 8], [10, 5, 16, 17, 14]]


@diagnosed
def check_max_pool_with_indices(max_pool_with_indices) -> None:
    """Visible checks of ``max_pool_with_indices``: a 4x5 plane of distinct values with the
    default stride, overlapping windows, and two channels with N = 2."""
    X = kit.on_device(PERMUTED)[None, None]
    args = (X, 2)
    got_what = f"{_what('max_pool_with_indices', args)} on X 1x1x4x5 = {PERMUTED} (stride left at its default)"
    _assert_with_indices(max_pool_with_indices, args, got_what)
    args = (X, (2, 3), 1)
    _assert_with_indices(
        max_pool_with_indices, args, f"{_what('max_pool_with_indices', args)} on X 1x1x4x5 = {PERMUTED}"
    )
    X = torch.stack([kit.on_device(PERMUTED), 19 - kit.on_device(PERMUTED)]).repeat(2, 1, 1, 1) + 20 * torch.arange(
        2.0, device=device()
    ).reshape(2, 1, 1, 1)
    args = (X, (2, 2), (2, 3))
    _assert_with_indices(
        max_pool_with_indices,
        args,
        f"{_what('max_pool_with_indices', args)} on X 2x2x4x5 (the plane above and 19 minus it, "
        "plus 20 in the second sample)",
    )


@diagnosed
def grade_max_pool_with_indices(max_pool_with_indices) -> None:
    """Hidden checks of ``max_pool_with_indices``: N > 1 and C > 1, H != W, kh != kw, the
    default stride, overlapping windows, a stride larger than the kernel, windows that leave
    rows and columns out, a kernel as large as the input, float64."""
    cases = Cases()
    items = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 11)
        kernel, stride, _ = _window(cases, H, W)
        items.append((kernel, stride, H, W, dtype, ""))
    H, W = cases.distinct_sizes(5, 11)
    items.append((cases.distinct_sizes(2, 3), None, H, W, torch.float32, ", stride=None (the kernel size)"))
    H, W = cases.distinct_sizes(5, 11)
    items.append(((2, 3), (3, 4), H, W, torch.float32, ", stride larger than the kernel"))
    H, W = cases.distinct_sizes(2, 6)
    items.append(((H, W), None, H, W, torch.float32, ", the kernel as large as the input"))
    plan = []
    for kernel, stride, H, W, dtype, extra in items:
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        args = (X, kernel) if stride is None else (X, kernel, stride)
        plan.append(
            kit.Hidden(
                _inputs(X, extra),
                partial(_assert_with_indices, max_pool_with_indices, args, _what("max_pool_with_indices", args)),
            )
        )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# max_unpool


def _unpool_args(X: torch.Tensor, kernel, stride=None, values: torch.Tensor | None = None) -> tuple:
    """(Y, indices, (H, W)): ``X`` max-pooled by the reference, with ``values`` in place of Y if given."""
    Y, indices = ref.max_pool_with_indices(X, kernel, stride)
    return (Y if values is None else values, indices, tuple(X.shape[-2:]))


@diagnosed
def check_max_unpool(max_unpool) -> None:
    """Visible checks of ``max_unpool``: the 4x5 plane of distinct values pooled with 2x2
    windows, new values written through the same indices, and N = C = 2 in float64."""
    X = kit.on_device(PERMUTED)[None, None]
    args = _unpool_args(X, 2)
    expected = kit.on_device([[0, 0, 0, 18, 0], [15, 0, 0, 0, 0], [0, 19, 0, 0, 0], [0, 0, 0, 17, 0]])[None, None]
    kit.assert_result(
        max_unpool,
        args,
        expected,
        f"{_what('max_unpool', args, 'Y')}, with Y and indices from max-pooling X 1x1x4x5 = {PERMUTED} "
        "with 2x2 windows (Y = [[15, 18], [19, 17]], indices = [[5, 3], [11, 18]])",
        from_scratch=FROM_SCRATCH,
    )
    args = _unpool_args(X, 2, (2, 3), values=kit.on_device([[1.0, 2.0], [3.0, 4.0]])[None, None])
    kit.assert_result(
        max_unpool,
        args,
        ref.max_unpool(*args),
        f"{_what('max_unpool', args, 'Y')} with Y = [[1, 2], [3, 4]] and the indices of max-pooling the "
        f"same X with kernel_size=2, stride=(2, 3) ({args[1].flatten().tolist()})",
        from_scratch=FROM_SCRATCH,
    )
    X = torch.stack([kit.on_device(PERMUTED), 19 - kit.on_device(PERMUTED)]).repeat(2, 1, 1, 1).double()
    args = _unpool_args(X, 2, values=kit.numbers(2, 2, 2, 2, shift=-1.0).double())
    kit.assert_result(
        max_unpool,
        args,
        ref.max_unpool(*args),
        f"{_what('max_unpool', args, 'Y')} with Y = 1..16 as 2x2x2x2 (float64) and the indices of "
        "max-pooling X 2x2x4x5 (two channels: the plane above and 19 minus it) with 2x2 windows",
        from_scratch=FROM_SCRATCH,
    )


def _assert_unpool_gradient(max_unpool, args: tuple, G: torch.Tensor, what: str) -> None:
    """The gradient of ``sum(max_unpool(Y, indices, size) * G)`` with respect to Y matches the
    reference's (the integer indices take no gradient, so the shared helper does not apply)."""
    Y, indices, size = args
    leaf = Y.clone().requires_grad_(True)
    out, _ = call(max_unpool, leaf, indices, size, what=what, from_scratch=FROM_SCRATCH)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(
            f"{what} is not differentiable in Y: its result is not connected to Y in the autograd graph. "
            "Write Y into a tensor of zeros with indexing or scatter (no .item(), .tolist() or numpy)."
        )
    assert_matches(out, ref.max_unpool(leaf, indices, size), what)
    (got,) = torch.autograd.grad(out, leaf, G)
    (expected,) = torch.autograd.grad(ref.max_unpool(leaf, indices, size), leaf, G)
    assert_matches(got, expected, f"The gradient of {what} with respect to Y")


@diagnosed
def grade_max_unpool(max_unpool) -> None:
    """Hidden checks of ``max_unpool``: indices from pooling random inputs (N > 1, C > 1,
    H != W, kh != kw, strides at least the kernel, sizes that leave rows and columns out), new
    values, float64, the gradient with respect to Y."""
    cases = Cases()
    items = []
    for number, dtype in enumerate((torch.float32, torch.float32, torch.float64, torch.float32)):
        H, W = cases.distinct_sizes(4, 11)
        kh, kw = cases.distinct_sizes(1, 3)
        stride = None if number == 0 else (kh + cases.size(0, 2), kw + cases.size(0, 2))
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        Y = ref.max_pool_with_indices(X, (kh, kw), stride)[0]
        args = _unpool_args(X, (kh, kw), stride, values=cases.randn(*Y.shape, dtype=dtype))
        items.append(
            (
                args,
                f"Y of shape {shape_text(Y.shape)} ({dtype}) and indices from pooling X of shape "
                f"{shape_text(X.shape)} with kernel_size={(kh, kw)}, stride={stride}, "
                f"output_size={args[2]}",
            )
        )
    H, W = cases.distinct_sizes(4, 9)
    X = cases.randn(2, 3, H, W, dtype=torch.float64)
    Y = ref.max_pool_with_indices(X, (2, 3))[0]
    args = _unpool_args(X, (2, 3), values=cases.randn(*Y.shape, dtype=torch.float64))
    gradient = (
        args,
        ("Y",),
        f"the gradient with respect to Y, for Y of shape {shape_text(Y.shape)} and output_size={args[2]}",
    )
    _tensor_hidden(max_unpool, "max_unpool", ref.max_unpool, cases, items, [gradient])


# ---------------------------------------------------------------------------------------
# adaptive_avg_pool2d


@diagnosed
def check_adaptive_avg_pool2d(adaptive_avg_pool2d) -> None:
    """Visible checks of ``adaptive_avg_pool2d``: the chapter's 5x7 example to (3, 3), an int
    output size, a global average, and an output as large as the input."""
    X = kit.numbers(1, 1, 5, 7)
    args = (X, (3, 3))
    expected = kit.on_device([[4.5, 6.5, 8.5], [15.0, 17.0, 19.0], [25.5, 27.5, 29.5]])[None, None]
    kit.assert_result(
        adaptive_avg_pool2d,
        args,
        expected,
        f"{_what('adaptive_avg_pool2d', args)} on X = 0..34 as 1x1x5x7 (row windows [0, 2), [1, 4), "
        "[3, 5); column windows [0, 3), [2, 5), [4, 7))",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(2, 3, 6, 5, modulo=11, shift=4.0)
    for size in (2, (4, 3), 1, (6, 5), (1, 5)):
        args = (X, size)
        kit.assert_result(
            adaptive_avg_pool2d,
            args,
            ref.adaptive_avg_pool2d(*args),
            f"{_what('adaptive_avg_pool2d', args)} on X 2x3x6x5 (0..179 mod 11, minus 4)",
            from_scratch=FROM_SCRATCH,
        )


@diagnosed
def grade_adaptive_avg_pool2d(adaptive_avg_pool2d) -> None:
    """Hidden checks of ``adaptive_avg_pool2d``: sizes that divide the input and sizes that do
    not, int and pair output sizes, outputs as large as the input and 1x1, N > 1, C > 1,
    H != W, float64, gradients."""
    cases = Cases()
    items = []
    for dtype in (torch.float32, torch.float32, torch.float64, torch.float32):
        H, W = cases.distinct_sizes(5, 17)
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        items.append(((X, cases.distinct_sizes(2, min(H, W) - 1)), _inputs(X)))
    H, W = cases.distinct_sizes(5, 13)
    X = cases.randn(2, 3, H, W)
    items.append(((X, cases.size(2, min(H, W) - 1)), _inputs(X, ", an int output_size")))
    items.append(((X, (H, W)), _inputs(X, ", the output as large as the input")))
    items.append(((X, 1), _inputs(X, ", output_size=1 (a global average)")))
    H, W = cases.distinct_sizes(5, 10)
    X = cases.randn(2, 3, H, W, dtype=torch.float64)
    args = (X, cases.distinct_sizes(2, min(H, W) - 1))
    gradient = (args, ("X",), f"the gradient for {_inputs(X)}, output_size={args[1]}")
    _tensor_hidden(adaptive_avg_pool2d, "adaptive_avg_pool2d", ref.adaptive_avg_pool2d, cases, items, [gradient])
