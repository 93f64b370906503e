"""Visible checks of chapter 1 (autograd warm-up): ``vjp``.

The expected values are the chapter's known answers; the known mistakes' explanations come
from the chapter's recording (``diagnosed``); the hidden checks are the instructors' (``hidden.py``).
After the values, the properties the exercise states: the result keeps the dtype and device
of ``x``, and ``vjp`` leaves ``x`` and ``v`` as they were, ``x.requires_grad`` and ``x.grad``
included (a caller's ``x`` may be a leaf that holds a gradient of its own).
"""

import torch

from autograder.runtime import kit, properties
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches
from autograder.runtime.diagnosis import RecordedDiagnoser
from autograder.runtime.recorded import Recorded

expected = Recorded(__package__)
diagnosed = RecordedDiagnoser(expected)

STORED = 100.0  # the gradient a caller's x already holds in the checks


def source_example(a: torch.Tensor) -> torch.Tensor:
    """The chapter's function: b = [a0^2 + a1, a1^2 + a0], out = 2 b, for ``a`` of shape (1, 2)."""
    b = torch.stack([a[:, 0] ** 2 + a[:, 1], a[:, 1] ** 2 + a[:, 0]], dim=1)
    return 2 * b


def holding_a_gradient(x: torch.Tensor) -> torch.Tensor:
    """A copy of ``x`` that requires grad and already holds ``x.grad`` (all :data:`STORED`),
    as a caller's tensor does after a backward pass of its own."""
    leaf = x.detach().clone().requires_grad_(True)
    leaf.grad = torch.full_like(leaf, STORED)
    return leaf


def _state(x: torch.Tensor) -> str:
    """``x.requires_grad`` and ``x.grad`` in words."""
    if x.grad is None:
        grad = "no x.grad"
    elif torch.equal(x.grad, torch.full_like(x.grad, STORED)):
        grad = f"x.grad = {STORED:g} everywhere"
    else:
        grad = "a new x.grad"
    return f"requires_grad={x.requires_grad} and {grad}"


def assert_x_left_alone(vjp, f, x: torch.Tensor, v: torch.Tensor, what: str) -> None:
    """``vjp`` leaves the caller's ``x`` as it found it, both for a plain ``x`` and for one
    that requires grad and holds a gradient: same ``requires_grad``, same ``x.grad``."""
    for given in (x.detach().clone(), holding_a_gradient(x)):
        before = _state(given)
        call(vjp, f, given, v, what=what)
        if _state(given) != before:
            raise CheckFailure(
                f"{what} changed its input x: before the call x had {before}, after it {_state(given)}. "
                "The caller's x is not yours to change: differentiate with respect to a fresh leaf of "
                "your own (detach() gives one) and leave x's requires_grad and x.grad as they were."
            )


def assert_vjp_properties(vjp, f, x: torch.Tensor, v: torch.Tensor, what: str) -> None:
    """The properties the exercise states: ``x`` (its values, ``requires_grad`` and ``x.grad``)
    and ``v`` unchanged, the dtype and device of ``x`` kept. The result is a gradient, not
    itself differentiable (``backward`` builds no graph of its own computation)."""
    assert_x_left_alone(vjp, f, x, v, what)
    properties.assert_properties(vjp, (f, x, v), what, {1: "x", 2: "v"}, differentiable=False)


@diagnosed.by_failure
def check_vjp(vjp) -> None:
    """Visible checks: the chapter's example a = [[2, 4]], v = [[1, 2]], computed twice, then
    for an ``a`` that already holds a gradient; then the stated properties.

    Known mistakes are named by their failure alone: the results of an answer that adds into
    the caller's ``a.grad`` depend on what ``a.grad`` held, which a comparison on copies of the
    arguments (without their ``.grad``) would not see."""
    a, v, want = kit.on_device([[2.0, 4.0]]), kit.on_device([[1.0, 2.0]]), kit.on_device([[12.0, 34.0]])
    what = "vjp(f, a, v) on the chapter's example a = [[2, 4]], v = [[1, 2]]"
    first, _ = call(vjp, source_example, a, v, what=what)
    assert_matches(first, want, what)
    second, _ = call(vjp, source_example, a, v, what=what + ", called a second time")
    assert_matches(second, want, what + ", called a second time (do gradients from the first call add up?)")
    held = what + f", with an a that requires grad and already holds a.grad = [[{STORED:g}, {STORED:g}]]"
    stale, _ = call(vjp, source_example, holding_a_gradient(a), v, what=held)
    assert_matches(stale, want, held + " (does the stored gradient leak into the result?)")
    assert_vjp_properties(vjp, source_example, kit.on_device([[2.0, 4.0]]), v, what)
