"""References for chapter 11 (gradients by hand): the gradients autograd computes through
PyTorch's built-ins, and central differences for the numeric gradient.

Sizes (``kernel_size``, ``stride``, ``padding``) are ints or ``(height, width)`` pairs;
``stride=None`` means the kernel size, as for the pooling layers.
"""

import torch
import torch.nn.functional as F

from autograder.runtime.kit import as_pair


def numerical_gradient(f, x: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Central differences ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` of the scalar function
    ``f`` at ``x``, one entry at a time, in ``x``'s dtype and shape; ``x`` is left alone."""
    flat = x.detach().clone().reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = float(f(flat.reshape(x.shape)))
        flat[i] = old - eps
        minus = float(f(flat.reshape(x.shape)))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def relative_error(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """CS231n's relative error: the largest ``|a - b| / max(1e-8, |a| + |b|)``, a 0-d tensor."""
    return ((a - b).abs() / (a.abs() + b.abs()).clamp(min=1e-8)).max()


def conv2d(X: torch.Tensor, K: torch.Tensor, b: torch.Tensor | None = None, stride=1, padding=0) -> torch.Tensor:
    """The convolution layer's forward (a cross-correlation), as ``F.conv2d``."""
    return F.conv2d(X, K, b, as_pair(stride), as_pair(padding))


def _grads(out: torch.Tensor, dY: torch.Tensor, inputs: list[torch.Tensor]) -> tuple:
    return torch.autograd.grad(out, inputs, dY)


def conv2d_backward(dY: torch.Tensor, X: torch.Tensor, K: torch.Tensor, stride=1, padding=0) -> tuple:
    """``(dX, dK, db)``: the gradients of ``sum(conv2d(X, K, b) * dY)``, by autograd through ``F.conv2d``."""
    with torch.enable_grad():
        X_, K_ = X.detach().requires_grad_(True), K.detach().requires_grad_(True)
        b_ = torch.zeros(K.shape[0], dtype=K.dtype, device=K.device, requires_grad=True)
        return _grads(conv2d(X_, K_, b_, stride, padding), dY, [X_, K_, b_])


class Conv2dFunction(torch.autograd.Function):
    """The convolution as an autograd Function: ``F.conv2d`` forward, the built-in gradients backward."""

    @staticmethod
    def forward(ctx, X, K, b, stride=1, padding=0):
        ctx.save_for_backward(X, K)
        ctx.stride, ctx.padding = stride, padding
        return conv2d(X, K, b, stride, padding)

    @staticmethod
    def backward(ctx, dY):
        X, K = ctx.saved_tensors
        dX, dK, db = conv2d_backward(dY, X, K, ctx.stride, ctx.padding)
        return dX, dK, db, None, None


def max_pool2d_backward(dY: torch.Tensor, X: torch.Tensor, kernel_size, stride=None) -> torch.Tensor:
    """dX of max pooling (no padding), by autograd through ``F.max_pool2d``."""
    stride = kernel_size if stride is None else stride
    with torch.enable_grad():
        X_ = X.detach().requires_grad_(True)
        return _grads(F.max_pool2d(X_, as_pair(kernel_size), as_pair(stride)), dY, [X_])[0]


def avg_pool2d_backward(dY: torch.Tensor, input_shape, kernel_size, stride=None, padding=0) -> torch.Tensor:
    """dX of average pooling (padding counted, as ``F.avg_pool2d``'s default), by autograd."""
    stride = kernel_size if stride is None else stride
    with torch.enable_grad():
        X_ = torch.zeros(tuple(input_shape), dtype=dY.dtype, device=dY.device, requires_grad=True)
        out = F.avg_pool2d(X_, as_pair(kernel_size), as_pair(stride), as_pair(padding))
        return _grads(out, dY, [X_])[0]


def batch_norm_backward(dY: torch.Tensor, X: torch.Tensor, gamma: torch.Tensor, eps: float = 1e-5) -> tuple:
    """``(dX, dgamma, dbeta)`` of batch normalization in training mode (batch statistics, biased
    variance), for (N, C) and (N, C, H, W), by autograd through ``F.batch_norm``."""
    with torch.enable_grad():
        X_, g_ = X.detach().requires_grad_(True), gamma.detach().requires_grad_(True)
        beta = torch.zeros_like(g_, requires_grad=True)
        out = F.batch_norm(X_, None, None, g_, beta, training=True, eps=eps)
        return _grads(out, dY, [X_, g_, beta])
