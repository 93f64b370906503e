"""Visible checks of chapter 3 (a convolutional layer that learns): ``Conv2D``, ``make_stripe_data``,
``learn_kernel`` and ``receptive_field``.

``Conv2D`` is checked as a module: its parameters (exactly ``weight`` and ``bias``, both
trainable; the weight random, so that two new layers differ), its forward pass with known
weight and bias on non-square inputs and kernels, and moving it with ``.to(device, dtype)``;
then the properties of its forward: x, weight and bias unchanged, their dtype and device
kept, gradients flowing to all three. It is not "from scratch": ``F.conv2d`` and the
finished ``corr2d`` block may be used.

``make_stripe_data`` must build new tensors on every call.

``learn_kernel`` trains the notebook's own ``Conv2D``, after ``torch.manual_seed(0)``, on
the chapter's stripe data; it must end close to the edge kernel [[1, -1]], and return a
float64 kernel for float64 data.

``receptive_field`` must leave the lists it is given as they were.

The expected values come from the chapter's recording (``expected``), the known mistakes'
explanations too (``diagnosed``); the hidden checks are the instructors' (``hidden.py``).
"""

import contextlib
from collections.abc import Callable, Iterator

import torch
from torch import nn

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches, describe, mismatch, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

EDGE_KERNEL = [[1.0, -1.0]]

# ---------------------------------------------------------------------------------------
# Conv2D


def new_layer(Conv2D, kernel_size: tuple[int, int]) -> nn.Module:
    """``Conv2D(kernel_size)``, which must be an ``nn.Module`` with exactly the parameters
    ``weight`` (shape ``kernel_size``) and ``bias`` (shape (1,)), both trainable."""
    what = f"Conv2D({kernel_size})"
    layer, _ = call(Conv2D, kernel_size, what=what)
    if not isinstance(layer, nn.Module):
        raise CheckFailure(
            f"{what} gave {describe(layer)}, not an nn.Module. Define Conv2D as a class that "
            "subclasses nn.Module (class Conv2D(nn.Module): ...) and calls super().__init__() "
            "first thing in __init__."
        )
    parameters = dict(layer.named_parameters())
    if set(parameters) != {"weight", "bias"}:
        found = ", ".join(parameters) if parameters else "none"
        message = (
            f"{what} should have exactly two parameters, named weight and bias; its named_parameters() are: {found}."
        )
        plain = [
            name
            for name in ("weight", "bias")
            if name not in parameters and isinstance(getattr(layer, name, None), torch.Tensor)
        ]
        if plain:
            message += (
                f" self.{' and self.'.join(plain)} {'is a plain tensor' if len(plain) == 1 else 'are plain tensors'}, "
                "not nn.Parameter: a module only trains (and moves with .to()) the tensors "
                "wrapped in nn.Parameter."
            )
        raise CheckFailure(message)
    for name, shape, meaning in (
        ("weight", tuple(kernel_size), "the kernel_size"),
        ("bias", (1,), "one number added to every output pixel"),
    ):
        parameter = parameters[name]
        if tuple(parameter.shape) != shape:
            raise CheckFailure(
                f"{what}.{name} should have shape {shape_text(shape)} ({meaning}), "
                f"got shape {shape_text(parameter.shape)}."
            )
        if not parameter.requires_grad:
            raise CheckFailure(
                f"{what}.{name} does not require gradients (requires_grad is False), so "
                "gradient descent could not train it."
            )
    return layer


def assert_random_start(Conv2D, kernel_size: tuple[int, int]) -> None:
    """Two new layers start from different kernels (the task: draw them with torch.randn)."""
    first, second = (new_layer(Conv2D, kernel_size) for _ in range(2))
    if torch.equal(first.weight.detach().cpu(), second.weight.detach().cpu()):
        raise CheckFailure(
            f"Two new Conv2D({kernel_size}) layers start with the same weight "
            f"({first.weight.detach().cpu().tolist()}). Draw the initial weight at random "
            "(torch.randn(kernel_size)), so that every new layer starts from a different kernel."
        )


def layer_with(Conv2D, K: torch.Tensor, b: torch.Tensor) -> nn.Module:
    """A student's layer of K's shape, moved to K's device and dtype, holding ``K`` and ``b``."""
    kernel_size = tuple(K.shape)
    layer = new_layer(Conv2D, kernel_size)
    layer, _ = call(layer.to, K.device, K.dtype, what=f"Conv2D({kernel_size}).to({K.device}, {K.dtype})")
    with torch.no_grad():
        layer.weight.copy_(K)
        layer.bias.copy_(b)
    return layer


def _settings(K: torch.Tensor, b: torch.Tensor) -> str:
    values = [[round(v, 4) for v in row] for row in K.tolist()]
    return (
        f"weight {values} and bias {round(b.item(), 4)}"
        if K.numel() <= 6
        else (f"a random {K.shape[0]}x{K.shape[1]} weight and bias {round(b.item(), 4)}")
    )


def assert_forward(
    Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, inputs: str, layer_output: Callable
) -> None:
    """The student's layer, set to ``K`` and ``b``, maps ``X`` to ``layer_output(X, K, b)``
    (the reference layer's output)."""
    layer = layer_with(Conv2D, K, b)
    what = f"Conv2D({tuple(K.shape)}) with {_settings(K, b)}, applied to {inputs}"
    # A copy: an answer that changes its input must not change the check's (the property check says so).
    got, _ = call(layer, X.clone(), what=what)
    want = layer_output(X, K, b)
    try:
        assert_matches(got, want, what)
    except CheckFailure as failure:
        raise CheckFailure(f"{failure}{_float32_advice(got, want)}") from None


def _float32_advice(got, expected: torch.Tensor) -> str:
    """A hint when a float64 result is only as precise as float32 (a float32 tensor inside forward)."""
    if expected.dtype != torch.float64 or not isinstance(got, torch.Tensor) or got.shape != expected.shape:
        return ""
    expected = expected.detach()
    error = (got.detach().to(expected) - expected).abs().max()
    if float(error) <= 1e-5 * max(1.0, float(expected.abs().max())):
        return (
            "\nThe values agree only to about 7 digits, the precision of float32: does forward "
            "create a float32 tensor (torch.zeros(...) without dtype=x.dtype) along the way?"
        )
    return ""


def _stripe() -> tuple[torch.Tensor, torch.Tensor]:
    """Copies of the chapter's stripe image and its edge map on the course device (copies: an
    answer that changed them in place would change the recorded ones)."""
    X, Y = expected.make_stripe_data()
    return X.to(device(), copy=True), Y.to(device(), copy=True)


def layer_forward(layer: nn.Module) -> Callable:
    """``layer``'s forward as a function of x, weight and bias, so that the property checks
    treat the parameters as inputs too (given float64 parameters, as after ``.double()``)."""

    def forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        return torch.func.functional_call(layer, {"weight": weight, "bias": bias}, (x,))

    return forward


def assert_layer_properties(Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, inputs: str) -> None:
    """The properties of the layer's forward on ``X`` with weight ``K`` and bias ``b``: x, weight
    and bias unchanged, their dtype and device kept, gradients reaching all three."""
    what = f"Conv2D({tuple(K.shape)})'s forward on {inputs} (x, weight and bias as its inputs)"
    forward = layer_forward(layer_with(Conv2D, K, b))
    properties.assert_properties(forward, (X, K, b), what, {0: "x", 1: "weight", 2: "bias"})


@diagnosed
def check_Conv2D(Conv2D) -> None:
    """Visible checks of ``Conv2D``: its parameters, the stripe image's edges, a second non-square
    case, then the properties of its forward."""
    new_layer(Conv2D, (1, 2))
    assert_random_start(Conv2D, (1, 2))
    X, _ = _stripe()
    edges = "the stripe image X (non-square, 6x8)"
    assert_forward(Conv2D, X, kit.on_device(EDGE_KERNEL), kit.on_device([0.0]), edges, expected.layer_output)
    K, b, inputs = kit.on_device([[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]]), kit.on_device([0.5]), "X = 0..19 as 4x5"
    assert_forward(Conv2D, kit.numbers(4, 5), K, b, f"{inputs} (non-square, as is the kernel)", expected.layer_output)
    assert_layer_properties(Conv2D, kit.numbers(4, 5), K, b, inputs)


# ---------------------------------------------------------------------------------------
# make_stripe_data


def stripe_data(make_stripe_data, what: str, reference: Callable) -> tuple[torch.Tensor, torch.Tensor]:
    """Call ``make_stripe_data()``, require the pair (X, Y) and compare both with the chapter's,
    ``reference()`` (made on the CPU, torch's default)."""
    got, _ = call(make_stripe_data, what=what)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailure(f"{what} should return a pair (X, Y); it returned {describe(got)}.")
    wanted = [tensor.cpu() for tensor in reference()]
    meaning = {
        "X": "the 6x8 image: ones, with columns 2 to 5 set to 0",
        "Y": "the 6x7 edge map: zeros, with column 1 set to 1 and column 5 set to -1",
    }
    for name, value, want in zip(("X", "Y"), got, wanted):
        # Either the CPU (torch's default) or the course device is fine for data made from nothing.
        made_on = (want.device, device())
        on = value.device if isinstance(value, torch.Tensor) and value.device in made_on else want.device
        label = f"{name} from {what} ({meaning[name]})"
        if isinstance(value, torch.Tensor) and value.shape == want.shape and value.dtype != want.dtype:
            raise CheckFailure(
                f"{label} has dtype {value.dtype}; expected {want.dtype}. torch.ones and torch.zeros "
                "make float32 tensors; torch.tensor on a list of Python ints makes int64."
            )
        assert_matches(value, want.to(on), label)
    return got[0], got[1]


def assert_new_tensors(make_stripe_data, reference: Callable) -> None:
    """Two calls return the chapter's data, and changing what the first returned in place does
    not change what the second returns."""
    X, Y = stripe_data(make_stripe_data, "make_stripe_data()", reference)
    with torch.no_grad():
        X.add_(10)
        Y.add_(10)
    try:
        stripe_data(make_stripe_data, "make_stripe_data() called a second time", reference)
    except CheckFailure as failure:
        raise CheckFailure(
            f"{failure}\nDo both calls return the same tensors? Changing the first call's "
            "X and Y in place must not change what the next call returns: create new "
            "tensors inside the function on every call."
        ) from None


@diagnosed
def check_make_stripe_data(make_stripe_data) -> None:
    """Visible checks of ``make_stripe_data``: exact values, shapes (6, 8) and (6, 7), float32,
    new tensors on every call."""
    assert_new_tensors(make_stripe_data, expected.make_stripe_data)


# ---------------------------------------------------------------------------------------
# learn_kernel

VISIBLE_TOLERANCE = 1e-2  # the chapter's example: "close to [[1, -1]]"
INIT_BOUND = 6.0  # the proofs cover every start whose kernel and bias entries lie in [-6, 6]


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Run the block after ``torch.manual_seed(seed)``, leaving the caller's random state as it was."""
    dev = device()
    with torch.random.fork_rng(devices=[dev.index or 0] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        yield


def assert_learns(
    learn_kernel,
    X,
    Y,
    expected: torch.Tensor,
    seed: int,
    tolerance: float,
    kernel_size=None,
    steps=None,
    lr=None,
    *,
    data: str = "",
    goal: str,
) -> None:
    """After ``torch.manual_seed(seed)``, ``learn_kernel(X, Y, ...)`` returns ``expected`` within
    ``tolerance`` (with ``kernel_size`` None it is called with its default arguments)."""
    if kernel_size is None:
        call_text, kwargs = "learn_kernel(X, Y)", {}
        settings = "with its defaults kernel_size=(1, 2), steps=100, lr=0.01"
    else:
        call_text = f"learn_kernel(X, Y, kernel_size={tuple(kernel_size)}, steps={steps}, lr={lr:g})"
        kwargs = {"kernel_size": tuple(kernel_size), "steps": steps, "lr": lr}
        settings = ""
    what = ", ".join(
        part for part in (call_text, f"on {data}" if data else "", settings, f"after torch.manual_seed({seed})") if part
    )
    with _seeded(seed):
        # Thousands of small operations, no built-in replaced: recording them would only be slow.
        got, _ = call(learn_kernel, X, Y, what=call_text, record=False, **kwargs)
    problem = mismatch(got, expected, rtol=0.0, atol=tolerance)
    if problem is None and got.requires_grad:
        raise CheckFailure(
            f"{what}, returned a tensor that requires gradients (the layer's weight itself). "
            "Return it detached (.detach()): a kernel that is still part of the autograd "
            "graph cannot be turned into plain numbers (.numpy()) or plotted, and later "
            "changes to the layer would change it."
        )
    if problem is None:
        return
    advice = ""
    if isinstance(got, torch.Tensor) and got.shape == expected.shape and got.dtype == expected.dtype:
        values = got.detach().to(torch.float64)
        if not bool(values.isfinite().all()) or float(values.abs().max()) > 1e3:
            advice = (
                "\nThe values blew up: gradient descent diverged. Check that each step subtracts "
                "lr times the gradient, that the step size is the lr argument, and that the "
                "gradients are zeroed after every step."
            )
        else:
            advice = (
                f"\nFrom any starting kernel and bias with entries in [-{INIT_BOUND:g}, {INIT_BOUND:g}], "
                f"{steps or 100} steps of gradient descent with step size {lr or 0.01:g} on the "
                f"summed squared error provably end within {tolerance:g} of {goal}. Check that "
                "the loss is summed (not averaged), that both the weight and the bias are "
                "updated with the lr and steps given, and that the gradients are zeroed after "
                "every step."
            )
        advice += " learn_kernel trains your Conv2D: make sure that it passes its own checks too."
    raise CheckFailure(f"{what}, did not learn {goal}.\n{problem}{advice}")


@diagnosed.by_failure
def check_learn_kernel(learn_kernel) -> None:
    """Visible check of ``learn_kernel``: the stripe data with the defaults learns about [[1, -1]],
    and in float64 returns a float64 kernel."""
    X, Y = _stripe()
    assert_learns(
        learn_kernel,
        X,
        Y,
        kit.on_device(EDGE_KERNEL),
        0,
        VISIBLE_TOLERANCE,
        data="the stripe data",
        goal="the edge kernel [[1, -1]]",
    )
    # Thousands of small operations, no built-in replaced: nothing to record (see assert_learns).
    properties.assert_dtype_kept(learn_kernel, _stripe(), "learn_kernel(X, Y) on the stripe data", record=False)


# ---------------------------------------------------------------------------------------
# receptive_field


SIDE_LENGTH = kit.IntAdvice(
    quantity="the side length",
    float_advice="A side length counts pixels: keep to integer arithmetic (no / and no float starting values).",
    tensor_advice=" (use plain integers).",
)


def assert_field(receptive_field, kernel_sizes, strides, *, reference: Callable, pass_strides: bool = True) -> None:
    """``receptive_field(kernel_sizes, strides)`` returns exactly the measured receptive field,
    ``reference(kernel_sizes, strides)`` (both as lists)."""
    want = reference(list(kernel_sizes), None if strides is None else list(strides))
    # Copies: an answer that changes its lists must not change the check's (assert_lists_kept says so).
    kernel_sizes, strides = _copy(kernel_sizes), _copy(strides)
    if pass_strides:
        what = f"receptive_field({kernel_sizes!r}, strides={strides!r})"
        got, _ = call(receptive_field, kernel_sizes, strides, what=what)
    else:
        what = f"receptive_field({kernel_sizes!r}) (default strides: all 1)"
        got, _ = call(receptive_field, kernel_sizes, what=what)
    kit.assert_int(got, want, what, SIDE_LENGTH)


def _copy(sizes):
    """A copy of a list or tuple of sizes (None stays None)."""
    return None if sizes is None else type(sizes)(sizes)


def assert_lists_kept(receptive_field, kernel_sizes: list[int], strides: list[int]) -> None:
    """``receptive_field(kernel_sizes, strides)`` leaves both lists as they were."""
    given = {"kernel_sizes": list(kernel_sizes), "strides": list(strides)}
    what = f"receptive_field({kernel_sizes!r}, strides={strides!r})"
    call(receptive_field, *given.values(), what=what)
    for (name, after), before in zip(given.items(), (kernel_sizes, strides)):
        if after != list(before):
            raise CheckFailure(
                f"{what} changed its input {name}: it was {list(before)} before the call and {after} after. "
                "The caller's lists are not yours to change: list methods such as reverse(), sort(), "
                "pop() and append() change the list itself, where reversed(...) or a copy would not."
            )


# The chapter's examples: (kernel sizes, strides or None, whether to pass strides at all).
FIELD_EXAMPLES = [
    ([3], None, False),  # one 3x3 layer sees 3x3
    ([3, 3], None, False),  # two 3x3 layers see 5x5
    ([3, 3, 3], [1, 1, 1], True),  # three see 7x7
    ([3, 3], [2, 1], True),  # a stride of 2 below doubles what the second layer adds
    ([2, 2, 2], [2, 2, 2], True),  # three halvings: 8x8
]


@diagnosed
def check_receptive_field(receptive_field) -> None:
    """Visible checks of ``receptive_field``: the chapter's stacks, with and without strides, and
    the lists it is given left as they were."""
    for kernel_sizes, strides, pass_strides in FIELD_EXAMPLES:
        assert_field(
            receptive_field, kernel_sizes, strides, reference=expected.receptive_field, pass_strides=pass_strides
        )
    assert_lists_kept(receptive_field, [3, 5], [2, 1])
