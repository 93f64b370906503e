"""Checks of chapter 3 (a convolutional layer that learns): ``Conv2D``, ``make_stripe_data``,
``learn_kernel`` and ``receptive_field``.

``Conv2D`` is checked as a module: its parameters (exactly ``weight`` and ``bias``, both
trainable; the weight random, so that two new layers differ), its forward pass with known
weight and bias against ``F.conv2d``, moving it with ``.to(device, dtype)`` and its gradients.
It is not "from scratch": ``F.conv2d`` and the finished ``corr2d`` block may be used.

``learn_kernel`` trains the notebook's own ``Conv2D``. Every call runs after
``torch.manual_seed(s)`` (with ``s`` quoted in hidden messages), so a failure can be
replayed. Its hidden cases are chosen so that passing them is a theorem, not luck: the
loss is a least-squares problem, and for each case the step size and number of steps
make ``||(I - lr H)^steps||_2`` (H the Hessian) times the largest possible initial error
smaller than the tolerance (see :func:`autograder.chapters.ch03_conv_layer.reference.contraction` and
``tests/test_ch03_conv_layer.py``).
"""

import contextlib
import math
from collections.abc import Iterator
from functools import partial

import torch
from torch import nn

from autograder.chapters.ch02_cross_correlation import reference as correlation
from autograder.chapters.ch03_conv_layer import mistakes
from autograder.chapters.ch03_conv_layer import reference as ref
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, describe, mismatch, shape_text
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

# ---------------------------------------------------------------------------------------
# Conv2D


def _new_layer(Conv2D, kernel_size: tuple[int, int]) -> nn.Module:
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


def _assert_random_start(Conv2D, kernel_size: tuple[int, int]) -> None:
    """Two new layers start from different kernels (the task: draw them with torch.randn)."""
    first, second = (_new_layer(Conv2D, kernel_size) for _ in range(2))
    if torch.equal(first.weight.detach().cpu(), second.weight.detach().cpu()):
        raise CheckFailure(
            f"Two new Conv2D({kernel_size}) layers start with the same weight "
            f"({first.weight.detach().cpu().tolist()}). Draw the initial weight at random "
            "(torch.randn(kernel_size)), so that every new layer starts from a different kernel."
        )


def _layer_with(Conv2D, K: torch.Tensor, b: torch.Tensor) -> nn.Module:
    """A student's layer of K's shape, moved to K's device and dtype, holding ``K`` and ``b``."""
    kernel_size = tuple(K.shape)
    layer = _new_layer(Conv2D, kernel_size)
    layer, _ = call(layer.to, K.device, K.dtype, what=f"Conv2D({kernel_size}).to({K.device}, {K.dtype})")
    with torch.no_grad():
        layer.weight.copy_(K)
        layer.bias.copy_(b)
    return layer


def _reference_layer(K: torch.Tensor, b: torch.Tensor) -> nn.Module:
    """The reference layer holding ``K`` and ``b`` (on their device and dtype)."""
    layer = ref.Conv2D(tuple(K.shape)).to(K.device, K.dtype)
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


def _assert_forward(Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, inputs: str) -> None:
    """The student's layer, set to ``K`` and ``b``, maps ``X`` as the reference does."""
    layer = _layer_with(Conv2D, K, b)
    what = f"Conv2D({tuple(K.shape)}) with {_settings(K, b)}, applied to {inputs}"
    got, _ = call(layer, X, what=what)
    expected = _reference_layer(K, b)(X)
    try:
        assert_matches(got, expected, what)
    except CheckFailure as failure:
        raise CheckFailure(f"{failure}{_float32_advice(got, expected)}") from None


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


def _assert_gradients(Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(layer(X) * G)`` with respect to weight, bias and the input."""
    kernel_size = tuple(K.shape)
    what = f"Conv2D({kernel_size})(x) with x {X.shape[0]}x{X.shape[1]}"
    layer, reference = _layer_with(Conv2D, K, b), _reference_layer(K, b)
    x, x_ref = X.clone().requires_grad_(True), X.clone().requires_grad_(True)
    out, _ = call(layer, x, what=what)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(
            f"{what} is not differentiable: its result is not connected to the parameters in the "
            "autograd graph. Avoid .item(), .detach(), .data and torch.tensor(...) in forward."
        )
    expected = reference(x_ref)
    assert_matches(out, expected, what)
    got = torch.autograd.grad(out, [layer.weight, layer.bias, x], G, allow_unused=True)
    want = torch.autograd.grad(expected, [reference.weight, reference.bias, x_ref], G)
    for label, g, e in zip(("weight", "bias", "the input x"), got, want):
        assert_matches(torch.zeros_like(e) if g is None else g, e, f"The gradient of {what} with respect to {label}")


def _stripe(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's stripe image and its edge map on the course device."""
    X, Y = ref.make_stripe_data()
    return X.to(device(), dtype), Y.to(device(), dtype)


@diagnosed
def check_Conv2D(Conv2D) -> None:
    """Visible checks of ``Conv2D``: its parameters, the stripe image's edges, a non-square case."""
    _new_layer(Conv2D, (1, 2))
    _assert_random_start(Conv2D, (1, 2))
    X, _ = _stripe()
    _assert_forward(Conv2D, X, kit.on_device(EDGE_KERNEL), kit.on_device([0.0]), "the stripe image X")
    K = kit.on_device([[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]])
    _assert_forward(Conv2D, kit.numbers(4, 5), K, kit.on_device([0.5]), "X = 0..19 as 4x5")


@diagnosed
def grade_Conv2D(Conv2D) -> None:
    """Hidden checks of ``Conv2D``: random non-square inputs and kernels, a kernel as large as the
    input, float64 (the layer moved with ``.to``), random starts, and gradients."""
    cases = Cases()
    shapes = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 10)
        shapes.append((H, W, *cases.distinct_sizes(1, min(H, W)), dtype, ""))
    H, W = cases.distinct_sizes(2, 6)
    shapes.append((H, W, H, W, torch.float64, ", the kernel as large as the input"))
    plan = []
    for H, W, kh, kw, dtype, note in shapes:
        X, K, b = cases.randn(H, W, dtype=dtype), cases.randn(kh, kw, dtype=dtype), cases.randn(1, dtype=dtype)
        plan.append(
            kit.Hidden(
                f"x {H}x{W} and a {kh}x{kw} kernel ({dtype}{note})",
                partial(_assert_layer, Conv2D, X, K, b, f"a random {H}x{W} x"),
            )
        )
    H, W = cases.distinct_sizes(3, 8)
    kh, kw = cases.distinct_sizes(1, 3)
    X, K, b = (cases.randn(*shape, dtype=torch.float64) for shape in ((H, W), (kh, kw), (1,)))
    G = cases.randn(H - kh + 1, W - kw + 1, dtype=torch.float64)
    plan.append(
        kit.Hidden(
            f"the gradients for x {H}x{W} and a {kh}x{kw} kernel (float64)",
            partial(_assert_gradients, Conv2D, X, K, b, G),
        )
    )
    kit.run_hidden(cases, plan)


def _assert_layer(Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, inputs: str) -> None:
    """New layers of K's shape start at random, and one set to ``K`` and ``b`` maps ``X`` right."""
    _assert_random_start(Conv2D, tuple(K.shape))
    _assert_forward(Conv2D, X, K, b, inputs)


# ---------------------------------------------------------------------------------------
# make_stripe_data


def _stripe_data(make_stripe_data, what: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Call ``make_stripe_data()``, require the pair (X, Y) and compare both with the chapter's."""
    got, _ = call(make_stripe_data, what=what)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailure(f"{what} should return a pair (X, Y); it returned {describe(got)}.")
    expected = ref.make_stripe_data()
    meaning = {
        "X": "the 6x8 image: ones, with columns 2 to 5 set to 0",
        "Y": "the 6x7 edge map: zeros, with column 1 set to 1 and column 5 set to -1",
    }
    for name, value, want in zip(("X", "Y"), got, expected):
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


@diagnosed
def check_make_stripe_data(make_stripe_data) -> None:
    """Visible checks of ``make_stripe_data``: exact values, shapes (6, 8) and (6, 7), float32."""
    _stripe_data(make_stripe_data, "make_stripe_data()")


@diagnosed
def grade_make_stripe_data(make_stripe_data) -> None:
    """Hidden checks of ``make_stripe_data``: the values, and new tensors on every call."""
    cases = Cases()
    kit.run_hidden(
        cases,
        [
            kit.Hidden("a first call", partial(_stripe_data, make_stripe_data, "make_stripe_data()")),
            kit.Hidden(
                "a second call, after the first call's X and Y were changed in place",
                partial(_assert_new_tensors, make_stripe_data),
            ),
        ],
    )


def _assert_new_tensors(make_stripe_data) -> None:
    """Changing what one call returned in place does not change what the next call returns."""
    X, Y = _stripe_data(make_stripe_data, "make_stripe_data()")
    with torch.no_grad():
        X.add_(10)
        Y.add_(10)
    try:
        _stripe_data(make_stripe_data, "make_stripe_data() called a second time")
    except CheckFailure as failure:
        raise CheckFailure(
            f"{failure}\nDo both calls return the same tensors? Changing the first call's "
            "X and Y in place must not change what the next call returns: create new "
            "tensors inside the function on every call."
        ) from None


# ---------------------------------------------------------------------------------------
# learn_kernel

TOLERANCE = 1e-3  # hidden cases: largest |learned - true| of a kernel entry
VISIBLE_TOLERANCE = 1e-2  # the chapter's example: "close to [[1, -1]]"
INIT_BOUND = 6.0  # the proofs cover every start whose kernel and bias entries lie in [-6, 6]
MAX_STEPS = 1000  # keeps a hidden case to about a second even with a loop-based corr2d
MIN_CURVATURE = 250.0  # hidden random targets: the default lr = 0.01 would diverge on them
SLOW_LR, SLOW_STEPS = 0.001, 1500  # the stripe data with a small step size needs many steps
RANDOM_KERNELS = [(1, 3), (2, 1), (2, 3), (3, 2)]  # kh != kw, none the default (1, 2)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Run the block after ``torch.manual_seed(seed)``, leaving the caller's random state as it was."""
    dev = device()
    with torch.random.fork_rng(devices=[dev.index or 0] if dev.type == "cuda" else []):
        torch.manual_seed(seed)
        yield


def _assert_learns(
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


def descent_plan(
    X: torch.Tensor, kernel_size: tuple[int, int], distance: float, tolerance: float = TOLERANCE
) -> tuple[float, int, float] | None:
    """A step size and number of steps that provably bring gradient descent within
    ``tolerance`` of the minimiser from any start at most ``distance`` away from it.

    The step size is 1 / (the Hessian's largest eigenvalue), rounded to 3 significant
    digits. Returns ``(lr, steps, largest eigenvalue)``, or None when the minimiser is not
    unique (a singular Hessian).
    """
    eigenvalues = torch.linalg.eigvalsh(ref.hessian(X, kernel_size))
    smallest, largest = float(eigenvalues[0]), float(eigenvalues[-1])
    if smallest <= 1e-9 * largest:
        return None
    lr = float(f"{1 / largest:.3g}")
    rate = float((1 - lr * eigenvalues).abs().max())  # ||I - lr H||_2
    steps = max(1, math.ceil(math.log(tolerance / distance) / math.log(rate)))
    return lr, steps, largest


def worst_distance(true_kernel: torch.Tensor, true_bias: torch.Tensor) -> float:
    """Largest distance from (true_kernel, true_bias) of a start with entries in [-6, 6]."""
    theta = torch.cat([true_kernel.reshape(-1), true_bias.reshape(-1)]).to(torch.float64)
    return INIT_BOUND * math.sqrt(theta.numel()) + float(theta.norm())


def random_target(cases: Cases, kernel_size: tuple[int, int]):
    """A random problem for ``learn_kernel``: X (H, W) with H != W, Y = corr2d(X, K*) + b*.

    X has values 3 * N(0, 1). Problems are redrawn (from the same seed, so reproducibly)
    until the Hessian's largest eigenvalue is at least 250 (so that ignoring ``lr`` and
    using 0.01 diverges) and at most 1000 steps are needed. Returns
    ``(X, Y, K*, b*, lr, steps)``, all tensors float64 on the course device.
    """
    kh, kw = kernel_size
    for _ in range(200):
        H, W = cases.distinct_sizes(4, 7)
        X = 3 * cases.randn(H, W, dtype=torch.float64)
        K, b = cases.randn(kh, kw, dtype=torch.float64), cases.randn(1, dtype=torch.float64)
        plan = descent_plan(X, kernel_size, worst_distance(K, b))
        if plan is not None and plan[2] >= MIN_CURVATURE and plan[1] <= MAX_STEPS:
            lr, steps, _ = plan
            return X, correlation.corr2d(X, K) + b, K, b, lr, steps
    raise RuntimeError(f"no well-conditioned problem found for seed {cases.seed}")  # never seen


EDGE_KERNEL = [[1.0, -1.0]]


@diagnosed.by_failure
def check_learn_kernel(learn_kernel) -> None:
    """Visible check of ``learn_kernel``: the stripe data with the defaults learns about [[1, -1]]."""
    X, Y = _stripe()
    _assert_learns(
        learn_kernel,
        X,
        Y,
        kit.on_device(EDGE_KERNEL),
        0,
        VISIBLE_TOLERANCE,
        data="the stripe data",
        goal="the edge kernel [[1, -1]]",
    )


@diagnosed.by_failure
def grade_learn_kernel(learn_kernel) -> None:
    """Hidden checks of ``learn_kernel``: the stripe data (with the defaults; in float64 with a
    small lr and many steps) and two random float64 targets of other kernel shapes."""
    cases = Cases()
    seeds = [cases.size(0, 2**31 - 1) for _ in range(4)]
    plan = []
    for dtype, seed, settings in (
        (torch.float32, seeds[0], (None, None, None)),
        (torch.float64, seeds[1], ((1, 2), SLOW_STEPS, SLOW_LR)),
    ):
        X, Y = _stripe(dtype)
        plan.append(
            kit.Hidden(
                f"the stripe data ({dtype})",
                partial(
                    _assert_learns,
                    learn_kernel,
                    X,
                    Y,
                    kit.on_device(EDGE_KERNEL, dtype),
                    seed,
                    TOLERANCE,
                    *settings,
                    goal="the edge kernel [[1, -1]]",
                ),
            )
        )
    for kernel_size, seed in zip(cases.rng.sample(RANDOM_KERNELS, 2), seeds[2:]):
        X, Y, K, _, lr, steps = random_target(cases, kernel_size)
        data = (
            f"a random {X.shape[0]}x{X.shape[1]} X (float64) and Y = corr2d(X, K) + b for a random "
            f"{kernel_size[0]}x{kernel_size[1]} kernel K and bias b"
        )
        plan.append(
            kit.Hidden(
                data,
                partial(
                    _assert_learns,
                    learn_kernel,
                    X,
                    Y,
                    K,
                    seed,
                    TOLERANCE,
                    kernel_size,
                    steps,
                    lr,
                    goal="the kernel K that produced Y",
                ),
            )
        )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# receptive_field


SIDE_LENGTH = kit.IntAdvice(
    quantity="the side length",
    float_advice="A side length counts pixels: keep to integer arithmetic (no / and no float starting values).",
    tensor_advice=" (use plain integers).",
)


def _assert_field(receptive_field, kernel_sizes, strides, *, pass_strides: bool = True) -> None:
    """``receptive_field(kernel_sizes, strides)`` returns exactly the measured receptive field."""
    expected = ref.receptive_field(list(kernel_sizes), None if strides is None else list(strides))
    if pass_strides:
        what = f"receptive_field({kernel_sizes!r}, strides={strides!r})"
        got, _ = call(receptive_field, kernel_sizes, strides, what=what)
    else:
        what = f"receptive_field({kernel_sizes!r}) (default strides: all 1)"
        got, _ = call(receptive_field, kernel_sizes, what=what)
    kit.assert_int(got, expected, what, SIDE_LENGTH)


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
    """Visible checks of ``receptive_field``: the chapter's stacks, with and without strides."""
    for kernel_sizes, strides, pass_strides in FIELD_EXAMPLES:
        _assert_field(receptive_field, kernel_sizes, strides, pass_strides=pass_strides)


@diagnosed
def grade_receptive_field(receptive_field) -> None:
    """Hidden checks of ``receptive_field``: random stacks of 1 to 5 layers, kernels 1 to 7,
    strides 1 to 3 (some larger than the kernel), as lists or tuples, strides=None."""
    cases = Cases()
    stacks = []
    for _ in range(10):
        depth = cases.size(1, 5)
        stacks.append(([cases.size(1, 7) for _ in range(depth)], [cases.size(1, 3) for _ in range(depth)]))
    for _ in range(3):  # a layer whose stride is larger than its kernel (it skips pixels)
        depth = cases.size(2, 4)
        kernels, strides = [cases.size(1, 7) for _ in range(depth)], [cases.size(1, 3) for _ in range(depth)]
        layer = cases.size(0, depth - 2)
        kernels[layer], strides[layer] = cases.size(1, 2), 3
        stacks.append((kernels, strides))
    stacks.append(([cases.size(1, 7) for _ in range(cases.size(2, 5))], None))
    plan = []
    for number, (kernels, strides) in enumerate(stacks):
        if number % 2 == 0:  # tuples as well as lists
            kernels, strides = tuple(kernels), None if strides is None else tuple(strides)
        plan.append(
            kit.Hidden(f"a stack of {len(kernels)} layer(s)", partial(_assert_field, receptive_field, kernels, strides))
        )
    kit.run_hidden(cases, plan)
