"""References for chapter 6 (transposed convolution).

``conv_matrix`` is built by running ``F.conv2d`` on every unit image (column ``j`` of the
matrix is the response to an image that is 1 at pixel ``j`` and 0 elsewhere), so it owes
nothing to the index arithmetic the exercise asks for. ``trans_conv`` wraps
``F.conv_transpose2d``, and ``trans_conv_output_size`` reads the length off the shape that
``F.conv_transpose2d`` gives on the ``meta`` device.
"""

import torch
import torch.nn.functional as F

from autograder.runtime.kit import as_pair


def conv_matrix(K: torch.Tensor, input_shape) -> torch.Tensor:
    """The matrix W with ``W @ X.flatten() == corr2d(X, K).flatten()`` for X of ``input_shape``.

    W has one row per output element and one column per input pixel, both in row-major
    order: shape ``((H - kh + 1) * (W - kw + 1), H * W)``, on K's device, in K's dtype.
    """
    H, W = input_shape
    units = torch.eye(H * W, dtype=K.dtype, device=K.device).reshape(H * W, 1, H, W)
    responses = F.conv2d(units, K[None, None])  # (H * W, 1, H', W'): one per input pixel
    return responses.flatten(1).T


def trans_conv(X: torch.Tensor, K: torch.Tensor, stride=1, padding=0) -> torch.Tensor:
    """2-D transposed convolution of ``X`` (H, W) with ``K`` (kh, kw); int or pair arguments.

    Output shape ``((H - 1) * sh - 2 * ph + kh, (W - 1) * sw - 2 * pw + kw)``.
    """
    return F.conv_transpose2d(X[None, None], K[None, None], stride=as_pair(stride), padding=as_pair(padding))[0, 0]


def trans_conv_output_size(
    n: int, k: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """Output length along one axis of a transposed convolution, read off ``F.conv_transpose2d``.

    The tensors live on PyTorch's ``meta`` device (shapes without data), so any size is free.
    PyTorch requires ``output_padding`` to be smaller than the stride or the dilation.
    """
    x = torch.empty(1, 1, n, 1, device="meta")
    w = torch.empty(1, 1, k, 1, device="meta")
    y = F.conv_transpose2d(
        x, w, stride=(stride, 1), padding=(padding, 0), output_padding=(output_padding, 0), dilation=(dilation, 1)
    )
    return y.shape[2]
