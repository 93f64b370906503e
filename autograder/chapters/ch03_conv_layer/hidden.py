"""Hidden checks of chapter 3 (a convolutional layer that learns), run at grading time.

``Conv2D``: random non-square inputs and kernels, a square input with a square kernel,
float64 (the layer moved with ``.to``), random starts and gradients, against the reference
layer; and the properties of its forward again.

``learn_kernel`` trains the notebook's own ``Conv2D``. Every call runs after
``torch.manual_seed(s)`` (with ``s`` quoted in hidden messages), so a failure can be
replayed. Its hidden cases are chosen so that passing them is a theorem, not luck: the
loss is a least-squares problem, and for each case the step size and number of steps
make ``||(I - lr H)^steps||_2`` (H the Hessian) times the largest possible initial error
smaller than the tolerance (see :func:`autograder.chapters.ch03_conv_layer.reference.contraction` and
``tests/test_ch03_conv_layer.py``).
"""

import math
from functools import partial

import torch
from torch import nn

from autograder.chapters.ch02_cross_correlation import reference as correlation
from autograder.chapters.ch03_conv_layer import mistakes
from autograder.chapters.ch03_conv_layer import reference as ref
from autograder.chapters.ch03_conv_layer.checks import (
    EDGE_KERNEL,
    INIT_BOUND,
    assert_field,
    assert_forward,
    assert_layer_properties,
    assert_learns,
    assert_lists_kept,
    assert_new_tensors,
    assert_random_start,
    layer_with,
    stripe_data,
)
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

# ---------------------------------------------------------------------------------------
# Conv2D


def _reference_layer(K: torch.Tensor, b: torch.Tensor) -> nn.Module:
    """The reference layer holding ``K`` and ``b`` (on their device and dtype)."""
    layer = ref.Conv2D(tuple(K.shape)).to(K.device, K.dtype)
    with torch.no_grad():
        layer.weight.copy_(K)
        layer.bias.copy_(b)
    return layer


def _assert_gradients(Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, G: torch.Tensor) -> None:
    """The gradients of ``sum(layer(X) * G)`` with respect to weight, bias and the input."""
    kernel_size = tuple(K.shape)
    what = f"Conv2D({kernel_size})(x) with x {X.shape[0]}x{X.shape[1]}"
    layer, reference = layer_with(Conv2D, K, b), _reference_layer(K, b)
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


@diagnosed
def grade_Conv2D(Conv2D) -> None:
    """Hidden checks of ``Conv2D``: random non-square inputs and kernels, a square input with a
    square kernel, a kernel as large as the input, float64 (the layer moved with ``.to``),
    random starts, gradients, and the properties of its forward."""
    cases = Cases()
    shapes = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 10)
        shapes.append((H, W, *cases.distinct_sizes(1, min(H, W)), dtype, ""))
    n = cases.size(4, 8)
    k = cases.size(2, n - 1)
    shapes.append((n, n, k, k, torch.float32, ", both square"))
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
    H, W = cases.distinct_sizes(3, 8)
    kh, kw = cases.distinct_sizes(1, 3)
    X, K, b = cases.randn(H, W), cases.randn(kh, kw), cases.randn(1)
    inputs = f"a random {H}x{W} x and a {kh}x{kw} kernel"
    plan.append(
        kit.Hidden(f"{inputs}, for the stated properties", partial(assert_layer_properties, Conv2D, X, K, b, inputs))
    )
    kit.run_hidden(cases, plan)


def _assert_layer(Conv2D, X: torch.Tensor, K: torch.Tensor, b: torch.Tensor, inputs: str) -> None:
    """New layers of K's shape start at random, and one set to ``K`` and ``b`` maps ``X`` right."""
    assert_random_start(Conv2D, tuple(K.shape))
    assert_forward(Conv2D, X, K, b, inputs, ref.layer_output)


# ---------------------------------------------------------------------------------------
# make_stripe_data


@diagnosed
def grade_make_stripe_data(make_stripe_data) -> None:
    """Hidden checks of ``make_stripe_data``: the values, and new tensors on every call."""
    cases = Cases()
    kit.run_hidden(
        cases,
        [
            kit.Hidden(
                "a first call", partial(stripe_data, make_stripe_data, "make_stripe_data()", ref.make_stripe_data)
            ),
            kit.Hidden(
                "a second call, after the first call's X and Y were changed in place",
                partial(assert_new_tensors, make_stripe_data, ref.make_stripe_data),
            ),
        ],
    )


# ---------------------------------------------------------------------------------------
# learn_kernel

TOLERANCE = 1e-3  # hidden cases: largest |learned - true| of a kernel entry
MAX_STEPS = 1000  # keeps a hidden case to about a second even with a loop-based corr2d
MIN_CURVATURE = 250.0  # hidden random targets: the default lr = 0.01 would diverge on them
SLOW_LR, SLOW_STEPS = 0.001, 1500  # the stripe data with a small step size needs many steps
RANDOM_KERNELS = [(1, 3), (2, 1), (2, 3), (3, 2)]  # kh != kw, none the default (1, 2)


def _stripe(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's stripe image and its edge map on the course device."""
    X, Y = ref.make_stripe_data()
    return X.to(device(), dtype), Y.to(device(), dtype)


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
                    assert_learns,
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
                    assert_learns,
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


@diagnosed
def grade_receptive_field(receptive_field) -> None:
    """Hidden checks of ``receptive_field``: random stacks of 1 to 5 layers, kernels 1 to 7,
    strides 1 to 3 (some larger than the kernel), as lists or tuples, strides=None; and the
    lists it is given left as they were."""
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
            kit.Hidden(
                f"a stack of {len(kernels)} layer(s)",
                partial(assert_field, receptive_field, kernels, strides, reference=ref.receptive_field),
            )
        )
    # Three different kernel sizes and strides: neither list reads the same reversed.
    kernels, strides = cases.rng.sample(range(1, 8), 3), cases.rng.sample(range(1, 4), 3)
    plan.append(
        kit.Hidden(
            f"the lists {kernels} and {strides}, left unchanged",
            partial(assert_lists_kept, receptive_field, kernels, strides),
        )
    )
    kit.run_hidden(cases, plan)
