"""Hidden checks of chapter 2 (cross-correlation), run at grading time: random shapes from the
grading seed, float64, gradients, and no loop over pixels on larger inputs."""

from functools import partial

import torch

from autograder.chapters.ch02_cross_correlation import mistakes
from autograder.chapters.ch02_cross_correlation import reference as ref
from autograder.chapters.ch02_cross_correlation.checks import (
    FROM_SCRATCH,
    assert_corr1d_properties,
    assert_no_pixel_loop,
    assert_properties,
    compare,
)
from autograder.runtime import kit
from autograder.runtime.cases import Cases
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)


def _random_inputs(cases: Cases) -> list[tuple[torch.Tensor, torch.Tensor, str]]:
    """Non-square inputs and kernels, a square kernel on a non-square input and a non-square
    kernel on a square one, a kernel as large as the input, a 1x1 kernel, float64."""
    plan = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 11)
        kh, kw = cases.distinct_sizes(1, min(H, W))
        plan.append((H, W, kh, kw, dtype))
    H, W = cases.distinct_sizes(4, 11)
    k = cases.size(2, min(H, W))
    plan.append((H, W, k, k, torch.float64))
    n = cases.size(4, 9)
    kh, kw = cases.distinct_sizes(1, n)
    plan.append((n, n, kh, kw, torch.float32))
    H, W = cases.distinct_sizes(2, 6)
    plan.append((H, W, H, W, torch.float32))
    plan.append((cases.size(3, 7), cases.size(3, 7), 1, 1, torch.float64))
    return [
        (cases.randn(H, W, dtype=dtype), cases.randn(kh, kw, dtype=dtype), f"X {H}x{W} and K {kh}x{kw} ({dtype})")
        for H, W, kh, kw, dtype in plan
    ]


def _hidden(fn, name: str, reference, cases: Cases) -> list[kit.Hidden]:
    """The hidden cases of ``fn``: random inputs, the stated properties, then the gradient."""
    plan = [
        kit.Hidden(label, partial(compare, fn, X, K, reference(X, K), f"{name}(X, K)"))
        for X, K, label in _random_inputs(cases)
    ]
    H, W = cases.distinct_sizes(3, 8)
    X, K = cases.randn(H, W), cases.randn(3, 2)
    plan.append(
        kit.Hidden(
            f"the stated properties, on X {H}x{W} and K 3x2", partial(assert_properties, fn, X, K, f"{name}(X, K)")
        )
    )
    X, K = cases.randn(H, W, dtype=torch.float64), cases.randn(2, 3, dtype=torch.float64)
    G = cases.randn(H - 1, W - 2, dtype=torch.float64)
    plan.append(
        kit.gradient_case(
            f"the gradient for X {H}x{W} and K 2x3 (float64)",
            fn,
            reference,
            (X, K),
            G,
            f"{name}(X, K)",
            ("X", "K"),
            from_scratch=FROM_SCRATCH,
            blocks=False,
        )
    )
    return plan


@diagnosed
def grade_corr2d(corr2d) -> None:
    """Hidden checks of ``corr2d``: random shapes, edge cases, float64, gradients."""
    cases = Cases()
    kit.run_hidden(cases, _hidden(corr2d, "corr2d", ref.corr2d, cases))


@diagnosed
def grade_conv2d_flipped(conv2d_flipped) -> None:
    """Hidden checks of ``conv2d_flipped``: random shapes, edge cases, float64, gradients."""
    cases = Cases()
    kit.run_hidden(cases, _hidden(conv2d_flipped, "conv2d_flipped", ref.conv2d_flipped, cases))


@diagnosed
def grade_corr2d_vectorized(corr2d_vectorized) -> None:
    """Hidden checks of ``corr2d_vectorized``: as for ``corr2d``, plus no loop on larger inputs."""
    cases = Cases()
    plan = _hidden(corr2d_vectorized, "corr2d_vectorized", ref.corr2d_vectorized, cases)
    small, large = (cases.size(5, 8), cases.size(5, 8)), (cases.size(20, 30), cases.size(20, 30))
    plan.append(
        kit.Hidden(
            "a small and a larger input, to count the operations",
            partial(assert_no_pixel_loop, corr2d_vectorized, small, large, cases),
        )
    )
    kit.run_hidden(cases, plan)


@diagnosed
def grade_corr1d(corr1d) -> None:
    """Hidden checks of ``corr1d``: random lengths and kernels, a kernel as long as the signal,
    a length-1 kernel, float64, the stated properties and the gradients."""
    cases = Cases()
    plan = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        n = cases.size(5, 30)
        plan.append((n, cases.size(2, min(n, 7)), dtype))
    n = cases.size(2, 9)
    plan.append((n, n, torch.float32))
    plan.append((cases.size(3, 12), 1, torch.float64))
    hidden = [
        kit.Hidden(
            f"x of length {n} and k of length {w} ({dtype})",
            partial(compare, corr1d, x, k, ref.corr1d(x, k), "corr1d(x, k)"),
        )
        for n, w, dtype in plan
        for x, k in [(cases.randn(n, dtype=dtype), cases.randn(w, dtype=dtype))]
    ]
    n, w = cases.size(6, 15), cases.size(2, 5)
    x, k = cases.randn(n), cases.randn(w)
    hidden.append(
        kit.Hidden(
            f"the stated properties, on x of length {n} and k of length {w}",
            partial(assert_corr1d_properties, corr1d, x, k, "corr1d(x, k)"),
        )
    )
    x, k = cases.randn(n, dtype=torch.float64), cases.randn(w, dtype=torch.float64)
    G = cases.randn(n - w + 1, dtype=torch.float64)
    hidden.append(
        kit.gradient_case(
            f"the gradient for x of length {n} and k of length {w} (float64)",
            corr1d,
            ref.corr1d,
            (x, k),
            G,
            "corr1d(x, k)",
            ("x", "k"),
            from_scratch=FROM_SCRATCH,
            blocks=False,
        )
    )
    kit.run_hidden(cases, hidden)
