"""Checks of chapter 5 (channels): ``corr2d_multi_in``, ``corr2d_multi_in_out``, ``corr2d_1x1``,
``conv2d_num_params``, ``linear_num_params`` and ``corr2d_grouped``.

The tensor exercises are from scratch (no built-in convolution; chapter 2's finished
``corr2d`` from :mod:`autograder.runtime.blocks` is allowed) and compared with the references of
:mod:`autograder.chapters.ch05_channels.reference`. ``corr2d_1x1`` must also run a matrix product and a
number of operations that does not grow with the sizes. The parameter counts are Python
ints compared exactly, computed with arithmetic (no tensors, no modules).
"""

from functools import partial

import torch

from autograder.chapters.ch05_channels import mistakes
from autograder.chapters.ch05_channels import reference as ref
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

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


def _tensor_hidden(fn, name: str, reference, cases: Cases, items: list, gradient: tuple) -> None:
    """Run the hidden cases ``items`` ((args, inputs in words) each), then the gradient case
    ``gradient`` (args, labels of the tensor args, inputs in words), in float64."""
    plan = [
        kit.Hidden(
            inputs, partial(kit.assert_result, fn, args, reference(*args), _what(name, args), from_scratch=FROM_SCRATCH)
        )
        for args, inputs in items
    ]
    args, labels, inputs = gradient
    G = cases.randn(*reference(*args).shape, dtype=torch.float64)
    plan.append(
        kit.Hidden(
            inputs,
            partial(
                kit.assert_gradients_match, fn, reference, args, G, _what(name, args), labels, from_scratch=FROM_SCRATCH
            ),
        )
    )
    kit.run_hidden(cases, plan)


def _what(name: str, args) -> str:
    """``name(X, K)`` or ``name(X, K, groups=g)``: how the function was called."""
    return f"{name}(X, K)" if len(args) == 2 else f"{name}(X, K, groups={args[2]})"


def _inputs(X: torch.Tensor, K: torch.Tensor, extra: str = "") -> str:
    """Describe the inputs of a hidden case: shapes and dtype."""
    return f"X of shape {shape_text(X.shape)} and K of shape {shape_text(K.shape)}{extra} ({X.dtype})"


# ---------------------------------------------------------------------------------------
# corr2d_multi_in


@diagnosed
def check_corr2d_multi_in(corr2d_multi_in) -> None:
    """Visible checks of ``corr2d_multi_in``: the chapter's two-channel example and a
    three-channel non-square case, without the built-in convolution."""
    kit.assert_result(
        corr2d_multi_in,
        (_example_X(), _example_K()),
        kit.on_device([[56.0, 72.0], [104.0, 120.0]]),
        f"corr2d_multi_in(X, K) on {EXAMPLE}",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(3, 4, 5, modulo=7)
    K = kit.numbers(3, 2, 3, modulo=5, shift=2.0)
    kit.assert_result(
        corr2d_multi_in,
        (X, K),
        ref.corr2d_multi_in(X, K),
        "corr2d_multi_in(X, K) with X 3x4x5 (0..59 mod 7) and K 3x2x3 (0..17 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )


def _multi_in_plan(cases: Cases) -> list:
    """(X, K) of random channel counts, H != W and kh != kw, one channel, a kernel as large as
    the input, float64."""
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
    items = []
    for Ci, H, W, kh, kw, dtype in shapes:
        X, K = cases.randn(Ci, H, W, dtype=dtype), cases.randn(Ci, kh, kw, dtype=dtype)
        extra = " (the kernel as large as the input)" if (kh, kw) == (H, W) else ""
        items.append(((X, K), _inputs(X, K, extra)))
    return items


@diagnosed
def grade_corr2d_multi_in(corr2d_multi_in) -> None:
    """Hidden checks of ``corr2d_multi_in``: random channel counts (1 included), non-square
    inputs and kernels, a kernel as large as the input, float64, gradients."""
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
def check_corr2d_multi_in_out(corr2d_multi_in_out) -> None:
    """Visible checks of ``corr2d_multi_in_out``: the chapter's example with three output
    channels (K, K + 1, K + 2), then a non-square case with 2 input and 3 output channels."""
    K = _example_K()
    K = torch.stack([K, K + 1, K + 2])
    expected = kit.on_device(
        [[[56.0, 72.0], [104.0, 120.0]], [[76.0, 100.0], [148.0, 172.0]], [[96.0, 128.0], [192.0, 224.0]]]
    )
    kit.assert_result(
        corr2d_multi_in_out,
        (_example_X(), K),
        expected,
        "corr2d_multi_in_out(X, K) on the chapter's example (X channels 0..8 and 1..9 as 3x3, "
        "K of shape (3, 2, 2, 2): the example's kernel K, K + 1 and K + 2)",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(2, 4, 5, modulo=6)
    K = kit.numbers(6, 3, 2, modulo=5, shift=2.0).reshape(3, 2, 3, 2)
    kit.assert_result(
        corr2d_multi_in_out,
        (X, K),
        ref.corr2d_multi_in_out(X, K),
        "corr2d_multi_in_out(X, K) with X 2x4x5 (0..39 mod 6) and K 3x2x3x2 (0..35 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )


@diagnosed
def grade_corr2d_multi_in_out(corr2d_multi_in_out) -> None:
    """Hidden checks of ``corr2d_multi_in_out``: Ci != Co (one input channel, one output
    channel), non-square inputs and kernels, a kernel as large as the input, float64, gradients."""
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


def _assert_1x1(corr2d_1x1, X: torch.Tensor, K: torch.Tensor, what: str, expected: torch.Tensor | None = None) -> None:
    """Right values, no built-in convolution, and at least one matrix product among the operations.

    With a single input channel there is nothing to add up (the product is an outer product,
    which einsum, for one, computes by broadcasting), so only the values count there.
    """
    expected = ref.corr2d_1x1(X, K) if expected is None else expected
    got, ops = call(corr2d_1x1, X, K, what=what, from_scratch=FROM_SCRATCH)
    assert_matches(got, expected, what)
    if X.shape[0] > 1 and not MATRIX_PRODUCTS.intersection(ops):
        ran = ", ".join(sorted(set(ops))) or "none"
        raise CheckFailure(
            f"{what} gives the right values, but it ran no matrix product (the tensor operations it "
            f"ran: {ran}). The exercise asks for the 1x1 convolution as one matrix product: view K as a "
            "(Co, Ci) matrix and X as a (Ci, H * W) matrix, and multiply them with @ (torch.matmul)."
        )


def _assert_1x1_no_loop(
    corr2d_1x1, small: tuple[int, int, int, int], large: tuple[int, int, int, int], cases: Cases | None
) -> None:
    """The number of operations must not grow with Co, Ci, H and W (a loop over any of them would)."""

    def draw(*shape):
        return torch.randn(*shape, device=device()) if cases is None else cases.randn(*shape)

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


@diagnosed
def check_corr2d_1x1(corr2d_1x1) -> None:
    """Visible checks of ``corr2d_1x1``: a 3-channel example with a known answer, a larger case,
    a matrix product, and no loop (the operation count does not grow with the sizes)."""
    X = kit.numbers(3, 2, 3)
    K = kit.on_device([[1.0, 1.0, 1.0], [1.0, 0.0, -1.0]]).reshape(2, 3, 1, 1)
    expected = kit.on_device([[[18.0, 21.0, 24.0], [27.0, 30.0, 33.0]], [[-12.0] * 3, [-12.0] * 3]])
    _assert_1x1(
        corr2d_1x1,
        X,
        K,
        "corr2d_1x1(X, K) with X 3x2x3 (channels 0..5, 6..11, 12..17) and K 2x3x1x1 "
        "(output channel 0 adds the three channels, output channel 1 is channel 0 minus channel 2)",
        expected,
    )
    X = kit.numbers(4, 3, 5, modulo=7)
    K = kit.numbers(5, 4, 1, modulo=5, shift=2.0).reshape(5, 4, 1, 1)
    _assert_1x1(corr2d_1x1, X, K, "corr2d_1x1(X, K) with X 4x3x5 (0..59 mod 7) and K 5x4x1x1 (0..19 mod 5, minus 2)")
    _assert_1x1_no_loop(corr2d_1x1, (3, 2, 4, 5), (7, 5, 9, 11), None)


@diagnosed
def grade_corr2d_1x1(corr2d_1x1) -> None:
    """Hidden checks of ``corr2d_1x1``: random Ci != Co (one input channel, one output channel),
    H != W, float64, gradients, a matrix product and no loop on larger sizes."""
    cases = Cases()
    shapes = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        Ci, Co = cases.distinct_sizes(2, 8)
        shapes.append((Co, Ci, *cases.distinct_sizes(2, 12), dtype))
    shapes.append((cases.size(2, 5), 1, *cases.distinct_sizes(2, 9), torch.float32))
    shapes.append((1, cases.size(2, 5), *cases.distinct_sizes(2, 9), torch.float32))
    plan = []
    for Co, Ci, H, W, dtype in shapes:
        X, K = cases.randn(Ci, H, W, dtype=dtype), cases.randn(Co, Ci, 1, 1, dtype=dtype)
        plan.append(kit.Hidden(_inputs(X, K), partial(_assert_1x1, corr2d_1x1, X, K, "corr2d_1x1(X, K)")))
    Ci, Co = cases.distinct_sizes(2, 5)
    H, W = cases.distinct_sizes(3, 7)
    X, K = cases.randn(Ci, H, W, dtype=torch.float64), cases.randn(Co, Ci, 1, 1, dtype=torch.float64)
    G = cases.randn(Co, H, W, dtype=torch.float64)
    plan.append(
        kit.Hidden(
            f"the gradient for {_inputs(X, K)}",
            partial(
                kit.assert_gradients_match,
                corr2d_1x1,
                ref.corr2d_1x1,
                (X, K),
                G,
                "corr2d_1x1(X, K)",
                ("X", "K"),
                from_scratch=FROM_SCRATCH,
            ),
        )
    )
    small = (cases.size(2, 3), cases.size(2, 3), cases.size(3, 5), cases.size(3, 5))
    large = tuple(size + cases.size(3, 8) for size in small)
    plan.append(
        kit.Hidden(
            "a small and a larger input, to count the operations",
            partial(_assert_1x1_no_loop, corr2d_1x1, small, large, cases),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# conv2d_num_params and linear_num_params


PARAMETER_COUNT = kit.IntAdvice(
    quantity="the number of parameters",
    float_advice=(
        "True division / always gives a float, even when the division is exact: use floor division // instead."
    ),
    tensor_advice=". Count with Python integers, not tensors.",
    type_aside=", of type {}",
)


def _assert_count(fn, expected: int, what: str, args: tuple) -> None:
    """``fn(*args)`` returns exactly ``expected``, as a Python int, with no tensor operation."""
    got, ops = call(fn, *args, what=what)
    if ops:
        ran = ", ".join(sorted(set(ops)))
        raise CheckFailure(
            f"{what} ran tensor operations ({ran}): it built a layer or tensors. Count the parameters "
            "with Python integer arithmetic from the arguments; building the layer and counting its "
            "parameters is how the check finds the answer, not the exercise."
        )
    kit.assert_int(got, expected, what, PARAMETER_COUNT)


def _assert_conv2d_count(
    conv2d_num_params,
    in_channels: int,
    out_channels: int,
    kernel_size,
    bias: bool = True,
    groups: int = 1,
    *,
    defaults: bool = False,
) -> None:
    """``conv2d_num_params`` gives the parameter count of the matching ``nn.Conv2d``. Arguments
    are passed by position, in the order of the signature; with ``defaults``, ``bias`` and
    ``groups`` are left out so that the defaults are used."""
    expected = ref.conv2d_num_params(in_channels, out_channels, kernel_size, bias=bias, groups=groups)
    head = f"conv2d_num_params(in_channels={in_channels}, out_channels={out_channels}, kernel_size={kernel_size!r}"
    if defaults:
        what, args = f"{head}) (default bias and groups)", (in_channels, out_channels, kernel_size)
    else:
        what, args = f"{head}, bias={bias}, groups={groups})", (in_channels, out_channels, kernel_size, bias, groups)
    _assert_count(conv2d_num_params, expected, what, args)


def _assert_linear_count(
    linear_num_params, in_features: int, out_features: int, bias: bool = True, *, defaults: bool = False
) -> None:
    """``linear_num_params`` gives the parameter count of the matching ``nn.Linear``."""
    expected = ref.linear_num_params(in_features, out_features, bias=bias)
    head = f"linear_num_params(in_features={in_features}, out_features={out_features}"
    if defaults:
        what, args = f"{head}) (default bias)", (in_features, out_features)
    else:
        what, args = f"{head}, bias={bias})", (in_features, out_features, bias)
    _assert_count(linear_num_params, expected, what, args)


# The chapter's examples: (in_channels, out_channels, kernel_size, bias, groups).
CONV2D_EXAMPLES = [
    (3, 64, 3, True, 1),  # the first layer of a VGG-style network: 1792
    (3, 1, 5, False, 1),  # one 5x5 filter on a 3-channel image: 75 weights
    (2, 3, (3, 5), True, 1),  # the source's nn.Conv2d(2, 3, kernel_size=(3, 5)): 93
    (256, 64, 1, True, 1),  # a 1x1 convolution that shrinks 256 channels to 64
    (64, 128, 3, True, 4),  # four groups of 16 input and 32 output channels
    (32, 32, 3, False, 32),  # depthwise: one 3x3 filter per channel
]


@diagnosed
def check_conv2d_num_params(conv2d_num_params) -> None:
    """Visible checks of ``conv2d_num_params``: the chapter's examples and the defaults."""
    first, *rest = CONV2D_EXAMPLES
    _assert_conv2d_count(conv2d_num_params, *first)
    _assert_conv2d_count(conv2d_num_params, 3, 64, 3, defaults=True)
    for example in rest:
        _assert_conv2d_count(conv2d_num_params, *example)


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
    kit.run_hidden(cases, kit.example_groups(_conv2d_plan(cases), partial(_assert_conv2d_count, conv2d_num_params)))


# The chapter's examples: (in_features, out_features, bias).
LINEAR_EXAMPLES = [
    (224 * 224 * 3, 4096, True),  # a 224x224 RGB image flattened into a 4096-unit layer
    (784, 10, True),  # a 28x28 image to 10 classes
    (10, 5, False),
]


@diagnosed
def check_linear_num_params(linear_num_params) -> None:
    """Visible checks of ``linear_num_params``: the chapter's examples and the default bias."""
    first, *rest = LINEAR_EXAMPLES
    _assert_linear_count(linear_num_params, *first)
    _assert_linear_count(linear_num_params, 784, 10, defaults=True)
    for example in rest:
        _assert_linear_count(linear_num_params, *example)


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
    kit.run_hidden(cases, kit.example_groups(plan, partial(_assert_linear_count, linear_num_params)))


# ---------------------------------------------------------------------------------------
# corr2d_grouped


def _grouped_example() -> tuple[torch.Tensor, torch.Tensor]:
    """Four input channels 0..8, 1..9, 2..10, 3..11 (3x3), and K = the example's kernel and K + 1."""
    X = torch.stack([torch.arange(c, c + 9.0, device=device()) for c in range(4)]).reshape(4, 3, 3)
    K = _example_K()
    return X, torch.stack([K, K + 1])


@diagnosed
def check_corr2d_grouped(corr2d_grouped) -> None:
    """Visible checks of ``corr2d_grouped``: two groups on the chapter's example, a depthwise
    case, and one group (an ordinary multi-channel convolution), without the built-in convolution."""
    X, K = _grouped_example()
    expected = kit.on_device([[[56.0, 72.0], [104.0, 120.0]], [[124.0, 148.0], [196.0, 220.0]]])
    kit.assert_result(
        corr2d_grouped,
        (X, K, 2),
        expected,
        "corr2d_grouped(X, K, groups=2) with X 4x3x3 (channels 0..8, 1..9, 2..10, 3..11) and K "
        "2x2x2x2 (the chapter's two-channel kernel for output 0, the same plus 1 for output 1)",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(3, 4, 5, modulo=7)
    K = kit.numbers(6, 2, 3, modulo=5, shift=2.0).reshape(6, 1, 2, 3)
    kit.assert_result(
        corr2d_grouped,
        (X, K, 3),
        ref.corr2d_grouped(X, K, 3),
        "corr2d_grouped(X, K, groups=3) (depthwise, two filters per channel) with X 3x4x5 "
        "(0..59 mod 7) and K 6x1x2x3 (0..35 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )
    X = kit.numbers(2, 4, 5, modulo=6)
    K = kit.numbers(6, 3, 2, modulo=5, shift=2.0).reshape(3, 2, 3, 2)
    kit.assert_result(
        corr2d_grouped,
        (X, K, 1),
        ref.corr2d_grouped(X, K, 1),
        "corr2d_grouped(X, K, groups=1) with X 2x4x5 (0..39 mod 6) and K 3x2x3x2 (0..35 mod 5, minus 2)",
        from_scratch=FROM_SCRATCH,
    )


def _grouped_case(
    cases: Cases, groups: int, per_in: int, per_out: int, dtype: torch.dtype, label: str, *, fill: bool = False
):
    """((X, K, groups), inputs in words) with ``per_in`` input and ``per_out`` output channels per group."""
    H, W = cases.distinct_sizes(3, 8)
    kh, kw = (H, W) if fill else cases.distinct_sizes(1, min(H, W))
    X = cases.randn(groups * per_in, H, W, dtype=dtype)
    K = cases.randn(groups * per_out, per_in, kh, kw, dtype=dtype)
    return (X, K, groups), f"{label}: {_inputs(X, K, f', groups={groups}')}"


@diagnosed
def grade_corr2d_grouped(corr2d_grouped) -> None:
    """Hidden checks of ``corr2d_grouped``: one group, depthwise, groups in between, Ci != Co,
    non-square inputs and kernels, a kernel as large as the input, float64, gradients."""
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
    per_in, per_out = cases.distinct_sizes(2, 3)
    args, inputs = _grouped_case(cases, 2, per_in, per_out, f64, "the gradient")
    _tensor_hidden(corr2d_grouped, "corr2d_grouped", ref.corr2d_grouped, cases, items, (args, ("X", "K"), inputs))
