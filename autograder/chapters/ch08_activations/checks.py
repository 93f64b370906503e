"""Visible checks of chapter 8 (linear layers and activations): ``linear``, ``sigmoid``, ``tanh``,
``relu``, ``leaky_relu``, ``prelu``, ``rrelu`` and the derivatives ``sigmoid_grad``,
``tanh_grad``, ``relu_grad`` and ``leaky_relu_grad``.

The activations and their derivatives are from scratch: no built-in activation (guard
family ``"activation"``), and the derivatives must be formulas, not autograd. ``linear``
may not call ``F.linear`` (or ``nn.Linear``), which is what it is compared with. Every
element-wise function must leave its input unchanged, keep dtype and device, and stay
finite for large |x|, in its values and (for the activations) in its gradient.
After the values, :func:`assert_stated_properties` checks what every exercise's text states
(inputs unchanged, dtype and device kept, differentiable but for the derivatives) on the
chapter's example; the hidden checks call it again on random inputs.
``rrelu`` in training mode is random: its check tests the bounds, the spread and the
independence of the slopes, each call of the answer on a fixed torch random state.

The expected values come from the chapter's recording (``expected``), the known mistakes'
explanations too (``diagnosed``); gradients are compared with those of PyTorch's built-ins
(``torch.sigmoid``, ``torch.tanh``, ``F.prelu``), which the answers may not call. The hidden
checks are the instructors' (``hidden.py``).
"""

import contextlib
import math
from collections.abc import Callable, Iterator

import torch
import torch.func
import torch.nn.functional as F

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, mismatch, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.guard import AUTOGRAD, watched_calls
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

FROM_SCRATCH = ("activation",)

# Calls that would hand the work to PyTorch: (owner, attribute) by the name students know.
BUILTIN_LINEAR = {"F.linear (which nn.Linear calls)": (F, "linear")}

# The chapter's example input, and inputs large enough to overflow a naive exp.
EXAMPLE = [-2.0, -1.0, 0.0, 1.0, 2.0]
EXTREMES = [-1000.0, -100.0, -50.0, -20.0, 20.0, 50.0, 100.0, 1000.0]
STABILITY = (
    "exp(t) overflows to inf once t is above about 88 in float32 (709 in float64), and inf / inf "
    "is nan. Arrange the formula so that exp only ever sees -|x| (the chapter's section on a "
    "numerically stable sigmoid shows how)."
)

GRADIENT_STABILITY = (
    " Autograd differentiates every intermediate value, including a branch that torch.where "
    "discards, so an inf anywhere on the way (0 * inf is nan too) spoils the gradient even when "
    "the values are right."
)


# The input of the element-wise exercises: the position and name of each tensor argument.
X_ONLY = {0: "x"}


def assert_stated_properties(fn, args, what: str, labels: dict[int, str] = X_ONLY, *, derivative=False, **kwargs):
    """What the exercises' texts state, on ``args``: the tensors named in ``labels``
    (``{position: name}``) unchanged, the dtype and device of the input kept and, but for the
    derivatives (values, which the text does not ask to differentiate), gradients flowing back
    to each of those tensors. ``kwargs`` go to ``fn``."""
    properties.assert_properties(fn, args, what, labels, differentiable=not derivative, **kwargs)


def call_answer(fn, args, what: str, *, watch=None, advice: str = "", from_scratch=FROM_SCRATCH, **kwargs):
    """``call`` the student's function, refusing the watched calls and changes to the inputs."""
    before = kit.copies(*args)
    with watched_calls(watch or {}) as used:
        got, _ = call(fn, *args, what=what, from_scratch=from_scratch, **kwargs)
    if used:
        raise CheckFailure(f"{what} called {' and '.join(sorted(set(used)))}. {advice}")
    for a, b in zip(args, before):
        if isinstance(a, torch.Tensor) and not torch.equal(a, b):
            raise CheckFailure(
                f"{what} changed its input in place: the tensor passed in holds other values after the "
                "call. Build a new tensor for the result (no x[...] = ..., no in-place methods ending "
                "in _ on the input)."
            )
    return got


def _assert_finite(got, expected: torch.Tensor, x: torch.Tensor, what: str, kind: str = "value") -> None:
    """Where the right answer is finite, the result must be too; else say where it overflowed."""
    if not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return
    bad = ~torch.isfinite(got.detach()) & torch.isfinite(expected)
    if bad.any():
        i = tuple(int(k) for k in bad.nonzero()[0])
        raise CheckFailure(
            f"{what} is not numerically stable: its {kind} at x = {x[i].item():g} is {got[i].item()} "
            f"(expected {expected[i].item():.6g}). {STABILITY}" + (GRADIENT_STABILITY if kind == "gradient" else "")
        )


def assert_values(fn, args, expected: torch.Tensor, what: str, **options) -> torch.Tensor:
    """The result of ``fn(*args)`` is finite where ``expected`` is, then equal to it."""
    got = call_answer(fn, args, what, **options)
    _assert_finite(got, expected, args[0], what)
    assert_matches(got, expected, what)
    return got


def assert_stable_gradient(
    fn, reference: Callable, derivative: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, what: str
) -> None:
    """The gradient of ``fn`` at the large inputs ``x`` is finite, and right: ``reference`` is the
    function ``fn`` computes (differentiable), ``derivative(x)`` its derivative at ``x``."""
    leaf = x.clone().requires_grad_(True)
    out = call_answer(fn, (leaf,), what)
    if isinstance(out, torch.Tensor) and out.requires_grad and out.shape == x.shape:
        (got,) = torch.autograd.grad(out, leaf, torch.ones_like(out), allow_unused=True)
        if got is not None:
            _assert_finite(got, derivative(x), x, f"The gradient of {what}", "gradient")
    kit.assert_gradients_match(fn, reference, (x,), torch.ones_like(x), what, ("x",), from_scratch=FROM_SCRATCH)


# ---------------------------------------------------------------------------------------
# linear

LINEAR_ADVICE = (
    "linear is written from scratch: F.linear is what the check compares with. Write x @ W^T + b "
    "with a matrix product and an addition."
)
LINEAR_INPUTS = {0: "x", 1: "W", 2: "b"}


def assert_linear(linear, args, reference: Callable, what: str) -> None:
    """``linear(*args)`` equals ``reference(*args)``, without F.linear."""
    assert_values(linear, args, reference(*args), what, watch=BUILTIN_LINEAR, advice=LINEAR_ADVICE, from_scratch=())


def assert_linear_properties(linear, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, inputs: str) -> None:
    """The stated properties of ``linear`` on ``inputs`` (in words), with the bias and without it."""
    assert_stated_properties(linear, (x, W, b), f"linear(x, W, b) on {inputs}", LINEAR_INPUTS)
    assert_stated_properties(linear, (x, W), f"linear(x, W) on {inputs}, without b", {0: "x", 1: "W"})


def _source_example() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Chapter 8's small example: x = [[1, 2, 3]], W rows of 1s, 2s, 3s, 4s (4 x 3), b = 0.5 each."""
    x = kit.on_device([[1.0, 2.0, 3.0]])
    W = kit.on_device([[1.0] * 3, [2.0] * 3, [3.0] * 3, [4.0] * 3])
    return x, W, torch.full((4,), 0.5, device=device())


@diagnosed
def check_linear(linear) -> None:
    """Visible checks of ``linear``: the chapter's example, a batch without bias, leading dims,
    then the stated properties on a batch."""
    x, W, b = _source_example()
    example = (
        "the chapter's example (x = [[1, 2, 3]], W of shape (4, 3) with rows of 1s, 2s, 3s and 4s, "
        "b = [0.5, 0.5, 0.5, 0.5])"
    )
    assert_values(
        linear,
        (x, W, b),
        kit.on_device([[6.5, 12.5, 18.5, 24.5]]),
        f"linear(x, W, b) on {example}",
        watch=BUILTIN_LINEAR,
        advice=LINEAR_ADVICE,
        from_scratch=(),
    )
    x = kit.numbers(2, 5, modulo=4, shift=1.0)
    W = kit.numbers(3, 5, modulo=3, shift=1.0)
    batch = "a batch of 2 (x of shape (2, 5)), W of shape (3, 5)"
    assert_linear(linear, (x, W), expected.linear, f"linear(x, W) on {batch} and no bias")
    x = kit.numbers(2, 3, 4, modulo=5, shift=2.0)
    W = kit.numbers(2, 4, modulo=3, shift=1.0)
    b = kit.on_device([1.0, -1.0])
    leading = "x of shape (2, 3, 4) (a leading batch of 2 x 3), W of shape (2, 4)"
    assert_linear(linear, (x, W, b), expected.linear, f"linear(x, W, b) with {leading}")
    assert_linear_properties(linear, x, W, b, leading)


# ---------------------------------------------------------------------------------------
# element-wise functions: the drivers shared by the activations and their derivatives

GRID = "x of shape (3, 4) in float64 (-2.75 to 2.75)"


def _grid() -> torch.Tensor:
    """The 2-D float64 input of the visible checks: -2.75 to 2.75 in steps of 0.5."""
    return (torch.arange(12.0, device=device(), dtype=torch.float64).reshape(3, 4) - 5.5) / 2


def _options(derivative: bool) -> dict:
    """The options of :func:`call_answer` for an activation, or for a derivative."""
    return DERIVATIVE if derivative else {}


def _visible(
    fn,
    name: str,
    reference: Callable,
    example: list[float],
    gradient: tuple[Callable, Callable] | None = None,
    derivative: bool = False,
    kink: list[float] | None = None,
) -> None:
    """The chapter's example, the 2-D float64 input and the large inputs in both dtypes; with
    ``gradient`` (the built-in and the recorded derivative) the gradient at the large inputs;
    with ``kink``, the gradient on :data:`KINK`; then the stated properties on the example."""
    x = kit.on_device(EXAMPLE)
    what = f"{name}(x) on the chapter's example x = {EXAMPLE}"
    options = _options(derivative)
    assert_values(fn, (x,), kit.on_device(example), what, **options)
    y = _grid()
    assert_values(fn, (y,), reference(y), f"{name}(x) with {GRID}", **options)
    for dtype in (torch.float32, torch.float64):
        y = kit.on_device(EXTREMES, dtype)
        assert_values(fn, (y,), reference(y), f"{name}(x) on the large inputs x = {EXTREMES} ({dtype})", **options)
    if gradient is not None:
        builtin, slope = gradient
        assert_stable_gradient(fn, builtin, slope, kit.on_device(EXTREMES), f"{name}(x) on x = {EXTREMES}")
    if kink is not None:
        assert_kink(fn, (_kink_input(),), kit.on_device(kink, torch.float64), f"{name}(x) on x = {KINK}")
    assert_stated_properties(fn, (x,), what, derivative=derivative)


def _visible_slope(
    fn,
    name: str,
    reference: Callable,
    default: list[float],
    tenth: list[float],
    derivative: bool = False,
    kink: list[float] | None = None,
) -> None:
    """The example with the default slope and with 0.1, and the 2-D float64 input with 0.25
    (for a derivative, compared with the finite differences of the activation); with ``kink``,
    the gradient on :data:`KINK` with the slope 0.1; then the stated properties on the example
    with the slope 0.1."""
    options = _options(derivative)
    x = kit.on_device(EXAMPLE)
    assert_values(
        fn,
        (x,),
        kit.on_device(default),
        f"{name}(x) (default negative_slope=0.01) on the chapter's example x = {EXAMPLE}",
        **options,
    )
    assert_values(
        fn, (x,), kit.on_device(tenth), f"{name}(x, negative_slope=0.1) on x = {EXAMPLE}", negative_slope=0.1, **options
    )
    y = _grid()
    if derivative:
        assert_values(
            fn,
            (y, 0.25),
            finite_difference(expected.leaky_relu, y, 0.25),
            f"{name}(x, 0.25) with {GRID}, compared with {FINITE_DIFFERENCE.format('leaky_relu')}",
            **options,
        )
    else:
        assert_values(fn, (y, 0.25), reference(y, 0.25), f"{name}(x, 0.25) with {GRID}", **options)
    if kink is not None:
        what = f"{name}(x, negative_slope=0.1) on x = {KINK}"
        assert_kink(fn, (_kink_input(),), kit.on_device(kink, torch.float64), what, negative_slope=0.1)
    assert_stated_properties(fn, (x, 0.1), f"{name}(x, 0.1) on x = {EXAMPLE}", derivative=derivative)


# ---------------------------------------------------------------------------------------
# the kink convention: the gradient at exactly x = 0

KINK = [-1.5, 0.0, 2.5, 0.0]
KINK_CONVENTION = (
    "At the kink x = 0 the course follows PyTorch's autograd, which takes the slope of the left piece there: "
    "0 for relu, negative_slope for leaky_relu, the element's own slope for rrelu. So x = 0 goes with the "
    "negative inputs: test x > 0 for the positive branch (not x >= 0), and mind that clamp(min=0) passes "
    "a gradient of 1 at 0 and torch.maximum splits it between its two arguments."
)


def assert_kink(fn, args, slopes: torch.Tensor, what: str, **kwargs) -> None:
    """The gradient of ``sum(fn(*args))`` with respect to ``args[0]``, which holds exact zeros, is
    ``slopes`` (``kwargs`` go to ``fn``). An answer whose result is not differentiable (or not of the
    input's shape) is left to the other checks, which say what is wrong with it."""
    x, *rest = args
    leaf = x.clone().requires_grad_(True)
    out = call_answer(fn, (leaf, *rest), what, **kwargs)
    if not isinstance(out, torch.Tensor) or not out.requires_grad or out.shape != x.shape:
        return
    (grad,) = kit.gradients(out, [leaf], torch.ones_like(out), what)
    grad = torch.zeros_like(x) if grad is None else grad
    try:
        assert_matches(grad, slopes, f"The gradient of {what}, where x holds exact zeros (the kink),")
    except CheckFailure as failure:
        raise CheckFailure(f"{failure}\n{KINK_CONVENTION}", tables=failure.tables) from None


def _kink_input(dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return kit.on_device(KINK, dtype)


# ---------------------------------------------------------------------------------------
# sigmoid, tanh, relu, leaky_relu: values, large inputs, gradients


@diagnosed
def check_sigmoid(sigmoid) -> None:
    """Visible checks of ``sigmoid``: the example, float64, large |x| (values and gradient), then
    the stated properties."""
    _visible(
        sigmoid,
        "sigmoid",
        expected.sigmoid,
        [0.11920292, 0.26894142, 0.5, 0.73105858, 0.88079708],
        (torch.sigmoid, expected.sigmoid_grad),
    )


@diagnosed
def check_tanh(tanh) -> None:
    """Visible checks of ``tanh``: the example, float64, large |x| (values and gradient), then the
    stated properties."""
    _visible(
        tanh,
        "tanh",
        expected.tanh,
        [-0.96402758, -0.76159416, 0.0, 0.76159416, 0.96402758],
        (torch.tanh, expected.tanh_grad),
    )


@diagnosed
def check_relu(relu) -> None:
    """Visible checks of ``relu``: the example, float64, large |x|, the gradient at the kink (0 at
    x = 0, as PyTorch), then the stated properties."""
    _visible(relu, "relu", expected.relu, [0.0, 0.0, 0.0, 1.0, 2.0], kink=[0.0, 0.0, 1.0, 0.0])


@diagnosed
def check_leaky_relu(leaky_relu) -> None:
    """Visible checks of ``leaky_relu``: the example with the default slope and with 0.1,
    a 2-D float64 input with slope 0.25, the gradient at the kink (the slope at x = 0, as
    PyTorch), then the stated properties."""
    _visible_slope(
        leaky_relu,
        "leaky_relu",
        expected.leaky_relu,
        [-0.02, -0.01, 0.0, 1.0, 2.0],
        [-0.2, -0.1, 0.0, 1.0, 2.0],
        kink=[0.1, 0.1, 1.0, 0.1],
    )


# ---------------------------------------------------------------------------------------
# prelu

PRELU_INPUTS = {0: "x", 1: "a"}


@diagnosed
def check_prelu(prelu) -> None:
    """Visible checks of ``prelu``: one slope (shape (1,), as nn.PReLU stores it), one slope
    per channel of an (N, C, H, W) input, the gradient with respect to the slopes, then the
    stated properties on the per-channel example."""
    x = kit.on_device(EXAMPLE).reshape(1, 5)
    assert_values(
        prelu,
        (x, kit.on_device([0.25])),
        kit.on_device([[-0.5, -0.25, 0.0, 1.0, 2.0]]),
        f"prelu(x, a) with x = [{EXAMPLE}] (shape (1, 5)) and a = [0.25]",
    )
    x = kit.numbers(1, 2, 3, 4, shift=12.0) / 4
    a = kit.on_device([0.1, -0.5])
    per_channel = (
        "prelu(x, a) with x of shape (1, 2, 3, 4) (values -3 to 2.75) and one slope per channel, "
        "a = [0.1, -0.5] (channel 0 gets 0.1, channel 1 gets -0.5)"
    )
    assert_values(prelu, (x, a), expected.prelu(x, a), per_channel)
    y = ((x.reshape(2, 3, 4).permute(1, 0, 2) + 0.1) * 2).double()  # (3, 2, 4), no exact 0
    b = kit.on_device([0.2, 0.7], torch.float64)
    kit.assert_gradients_match(
        prelu,
        F.prelu,  # the built-in, which the answer may not call (a holds one slope per channel)
        (y, b),
        torch.ones_like(y),
        "prelu(x, a) with x of shape (3, 2, 4) in float64 and a = [0.2, 0.7]",
        ("x", "a"),
        from_scratch=FROM_SCRATCH,
    )
    assert_stated_properties(prelu, (x, a), per_channel, PRELU_INPUTS)


# ---------------------------------------------------------------------------------------
# rrelu


def rrelu_what(lower, upper, training) -> str:
    """The call in words."""
    return f"rrelu(x, lower={lower:g}, upper={upper:g}, training={training})"


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed torch's random numbers for the block, and restore the caller's state after it."""
    devices = [device()] if device().type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _drawing(seed: int | None) -> contextlib.AbstractContextManager:
    """:func:`seeded` with ``seed``, when there is one: a visible check gives each call of the
    answer its own fixed random state, whatever the calls before it drew (the recording
    replays the known mistakes call by call)."""
    return contextlib.nullcontext() if seed is None else seeded(seed)


def _structure(got, x: torch.Tensor, what: str) -> None:
    """A tensor with the input's shape, dtype and device."""
    if not isinstance(got, torch.Tensor) or got.shape != x.shape or got.dtype != x.dtype or got.device != x.device:
        raise CheckFailure(f"{what} is not right.\n{mismatch(got, x)}")


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (a.norm() * b.norm()).clamp_min(1e-30))


def assert_training_slopes(
    rrelu,
    lower: float,
    upper: float,
    shape: tuple[int, ...],
    dtype: torch.dtype,
    generator: torch.Generator,
    seeds: tuple[int, int] | None = None,
) -> None:
    """In training mode, on all-negative inputs: slopes in [lower, upper], spread like
    U(lower, upper), independent between neighbours, and new ones on every call.

    With ``seeds`` (a visible check), the two calls draw from these torch seeds, and the
    second one passes ``training`` by keyword: the recording tells calls apart by their
    arguments."""
    what = rrelu_what(lower, upper, True)
    x = -(torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5).to(device(), dtype)
    first, second = (None, None) if seeds is None else seeds
    with _drawing(first):
        got = call_answer(rrelu, (x, lower, upper, True), what)
    _structure(got, x, what)
    slopes = (got / x).double().reshape(shape)
    slack = 1e-6  # slopes drawn in float32 for a float64 input are fine
    outside = (slopes < lower - slack) | (slopes > upper + slack) | ~torch.isfinite(slopes)
    if outside.any():
        i = tuple(int(k) for k in outside.nonzero()[0])
        raise CheckFailure(
            f"{what} on negative inputs of shape {shape_text(x.shape)}: at index {i}, x = {x[i].item():.4g} gave "
            f"{got[i].item():.4g}, a slope of {slopes[i].item():.4g}, outside [lower, upper] = "
            f"[{lower:g}, {upper:g}]. In training mode each negative input is multiplied by a slope drawn "
            "uniformly from [lower, upper]."
        )
    spread = (upper - lower) / math.sqrt(12)
    if float(slopes.std()) < 0.5 * spread:
        raise CheckFailure(
            f"{what} on negative inputs of shape {shape_text(x.shape)}: the slopes hardly vary (standard deviation "
            f"{float(slopes.std()):.3g}, while slopes drawn uniformly from [{lower:g}, {upper:g}] have "
            f"{spread:.3g}). In training mode every element gets its own random slope."
        )
    for dim in range(len(shape)):
        n = shape[dim]
        r = _correlation(slopes.narrow(dim, 0, n - 1), slopes.narrow(dim, 1, n - 1))
        if r > 0.2:
            raise CheckFailure(
                f"{what} on negative inputs of shape {shape_text(x.shape)}: neighbouring elements along dim {dim} "
                f"get nearly the same slope (correlation {r:.2f}). Draw one slope per element, with the "
                "shape of x, not one per row, sample or channel."
            )
    ordered = slopes.reshape(-1).sort().values
    uniform = (torch.arange(ordered.numel(), dtype=torch.float64, device=ordered.device) + 0.5) / ordered.numel()
    distance = float(((ordered - lower) / (upper - lower) - uniform).abs().max())
    if distance > 0.05:
        raise CheckFailure(
            f"{what} on negative inputs of shape {shape_text(x.shape)}: the slopes are not spread uniformly over "
            f"[{lower:g}, {upper:g}] (their distribution is {distance:.2f} away from the uniform one, "
            "measured as the largest gap between the two cumulative distributions). Draw them with "
            "torch.rand or Tensor.uniform_."
        )
    with _drawing(second):
        if seeds is None:
            again = call_answer(rrelu, (x, lower, upper, True), what)
        else:
            again = call_answer(rrelu, (x, lower, upper), what, training=True)
    _structure(again, x, what)
    same = float((again == got).double().mean())
    if same > 0.5:
        raise CheckFailure(
            f"{what} called twice on the same input gave the same slopes for {same:.0%} of the elements. "
            "The slopes must be new random numbers on every call (do not reseed inside the function)."
        )


def assert_training_mixed(rrelu, lower: float, upper: float, x: torch.Tensor, seed: int | None = None) -> None:
    """In training mode, on inputs of both signs: positives pass unchanged, and the gradient
    of each negative element is the slope it got (the answer draws from the torch ``seed``,
    when given)."""
    what = rrelu_what(lower, upper, True)
    leaf = x.clone().requires_grad_(True)
    with _drawing(seed):
        got = call_answer(rrelu, (leaf, lower, upper, True), what)
    _structure(got, x, what)
    positive = x > 0
    unchanged = torch.where(positive, x, got.detach())
    assert_matches(got, unchanged, f"{what} on the positive inputs (they pass unchanged)")
    if not got.requires_grad:
        raise CheckFailure(f"{what} is not differentiable: its result is not connected to x in the autograd graph.")
    (grad,) = torch.autograd.grad(got, leaf, torch.ones_like(got), allow_unused=True)
    grad = torch.zeros_like(x) if grad is None else grad
    safe = torch.where(positive | (x == 0), torch.ones_like(x), x)
    slopes = torch.where(positive, torch.ones_like(x), got.detach() / safe)
    assert_matches(
        grad[x != 0],
        slopes[x != 0],
        f"The gradient of {what} (1 for positive inputs, the element's own slope for negative ones)",
    )


def assert_rrelu_kink(
    rrelu, lower: float, upper: float, training: bool, x: torch.Tensor, inputs: str, seed: int | None = None
) -> None:
    """rrelu where ``x`` is exactly 0: the value 0, and the gradient, the mean slope in evaluation mode,
    a slope in [lower, upper] in training mode (the element's own, which its value, 0, does not show);
    the positive inputs unchanged, with the gradient 1."""
    what = f"{rrelu_what(lower, upper, training)} on {inputs}"
    with _drawing(seed):
        got = call_answer(rrelu, (x, lower, upper), what, training=training)
    _structure(got, x, what)
    kept = x >= 0  # 0 stays 0 and positives pass unchanged, whatever the slope
    assert_matches(got[kept], x[kept], f"{what}, at its zeros and positive inputs (0 stays 0, x > 0 passes),")
    if not training:
        mean = (lower + upper) / 2
        slopes = torch.where(x > 0, torch.ones_like(x), torch.full_like(x, mean))
        with _drawing(seed):
            assert_kink(rrelu, (x, lower, upper), slopes, what, training=False)
        return
    leaf = x.clone().requires_grad_(True)
    with _drawing(seed):
        out = call_answer(rrelu, (leaf, lower, upper), what, training=True)
    if not isinstance(out, torch.Tensor) or not out.requires_grad or out.shape != x.shape:
        return
    (grad,) = kit.gradients(out, [leaf], torch.ones_like(out), what)
    grad = torch.zeros_like(x) if grad is None else grad
    zero = x == 0
    slack = 1e-6
    outside = zero & ((grad < lower - slack) | (grad > upper + slack))
    if outside.any():
        i = tuple(int(k) for k in outside.nonzero()[0])
        raise CheckFailure(
            f"The gradient of {what}, where x holds exact zeros (the kink), is not right: at index {i}, x = 0 "
            f"got the gradient {grad[i].item():.4g}, while the slope of an element is in [lower, upper] = "
            f"[{lower:g}, {upper:g}].\n{KINK_CONVENTION}"
        )


def assert_rrelu_properties(rrelu, x: torch.Tensor, inputs: str, lower: float = 1 / 8, upper: float = 1 / 3) -> None:
    """The stated properties of ``rrelu`` in training mode, where it creates its slopes, on ``x``
    (``inputs`` in words)."""
    assert_stated_properties(rrelu, (x, lower, upper, True), f"{rrelu_what(lower, upper, True)} on {inputs}")


def _eval_examples() -> list:
    """(args, keyword arguments, expected, call in words, inputs in words) in evaluation mode:
    the chapter's example."""
    x = kit.on_device(EXAMPLE)
    return [
        (
            (x,),
            {},
            kit.on_device([-0.45833333, -0.22916667, 0.0, 1.0, 2.0]),
            "rrelu(x) (default lower=1/8, upper=1/3, training=False)",
            f"the chapter's example x = {EXAMPLE}",
        ),
        ((x, 0.1, 0.3), {}, kit.on_device([-0.4, -0.2, 0.0, 1.0, 2.0]), "rrelu(x, 0.1, 0.3)", f"x = {EXAMPLE}"),
    ]


@diagnosed
def check_rrelu(rrelu) -> None:
    """Visible checks of ``rrelu``: evaluation mode with the default and other bounds, then
    training mode (bounds, spread and independence of the slopes, positives unchanged,
    gradients), the gradient at x = 0 in both modes, then the stated properties; each call of
    the answer draws from a torch seed of its own, the property checks' calls from one seed in
    turn."""
    for seed, (args, kwargs, result, what, inputs) in enumerate(_eval_examples(), start=6):
        with seeded(seed):
            assert_values(rrelu, args, result, f"{what} on {inputs}", **kwargs)
    generator = torch.Generator().manual_seed(8)
    assert_training_slopes(rrelu, 1 / 8, 1 / 3, (60, 80), torch.float32, generator, seeds=(8, 9))
    x = kit.numbers(4, 5, shift=9.5) / 3
    assert_training_mixed(rrelu, 1 / 8, 1 / 3, x, seed=10)
    kink = _kink_input()
    assert_rrelu_kink(rrelu, 1 / 8, 1 / 3, False, kink, f"x = {KINK}", seed=12)
    assert_rrelu_kink(rrelu, 1 / 8, 1 / 3, True, kink, f"x = {KINK}", seed=13)
    with seeded(11):
        assert_rrelu_properties(rrelu, x, "x of shape (4, 5) (values -3.17 to 3.17)")


# ---------------------------------------------------------------------------------------
# the derivatives

# The derivatives' numeric check: on the grid, away from the kink, a central difference of the
# activation is its derivative (exactly for the piecewise linear ones, up to rounding).
STEP = 1e-4
FINITE_DIFFERENCE = "the finite difference ({0}(x + h) - {0}(x - h)) / (2h), h = 1e-4, away from the kink"


def finite_difference(function: Callable, x: torch.Tensor, *args) -> torch.Tensor:
    """The central difference of ``function`` at ``x``, step :data:`STEP`."""
    return (function(x + STEP, *args) - function(x - STEP, *args)) / (2 * STEP)


GRAD_ADVICE = (
    "The exercise is the derivative's formula, written from scratch with tensor arithmetic; autograd is "
    "what the check compares with."
)


DERIVATIVE = {"watch": AUTOGRAD, "advice": GRAD_ADVICE}  # the options of every derivative check


@diagnosed
def check_sigmoid_grad(sigmoid_grad) -> None:
    """Visible checks of ``sigmoid_grad``: the example, float64, large |x|, then the stated properties."""
    _visible(
        sigmoid_grad,
        "sigmoid_grad",
        expected.sigmoid_grad,
        [0.10499359, 0.19661193, 0.25, 0.19661193, 0.10499359],
        derivative=True,
    )


@diagnosed
def check_tanh_grad(tanh_grad) -> None:
    """Visible checks of ``tanh_grad``: the example, float64, large |x|, then the stated properties."""
    _visible(
        tanh_grad,
        "tanh_grad",
        expected.tanh_grad,
        [0.07065082, 0.41997434, 1.0, 0.41997434, 0.07065082],
        derivative=True,
    )


@diagnosed
def check_relu_grad(relu_grad) -> None:
    """Visible checks of ``relu_grad``: the example (0 at x = 0), float64 (compared with the
    finite differences of relu), large |x|, then the stated properties."""
    x = kit.on_device(EXAMPLE)
    what = f"relu_grad(x) on the chapter's example x = {EXAMPLE}"
    assert_values(relu_grad, (x,), kit.on_device([0.0, 0.0, 0.0, 1.0, 1.0]), what, **DERIVATIVE)
    y = _grid()
    fd = FINITE_DIFFERENCE.format("relu")
    assert_values(
        relu_grad,
        (y,),
        finite_difference(expected.relu, y),
        f"relu_grad(x) with {GRID}, compared with {fd}",
        **DERIVATIVE,
    )
    for dtype in (torch.float32, torch.float64):
        y = kit.on_device(EXTREMES, dtype)
        assert_values(
            relu_grad,
            (y,),
            expected.relu_grad(y),
            f"relu_grad(x) on the large inputs x = {EXTREMES} ({dtype})",
            **DERIVATIVE,
        )
    assert_stated_properties(relu_grad, (x,), what, derivative=True)


@diagnosed
def check_leaky_relu_grad(leaky_relu_grad) -> None:
    """Visible checks of ``leaky_relu_grad``: the example with the default slope and with 0.1
    (the slope at x = 0), a 2-D float64 input, then the stated properties."""
    _visible_slope(
        leaky_relu_grad,
        "leaky_relu_grad",
        expected.leaky_relu_grad,
        [0.01, 0.01, 0.01, 1.0, 1.0],
        [0.1, 0.1, 0.1, 1.0, 1.0],
        derivative=True,
    )
