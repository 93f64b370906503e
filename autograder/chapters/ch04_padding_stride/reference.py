"""References for chapter 4 (padding, stride and dilation)."""

import torch
import torch.nn.functional as F

from autograder.runtime.kit import as_pair


def _conv_output_size_1d(n: int, k: int, padding: int, stride: int, dilation: int) -> int:
    """Output length along one axis, read off the shape ``F.conv2d`` gives (no arithmetic here).

    The tensors live on PyTorch's ``meta`` device: shapes without data, so any size is free.
    """
    x = torch.empty(1, 1, n, 1, device="meta")
    w = torch.empty(1, 1, k, 1, device="meta")
    return F.conv2d(x, w, padding=(padding, 0), stride=(stride, 1), dilation=(dilation, 1)).shape[2]


CONVOLUTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    """Output size of a convolution: an int when every argument is an int (one axis), else a
    tuple with one entry per spatial dimension (1, 2 or 3), each argument an int (the same for
    every dimension) or a tuple of that length. Read off the shape that ``F.conv1d``,
    ``F.conv2d`` or ``F.conv3d`` gives on the ``meta`` device, as ``nn.Conv1d/2d/3d`` would."""
    arguments = (n, k, padding, stride, dilation)
    if all(isinstance(a, int) for a in arguments):
        return _conv_output_size_1d(*arguments)
    lengths = {len(a) for a in arguments if not isinstance(a, int)}
    if len(lengths) != 1 or not lengths <= set(CONVOLUTIONS):
        raise ValueError(f"tuple arguments must all have the same length, 1, 2 or 3: {arguments}")
    (dims,) = lengths
    n, k, padding, stride, dilation = (tuple(a) if not isinstance(a, int) else (a,) * dims for a in arguments)
    x = torch.empty(1, 1, *n, device="meta")
    w = torch.empty(1, 1, *k, device="meta")
    return tuple(CONVOLUTIONS[dims](x, w, padding=padding, stride=stride, dilation=dilation).shape[2:])


def pad2d(X: torch.Tensor, padding) -> torch.Tensor:
    """Zero-pad ``X`` (H, W) by ``padding`` rows above and below and columns left and right."""
    ph, pw = as_pair(padding)
    return F.pad(X, (pw, pw, ph, ph))


def corr2d_general(X: torch.Tensor, K: torch.Tensor, padding=0, stride=1, dilation=1) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (H, W) with ``K`` (kh, kw) with padding, stride and dilation."""
    return F.conv2d(
        X[None, None], K[None, None], padding=as_pair(padding), stride=as_pair(stride), dilation=as_pair(dilation)
    )[0, 0]
