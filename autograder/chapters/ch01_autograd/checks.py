"""Checks of chapter 1 (autograd warm-up): ``vjp``."""

from functools import partial

import torch

from autograder.chapters.ch01_autograd import mistakes, reference
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import assert_matches, shape_text
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, reference)


def source_example(a: torch.Tensor) -> torch.Tensor:
    """The chapter's function: b = [a0^2 + a1, a1^2 + a0], out = 2 b, for ``a`` of shape (1, 2)."""
    b = torch.stack([a[:, 0] ** 2 + a[:, 1], a[:, 1] ** 2 + a[:, 0]], dim=1)
    return 2 * b


@diagnosed
def check_vjp(vjp) -> None:
    """Visible checks: the chapter's example a = [[2, 4]], v = [[1, 2]], computed twice."""
    a, v, expected = kit.on_device([[2.0, 4.0]]), kit.on_device([[1.0, 2.0]]), kit.on_device([[12.0, 34.0]])
    what = "vjp(f, a, v) on the chapter's example a = [[2, 4]], v = [[1, 2]]"
    first, _ = call(vjp, source_example, a, v, what=what)
    assert_matches(first, expected, what)
    second, _ = call(vjp, source_example, a, v, what=what + ", called a second time")
    assert_matches(second, expected, what + ", called a second time (do gradients from the first call add up?)")


def _functions(cases: Cases, n: int, dtype: torch.dtype):
    """Random test functions R^(.., n) -> R^(.., m): some elementwise, some mixing entries."""
    m = n + cases.size(1, 3)
    A = cases.randn(n, n, dtype=dtype)
    B = cases.randn(n, m, dtype=dtype)
    return [
        ("f(x) = sin(x) * x (elementwise)", lambda x: torch.sin(x) * x),
        ("f(x) = x @ A (A square, not symmetric)", lambda x: x @ A),
        (f"f(x) = tanh(x @ B) (B of shape ({n}, {m}))", lambda x: torch.tanh(x @ B)),
        ("f(x) = softmax(x, dim=-1) * x.sum()", lambda x: torch.softmax(x, dim=-1) * x.sum()),
    ]


@diagnosed
def grade_vjp(vjp) -> None:
    """Hidden checks: random shapes and functions, float32 and float64, a stale x.grad."""
    cases = Cases()
    functions = []
    for dtype in (torch.float32, torch.float64):
        rows, n = cases.size(1, 4), cases.size(2, 6)
        functions += [(dtype, rows, n, name, f) for name, f in _functions(cases, n, dtype)]
    plan = []
    for dtype, rows, n, name, f in functions:
        x = cases.randn(rows, n, dtype=dtype)
        v = cases.randn(*f(x).shape, dtype=dtype)
        plan.append(
            kit.Hidden(
                f"{name}, x of shape {shape_text(x.shape)} ({dtype})",
                partial(_assert_vjp, vjp, f, x, v, reference.vjp(f, x, v)),
            )
        )
    x = cases.randn(2, 3).requires_grad_(True)
    x.grad = torch.full_like(x, 100.0)
    v = cases.randn(2, 3)
    plan.append(
        kit.Hidden(
            "x that requires grad and already has x.grad = 100",
            partial(_assert_vjp, vjp, torch.sin, x, v, reference.vjp(torch.sin, x.detach(), v)),
        )
    )
    kit.run_hidden(cases, plan)


def _assert_vjp(vjp, f, x: torch.Tensor, v: torch.Tensor, expected: torch.Tensor) -> None:
    """``vjp(f, x, v)`` gives ``expected``."""
    got, _ = call(vjp, f, x, v, what="vjp(f, x, v)")
    assert_matches(got, expected, "vjp(f, x, v)")
