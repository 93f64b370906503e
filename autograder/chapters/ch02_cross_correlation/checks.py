"""Visible checks of chapter 2 (cross-correlation): ``corr2d``, ``conv2d_flipped``, ``corr2d_vectorized``,
``corr1d``.

The expected values come from the chapter's recording (``expected``), the known mistakes'
explanations too (``diagnosed``); the hidden checks are the instructors' (``hidden.py``).
"""

import torch

from autograder.runtime import kit, properties
from autograder.runtime.cases import Cases
from autograder.runtime.device import device
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

FROM_SCRATCH = ("convolution",)


def _worked_example() -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's example: X = 0..8 as a 3x3 grid, K = [[0, 1], [2, 3]]."""
    return kit.numbers(3, 3), kit.on_device([[0.0, 1.0], [2.0, 3.0]])


def compare(fn, X: torch.Tensor, K: torch.Tensor, expected: torch.Tensor, what: str) -> None:
    """Run ``fn(X, K)``, which must not call the built-in convolution, and compare it with ``expected``."""
    kit.assert_result(fn, (X, K), expected, what, from_scratch=FROM_SCRATCH, blocks=False)


def assert_properties(fn, X: torch.Tensor, K: torch.Tensor, what: str) -> None:
    """What the exercises state of every answer: X and K unchanged, their dtype and device kept,
    differentiable with respect to both."""
    properties.assert_properties(fn, (X, K), what, {0: "X", 1: "K"}, from_scratch=FROM_SCRATCH, blocks=False)


def _visible(fn, name: str, reference, expected_example: list[list[float]]) -> None:
    """The chapter's worked example (with its known answer), a non-square case, then the stated properties."""
    X, K = _worked_example()
    what = f"{name}(X, K) on the chapter's example (X = 0..8 as 3x3, K = [[0, 1], [2, 3]])"
    compare(fn, X, K, kit.on_device(expected_example), what)
    K = kit.on_device([[1.0, 0.0, -1.0], [2.0, 0.5, 0.0]])
    X = kit.numbers(4, 6)
    compare(fn, X, K, reference(X, K), f"{name}(X, K) on a non-square example (X = 0..23 as 4x6, K = {K.tolist()})")
    assert_properties(fn, kit.numbers(4, 6), K.clone(), f"{name}(X, K) with X = 0..23 as 4x6")


@diagnosed
def check_corr2d(corr2d) -> None:
    """Visible checks of ``corr2d``: the worked example and a non-square case, from scratch."""
    _visible(corr2d, "corr2d", expected.corr2d, [[19.0, 25.0], [37.0, 43.0]])


@diagnosed
def check_conv2d_flipped(conv2d_flipped) -> None:
    """Visible checks of ``conv2d_flipped``: the worked example (kernel flipped) and a non-square case."""
    _visible(conv2d_flipped, "conv2d_flipped", expected.conv2d_flipped, [[5.0, 11.0], [23.0, 29.0]])


def assert_no_pixel_loop(
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
    _visible(corr2d_vectorized, "corr2d_vectorized", expected.corr2d_vectorized, [[19.0, 25.0], [37.0, 43.0]])
    assert_no_pixel_loop(corr2d_vectorized, (4, 5), (9, 12), None)


# ---------------------------------------------------------------------------------------
# corr1d: the same sliding sum along one axis


def assert_corr1d_properties(corr1d, x: torch.Tensor, k: torch.Tensor, what: str) -> None:
    """What the text of ``corr1d`` states: x and k unchanged, their dtype and device kept,
    differentiable with respect to both, from scratch."""
    properties.assert_properties(corr1d, (x, k), what, {0: "x", 1: "k"}, from_scratch=FROM_SCRATCH, blocks=False)


@diagnosed
def check_corr1d(corr1d) -> None:
    """Visible checks of ``corr1d``: the chapter's example (x = 0..7, k = [1, 2, -1], known answer),
    a longer kernel on another signal, then the stated properties."""
    x, k = kit.numbers(8), kit.on_device([1.0, 2.0, -1.0])
    what = "corr1d(x, k) on the chapter's example (x = 0..7, k = [1, 2, -1])"
    compare(corr1d, x, k, kit.on_device([0.0, 2.0, 4.0, 6.0, 8.0, 10.0]), what)
    x, k = kit.numbers(11, modulo=4), kit.on_device([2.0, -1.0, 0.5, 3.0])
    what = "corr1d(x, k) with x = 0..10 mod 4 (length 11) and k = [2, -1, 0.5, 3] (output length 8)"
    compare(corr1d, x, k, expected.corr1d(x, k), what)
    assert_corr1d_properties(corr1d, x.clone(), k.clone(), what)
