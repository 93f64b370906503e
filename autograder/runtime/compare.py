"""Compare a student's tensor with the reference and explain any difference in plain words.

The order of the checks is the order a student should fix things in: is it a tensor at
all, then its shape, then dtype and device, then the values.
"""

import math

import torch

# (rtol, atol) per dtype: wide enough for a different summation order, tight enough to
# catch any real mistake. Values are compared as |got - expected| <= atol + rtol * |expected|.
TOLERANCES = {
    torch.float16: (1e-3, 1e-3),
    torch.bfloat16: (1.6e-2, 1e-2),
    torch.float32: (1e-5, 1e-5),
    torch.float64: (1e-9, 1e-9),
}


# Results this small are shown in full beside what was expected (in Jupyter, as two tables).
SHOWN_IN_FULL = 64


class CheckFailure(AssertionError):
    """A check found a wrong result; the message says what was expected and what came back.

    Beside the message, for the notebook's rich display: ``tables``, small tensors to show in
    full (``(label, tensor)`` pairs), and ``links``, the book sections the message names in
    words (``{words: {"html": "page.html#id", "md": "page.md#id"}}``).
    """

    def __init__(self, message: str = "", *, tables: tuple = (), links: dict | None = None) -> None:
        super().__init__(message)
        self.tables, self.links = tables, dict(links or {})

    def extended(self, text: str, links: dict | None = None) -> "CheckFailure":
        """This failure with ``text`` appended as a paragraph of its own (and its ``links``)."""
        return CheckFailure(f"{self}\n\n{text}", tables=self.tables, links={**self.links, **(links or {})})


def tolerance(dtype: torch.dtype) -> tuple[float, float]:
    """Return ``(rtol, atol)`` for comparing values of ``dtype`` (exact for integers and bools)."""
    return TOLERANCES.get(dtype, (0.0, 0.0))


def shape_text(shape) -> str:
    """A shape as every message writes it, as PyTorch prints sizes: (2, 3), (5,), and () for a 0-d tensor."""
    return str(tuple(shape))


def _index(flat: int, shape: torch.Size) -> tuple[int, ...]:
    return tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), shape)) if shape else ()


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def describe(t) -> str:
    """A short description of a value: shape, dtype and device for tensors, the type otherwise."""
    if isinstance(t, torch.Tensor):
        return f"a {t.dtype} tensor of shape {shape_text(t.shape)} on {t.device}"
    return f"a {type(t).__name__}"


def value_mismatch(got: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float) -> str | None:
    """Explain where ``got`` and ``expected`` (same shape) differ, or return None if they agree."""
    g = got.detach().to("cpu", torch.float64).reshape(-1)
    e = expected.detach().to("cpu", torch.float64).reshape(-1)
    error = (g - e).abs()
    same_nan = g.isnan() & e.isnan()
    bad = ~((error <= atol + rtol * e.abs()) | same_nan | (g == e))
    count = int(bad.sum())
    if count == 0:
        return None
    first = int(bad.nonzero()[0])
    error = torch.where(bad, error.nan_to_num(nan=math.inf), torch.zeros_like(error))
    worst = int(error.argmax())
    lines = [
        f"{count} of {g.numel()} values differ (allowed: |got - expected| <= {atol:g} + {rtol:g} * |expected|).",
        f"First wrong value at index {_index(first, got.shape)}: expected {_fmt(e[first])}, got {_fmt(g[first])}.",
    ]
    if worst != first:
        lines.append(
            f"Largest error {_fmt(error[worst])} at index {_index(worst, got.shape)}: "
            f"expected {_fmt(e[worst])}, got {_fmt(g[worst])}."
        )
    else:
        lines.append(f"Largest error: {_fmt(error[worst])}.")
    return "\n".join(lines)


def mismatch(got, expected: torch.Tensor, *, rtol: float | None = None, atol: float | None = None) -> str | None:
    """Explain how ``got`` differs from the tensor ``expected``; None when they match.

    Tolerances default to those of ``expected.dtype``.
    """
    if not isinstance(got, torch.Tensor):
        return f"Expected a tensor, got {describe(got)}."
    if got.shape != expected.shape:
        return f"Expected shape {shape_text(expected.shape)}, got shape {shape_text(got.shape)}."
    if got.dtype != expected.dtype:
        return f"Expected dtype {expected.dtype} (the input's dtype), got {got.dtype}."
    if got.device != expected.device:
        return (
            f"Expected the result on {expected.device} (the input's device), got it on {got.device}. "
            "Create new tensors with device=X.device (or torch.zeros_like and friends)."
        )
    default_rtol, default_atol = tolerance(expected.dtype)
    return value_mismatch(got, expected, default_rtol if rtol is None else rtol, default_atol if atol is None else atol)


def assert_matches(
    got, expected: torch.Tensor, what: str, *, rtol: float | None = None, atol: float | None = None
) -> None:
    """Raise :class:`CheckFailure` naming ``what`` when ``got`` does not match ``expected``."""
    problem = mismatch(got, expected, rtol=rtol, atol=atol)
    if problem is not None:
        small = isinstance(got, torch.Tensor) and got.shape == expected.shape and got.numel() <= SHOWN_IN_FULL
        shown = (("expected", expected.detach()), ("got", got.detach())) if small and 1 <= got.dim() <= 2 else ()
        raise CheckFailure(f"{what} is not right.\n{problem}", tables=shown)
