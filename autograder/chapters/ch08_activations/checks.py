"""Checks of chapter 8 (linear layers and activations): ``linear``, ``sigmoid``, ``tanh``,
``relu``, ``leaky_relu``, ``prelu``, ``rrelu`` and the derivatives ``sigmoid_grad``,
``tanh_grad``, ``relu_grad`` and ``leaky_relu_grad``.

The activations and their derivatives are from scratch: no built-in activation (guard
family ``"activation"``), and the derivatives must be formulas, not autograd. ``linear``
may not call ``F.linear`` (or ``nn.Linear``), which is what it is compared with. Every
element-wise function must leave its input unchanged, keep dtype and device, and stay
finite for large |x|, in its values and (for the activations) in its gradient.
``rrelu`` in training mode is random: its check tests the bounds, the spread and the
independence of the slopes, on a torch random state seeded from the grading seed.
"""

import contextlib
import math
from collections.abc import Callable, Iterator
from functools import partial

import torch
import torch.func
import torch.nn.functional as F

from autograder.chapters.ch08_activations import mistakes
from autograder.chapters.ch08_activations import reference as ref
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, mismatch, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser
from autograder.runtime.guard import watched_calls

diagnosed = Diagnoser(mistakes, ref)

FROM_SCRATCH = ("activation",)

# Calls that would hand the work to PyTorch: (owner, attribute) by the name students know.
BUILTIN_LINEAR = {"F.linear (which nn.Linear calls)": (F, "linear")}
AUTOGRAD = {
    "torch.autograd.grad": (torch.autograd, "grad"),
    "torch.autograd.backward": (torch.autograd, "backward"),
    "Tensor.backward": (torch.Tensor, "backward"),
    "torch.func.grad": (torch.func, "grad"),
    "torch.func.vjp": (torch.func, "vjp"),
    "torch.func.jacrev": (torch.func, "jacrev"),
    "torch.func.jacfwd": (torch.func, "jacfwd"),
}

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


def _describe(x: torch.Tensor, extra: str = "") -> str:
    return f"x of shape {shape_text(x.shape)}{extra} ({x.dtype})"


def _call(fn, args, what: str, *, watch=None, advice: str = "", from_scratch=FROM_SCRATCH, **kwargs):
    """``call`` the student's function, refusing the watched calls and changes to the inputs."""
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
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


def _assert_values(fn, args, expected: torch.Tensor, what: str, **options) -> torch.Tensor:
    """The result of ``fn(*args)`` is finite where ``expected`` is, then equal to it."""
    got = _call(fn, args, what, **options)
    _assert_finite(got, expected, args[0], what)
    assert_matches(got, expected, what)
    return got


def _assert_stable_gradient(fn, reference: Callable, x: torch.Tensor, what: str) -> None:
    """The gradient of ``fn`` at the large inputs ``x`` is finite, and right."""
    leaf = x.clone().requires_grad_(True)
    out = _call(fn, (leaf,), what)
    if isinstance(out, torch.Tensor) and out.requires_grad and out.shape == x.shape:
        (got,) = torch.autograd.grad(out, leaf, torch.ones_like(out), allow_unused=True)
        if got is not None:
            _assert_finite(got, ref.derivative(reference, x), x, f"The gradient of {what}", "gradient")
    kit.assert_gradients_match(fn, reference, (x,), torch.ones_like(x), what, ("x",), from_scratch=FROM_SCRATCH)


def _mixed(cases: Cases, shape: tuple[int, ...], dtype: torch.dtype, scale: float = 3.0) -> torch.Tensor:
    """Random values of ``shape`` with a spread of ``scale``, a few of them exactly 0."""
    x = cases.randn(*shape, dtype=dtype) * scale
    flat = x.reshape(-1)
    flat[:: max(1, flat.numel() // 3)] = 0.0
    return x


def _shapes(cases: Cases) -> list[tuple[tuple[int, ...], torch.dtype, str]]:
    """Random shapes for element-wise functions: 1-D, 2-D and (N, C, H, W) with N, C, H, W
    different, in float32 and float64."""
    n, c = cases.distinct_sizes(2, 6)
    h, w = cases.distinct_sizes(3, 9)
    return [
        ((cases.size(5, 40),), torch.float32, ""),
        (cases.distinct_sizes(2, 12), torch.float32, ""),
        ((n, c, h, w), torch.float32, ""),
        ((c, h, w), torch.float64, ""),
    ]


def _elementwise_items(cases: Cases) -> list[tuple[torch.Tensor, str]]:
    """(x, inputs in words): random shapes with exact zeros, then the large values, in both dtypes."""
    items = [(x := _mixed(cases, shape, dtype), _describe(x, extra)) for shape, dtype, extra in _shapes(cases)]
    for dtype in (torch.float32, torch.float64):
        x = kit.on_device(EXTREMES, dtype)[torch.randperm(len(EXTREMES), generator=cases.generator)]
        items.append((x, f"large inputs {sorted(EXTREMES)} ({dtype})"))
    return items


def _smooth(cases: Cases, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Random (N, C, H, W) values away from 0, for gradient checks (kinks excluded)."""
    n, c = cases.distinct_sizes(2, 5)
    h, w = cases.distinct_sizes(2, 6)
    x = cases.randn(n, c, h, w, dtype=dtype) * 3
    return x + torch.where(x >= 0, 0.1, -0.1)  # at least 0.1 away from 0


# ---------------------------------------------------------------------------------------
# linear

LINEAR_ADVICE = "F.linear is what the check compares with: write x @ W^T + b with a matrix product and an addition."


def _assert_linear(linear, args, what: str) -> None:
    _assert_values(linear, args, ref.linear(*args), what, watch=BUILTIN_LINEAR, advice=LINEAR_ADVICE, from_scratch=())


def _source_example() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The source's example: x = [[1, 2, 3]], W rows of 1s, 2s, 3s, 4s (4 x 3), b = 0.5 each."""
    x = kit.on_device([[1.0, 2.0, 3.0]])
    W = kit.on_device([[1.0] * 3, [2.0] * 3, [3.0] * 3, [4.0] * 3])
    return x, W, torch.full((4,), 0.5, device=device())


@diagnosed
def check_linear(linear) -> None:
    """Visible checks of ``linear``: the chapter's example, a batch without bias, leading dims."""
    x, W, b = _source_example()
    _assert_values(
        linear,
        (x, W, b),
        kit.on_device([[6.5, 12.5, 18.5, 24.5]]),
        "linear(x, W, b) on the chapter's example (x = [[1, 2, 3]], W of shape (4, 3) with rows of "
        "1s, 2s, 3s and 4s, b = [0.5, 0.5, 0.5, 0.5])",
        watch=BUILTIN_LINEAR,
        advice=LINEAR_ADVICE,
        from_scratch=(),
    )
    x = kit.numbers(2, 5, modulo=4, shift=1.0)
    W = kit.numbers(3, 5, modulo=3, shift=1.0)
    _assert_linear(linear, (x, W), "linear(x, W) with x of shape (2, 5), W of shape (3, 5) and no bias")
    x = kit.numbers(2, 3, 4, modulo=5, shift=2.0)
    W = kit.numbers(2, 4, modulo=3, shift=1.0)
    _assert_linear(
        linear,
        (x, W, kit.on_device([1.0, -1.0])),
        "linear(x, W, b) with x of shape (2, 3, 4) (a leading batch of 2 x 3), W of shape (2, 4)",
    )


def _linear_plan(cases: Cases) -> list:
    """(x shape, W shape, how b is passed, dtype, label) of the hidden cases."""
    f32, f64 = torch.float32, torch.float64
    plan = []
    for lead, bias, dtype, label in (
        ((cases.size(2, 7),), "b", f32, "a batch (N, in)"),
        ((), "b", f32, "a single vector (in,)"),
        (cases.distinct_sizes(2, 5), "omitted", f32, "two leading dims, b omitted"),
        ((2, *cases.distinct_sizes(2, 4)), "b", f64, "three leading dims"),
        ((cases.size(2, 7),), "None", f32, "a batch, b=None"),
    ):
        i, o = cases.distinct_sizes(2, 9)
        plan.append(((*lead, i), (o, i), bias, dtype, label))
    i = cases.size(2, 9)
    plan.append(((cases.size(2, 7), i), (i, i), "b", f32, "a square W (in = out)"))
    plan.append(((cases.size(2, 7), 1), (cases.size(2, 6), 1), "b", f32, "one input feature"))
    plan.append(((cases.size(2, 7), cases.size(2, 6)), None, "b", f32, "one output feature"))
    return plan


@diagnosed
def grade_linear(linear) -> None:
    """Hidden checks of ``linear``: in != out, one or several leading dims, a single vector,
    b omitted or None, a square W, one feature, float64, gradients in x, W and b."""
    cases = Cases()
    hidden = []
    for x_shape, w_shape, bias, dtype, label in _linear_plan(cases):
        w_shape = (1, x_shape[-1]) if w_shape is None else w_shape
        x, W = cases.randn(*x_shape, dtype=dtype), cases.randn(*w_shape, dtype=dtype)
        args, what = {
            "b": ((x, W, cases.randn(w_shape[0], dtype=dtype)), "linear(x, W, b)"),
            "omitted": ((x, W), "linear(x, W)"),
            "None": ((x, W, None), "linear(x, W, None)"),
        }[bias]
        hidden.append(
            kit.Hidden(
                f"{label}: x of shape {shape_text(x.shape)}, W of shape {shape_text(W.shape)} ({dtype})",
                partial(_assert_linear, linear, args, what),
            )
        )
    i, o = cases.distinct_sizes(2, 6)
    x = cases.randn(cases.size(2, 4), cases.size(2, 4), i, dtype=torch.float64)
    W, b = cases.randn(o, i, dtype=torch.float64), cases.randn(o, dtype=torch.float64)
    G = cases.randn(*x.shape[:-1], o, dtype=torch.float64)
    hidden.append(
        kit.Hidden(
            f"the gradient for x of shape {shape_text(x.shape)}, W of shape {shape_text(W.shape)} (torch.float64)",
            partial(_assert_linear_gradient, linear, x, W, b, G),
        )
    )
    kit.run_hidden(cases, hidden)


def _assert_linear_gradient(linear, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(linear(x, W, b) * G)`` in x, W and b, without F.linear."""
    with watched_calls(BUILTIN_LINEAR) as used:
        kit.assert_gradients_match(linear, ref.linear, (x, W, b), G, "linear(x, W, b)", ("x", "W", "b"))
    if used:
        raise CheckFailure(f"linear(x, W, b) called {used[0]}. {LINEAR_ADVICE}")


# ---------------------------------------------------------------------------------------
# element-wise functions: the drivers shared by the activations and their derivatives

GRID = "x of shape (3, 4) in float64 (-2.75 to 2.75)"


def _grid() -> torch.Tensor:
    """The 2-D float64 input of the visible checks: -2.75 to 2.75 in steps of 0.5."""
    return (torch.arange(12.0, device=device(), dtype=torch.float64).reshape(3, 4) - 5.5) / 2


def _visible(fn, name: str, reference: Callable, example: list[float], **options) -> None:
    """The chapter's example, the 2-D float64 input and the large inputs in both dtypes."""
    x = kit.on_device(EXAMPLE)
    _assert_values(fn, (x,), kit.on_device(example), f"{name}(x) on the chapter's example x = {EXAMPLE}", **options)
    x = _grid()
    _assert_values(fn, (x,), reference(x), f"{name}(x) with {GRID}", **options)
    for dtype in (torch.float32, torch.float64):
        x = kit.on_device(EXTREMES, dtype)
        _assert_values(fn, (x,), reference(x), f"{name}(x) on the large inputs x = {EXTREMES} ({dtype})", **options)


def _visible_slope(fn, name: str, reference: Callable, default: list[float], tenth: list[float], **options) -> None:
    """The example with the default slope and with 0.1, and the 2-D float64 input with 0.25."""
    x = kit.on_device(EXAMPLE)
    _assert_values(
        fn,
        (x,),
        kit.on_device(default),
        f"{name}(x) (default negative_slope=0.01) on the chapter's example x = {EXAMPLE}",
        **options,
    )
    _assert_values(
        fn, (x,), kit.on_device(tenth), f"{name}(x, negative_slope=0.1) on x = {EXAMPLE}", negative_slope=0.1, **options
    )
    x = _grid()
    _assert_values(fn, (x, 0.25), reference(x, 0.25), f"{name}(x, 0.25) with {GRID}", **options)


def _hidden(fn, name: str, reference: Callable, cases: Cases, *, slopes: bool = False, **options) -> list[kit.Hidden]:
    """The element-wise hidden cases: random shapes with zeros, then the large inputs; with
    ``slopes``, a default slope, slope 0 and random slopes in [0, 1)."""
    items = _elementwise_items(cases)
    if not slopes:
        return [
            kit.Hidden(inputs, partial(_assert_values, fn, (x,), reference(x), f"{name}(x)", **options))
            for x, inputs in items
        ]
    chosen = [None, 0.0] + [round(cases.rng.uniform(0.02, 0.9), 3) for _ in items[2:]]
    plan = []
    for (x, inputs), slope in zip(items, chosen):
        keyword = {} if slope is None else {"negative_slope": slope}
        what = f"{name}(x)" if slope is None else f"{name}(x, negative_slope={slope:g})"
        plan.append(
            kit.Hidden(
                f"{inputs}, negative_slope={'default' if slope is None else slope}",
                partial(
                    _assert_values, fn, (x,), reference(x, 0.01 if slope is None else slope), what, **keyword, **options
                ),
            )
        )
    return plan


# ---------------------------------------------------------------------------------------
# sigmoid, tanh, relu, leaky_relu: values, large inputs, gradients


def _check_activation(fn, name: str, reference: Callable, example: list[float], stable_gradient: bool) -> None:
    """The visible element-wise cases, then the gradient at the large inputs."""
    _visible(fn, name, reference, example)
    if stable_gradient:
        _assert_stable_gradient(fn, reference, kit.on_device(EXTREMES), f"{name}(x) on x = {EXTREMES}")


def _grade_activation(fn, name: str, reference: Callable, stable_gradient: bool) -> None:
    """Random shapes with zeros, the large inputs, and gradients (at the large inputs too)."""
    cases = Cases()
    plan = _hidden(fn, name, reference, cases)
    x = _smooth(cases)
    plan.append(
        kit.Hidden(
            f"the gradient for {_describe(x)}",
            partial(
                kit.assert_gradients_match,
                fn,
                reference,
                (x,),
                cases.randn(*x.shape, dtype=x.dtype),
                f"{name}(x)",
                ("x",),
                from_scratch=FROM_SCRATCH,
            ),
        )
    )
    if stable_gradient:
        plan.append(
            kit.Hidden(
                f"the gradient at the large inputs {EXTREMES} (torch.float64)",
                partial(_assert_stable_gradient, fn, reference, kit.on_device(EXTREMES, torch.float64), f"{name}(x)"),
            )
        )
    kit.run_hidden(cases, plan)


@diagnosed
def check_sigmoid(sigmoid) -> None:
    """Visible checks of ``sigmoid``: the example, float64, large |x| (values and gradient)."""
    _check_activation(sigmoid, "sigmoid", ref.sigmoid, [0.11920292, 0.26894142, 0.5, 0.73105858, 0.88079708], True)


@diagnosed
def grade_sigmoid(sigmoid) -> None:
    """Hidden checks of ``sigmoid``: random shapes, float64, large |x|, gradients."""
    _grade_activation(sigmoid, "sigmoid", ref.sigmoid, True)


@diagnosed
def check_tanh(tanh) -> None:
    """Visible checks of ``tanh``: the example, float64, large |x| (values and gradient)."""
    _check_activation(tanh, "tanh", ref.tanh, [-0.96402758, -0.76159416, 0.0, 0.76159416, 0.96402758], True)


@diagnosed
def grade_tanh(tanh) -> None:
    """Hidden checks of ``tanh``: random shapes, float64, large |x|, gradients."""
    _grade_activation(tanh, "tanh", ref.tanh, True)


@diagnosed
def check_relu(relu) -> None:
    """Visible checks of ``relu``: the example, float64, large |x|."""
    _check_activation(relu, "relu", ref.relu, [0.0, 0.0, 0.0, 1.0, 2.0], False)


@diagnosed
def grade_relu(relu) -> None:
    """Hidden checks of ``relu``: random shapes with zeros, float64, large |x|, gradients."""
    _grade_activation(relu, "relu", ref.relu, False)


@diagnosed
def check_leaky_relu(leaky_relu) -> None:
    """Visible checks of ``leaky_relu``: the example with the default slope and with 0.1,
    a 2-D float64 input with slope 0.25."""
    _visible_slope(leaky_relu, "leaky_relu", ref.leaky_relu, [-0.02, -0.01, 0.0, 1.0, 2.0], [-0.2, -0.1, 0.0, 1.0, 2.0])


@diagnosed
def grade_leaky_relu(leaky_relu) -> None:
    """Hidden checks of ``leaky_relu``: random slopes in [0, 1), the default slope, slope 0,
    random shapes with zeros, float64, large |x|, gradients."""
    cases = Cases()
    plan = _hidden(leaky_relu, "leaky_relu", ref.leaky_relu, cases, slopes=True)
    x, slope = _smooth(cases), round(cases.rng.uniform(0.05, 0.5), 3)
    plan.append(
        kit.Hidden(
            f"the gradient for {_describe(x)}, negative_slope={slope}",
            partial(
                kit.assert_gradients_match,
                leaky_relu,
                ref.leaky_relu,
                (x, slope),
                cases.randn(*x.shape, dtype=x.dtype),
                f"leaky_relu(x, {slope})",
                ("x",),
                from_scratch=FROM_SCRATCH,
            ),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# prelu


@diagnosed
def check_prelu(prelu) -> None:
    """Visible checks of ``prelu``: one slope (shape (1,), as nn.PReLU stores it), one slope
    per channel of an (N, C, H, W) input, and the gradient with respect to the slopes."""
    x = kit.on_device(EXAMPLE).reshape(1, 5)
    _assert_values(
        prelu,
        (x, kit.on_device([0.25])),
        kit.on_device([[-0.5, -0.25, 0.0, 1.0, 2.0]]),
        f"prelu(x, a) with x = [{EXAMPLE}] (shape (1, 5)) and a = [0.25]",
    )
    x = kit.numbers(1, 2, 3, 4, shift=12.0) / 4
    a = kit.on_device([0.1, -0.5])
    _assert_values(
        prelu,
        (x, a),
        ref.prelu(x, a),
        "prelu(x, a) with x of shape (1, 2, 3, 4) (values -3 to 2.75) and one slope per channel, "
        "a = [0.1, -0.5] (channel 0 gets 0.1, channel 1 gets -0.5)",
    )
    x = ((x.reshape(2, 3, 4).permute(1, 0, 2) + 0.1) * 2).double()  # (3, 2, 4), no exact 0
    a = kit.on_device([0.2, 0.7], torch.float64)
    kit.assert_gradients_match(
        prelu,
        ref.prelu,
        (x, a),
        torch.ones_like(x),
        "prelu(x, a) with x of shape (3, 2, 4) in float64 and a = [0.2, 0.7]",
        ("x", "a"),
        from_scratch=FROM_SCRATCH,
    )


@diagnosed
def grade_prelu(prelu) -> None:
    """Hidden checks of ``prelu``: per-channel slopes on (N, C), (N, C, L) and (N, C, H, W)
    inputs with N, C, H, W different, one slope of shape (1,) or (), negative slopes,
    float64, gradients in x and a."""
    cases = Cases()
    n, c = cases.distinct_sizes(2, 6)
    h, w = cases.distinct_sizes(3, 8)
    plan = [
        ((n, c, h, w), (c,), torch.float32, "one slope per channel"),
        ((n, c), (c,), torch.float32, "one slope per channel, no spatial dims"),
        ((cases.size(2, 5), c, w), (c,), torch.float64, "one slope per channel"),
        ((n, c, h, w), (1,), torch.float32, "one slope, shape (1,)"),
        ((c, h, w), (), torch.float32, "one slope, a 0-dim tensor"),
    ]
    hidden = []
    for x_shape, a_shape, dtype, label in plan:
        x = _mixed(cases, x_shape, dtype)
        a = torch.empty(a_shape, dtype=dtype).uniform_(-0.5, 1.0, generator=cases.generator).to(device())
        hidden.append(
            kit.Hidden(
                f"{label}: {_describe(x)}, a of shape {shape_text(a.shape)}",
                partial(_assert_values, prelu, (x, a), ref.prelu(x, a), "prelu(x, a)"),
            )
        )
    for a_shape in ("C", "1"):
        x = _smooth(cases)
        a = cases.randn(x.shape[1] if a_shape == "C" else 1, dtype=torch.float64) * 0.5
        hidden.append(
            kit.Hidden(
                f"the gradient for {_describe(x)}, a of shape {shape_text(a.shape)}",
                partial(
                    kit.assert_gradients_match,
                    prelu,
                    ref.prelu,
                    (x, a),
                    cases.randn(*x.shape, dtype=x.dtype),
                    "prelu(x, a)",
                    ("x", "a"),
                    from_scratch=FROM_SCRATCH,
                ),
            )
        )
    kit.run_hidden(cases, hidden)


# ---------------------------------------------------------------------------------------
# rrelu


def _rrelu_what(lower, upper, training) -> str:
    return f"rrelu(x, lower={lower:g}, upper={upper:g}, training={training})"


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed torch's random numbers for the block, and restore the caller's state after it."""
    devices = [device()] if device().type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def _structure(got, x: torch.Tensor, what: str) -> None:
    """A tensor with the input's shape, dtype and device."""
    if not isinstance(got, torch.Tensor) or got.shape != x.shape or got.dtype != x.dtype or got.device != x.device:
        raise CheckFailure(f"{what} is not right.\n{mismatch(got, x)}")


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / (a.norm() * b.norm()).clamp_min(1e-30))


def _assert_training_slopes(
    rrelu, lower: float, upper: float, shape: tuple[int, ...], dtype: torch.dtype, generator: torch.Generator
) -> None:
    """In training mode, on all-negative inputs: slopes in [lower, upper], spread like
    U(lower, upper), independent between neighbours, and new ones on every call."""
    what = _rrelu_what(lower, upper, True)
    x = -(torch.rand(shape, generator=generator, dtype=torch.float64) + 0.5).to(device(), dtype)
    got = _call(rrelu, (x, lower, upper, True), what)
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
    again = _call(rrelu, (x, lower, upper, True), what)
    _structure(again, x, what)
    same = float((again == got).double().mean())
    if same > 0.5:
        raise CheckFailure(
            f"{what} called twice on the same input gave the same slopes for {same:.0%} of the elements. "
            "The slopes must be new random numbers on every call (do not reseed inside the function)."
        )


def _assert_training_mixed(rrelu, lower: float, upper: float, x: torch.Tensor) -> None:
    """In training mode, on inputs of both signs: positives pass unchanged, and the gradient
    of each negative element is the slope it got."""
    what = _rrelu_what(lower, upper, True)
    leaf = x.clone().requires_grad_(True)
    got = _call(rrelu, (leaf, lower, upper, True), what)
    _structure(got, x, what)
    positive = x > 0
    expected = torch.where(positive, x, got.detach())
    assert_matches(got, expected, f"{what} on the positive inputs (they pass unchanged)")
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


def _eval_cases(cases: Cases | None) -> list:
    """(args, keyword arguments, expected, call in words, inputs in words) in evaluation mode:
    the chapter's example without cases, random shapes and bounds with them."""
    if cases is None:
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
    items = []
    for number, (shape, dtype, _) in enumerate(_shapes(cases)):
        x = _mixed(cases, shape, dtype)
        if number == 0:
            items.append(((x,), {}, ref.rrelu(x), "rrelu(x) (defaults)", _describe(x)))
            continue
        lower = round(cases.rng.uniform(0.0, 0.3), 3)
        upper = round(lower + cases.rng.uniform(0.05, 0.5), 3)
        items.append(
            (
                (x, lower, upper),
                {"training": False},
                ref.rrelu(x, lower, upper),
                _rrelu_what(lower, upper, False),
                _describe(x),
            )
        )
    return items


@diagnosed
def check_rrelu(rrelu) -> None:
    """Visible checks of ``rrelu``: evaluation mode with the default and other bounds, then
    training mode (bounds, spread and independence of the slopes, positives unchanged,
    gradients), on a fixed random state."""
    for args, kwargs, expected, what, inputs in _eval_cases(None):
        _assert_values(rrelu, args, expected, f"{what} on {inputs}", **kwargs)
    generator = torch.Generator().manual_seed(8)
    with _seeded(8):
        _assert_training_slopes(rrelu, 1 / 8, 1 / 3, (60, 80), torch.float32, generator)
        x = kit.numbers(4, 5, shift=9.5) / 3
        _assert_training_mixed(rrelu, 1 / 8, 1 / 3, x)


@diagnosed
def grade_rrelu(rrelu) -> None:
    """Hidden checks of ``rrelu``: evaluation mode on random shapes and bounds, then training
    mode on (N, C, H, W) inputs with random bounds, float64, positives unchanged, gradients."""
    cases = Cases()
    plan = [
        kit.Hidden(inputs, partial(_assert_values, rrelu, args, expected, what, **kwargs))
        for args, kwargs, expected, what, inputs in _eval_cases(cases)
    ]
    n, c = cases.distinct_sizes(2, 6)
    h, w = cases.distinct_sizes(8, 16)
    for dtype in (torch.float32, torch.float64):
        lower = round(cases.rng.uniform(0.0, 0.3), 3)
        upper = round(lower + cases.rng.uniform(0.1, 0.5), 3)
        shape = (n, c, h * 4, w * 4)
        plan.append(
            kit.Hidden(
                f"training mode, negative x of shape {shape} ({dtype}), lower={lower}, upper={upper}",
                partial(_assert_training_slopes, rrelu, lower, upper, shape, dtype, cases.generator),
            )
        )
    x = _smooth(cases)
    plan.append(
        kit.Hidden(
            f"training mode, {_describe(x)}: positives and gradients",
            partial(_assert_training_mixed, rrelu, 0.1, 0.4, x),
        )
    )
    with _seeded(cases.seed):  # the slopes the answer draws in training mode
        kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# the derivatives

GRAD_ADVICE = (
    "The exercise is the derivative's formula, written with tensor arithmetic; autograd is what the "
    "check compares with."
)


DERIVATIVE = {"watch": AUTOGRAD, "advice": GRAD_ADVICE}  # the options of every derivative check


def _grade_derivative(fn, name: str, reference: Callable, slopes: bool = False) -> None:
    """The element-wise hidden cases of a derivative (with ``slopes``, for leaky_relu's)."""
    cases = Cases()
    kit.run_hidden(cases, _hidden(fn, name, reference, cases, slopes=slopes, **DERIVATIVE))


@diagnosed
def check_sigmoid_grad(sigmoid_grad) -> None:
    """Visible checks of ``sigmoid_grad``: the example, float64, large |x|."""
    _visible(
        sigmoid_grad,
        "sigmoid_grad",
        ref.sigmoid_grad,
        [0.10499359, 0.19661193, 0.25, 0.19661193, 0.10499359],
        **DERIVATIVE,
    )


@diagnosed
def grade_sigmoid_grad(sigmoid_grad) -> None:
    """Hidden checks of ``sigmoid_grad``: random shapes, float64, large |x|."""
    _grade_derivative(sigmoid_grad, "sigmoid_grad", ref.sigmoid_grad)


@diagnosed
def check_tanh_grad(tanh_grad) -> None:
    """Visible checks of ``tanh_grad``: the example, float64, large |x|."""
    _visible(tanh_grad, "tanh_grad", ref.tanh_grad, [0.07065082, 0.41997434, 1.0, 0.41997434, 0.07065082], **DERIVATIVE)


@diagnosed
def grade_tanh_grad(tanh_grad) -> None:
    """Hidden checks of ``tanh_grad``: random shapes, float64, large |x|."""
    _grade_derivative(tanh_grad, "tanh_grad", ref.tanh_grad)


@diagnosed
def check_relu_grad(relu_grad) -> None:
    """Visible checks of ``relu_grad``: the example (0 at x = 0), float64, large |x|."""
    _visible(relu_grad, "relu_grad", ref.relu_grad, [0.0, 0.0, 0.0, 1.0, 1.0], **DERIVATIVE)


@diagnosed
def grade_relu_grad(relu_grad) -> None:
    """Hidden checks of ``relu_grad``: random shapes with exact zeros, float64, large |x|."""
    _grade_derivative(relu_grad, "relu_grad", ref.relu_grad)


@diagnosed
def check_leaky_relu_grad(leaky_relu_grad) -> None:
    """Visible checks of ``leaky_relu_grad``: the example with the default slope and with 0.1
    (the slope at x = 0), a 2-D float64 input."""
    _visible_slope(
        leaky_relu_grad,
        "leaky_relu_grad",
        ref.leaky_relu_grad,
        [0.01, 0.01, 0.01, 1.0, 1.0],
        [0.1, 0.1, 0.1, 1.0, 1.0],
        **DERIVATIVE,
    )


@diagnosed
def grade_leaky_relu_grad(leaky_relu_grad) -> None:
    """Hidden checks of ``leaky_relu_grad``: random slopes, the default, slope 0, random
    shapes with exact zeros, float64, large |x|."""
    _grade_derivative(leaky_relu_grad, "leaky_relu_grad", ref.leaky_relu_grad, slopes=True)
