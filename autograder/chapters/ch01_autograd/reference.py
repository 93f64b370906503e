"""Reference for chapter 1 (autograd warm-up)."""

from collections.abc import Callable

import torch


def vjp(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Vector-Jacobian product ``v^T J_f(x)``, shaped like ``x``.

    Wraps :func:`torch.autograd.functional.vjp`; ``v`` has the shape of ``f(x)``.
    """
    return torch.autograd.functional.vjp(f, x, v)[1]
