"""Checks of chapter 9 (batch normalization): ``batch_norm`` and ``BatchNorm2d``.

Both are from scratch (no built-in batch, layer, instance or group norm) and compared with
PyTorch over several steps: training steps, whose outputs use the batch's statistics and
which move the running estimates, then evaluation steps, which use the running estimates
and leave them alone. After every step the output and each running estimate are compared,
and the student's own estimates feed the next step, as in a training loop. When a value is
wrong, the message names the usual cause if the value matches it (the biased variance
stored, the momentum weighting the old value, batch statistics in eval mode, ...), and
:func:`~autograder.runtime.diagnosis.diagnosed` adds the known mistake the answer behaves like.

``BatchNorm2d`` is also checked as a module: its parameters and buffers (names, shapes,
dtypes, initial values, ``state_dict`` keys, loading PyTorch's ``state_dict``), moving it
with ``.to``, ``affine=False``, ``track_running_stats=False`` and ``momentum=None`` (a
cumulative average, as in PyTorch).
"""

import torch
from torch import nn

from autograder.chapters.ch09_batch_norm import mistakes
from autograder.chapters.ch09_batch_norm import reference as ref
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, describe, mismatch
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser
from autograder.runtime.hidden import hidden_case

diagnosed = Diagnoser(mistakes, ref)

FROM_SCRATCH = ("batch_norm",)
EPS, MOMENTUM = 1e-5, 0.1


def _t(values, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A tensor of ``values`` on the course device."""
    return torch.tensor(values, dtype=dtype, device=device())


def _shape(t: torch.Tensor) -> str:
    return "x".join(str(s) for s in t.shape)


def example_X2(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The chapter's (N, C) = (4, 2) batch: channel 0 holds 0, 0, 4, 4 and channel 1 holds 7, 1, 7, 1."""
    return _t([[0.0, 7.0], [0.0, 1.0], [4.0, 7.0], [4.0, 1.0]], dtype)


def example_X4(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The same eight numbers as two 1x2 images of 2 channels, (N, C, H, W) = (2, 2, 1, 2):
    channel 0 is [0, 4] in both images, channel 1 is [7, 7] and [1, 1]. Each channel has the
    statistics it has in the (4, 2) batch; statistics per pixel (over the batch only) differ."""
    return _t([[[[0.0, 4.0]], [[7.0, 7.0]]], [[[0.0, 4.0]], [[1.0, 1.0]]]], dtype)


EXAMPLE_GAMMA, EXAMPLE_BETA = [2.0, 0.5], [1.0, -1.0]


# ---------------------------------------------------------------------------------------
# Diagnosis: which usual mistake a wrong value matches


def _close(got, candidate: torch.Tensor) -> bool:
    return isinstance(got, torch.Tensor) and got.shape == candidate.shape and mismatch(
        got.detach().to(candidate.dtype), candidate.detach()) is None


def _channel_view(t: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """A (C,) tensor shaped to broadcast against ``X`` along its channel axis 1."""
    return t.reshape(1, -1, *([1] * (X.dim() - 2)))


def _normalized(X, weight, bias, mean, var, eps) -> torch.Tensor:
    Y = (X - _channel_view(mean, X)) / torch.sqrt(_channel_view(var, X) + eps)
    if weight is not None:
        Y = Y * _channel_view(weight, X) + _channel_view(bias, X)
    return Y


def advice(kind: str, got, X, weight, bias, mean, var, training: bool, factor: float, eps: float) -> str:
    """A sentence naming the usual mistake that ``got`` (the output ``"Y"``, or the new
    ``"running_mean"`` / ``"running_var"``) matches, or "" when it matches none.

    ``mean`` and ``var`` are the running estimates before the step (None when not tracked),
    ``factor`` the weight of the new batch statistic in the update.
    """
    with torch.no_grad():
        m, biased, unbiased = ref.batch_stats(X.detach())
        if kind == "Y":
            if not training and mean is not None:
                if _close(got, _normalized(X, weight, bias, m, biased, eps)):
                    return ("In eval mode the output must use the running estimates, not the statistics "
                            "of the batch: evaluating one image must not depend on the others.")
                return ""
            return _output_advice(got, X, weight, bias, mean, var, eps)
        old = mean if kind == "running_mean" else var
        if old is None:
            return ""
        if not training:
            if not _close(got, old):
                return "In eval mode the running estimates must not change: return them as they came in."
            return ""
        new = m if kind == "running_mean" else unbiased
        if _close(got, factor * old + (1 - factor) * new):
            return ("The update gives the weight momentum to the old estimate. PyTorch's convention is "
                    "the other way round: new estimate = (1 - momentum) * old + momentum * batch statistic.")
        if kind == "running_var" and _close(got, (1 - factor) * old + factor * biased):
            return ("The running variance was updated with the biased batch variance (divided by n). "
                    "PyTorch stores the unbiased one, divided by n - 1, where n = N * H * W is the number "
                    "of values per channel.")
        if kind == "running_var":
            n = X.numel() // X.shape[1]
            if X.dim() == 4 and X.shape[0] > 1 and n > X.shape[0]:
                wrong_n = biased * X.shape[0] / (X.shape[0] - 1)
                if _close(got, (1 - factor) * old + factor * wrong_n):
                    return (f"The variance was corrected with N / (N - 1) = {X.shape[0]} / {X.shape[0] - 1}; "
                            f"each channel has n = N * H * W = {n} values, so the unbiased variance is "
                            f"the biased one times n / (n - 1).")
        return ""


def _over(X: torch.Tensor, dims: tuple, weight, bias, eps: float) -> torch.Tensor:
    """``X`` normalized with its mean and biased variance over ``dims`` (the wrong axes), then scaled."""
    mean, var = X.mean(dim=dims, keepdim=True), X.var(dim=dims, keepdim=True, correction=0)
    Y = (X - mean) / torch.sqrt(var + eps)
    return Y if weight is None else Y * _channel_view(weight, X) + _channel_view(bias, X)


def _output_advice(got, X, weight, bias, mean, var, eps: float) -> str:
    """The usual mistake that a wrong training-mode output matches, or ""."""
    m, biased, unbiased = ref.batch_stats(X)
    if _close(got, _normalized(X, weight, bias, m, unbiased, eps)):
        return ("The output matches a normalization by the unbiased variance (divided by n - 1). "
                "Normalize with the biased batch variance (divided by n); only the running "
                "estimate stores the unbiased one.")
    if mean is not None and _close(got, _normalized(X, weight, bias, mean, var, eps)):
        return ("The output matches a normalization by the running estimates. In training mode "
                "the output uses the statistics of the current batch.")
    if X.dim() == 4 and _close(got, _over(X, (0,), weight, bias, eps)):
        return ("The output matches statistics taken over the batch axis only, one mean and variance "
                "per pixel. For images, each channel's statistics are taken over the batch and all its "
                "pixels: axes (0, 2, 3).")
    if X.dim() == 4 and _close(got, _over(X, (2, 3), weight, bias, eps)):
        return ("The output matches statistics taken per image (over the pixels only). Batch "
                "normalization takes each channel's statistics over the whole batch too: axes (0, 2, 3).")
    if _close(got, _over(X, (1,), weight, bias, eps)):
        return ("The output matches statistics taken over the channel axis 1, per sample. Batch "
                "normalization keeps axis 1 and takes each channel's statistics over the others.")
    scale = 1 / (torch.sqrt(_channel_view(biased, X)) + eps)
    centred = X - _channel_view(m, X)
    if weight is not None and _close(got, centred * scale * _channel_view(weight, X) + _channel_view(bias, X)):
        return ("The output matches a division by sqrt(var) + eps. eps goes under the square root: "
                "divide by sqrt(var + eps).")
    if weight is not None and _close(got, _normalized(X, bias, weight, m, biased, eps)):
        return "The output matches gamma and beta swapped: gamma scales, beta shifts."
    return ""


def _fail_with_advice(failure: CheckFailure, hint: str):
    raise CheckFailure(f"{failure}\n{hint}" if hint else str(failure)) from None


# ---------------------------------------------------------------------------------------
# batch_norm


def _settings(training: bool, momentum, eps) -> str:
    parts = [f"training={training}"]
    if momentum is not None:
        parts.append(f"momentum={momentum:g}")
    if eps is not None:
        parts.append(f"eps={eps:g}")
    return ", ".join(parts)


def bn_step(batch_norm, X, gamma, beta, running_mean, running_var, training: bool,
            momentum: float | None = None, eps: float | None = None, label: str = "X"):
    """One call of ``batch_norm`` checked against the reference; returns its running estimates.

    ``momentum`` and ``eps`` are passed by keyword when given, otherwise left to the defaults.
    The student gets copies of the running estimates, so that changing them in place is harmless.
    """
    kwargs = {k: v for k, v in (("momentum", momentum), ("eps", eps)) if v is not None}
    what = (f"batch_norm(X, gamma, beta, running_mean, running_var, {_settings(training, momentum, eps)}) "
            f"on {label} of shape {tuple(X.shape)}")
    got, _ = call(batch_norm, X, gamma, beta, running_mean.clone(), running_var.clone(), training,
                  what=what, from_scratch=FROM_SCRATCH, **kwargs)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailure(f"{what} should return three tensors (Y, running_mean, running_var); "
                           f"it returned {describe(got)}.")
    factor, e = MOMENTUM if momentum is None else momentum, EPS if eps is None else eps
    expected = ref.batch_norm(X, gamma, beta, running_mean, running_var, training, factor, e)
    for kind, value, want in zip(("Y", "running_mean", "running_var"), got, expected):
        try:
            assert_matches(value, want, f"The {kind} returned by {what}" if kind != "Y" else f"The output Y of {what}")
        except CheckFailure as failure:
            _fail_with_advice(failure, advice(kind, value, X, gamma, beta, running_mean, running_var,
                                              training, factor, e))
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
    gamma, beta = _t(EXAMPLE_GAMMA), _t(EXAMPLE_BETA)
    mean, var = torch.zeros(2, device=device()), torch.ones(2, device=device())
    X = example_X2()
    step = bn_step(batch_norm, X, gamma, beta, mean, var, True, label="the chapter's X")
    step = bn_step(batch_norm, X, gamma, beta, *step, False, label="the chapter's X")
    X = example_X4()
    step = (mean, var)
    for number in (1, 2):
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


def _sequence(batch_norm, cases: Cases, shapes: list[tuple], modes: list[bool], dtype, fresh: bool,
              momentum=None, eps=None, quiet_channel: bool = False) -> None:
    """Steps of ``batch_norm`` on random batches of the ``shapes`` (cycled), one per mode in ``modes``."""
    C = shapes[0][1]
    gamma, beta = _affine(cases, C, dtype)
    state = _start(cases, C, dtype, fresh)
    for number, training in enumerate(modes):
        X = _batch(cases, shapes[number % len(shapes)], dtype)
        if quiet_channel:  # a channel that barely varies: eps matters there
            X[:, 0] = 2.0 + 1e-3 * X[:, 0] / X[:, 0].std()
        momentum_now = momentum[number] if isinstance(momentum, list) else momentum
        state = bn_step(batch_norm, X, gamma, beta, *state, training, momentum_now, eps,
                        label=f"batch {number + 1}")


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
    plan = [
        (f"(N, C) = ({N}, {C}) batches (float32, default momentum and eps)",
         dict(shapes=[(N, C)], modes=train3_eval2, dtype=f32, fresh=True)),
        (f"(N, C, H, W) = ({N4}, {C4}, {H}, {W}) batches (float32, momentum={momentum:g}, eps={eps:g})",
         dict(shapes=[(N4, C4, H, W)], modes=train3_eval2, dtype=f32, fresh=True, momentum=momentum, eps=eps)),
        (f"(1, {C1}, {H1}, {W1}) batches: a single image (float64, random starting estimates)",
         dict(shapes=[(1, C1, H1, W1)], modes=[True, True, False, False], dtype=f64, fresh=False)),
        (f"batches of {C} channels whose channel 0 barely varies (float64, (N, C) and (N, C, H, W))",
         dict(shapes=[(N, C), (N4, C, W, H)], modes=[True, True, False], dtype=f64, fresh=False,
              quiet_channel=True)),
        (f"(N, C, H, W) = ({N4}, {C0}, {W}, {H}) batches with momentum 0, then 1 (float64)",
         dict(shapes=[(N4, C0, W, H)], modes=[True, True, False], dtype=f64, fresh=False,
              momentum=[0.0, 1.0, 1.0])),
    ]
    total = len(plan) + 2
    for number, (inputs, options) in enumerate(plan, start=1):
        with hidden_case(cases, number, total, inputs):
            _sequence(batch_norm, cases, **options)
    for number, training in ((total - 1, True), (total, False)):
        C = cases.size(2, 4)
        H, W = cases.distinct_sizes(2, 4)
        X = _batch(cases, (cases.size(2, 3), C, H, W), f64)
        gamma, beta = _affine(cases, C, f64)
        state = _start(cases, C, f64, fresh=False)
        G = cases.randn(*X.shape, dtype=f64)
        inputs = f"the gradients with respect to X, gamma and beta for X {_shape(X)} (float64, training={training})"
        with hidden_case(cases, number, total, inputs):
            _assert_bn_gradients(batch_norm, X, gamma, beta, *state, training, G)


def _assert_bn_gradients(batch_norm, X, gamma, beta, running_mean, running_var, training: bool, G) -> None:
    """The gradients of ``sum(Y * G)`` with respect to X, gamma and beta match PyTorch's."""
    leaves = [t.clone().requires_grad_(True) for t in (X, gamma, beta)]
    reference = [t.clone().requires_grad_(True) for t in (X, gamma, beta)]
    what = f"batch_norm(X, gamma, beta, running_mean, running_var, training={training})"
    bn_step(batch_norm, *leaves, running_mean, running_var, training)
    got, _ = call(batch_norm, *leaves, running_mean.clone(), running_var.clone(), training, what=what,
                  from_scratch=FROM_SCRATCH)
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
        try:
            assert_matches(torch.zeros_like(e) if g is None else g, e, f"The gradient of {what} with respect to {label}")
        except CheckFailure as failure:
            hint = ""
            if label == "X" and training:
                hint = ("In training mode the batch mean and variance depend on X too, and the gradient "
                        "flows through them: do not detach them (or compute them with .item()).")
            _fail_with_advice(failure, hint)


# ---------------------------------------------------------------------------------------
# BatchNorm2d

SIGNATURE = ("num_features", "eps", "momentum", "affine", "track_running_stats")
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
        raise CheckFailure(f"{what} is PyTorch's own batch norm (a subclass of {type(layer).__mro__[1].__name__}). "
                           "The exercise is to write it from scratch: subclass nn.Module.")
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
        raise CheckFailure(f"The state_dict of {what} has the keys {_names(keys)}; PyTorch's nn.BatchNorm2d "
                           f"with the same arguments has {_names(wanted)}.")
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
            message += (f" self.{' and self.'.join(plain)} {'is a plain tensor' if len(plain) == 1 else 'are plain tensors'}:"
                        f" register {'it' if len(plain) == 1 else 'them'} with {how}, so that the module "
                        f"moves {'it' if len(plain) == 1 else 'them'} with .to() and saves "
                        f"{'it' if len(plain) == 1 else 'them'} in its state_dict.")
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


def _fill(reference: nn.Module, cases: Cases) -> None:
    """Random weight, bias and running estimates in PyTorch's layer (those it has)."""
    with torch.no_grad():
        for name, tensor in reference.state_dict().items():
            if name == "num_batches_tracked":
                tensor.fill_(cases.size(1, 20))
            elif name == "running_var":
                tensor.copy_(0.5 + cases.randn(*tensor.shape).abs())
            else:
                tensor.copy_(cases.randn(*tensor.shape) + (1.0 if name == "weight" else 0.0))


def _load(layer: nn.Module, reference: nn.Module, what: str) -> None:
    """The student's layer loads PyTorch's state_dict (strictly), as a saved model would be loaded."""
    call(layer.load_state_dict, reference.state_dict(), what=f"{what}.load_state_dict(the state_dict of "
         "PyTorch's nn.BatchNorm2d with the same arguments)")


def _to(layer: nn.Module, reference: nn.Module, what: str, dtype: torch.dtype) -> tuple[nn.Module, nn.Module]:
    if dtype == torch.float32:
        return layer, reference
    layer, _ = call(layer.to, dtype, what=f"{what}.to({dtype})")
    return layer, reference.to(dtype)


def _factor(reference: nn.Module) -> float:
    """The weight of the new batch statistic in PyTorch's update of this step (after counting it)."""
    if reference.momentum is None:
        return 1.0 / (int(reference.num_batches_tracked) + 1)
    return reference.momentum


def module_step(layer: nn.Module, reference: nn.Module, X: torch.Tensor, training: bool, what: str, label: str,
                setting: str = "") -> None:
    """One forward pass of both layers in the same mode; compare the output, then every buffer.

    ``what`` is how the layer was built, ``setting`` what was loaded into it since, if anything.
    """
    layer.train(training)
    reference.train(training)
    mode = "training" if training else "eval"
    on = f"in {mode} mode on {label} of shape {tuple(X.shape)}"
    step = f"{what}{setting} {on}"
    tracked = reference.track_running_stats
    before = (reference.running_mean.clone(), reference.running_var.clone()) if tracked else (None, None)
    factor = _factor(reference) if tracked and training else 0.0
    got, _ = call(layer, X, what=step, from_scratch=FROM_SCRATCH)
    expected = reference(X)
    weight = reference.weight if reference.affine else None
    bias = reference.bias if reference.affine else None
    try:
        assert_matches(got, expected, f"The output of {step}")
    except CheckFailure as failure:
        use_batch = training or not tracked
        _fail_with_advice(failure, advice("Y", got, X, weight, bias, *before, use_batch, factor, reference.eps))
    buffers = dict(layer.named_buffers())
    for name, value in reference.named_buffers():
        try:
            assert_matches(buffers.get(name), value, f"{what}.{name} after a step {on}")
        except CheckFailure as failure:
            hint = ""
            if name == "num_batches_tracked":
                hint = "num_batches_tracked counts the training steps: add 1 in every training forward pass, none in eval mode."
            elif reference.momentum is None and training:
                hint = ("With momentum=None the running estimates are the plain average of all batches so "
                        "far: the new batch gets the weight 1 / num_batches_tracked, counting this batch.")
            else:
                hint = advice(name, buffers.get(name), X, weight, bias, *before, training, factor, reference.eps)
            _fail_with_advice(failure, hint)
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
        reference.weight.copy_(_t(EXAMPLE_GAMMA))
        reference.bias.copy_(_t(EXAMPLE_BETA))
    _load(layer, reference, what)
    for training in (True, True, False):
        module_step(layer, reference, X, training, what, "the chapter's X",
                    f" with weight {EXAMPLE_GAMMA} and bias {EXAMPLE_BETA}")
    layer, reference, what = _new_layer(BatchNorm2d, 2, affine=False, track_running_stats=False)
    for training in (True, False):
        module_step(layer, reference, X, training, what, "the chapter's X")


def _module_sequence(BatchNorm2d, cases: Cases, C: int, kwargs: dict, shapes: list[tuple], modes: list[bool],
                     dtype: torch.dtype, random_state: bool) -> None:
    """Build both layers, optionally load random state, move them to ``dtype``, run the steps."""
    layer, reference, what = _new_layer(BatchNorm2d, C, **kwargs)
    if random_state:
        _fill(reference, cases)
        _load(layer, reference, what)
    layer, reference = _to(layer, reference, what, dtype)
    for number, training in enumerate(modes):
        X = _batch(cases, shapes[number % len(shapes)], dtype)
        module_step(layer, reference, X, training, what, f"batch {number + 1}")


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
    plan.append((f"BatchNorm2d({C}) with a random loaded state (float64, moved with .to)",
                 C, {}, [shape(), shape(1)], modes, f64, True))
    C, momentum, eps = cases.size(2, 5), round(0.2 + 0.6 * cases.rng.random(), 2), 10.0 ** -cases.size(2, 4)
    plan.append((f"BatchNorm2d({C}, eps={eps:g}, momentum={momentum:g}) (float64)",
                 C, dict(eps=eps, momentum=momentum), [shape()], modes, f64, True))
    C = cases.size(2, 5)
    plan.append((f"BatchNorm2d({C}, momentum=None): a cumulative average (float64)",
                 C, dict(momentum=None), [shape(), shape()], [True] * 4 + [False], f64, False))
    C = cases.size(2, 5)
    plan.append((f"BatchNorm2d({C}, affine=False) (float32)", C, dict(affine=False), [shape()], modes, f32, True))
    C = cases.size(2, 5)
    plan.append((f"BatchNorm2d({C}, track_running_stats=False) (float64)",
                 C, dict(track_running_stats=False), [shape()], [True, False, True, False], f64, True))
    total = len(plan) + 1
    for number, (inputs, C, kwargs, shapes, modes_, dtype, random_state) in enumerate(plan, start=1):
        with hidden_case(cases, number, total, inputs):
            _module_sequence(BatchNorm2d, cases, C, kwargs, shapes, modes_, dtype, random_state)
    C = cases.size(2, 4)
    X = _batch(cases, shape(), f64)
    G = cases.randn(*X.shape, dtype=f64)
    with hidden_case(cases, total, total, f"the gradients of BatchNorm2d({C}) in training mode, x {_shape(X)} (float64)"):
        _assert_module_gradients(BatchNorm2d, cases, C, X, G)


def _assert_module_gradients(BatchNorm2d, cases: Cases, C: int, X: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(layer(x) * G)`` with respect to weight, bias and x in training mode."""
    layer, reference, what = _new_layer(BatchNorm2d, C)
    _fill(reference, cases)
    _load(layer, reference, what)
    layer, reference = _to(layer, reference, what, torch.float64)
    x, x_ref = X.clone().requires_grad_(True), X.clone().requires_grad_(True)
    module_step(layer, reference, x, True, what, "x")
    layer.train()
    reference.train()
    out, _ = call(layer, x, what=f"{what}(x)", from_scratch=FROM_SCRATCH)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(f"{what}(x) is not differentiable: its output is not connected to x, weight and bias in "
                           "the autograd graph. Avoid .item(), .detach(), .data and torch.tensor(...) in forward.")
    expected = reference(x_ref)
    got = torch.autograd.grad(out, [layer.weight, layer.bias, x], G, allow_unused=True)
    want = torch.autograd.grad(expected, [reference.weight, reference.bias, x_ref], G)
    for label, g, e in zip(("weight", "bias", "the input x"), got, want):
        try:
            assert_matches(torch.zeros_like(e) if g is None else g, e, f"The gradient of {what}(x) with respect to {label}")
        except CheckFailure as failure:
            hint = ("In training mode the batch mean and variance depend on x, and the gradient flows "
                    "through them: do not detach them.") if label == "the input x" else ""
            _fail_with_advice(failure, hint)
