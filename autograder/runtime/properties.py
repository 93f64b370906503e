"""Visible checks of the properties an exercise's text states, each failing with a message
that names the property.

The text of an exercise promises more than values on one example: the result keeps the
input's dtype and device, stays differentiable, leaves the inputs as they were. A student
can only trust "visible checks passed" if the visible checks test those promises too, so
every chapter's checks call :func:`assert_properties` on the chapter's example, and its
hidden checks call it again on random inputs. ``PHRASES`` is the contract with the tests:
the message of a failed property check contains its property's phrase.
"""

from collections.abc import Callable, Sequence

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._device import _device_constructors

from autograder.runtime import kit
from autograder.runtime.calling import call
from autograder.runtime.compare import CheckFailure

# The phrase a failure of each stated property says (tests/test_properties.py holds every
# property-breaking variant to it). "from scratch", "non-square", "batch" and "recipe" are
# said by the chapters' own checks: the guard, and the ``what`` of their examples.
PHRASES = {
    "dtype": "the input's dtype",
    "device": "the input's device",
    "differentiable": "not differentiable",
    "unchanged": "changed its input",
    "from scratch": "from scratch",
    "non-square": "non-square",
    "batch": "batch",
    "recipe": "recipe",
}

# A device no answer names: PyTorch's "meta" tensors have shapes but no data. New tensors
# made without a device land there while the check runs, as they land on the CPU when the
# inputs live on a GPU.
STAND_IN = "meta"


def _tensors(value) -> list[torch.Tensor]:
    """The tensors in a result: the result itself, or those in a tuple or list of results."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for item in value for t in _tensors(item)]
    return []


def _floating(args: Sequence) -> list[int]:
    return [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point()]


def assert_dtype_kept(fn, args: Sequence, what: str, **options) -> None:
    """Given float64 copies of its floating-point inputs, ``fn`` returns float64 results."""
    doubled = [a.double() if i in _floating(args) else a for i, a in enumerate(args)]
    result, _ = call(fn, *doubled, what=what, **options)
    for got in _tensors(result) or [result]:
        if not isinstance(got, torch.Tensor):
            raise CheckFailure(f"{what}: expected a tensor, got a {type(got).__name__}.")
        if got.is_floating_point() and got.dtype != torch.float64:
            raise CheckFailure(
                f"{what} does not keep the input's dtype: given float64 inputs, it returned a {got.dtype} "
                "tensor. A new tensor made without dtype=... is float32 whatever the input: create it "
                "with dtype=X.dtype (or torch.zeros_like and friends), or compute it from the inputs."
            )


class _MovedOffTheStandIn(Exception):
    """The answer made a tensor on the default device and then moved it (``.to(X.device)``): right,
    but a tensor on the stand-in device has no data to move, so the check cannot go on."""


class _StandInDevice(TorchFunctionMode):
    """PyTorch's default device set to ``name`` for the tensors an answer makes, except a single
    number (0-d), which PyTorch lets mix with tensors on any device, as a CPU scalar mixes with
    tensors on a GPU."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        made = func in _device_constructors() and kwargs.get("device") is None
        if made and isinstance(result, torch.Tensor) and result.dim() > 0:
            return result.to(self.name)
        return result


def _with_default_device(fn, name: str):
    """``fn`` run with the default device set to ``name`` (:class:`_StandInDevice`; the checks'
    own code around the call, comparisons included, keeps the usual default)."""

    def run(*args, **kwargs):
        with _StandInDevice(name):
            try:
                return fn(*args, **kwargs)
            except NotImplementedError as error:
                if name in str(error):
                    raise _MovedOffTheStandIn() from None
                raise

    return run


def assert_device_kept(fn, args: Sequence, what: str, **options) -> None:
    """``fn`` returns its results on the input's device, even when PyTorch's default device is
    another one (as it is for inputs on a GPU)."""
    inputs = [a for a in args if isinstance(a, torch.Tensor)]
    home = inputs[0].device
    advice = (
        "A tensor created without device=... lands on PyTorch's default device, which is the CPU "
        "even when the inputs live on a GPU: create it with device=X.device (or torch.zeros_like "
        "and friends), or compute it from the inputs."
    )
    try:
        result, _ = call(_with_default_device(fn, STAND_IN), *args, what=what, **options)
    except CheckFailure as failure:
        if _MovedOffTheStandIn.__name__ in str(failure):
            return  # it moved what it made to the input's device: what the property asks
        if STAND_IN not in str(failure):
            raise
        raise CheckFailure(
            f"{what} does not keep the input's device: it mixed its inputs (on {home}) with a tensor it "
            f"created on the default device, set to {STAND_IN!r} for this check.\n{advice}"
        ) from None
    for got in _tensors(result):
        if got.device != home:
            raise CheckFailure(
                f"{what} does not keep the input's device: with the default device set to {STAND_IN!r} "
                f"for this check, it returned a tensor on {got.device} for inputs on {home}.\n{advice}"
            )


def assert_differentiable(
    fn, args: Sequence, what: str, labels: dict[int, str], output: Callable | None = None, **options
) -> None:
    """The result of ``fn`` (or ``output(result)``) is connected in the autograd graph to each
    input ``args[i]`` named in ``labels`` (``{position: name}``)."""
    leaves = [a.detach().clone().requires_grad_(True) if i in labels else a for i, a in enumerate(args)]
    result, _ = call(fn, *leaves, what=what, **options)
    out = output(result) if output is not None else (_tensors(result) or [result])[0]
    causes = (
        "Usual causes: turning values into Python numbers or numpy arrays (.item(), .tolist(), "
        ".numpy()) and building a tensor from them, or .detach()."
    )
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailure(
            f"{what} is not differentiable: its result is not connected to its inputs in the autograd graph, "
            f"so no gradient can flow back through it. {causes}"
        )
    found = kit.gradients(out, [leaves[i] for i in labels], torch.ones_like(out), what)
    for name, gradient in zip(labels.values(), found):
        if gradient is None:
            raise CheckFailure(
                f"{what} is not differentiable with respect to {name}: its result does not depend on "
                f"{name} in the autograd graph. {causes}"
            )


def assert_inputs_unchanged(fn, args: Sequence, what: str, labels: dict[int, str], **options) -> None:
    """After ``fn(*args)``, the tensors ``args[i]`` named in ``labels`` hold what they held before."""
    before = {i: args[i].detach().clone() for i in labels}
    call(fn, *args, what=what, **options)
    for i, name in labels.items():
        if args[i].shape != before[i].shape or not torch.equal(args[i], before[i]):
            raise CheckFailure(
                f"{what} changed its input {name}: the values it was given are not what they were after the "
                "call. Operations ending in _ (add_, zero_, ...) and assignments such as X[...] = ... or "
                "X /= ... write into the tensor itself: compute the result into a new tensor instead."
            )


def assert_properties(
    fn,
    args: Sequence,
    what: str,
    labels: dict[int, str],
    *,
    dtype: bool = True,
    device: bool = True,
    differentiable: bool = True,
    output: Callable | None = None,
    **options,
) -> None:
    """The stated properties of a tensor-valued exercise on ``args``: inputs unchanged, dtype
    kept, device kept, differentiable with respect to the inputs named in ``labels``
    (``{position: name}``). ``options`` go to :func:`~autograder.runtime.calling.call`."""
    fresh = kit.copies(*args)
    assert_inputs_unchanged(fn, fresh, what, labels, **options)
    if dtype:
        assert_dtype_kept(fn, args, what, **options)
    if device:
        assert_device_kept(fn, args, what, **options)
    if differentiable:
        assert_differentiable(fn, args, what, labels, output, **options)
