"""Building blocks of the checks: call and compare, compare gradients, count operations."""

from collections.abc import Callable, Sequence

import torch

from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure, assert_matches


def assert_result(fn, args: Sequence, expected: torch.Tensor, what: str, **options) -> torch.Tensor:
    """Run ``fn(*args)`` through :func:`~autograder.runtime.calling.call` (``options`` go there too) and
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


def int_problem(
    value, *, quantity: str, float_advice: str, tensor_advice: str, type_aside: str = " (of type {})"
) -> str | None:
    """Why ``value`` is not a Python int, or None when it is one: the end of a message that
    starts with the call (``"conv_output_size(n=8, k=3) " + problem``).

    ``quantity`` names what a bool should have been (``"the output size"``); ``float_advice``
    follows "it must return a Python int. " for a float; ``tensor_advice`` follows "it must
    return a Python int" for a tensor, its punctuation included (``". Compute the size ..."``);
    ``type_aside`` (with ``{}`` for the type's name) follows the value of any other type.
    """
    if isinstance(value, bool):
        return f"returned {value!r}, a bool; it must return {quantity} as a Python int."
    if isinstance(value, int):
        return None
    if value is None:
        return "returned None: did you forget the return statement?"
    if isinstance(value, float):
        return f"returned {value!r}, a float; it must return a Python int. {float_advice}"
    if isinstance(value, torch.Tensor):
        return f"returned a tensor ({value!r}); it must return a Python int{tensor_advice}"
    kind = f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")
    return f"returned {value!r}{type_aside.format(kind)}; it must return a Python int (convert with int(...))."
