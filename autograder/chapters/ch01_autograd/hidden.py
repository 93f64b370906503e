"""Hidden checks of chapter 1 (autograd warm-up), run at grading time: random functions on a
square x (float32) and a non-square one (float64), a stale ``x.grad``, and the stated
properties (x and v unchanged, dtype and device kept) on random inputs."""

from functools import partial

import torch

from autograder.chapters.ch01_autograd import mistakes, reference
from autograder.chapters.ch01_autograd.checks import assert_vjp_properties
from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import assert_matches, shape_text
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, reference)


def _mixing(x: torch.Tensor) -> torch.Tensor:
    """A function whose every output entry depends on every input entry, in any dtype and device."""
    return torch.softmax(x, dim=-1) * x.sum()


def _functions(cases: Cases, n: int, dtype: torch.dtype):
    """Random test functions R^(.., n) -> R^(.., m): some elementwise, some mixing entries."""
    m = n + cases.size(1, 3)
    A = cases.randn(n, n, dtype=dtype)
    B = cases.randn(n, m, dtype=dtype)
    return [
        ("f(x) = sin(x) * x (elementwise)", lambda x: torch.sin(x) * x),
        ("f(x) = x @ A (A square, not symmetric)", lambda x: x @ A),
        (f"f(x) = tanh(x @ B) (B of shape ({n}, {m}))", lambda x: torch.tanh(x @ B)),
        ("f(x) = softmax(x, dim=-1) * x.sum()", _mixing),
    ]


@diagnosed
def grade_vjp(vjp) -> None:
    """Hidden checks: random functions on a square float32 x and a non-square float64 x, a
    stale x.grad, and the stated properties."""
    cases = Cases()
    functions = []
    for dtype, square in ((torch.float32, True), (torch.float64, False)):
        rows, n = (cases.size(2, 5),) * 2 if square else cases.distinct_sizes(1, 6)
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
    rows, n = cases.distinct_sizes(1, 5)
    x, v = cases.randn(rows, n), cases.randn(rows, n)
    plan.append(
        kit.Hidden(
            f"f(x) = softmax(x, dim=-1) * x.sum(), x of shape {shape_text(x.shape)}, for the stated properties",
            partial(assert_vjp_properties, vjp, _mixing, x, v, "vjp(f, x, v)"),
        )
    )
    kit.run_hidden(cases, plan)


def _assert_vjp(vjp, f, x: torch.Tensor, v: torch.Tensor, expected: torch.Tensor) -> None:
    """``vjp(f, x, v)`` gives ``expected``."""
    got, _ = call(vjp, f, x, v, what="vjp(f, x, v)")
    assert_matches(got, expected, "vjp(f, x, v)")
