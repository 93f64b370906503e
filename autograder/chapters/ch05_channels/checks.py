"""Visible checks of chapter 5 (channels): ``corr2d_multi_in``, ``corr2d_multi_in_out``,
``corr2d_1x1``, ``conv2d_num_params``, ``linear_num_params`` and ``corr2d_grouped``.

The tensor exercises are from scratch (no built-in convolution; chapter 2's finished
``corr2d`` from :mod:`autograder.runtime.blocks` is allowed), work on non-square inputs and
kernels, and keep the properties their text states: the input's dtype and device, inputs
unchanged, differentiable in ``X`` and ``K`` (checked after the values). ``corr2d_1x1`` must also
run a matrix product and a number of operations that does not grow with the sizes. The
parameter counts are Python ints compared exactly, computed from scratch with arithmetic (no
tensors, no modules).

The expected values come from the chapter's recording (``expected``), the known mistakes'
explanations too (``diagnosed``); the hidden checks are the instructors' (``hidden.py``).
"""

import torch

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

FROM_SCRATCH = ("convolution",)

# ATen operations that are a matrix product (``@``, torch.matmul, einsum, tensordot and
# F.linear all end in one of them).
MATRIX_PRODUCTS = frozenset(
    {
        "mm",
        "bmm",
        "addmm",
        "baddbmm",
        "addbmm",
        "matmul",
        "_addmm_activation",
        "mv",
        "addmv",
        "dot",
        "vdot",
        "linear",
    }
)


def _example_X() -> torch.Tensor:
    """The chapter's two-channel input: channel 0 holds 0..8, channel 1 holds 1..9 (3x3 each)."""
    return torch.stack([torch.arange(9.0, device=device()), torch.arange(1.0, 10.0, device=device())]).reshape(2, 3, 3)


def _example_K() -> torch.Tensor:
    """The chapter's two-channel kernel: [[0, 1], [2, 3]] and [[1, 2], [3, 4]]."""
    return kit.on_device([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])


EXAMPLE = "the chapter's example (X channels 0..8 and 1..9 as 3x3, K channels [[0, 1], [2, 3]] and [[1, 2], [3, 4]])"


def assert_tensor_properties(fn, args: tuple, what: str) -> None:
    """What the text of every tensor exercise states, besides its values: inputs unchanged, the
    input's dtype and device kept, differentiable in X and K (the first two arguments). The
    visible checks pass inputs made afresh: an answer may have changed those of the value checks."""
    properties.assert_properties(fn, args, what, {0: "X", 1: "K"}, from_scratch=FROM_SCRATCH)


# ---------------------------------------------------------------------------------------
# corr2d_multi_in


@diagnosed
def check_corr2d_multi_in(corr2d_multi_in) -> None:
    """Visible checks of ``corr2d_multi_in``: the chapter's two-channel example and a
    three-channel non-square case, without the built-in convolution; then the stated properties."""
    what = f"corr2d_multi_in(X, K) on {EXAMPLE}"
    known = kit.on_device([[56.0, 72.0], [104.0, 120.0]])
    kit.assert_result(corr2d_multi_in, (_example_X(), _example_K()), known, what, from_scratch=FROM_SCRATCH)
    X = kit.numbers(3, 4, 5, modulo=7)
    K = kit.numbers(3, 3, 2, modulo=5, shift=2.0)
    kit.assert_result(
        corr2d_multi_in,
        (X, K),
        expected.corr2d_multi_in(X, K),
        "corr2d_multi_in(X, K) on a non-square example: X 3x4x5 (0..59 mod 7) and K 3x3x2 (0..17 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )
    assert_tensor_properties(corr2d_multi_in, (_example_X(), _example_K()), what)


# ---------------------------------------------------------------------------------------
# corr2d_multi_in_out


def _three_outputs_example() -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's X, and its kernel K stacked with K + 1 and K + 2: three output channels."""
    K = _example_K()
    return _example_X(), torch.stack([K, K + 1, K + 2])


@diagnosed
def check_corr2d_multi_in_out(corr2d_multi_in_out) -> None:
    """Visible checks of ``corr2d_multi_in_out``: the chapter's example with three output
    channels (K, K + 1, K + 2), then a non-square case with 2 input and 3 output channels;
    then the stated properties."""
    what = (
        "corr2d_multi_in_out(X, K) on the chapter's example (X channels 0..8 and 1..9 as 3x3, "
        "K of shape (3, 2, 2, 2): the example's kernel K, K + 1 and K + 2)"
    )
    known = kit.on_device(
        [[[56.0, 72.0], [104.0, 120.0]], [[76.0, 100.0], [148.0, 172.0]], [[96.0, 128.0], [192.0, 224.0]]]
    )
    kit.assert_result(corr2d_multi_in_out, _three_outputs_example(), known, what, from_scratch=FROM_SCRATCH)
    X = kit.numbers(2, 4, 5, modulo=6)
    K = kit.numbers(6, 3, 2, modulo=5, shift=2.0).reshape(3, 2, 3, 2)
    kit.assert_result(
        corr2d_multi_in_out,
        (X, K),
        expected.corr2d_multi_in_out(X, K),
        "corr2d_multi_in_out(X, K) on a non-square example: X 2x4x5 (0..39 mod 6) and K 3x2x3x2 (0..35 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )
    assert_tensor_properties(corr2d_multi_in_out, _three_outputs_example(), what)


# ---------------------------------------------------------------------------------------
# corr2d_1x1


def assert_1x1(corr2d_1x1, X: torch.Tensor, K: torch.Tensor, what: str, result: torch.Tensor) -> None:
    """Right values (``result``, the reference's), no built-in convolution, and at least one
    matrix product among the operations.

    With a single input channel there is nothing to add up (the product is an outer product,
    which einsum, for one, computes by broadcasting), so only the values count there.
    """
    got, ops = call(corr2d_1x1, X, K, what=what, from_scratch=FROM_SCRATCH)
    assert_matches(got, result, what)
    if X.shape[0] > 1 and not MATRIX_PRODUCTS.intersection(ops):
        ran = ", ".join(sorted(set(ops))) or "none"
        raise CheckFailure(
            f"{what} gives the right values, but it ran no matrix product (the tensor operations it "
            f"ran: {ran}). The exercise asks for the 1x1 convolution as one matrix product: view K as a "
            "(Co, Ci) matrix and X as a (Ci, H * W) matrix, and multiply them with @ (torch.matmul)."
        )


def assert_1x1_no_loop(
    corr2d_1x1, small: tuple[int, int, int, int], large: tuple[int, int, int, int], cases: Cases | None
) -> None:
    """The number of operations must not grow with Co, Ci, H and W (a loop over any of them would)."""

    def draw(*shape):
        return torch.randn(*shape).to(device()) if cases is None else cases.randn(*shape)

    args = [(draw(Ci, H, W), draw(Co, Ci, 1, 1)) for Co, Ci, H, W in (small, large)]
    sizes = " and ".join(f"(Co, Ci, H, W) = {size}" for size in (small, large))
    kit.assert_ops_do_not_grow(
        corr2d_1x1,
        *args,
        what=f"corr2d_1x1(X, K) with {sizes}",
        advice="Use one matrix product for all output channels, input channels and pixels at once, "
        "with no Python loop.",
        from_scratch=FROM_SCRATCH,
    )


def _1x1_example() -> tuple[torch.Tensor, torch.Tensor]:
    """X = 0..17 as 3x2x3 and K 2x3x1x1: output channel 0 adds the channels, 1 is channel 0 minus 2."""
    return kit.numbers(3, 2, 3), kit.on_device([[1.0, 1.0, 1.0], [1.0, 0.0, -1.0]]).reshape(2, 3, 1, 1)


@diagnosed
def check_corr2d_1x1(corr2d_1x1) -> None:
    """Visible checks of ``corr2d_1x1``: a 3-channel non-square example with a known answer, a
    larger case, a matrix product, no loop (the operation count does not grow with the sizes),
    and the stated properties."""
    what = (
        "corr2d_1x1(X, K) on a non-square example: X 3x2x3 (channels 0..5, 6..11, 12..17) and K 2x3x1x1 "
        "(output channel 0 adds the three channels, output channel 1 is channel 0 minus channel 2)"
    )
    known = kit.on_device([[[18.0, 21.0, 24.0], [27.0, 30.0, 33.0]], [[-12.0] * 3, [-12.0] * 3]])
    assert_1x1(corr2d_1x1, *_1x1_example(), what, known)
    X = kit.numbers(4, 3, 5, modulo=7)
    K = kit.numbers(5, 4, 1, modulo=5, shift=2.0).reshape(5, 4, 1, 1)
    assert_1x1(
        corr2d_1x1,
        X,
        K,
        "corr2d_1x1(X, K) with X 4x3x5 (0..59 mod 7) and K 5x4x1x1 (0..19 mod 5, minus 2)",
        expected.corr2d_1x1(X, K),
    )
    assert_1x1_no_loop(corr2d_1x1, (3, 2, 4, 5), (7, 5, 9, 11), None)
    assert_tensor_properties(corr2d_1x1, _1x1_example(), what)


# ---------------------------------------------------------------------------------------
# conv2d_num_params and linear_num_params


PARAMETER_COUNT = kit.IntAdvice(
    quantity="the number of parameters",
    float_advice=(
        "A float usually comes from true division /, which gives one even when the division is exact: "
        "count with integers only (floor division // where you divide)."
    ),
    tensor_advice=", computed with integer arithmetic on the arguments (no tensors).",
    type_aside=", of type {}",
)


def _assert_count(fn, count: int, what: str, args: tuple) -> None:
    """``fn(*args)`` returns exactly ``count``, as a Python int, and builds no tensor on the way.

    The checks try small layers before large ones, so that an answer that builds the layer
    it counts is refused before it could allocate a large one (600 million weights take
    seconds and gigabytes)."""
    got, ops = call(fn, *args, what=what)
    if ops and not isinstance(got, torch.Tensor):
        raise CheckFailure(
            f"{what} built a layer or tensors to count the parameters: counting must not build the layer "
            "(a large one takes seconds and gigabytes). Count from scratch, with Python integer arithmetic "
            "on the arguments; building the layer is how the check finds the expected count."
        )
    kit.assert_int(got, count, what, PARAMETER_COUNT)


def assert_conv2d_count(
    conv2d_num_params,
    in_channels: int,
    out_channels: int,
    kernel_size,
    bias: bool = True,
    groups: int = 1,
    *,
    defaults: bool = False,
    reference=expected.conv2d_num_params,
) -> None:
    """``conv2d_num_params`` gives the parameter count of the matching ``nn.Conv2d`` (as
    ``reference`` counts it: the recorded one by default). Arguments are passed by position,
    in the order of the signature; with ``defaults``, ``bias`` and ``groups`` are left out so
    that the defaults are used. A (kh, kw) kernel with kh != kw is named as non-square."""
    count = reference(in_channels, out_channels, kernel_size, bias=bias, groups=groups)
    head = f"conv2d_num_params(in_channels={in_channels}, out_channels={out_channels}, kernel_size={kernel_size!r}"
    if defaults:
        what, args = f"{head}) (default bias and groups)", (in_channels, out_channels, kernel_size)
    else:
        what, args = f"{head}, bias={bias}, groups={groups})", (in_channels, out_channels, kernel_size, bias, groups)
    if len(set(kit.as_pair(kernel_size))) > 1:
        what += " (a non-square kernel)"
    _assert_count(conv2d_num_params, count, what, args)


def assert_linear_count(
    linear_num_params,
    in_features: int,
    out_features: int,
    bias: bool = True,
    *,
    defaults: bool = False,
    reference=expected.linear_num_params,
) -> None:
    """``linear_num_params`` gives the parameter count of the matching ``nn.Linear`` (as
    ``reference`` counts it: the recorded one by default)."""
    count = reference(in_features, out_features, bias=bias)
    head = f"linear_num_params(in_features={in_features}, out_features={out_features}"
    if defaults:
        what, args = f"{head}) (default bias)", (in_features, out_features)
    else:
        what, args = f"{head}, bias={bias})", (in_features, out_features, bias)
    _assert_count(linear_num_params, count, what, args)


# The chapter's examples: (in_channels, out_channels, kernel_size, bias, groups).
CONV2D_EXAMPLES = [
    (3, 64, 3, True, 1),  # the first layer of a VGG-style network: 1792
    (3, 1, 5, False, 1),  # one 5x5 filter on a 3-channel image: 75 weights
    (2, 3, (3, 5), True, 1),  # chapter 5's nn.Conv2d(2, 3, kernel_size=(3, 5)): 93
    (256, 64, 1, True, 1),  # a 1x1 convolution that shrinks 256 channels to 64
    (64, 128, 3, True, 4),  # four groups of 16 input and 32 output channels
    (32, 32, 3, False, 32),  # depthwise: one 3x3 filter per channel
]


@diagnosed
def check_conv2d_num_params(conv2d_num_params) -> None:
    """Visible checks of ``conv2d_num_params``: the chapter's examples and the defaults."""
    first, *rest = CONV2D_EXAMPLES
    assert_conv2d_count(conv2d_num_params, *first)
    assert_conv2d_count(conv2d_num_params, 3, 64, 3, defaults=True)
    for example in rest:
        assert_conv2d_count(conv2d_num_params, *example)


# The chapter's examples: (in_features, out_features, bias), the large layer last (see _assert_count).
LINEAR_EXAMPLES = [
    (784, 10, True),  # a 28x28 image to 10 classes
    (10, 5, False),
    (224 * 224 * 3, 4096, True),  # a 224x224 RGB image flattened into a 4096-unit layer
]


@diagnosed
def check_linear_num_params(linear_num_params) -> None:
    """Visible checks of ``linear_num_params``: the chapter's examples and the default bias."""
    first, *rest = LINEAR_EXAMPLES
    assert_linear_count(linear_num_params, *first)
    assert_linear_count(linear_num_params, 784, 10, defaults=True)
    for example in rest:
        assert_linear_count(linear_num_params, *example)


# ---------------------------------------------------------------------------------------
# corr2d_grouped


def _grouped_example() -> tuple[torch.Tensor, torch.Tensor]:
    """Four input channels 0..8, 1..9, 2..10, 3..11 (3x3), and K = the example's kernel and K + 1."""
    X = torch.stack([torch.arange(c, c + 9.0, device=device()) for c in range(4)]).reshape(4, 3, 3)
    K = _example_K()
    return X, torch.stack([K, K + 1])


@diagnosed
def check_corr2d_grouped(corr2d_grouped) -> None:
    """Visible checks of ``corr2d_grouped``: two groups on the chapter's example, a non-square
    depthwise case, and one group (an ordinary multi-channel convolution), without the built-in
    convolution; then the stated properties."""
    what = (
        "corr2d_grouped(X, K, groups=2) with X 4x3x3 (channels 0..8, 1..9, 2..10, 3..11) and K "
        "2x2x2x2 (the chapter's two-channel kernel for output 0, the same plus 1 for output 1)"
    )
    known = kit.on_device([[[56.0, 72.0], [104.0, 120.0]], [[124.0, 148.0], [196.0, 220.0]]])
    kit.assert_result(corr2d_grouped, (*_grouped_example(), 2), known, what, from_scratch=FROM_SCRATCH)
    X = kit.numbers(3, 4, 5, modulo=7)
    K = kit.numbers(6, 2, 3, modulo=5, shift=2.0).reshape(6, 1, 2, 3)
    kit.assert_result(
        corr2d_grouped,
        (X, K, 3),
        expected.corr2d_grouped(X, K, 3),
        "corr2d_grouped(X, K, groups=3) on a non-square depthwise example (two filters per channel): "
        "X 3x4x5 (0..59 mod 7) and K 6x1x2x3 (0..35 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(2, 4, 5, modulo=6)
    K = kit.numbers(6, 3, 2, modulo=5, shift=2.0).reshape(3, 2, 3, 2)
    kit.assert_result(
        corr2d_grouped,
        (X, K, 1),
        expected.corr2d_grouped(X, K, 1),
        "corr2d_grouped(X, K, groups=1) on a non-square example: X 2x4x5 (0..39 mod 6) and K 3x2x3x2 "
        "(0..35 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )
    assert_tensor_properties(corr2d_grouped, (*_grouped_example(), 2), what)
