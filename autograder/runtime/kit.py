"""Building blocks of the checks, so that every chapter says the same thing the same way.

Inputs on the course device (:func:`on_device`, :func:`numbers`) and sizes given as an int
or a pair (:func:`as_pair`); calling an answer and comparing its result, its gradients and
the number of operations it runs; answers that must be a Python int (:func:`assert_int`);
and hidden cases declared as data (:class:`Hidden`), run by :func:`run_hidden`, which
numbers them and quotes the grading seed when one fails. Shapes in messages are written by
:func:`autograder.runtime.compare.shape_text`, as the comparisons write them. The checks
import this module as ``kit``, so that a shared block reads as one.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import torch

from autograder.runtime.calling import call
from autograder.runtime.cases import Cases
from autograder.runtime.compare import CheckFailure, assert_matches
from autograder.runtime.device import device

# ---------------------------------------------------------------------------------------
# Inputs and sizes


def as_pair(value) -> tuple[int, int]:
    """An int or a (height, width) pair as a pair: kernel sizes, strides and paddings take either."""
    return (value, value) if isinstance(value, int) else tuple(value)


def on_device(values, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A tensor of ``values`` on the course device, where the answers run."""
    return torch.tensor(values, dtype=dtype, device=device())


def copies(*args) -> tuple:
    """``args`` with their tensors copied: an answer that writes into its inputs must not change
    what the check's next call gets (the property checks say what it did)."""
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def numbers(*shape: int, modulo: int | None = None, shift: float = 0.0) -> torch.Tensor:
    """0, 1, 2, ... in row-major order as a float32 tensor of ``shape`` on the course device,
    taken mod ``modulo``, minus ``shift``: an input a message can state in words ("0..59 mod 7")."""
    values = torch.arange(float(torch.Size(shape).numel()), device=device()).reshape(shape)
    return (values if modulo is None else values % modulo) - shift


# ---------------------------------------------------------------------------------------
# Results, gradients, operations


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
    copies = [a.detach().clone().requires_grad_(True) if isinstance(a, torch.Tensor) else a for a in args]
    expected_out = reference(*copies)
    assert_matches(out, expected_out, what)
    got = gradients(out, tensors, G, what)
    expected = torch.autograd.grad(
        expected_out, [a for a in copies if isinstance(a, torch.Tensor)], G, allow_unused=True
    )
    for label, g, e, leaf in zip(labels, got, expected, tensors):
        g = torch.zeros_like(leaf) if g is None else g
        e = torch.zeros_like(leaf) if e is None else e
        assert_matches(g, e, f"The gradient of {what} with respect to {label}")


def gradients(out: torch.Tensor, inputs: Sequence[torch.Tensor], G: torch.Tensor, what: str) -> tuple:
    """The gradients of ``sum(out * G)`` with respect to ``inputs``; an answer whose graph cannot
    be run backward (it changed in place a value autograd kept) fails the check with PyTorch's words."""
    try:
        return torch.autograd.grad(out, inputs, G, allow_unused=True)
    except RuntimeError as error:
        raise CheckFailure(
            f"{what}: computing its gradient failed, with PyTorch's error: {error}\nUsually an operation "
            "changed in place (a method ending in _, an assignment X[...] = ...) a value the backward pass needs."
        ) from None


def assert_ops_do_not_grow(fn, small: Sequence, large: Sequence, what: str, advice: str, **options) -> None:
    """``fn`` must run no more tensor operations on the ``large`` arguments than on the ``small``
    ones: a Python loop over pixels (or channels) would."""
    counts = [len(call(fn, *args, what=what, **options)[1]) for args in (small, large)]
    if counts[1] > counts[0]:
        raise CheckFailure(
            f"{what} must not loop over the input: it ran {counts[0]} tensor operations on the smaller "
            f"input but {counts[1]} on the larger one. {advice}"
        )


# ---------------------------------------------------------------------------------------
# Integer results


@dataclass(frozen=True)
class IntAdvice:
    """What to tell a student whose answer is not a Python int, by what it returned instead.

    ``quantity`` names what a bool should have been (``"the output size"``); ``float_advice``
    follows "it must return a Python int. " for a float; ``tensor_advice`` follows "it must
    return a Python int" for a tensor, its punctuation included (``". Compute the size ..."``);
    ``type_aside`` (with ``{}`` for the type's name) follows the value of any other type.
    """

    quantity: str
    float_advice: str
    tensor_advice: str
    type_aside: str = " (of type {})"


# The output length of a convolution (chapter 4) or a transposed convolution (chapter 6).
OUTPUT_SIZE = IntAdvice(
    quantity="the output size",
    float_advice="A float usually comes from true division /: use floor division // for sizes.",
    tensor_advice=". Compute the size with Python integers, not tensors.",
)


def _int_problem(value, advice: IntAdvice) -> str | None:
    """Why ``value`` is not a Python int, or None when it is one: the end of a message that
    starts with the call (``"conv_output_size(n=8, k=3) " + problem``)."""
    if isinstance(value, bool):
        return f"returned {value!r}, a bool; it must return {advice.quantity} as a Python int."
    if isinstance(value, int):
        return None
    if value is None:
        return "returned None: did you forget the return statement?"
    if isinstance(value, float):
        return f"returned {value!r}, a float; it must return a Python int. {advice.float_advice}"
    if isinstance(value, torch.Tensor):
        return f"returned a tensor ({value!r}); it must return a Python int{advice.tensor_advice}"
    kind = f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")
    return f"returned {value!r}{advice.type_aside.format(kind)}; it must return a Python int (convert with int(...))."


def assert_int(got, expected: int, what: str, advice: IntAdvice) -> None:
    """``got``, what the call ``what`` returned, is exactly the Python int ``expected``."""
    problem = _int_problem(got, advice)
    if problem is not None:
        raise CheckFailure(f"{what} {problem}")
    if got != expected:
        raise CheckFailure(f"{what} returned {got}, expected {expected}.")


# ---------------------------------------------------------------------------------------
# Hidden cases


@dataclass(frozen=True)
class Hidden:
    """One hidden case: its inputs in words (quoted when it fails) and the checks it runs,
    ``run()``, which raises :class:`~autograder.runtime.compare.CheckFailure` on a wrong answer.
    Build ``run`` with :func:`functools.partial`, so that it keeps the values of its own case."""

    inputs: str
    run: Callable[[], object]


def gradient_case(
    inputs: str, fn, reference: Callable, args: Sequence, G: torch.Tensor, what: str, labels: Sequence[str], **options
) -> Hidden:
    """The hidden case on ``inputs`` that compares the gradients of ``fn`` with the reference's
    (see :func:`assert_gradients_match`, which takes the other arguments)."""
    return Hidden(inputs, partial(assert_gradients_match, fn, reference, args, G, what, labels, **options))


def run_hidden(cases: Cases, plan: Sequence[Hidden]) -> None:
    """Run the hidden cases of ``plan`` in order. A failure is prefixed with the case's number,
    the grading seed (to replay the run) and its inputs, since the student cannot see the code."""
    for number, case in enumerate(plan, start=1):
        try:
            case.run()
        except CheckFailure as failure:
            where = f"Hidden check {number} of {len(plan)} failed (grading seed {cases.seed}), on {case.inputs}."
            raise CheckFailure(f"{where}\n{failure}", tables=failure.tables) from None


def _each(check: Callable, examples: Sequence[tuple]) -> None:
    for example in examples:
        check(*example)


def example_groups(groups: Sequence[tuple[str, Sequence[tuple]]], check: Callable) -> list[Hidden]:
    """One hidden case per group ``(label, examples)``: ``check(*example)`` on each example of
    the group. For answers that are cheap to call, such as sizes and counts, tried by the dozen."""
    return [Hidden(f"{label} ({len(examples)} cases)", partial(_each, check, examples)) for label, examples in groups]
