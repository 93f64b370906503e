"""Building blocks that earlier chapters had students write, for later notebooks to import.

A chapter's exercises build on the ones before it: chapter 5 sums one ``corr2d`` per
channel, for instance. Importing the finished block from here keeps a later notebook
working for a student whose earlier answer still has a bug. A block is a call to
PyTorch's built-in, not a copy of an answer; the guard does not count what runs inside it
(an answer built on it is still "from scratch"), and the checks of the exercise that
*asks* for a block refuse answers that call this module.
"""

import torch
import torch.nn.functional as F

from autograder.runtime.guard import finished_block
from autograder.runtime.kit import as_pair


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (H, W) with ``K`` (kh, kw), shape (H - kh + 1, W - kw + 1),
    differentiable in ``X`` and ``K`` (chapter 2's exercise, done by the built-in convolution).
    Mixed dtypes give the promoted dtype, as the products of a hand-written loop would."""
    dtype = torch.promote_types(X.dtype, K.dtype)
    with finished_block():
        return F.conv2d(X.to(dtype)[None, None], K.to(dtype)[None, None])[0, 0]


def conv2d_backward(dY: torch.Tensor, X: torch.Tensor, K: torch.Tensor, stride=1, padding=0) -> tuple:
    """``(dX, dK, db)`` of ``conv2d(X, K, b, stride, padding)`` for the output gradient ``dY``
    (chapter 11's exercise, done by PyTorch's own convolution gradients). No autograd runs: it
    may be called inside an autograd Function's backward."""
    with finished_block():
        dX = torch.nn.grad.conv2d_input(X.shape, K, dY, as_pair(stride), as_pair(padding))
        dK = torch.nn.grad.conv2d_weight(X, K.shape, dY, as_pair(stride), as_pair(padding))
        return dX, dK, dY.sum(dim=(0, 2, 3))


def max_pool2d_backward(dY: torch.Tensor, X: torch.Tensor, kernel_size, stride=None) -> torch.Tensor:
    """dX of max pooling ``X`` (N, C, H, W), no padding, for the output gradient ``dY``: each
    window's gradient goes to the element PyTorch's max pooling picks (chapter 11's exercise,
    done with the built-in's indices). No autograd runs."""
    N, C, H, W = X.shape
    stride = kernel_size if stride is None else stride
    with finished_block():
        _, where = F.max_pool2d(X, as_pair(kernel_size), as_pair(stride), return_indices=True)
        dX = torch.zeros(N, C, H * W, dtype=dY.dtype, device=dY.device)
        return dX.scatter_add(2, where.flatten(2), dY.flatten(2)).reshape(N, C, H, W)


def batch_norm_backward(dY: torch.Tensor, X: torch.Tensor, gamma: torch.Tensor, eps: float = 1e-5) -> tuple:
    """``(dX, dgamma, dbeta)`` of batch normalization in training mode (batch statistics, biased
    variance) for X (N, C) or (N, C, H, W) (chapter 11's exercise, done by PyTorch's own batch-norm
    backward). No autograd runs."""
    with finished_block():
        _, mean, inv_std = torch.native_batch_norm(X, gamma, None, None, None, True, 0.0, eps)
        return tuple(
            torch.ops.aten.native_batch_norm_backward(
                dY, X, gamma, None, None, mean, inv_std, True, eps, [True, True, True]
            )
        )
