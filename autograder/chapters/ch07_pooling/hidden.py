"""Hidden checks of chapter 7 (pooling), run at grading time: random shapes from the grading
seed, N > 1 and C > 1, H != W, kh != kw, a square plane with a square kernel, float64 and
gradients, compared with the references of :mod:`autograder.chapters.ch07_pooling.reference`,
and the stated properties on random inputs. Hidden inputs are standard normal, so that no
window has two equal maxima and the maximum's index is unique.
"""

from functools import partial

import torch

from autograder.chapters.ch07_pooling import mistakes
from autograder.chapters.ch07_pooling import reference as ref
from autograder.chapters.ch07_pooling.checks import (
    FROM_SCRATCH,
    assert_properties,
    assert_result,
    assert_with_indices,
    call_text,
    unpool_args,
)
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, shape_text
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)


def _inputs(X: torch.Tensor, extra: str = "") -> str:
    """Describe the input of a hidden case: shape and dtype."""
    return f"X of shape {shape_text(X.shape)}{extra} ({X.dtype})"


def _properties_case(fn, name: str, args: tuple, labels: dict[int, str], inputs: str, **options) -> kit.Hidden:
    """The hidden case that re-tests what the exercise's text states (inputs unchanged, dtype and
    device kept, differentiable unless ``options`` say otherwise) on random ``inputs``."""
    return kit.Hidden(
        f"the properties the exercise states, on {inputs}",
        partial(
            assert_properties, fn, args, call_text(name, args, "Y" if name == "max_unpool" else "X"), labels, **options
        ),
    )


def _square(cases: Cases) -> tuple[int, int]:
    """A square plane's side and a square kernel larger than 1x1 that fits it: an answer that
    handles the two axes differently only when they are equal is caught too."""
    n = cases.size(4, 9)
    return n, cases.size(2, min(n, 4))


def _tensor_hidden(fn, name: str, reference, cases: Cases, items: list, gradients: list, extra=()) -> None:
    """Run the hidden cases ``items`` ((args, inputs in words) each), then the gradient cases
    ``gradients`` ((args, labels of the tensor args, inputs in words) each), then the ``extra``
    cases (:class:`~autograder.runtime.kit.Hidden`)."""
    first = "Y" if name == "max_unpool" else "X"
    plan = [
        kit.Hidden(
            inputs,
            partial(assert_result, fn, args, reference(*args), call_text(name, args, first)),
        )
        for args, inputs in items
    ]
    for args, labels, inputs in gradients:
        G = cases.randn(*reference(*args).shape, dtype=torch.float64)
        what = call_text(name, args, first)
        if name == "max_unpool":
            plan.append(kit.Hidden(inputs, partial(_assert_unpool_gradient, fn, args, G, what)))
        else:
            plan.append(kit.gradient_case(inputs, fn, reference, args, G, what, labels, from_scratch=FROM_SCRATCH))
    kit.run_hidden(cases, [*plan, *extra])


def _window(cases: Cases, H: int, W: int) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """A kernel with kh != kw that fits (H, W), a stride (None counted as the kernel) and a
    padding of at most half the kernel, as PyTorch allows."""
    kh, kw = cases.distinct_sizes(1, min(H, W, 4))
    return (kh, kw), (cases.size(1, 3), cases.size(1, 3)), (cases.size(0, kh // 2), cases.size(0, kw // 2))


# ---------------------------------------------------------------------------------------
# pool2d


def _pool2d_plan(cases: Cases) -> list:
    items = []
    for mode, dtype in (
        ("max", torch.float32),
        ("avg", torch.float32),
        ("max", torch.float64),
        ("avg", torch.float64),
        ("max", torch.float32),
        ("avg", torch.float32),
    ):
        H, W = cases.distinct_sizes(4, 10)
        kernel, stride, padding = _window(cases, H, W)
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        items.append(((X, kernel, stride, padding, mode), _inputs(X)))
    for mode in ("max", "avg"):
        H, W = cases.distinct_sizes(4, 9)
        kh, kw = cases.distinct_sizes(1, 3)
        X = cases.randn(2, cases.size(2, 3), H, W)
        items.append(((X, (kh, kw), None, 0, mode), _inputs(X, ", stride=None (the kernel size)")))
        stride = (kh + cases.size(1, 2), kw + cases.size(1, 2))
        items.append(((X, (kh, kw), stride, (kh // 2, kw // 2), mode), _inputs(X, ", stride larger than the kernel")))
        items.append(((X, (H, W), None, 0, mode), _inputs(X, ", the kernel as large as the input")))
    for mode in ("max", "avg"):
        n, k = _square(cases)
        X = cases.randn(2, cases.size(2, 3), n, n)
        items.append(((X, k, cases.size(1, 2), k // 2, mode), _inputs(X, f", a square {k}x{k} kernel")))
    return items + _ceil_dilation_plan(cases)


def _ceil_axis(cases: Cases, dropped: bool, dilation: int = 1) -> tuple[int, int, int, int]:
    """(n, k, stride, padding) along one axis where ceil_mode=True changes the windows: a last
    window that runs past the padded input, which PyTorch keeps (``dropped=False``: one window
    more than floor), or one that would start in the right or bottom padding, which it drops
    (``dropped=True``: one fewer than rounding up gives)."""
    for _ in range(1000):
        k, s, n = cases.size(2, 4), cases.size(2, 4), cases.size(4, 10)
        p = cases.size(1 if dropped else 0, k // 2)
        span = dilation * (k - 1) + 1
        if n + 2 * p < span:
            continue
        floor = (n + 2 * p - span) // s + 1
        rounded_up = (n + 2 * p - span + s - 1) // s + 1
        kept = ref.pool_output_size(n, k, s, p, dilation, ceil_mode=True)
        if (kept < rounded_up) if dropped else (kept > floor):
            return n, k, s, p
    raise AssertionError("no axis found")  # pragma: no cover: the loop finds one within a few draws


def _ceil_dilation_plan(cases: Cases) -> list:
    """ceil_mode on both axes (a kept window past the padded input on one, a dropped one on the
    other) in both modes; dilation for max pooling, with floor and with ceil_mode."""
    items = []
    for mode in ("max", "avg"):
        for dropped_rows in (False, True):
            H, kh, sh, ph = _ceil_axis(cases, dropped_rows)
            W, kw, sw, pw = _ceil_axis(cases, not dropped_rows)
            X = cases.randn(2, cases.size(2, 3), H, W, dtype=torch.float64 if dropped_rows else torch.float32)
            args = (X, (kh, kw), (sh, sw), (ph, pw), mode, True, 1)
            items.append((args, _inputs(X, ", ceil_mode=True")))
    dh, dw = cases.distinct_sizes(1, 3)
    H, W = cases.distinct_sizes(7, 11)
    kh, kw = cases.size(2, 3), cases.size(2, 3)
    X = cases.randn(2, cases.size(2, 3), H, W)
    args = (X, (kh, kw), (cases.size(1, 2), cases.size(1, 2)), (kh // 2, kw // 2), "max", False, (dh, dw))
    items.append((args, _inputs(X, f", dilation {(dh, dw)}")))
    d = cases.size(2, 3)
    H, kh, sh, ph = _ceil_axis(cases, False, d)
    W, kw, sw, pw = _ceil_axis(cases, True, 1)
    X = cases.randn(2, cases.size(2, 3), H, W)
    args = (X, (kh, kw), (sh, sw), (ph, pw), "max", True, (d, 1))
    items.append((args, _inputs(X, f", ceil_mode=True and dilation {(d, 1)}")))
    return items


def _pool2d_gradients(cases: Cases) -> list:
    gradients = []
    for mode in ("max", "avg"):
        H, W = cases.distinct_sizes(4, 8)
        kernel, stride, padding = _window(cases, H, W)
        X = cases.randn(2, cases.size(2, 3), H, W, dtype=torch.float64)
        gradients.append(((X, kernel, stride, padding, mode), ("X",), f"the gradient for {_inputs(X)}, mode={mode!r}"))
    for mode, d in (("max", 2), ("avg", 1)):
        H, kh, sh, ph = _ceil_axis(cases, False, d)
        W, kw, sw, pw = _ceil_axis(cases, False, 1)
        X = cases.randn(2, cases.size(2, 3), H, W, dtype=torch.float64)
        args = (X, (kh, kw), (sh, sw), (ph, pw), mode, True, (d, 1))
        gradients.append((args, ("X",), f"the gradient for {_inputs(X)}, mode={mode!r}, ceil_mode=True"))
    return gradients


@diagnosed
def grade_pool2d(pool2d) -> None:
    """Hidden checks of ``pool2d``: both modes, N > 1 and C > 1, H != W, kh != kw, the default
    stride, overlapping windows, a stride larger than the kernel, padding, a kernel as large
    as the input, a square case, ceil_mode (a last window kept past the padded input, one
    dropped for starting in the padding), dilation 1 to 3 with floor and ceil, float64,
    gradients, the stated properties in both modes."""
    cases = Cases()
    items, gradients = _pool2d_plan(cases), _pool2d_gradients(cases)
    extra = []
    for mode in ("max", "avg"):
        H, W = cases.distinct_sizes(4, 8)
        kernel, stride, padding = _window(cases, H, W)
        X = cases.randn(2, cases.size(2, 3), H, W)
        args = (X, kernel, stride, padding, mode)
        extra.append(_properties_case(pool2d, "pool2d", args, {0: "X"}, f"{_inputs(X)}, mode={mode!r}"))
    _tensor_hidden(pool2d, "pool2d", ref.pool2d, cases, items, gradients, extra)


# ---------------------------------------------------------------------------------------
# avg_pool2d


@diagnosed
def grade_avg_pool2d(avg_pool2d) -> None:
    """Hidden checks of ``avg_pool2d``: padding counted and not counted, divisor_override with
    both, the default stride, N > 1 and C > 1, H != W, kh != kw, a square case, float64,
    gradients, the stated properties."""
    cases = Cases()
    items = []
    settings = [
        (True, None),
        (False, None),
        (True, cases.size(2, 9)),
        (False, cases.size(2, 9)),
        (True, None),
        (False, None),
    ]
    for number, (count, divisor) in enumerate(settings):
        H, W = cases.distinct_sizes(4, 10)
        (kh, kw), stride, _ = _window(cases, H, W)
        kh, kw = max(kh, 2), max(kw, 2)  # room for padding on both axes
        padding = (cases.size(1, kh // 2), cases.size(1, kw // 2))
        dtype = torch.float64 if number % 3 == 2 else torch.float32
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        items.append(((X, (kh, kw), stride, padding, count, divisor), _inputs(X)))
    H, W = cases.distinct_sizes(4, 9)
    X = cases.randn(2, 3, H, W)
    items.append(((X, cases.distinct_sizes(2, 3)), _inputs(X, ", every argument after kernel_size at its default")))
    n, k = _square(cases)
    X = cases.randn(2, cases.size(2, 3), n, n)
    items.append(((X, k, 1, k // 2, False, None), _inputs(X, f", a square {k}x{k} kernel, padding not counted")))
    gradients = []
    for count, divisor in ((True, None), (False, None), (False, cases.size(2, 7))):
        H, W = cases.distinct_sizes(4, 8)
        X = cases.randn(2, cases.size(2, 3), H, W, dtype=torch.float64)
        args = (X, (3, 2), (cases.size(1, 2), cases.size(1, 2)), 1, count, divisor)
        gradients.append((args, ("X",), f"the gradient for {_inputs(X)}"))
    H, W = cases.distinct_sizes(4, 8)
    X = cases.randn(2, cases.size(2, 3), H, W)
    args = (X, (3, 2), (2, 1), 1, True, None)
    extra = [_properties_case(avg_pool2d, "avg_pool2d", args, {0: "X"}, _inputs(X))]
    _tensor_hidden(avg_pool2d, "avg_pool2d", ref.avg_pool2d, cases, items, gradients, extra)


# ---------------------------------------------------------------------------------------
# max_pool_with_indices


@diagnosed
def grade_max_pool_with_indices(max_pool_with_indices) -> None:
    """Hidden checks of ``max_pool_with_indices``: N > 1 and C > 1, H != W, kh != kw, the
    default stride, overlapping windows, a stride larger than the kernel, windows that leave
    rows and columns out, a kernel as large as the input, a square case, float64, the stated
    properties."""
    cases = Cases()
    items = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 11)
        kernel, stride, _ = _window(cases, H, W)
        items.append((kernel, stride, H, W, dtype, ""))
    H, W = cases.distinct_sizes(5, 11)
    items.append((cases.distinct_sizes(2, 3), None, H, W, torch.float32, ", stride=None (the kernel size)"))
    H, W = cases.distinct_sizes(5, 11)
    items.append(((2, 3), (3, 4), H, W, torch.float32, ", stride larger than the kernel"))
    H, W = cases.distinct_sizes(2, 6)
    items.append(((H, W), None, H, W, torch.float32, ", the kernel as large as the input"))
    n, k = _square(cases)
    items.append((k, cases.size(1, 2), n, n, torch.float32, f", a square {k}x{k} kernel"))
    plan = []
    for kernel, stride, H, W, dtype, extra in items:
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        args = (X, kernel) if stride is None else (X, kernel, stride)
        plan.append(
            kit.Hidden(
                _inputs(X, extra),
                partial(
                    assert_with_indices,
                    max_pool_with_indices,
                    args,
                    call_text("max_pool_with_indices", args),
                    ref.max_pool_with_indices,
                ),
            )
        )
    H, W = cases.distinct_sizes(4, 9)
    X = cases.randn(2, cases.size(2, 3), H, W)
    args = (X, cases.distinct_sizes(2, 3), cases.distinct_sizes(1, 2))
    output = {"output": lambda result: result[0]}
    plan.append(_properties_case(max_pool_with_indices, "max_pool_with_indices", args, {0: "X"}, _inputs(X), **output))
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# max_unpool


def _assert_unpool_gradient(max_unpool, args: tuple, G: torch.Tensor, what: str) -> None:
    """The gradient of ``sum(max_unpool(Y, indices, size) * G)`` with respect to Y matches the
    reference's (the integer indices take no gradient, so the shared helper does not apply)."""
    Y, indices, size = args
    leaf = Y.clone().requires_grad_(True)
    out, _ = call(max_unpool, leaf, indices.clone(), size, what=what, from_scratch=FROM_SCRATCH)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(
            f"{what} is not differentiable in Y: its result is not connected to Y in the autograd graph. "
            "Write Y into a tensor of zeros with indexing or scatter (no .item(), .tolist() or numpy)."
        )
    assert_matches(out, ref.max_unpool(leaf, indices, size), what)
    (got,) = torch.autograd.grad(out, leaf, G)
    (expected,) = torch.autograd.grad(ref.max_unpool(leaf, indices, size), leaf, G)
    assert_matches(got, expected, f"The gradient of {what} with respect to Y")


def _unpool_case(cases: Cases, H: int, W: int, kernel: tuple[int, int], stride, dtype) -> tuple:
    """(args, inputs in words): new values written through the indices of pooling random X of (H, W) planes."""
    X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
    Y = ref.max_pool_with_indices(X, kernel, stride)[0]
    args = unpool_args(ref.max_pool_with_indices, X, kernel, stride, values=cases.randn(*Y.shape, dtype=dtype))
    inputs = (
        f"Y of shape {shape_text(Y.shape)} ({dtype}) and indices from pooling X of shape {shape_text(X.shape)} "
        f"with kernel_size={kernel}, stride={stride}, output_size={args[2]}"
    )
    return args, inputs


@diagnosed
def grade_max_unpool(max_unpool) -> None:
    """Hidden checks of ``max_unpool``: indices from pooling random inputs (N > 1, C > 1,
    H != W, kh != kw, strides at least the kernel, sizes that leave rows and columns out), a
    square case, new values, float64, the gradient with respect to Y, the stated properties."""
    cases = Cases()
    items = []
    for number, dtype in enumerate((torch.float32, torch.float32, torch.float64, torch.float32)):
        H, W = cases.distinct_sizes(4, 11)
        kh, kw = cases.distinct_sizes(1, 3)
        stride = None if number == 0 else (kh + cases.size(0, 2), kw + cases.size(0, 2))
        items.append(_unpool_case(cases, H, W, (kh, kw), stride, dtype))
    n, k = _square(cases)
    items.append(_unpool_case(cases, n, n, (k, k), None, torch.float32))
    H, W = cases.distinct_sizes(4, 9)
    X = cases.randn(2, 3, H, W, dtype=torch.float64)
    Y = ref.max_pool_with_indices(X, (2, 3))[0]
    args = unpool_args(ref.max_pool_with_indices, X, (2, 3), values=cases.randn(*Y.shape, dtype=torch.float64))
    gradient = (
        args,
        ("Y",),
        f"the gradient with respect to Y, for Y of shape {shape_text(Y.shape)} and output_size={args[2]}",
    )
    H, W = cases.distinct_sizes(4, 9)
    X = cases.randn(2, 3, H, W)
    Y = ref.max_pool_with_indices(X, (2, 3))[0]
    args = unpool_args(ref.max_pool_with_indices, X, (2, 3), values=cases.randn(*Y.shape))
    inputs = f"Y of shape {shape_text(Y.shape)} and output_size={args[2]}"
    # the gradient case above tests the path to Y; the indices are integers
    extra = [_properties_case(max_unpool, "max_unpool", args, {0: "Y", 1: "indices"}, inputs, differentiable=False)]
    _tensor_hidden(max_unpool, "max_unpool", ref.max_unpool, cases, items, [gradient], extra)


# ---------------------------------------------------------------------------------------
# adaptive_avg_pool2d


@diagnosed
def grade_adaptive_avg_pool2d(adaptive_avg_pool2d) -> None:
    """Hidden checks of ``adaptive_avg_pool2d``: sizes that divide the input and sizes that do
    not, int and pair output sizes, outputs as large as the input and 1x1, a square case,
    N > 1, C > 1, H != W, float64, gradients, the stated properties."""
    cases = Cases()
    items = []
    for dtype in (torch.float32, torch.float32, torch.float64, torch.float32):
        H, W = cases.distinct_sizes(5, 17)
        X = cases.randn(cases.size(2, 3), cases.size(2, 4), H, W, dtype=dtype)
        items.append(((X, cases.distinct_sizes(2, min(H, W) - 1)), _inputs(X)))
    H, W = cases.distinct_sizes(5, 13)
    X = cases.randn(2, 3, H, W)
    items.append(((X, cases.size(2, min(H, W) - 1)), _inputs(X, ", an int output_size")))
    items.append(((X, (H, W)), _inputs(X, ", the output as large as the input")))
    items.append(((X, 1), _inputs(X, ", output_size=1 (a global average)")))
    n = cases.size(5, 12)
    X = cases.randn(2, 3, n, n)
    items.append(((X, cases.size(2, n - 2)), _inputs(X, ", a square plane to a square output")))
    H, W = cases.distinct_sizes(5, 10)
    X = cases.randn(2, 3, H, W, dtype=torch.float64)
    args = (X, cases.distinct_sizes(2, min(H, W) - 1))
    gradient = (args, ("X",), f"the gradient for {_inputs(X)}, output_size={args[1]}")
    H, W = cases.distinct_sizes(5, 10)
    X = cases.randn(2, 3, H, W)
    args = (X, cases.distinct_sizes(2, min(H, W) - 1))
    extra = [_properties_case(adaptive_avg_pool2d, "adaptive_avg_pool2d", args, {0: "X"}, _inputs(X))]
    reference = ref.adaptive_avg_pool2d
    _tensor_hidden(adaptive_avg_pool2d, "adaptive_avg_pool2d", reference, cases, items, [gradient], extra)
