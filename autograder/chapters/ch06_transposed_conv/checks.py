"""Visible checks of chapter 6 (transposed convolution): ``conv_matrix``, ``trans_conv`` and
``trans_conv_output_size``.

The tensor exercises may not run a built-in convolution (the family catches
``F.conv_transpose2d`` and ``nn.ConvTranspose2d`` too); chapter 2's finished ``corr2d`` from
:mod:`autograder.runtime.blocks` is allowed. After their values, the checks test what the
exercises' text states (:mod:`autograder.runtime.properties`): inputs unchanged, dtype and device
kept, differentiable. ``trans_conv_output_size`` returns a Python int computed with arithmetic,
compared exactly. The expected values come from the chapter's
recording (``expected``), the known mistakes' explanations too (``diagnosed``); the hidden
checks are the instructors' (``hidden.py``).
"""

import torch

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

FROM_SCRATCH = ("convolution",)


# ---------------------------------------------------------------------------------------
# conv_matrix


def assert_conv_matrix(conv_matrix, K: torch.Tensor, input_shape: tuple[int, int], what: str, expected) -> None:
    """``conv_matrix(K, input_shape)`` matches ``expected``, without a built-in convolution."""
    kit.assert_result(conv_matrix, kit.copies(K, input_shape), expected, what, from_scratch=FROM_SCRATCH)


@diagnosed
def check_conv_matrix(conv_matrix) -> None:
    """Visible checks of ``conv_matrix``: the chapter's 2x2 kernel on a 3x3 input (known answer),
    the 3x3 kernel on a 4x4 input of Dumoulin and Visin (chapter 6), a non-square case, then the
    stated properties on it."""
    K = kit.on_device([[1.0, 2.0], [3.0, 4.0]])
    known = kit.on_device(
        [
            [1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 3.0, 4.0],
        ]
    )
    assert_conv_matrix(
        conv_matrix,
        K,
        (3, 3),
        "conv_matrix(K, (3, 3)) with K = [[1, 2], [3, 4]] "
        "(W has 4 rows, one per output element, and 9 columns, one per input pixel)",
        known,
    )
    K = kit.numbers(3, 3, shift=-1.0)
    assert_conv_matrix(
        conv_matrix,
        K,
        (4, 4),
        "conv_matrix(K, (4, 4)) with K = 1..9 as 3x3 (W is 4x16)",
        expected.conv_matrix(K, (4, 4)),
    )
    K = kit.numbers(2, 3, modulo=5, shift=2.0)
    what = (
        "conv_matrix(K, (3, 5)) on a non-square example: K 2x3 (0..5 mod 5, minus 2) and an input of 3 rows "
        "and 5 columns (W is 6x15)"
    )
    assert_conv_matrix(conv_matrix, K, (3, 5), what, expected.conv_matrix(K, (3, 5)))
    properties.assert_properties(conv_matrix, (K, (3, 5)), what, {0: "K"}, from_scratch=FROM_SCRATCH)


# ---------------------------------------------------------------------------------------
# trans_conv


def trans_what(stride, padding) -> str:
    """The call ``trans_conv(X, K, stride, padding)`` in words."""
    return f"trans_conv(X, K, stride={stride!r}, padding={padding!r})"


def assert_trans_conv(
    trans_conv,
    X,
    K,
    stride,
    padding,
    context: str,
    expected,
    *,
    defaults: bool = False,
) -> None:
    """``trans_conv`` matches ``expected``, without a built-in convolution.
    With ``defaults``, it is called as ``trans_conv(X, K)``."""
    what = "trans_conv(X, K)" if defaults else trans_what(stride, padding)
    what += f" {context}" if context else ""
    args = (X, K) if defaults else (X, K, stride, padding)
    kit.assert_result(trans_conv, kit.copies(*args), expected, what, from_scratch=FROM_SCRATCH)


@diagnosed
def check_trans_conv(trans_conv) -> None:
    """Visible checks of ``trans_conv``: the chapter's 2x2 example with the defaults, with stride 2
    and with padding 1 (known answers), a non-square case with pair arguments, then the stated
    properties on it."""
    X = kit.on_device([[0.0, 1.0], [2.0, 3.0]])
    K = kit.on_device([[0.0, 1.0], [2.0, 3.0]])
    example = "on the chapter's example (X = K = [[0, 1], [2, 3]])"
    assert_trans_conv(
        trans_conv,
        X,
        K,
        1,
        0,
        example,
        kit.on_device([[0.0, 0.0, 1.0], [0.0, 4.0, 6.0], [4.0, 12.0, 9.0]]),
        defaults=True,
    )
    strided = kit.on_device([[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 2.0, 3.0], [0.0, 2.0, 0.0, 3.0], [4.0, 6.0, 6.0, 9.0]])
    assert_trans_conv(trans_conv, X, K, 2, 0, example, strided)
    assert_trans_conv(trans_conv, X, K, 1, 1, example, kit.on_device([[4.0]]))
    X = kit.numbers(2, 3, modulo=4)
    K = kit.numbers(3, 2, modulo=5, shift=2.0)
    context = "on a non-square example: X 2x3 (0..5 mod 4) and K 3x2 (0..5 mod 5, minus 2) (output 5x2)"
    assert_trans_conv(trans_conv, X, K, (2, 1), (0, 1), context, expected.trans_conv(X, K, (2, 1), (0, 1)))
    properties.assert_properties(
        trans_conv,
        (X, K, (2, 1), (0, 1)),
        f"{trans_what((2, 1), (0, 1))} {context}",
        {0: "X", 1: "K"},
        from_scratch=FROM_SCRATCH,
    )


# ---------------------------------------------------------------------------------------
# trans_conv_output_size

ARGUMENTS = ("stride", "padding", "output_padding", "dilation")

# What a size that is not a Python int is told: what came back, then the usual causes (no formula
# of the exercise divides, so a float has other sources too).
SIZE_ADVICE = kit.IntAdvice(
    quantity="the output size",
    float_advice="Usual causes: a float somewhere in the arithmetic (a constant such as 1.0, float(...), "
    "math.pow, or a true division /, which gives a float even when it divides evenly). Keep every step "
    "in Python integers.",
    tensor_advice=". Compute the size with Python integers, not tensors.",
)


def size_what(n: int, k: int, *settings: int) -> str:
    """The call ``trans_conv_output_size(n, k, *settings)`` in words, the settings named."""
    named = ", ".join(f"{name}={value}" for name, value in zip(ARGUMENTS, settings))
    return f"trans_conv_output_size(n={n}, k={k}, {named})"


def assert_size(
    trans_conv_output_size,
    reference,
    n: int,
    k: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
    *,
    defaults: bool = False,
) -> None:
    """``trans_conv_output_size`` returns exactly ``reference``'s int, with Python arithmetic only
    (with ``defaults``, it is called as ``trans_conv_output_size(n, k)``)."""
    want = reference(n, k, stride, padding, output_padding, dilation)
    if defaults:
        what, args = f"trans_conv_output_size(n={n}, k={k}) (default stride, padding, output_padding, dilation)", (n, k)
    else:
        args = (n, k, stride, padding, output_padding, dilation)
        what = size_what(*args)
    got, ops = call(trans_conv_output_size, *args, what=what)
    if ops:
        raise CheckFailure(
            f"{what} used PyTorch tensors or layers; it must compute the size from scratch, with Python "
            "integer arithmetic on its arguments (running a real layer is how the check finds the expected size)."
        )
    kit.assert_int(got, want, what, SIZE_ADVICE)


# The chapter's examples: (n, k, stride, padding, output_padding, dilation).
SIZE_EXAMPLES = [
    (2, 3, 1, 0, 0, 1),  # Dumoulin and Visin: a 2x2 input and a 3x3 kernel give 4x4
    (2, 2, 2, 0, 0, 1),  # stride 2 doubles 2 to 4
    (2, 2, 1, 1, 0, 1),  # padding 1 crops the 3x3 result to 1x1
    (4, 3, 2, 1, 0, 1),  # undoes the shape of a stride-2 convolution of 7 ...
    (4, 3, 2, 1, 1, 1),  # ... or, with output_padding 1, of 8
    (3, 3, 1, 0, 0, 2),  # dilation 2: the kernel spans 5
    (4, 4, 2, 1, 0, 1),  # the DCGAN generator block doubles 4 to 8
    (5, 3, 3, 2, 2, 1),  # output_padding up to stride - 1
]


@diagnosed
def check_trans_conv_output_size(trans_conv_output_size) -> None:
    """Visible checks of ``trans_conv_output_size``: the defaults, then the chapter's examples."""
    assert_size(trans_conv_output_size, expected.trans_conv_output_size, 2, 2, defaults=True)
    for example in SIZE_EXAMPLES:
        assert_size(trans_conv_output_size, expected.trans_conv_output_size, *example)
