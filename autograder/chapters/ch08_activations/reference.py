"""References for chapter 8 (linear layers and activations).

Each function wraps the PyTorch operation it documents: ``F.linear``, ``torch.sigmoid``,
``torch.tanh``, ``F.relu``, ``F.leaky_relu``, ``F.prelu`` and ``F.rrelu``. The derivatives
are what ``torch.autograd.grad`` gives for those built-ins, element by element.
"""

from collections.abc import Callable

import torch
import torch.nn.functional as F


def linear(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """``x W^T + b`` for ``x`` (..., in), ``W`` (out, in) and ``b`` (out,) or None: (..., out)."""
    return F.linear(x, W, b)


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """The logistic function 1 / (1 + exp(-x)), element-wise."""
    return torch.sigmoid(x)


def tanh(x: torch.Tensor) -> torch.Tensor:
    """The hyperbolic tangent, element-wise."""
    return torch.tanh(x)


def relu(x: torch.Tensor) -> torch.Tensor:
    """max(x, 0), element-wise."""
    return F.relu(x)


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """x where x > 0, else ``negative_slope * x``."""
    return F.leaky_relu(x, negative_slope)


def prelu(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """Leaky ReLU with the slope ``a``: one value, or one per channel (dim 1 of ``x``)."""
    return F.prelu(x, a.reshape(-1))


def rrelu(x: torch.Tensor, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False) -> torch.Tensor:
    """Randomized leaky ReLU: a slope drawn from U(lower, upper) per element in training, and
    the mean slope (lower + upper) / 2 in evaluation."""
    return F.rrelu(x, lower, upper, training=training)


def derivative(function: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The derivative of the element-wise ``function`` at every element of ``x``, by autograd."""
    leaf = x.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(function(leaf), leaf, torch.ones_like(leaf))
    return grad


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """d sigmoid / dx at ``x``."""
    return derivative(torch.sigmoid, x)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """d tanh / dx at ``x``."""
    return derivative(torch.tanh, x)


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """d relu / dx at ``x`` (0 at x = 0, as autograd has it)."""
    return derivative(F.relu, x)


def leaky_relu_grad(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """d leaky_relu / dx at ``x`` (``negative_slope`` at x = 0, as autograd has it)."""
    return derivative(lambda t: F.leaky_relu(t, negative_slope), x)
