"""Visible checks of chapter 7 (pooling): ``pool2d``, ``avg_pool2d``, ``max_pool_with_indices``,
``max_unpool`` and ``adaptive_avg_pool2d``.

Every exercise is from scratch (no built-in pooling or unpooling; padding with ``F.pad``
is allowed) on (N, C, H, W) inputs. After the values, each check tests what the exercise's text
states (:mod:`autograder.runtime.properties`) on its batch of non-square planes: inputs unchanged,
dtype and device kept, differentiable. The expected values come from the chapter's recording
(``expected``), the known mistakes' explanations too (``diagnosed``); the hidden checks are
the instructors' (``hidden.py``). Arguments are passed by position, in the order of the
signatures; a check leaves an argument out only to test its default.
"""

import torch

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, describe
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

FROM_SCRATCH = ("pooling",)

# The names of the arguments of each exercise, in the order of its signature.
SIGNATURES = {
    "pool2d": ("kernel_size", "stride", "padding", "mode", "ceil_mode", "dilation"),
    "avg_pool2d": ("kernel_size", "stride", "padding", "count_include_pad", "divisor_override"),
    "max_pool_with_indices": ("kernel_size", "stride"),
    "max_unpool": ("output_size",),
    "adaptive_avg_pool2d": ("output_size",),
}


def assert_result(fn, args: tuple, expected: torch.Tensor, what: str) -> None:
    """``fn(*args)``, on copies of the tensors, matches ``expected``, without built-in pooling."""
    kit.assert_result(fn, kit.copies(*args), expected, what, from_scratch=FROM_SCRATCH)


def assert_properties(fn, args: tuple, what: str, labels: dict[int, str], **options) -> None:
    """The stated properties of ``fn`` on ``args`` (see :func:`autograder.runtime.properties.assert_properties`)."""
    properties.assert_properties(fn, args, what, labels, from_scratch=FROM_SCRATCH, **options)


def call_text(name: str, args: tuple, first: str = "X") -> str:
    """How the function was called: ``pool2d(X, kernel_size=2, stride=1)``; the tensors are named."""
    tensors = [first] + (["indices"] if name == "max_unpool" else [])
    rest = args[len(tensors) :]
    named = [f"{n}={v!r}" for n, v in zip(SIGNATURES[name], rest)]
    return f"{name}({', '.join(tensors + named)})"


# ---------------------------------------------------------------------------------------
# pool2d


EXAMPLE = "X = 0..8 as 1x1x3x3"
SOURCE_EXAMPLE = "X = 0..31 as 1x2x4x4 (two channels), chapter 7's example"
# The last example of most checks: N > 1, H != W and kh != kw, where the stated properties are tested.
BATCH = "a batch of non-square planes"


@diagnosed
def check_pool2d(pool2d) -> None:
    """Visible checks of ``pool2d``: the chapter's 3x3 example in both modes, the default
    stride, chapter 7's two-channel example with padding and a (2, 1) stride, padding on a
    batch of negative values, the chapter's ceil_mode and dilation examples and both on a
    batch; then the stated properties in both modes."""
    X = kit.numbers(1, 1, 3, 3)
    for mode, wanted in (("max", [[4.0, 5.0], [7.0, 8.0]]), ("avg", [[2.0, 3.0], [5.0, 6.0]])):
        args = (X, 2, 1, 0, mode)
        assert_result(pool2d, args, kit.on_device(wanted)[None, None], f"{call_text('pool2d', args)} on {EXAMPLE}")
    X = kit.numbers(1, 1, 4, 4)
    assert_result(
        pool2d,
        (X, 2),
        kit.on_device([[5.0, 7.0], [13.0, 15.0]])[None, None],
        "pool2d(X, 2) on X = 0..15 as 1x1x4x4 (stride, padding and mode left at their defaults: the "
        "stride is the kernel size, so the 2x2 windows do not overlap)",
    )
    X = kit.numbers(1, 2, 4, 4)
    args = (X, 3, (2, 1), 1, "max")
    wanted = kit.on_device(
        [[[5.0, 6.0, 7.0, 7.0], [13.0, 14.0, 15.0, 15.0]], [[21.0, 22.0, 23.0, 23.0], [29.0, 30.0, 31.0, 31.0]]]
    )[None]
    assert_result(pool2d, args, wanted, f"{call_text('pool2d', args)} on {SOURCE_EXAMPLE}")
    X = kit.numbers(2, 3, 4, 5, modulo=7, shift=10.0)
    calls = [(X, (2, 3), (2, 1), (1, 1), mode) for mode in ("max", "avg")]
    whats = [
        f"{call_text('pool2d', args)} on {BATCH} (X 2x3x4x5, 0..119 mod 7, minus 10: negative numbers)"
        for args in calls
    ]
    for args, what in zip(calls, whats):
        assert_result(pool2d, args, expected.pool2d(*args), what)
    _check_ceil_mode_and_dilation(pool2d)
    for args, what in zip(calls, whats):
        assert_properties(pool2d, args, what, {0: "X"})


FIVE = "X = 0..24 as 1x1x5x5"
# A 5x5 plane without ties, in no order: 7 * (5 i + j) mod 25.
SCRAMBLED = [[7 * (5 * i + j) % 25 for j in range(5)] for i in range(5)]


def _check_ceil_mode_and_dilation(pool2d) -> None:
    """The chapter's ceil_mode and dilation examples, then both on a batch of non-square planes."""
    X = kit.numbers(1, 1, 5, 5)
    ceil_max = [[6.0, 8.0, 9.0], [16.0, 18.0, 19.0], [21.0, 23.0, 24.0]]
    ceil_avg = [[3.0, 5.0, 6.5], [13.0, 15.0, 16.5], [20.5, 22.5, 24.0]]
    for mode, wanted in (("max", ceil_max), ("avg", ceil_avg)):
        args = (X, 2, 2, 0, mode, True)
        assert_result(
            pool2d,
            args,
            kit.on_device(wanted)[None, None],
            f"{call_text('pool2d', args)} on {FIVE} (ceil_mode: a third row and column of windows that run "
            "past the input, holding its last row or column only)",
        )
    args = (X, 2, 2, 1, "max", True)
    assert_result(
        pool2d,
        args,
        kit.on_device([[0.0, 2.0, 4.0], [10.0, 12.0, 14.0], [20.0, 22.0, 24.0]])[None, None],
        f"{call_text('pool2d', args)} on {FIVE} (rounding up gives 4 windows per axis, but the fourth would "
        "start in the padding after the input, so it is dropped)",
    )
    S = kit.on_device(SCRAMBLED)[None, None]
    args = (S, 2, 1, 0, "max", False, 2)
    assert_result(
        pool2d,
        args,
        expected.pool2d(*args),
        f"{call_text('pool2d', args)} on X 1x1x5x5 = {SCRAMBLED} (each window reads rows i, i + 2 and "
        "columns j, j + 2)",
    )
    X = kit.numbers(2, 3, 6, 5, modulo=7, shift=3.0)
    for args in ((X, (3, 2), 2, 1, "avg", True, 1), (X, (2, 3), (2, 1), (1, 1), "max", True, (2, 1))):
        what = f"{call_text('pool2d', args)} on {BATCH} (X 2x3x6x5, 0..179 mod 7, minus 3)"
        assert_result(pool2d, args, expected.pool2d(*args), what)


# ---------------------------------------------------------------------------------------
# avg_pool2d


@diagnosed
def check_avg_pool2d(avg_pool2d) -> None:
    """Visible checks of ``avg_pool2d``: the default stride, padding counted or not, and
    ``divisor_override``, on inputs where each setting changes the result; then the stated
    properties with the defaults' divisor."""
    X = torch.ones(1, 1, 4, 4, device=device())
    args = (X, 2, None, 0, True, 3)
    assert_result(
        avg_pool2d,
        args,
        torch.full((1, 1, 2, 2), 4 / 3, device=device()),
        f"{call_text('avg_pool2d', args)} on X = ones 1x1x4x4 (every window sums to 4, divided by 3)",
    )
    X = kit.numbers(1, 1, 4, 4)
    assert_result(
        avg_pool2d,
        (X, 2),
        kit.on_device([[2.5, 4.5], [10.5, 12.5]])[None, None],
        "avg_pool2d(X, 2) on X = 0..15 as 1x1x4x4 (every argument after kernel_size left at its default)",
    )
    X = torch.ones(1, 1, 3, 3, device=device())
    included = kit.on_device([[4.0, 6.0, 4.0], [6.0, 9.0, 6.0], [4.0, 6.0, 4.0]])[None, None] / 9
    for count, wanted in ((True, included), (False, torch.ones_like(X))):
        args = (X, 3, 1, 1, count, None)
        assert_result(avg_pool2d, args, wanted, f"{call_text('avg_pool2d', args)} on X = ones 1x1x3x3")
    X = kit.numbers(2, 3, 5, 4, modulo=7, shift=3.0)
    for count, divisor in ((True, None), (False, None), (False, 5)):
        args = (X, (3, 2), (2, 1), (1, 1), count, divisor)
        what = f"{call_text('avg_pool2d', args)} on {BATCH} (X 2x3x5x4, 0..119 mod 7, minus 3)"
        assert_result(avg_pool2d, args, expected.avg_pool2d(*args), what)
    args = (X, (3, 2), (2, 1), (1, 1), True, None)
    assert_properties(avg_pool2d, args, f"{call_text('avg_pool2d', args)} on {BATCH} (X 2x3x5x4)", {0: "X"})


# ---------------------------------------------------------------------------------------
# max_pool_with_indices


def assert_with_indices(max_pool_with_indices, args: tuple, what: str, reference) -> None:
    """The values and the int64 indices of ``max_pool_with_indices(*args)`` match ``reference(*args)``
    (the reference's pair, or its recorded result)."""
    got, _ = call(max_pool_with_indices, *kit.copies(*args), what=what, from_scratch=FROM_SCRATCH)
    if not isinstance(got, tuple) or len(got) != 2:
        raise CheckFailure(f"{what} must return a pair (Y, indices), but it returned {describe(got)}.")
    Y, indices = got
    expected_Y, expected_indices = reference(*args)
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
    default stride, a non-square kernel, and two channels with N = 2; then the stated properties."""
    reference = expected.max_pool_with_indices
    X = kit.on_device(PERMUTED)[None, None]
    args = (X, 2)
    got_what = (
        f"{call_text('max_pool_with_indices', args)} on a non-square plane, X 1x1x4x5 = {PERMUTED} "
        "(stride left at its default)"
    )
    assert_with_indices(max_pool_with_indices, args, got_what, reference)
    args = (X, (2, 3), 1)
    got_what = f"{call_text('max_pool_with_indices', args)} (a non-square kernel) on X 1x1x4x5 = {PERMUTED}"
    assert_with_indices(max_pool_with_indices, args, got_what, reference)
    X = torch.stack([kit.on_device(PERMUTED), 19 - kit.on_device(PERMUTED)]).repeat(2, 1, 1, 1) + 20 * torch.arange(
        2.0, device=device()
    ).reshape(2, 1, 1, 1)
    args = (X, (2, 2), (2, 3))
    got_what = (
        f"{call_text('max_pool_with_indices', args)} on a batch, X 2x2x4x5 (the plane above and 19 minus it, "
        "plus 20 in the second sample)"
    )
    assert_with_indices(max_pool_with_indices, args, got_what, reference)
    assert_properties(max_pool_with_indices, args, got_what, {0: "X"}, output=lambda result: result[0])


# ---------------------------------------------------------------------------------------
# max_unpool


def unpool_args(pool, X: torch.Tensor, kernel, stride=None, values: torch.Tensor | None = None) -> tuple:
    """(Y, indices, (H, W)): ``X`` max-pooled by ``pool`` (the reference ``max_pool_with_indices``,
    or its recorded results), with ``values`` in place of Y if given."""
    Y, indices = pool(X, kernel, stride)
    return (Y if values is None else values, indices, tuple(X.shape[-2:]))


@diagnosed
def check_max_unpool(max_unpool) -> None:
    """Visible checks of ``max_unpool``: the 4x5 plane of distinct values pooled with 2x2
    windows, new values written through the same indices, and N = C = 2 in float64; then the
    stated properties (differentiable in Y only: the indices are integers)."""
    X = kit.on_device(PERMUTED)[None, None]
    args = unpool_args(expected.max_pool_with_indices, X, 2)
    wanted = kit.on_device([[0, 0, 0, 18, 0], [15, 0, 0, 0, 0], [0, 19, 0, 0, 0], [0, 0, 0, 17, 0]])[None, None]
    assert_result(
        max_unpool,
        args,
        wanted,
        f"{call_text('max_unpool', args, 'Y')}, with Y and indices from max-pooling a non-square plane, X 1x1x4x5 "
        f"= {PERMUTED}, with 2x2 windows (Y = [[15, 18], [19, 17]], indices = [[5, 3], [11, 18]])",
    )
    args = unpool_args(
        expected.max_pool_with_indices, X, 2, (2, 3), values=kit.on_device([[1.0, 2.0], [3.0, 4.0]])[None, None]
    )
    assert_result(
        max_unpool,
        args,
        expected.max_unpool(*args),
        f"{call_text('max_unpool', args, 'Y')} with Y = [[1, 2], [3, 4]] and the indices of max-pooling the "
        f"same X with kernel_size=2, stride=(2, 3) ({args[1].flatten().tolist()})",
    )
    X = torch.stack([kit.on_device(PERMUTED), 19 - kit.on_device(PERMUTED)]).repeat(2, 1, 1, 1).double()
    args = unpool_args(expected.max_pool_with_indices, X, 2, values=kit.numbers(2, 2, 2, 2, shift=-1.0).double())
    what = (
        f"{call_text('max_unpool', args, 'Y')} on a batch: Y = 1..16 as 2x2x2x2 (float64) and the indices of "
        "max-pooling X 2x2x4x5 (two channels: the plane above and 19 minus it) with 2x2 windows"
    )
    assert_result(max_unpool, args, expected.max_unpool(*args), what)
    assert_properties(max_unpool, args, what, {0: "Y", 1: "indices"}, differentiable=False)
    properties.assert_differentiable(max_unpool, args, what, {0: "Y"}, from_scratch=FROM_SCRATCH)


# ---------------------------------------------------------------------------------------
# adaptive_avg_pool2d


@diagnosed
def check_adaptive_avg_pool2d(adaptive_avg_pool2d) -> None:
    """Visible checks of ``adaptive_avg_pool2d``: the chapter's 5x7 example to (3, 3), an int
    output size, a global average, and an output as large as the input; then the stated
    properties."""
    X = kit.numbers(1, 1, 5, 7)
    args = (X, (3, 3))
    wanted = kit.on_device([[4.5, 6.5, 8.5], [15.0, 17.0, 19.0], [25.5, 27.5, 29.5]])[None, None]
    assert_result(
        adaptive_avg_pool2d,
        args,
        wanted,
        f"{call_text('adaptive_avg_pool2d', args)} on a non-square plane, X = 0..34 as 1x1x5x7 (row windows "
        "[0, 2), [1, 4), [3, 5); column windows [0, 3), [2, 5), [4, 7))",
    )
    X = kit.numbers(2, 3, 6, 5, modulo=11, shift=4.0)
    for size in (2, (4, 3), 1, (6, 5), (1, 5)):
        args = (X, size)
        what = f"{call_text('adaptive_avg_pool2d', args)} on {BATCH} (X 2x3x6x5, 0..179 mod 11, minus 4)"
        assert_result(adaptive_avg_pool2d, args, expected.adaptive_avg_pool2d(*args), what)
    args = (X, (4, 3))
    what = f"{call_text('adaptive_avg_pool2d', args)} on {BATCH} (X 2x3x6x5)"
    assert_properties(adaptive_avg_pool2d, args, what, {0: "X"})
