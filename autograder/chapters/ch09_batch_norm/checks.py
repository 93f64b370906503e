"""Checks of chapter 9 (batch normalization): ``batch_norm`` and ``BatchNorm2d``.

Both are from scratch (no built-in batch, layer, instance or group norm) and compared with
PyTorch over several steps: training steps, whose outputs use the batch's statistics and
which move the running estimates, then evaluation steps, which use the running estimates
and leave them alone. After every step the output and each running estimate are compared,
and the student's own estimates feed the next step, as in a training loop. When a value is
wrong, the message says which one, at which step; the diagnosis adds the known mistake of
:mod:`autograder.chapters.ch09_batch_norm.mistakes` the answer behaves like (the biased
variance stored, the momentum weighting the old value, batch statistics in eval mode, ...).

``BatchNorm2d`` is also checked as a module: its parameters and buffers (names, shapes,
dtypes, initial values, ``state_dict`` keys, loading PyTorch's ``state_dict``), moving it
with ``.to``, ``affine=False``, ``track_running_stats=False`` and ``momentum=None`` (a
cumulative average, as in PyTorch).
"""

from functools import partial

import torch
from torch import nn

from autograder.chapters.ch09_batch_norm import mistakes
from autograder.chapters.ch09_batch_norm import reference as ref
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, describe, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

FROM_SCRATCH = ("batch_norm",)
EPS, MOMENTUM = 1e-5, 0.1


def example_X2(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The chapter's (N, C) = (4, 2) batch: channel 0 holds 0, 0, 4, 4 and channel 1 holds 7, 1, 7, 1."""
    return kit.on_device([[0.0, 7.0], [0.0, 1.0], [4.0, 7.0], [4.0, 1.0]], dtype)


def example_X4(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The same eight numbers as two 1x2 images of 2 channels, (N, C, H, W) = (2, 2, 1, 2):
    channel 0 is [0, 4] in both images, channel 1 is [7, 7] and [1, 1]. Each channel has the
    statistics it has in the (4, 2) batch; statistics per pixel (over the batch only) differ."""
    return kit.on_device([[[[0.0, 4.0]], [[7.0, 7.0]]], [[[0.0, 4.0]], [[1.0, 1.0]]]], dtype)


EXAMPLE_GAMMA, EXAMPLE_BETA = [2.0, 0.5], [1.0, -1.0]


def _channel_view(t: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """A (C,) tensor shaped to broadcast against ``X`` along its channel axis 1."""
    return t.reshape(1, -1, *([1] * (X.dim() - 2)))


# ---------------------------------------------------------------------------------------
# batch_norm


def _settings(training: bool, momentum, eps) -> str:
    parts = [f"training={training}"]
    if momentum is not None:
        parts.append(f"momentum={momentum:g}")
    if eps is not None:
        parts.append(f"eps={eps:g}")
    return ", ".join(parts)


def bn_step(
    batch_norm,
    X,
    gamma,
    beta,
    running_mean,
    running_var,
    training: bool,
    momentum: float | None = None,
    eps: float | None = None,
    label: str = "X",
):
    """One call of ``batch_norm`` checked against the reference; returns its running estimates.

    ``momentum`` and ``eps`` are passed by keyword when given, otherwise left to the defaults.
    The student gets copies of the running estimates, so that changing them in place is harmless.
    """
    kwargs = {k: v for k, v in (("momentum", momentum), ("eps", eps)) if v is not None}
    what = (
        f"batch_norm(X, gamma, beta, running_mean, running_var, {_settings(training, momentum, eps)}) "
        f"on {label} of shape {shape_text(X.shape)}"
    )
    got, _ = call(
        batch_norm,
        X,
        gamma,
        beta,
        running_mean.clone(),
        running_var.clone(),
        training,
        what=what,
        from_scratch=FROM_SCRATCH,
        **kwargs,
    )
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailure(
            f"{what} should return three tensors (Y, running_mean, running_var); it returned {describe(got)}."
        )
    expected = ref.batch_norm(
        X,
        gamma,
        beta,
        running_mean,
        running_var,
        training,
        MOMENTUM if momentum is None else momentum,
        EPS if eps is None else eps,
    )
    for label, value, want in zip(
        ("The output Y of", "The running_mean returned by", "The running_var returned by"), got, expected
    ):
        assert_matches(value, want, f"{label} {what}")
    for kind, value in zip(("running_mean", "running_var"), got[1:]):
        if value.requires_grad:
            raise CheckFailure(
                f"The {kind} returned by {what} requires gradients: it is still attached to the autograd "
                "graph of the batch. The running estimates are statistics, not part of the model's "
                "computation: update them under torch.no_grad() (or from detached batch statistics)."
            )
    return got[1], got[2]


@diagnosed
def check_batch_norm(batch_norm) -> None:
    """Visible checks of ``batch_norm``: the chapter's (4, 2) example (a training step, the
    running estimates, an eval step), then the same numbers as (2, 2, 1, 2) images over two
    training steps and an eval step."""
    gamma, beta = kit.on_device(EXAMPLE_GAMMA), kit.on_device(EXAMPLE_BETA)
    mean, var = torch.zeros(2, device=device()), torch.ones(2, device=device())
    X = example_X2()
    step = bn_step(batch_norm, X, gamma, beta, mean, var, True, label="the chapter's X")
    step = bn_step(batch_norm, X, gamma, beta, *step, False, label="the chapter's X")
    X = example_X4()
    step = (mean, var)
    for _ in range(2):
        step = bn_step(batch_norm, X, gamma, beta, *step, True, label="the chapter's 4-D X")
    bn_step(batch_norm, X, gamma, beta, *step, False, label="the chapter's 4-D X")


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
        state = bn_step(batch_norm, X, gamma, beta, *state, training, momentum, eps, label=f"batch {number}")


@diagnosed
def grade_batch_norm(batch_norm) -> None:
    """Hidden checks of ``batch_norm``: (N, C) and (N, C, H, W) batches with H != W over several
    training steps then eval steps, defaults and random momentum and eps, N = 1 images, random
    starting estimates, momentum 0 and 1, a channel that barely varies, float64, gradients."""
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
            f"(N, C, H, W) = ({N4}, {C4}, {H}, {W}) batches (float32, momentum={momentum:g}, eps={eps:g})",
            _sequence(batch_norm, cases, [(N4, C4, H, W)], train3_eval2, f32, fresh=True, momentum=momentum, eps=eps),
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
    kit.run_hidden(cases, hidden)


def _assert_bn_gradients(batch_norm, X, gamma, beta, running_mean, running_var, training: bool, G) -> None:
    """The gradients of ``sum(Y * G)`` with respect to X, gamma and beta match PyTorch's."""
    leaves = [t.clone().requires_grad_(True) for t in (X, gamma, beta)]
    reference = [t.clone().requires_grad_(True) for t in (X, gamma, beta)]
    what = f"batch_norm(X, gamma, beta, running_mean, running_var, training={training})"
    bn_step(batch_norm, *leaves, running_mean, running_var, training)
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

MEANING = {
    "weight": "gamma, one per channel, starting at 1",
    "bias": "beta, one per channel, starting at 0",
    "running_mean": "one per channel, starting at 0",
    "running_var": "one per channel, starting at 1",
    "num_batches_tracked": "a 0-d int64 tensor counting the training steps, starting at 0",
}


def _call_text(args: tuple, kwargs: dict) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"BatchNorm2d({', '.join(parts)})"


def _names(items) -> str:
    return ", ".join(items) if items else "none"


def _new_layer(BatchNorm2d, *args, **kwargs) -> tuple[nn.Module, nn.Module, str]:
    """The student's layer and PyTorch's, both built with these arguments, after checking that
    the student's has PyTorch's parameters and buffers with their starting values."""
    what = _call_text(args, kwargs)
    layer, _ = call(BatchNorm2d, *args, what=what, from_scratch=FROM_SCRATCH, **kwargs)
    if isinstance(layer, nn.modules.batchnorm._NormBase):
        raise CheckFailure(
            f"{what} is PyTorch's own batch norm (a subclass of {type(layer).__mro__[1].__name__}). "
            "The exercise is to write it from scratch: subclass nn.Module."
        )
    if not isinstance(layer, nn.Module):
        raise CheckFailure(
            f"{what} gave {describe(layer)}, not an nn.Module. Define BatchNorm2d as a class that "
            "subclasses nn.Module and calls super().__init__() first thing in __init__."
        )
    reference = ref.BatchNorm2d(*args, **kwargs, device=device())
    layer, _ = call(layer.to, device(), what=f"{what}.to({device()})")
    _assert_tensors(layer, reference, what, "parameters")
    _assert_tensors(layer, reference, what, "buffers")
    keys, wanted = list(layer.state_dict()), list(reference.state_dict())
    if sorted(keys) != sorted(wanted):
        raise CheckFailure(
            f"The state_dict of {what} has the keys {_names(keys)}; PyTorch's nn.BatchNorm2d "
            f"with the same arguments has {_names(wanted)}."
        )
    return layer, reference, what


def _assert_tensors(layer: nn.Module, reference: nn.Module, what: str, kind: str) -> None:
    """The student's parameters (or buffers) are PyTorch's: names, shapes, dtypes and values."""
    got = dict(layer.named_parameters() if kind == "parameters" else layer.named_buffers())
    want = dict(reference.named_parameters() if kind == "parameters" else reference.named_buffers())
    if set(got) != set(want):
        expected = f"the {kind} {_names(want)}" if want else f"no {kind}"
        message = f"{what} should have {expected}; its named_{kind}() are: {_names(got)}."
        plain = [n for n in want if n not in got and isinstance(getattr(layer, n, None), torch.Tensor)]
        if plain:
            how = "nn.Parameter" if kind == "parameters" else "self.register_buffer(name, tensor)"
            are, it = ("is a plain tensor", "it") if len(plain) == 1 else ("are plain tensors", "them")
            message += (
                f" self.{' and self.'.join(plain)} {are}: register {it} with {how}, so that the module "
                f"moves {it} with .to() and saves {it} in its state_dict."
            )
        extra = [n for n in got if n not in want]
        if extra and kind == "parameters" and not want:
            message += " With affine=False the layer has no learnable weight and bias."
        if extra and kind == "buffers" and not want:
            message += " With track_running_stats=False the layer keeps no running estimates and no counter."
        raise CheckFailure(message)
    for name, value in want.items():
        label = f"{what}.{name} ({MEANING[name]})"
        if name == "num_batches_tracked":
            assert_matches(got[name], value, label)
        else:
            assert_matches(got[name].detach(), value.detach(), label)
        if kind == "parameters" and not got[name].requires_grad:
            raise CheckFailure(f"{what}.{name} does not require gradients, so training could not change it.")


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


def _load(layer: nn.Module, reference: nn.Module, what: str) -> None:
    """The student's layer loads PyTorch's state_dict (strictly), as a saved model would be loaded."""
    call(
        layer.load_state_dict,
        reference.state_dict(),
        what=f"{what}.load_state_dict(the state_dict of PyTorch's nn.BatchNorm2d with the same arguments)",
    )


def _to(layer: nn.Module, reference: nn.Module, what: str, dtype: torch.dtype) -> tuple[nn.Module, nn.Module]:
    if dtype == torch.float32:
        return layer, reference
    layer, _ = call(layer.to, dtype, what=f"{what}.to({dtype})")
    return layer, reference.to(dtype)


def module_step(
    layer: nn.Module, reference: nn.Module, X: torch.Tensor, training: bool, what: str, label: str, setting: str = ""
) -> None:
    """One forward pass of both layers in the same mode; compare the output, then every buffer.

    ``what`` is how the layer was built, ``setting`` what was loaded into it since, if anything.
    """
    layer.train(training)
    reference.train(training)
    mode = "training" if training else "eval"
    on = f"in {mode} mode on {label} of shape {shape_text(X.shape)}"
    step = f"{what}{setting} {on}"
    got, _ = call(layer, X, what=step, from_scratch=FROM_SCRATCH)
    assert_matches(got, reference(X), f"The output of {step}")
    buffers = dict(layer.named_buffers())
    for name, value in reference.named_buffers():
        assert_matches(buffers.get(name), value, f"{what}.{name} after a step {on}")
        if buffers[name].requires_grad:
            raise CheckFailure(
                f"{what}.{name} requires gradients after a step {on}: the running estimates are still attached "
                "to the autograd graph of the batch. Update them under torch.no_grad() (or from detached "
                "batch statistics): they are statistics, not part of the model's computation."
            )


@diagnosed
def check_BatchNorm2d(BatchNorm2d) -> None:
    """Visible checks of ``BatchNorm2d``: PyTorch's parameters and buffers, the chapter's
    (2, 2, 1, 2) example over two training steps and an eval step, then the same without
    affine parameters and running estimates."""
    X = example_X4()
    layer, reference, what = _new_layer(BatchNorm2d, 2)
    with torch.no_grad():
        reference.weight.copy_(kit.on_device(EXAMPLE_GAMMA))
        reference.bias.copy_(kit.on_device(EXAMPLE_BETA))
    _load(layer, reference, what)
    for training in (True, True, False):
        module_step(
            layer,
            reference,
            X,
            training,
            what,
            "the chapter's X",
            f" with weight {EXAMPLE_GAMMA} and bias {EXAMPLE_BETA}",
        )
    layer, reference, what = _new_layer(BatchNorm2d, 2, affine=False, track_running_stats=False)
    for training in (True, False):
        module_step(layer, reference, X, training, what, "the chapter's X")


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
    layer, reference, what = _new_layer(BatchNorm2d, C, **kwargs)
    if state is not None:
        reference.load_state_dict(state)
        _load(layer, reference, what)
    layer, reference = _to(layer, reference, what, dtype)
    for number, (X, training) in enumerate(steps, start=1):
        module_step(layer, reference, X, training, what, f"batch {number}")


@diagnosed
def grade_BatchNorm2d(BatchNorm2d) -> None:
    """Hidden checks of ``BatchNorm2d``: random channels and non-square batches over training
    and eval steps (and back), random loaded state, custom eps and momentum, momentum=None,
    affine=False, track_running_stats=False, float64 with .to, a single image, gradients."""
    cases = Cases()
    f32, f64 = torch.float32, torch.float64
    modes = [True, True, True, False, False, True, False]

    def shape(N=None):
        H, W = cases.distinct_sizes(2, 6)
        return (cases.size(2, 4) if N is None else N, C, H, W)

    plan = []
    C = cases.size(2, 6)
    plan.append((f"BatchNorm2d({C}), fresh (float32)", C, {}, [shape(), shape()], modes, f32, False))
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
    kit.run_hidden(cases, hidden)


def _assert_module_gradients(BatchNorm2d, C: int, state: dict, X: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(layer(x) * G)`` with respect to weight, bias and x in training
    mode, ``state`` loaded and the layers moved to float64."""
    layer, reference, what = _new_layer(BatchNorm2d, C)
    reference.load_state_dict(state)
    _load(layer, reference, what)
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
