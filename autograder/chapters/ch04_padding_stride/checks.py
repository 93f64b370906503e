"""Visible checks of chapter 4 (padding, stride and dilation): ``conv_output_size``, ``pad2d``, ``corr2d_general``.

``conv_output_size`` returns a Python int (or, given tuples, a tuple of them), compared exactly,
computed without a convolution;
the tensor exercises are compared with the references' results on non-square inputs and
kernels, then checked for the properties their text states (the input's dtype and device
kept, inputs unchanged, differentiable). ``pad2d`` must not call a padding built-in
(``F.pad``); ``corr2d_general`` must not call a convolution built-in, but may pad with
``F.pad`` (the intended path is the student's own ``pad2d``). The expected values come from
the chapter's recording (``expected``), the known mistakes' explanations too
(``diagnosed``); the hidden checks are the instructors' (``hidden.py``), which share the
helpers below with their own reference as ``reference``.
"""

from collections.abc import Callable

import torch

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

NO_CONVOLUTION = ("convolution",)
NO_PADDING = ("padding",)


# ---------------------------------------------------------------------------------------
# conv_output_size


def _size_what(n, k, padding, stride, dilation) -> str:
    return f"conv_output_size(n={n!r}, k={k!r}, padding={padding!r}, stride={stride!r}, dilation={dilation!r})"


def _assert_sizes(got, size, what: str) -> None:
    """``got`` is exactly ``size``: the Python int, or the tuple of Python ints, expected."""
    if isinstance(size, int):
        kit.assert_int(got, size, what, kit.OUTPUT_SIZE)
        return
    dims = f"{len(size)} spatial dimension{'s' * (len(size) > 1)}"
    if isinstance(got, list):
        raise CheckFailure(
            f"{what} returned {got!r}, a list; with tuple arguments it must return a tuple, one size per "
            f"dimension ({size!r} here). Convert with tuple(...), as shapes and PyTorch's size arguments are tuples."
        )
    if not isinstance(got, tuple):
        raise CheckFailure(
            f"{what} returned {got!r}; with tuple arguments ({dims}) it must return a tuple of {len(size)} "
            f"int{'s' * (len(size) > 1)}, one output size per dimension: expected {size!r}."
        )
    if len(got) != len(size):
        raise CheckFailure(
            f"{what} returned {got!r}, a tuple of {len(got)}; expected {size!r}, one size per dimension ({dims})."
        )
    if not all(type(value) is int for value in got):
        raise CheckFailure(
            f"{what} returned {got!r}: each entry must be a Python int. {kit.OUTPUT_SIZE.float_advice}"
            if any(isinstance(value, float) for value in got)
            else f"{what} returned {got!r}: each entry must be a Python int (convert with int(...))."
        )
    if got != size:
        raise CheckFailure(f"{what} returned {got!r}, expected {size!r}.")


def assert_size(
    conv_output_size,
    reference: Callable,
    n,
    k,
    padding=0,
    stride=1,
    dilation=1,
    *,
    defaults: bool = False,
) -> None:
    """``conv_output_size`` returns exactly the int, or the tuple of ints, ``reference`` gives
    (with ``defaults``, called as ``conv_output_size(n, k)`` so that its default arguments are used)."""
    size = reference(n, k, padding, stride, dilation)
    if defaults:
        what = f"conv_output_size(n={n!r}, k={k!r}) (default padding, stride and dilation)"
        got, _ = call(conv_output_size, n, k, what=what, from_scratch=NO_CONVOLUTION)
    else:
        what = _size_what(n, k, padding, stride, dilation)
        got, _ = call(conv_output_size, n, k, padding, stride, dilation, what=what, from_scratch=NO_CONVOLUTION)
    _assert_sizes(got, size, what)


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


# Tuples, one entry per spatial dimension, ints broadcast: the sizes nn.Conv1d, nn.Conv2d and
# nn.Conv3d give (n, k, padding, stride, dilation).
TUPLE_EXAMPLES = [
    ((100,), (5,), (2,), (2,), (1,)),  # Conv1d on a sequence of 100: (50,)
    ((8, 6), (3, 5), (1, 0), (2, 1), (1, 1)),  # Conv2d, non-square everything: (4, 2)
    ((7, 9), 3, 1, 2, 1),  # Conv2d with int kernel, padding and stride broadcast: (4, 5)
    ((16, 64, 48), (3, 5, 5), (1, 2, 2), (1, 2, 2), 1),  # Conv3d on a video clip: (16, 32, 24)
    ((9, 10, 11), 3, 0, 1, (1, 2, 3)),  # Conv3d, a dilation per axis: (7, 6, 5)
]


@diagnosed
def check_conv_output_size(conv_output_size) -> None:
    """Visible checks of ``conv_output_size``: the defaults and the chapter's examples, with ints,
    then with tuples for one, two and three spatial dimensions."""
    assert_size(conv_output_size, expected.conv_output_size, 8, 3, defaults=True)
    for example in SIZE_EXAMPLES:
        assert_size(conv_output_size, expected.conv_output_size, *example)
    assert_size(conv_output_size, expected.conv_output_size, (6, 5), (3, 3), defaults=True)
    for example in TUPLE_EXAMPLES:
        assert_size(conv_output_size, expected.conv_output_size, *example)


# ---------------------------------------------------------------------------------------
# pad2d


def assert_pad2d(
    pad2d, reference: Callable, X: torch.Tensor, padding, what: str, known: torch.Tensor | None = None
) -> None:
    """``pad2d(X, padding)`` matches ``reference`` (or ``known``), without a padding built-in."""
    result = reference(X, padding) if known is None else known
    kit.assert_result(pad2d, (X, padding), result, what, from_scratch=NO_PADDING)


def assert_pad2d_properties(pad2d, X: torch.Tensor, padding, what: str) -> None:
    """What the text of ``pad2d`` states besides its values: X unchanged, its dtype and device
    kept, differentiable in X."""
    properties.assert_properties(pad2d, (X, padding), what, {0: "X"}, from_scratch=NO_PADDING)


def _pair_example() -> torch.Tensor:
    """The input of the (ph, pw) example: 1..12 as 3x4."""
    return kit.numbers(3, 4, shift=-1.0)


@diagnosed
def check_pad2d(pad2d) -> None:
    """Visible checks of ``pad2d``: an int padding with its known answer, then a (ph, pw) pair,
    on non-square inputs; then the stated properties."""
    X = kit.on_device([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    known = kit.on_device(
        [
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 2.0, 3.0, 0.0],
            [0.0, 4.0, 5.0, 6.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
        ]
    )
    assert_pad2d(pad2d, expected.pad2d, X, 1, "pad2d(X, 1) with a non-square X = [[1, 2, 3], [4, 5, 6]]", known)
    what = "pad2d(X, (2, 1)) with a non-square X = 1..12 as 3x4 (2 rows above and below, 1 column left and right)"
    assert_pad2d(pad2d, expected.pad2d, _pair_example(), (2, 1), what)
    assert_pad2d_properties(pad2d, _pair_example(), (2, 1), what)


# ---------------------------------------------------------------------------------------
# corr2d_general


def general_what(padding, stride, dilation) -> str:
    return f"corr2d_general(X, K, padding={padding!r}, stride={stride!r}, dilation={dilation!r})"


def assert_general(
    corr2d_general,
    reference: Callable,
    X,
    K,
    padding,
    stride,
    dilation,
    context: str = "",
    known: torch.Tensor | None = None,
) -> None:
    """``corr2d_general`` matches ``reference`` (or ``known``), without a convolution built-in.

    The answer gets copies of X and K, which the visible checks use more than once: one that
    changes its inputs is told so by the property check, not by a puzzling failure on the next
    example."""
    result = reference(X, K, padding, stride, dilation) if known is None else known
    what = general_what(padding, stride, dilation) + (f" {context}" if context else "")
    args = (X.clone(), K.clone(), padding, stride, dilation)
    kit.assert_result(corr2d_general, args, result, what, from_scratch=NO_CONVOLUTION)


def assert_general_properties(corr2d_general, X, K, padding, stride, dilation, context: str = "") -> None:
    """What the text of ``corr2d_general`` states besides its values: X and K unchanged, the
    input's dtype and device kept, differentiable in X and K."""
    what = general_what(padding, stride, dilation) + (f" {context}" if context else "")
    properties.assert_properties(
        corr2d_general, (X, K, padding, stride, dilation), what, {0: "X", 1: "K"}, from_scratch=NO_CONVOLUTION
    )


def _dilated_example() -> tuple[torch.Tensor, torch.Tensor]:
    """The dilation example: X = 0..34 mod 6 as 5x7, K = [[0, 1], [2, 3]]."""
    return kit.numbers(5, 7, modulo=6), kit.on_device([[0.0, 1.0], [2.0, 3.0]])


@diagnosed
def check_corr2d_general(corr2d_general) -> None:
    """Visible checks of ``corr2d_general``: the chapter's examples (padding, stride, dilation),
    non-square kernels and inputs among them; then the stated properties, on the example without
    padding (where an answer that skips the copy would work on X itself)."""
    reference = expected.corr2d_general
    X, K = kit.numbers(3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])
    example = "on the chapter's example (X = 0..8 as 3x3, K = [[0, 1], [2, 3]])"
    padded = kit.on_device(
        [[0.0, 3.0, 8.0, 4.0], [9.0, 19.0, 25.0, 10.0], [21.0, 37.0, 43.0, 16.0], [6.0, 7.0, 8.0, 0.0]]
    )
    assert_general(corr2d_general, reference, X, K, 1, 1, 1, example, padded)
    assert_general(corr2d_general, reference, X, K, 1, (3, 2), 1, example, kit.on_device([[0.0, 8.0], [6.0, 8.0]]))
    X = kit.numbers(8, 8, modulo=7)
    eight = "with X 8x8 (0..63 mod 7)"
    K = kit.on_device([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, -1.0, 3.0]])
    assert_general(corr2d_general, reference, X, K, 1, 1, 1, f"{eight} and a 3x3 K (output 8x8)")
    K5 = kit.numbers(5, 3, shift=7.0)
    assert_general(corr2d_general, reference, X, K5, (2, 1), 1, 1, f"{eight} and a non-square 5x3 K (output 8x8)")
    assert_general(corr2d_general, reference, X, K, 1, 2, 1, f"{eight} and a 3x3 K (output 4x4)")
    K = kit.numbers(3, 5, modulo=4, shift=1.0)
    assert_general(corr2d_general, reference, X, K, (0, 1), (3, 4), 1, f"{eight} and a non-square 3x5 K (output 2x2)")
    context = "with a non-square X 5x7 (0..34 mod 6), K = [[0, 1], [2, 3]] (output 3x5)"
    assert_general(corr2d_general, reference, *_dilated_example(), 0, 1, 2, context)
    assert_general_properties(corr2d_general, *_dilated_example(), 0, 1, 2, context)
