"""Hidden checks of chapter 9 (batch normalization), run at grading time: ``batch_norm`` on
random (N, C) and (N, C, H, W) batches (square and not) over training then eval steps, random
momentum and eps, momentum 0 and 1, a channel that barely varies, float64 and gradients;
``BatchNorm2d`` with a random loaded state, custom eps and momentum, ``momentum=None`` (a
cumulative average, as in PyTorch), ``affine=False``, ``track_running_stats=False``, moved with
``.to``, and gradients; last, for both, the properties their texts state on a random batch.

The student's own running estimates feed each next step, and the reference's result is
computed from them, as in a training loop."""

from functools import partial

import torch
from torch import nn

from autograder.chapters.ch09_batch_norm import mistakes
from autograder.chapters.ch09_batch_norm import reference as ref
from autograder.chapters.ch09_batch_norm.checks import (
    EPS,
    FROM_SCRATCH,
    MOMENTUM,
    assert_batch_norm_properties,
    assert_layer_norm,
    assert_layer_norm_gradients,
    assert_layer_norm_properties,
    assert_layer_properties,
    bn_step,
    load_state,
    module_step,
    new_layer,
)
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)


def _channel_view(t: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """A (C,) tensor shaped to broadcast against ``X`` along its channel axis 1."""
    return t.reshape(1, -1, *([1] * (X.dim() - 2)))


# ---------------------------------------------------------------------------------------
# batch_norm


def _reference_step(X, gamma, beta, running_mean, running_var, training: bool, momentum=None, eps=None) -> tuple:
    """The reference's ``(Y, running_mean, running_var)`` for one step (defaults when not given)."""
    return ref.batch_norm(
        X,
        gamma,
        beta,
        running_mean,
        running_var,
        training,
        MOMENTUM if momentum is None else momentum,
        EPS if eps is None else eps,
    )


def _affine(cases: Cases, C: int, dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Random gamma (away from 0) and beta of shape (C,)."""
    return 1 + 0.5 * cases.randn(C, dtype=dtype), cases.randn(C, dtype=dtype)


def _start(cases: Cases, C: int, dtype, fresh: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Running estimates as PyTorch starts them (zeros and ones), or random ones (a positive variance)."""
    if fresh:
        return torch.zeros(C, dtype=dtype, device=cases.device), torch.ones(C, dtype=dtype, device=cases.device)
    return cases.randn(C, dtype=dtype), 0.5 + cases.randn(C, dtype=dtype).abs()


def _batch(cases: Cases, shape: tuple, dtype) -> torch.Tensor:
    """Random values with a different mean and scale per channel (axis 1)."""
    C = shape[1]
    scale, shift = 0.5 + cases.randn(C, dtype=dtype).abs(), 2 * cases.randn(C, dtype=dtype)
    X = cases.randn(*shape, dtype=dtype)
    return X * _channel_view(scale, X) + _channel_view(shift, X)


def _sequence(
    batch_norm,
    cases: Cases,
    shapes: list[tuple],
    modes: list[bool],
    dtype,
    fresh: bool,
    momentum=None,
    eps=None,
    quiet_channel: bool = False,
) -> partial:
    """Steps of ``batch_norm`` on random batches of the ``shapes`` (cycled), one per mode in ``modes``,
    all drawn now; ``momentum`` is one value for every step or a list of one per step."""
    C = shapes[0][1]
    gamma, beta = _affine(cases, C, dtype)
    state = _start(cases, C, dtype, fresh)
    steps = []
    for number, training in enumerate(modes):
        X = _batch(cases, shapes[number % len(shapes)], dtype)
        if quiet_channel:  # a channel that barely varies: eps matters there
            X[:, 0] = 2.0 + 1e-3 * X[:, 0] / X[:, 0].std()
        steps.append((X, training, momentum[number] if isinstance(momentum, list) else momentum))
    return partial(_run_steps, batch_norm, gamma, beta, state, steps, eps)


def _run_steps(batch_norm, gamma, beta, state: tuple, steps: list[tuple], eps) -> None:
    """Chain ``bn_step`` over ``steps`` ((X, training, momentum) each), as a training loop would."""
    for number, (X, training, momentum) in enumerate(steps, start=1):
        want = _reference_step(X, gamma, beta, *state, training, momentum, eps)
        state = bn_step(batch_norm, X, gamma, beta, *state, training, want, momentum, eps, label=f"batch {number}")


@diagnosed
def grade_batch_norm(batch_norm) -> None:
    """Hidden checks of ``batch_norm``: (N, C) and (N, C, H, W) batches with H != W and H == W
    over several training steps then eval steps, defaults and random momentum and eps, N = 1
    images, random starting estimates, momentum 0 and 1, a channel that barely varies, float64,
    gradients, then the stated properties."""
    cases = Cases()
    f32, f64 = torch.float32, torch.float64
    train3_eval2 = [True, True, True, False, False]
    N, C = cases.size(3, 9), cases.size(2, 6)
    H, W = cases.distinct_sizes(2, 6)
    N4, C4 = cases.size(2, 4), cases.size(2, 5)
    momentum, eps = round(0.2 + 0.6 * cases.rng.random(), 2), 10.0 ** -cases.size(2, 4)
    C1 = cases.size(2, 4)
    H1, W1 = cases.distinct_sizes(2, 5)
    C0 = cases.size(2, 4)
    hidden = [
        kit.Hidden(
            f"(N, C) = ({N}, {C}) batches (float32, default momentum and eps)",
            _sequence(batch_norm, cases, [(N, C)], train3_eval2, f32, fresh=True),
        ),
        kit.Hidden(
            f"(N, C, H, W) = ({N4}, {C4}, {H}, {W}) and square ({N4}, {C4}, {W}, {W}) batches in turn (float32, "
            f"momentum={momentum:g}, eps={eps:g})",
            _sequence(
                batch_norm,
                cases,
                [(N4, C4, H, W), (N4, C4, W, W)],
                train3_eval2,
                f32,
                fresh=True,
                momentum=momentum,
                eps=eps,
            ),
        ),
        kit.Hidden(
            f"(1, {C1}, {H1}, {W1}) batches: a single image (float64, random starting estimates)",
            _sequence(batch_norm, cases, [(1, C1, H1, W1)], [True, True, False, False], f64, fresh=False),
        ),
        kit.Hidden(
            f"batches of {C} channels whose channel 0 barely varies (float64, (N, C) and (N, C, H, W))",
            _sequence(
                batch_norm, cases, [(N, C), (N4, C, W, H)], [True, True, False], f64, fresh=False, quiet_channel=True
            ),
        ),
        kit.Hidden(
            f"(N, C, H, W) = ({N4}, {C0}, {W}, {H}) batches with momentum 0, then 1 (float64)",
            _sequence(
                batch_norm, cases, [(N4, C0, W, H)], [True, True, False], f64, fresh=False, momentum=[0.0, 1.0, 1.0]
            ),
        ),
    ]
    for training in (True, False):
        C = cases.size(2, 4)
        H, W = cases.distinct_sizes(2, 4)
        X = _batch(cases, (cases.size(2, 3), C, H, W), f64)
        gamma, beta = _affine(cases, C, f64)
        state = _start(cases, C, f64, fresh=False)
        G = cases.randn(*X.shape, dtype=f64)
        hidden.append(
            kit.Hidden(
                f"the gradients with respect to X, gamma and beta for X of shape "
                f"{shape_text(X.shape)} (float64, training={training})",
                partial(_assert_bn_gradients, batch_norm, X, gamma, beta, *state, training, G),
            )
        )
    C = cases.size(2, 5)
    H, W = cases.distinct_sizes(2, 5)
    X = _batch(cases, (cases.size(2, 4), C, H, W), f32)
    args = (X, *_affine(cases, C, f32), *_start(cases, C, f32, fresh=False))
    hidden.append(
        kit.Hidden(
            f"the stated properties, X of shape {shape_text(X.shape)}",
            partial(assert_batch_norm_properties, batch_norm, *args),
        )
    )
    kit.run_hidden(cases, hidden)


def _assert_bn_gradients(batch_norm, X, gamma, beta, running_mean, running_var, training: bool, G) -> None:
    """The gradients of ``sum(Y * G)`` with respect to X, gamma and beta match PyTorch's."""
    leaves = [t.clone().requires_grad_(True) for t in (X, gamma, beta)]
    reference = [t.clone().requires_grad_(True) for t in (X, gamma, beta)]
    what = f"batch_norm(X, gamma, beta, running_mean, running_var, training={training})"
    want = _reference_step(*leaves, running_mean, running_var, training)
    bn_step(batch_norm, *leaves, running_mean, running_var, training, want)
    got, _ = call(
        batch_norm, *leaves, running_mean.clone(), running_var.clone(), training, what=what, from_scratch=FROM_SCRATCH
    )
    Y = got[0]
    if not Y.requires_grad:
        raise CheckFailure(
            f"The output Y of {what} is not differentiable: it is not connected to X, gamma and beta in "
            "the autograd graph. Avoid .item(), .detach(), numpy and torch.tensor(...) on the way."
        )
    expected = ref.batch_norm(*reference, running_mean, running_var, training)[0]
    grads = torch.autograd.grad(Y, leaves, G, allow_unused=True)
    wanted = torch.autograd.grad(expected, reference, G)
    for label, g, e in zip(("X", "gamma", "beta"), grads, wanted):
        assert_matches(torch.zeros_like(e) if g is None else g, e, f"The gradient of {what} with respect to {label}")


# ---------------------------------------------------------------------------------------
# BatchNorm2d


def _random_state(cases: Cases, C: int, kwargs: dict) -> dict[str, torch.Tensor]:
    """A state_dict for PyTorch's layer built with ``(C, **kwargs)``: random weight, bias and
    running estimates (those it has) and a random count of training steps."""
    state = ref.BatchNorm2d(C, **kwargs, device=device()).state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            if name == "num_batches_tracked":
                tensor.fill_(cases.size(1, 20))
            elif name == "running_var":
                tensor.copy_(0.5 + cases.randn(*tensor.shape).abs())
            else:
                tensor.copy_(cases.randn(*tensor.shape) + (1.0 if name == "weight" else 0.0))
    return state


def _to(layer: nn.Module, reference: nn.Module, what: str, dtype: torch.dtype) -> tuple[nn.Module, nn.Module]:
    if dtype == torch.float32:
        return layer, reference
    layer, _ = call(layer.to, dtype, what=f"{what}.to({dtype})")
    return layer, reference.to(dtype)


def _module_case(
    BatchNorm2d,
    cases: Cases,
    C: int,
    kwargs: dict,
    shapes: list[tuple],
    modes: list[bool],
    dtype: torch.dtype,
    random_state: bool,
) -> partial:
    """One hidden case of ``BatchNorm2d(C, **kwargs)``, drawn now: a random state to load (or
    none), then a random batch of the ``shapes`` (cycled) for each mode of ``modes``."""
    state = _random_state(cases, C, kwargs) if random_state else None
    steps = [(_batch(cases, shapes[number % len(shapes)], dtype), training) for number, training in enumerate(modes)]
    return partial(_module_sequence, BatchNorm2d, C, kwargs, state, steps, dtype)


def _module_sequence(
    BatchNorm2d, C: int, kwargs: dict, state: dict | None, steps: list[tuple], dtype: torch.dtype
) -> None:
    """Build both layers, load ``state`` if any, move them to ``dtype``, run the ``steps``."""
    layer, reference, what = new_layer(BatchNorm2d, C, **kwargs)
    if state is not None:
        reference.load_state_dict(state)
        load_state(layer, reference, what)
    layer, reference = _to(layer, reference, what, dtype)
    for number, (X, training) in enumerate(steps, start=1):
        module_step(layer, reference, X, training, what, f"batch {number}")


@diagnosed
def grade_BatchNorm2d(BatchNorm2d) -> None:
    """Hidden checks of ``BatchNorm2d``: random channels and batches, square and not, over
    training and eval steps (and back), random loaded state, custom eps and momentum,
    momentum=None, affine=False, track_running_stats=False, float64 with .to, a single image,
    gradients, then the stated properties."""
    cases = Cases()
    f32, f64 = torch.float32, torch.float64
    modes = [True, True, True, False, False, True, False]

    def shape(N=None):
        H, W = cases.distinct_sizes(2, 6)
        return (cases.size(2, 4) if N is None else N, C, H, W)

    def square():
        side = cases.size(2, 6)
        return (cases.size(2, 4), C, side, side)

    plan = []
    C = cases.size(2, 6)
    plan.append(
        (
            f"BatchNorm2d({C}), fresh, square and non-square batches (float32)",
            C,
            {},
            [shape(), square()],
            modes,
            f32,
            False,
        )
    )
    C = cases.size(2, 6)
    plan.append(
        (
            f"BatchNorm2d({C}) with a random loaded state (float64, moved with .to)",
            C,
            {},
            [shape(), shape(1)],
            modes,
            f64,
            True,
        )
    )
    C, momentum, eps = cases.size(2, 5), round(0.2 + 0.6 * cases.rng.random(), 2), 10.0 ** -cases.size(2, 4)
    plan.append(
        (
            f"BatchNorm2d({C}, eps={eps:g}, momentum={momentum:g}) (float64)",
            C,
            {"eps": eps, "momentum": momentum},
            [shape()],
            modes,
            f64,
            True,
        )
    )
    C = cases.size(2, 5)
    plan.append(
        (
            f"BatchNorm2d({C}, momentum=None): a cumulative average (float64)",
            C,
            {"momentum": None},
            [shape(), shape()],
            [True] * 4 + [False],
            f64,
            False,
        )
    )
    C = cases.size(2, 5)
    plan.append((f"BatchNorm2d({C}, affine=False) (float32)", C, {"affine": False}, [shape()], modes, f32, True))
    C = cases.size(2, 5)
    plan.append(
        (
            f"BatchNorm2d({C}, track_running_stats=False) (float64)",
            C,
            {"track_running_stats": False},
            [shape()],
            [True, False, True, False],
            f64,
            True,
        )
    )
    hidden = [kit.Hidden(inputs, _module_case(BatchNorm2d, cases, *case)) for inputs, *case in plan]
    C = cases.size(2, 4)
    X = _batch(cases, shape(), f64)
    G = cases.randn(*X.shape, dtype=f64)
    hidden.append(
        kit.Hidden(
            f"the gradients of BatchNorm2d({C}) in training mode, x of shape {shape_text(X.shape)} (float64)",
            partial(_assert_module_gradients, BatchNorm2d, C, _random_state(cases, C, {}), X, G),
        )
    )
    C = cases.size(2, 5)
    X = _batch(cases, shape(), f32)
    hidden.append(
        kit.Hidden(
            f"the stated properties, x of shape {shape_text(X.shape)}", partial(assert_layer_properties, BatchNorm2d, X)
        )
    )
    kit.run_hidden(cases, hidden)


def _assert_module_gradients(BatchNorm2d, C: int, state: dict, X: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(layer(x) * G)`` with respect to weight, bias and x in training
    mode, ``state`` loaded and the layers moved to float64."""
    layer, reference, what = new_layer(BatchNorm2d, C)
    reference.load_state_dict(state)
    load_state(layer, reference, what)
    layer, reference = _to(layer, reference, what, torch.float64)
    x, x_ref = X.clone().requires_grad_(True), X.clone().requires_grad_(True)
    module_step(layer, reference, x, True, what, "x")
    layer.train()
    reference.train()
    out, _ = call(layer, x, what=f"{what}(x)", from_scratch=FROM_SCRATCH)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(
            f"{what}(x) is not differentiable: its output is not connected to x, weight and bias in "
            "the autograd graph. Avoid .item(), .detach(), .data and torch.tensor(...) in forward."
        )
    expected = reference(x_ref)
    got = torch.autograd.grad(out, [layer.weight, layer.bias, x], G, allow_unused=True)
    want = torch.autograd.grad(expected, [reference.weight, reference.bias, x_ref], G)
    for label, g, e in zip(("weight", "bias", "the input x"), got, want):
        assert_matches(torch.zeros_like(e) if g is None else g, e, f"The gradient of {what}(x) with respect to {label}")


# ---------------------------------------------------------------------------------------
# layer_norm


def _ln_plan(cases: Cases) -> list:
    """(x shape, normalized_shape, affine, eps, dtype, label) of the value cases."""
    n, c = cases.distinct_sizes(2, 5)
    h, w = cases.distinct_sizes(3, 7)
    t, d = cases.distinct_sizes(3, 9)
    f32, f64 = torch.float32, torch.float64
    return [
        ((n, t, d), d, False, None, f32, "sequences (N, T, D), normalized_shape an int"),
        ((n, t, d), (d,), True, None, f32, "sequences (N, T, D), normalized_shape a 1-tuple, weight and bias"),
        ((n, c, h, w), (c, h, w), True, None, f32, "images (N, C, H, W) with H != W, over (C, H, W)"),
        ((n, c, h, w), (h, w), True, None, f64, "images (N, C, H, W) with H != W, over (H, W), float64"),
        ((1, c, h, w), (c, h, w), False, None, f32, "a batch of one image"),
        ((n, d), d, True, round(cases.rng.uniform(0.05, 1.0), 3), f32, "vectors (N, D) with a large eps"),
        ((d,), d, False, None, f64, "a single vector (D,), float64"),
    ]


@diagnosed
def grade_layer_norm(layer_norm) -> None:
    """Hidden checks of ``layer_norm``: sequences, images with H != W over (C, H, W) and (H, W), a
    batch of one, a single vector, an int or a tuple as normalized_shape, with and without weight
    and bias, a large eps, float64, gradients in x, weight and bias, then the stated properties."""
    cases = Cases()
    plan = []
    for shape, normalized, affine, eps, dtype, label in _ln_plan(cases):
        x = cases.randn(*shape, dtype=dtype) * 2 + 0.5
        dims = ref.normalized_shape_tuple(normalized)
        weight = cases.randn(*dims, dtype=dtype) if affine else None
        bias = cases.randn(*dims, dtype=dtype) if affine else None
        kwargs = {} if eps is None else {"eps": eps}
        want = ref.layer_norm(x, normalized, weight, bias, **kwargs)
        plan.append(
            kit.Hidden(
                f"{label}: x of shape {shape_text(x.shape)}, normalized_shape={normalized!r} ({dtype})",
                partial(assert_layer_norm, layer_norm, x, normalized, weight, bias, eps, want, "x"),
            )
        )
    n, c = cases.distinct_sizes(2, 4)
    h, w = cases.distinct_sizes(2, 5)
    x = cases.randn(n, c, h, w, dtype=torch.float64)
    weight, bias = cases.randn(c, h, w, dtype=torch.float64), cases.randn(c, h, w, dtype=torch.float64)
    G = cases.randn(n, c, h, w, dtype=torch.float64)
    plan.append(
        kit.Hidden(
            f"the gradients for x of shape {shape_text(x.shape)}, normalized_shape=({c}, {h}, {w}) (torch.float64)",
            partial(assert_layer_norm_gradients, layer_norm, ref.layer_norm, x, (c, h, w), weight, bias, G, "x"),
        )
    )
    t, d = cases.distinct_sizes(2, 6)
    x = cases.randn(n, t, d)
    weight, bias = cases.randn(d), cases.randn(d)
    plan.append(
        kit.Hidden(
            f"the stated properties, x of shape {shape_text(x.shape)}",
            partial(assert_layer_norm_properties, layer_norm, x, (d,), weight, bias, "x"),
        )
    )
    kit.run_hidden(cases, plan)
