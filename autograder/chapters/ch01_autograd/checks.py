"""Visible checks of chapter 1 (autograd warm-up): ``vjp``.

The expected values are the chapter's known answers; the known mistakes' explanations come
from the chapter's recording (``diagnosed``); the hidden checks are the instructors' (``hidden.py``).
"""

import torch

from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.compare import assert_matches
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)


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
