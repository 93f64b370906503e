"""Visible checks of chapter 11 (gradients by hand): ``numerical_gradient``, ``relative_error``,
``conv2d_backward``, ``max_pool2d_backward``, ``avg_pool2d_backward``, ``batch_norm_backward``
and ``Conv2dFunction``.

The backwards are from scratch: no built-in convolution, pooling or batch normalization (nor
their backwards, such as ``torch.nn.grad.conv2d_input``), and no autograd inside them
(``torch.autograd.grad``, ``.backward()``, ``torch.func``). Their results are compared with
what autograd computes through PyTorch's built-ins (the chapter's recording, ``expected``);
``numerical_gradient`` with central differences (which agree with autograd to about 1e-9 in
float64). After the values, each check tests what the exercise's text states
(:mod:`autograder.runtime.properties`) on its batch of non-square inputs: inputs unchanged,
dtype and device kept. ``Conv2dFunction`` is checked last with ``torch.autograd.gradcheck``.
Arguments are passed by position, in the order of the signatures.
"""

import torch

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, describe, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.guard import AUTOGRAD, watched_calls
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

# What a backward written by hand may not hand to PyTorch: the built-in layers (and their own
# backwards, which run as ATen operations of the same families) and autograd itself.
CONV, POOL, NORM = ("convolution",), ("pooling",), ("batch_norm",)
# The checks' own gradients, taken before any watch replaces torch.autograd.grad.
_grad = torch.autograd.grad

# numerical_gradient is compared with central differences within this tolerance: rounding
# (about 1e-16 |f| / eps) stays far below it, a one-sided difference (eps f'' / 2) does not.
NUMERIC_TOLERANCE = 1e-7


def call_by_hand(fn, args: tuple, what: str, families: tuple[str, ...]):
    """``fn(*args)`` on copies of the tensors, without the built-ins of ``families`` and without
    autograd (see :data:`AUTOGRAD`); return the result."""
    with watched_calls(AUTOGRAD) as used:
        got, _ = call(fn, *kit.copies(*args), what=what, from_scratch=families, blocks=False)
    if used:
        raise CheckFailure(
            f"{what} must be written from scratch, but it called {' and '.join(sorted(set(used)))}: autograd "
            "would compute the gradient for you. Write the backward with tensor indexing and arithmetic, "
            "from the formulas of the chapter."
        )
    return got


def assert_parts(got, want: tuple, names: tuple[str, ...], what: str) -> None:
    """``got`` is a tuple of ``len(names)`` tensors, each matching the one of ``want``."""
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        raise CheckFailure(f"{what} should return the tuple ({', '.join(names)}); it returned {describe(got)}.")
    for name, value, wanted in zip(names, got, want):
        assert_matches(value, wanted, f"{name} of {what}")


def assert_stated(fn, args: tuple, what: str, labels: dict[int, str], families: tuple[str, ...]) -> None:
    """What the text of a gradient exercise states, on ``args``: the inputs named in ``labels``
    unchanged, the dtype and device of the inputs kept (its results are gradients: values, not
    asked to be differentiable)."""
    properties.assert_properties(fn, args, what, labels, differentiable=False, from_scratch=families, blocks=False)


# ---------------------------------------------------------------------------------------
# numerical_gradient and relative_error


def cube_sum(x: torch.Tensor) -> torch.Tensor:
    """f(x) = sum of x^3: its gradient is 3 x^2, its second derivative 6 x."""
    return (x**3).sum()


def mixing(x: torch.Tensor) -> torch.Tensor:
    """f(x) = logsumexp(x) * sum(sin(x)): every entry of the gradient depends on every entry of x."""
    return torch.logsumexp(x.flatten(), 0) * torch.sin(x).sum()


CUBE_X = [[1.0, 2.0, -3.0], [-1.0, 0.5, 1.5]]


def assert_numeric(numerical_gradient, args: tuple, what: str) -> None:
    """``numerical_gradient(*args)`` matches central differences within :data:`NUMERIC_TOLERANCE`."""
    got, _ = call(numerical_gradient, *kit.copies(*args), what=what)
    assert_numeric_matches(got, expected.numerical_gradient(*args), what)


def assert_numeric_matches(got, want: torch.Tensor, what: str) -> None:
    """``got`` matches the central differences ``want`` within :data:`NUMERIC_TOLERANCE`; when the
    difference hides beyond the six digits a message shows, say so."""
    try:
        assert_matches(got, want, what, rtol=NUMERIC_TOLERANCE, atol=NUMERIC_TOLERANCE)
    except CheckFailure as failure:
        if isinstance(got, torch.Tensor) and got.shape == want.shape and got.dtype == want.dtype:
            error = float((got.detach() - want).abs().max())
            if error < 1e-3 * max(1.0, float(want.abs().max())):
                raise failure.extended(
                    f"The values agree in the digits shown but differ by up to {error:.2g}, far more than the "
                    "rounding of central differences in float64 (about 1e-10 here): the size of the error a "
                    "one-sided difference, or another step than eps, makes."
                ) from None
        raise


@diagnosed
def check_numerical_gradient(numerical_gradient) -> None:
    """Visible checks of ``numerical_gradient``: f = sum(x^3) at a non-square x (float64), with
    the default eps and with eps = 1e-3, a 3-D x and a function that mixes entries; then the
    stated properties."""
    x = kit.on_device(CUBE_X, torch.float64)
    what = f"numerical_gradient(f, x) for f(x) = sum(x ** 3) at x = {CUBE_X} (float64; exact gradient 3 x^2)"
    assert_numeric(numerical_gradient, (cube_sum, x), what)
    what = f"numerical_gradient(f, x, eps=0.001) for f(x) = sum(x ** 3) at x = {CUBE_X} (float64)"
    assert_numeric(numerical_gradient, (cube_sum, x, 1e-3), what)
    x = (kit.numbers(2, 3, 2, modulo=5, shift=2.0) / 2).double()
    what = (
        "numerical_gradient(f, x) for f(x) = logsumexp(x) * sum(sin(x)) at a batch of non-square x of shape "
        "(2, 3, 2) (0..11 mod 5, minus 2, halved; float64)"
    )
    assert_numeric(numerical_gradient, (mixing, x), what)
    properties.assert_properties(numerical_gradient, (mixing, x), what, {1: "x"}, differentiable=False)


A_EXAMPLE, B_EXAMPLE = [1.0, 2.0, 0.0, -3.0, 0.5], [1.5, 2.0, 0.0, -3.3, -0.5]


@diagnosed
def check_relative_error(relative_error) -> None:
    """Visible checks of ``relative_error``: the chapter's five pairs (one pair of zeros, one
    of opposite signs), a batch of non-square float64 tensors; then the stated properties."""
    a, b = kit.on_device(A_EXAMPLE), kit.on_device(B_EXAMPLE)
    what = (
        f"relative_error(a, b) for a = {A_EXAMPLE}, b = {B_EXAMPLE} (relative errors 0.2, 0, 0 for the pair "
        "of zeros, 0.3 / 6.3, and 1 / 1)"
    )
    kit.assert_result(relative_error, kit.copies(a, b), kit.on_device(1.0), what)
    a = (kit.numbers(2, 3, 4, modulo=7, shift=3.0) / 4).double()
    b = a + (kit.numbers(2, 3, 4, modulo=5, shift=2.0) * 1e-4).double()
    what = "relative_error(a, b) on a batch of non-square float64 tensors of shape (2, 3, 4), b close to a"
    kit.assert_result(relative_error, kit.copies(a, b), expected.relative_error(a, b), what)
    properties.assert_properties(relative_error, (a, b), what, {0: "a", 1: "b"}, differentiable=False)


# ---------------------------------------------------------------------------------------
# conv2d_backward


def conv_text(args: tuple) -> str:
    """``conv2d_backward(dY, X, K, stride=..., padding=...)`` with the sizes of its tensors."""
    dY, X, K, stride, padding = args
    return (
        f"conv2d_backward(dY, X, K, stride={stride!r}, padding={padding!r}) with X of shape {shape_text(X.shape)}, "
        f"K of shape {shape_text(K.shape)}, dY of shape {shape_text(dY.shape)}"
    )


def conv_example(batch_dtype: torch.dtype = torch.float32) -> list[tuple[tuple, str]]:
    """The chapter's convolutions, as ``(args, inputs in words)``: the 3x3 example, with padding,
    with a stride, and a batch of non-square inputs (stride (2, 3), padding (1, 2))."""
    X, K = kit.numbers(1, 1, 3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])[None, None]
    examples = [((torch.ones(1, 1, 2, 2, device=device()), X, K, 1, 0), "X = 0..8, K = [[0, 1], [2, 3]], dY = ones")]
    examples.append(
        ((kit.numbers(1, 1, 4, 4, modulo=5), X, K, 1, 1), "X = 0..8, K = [[0, 1], [2, 3]], dY = 0..15 mod 5")
    )
    X4 = kit.numbers(1, 1, 4, 4)
    examples.append(
        ((kit.on_device([[1.0, 2.0], [3.0, 4.0]])[None, None], X4, K, 2, 0), "X = 0..15, dY = [[1, 2], [3, 4]]")
    )
    X = kit.numbers(2, 2, 6, 5, modulo=7, shift=3.0).to(batch_dtype)
    K = kit.numbers(3, 2, 3, 2, modulo=5, shift=2.0).to(batch_dtype)
    dY = kit.numbers(2, 3, 3, 3, modulo=4, shift=1.5).to(batch_dtype)
    examples.append(
        (
            (dY, X, K, (2, 3), (1, 2)),
            "a batch of non-square inputs, N = 2, Ci = 2, Co = 3 (X 0..119 mod 7 minus 3, K 0..35 mod 5 minus 2, "
            "dY 0..53 mod 4 minus 1.5; the last row of the padded X is read by no window)",
        )
    )
    return examples


CONV_WANTED = {  # the known answers of the first example: dX = the transposed convolution of dY
    "dX": [[0.0, 1.0, 1.0], [2.0, 6.0, 4.0], [2.0, 5.0, 3.0]],
    "dK": [[8.0, 12.0], [20.0, 24.0]],
    "db": [4.0],
}


def assert_conv(conv2d_backward, args: tuple, inputs: str, want: tuple) -> None:
    what = f"{conv_text(args)}, on {inputs}"
    got = call_by_hand(conv2d_backward, args, what, CONV)
    assert_parts(got, want, ("dX", "dK", "db"), what)


@diagnosed
def check_conv2d_backward(conv2d_backward) -> None:
    """Visible checks of ``conv2d_backward``: the chapter's 3x3 example (known answers), with
    padding 1, with stride 2, then a batch of non-square inputs with a pair stride and padding;
    then the stated properties."""
    examples = conv_example()
    args, inputs = examples[0]
    want = (kit.on_device(CONV_WANTED["dX"])[None, None], kit.on_device(CONV_WANTED["dK"])[None, None])
    assert_conv(conv2d_backward, args, inputs, (*want, kit.on_device(CONV_WANTED["db"])))
    for args, inputs in examples[1:]:
        assert_conv(conv2d_backward, args, inputs, expected.conv2d_backward(*args))
    what = f"{conv_text(args)}, on {inputs}"
    assert_stated(conv2d_backward, args, what, {0: "dY", 1: "X", 2: "K"}, CONV)


# ---------------------------------------------------------------------------------------
# max_pool2d_backward and avg_pool2d_backward


TIES = [[1.0, 3.0, 3.0], [3.0, 2.0, 3.0], [0.0, 3.0, 1.0]]
PERMUTED = [[7.0, 12.0, 3.0, 18.0, 0.0], [15.0, 1.0, 9.0, 4.0, 11.0], [2.0, 19.0, 6.0, 13.0, 8.0]]


def pool_text(name: str, args: tuple) -> str:
    """``max_pool2d_backward(dY, X, kernel_size=2, stride=1)`` with the sizes of its tensors."""
    names = {
        "max_pool2d_backward": ("dY", "X", "kernel_size", "stride"),
        "avg_pool2d_backward": ("dY", "input_shape", "kernel_size", "stride", "padding"),
    }[name]
    shown = [
        n if isinstance(v, torch.Tensor) else f"{n}={v!r}" for n, v in zip(names, args)
    ]  # tensors by name, sizes by value
    tensors = [f"{n} of shape {shape_text(v.shape)}" for n, v in zip(names, args) if isinstance(v, torch.Tensor)]
    return f"{name}({', '.join(shown)}) with {' and '.join(tensors)}"


def assert_pool(fn, name: str, args: tuple, want: torch.Tensor, inputs: str) -> None:
    what = f"{pool_text(name, args)}, on {inputs}"
    got = call_by_hand(fn, args, what, POOL)
    assert_matches(got, want, what)


def max_pool_examples(dtype: torch.dtype = torch.float32) -> list[tuple[tuple, str]]:
    """The chapter's max poolings: ties with overlapping windows, the default stride on a plane
    without ties, and a batch of non-square planes with many ties."""
    ties = kit.on_device(TIES)[None, None]
    plane = kit.on_device(PERMUTED)[None, None]
    X = kit.numbers(2, 3, 5, 6, modulo=4).to(dtype)
    return [
        ((torch.ones(1, 1, 2, 2, device=device()), ties, 2, 1), f"X = {TIES} (ties), dY = ones"),
        ((kit.on_device([[1.0, 2.0]])[None, None], plane, 2, None), f"X = {PERMUTED} (no ties), dY = [[1, 2]]"),
        (
            (kit.numbers(2, 3, 2, 5, modulo=7, shift=3.0).to(dtype), X, (3, 2), (2, 1)),
            "a batch of non-square planes with ties, X 2x3x5x6 = 0..179 mod 4, dY = 0..59 mod 7 minus 3",
        ),
    ]


@diagnosed
def check_max_pool2d_backward(max_pool2d_backward) -> None:
    """Visible checks of ``max_pool2d_backward``: the chapter's 3x3 plane with ties and
    overlapping windows (known answer), the default stride, a batch of non-square planes with
    ties; then the stated properties."""
    name = "max_pool2d_backward"
    examples = max_pool_examples()
    args, inputs = examples[0]
    want = kit.on_device([[0.0, 2.0, 0.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]])[None, None]
    assert_pool(max_pool2d_backward, name, args, want, inputs)
    for args, inputs in examples[1:]:
        assert_pool(max_pool2d_backward, name, args, expected.max_pool2d_backward(*args), inputs)
    assert_stated(max_pool2d_backward, args, f"{pool_text(name, args)}, on {inputs}", {0: "dY", 1: "X"}, POOL)


def avg_pool_examples(dtype: torch.dtype = torch.float32) -> list[tuple[tuple, str]]:
    """The chapter's average poolings: overlapping 2x2 windows, padding 1, the default stride,
    and a batch of non-square planes with a pair kernel, stride and padding."""
    return [
        ((torch.ones(1, 1, 2, 2, device=device()), (1, 1, 3, 3), 2, 1, 0), "dY = ones"),
        ((kit.numbers(1, 1, 3, 3), (1, 1, 3, 3), 3, 1, 1), "dY = 0..8"),
        ((kit.on_device([[1.0, 2.0], [3.0, 4.0]])[None, None], (1, 1, 4, 4), 2, None, 0), "dY = [[1, 2], [3, 4]]"),
        (
            (kit.numbers(2, 3, 3, 5, modulo=7, shift=3.0).to(dtype), (2, 3, 5, 4), (3, 2), (2, 1), (1, 1)),
            "a batch of non-square planes, dY = 0..89 mod 7 minus 3",
        ),
    ]


@diagnosed
def check_avg_pool2d_backward(avg_pool2d_backward) -> None:
    """Visible checks of ``avg_pool2d_backward``: overlapping 2x2 windows (known answer), padding
    1, the default stride, a batch of non-square planes; then the stated properties."""
    name = "avg_pool2d_backward"
    examples = avg_pool_examples()
    args, inputs = examples[0]
    want = kit.on_device([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])[None, None] / 4
    assert_pool(avg_pool2d_backward, name, args, want, inputs)
    for args, inputs in examples[1:]:
        assert_pool(avg_pool2d_backward, name, args, expected.avg_pool2d_backward(*args), inputs)
    assert_stated(avg_pool2d_backward, args, f"{pool_text(name, args)}, on {inputs}", {0: "dY"}, POOL)


# ---------------------------------------------------------------------------------------
# batch_norm_backward


BN_X = [[0.0, 7.0], [0.0, 1.0], [4.0, 7.0], [4.0, 1.0]]


def bn_text(args: tuple) -> str:
    X, eps = args[1], args[3:]
    extra = f", eps={eps[0]:g}" if eps else ""
    return f"batch_norm_backward(dY, X, gamma{extra}) with X of shape {shape_text(X.shape)}"


def bn_examples(dtype: torch.dtype = torch.float32) -> list[tuple[tuple, str]]:
    """Chapter 9's (4, 2) batch, the same numbers as a non-square (2, 2, 1, 2) batch with eps =
    1e-3, and a batch of non-square images (3, 2, 2, 3)."""
    gamma = kit.on_device([2.0, 0.5])
    X2 = kit.on_device(BN_X)
    X4 = kit.on_device([[[[0.0, 4.0]], [[7.0, 7.0]]], [[[0.0, 4.0]], [[1.0, 1.0]]]])
    dY2 = kit.on_device([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [-1.0, 1.0]])
    X = kit.numbers(3, 2, 2, 3, modulo=7, shift=3.0).to(dtype)
    return [
        ((dY2, X2, gamma), f"chapter 9's batch X = {BN_X}, gamma = [2, 0.5], dY = {dY2.tolist()}"),
        ((dY2.reshape(2, 2, 1, 2), X4, gamma, 1e-3), "the same numbers as two non-square 1x2 images of 2 channels"),
        (
            (kit.numbers(3, 2, 2, 3, modulo=5, shift=2.0).to(dtype), X, gamma.to(dtype)),
            "a batch of non-square images, X 0..35 mod 7 minus 3, dY 0..35 mod 5 minus 2, gamma = [2, 0.5]",
        ),
    ]


@diagnosed
def check_batch_norm_backward(batch_norm_backward) -> None:
    """Visible checks of ``batch_norm_backward``: chapter 9's (N, C) batch, the same numbers as
    (N, C, H, W) with eps = 1e-3, and a batch of non-square images; then the stated properties."""
    for args, inputs in bn_examples():
        what = f"{bn_text(args)}, on {inputs}"
        got = call_by_hand(batch_norm_backward, args, what, NORM)
        assert_parts(got, expected.batch_norm_backward(*args), ("dX", "dgamma", "dbeta"), what)
    assert_stated(batch_norm_backward, args, what, {0: "dY", 1: "X", 2: "gamma"}, NORM)


# ---------------------------------------------------------------------------------------
# Conv2dFunction


def applying(Conv2dFunction, stride, padding):
    """``Conv2dFunction.apply`` as a function of ``(X, K, b)``, with ``stride`` and ``padding`` fixed."""

    def apply(X, K, b):
        return Conv2dFunction.apply(X, K, b, stride, padding)

    return apply


def function_text(stride, padding, X, K) -> str:
    return (
        f"Conv2dFunction.apply(X, K, b, {stride!r}, {padding!r}) with X of shape {shape_text(X.shape)} and K of "
        f"shape {shape_text(K.shape)}"
    )


def assert_is_function(Conv2dFunction) -> None:
    """``Conv2dFunction`` is a subclass of ``torch.autograd.Function`` (an untouched answer cell is
    told to start, as every other exercise's)."""
    if callable(Conv2dFunction) and not isinstance(Conv2dFunction, type):
        call(Conv2dFunction, what="Conv2dFunction()")
    if not (isinstance(Conv2dFunction, type) and issubclass(Conv2dFunction, torch.autograd.Function)):
        raise CheckFailure(
            f"Conv2dFunction must be a class that subclasses torch.autograd.Function; it is {describe(Conv2dFunction)}."
        )


def _forward_and_gradients(apply, X, K, b, G) -> tuple:
    """The output of ``apply(X, K, b)`` and the gradients of ``sum(output * G)`` with respect to
    X, K and b (None where none flows back)."""
    leaves = [t.detach().clone().requires_grad_(True) for t in (X, K, b)]
    out = apply(*leaves)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        return out, None
    return out, _grad(out, leaves, G, allow_unused=True)


def assert_function_forward(Conv2dFunction, X, K, b, stride, padding, inputs: str, reference=expected) -> None:
    """The output of ``Conv2dFunction.apply`` matches the built-in convolution's (``reference.conv2d``:
    the recording, or the reference module in the hidden checks), without it."""
    what = f"{function_text(stride, padding, X, K)}, on {inputs}"
    got = call_by_hand(applying(Conv2dFunction, stride, padding), (X, K, b), what, CONV)
    assert_matches(got, reference.conv2d(X, K, b, stride, padding), what)


def assert_function_gradients(Conv2dFunction, X, K, b, stride, padding, G, inputs: str, reference=expected) -> None:
    """The gradients the backward of ``Conv2dFunction`` gives match the built-in convolution's,
    with no built-in convolution and no autograd inside."""
    what = f"{function_text(stride, padding, X, K)}, on {inputs}"
    _, grads = call_by_hand(_forward_and_gradients, (applying(Conv2dFunction, stride, padding), X, K, b, G), what, CONV)
    if grads is None:
        raise CheckFailure(f"{what} is not differentiable: its output is not connected to X, K and b.")
    for name, got, wanted in zip(("dX", "dK", "db"), grads, reference.conv2d_backward(G, X, K, stride, padding)):
        if got is None:
            raise CheckFailure(
                f"{what} is not differentiable with respect to {name[1:]}: its backward returned None for {name}."
            )
        assert_matches(
            got, wanted, f"The gradient {name} that the backward of {what} returns (for the output gradient G)"
        )


def assert_gradcheck(Conv2dFunction, X, K, b, stride, padding, inputs: str, fast: bool = False) -> None:
    """``torch.autograd.gradcheck`` passes on ``Conv2dFunction.apply`` at float64 copies of the inputs
    (``fast``: its fast mode, which compares random projections of the Jacobians)."""
    what = f"torch.autograd.gradcheck on {function_text(stride, padding, X, K)}, on {inputs} (float64)"
    leaves = tuple(t.detach().double().requires_grad_(True) for t in (X, K, b))
    try:
        passed, _ = call(
            torch.autograd.gradcheck,
            Conv2dFunction.apply,
            (*leaves, stride, padding),
            what=what,
            record=False,
            fast_mode=fast,
        )
    except CheckFailure as failure:
        first = str(failure).split("\n")[0]
        raise CheckFailure(
            f"{first}\ngradcheck compares the gradients your backward returns with numeric ones (central "
            "differences of the forward): they disagree, or the backward fails in float64."
        ) from None
    if not passed:
        raise CheckFailure(f"{what} did not pass.")


def function_examples(dtype: torch.dtype = torch.float32) -> list[tuple]:
    """``(X, K, b, stride, padding, G, inputs in words)``: the chapter's 3x3 example, then a
    batch of non-square inputs with a pair stride and padding."""
    X, K = kit.numbers(1, 1, 3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])[None, None]
    first = (X, K, kit.on_device([0.5]), 1, 0, torch.ones(1, 1, 2, 2, device=device()))
    X = kit.numbers(2, 2, 6, 5, modulo=7, shift=3.0).to(dtype)
    K = kit.numbers(3, 2, 3, 2, modulo=5, shift=2.0).to(dtype)
    b = kit.on_device([0.5, -1.0, 2.0], dtype)
    G = kit.numbers(2, 3, 3, 3, modulo=4, shift=1.5).to(dtype)
    return [
        (*first, "X = 0..8, K = [[0, 1], [2, 3]], b = [0.5], G = ones"),
        (X, K, b, (2, 3), (1, 2), G, "a batch of non-square inputs, N = 2, Ci = 2, Co = 3, b = [0.5, -1, 2]"),
    ]


@diagnosed.by_failure
def check_Conv2dFunction(Conv2dFunction) -> None:
    """Visible checks of ``Conv2dFunction``: a subclass of ``torch.autograd.Function``; its output
    on the chapter's example and on a batch of non-square inputs; the stated properties; the
    gradients its backward returns on both; then ``gradcheck`` in float64."""
    assert_is_function(Conv2dFunction)
    examples = function_examples()
    for X, K, b, stride, padding, _, inputs in examples:
        assert_function_forward(Conv2dFunction, X, K, b, stride, padding, inputs)
    what = f"{function_text(stride, padding, X, K)}, on {inputs}"
    properties.assert_properties(
        applying(Conv2dFunction, stride, padding),
        (X, K, b),
        what,
        {0: "X", 1: "K", 2: "b"},
        from_scratch=CONV,
        blocks=False,
    )
    try:
        for X, K, b, stride, padding, G, inputs in examples:
            assert_function_gradients(Conv2dFunction, X, K, b, stride, padding, G, inputs)
        small = (X[:1, :, :4, :4], K[:2, :, :2, :], b[:2], stride, padding)
        assert_gradcheck(Conv2dFunction, *small, "a batch of non-square inputs", fast=True)
    except CheckFailure as failure:
        note = _backward_note(Conv2dFunction)
        if not note:
            raise
        raise failure.extended(note) from None


def _backward_note(Conv2dFunction) -> str:
    """When the notebook's own ``conv2d_backward`` fails its visible check, say so: the Function's
    gradients cannot be right before it is (a Function's static methods hide that from the
    diagnosis, which looks for the exercises an answer calls)."""
    backward = vars(Conv2dFunction).get("backward")
    function = getattr(backward, "__func__", backward)
    code, own = getattr(function, "__code__", None), getattr(function, "__globals__", {}).get("conv2d_backward")
    if code is None or own is None or "conv2d_backward" not in code.co_names:
        return ""
    try:
        check_conv2d_backward.__wrapped__(own)
    except CheckFailure:
        return (
            "Your conv2d_backward, which this backward calls, fails its own visible check: make that one "
            "pass first, then come back to Conv2dFunction."
        )
    return ""
