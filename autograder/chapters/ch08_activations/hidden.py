"""Hidden checks of chapter 8 (linear layers and activations), run at grading time: random
shapes from the grading seed with exact zeros, float64, the large inputs, random slopes and
bounds, gradients, rrelu's training mode on a torch random state seeded from the grading
seed, and last the properties the exercises' texts state, on a random input."""

from collections.abc import Callable
from functools import partial

import torch

from autograder.chapters.ch08_activations import mistakes
from autograder.chapters.ch08_activations import reference as ref
from autograder.chapters.ch08_activations.checks import (
    BUILTIN_LINEAR,
    DERIVATIVE,
    EXTREMES,
    FROM_SCRATCH,
    LINEAR_ADVICE,
    PRELU_INPUTS,
    X_ONLY,
    assert_kink,
    assert_linear,
    assert_linear_properties,
    assert_rrelu_kink,
    assert_rrelu_properties,
    assert_stable_gradient,
    assert_stated_properties,
    assert_training_mixed,
    assert_training_slopes,
    assert_values,
    rrelu_what,
    seeded,
)
from autograder.runtime import kit
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser
from autograder.runtime.guard import watched_calls

diagnosed = Diagnoser(mistakes, ref)


def _describe(x: torch.Tensor, extra: str = "") -> str:
    return f"x of shape {shape_text(x.shape)}{extra} ({x.dtype})"


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


def _images(cases: Cases) -> torch.Tensor:
    """A random float32 (N, C, H, W) input with N, C, H, W different and exact zeros: the input
    of the property cases."""
    n, c = cases.distinct_sizes(2, 5)
    h, w = cases.distinct_sizes(2, 6)
    return _mixed(cases, (n, c, h, w), torch.float32)


def _properties(fn, args: tuple, what: str, labels: dict[int, str] = X_ONLY, derivative: bool = False) -> kit.Hidden:
    """The hidden case of the stated properties of ``fn`` on ``args`` (``what``: the call in words)."""
    return kit.Hidden(
        f"the stated properties, {_describe(args[0])}",
        partial(assert_stated_properties, fn, args, what, labels, derivative=derivative),
    )


def _smooth(cases: Cases, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """Random (N, C, H, W) values away from 0, for gradient checks (kinks excluded)."""
    n, c = cases.distinct_sizes(2, 5)
    h, w = cases.distinct_sizes(2, 6)
    x = cases.randn(n, c, h, w, dtype=dtype) * 3
    return x + torch.where(x >= 0, 0.1, -0.1)  # at least 0.1 away from 0


# ---------------------------------------------------------------------------------------
# linear


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
                partial(assert_linear, linear, args, ref.linear, what),
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
    i, o = cases.distinct_sizes(2, 6)
    x, W, b = cases.randn(cases.size(2, 4), cases.size(2, 4), i), cases.randn(o, i), cases.randn(o)
    inputs = f"x of shape {shape_text(x.shape)}, W of shape {shape_text(W.shape)}"
    hidden.append(
        kit.Hidden(f"the stated properties, {inputs}", partial(assert_linear_properties, linear, x, W, b, inputs))
    )
    kit.run_hidden(cases, hidden)


def _assert_linear_gradient(linear, x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(linear(x, W, b) * G)`` in x, W and b, without F.linear."""
    with watched_calls(BUILTIN_LINEAR) as used:
        kit.assert_gradients_match(linear, ref.linear, (x, W, b), G, "linear(x, W, b)", ("x", "W", "b"))
    if used:
        raise CheckFailure(f"linear(x, W, b) called {used[0]}. {LINEAR_ADVICE}")


# ---------------------------------------------------------------------------------------
# element-wise functions: the hidden cases shared by the activations and their derivatives


def _hidden(fn, name: str, reference: Callable, cases: Cases, *, slopes: bool = False, **options) -> list[kit.Hidden]:
    """The element-wise hidden cases: random shapes with zeros, then the large inputs; with
    ``slopes``, a default slope, slope 0 and random slopes in [0, 1)."""
    items = _elementwise_items(cases)
    if not slopes:
        return [
            kit.Hidden(inputs, partial(assert_values, fn, (x,), reference(x), f"{name}(x)", **options))
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
                    assert_values, fn, (x,), reference(x, 0.01 if slope is None else slope), what, **keyword, **options
                ),
            )
        )
    return plan


# ---------------------------------------------------------------------------------------
# sigmoid, tanh, relu, leaky_relu: values, large inputs, gradients


def _grade_activation(fn, name: str, reference: Callable, stable_gradient: bool, kink: bool = False) -> None:
    """Random shapes with zeros, the large inputs, and gradients (at the large inputs too; with
    ``kink``, at exact zeros)."""
    cases = Cases()
    plan = _hidden(fn, name, reference, cases)
    x = _smooth(cases)
    plan.append(
        kit.gradient_case(
            f"the gradient for {_describe(x)}",
            fn,
            reference,
            (x,),
            cases.randn(*x.shape, dtype=x.dtype),
            f"{name}(x)",
            ("x",),
            from_scratch=FROM_SCRATCH,
        )
    )
    if stable_gradient:
        plan.append(
            kit.Hidden(
                f"the gradient at the large inputs {EXTREMES} (torch.float64)",
                partial(
                    assert_stable_gradient,
                    fn,
                    reference,
                    partial(ref.derivative, reference),
                    kit.on_device(EXTREMES, torch.float64),
                    f"{name}(x)",
                ),
            )
        )
    if kink:
        plan.append(_kink_case(fn, name, reference, cases))
    plan.append(_properties(fn, (_images(cases),), f"{name}(x)"))
    kit.run_hidden(cases, plan)


def _kink_case(fn, name: str, reference: Callable, cases: Cases, slope: float | None = None) -> kit.Hidden:
    """The gradient on a random float64 input with exact zeros: the reference's (PyTorch's) slope at
    the kink x = 0, with ``slope`` as ``negative_slope`` when given."""
    x = _mixed(cases, cases.distinct_sizes(3, 9), torch.float64)
    args, keyword, what = (x,), {}, f"{name}(x)"
    if slope is not None:
        keyword, what = {"negative_slope": slope}, f"{name}(x, negative_slope={slope:g})"
    slopes = ref.derivative(lambda t: reference(t, **keyword), x)
    return kit.Hidden(
        f"the gradient at exact zeros (the kink), {_describe(x)}",
        partial(assert_kink, fn, args, slopes, what, **keyword),
    )


@diagnosed
def grade_sigmoid(sigmoid) -> None:
    """Hidden checks of ``sigmoid``: random shapes, float64, large |x|, gradients."""
    _grade_activation(sigmoid, "sigmoid", ref.sigmoid, True)


@diagnosed
def grade_tanh(tanh) -> None:
    """Hidden checks of ``tanh``: random shapes, float64, large |x|, gradients."""
    _grade_activation(tanh, "tanh", ref.tanh, True)


@diagnosed
def grade_relu(relu) -> None:
    """Hidden checks of ``relu``: random shapes with zeros, float64, large |x|, gradients (0 at x = 0)."""
    _grade_activation(relu, "relu", ref.relu, False, kink=True)


@diagnosed
def grade_leaky_relu(leaky_relu) -> None:
    """Hidden checks of ``leaky_relu``: random slopes in [0, 1), the default slope, slope 0,
    random shapes with zeros, float64, large |x|, gradients (the slope at x = 0)."""
    cases = Cases()
    plan = _hidden(leaky_relu, "leaky_relu", ref.leaky_relu, cases, slopes=True)
    x, slope = _smooth(cases), round(cases.rng.uniform(0.05, 0.5), 3)
    plan.append(
        kit.gradient_case(
            f"the gradient for {_describe(x)}, negative_slope={slope}",
            leaky_relu,
            ref.leaky_relu,
            (x, slope),
            cases.randn(*x.shape, dtype=x.dtype),
            f"leaky_relu(x, {slope})",
            ("x",),
            from_scratch=FROM_SCRATCH,
        )
    )
    plan.append(_kink_case(leaky_relu, "leaky_relu", ref.leaky_relu, cases, round(cases.rng.uniform(0.05, 0.5), 3)))
    slope = round(cases.rng.uniform(0.05, 0.5), 3)
    plan.append(_properties(leaky_relu, (_images(cases), slope), f"leaky_relu(x, {slope})"))
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# prelu


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
                partial(assert_values, prelu, (x, a), ref.prelu(x, a), "prelu(x, a)"),
            )
        )
    for a_shape in ("C", "1"):
        x = _smooth(cases)
        a = cases.randn(x.shape[1] if a_shape == "C" else 1, dtype=torch.float64) * 0.5
        hidden.append(
            kit.gradient_case(
                f"the gradient for {_describe(x)}, a of shape {shape_text(a.shape)}",
                prelu,
                ref.prelu,
                (x, a),
                cases.randn(*x.shape, dtype=x.dtype),
                "prelu(x, a)",
                ("x", "a"),
                from_scratch=FROM_SCRATCH,
            )
        )
    x = _images(cases)
    a = cases.randn(x.shape[1]) * 0.5
    hidden.append(_properties(prelu, (x, a), "prelu(x, a) with one slope per channel", PRELU_INPUTS))
    kit.run_hidden(cases, hidden)


# ---------------------------------------------------------------------------------------
# rrelu


def _eval_cases(cases: Cases) -> list:
    """(args, keyword arguments, expected, call in words, inputs in words) in evaluation mode:
    random shapes and bounds."""
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
                rrelu_what(lower, upper, False),
                _describe(x),
            )
        )
    return items


@diagnosed
def grade_rrelu(rrelu) -> None:
    """Hidden checks of ``rrelu``: evaluation mode on random shapes and bounds, then training
    mode on (N, C, H, W) inputs with random bounds, float64, positives unchanged, gradients, the
    gradient at x = 0 in both modes."""
    cases = Cases()
    plan = [
        kit.Hidden(inputs, partial(assert_values, rrelu, args, expected, what, **kwargs))
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
                partial(assert_training_slopes, rrelu, lower, upper, shape, dtype, cases.generator),
            )
        )
    x = _smooth(cases)
    plan.append(
        kit.Hidden(
            f"training mode, {_describe(x)}: positives and gradients",
            partial(assert_training_mixed, rrelu, 0.1, 0.4, x),
        )
    )
    for training in (False, True):
        x = _mixed(cases, cases.distinct_sizes(3, 9), torch.float64)
        lower = round(cases.rng.uniform(0.0, 0.3), 3)
        upper = round(lower + cases.rng.uniform(0.1, 0.5), 3)
        mode = "training" if training else "evaluation"
        plan.append(
            kit.Hidden(
                f"{mode} mode, the gradient at exact zeros (the kink), {_describe(x)}",
                partial(assert_rrelu_kink, rrelu, lower, upper, training, x, _describe(x)),
            )
        )
    x = _images(cases)
    plan.append(
        kit.Hidden(
            f"the stated properties in training mode, {_describe(x)}",
            partial(assert_rrelu_properties, rrelu, x, _describe(x), 0.1, 0.4),
        )
    )
    with seeded(cases.seed):  # the slopes the answer draws in training mode
        kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# the derivatives


def _grade_derivative(fn, name: str, reference: Callable, slopes: bool = False) -> None:
    """The element-wise hidden cases of a derivative (with ``slopes``, for leaky_relu's), then its
    stated properties."""
    cases = Cases()
    plan = _hidden(fn, name, reference, cases, slopes=slopes, **DERIVATIVE)
    x = _images(cases)
    if slopes:
        slope = round(cases.rng.uniform(0.05, 0.5), 3)
        plan.append(_properties(fn, (x, slope), f"{name}(x, {slope})", derivative=True))
    else:
        plan.append(_properties(fn, (x,), f"{name}(x)", derivative=True))
    kit.run_hidden(cases, plan)


@diagnosed
def grade_sigmoid_grad(sigmoid_grad) -> None:
    """Hidden checks of ``sigmoid_grad``: random shapes, float64, large |x|."""
    _grade_derivative(sigmoid_grad, "sigmoid_grad", ref.sigmoid_grad)


@diagnosed
def grade_tanh_grad(tanh_grad) -> None:
    """Hidden checks of ``tanh_grad``: random shapes, float64, large |x|."""
    _grade_derivative(tanh_grad, "tanh_grad", ref.tanh_grad)


@diagnosed
def grade_relu_grad(relu_grad) -> None:
    """Hidden checks of ``relu_grad``: random shapes with exact zeros, float64, large |x|."""
    _grade_derivative(relu_grad, "relu_grad", ref.relu_grad)


@diagnosed
def grade_leaky_relu_grad(leaky_relu_grad) -> None:
    """Hidden checks of ``leaky_relu_grad``: random slopes, the default, slope 0, random
    shapes with exact zeros, float64, large |x|."""
    _grade_derivative(leaky_relu_grad, "leaky_relu_grad", ref.leaky_relu_grad, slopes=True)
