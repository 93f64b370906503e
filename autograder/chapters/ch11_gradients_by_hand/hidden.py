"""Hidden checks of chapter 11 (gradients by hand), run at grading time: random shapes from the
grading seed (N > 1, Ci != Co, H != W, kh != kw, strides larger than 1 and than the kernel,
padding, rows no window reads, a kernel as large as the padded input), float64, compared with
autograd through PyTorch's built-ins (:mod:`autograder.chapters.ch11_gradients_by_hand.reference`)
and, for ``conv2d_backward``, with numeric gradients too; then the stated properties on random
inputs. Max-pooling inputs are small integers, so that windows hold ties.
"""

from functools import partial

import torch

from autograder.chapters.ch11_gradients_by_hand import mistakes
from autograder.chapters.ch11_gradients_by_hand import reference as ref
from autograder.chapters.ch11_gradients_by_hand.checks import (
    CONV,
    NORM,
    POOL,
    applying,
    assert_function_forward,
    assert_function_gradients,
    assert_gradcheck,
    assert_is_function,
    assert_numeric_matches,
    assert_parts,
    assert_pool,
    assert_stated,
    bn_text,
    call_by_hand,
    conv_text,
    cube_sum,
    function_text,
    mixing,
    pool_text,
)
from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches, shape_text
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)
F64 = torch.float64


def _quartic(x: torch.Tensor) -> torch.Tensor:
    """f(x) = sum(x^4) / 4 + sum(x[..., :-1] * x[..., 1:]): neighbours interact."""
    return (x**4).sum() / 4 + (x[..., :-1] * x[..., 1:]).sum()


# ---------------------------------------------------------------------------------------
# numerical_gradient and relative_error


def _assert_numeric(numerical_gradient, f, x, eps, what: str) -> None:
    args = (f, x) if eps is None else (f, x, eps)
    got, _ = call(numerical_gradient, *kit.copies(*args), what=what)
    want = ref.numerical_gradient(f, x, 1e-6 if eps is None else eps)
    assert_numeric_matches(got, want, what)


@diagnosed
def grade_numerical_gradient(numerical_gradient) -> None:
    """Hidden checks of ``numerical_gradient``: random x of 1 to 4 dimensions (float64), three
    functions, the default eps and others; then the stated properties."""
    cases = Cases()
    functions = (("sum(x ** 3)", cube_sum), ("logsumexp(x) * sum(sin(x))", mixing), ("a quartic", _quartic))
    plan = []
    for dims in (1, 2, 3, 4):
        shape = [cases.size(1, 3) for _ in range(dims - 1)] + [cases.size(2, 4)]
        x = cases.randn(*shape, dtype=F64)
        for (name, f), eps in zip(functions, (None, 1e-3, 1e-5)):
            what = f"numerical_gradient(f, x{'' if eps is None else f', eps={eps:g}'}) for f(x) = {name}"
            plan.append(
                kit.Hidden(
                    f"x of shape {shape_text(x.shape)} (float64), {what}",
                    partial(_assert_numeric, numerical_gradient, f, x, eps, what),
                )
            )
    x = cases.randn(*cases.distinct_sizes(2, 4), dtype=F64)
    what = f"numerical_gradient(f, x) for f(x) = logsumexp(x) * sum(sin(x)), x of shape {shape_text(x.shape)}"
    plan.append(
        kit.Hidden(
            f"the properties the exercise states, on x of shape {shape_text(x.shape)}",
            partial(
                properties.assert_properties, numerical_gradient, (mixing, x), what, {1: "x"}, differentiable=False
            ),
        )
    )
    kit.run_hidden(cases, plan)


def _assert_relative(relative_error, a, b) -> None:
    what = f"relative_error(a, b) with a, b of shape {shape_text(a.shape)} ({a.dtype})"
    kit.assert_result(relative_error, kit.copies(a, b), ref.relative_error(a, b), what)


@diagnosed
def grade_relative_error(relative_error) -> None:
    """Hidden checks of ``relative_error``: random shapes, zeros in both, opposite signs, equal
    tensors, float32 and float64; then the stated properties."""
    cases = Cases()
    plan = []
    for dtype in (torch.float32, F64, F64):
        shape = (cases.size(1, 3), *cases.distinct_sizes(2, 5))
        a = cases.randn(*shape, dtype=dtype)
        b = a + 1e-3 * cases.randn(*shape, dtype=dtype)
        b = torch.where(cases.randn(*shape) > 1, -b, b)  # some pairs of opposite signs
        a, b = a.clone(), b.clone()
        a[0, 0, 0], b[0, 0, 0] = 0.0, 0.0  # a pair of zeros: 0 / 1e-8
        plan.append(
            kit.Hidden(
                f"a and b of shape {shape_text(shape)} ({dtype})", partial(_assert_relative, relative_error, a, b)
            )
        )
    a = cases.randn(cases.size(2, 6), dtype=F64)
    plan.append(kit.Hidden("a == b (relative error 0)", partial(_assert_relative, relative_error, a, a.clone())))
    plan.append(
        kit.Hidden(
            "b = 0 everywhere (relative error 1)",
            partial(_assert_relative, relative_error, a, torch.zeros_like(a)),
        )
    )
    what = f"relative_error(a, b) with a, b of shape {shape_text(a.shape)}"
    plan.append(
        kit.Hidden(
            "the properties the exercise states",
            partial(
                properties.assert_properties, relative_error, (a, 2 * a), what, {0: "a", 1: "b"}, differentiable=False
            ),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# conv2d_backward


def _conv_case(cases: Cases, big_kernel: bool = False, square: bool = False, dtype=F64) -> tuple:
    """Random ``(dY, X, K, stride, padding)``: N > 1, Ci != Co, non-square unless ``square``."""
    N = cases.size(2, 3)
    Ci, Co = cases.distinct_sizes(1, 4)
    if square:
        H = W = cases.size(4, 8)
        kh = kw = cases.size(2, 3)
    else:
        H, W = cases.distinct_sizes(3, 9)
        kh, kw = cases.distinct_sizes(1, 4)
    ph, pw = cases.size(0, 2), cases.size(0, 2)
    if big_kernel:
        kh, kw = H + 2 * ph, W + 2 * pw
    kh, kw = min(kh, H + 2 * ph), min(kw, W + 2 * pw)
    stride = (cases.size(1, 4), cases.size(1, 4))
    X = cases.randn(N, Ci, H, W, dtype=dtype)
    K = cases.randn(Co, Ci, kh, kw, dtype=dtype)
    stride = stride[0] if square else stride
    padding = ph if square else (ph, pw)
    out = ref.conv2d(X, K, None, stride, padding)
    return (cases.randn(*out.shape, dtype=dtype), X, K, stride, padding)


def _assert_conv(conv2d_backward, args: tuple) -> None:
    what = conv_text(args)
    assert_parts(call_by_hand(conv2d_backward, args, what, CONV), ref.conv2d_backward(*args), ("dX", "dK", "db"), what)


def _assert_conv_numeric(conv2d_backward, args: tuple) -> None:
    """dX and dK against numeric gradients of sum(conv2d(X, K) * dY)."""
    dY, X, K, stride, padding = args
    what = conv_text(args)
    got = call_by_hand(conv2d_backward, args, what, CONV)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailure(f"{what} should return the tuple (dX, dK, db).")
    numeric = (
        ref.numerical_gradient(lambda x: (ref.conv2d(x, K, None, stride, padding) * dY).sum(), X),
        ref.numerical_gradient(lambda k: (ref.conv2d(X, k, None, stride, padding) * dY).sum(), K),
    )
    for name, value, want in zip(("dX", "dK"), got, numeric):
        assert_matches(value, want, f"{name} of {what}, compared with numeric gradients", rtol=1e-6, atol=1e-6)


@diagnosed
def grade_conv2d_backward(conv2d_backward) -> None:
    """Hidden checks of ``conv2d_backward``: random batches (N > 1, Ci != Co, H != W, kh != kw),
    strides up to 4 (larger than the kernel too), padding, a kernel as large as the padded
    input, an int stride and padding on square inputs, float64 and float32, numeric gradients;
    then the stated properties."""
    cases = Cases()
    plan = []
    for number in range(6):
        args = _conv_case(cases, dtype=torch.float32 if number == 5 else F64)
        plan.append(kit.Hidden(f"random inputs ({args[1].dtype})", partial(_assert_conv, conv2d_backward, args)))
    args = _conv_case(cases, big_kernel=True)
    plan.append(kit.Hidden("a kernel as large as the padded input", partial(_assert_conv, conv2d_backward, args)))
    args = _conv_case(cases, square=True)
    plan.append(
        kit.Hidden("a square input and kernel, int stride and padding", partial(_assert_conv, conv2d_backward, args))
    )
    _, X, K, stride, padding = _conv_case(cases)
    small = (X[:2, :, :5, :5], K[:, :, :3, :3])
    args = (cases.randn(*ref.conv2d(*small, None, stride, padding).shape, dtype=F64), *small, stride, padding)
    plan.append(
        kit.Hidden("numeric gradients of sum(conv2d(X, K) * dY)", partial(_assert_conv_numeric, conv2d_backward, args))
    )
    args = _conv_case(cases, dtype=torch.float32)
    what = conv_text(args)
    plan.append(
        kit.Hidden(
            "the properties the exercise states, on a batch of non-square inputs",
            partial(assert_stated, conv2d_backward, args, what, {0: "dY", 1: "X", 2: "K"}, CONV),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# max_pool2d_backward and avg_pool2d_backward


def _pool_window(cases: Cases, H: int, W: int) -> tuple:
    """A kernel with kh != kw that fits (H, W), and a stride (None at times: the kernel size)."""
    kh, kw = cases.distinct_sizes(1, min(H, W, 4))
    stride = None if cases.size(0, 2) == 0 else (cases.size(1, 4), cases.size(1, 4))
    return (kh, kw), stride


def _ties(cases: Cases, *shape: int, dtype=F64) -> torch.Tensor:
    """Small integers (0 to 3): most windows hold ties."""
    return (cases.randn(*shape, dtype=F64) * 1.5).round().clamp(-1, 2).to(dtype) + 1


def _assert_max(fn, args: tuple) -> None:
    want = ref.max_pool2d_backward(*args)
    assert_pool(fn, "max_pool2d_backward", args, want, "random inputs")


@diagnosed
def grade_max_pool2d_backward(max_pool2d_backward) -> None:
    """Hidden checks of ``max_pool2d_backward``: random batches of non-square planes with ties,
    kh != kw, the default stride, overlapping windows, strides larger than the kernel, a window
    as large as the plane, a square case, float32 and float64; then the stated properties."""
    cases = Cases()
    plan = []
    for number in range(7):
        H, W = cases.distinct_sizes(3, 9)
        kernel, stride = _pool_window(cases, H, W)
        if number == 0:
            kernel, stride = cases.distinct_sizes(2, 3), None
        if number == 1:
            kernel, stride = cases.distinct_sizes(2, 3), 1  # overlapping windows share maxima
        if number == 5:
            kernel, stride = (H, W), None
        if number == 6:
            H = W
            kernel, stride = cases.size(2, 3), cases.size(1, 2)
        X = _ties(cases, cases.size(2, 3), cases.size(1, 3), H, W, dtype=torch.float32 if number == 4 else F64)
        out = torch.nn.functional.max_pool2d(X, kit.as_pair(kernel), kit.as_pair(kernel if stride is None else stride))
        dY = cases.randn(*out.shape, dtype=X.dtype)
        args = (dY, X, kernel, stride)
        plan.append(
            kit.Hidden(
                f"{pool_text('max_pool2d_backward', args)} ({X.dtype})", partial(_assert_max, max_pool2d_backward, args)
            )
        )
    what = pool_text("max_pool2d_backward", args)
    plan.append(
        kit.Hidden(
            "the properties the exercise states",
            partial(assert_stated, max_pool2d_backward, args, what, {0: "dY", 1: "X"}, POOL),
        )
    )
    kit.run_hidden(cases, plan)


def _assert_avg(fn, args: tuple) -> None:
    assert_pool(fn, "avg_pool2d_backward", args, ref.avg_pool2d_backward(*args), "random inputs")


@diagnosed
def grade_avg_pool2d_backward(avg_pool2d_backward) -> None:
    """Hidden checks of ``avg_pool2d_backward``: random batches of non-square planes, kh != kw,
    the default stride, overlapping windows, strides larger than the kernel, padding, a square
    case, float32 and float64; then the stated properties."""
    cases = Cases()
    plan = []
    for number in range(7):
        H, W = cases.distinct_sizes(3, 9)
        kernel, stride = _pool_window(cases, H, W)
        if number == 1:
            kernel, stride = cases.distinct_sizes(2, 3), None
        if number == 6:
            H = W
            kernel, stride = cases.size(2, 3), cases.size(1, 2)
        kh, kw = kit.as_pair(kernel)
        padding = (cases.size(0, kh // 2), cases.size(0, kw // 2)) if number % 2 == 0 else 0
        if number == 6:
            padding = kh // 2
        shape = (cases.size(2, 3), cases.size(1, 3), H, W)
        out = torch.nn.functional.avg_pool2d(
            torch.zeros(shape), (kh, kw), kit.as_pair(kernel if stride is None else stride), kit.as_pair(padding)
        )
        dY = cases.randn(*out.shape, dtype=torch.float32 if number == 3 else F64)
        args = (dY, shape, kernel, stride, padding)
        plan.append(
            kit.Hidden(
                f"{pool_text('avg_pool2d_backward', args)} ({dY.dtype})",
                partial(_assert_avg, avg_pool2d_backward, args),
            )
        )
    what = pool_text("avg_pool2d_backward", args)
    plan.append(
        kit.Hidden(
            "the properties the exercise states",
            partial(assert_stated, avg_pool2d_backward, args, what, {0: "dY"}, POOL),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# batch_norm_backward


def _assert_bn(fn, args: tuple) -> None:
    what = bn_text(args)
    assert_parts(call_by_hand(fn, args, what, NORM), ref.batch_norm_backward(*args), ("dX", "dgamma", "dbeta"), what)


def _assert_bn_numeric(fn, args: tuple) -> None:
    """dX and dgamma against numeric gradients of sum(batch_norm(X) * dY), training mode."""
    dY, X, gamma = args
    what = bn_text(args)
    got = call_by_hand(fn, args, what, NORM)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise CheckFailure(f"{what} should return the tuple (dX, dgamma, dbeta).")

    def loss(x, g):
        return (torch.nn.functional.batch_norm(x, None, None, g, None, training=True) * dY).sum()

    numeric = (
        ref.numerical_gradient(lambda x: loss(x, gamma), X),
        ref.numerical_gradient(lambda g: loss(X, g), gamma),
    )
    for name, value, want in zip(("dX", "dgamma"), got, numeric):
        assert_matches(value, want, f"{name} of {what}, compared with numeric gradients", rtol=1e-6, atol=1e-6)


@diagnosed
def grade_batch_norm_backward(batch_norm_backward) -> None:
    """Hidden checks of ``batch_norm_backward``: random (N, C) and (N, C, H, W) batches (square
    and not), shifted and scaled channels, other eps, float32 and float64; then the stated
    properties."""
    cases = Cases()
    plan = []
    for number in range(6):
        C = cases.size(1, 4)
        shape = (cases.size(2, 6), C) if number % 2 == 0 else (cases.size(2, 4), C, *cases.distinct_sizes(1, 4))
        if number == 5:
            side = cases.size(2, 4)
            shape = (cases.size(2, 3), C, side, side)
        dtype = torch.float32 if number == 4 else F64
        X = cases.randn(*shape, dtype=dtype) * 3 + cases.randn(1, dtype=dtype) * 5
        args = (cases.randn(*shape, dtype=dtype), X, cases.randn(C, dtype=dtype))
        if number == 3:
            args = (*args, 1e-2)
        plan.append(kit.Hidden(f"{bn_text(args)} ({dtype})", partial(_assert_bn, batch_norm_backward, args)))
    shape = (cases.size(3, 5), 2, *cases.distinct_sizes(1, 3))
    small = (cases.randn(*shape, dtype=F64), cases.randn(*shape, dtype=F64) * 2, cases.randn(2, dtype=F64))
    plan.append(
        kit.Hidden(
            f"numeric gradients of sum(batch_norm(X) * dY), X of shape {shape_text(shape)}",
            partial(_assert_bn_numeric, batch_norm_backward, small),
        )
    )
    what = bn_text(args)
    plan.append(
        kit.Hidden(
            "the properties the exercise states",
            partial(assert_stated, batch_norm_backward, args, what, {0: "dY", 1: "X", 2: "gamma"}, NORM),
        )
    )
    kit.run_hidden(cases, plan)


# ---------------------------------------------------------------------------------------
# Conv2dFunction


def _assert_function(Conv2dFunction, X, K, b, stride, padding, G) -> None:
    assert_function_forward(Conv2dFunction, X, K, b, stride, padding, "random inputs", ref)
    assert_function_gradients(Conv2dFunction, X, K, b, stride, padding, G, "random inputs", ref)


@diagnosed.by_failure
def grade_Conv2dFunction(Conv2dFunction) -> None:
    """Hidden checks of ``Conv2dFunction``: outputs and gradients on random batches (strides,
    padding, float32 and float64), ``gradcheck`` on random small inputs, then the stated
    properties."""
    assert_is_function(Conv2dFunction)
    cases = Cases()
    plan = []
    for number in range(3):
        dY, X, K, stride, padding = _conv_case(cases, dtype=torch.float32 if number == 0 else F64)
        b = cases.randn(K.shape[0], dtype=X.dtype)
        plan.append(
            kit.Hidden(
                f"{function_text(stride, padding, X, K)} ({X.dtype})",
                partial(_assert_function, Conv2dFunction, X, K, b, stride, padding, dY),
            )
        )
    dY, X, K, stride, padding = _conv_case(cases)
    b = cases.randn(K.shape[0], dtype=F64)
    small = (X[:2, :2, :5, :4], K[:3, :2, :3, :2], b[:3], stride, padding)
    plan.append(
        kit.Hidden(
            "gradcheck on random small inputs", partial(assert_gradcheck, Conv2dFunction, *small, "random inputs")
        )
    )
    what = function_text(stride, padding, X, K)
    plan.append(
        kit.Hidden(
            "the properties the exercise states",
            partial(
                properties.assert_properties,
                applying(Conv2dFunction, stride, padding),
                (X.float(), K.float(), b.float()),
                what,
                {0: "X", 1: "K", 2: "b"},
                from_scratch=CONV,
                blocks=False,
            ),
        )
    )
    kit.run_hidden(cases, plan)
