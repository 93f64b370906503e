"""Building blocks of the checks: call and compare, compare gradients, count operations."""

from collections.abc import Callable, Sequence

import torch

from autograder.calling import call
from autograder.compare import CheckFailure, assert_matches


def assert_result(fn, args: Sequence, expected: torch.Tensor, what: str, **options) -> torch.Tensor:
    """Run ``fn(*args)`` through :func:`~autograder.calling.call` (``options`` go there too) and
    compare its result with ``expected``; return the result."""
    got, _ = call(fn, *args, what=what, **options)
    assert_matches(got, expected, what)
    return got


def assert_gradients_match(
    fn, reference: Callable, args: Sequence, G: torch.Tensor, what: str, labels: Sequence[str], **options
) -> None:
    """The gradients of ``sum(fn(*args) * G)`` with respect to every tensor in ``args`` (named by
    ``labels``) match the reference's. Other arguments (padding, stride, ...) pass unchanged.
    """
    leaves = [a.clone().requires_grad_(True) if isinstance(a, torch.Tensor) else a for a in args]
    tensors = [a for a in leaves if isinstance(a, torch.Tensor)]
    out, _ = call(fn, *leaves, what=what, **options)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(
            f"{what} is not differentiable: its result is not connected to the inputs in the "
            "autograd graph. Avoid .item(), .tolist(), .detach(), numpy and torch.tensor(...) "
            "on intermediate values; build the result from tensor operations on the inputs."
        )
    assert_matches(out, reference(*leaves), what)
    got = torch.autograd.grad(out, tensors, G, allow_unused=True)
    expected = torch.autograd.grad(reference(*leaves), tensors, G, allow_unused=True)
    for label, g, e, leaf in zip(labels, got, expected, tensors):
        g = torch.zeros_like(leaf) if g is None else g
        e = torch.zeros_like(leaf) if e is None else e
        assert_matches(g, e, f"The gradient of {what} with respect to {label}")


def assert_ops_do_not_grow(fn, small: Sequence, large: Sequence, what: str, advice: str, **options) -> None:
    """``fn`` must run no more tensor operations on the ``large`` arguments than on the ``small``
    ones: a Python loop over pixels (or channels) would."""
    counts = [len(call(fn, *args, what=what, **options)[1]) for args in (small, large)]
    if counts[1] > counts[0]:
        raise CheckFailure(
            f"{what} must not loop over the input: it ran {counts[0]} tensor operations on the smaller "
            f"input but {counts[1]} on the larger one. {advice}"
        )
