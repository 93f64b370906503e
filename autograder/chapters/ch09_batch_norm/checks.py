"""Visible checks of chapter 9 (batch normalization): ``batch_norm`` and ``BatchNorm2d``.

Both are from scratch (no built-in batch, layer, instance or group norm) and compared with
PyTorch over several steps: training steps, whose outputs use the batch's statistics and
which move the running estimates, then evaluation steps, which use the running estimates
and leave them alone. After every step the output and each running estimate are compared,
and the student's own estimates feed the next step, as in a training loop. When a value is
wrong, the message says which one, at which step; the diagnosis adds the known mistake the
answer behaves like (the biased variance stored, the momentum weighting the old value,
batch statistics in eval mode, ...).

``BatchNorm2d`` is also checked as a module: its parameters and buffers (names, shapes,
dtypes, initial values, ``state_dict`` keys, loading PyTorch's ``state_dict``), then
``affine=False`` and ``track_running_stats=False``, against PyTorch's ``nn.BatchNorm2d``.

After the values, both are checked for what their texts state (:mod:`autograder.runtime.properties`),
in training and in eval mode: the inputs unchanged (``batch_norm`` returns its new running
estimates and leaves the ones it was given alone; the layer updates its own buffers, not x),
the dtype and device of the input kept, the output differentiable. The chapter's 4-D example
is not square (H = 1, W = 2), and the messages say so.

The expected results of ``batch_norm`` come from the chapter's recording (``expected``), the
known mistakes' explanations too (``diagnosed``); the hidden checks are the instructors'
(``hidden.py``).
"""

from operator import itemgetter

import torch
import torch.nn.functional as F
from torch import nn

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, describe, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

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
# The chapter's 4-D example in words, in batch_norm's and in the layer's checks (the messages of
# an answer that assumes H == W say that the images are not square).
EXAMPLE_4D = "the chapter's non-square 4-D X"
EXAMPLE_X = "the chapter's non-square X"


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
    want: tuple,
    momentum: float | None = None,
    eps: float | None = None,
    label: str = "X",
):
    """One call of ``batch_norm`` compared with ``want``, the reference's ``(Y, running_mean,
    running_var)`` for this step; returns the student's running estimates.

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
    for label, value, wanted in zip(
        ("The output Y of", "The running_mean returned by", "The running_var returned by"), got, want
    ):
        assert_matches(value, wanted, f"{label} {what}")
    for kind, value in zip(("running_mean", "running_var"), got[1:]):
        if value.requires_grad:
            raise CheckFailure(
                f"The {kind} returned by {what} requires gradients: it is still attached to the autograd "
                "graph of the batch. The running estimates are statistics, not part of the model's "
                "computation: update them under torch.no_grad() (or from detached batch statistics)."
            )
    return got[1], got[2]


def _visible_steps(batch_norm, example, modes: tuple[bool, ...], label: str) -> None:
    """Steps of ``batch_norm`` on the batch ``example()`` with the chapter's gamma and beta, from
    PyTorch's starting estimates (zeros and ones), one per mode of ``modes``, with the default
    momentum and eps. The student's estimates feed the student's next step; the expected results
    are the reference's, chained over the same steps from the same start. Each step gets fresh
    inputs, so that an answer that changes them in place does not change the next step's; X
    requires gradients, as in a network, so that running estimates left in its autograd graph
    show."""
    state = reference_state = (torch.zeros(2, device=device()), torch.ones(2, device=device()))
    for training in modes:
        X, gamma, beta = example().requires_grad_(), kit.on_device(EXAMPLE_GAMMA), kit.on_device(EXAMPLE_BETA)
        want = expected.batch_norm(X, gamma, beta, *reference_state, training, MOMENTUM, EPS)
        state = bn_step(batch_norm, X, gamma, beta, *state, training, want, label=label)
        reference_state = want[1:]


# batch_norm's arguments by position: every tensor stays unchanged, and Y is differentiable in the first three.
BN_INPUTS = {0: "X", 1: "gamma", 2: "beta", 3: "running_mean", 4: "running_var"}
BN_TRAINED = {0: "X", 1: "gamma", 2: "beta"}


def assert_batch_norm_properties(batch_norm, X, gamma, beta, running_mean, running_var, label: str = "X") -> None:
    """What the exercise states, in training and in eval mode, on these inputs (``label`` names X
    in the messages): every input unchanged (the new running estimates are returned, not written
    into the old ones), the dtype and device of X kept by Y and the returned estimates, Y
    differentiable in X, gamma and beta."""
    for training in (True, False):
        args = (X, gamma, beta, running_mean, running_var, training)
        what = (
            f"batch_norm(X, gamma, beta, running_mean, running_var, training={training}) on {label} of shape "
            f"{shape_text(X.shape)}"
        )
        properties.assert_inputs_unchanged(batch_norm, kit.copies(*args), what, BN_INPUTS)
        properties.assert_properties(batch_norm, args, what, BN_TRAINED, output=itemgetter(0))


@diagnosed
def check_batch_norm(batch_norm) -> None:
    """Visible checks of ``batch_norm``: the chapter's (4, 2) example (a training step, the
    running estimates, an eval step), then the same numbers as (2, 2, 1, 2) images over two
    training steps and an eval step, then the stated properties on those images."""
    _visible_steps(batch_norm, example_X2, (True, False), "the chapter's X")
    _visible_steps(batch_norm, example_X4, (True, True, False), EXAMPLE_4D)
    state = torch.zeros(2, device=device()), torch.ones(2, device=device())
    gamma, beta = kit.on_device(EXAMPLE_GAMMA), kit.on_device(EXAMPLE_BETA)
    assert_batch_norm_properties(batch_norm, example_X4(), gamma, beta, *state, EXAMPLE_4D)


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


def new_layer(BatchNorm2d, *args, **kwargs) -> tuple[nn.Module, nn.Module, str]:
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
    reference = nn.BatchNorm2d(*args, **kwargs, device=device())
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


def load_state(layer: nn.Module, reference: nn.Module, what: str) -> None:
    """The student's layer loads PyTorch's state_dict (strictly), as a saved model would be loaded."""
    call(
        layer.load_state_dict,
        reference.state_dict(),
        what=f"{what}.load_state_dict(the state_dict of PyTorch's nn.BatchNorm2d with the same arguments)",
    )


def module_step(
    layer: nn.Module, reference: nn.Module, X: torch.Tensor, training: bool, what: str, label: str, setting: str = ""
) -> None:
    """One forward pass of both layers in the same mode; compare the output, then every buffer.

    ``what`` is how the layer was built, ``setting`` what was loaded into it since, if anything.
    The layer gets a copy of X, so that an answer that changes x fails the property check, which
    says so, rather than the next step.
    """
    layer.train(training)
    reference.train(training)
    mode = "training" if training else "eval"
    on = f"in {mode} mode on {label} of shape {shape_text(X.shape)}"
    step = f"{what}{setting} {on}"
    got, _ = call(layer, X.clone(), what=step, from_scratch=FROM_SCRATCH)
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


def _moved_to_the_dtype_of_x(layer: nn.Module):
    """The layer's forward pass, the layer first moved to the dtype of its input x (as
    ``.double()`` would move it)."""

    def forward(x):
        return layer.to(x.dtype)(x)

    return forward


def assert_layer_properties(BatchNorm2d, X: torch.Tensor, label: str = "x") -> None:
    """What the exercise states of the forward pass of ``BatchNorm2d(C)`` and of ``BatchNorm2d(C,
    affine=False, track_running_stats=False)``, in training and in eval mode, on X (``label``):
    x unchanged (the layer updates its own buffers, not x), the dtype of x kept once the layer is
    moved to it, its device kept, the output differentiable in x."""
    for kwargs in ({}, {"affine": False, "track_running_stats": False}):
        layer, _, what = new_layer(BatchNorm2d, X.shape[1], **kwargs)
        for training in (True, False):
            layer.train(training)
            mode = "training" if training else "eval"
            on = f"{what}, moved to the dtype of x, in {mode} mode on {label} of shape {shape_text(X.shape)}"
            properties.assert_properties(_moved_to_the_dtype_of_x(layer), (X,), on, {0: "x"})


@diagnosed
def check_BatchNorm2d(BatchNorm2d) -> None:
    """Visible checks of ``BatchNorm2d``: PyTorch's parameters and buffers, the chapter's
    (2, 2, 1, 2) example over two training steps and an eval step, then the same without
    affine parameters and running estimates, then the stated properties of both layers."""
    X = example_X4().requires_grad_()  # as in a network: buffers left in its autograd graph show
    layer, reference, what = new_layer(BatchNorm2d, 2)
    with torch.no_grad():
        reference.weight.copy_(kit.on_device(EXAMPLE_GAMMA))
        reference.bias.copy_(kit.on_device(EXAMPLE_BETA))
    load_state(layer, reference, what)
    for training in (True, True, False):
        module_step(
            layer,
            reference,
            X,
            training,
            what,
            EXAMPLE_X,
            f" with weight {EXAMPLE_GAMMA} and bias {EXAMPLE_BETA}",
        )
    layer, reference, what = new_layer(BatchNorm2d, 2, affine=False, track_running_stats=False)
    for training in (True, False):
        module_step(layer, reference, X, training, what, EXAMPLE_X)
    assert_layer_properties(BatchNorm2d, X, EXAMPLE_X)


# ---------------------------------------------------------------------------------------
# layer_norm

LN_INPUTS = {0: "x", 2: "weight", 3: "bias"}


def layer_norm_what(x: torch.Tensor, normalized_shape, weight, bias, eps, label: str) -> str:
    """The call in words: its arguments, and ``label``, the input of shape ``x.shape``."""
    parts = [f"normalized_shape={normalized_shape!r}"]
    if weight is not None:
        parts.append(f"weight of shape {shape_text(weight.shape)}")
    if bias is not None:
        parts.append(f"bias of shape {shape_text(bias.shape)}")
    if eps is not None:
        parts.append(f"eps={eps:g}")
    return f"layer_norm(x, {', '.join(parts)}) on {label} of shape {shape_text(x.shape)}"


def ln_args(x, normalized_shape, weight, bias) -> tuple:
    """The positional arguments of one call: weight and bias only when given."""
    if bias is not None:
        return (x, normalized_shape, weight, bias)
    if weight is not None:
        return (x, normalized_shape, weight)
    return (x, normalized_shape)


def assert_layer_norm(layer_norm, x, normalized_shape, weight, bias, eps, want: torch.Tensor, label: str) -> None:
    """One call of ``layer_norm`` (``eps`` by keyword when given) compared with ``want``."""
    what = layer_norm_what(x, normalized_shape, weight, bias, eps, label)
    kwargs = {} if eps is None else {"eps": eps}
    args = kit.copies(*ln_args(x, normalized_shape, weight, bias))  # the next call gets x as it was
    kit.assert_result(layer_norm, args, want, what, from_scratch=FROM_SCRATCH, **kwargs)


def assert_layer_norm_gradients(layer_norm, reference, x, normalized_shape, weight, bias, G, label: str) -> None:
    """The gradients of ``sum(layer_norm(x, normalized_shape, weight, bias) * G)`` in x, weight and bias."""
    what = layer_norm_what(x, normalized_shape, weight, bias, None, label)
    kit.assert_gradients_match(
        layer_norm,
        reference,
        (x, normalized_shape, weight, bias),
        G,
        what,
        ("x", "weight", "bias"),
        from_scratch=FROM_SCRATCH,
    )


def assert_layer_norm_properties(layer_norm, x, normalized_shape, weight, bias, label: str) -> None:
    """What the exercise's text states, on ``x`` (``label`` in words) with weight and bias."""
    what = layer_norm_what(x, normalized_shape, weight, bias, None, label)
    properties.assert_properties(
        layer_norm, (x, normalized_shape, weight, bias), what, LN_INPUTS, from_scratch=FROM_SCRATCH
    )


def example_ln() -> torch.Tensor:
    """The chapter's layer norm example: two samples of 2 x 3 values (N, C, L) = (2, 2, 3), 0..11 mod 5."""
    return kit.numbers(2, 2, 3, modulo=5)


LN_EXAMPLE = "the chapter's x (0 to 11 mod 5)"


@diagnosed
def check_layer_norm(layer_norm) -> None:
    """Visible checks of ``layer_norm``: the chapter's (2, 2, 3) example over its last dim
    (an int), over its last two dims (a tuple) with weight and bias, a larger eps, a float64
    (N, C, H, W) batch over (C, H, W) with H != W, the gradients, then the stated properties."""
    x = example_ln()
    assert_layer_norm(layer_norm, x, 3, None, None, None, expected.layer_norm(x, 3), LN_EXAMPLE)
    weight = kit.on_device([[1.0, 2.0, 3.0], [0.5, -1.0, 1.5]])
    bias = kit.on_device([[0.0, 1.0, -1.0], [2.0, 0.0, 0.5]])
    want = expected.layer_norm(x, (2, 3), weight, bias)
    assert_layer_norm(layer_norm, x, (2, 3), weight, bias, None, want, LN_EXAMPLE)
    assert_layer_norm(layer_norm, x, (3,), None, None, 0.5, expected.layer_norm(x, (3,), eps=0.5), LN_EXAMPLE)
    images = (kit.numbers(2, 2, 2, 3, modulo=7, shift=3.0) / 2).double()
    label = "non-square images x (values -1.5 to 1.5), float64"
    w, b = images[0] + 1.0, images[1] - 0.5
    want = expected.layer_norm(images, (2, 2, 3), w, b)
    assert_layer_norm(layer_norm, images, (2, 2, 3), w, b, None, want, label)
    G = (kit.numbers(2, 2, 2, 3, modulo=5) - 2).double()
    assert_layer_norm_gradients(layer_norm, F.layer_norm, images, (2, 3), w[0], b[0], G, label)
    assert_layer_norm_properties(layer_norm, x, (2, 3), weight, bias, LN_EXAMPLE)
