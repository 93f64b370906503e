"""Checks of chapter 2 (cross-correlation): ``corr2d``, ``conv2d_flipped``, ``corr2d_vectorized``."""

from functools import partial

import torch

from autograder.chapters.ch02_cross_correlation import mistakes
from autograder.chapters.ch02_cross_correlation import reference as ref
from autograder.runtime import kit
from autograder.runtime.cases import Cases
from autograder.runtime.device import device
from autograder.runtime.diagnosis import Diagnoser

diagnosed = Diagnoser(mistakes, ref)

FROM_SCRATCH = ("convolution",)


def _worked_example() -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's example: X = 0..8 as a 3x3 grid, K = [[0, 1], [2, 3]]."""
    return kit.numbers(3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])


def _compare(fn, X: torch.Tensor, K: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    """Run ``fn(X, K)``, which must not call the built-in convolution, and compare it with ``expected``."""
    kit.assert_result(fn, (X, K), expected, what, from_scratch=FROM_SCRATCH, blocks=False)


def _visible(fn, name: str, reference, expected_example: list[list[float]]) -> None:
    """The chapter's worked example (with its known answer), then a non-square case."""
    X, K = _worked_example()
    what = f"{name}(X, K) on the chapter's example (X = 0..8 as 3x3, K = [[0, 1], [2, 3]])"
    _compare(fn, X, K, kit.on_device(expected_example), what)
    X = kit.numbers(4, 5)
    K = kit.on_device([[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]])
    _compare(fn, X, K, reference(X, K), f"{name}(X, K) with X = 0..19 as 4x5 and K = {K.tolist()}")


def _random_inputs(cases: Cases) -> list[tuple[torch.Tensor, torch.Tensor, str]]:
    """Non-square inputs and kernels, a kernel as large as the input, a 1x1 kernel, float64."""
    plan = []
    for dtype in (torch.float32, torch.float32, torch.float64):
        H, W = cases.distinct_sizes(4, 11)
        kh, kw = cases.distinct_sizes(1, min(H, W))
        plan.append((H, W, kh, kw, dtype))
    H, W = cases.distinct_sizes(2, 6)
    plan.append((H, W, H, W, torch.float32))
    plan.append((cases.size(3, 7), cases.size(3, 7), 1, 1, torch.float64))
    return [
        (cases.randn(H, W, dtype=dtype), cases.randn(kh, kw, dtype=dtype), f"X {H}x{W} and K {kh}x{kw} ({dtype})")
        for H, W, kh, kw, dtype in plan
    ]


def _hidden(fn, name: str, reference, cases: Cases) -> list[kit.Hidden]:
    """The hidden cases of ``fn``: random inputs, then the gradient."""
    plan = [
        kit.Hidden(label, partial(_compare, fn, X, K, reference(X, K), f"{name}(X, K)"))
        for X, K, label in _random_inputs(cases)
    ]
    H, W = cases.distinct_sizes(3, 8)
    X, K = cases.randn(H, W, dtype=torch.float64), cases.randn(2, 3, dtype=torch.float64)
    G = cases.randn(H - 1, W - 2, dtype=torch.float64)
    plan.append(
        kit.Hidden(
            f"the gradient for X {H}x{W} and K 2x3 (float64)",
            partial(
                kit.assert_gradients_match,
                fn,
                reference,
                (X, K),
                G,
                f"{name}(X, K)",
                ("X", "K"),
                from_scratch=FROM_SCRATCH,
                blocks=False,
            ),
        )
    )
    return plan


@diagnosed
def check_corr2d(corr2d) -> None:
    """Visible checks of ``corr2d``: the worked example and a non-square case, from scratch."""
    _visible(corr2d, "corr2d", ref.corr2d, [[19.0, 25.0], [37.0, 43.0]])


@diagnosed
def grade_corr2d(corr2d) -> None:
    """Hidden checks of ``corr2d``: random shapes, edge cases, float64, gradients."""
    cases = Cases()
    kit.run_hidden(cases, _hidden(corr2d, "corr2d", ref.corr2d, cases))


@diagnosed
def check_conv2d_flipped(conv2d_flipped) -> None:
    """Visible checks of ``conv2d_flipped``: the worked example (kernel flipped) and a non-square case."""
    _visible(conv2d_flipped, "conv2d_flipped", ref.conv2d_flipped, [[5.0, 11.0], [23.0, 29.0]])


@diagnosed
def grade_conv2d_flipped(conv2d_flipped) -> None:
    """Hidden checks of ``conv2d_flipped``: random shapes, edge cases, float64, gradients."""
    cases = Cases()
    kit.run_hidden(cases, _hidden(conv2d_flipped, "conv2d_flipped", ref.conv2d_flipped, cases))


def _assert_no_pixel_loop(
    corr2d_vectorized, small: tuple[int, int], large: tuple[int, int], cases: Cases | None
) -> None:
    """The number of tensor operations must not grow with the input size (a loop over pixels would)."""
    K = torch.ones(2, 3, device=device())
    args = [(torch.randn(H, W, device=device()) if cases is None else cases.randn(H, W), K) for H, W in (small, large)]
    kit.assert_ops_do_not_grow(
        corr2d_vectorized,
        *args,
        what=f"corr2d_vectorized(X, K) with X {small[0]}x{small[1]} and {large[0]}x{large[1]}",
        advice="Gather all windows at once (e.g. with Tensor.unfold) and combine them with K in one step.",
        from_scratch=FROM_SCRATCH,
        blocks=False,
    )


@diagnosed
def check_corr2d_vectorized(corr2d_vectorized) -> None:
    """Visible checks of ``corr2d_vectorized``: the worked example, a non-square case, no pixel loop."""
    _visible(corr2d_vectorized, "corr2d_vectorized", ref.corr2d_vectorized, [[19.0, 25.0], [37.0, 43.0]])
    _assert_no_pixel_loop(corr2d_vectorized, (4, 5), (9, 12), None)


@diagnosed
def grade_corr2d_vectorized(corr2d_vectorized) -> None:
    """Hidden checks of ``corr2d_vectorized``: as for ``corr2d``, plus no loop on larger inputs."""
    cases = Cases()
    plan = _hidden(corr2d_vectorized, "corr2d_vectorized", ref.corr2d_vectorized, cases)
    small, large = (cases.size(5, 8), cases.size(5, 8)), (cases.size(20, 30), cases.size(20, 30))
    plan.append(
        kit.Hidden(
            "a small and a larger input, to count the operations",
            partial(_assert_no_pixel_loop, corr2d_vectorized, small, large, cases),
        )
    )
    kit.run_hidden(cases, plan)
