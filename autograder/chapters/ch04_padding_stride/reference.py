"""References for chapter 4 (padding, stride and dilation)."""

import torch
import torch.nn.functional as F

from autograder.runtime.kit import as_pair


def conv_output_size(n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """Output length along one axis, read off the shape ``F.conv2d`` gives (no arithmetic here).

    The tensors live on PyTorch's ``meta`` device: shapes without data, so any size is free.
    """
    x = torch.empty(1, 1, n, 1, device="meta")
    w = torch.empty(1, 1, k, 1, device="meta")
    return F.conv2d(x, w, padding=(padding, 0), stride=(stride, 1), dilation=(dilation, 1)).shape[2]


def pad2d(X: torch.Tensor, padding) -> torch.Tensor:
    """Zero-pad ``X`` (H, W) by ``padding`` rows above and below and columns left and right."""
    ph, pw = as_pair(padding)
    return F.pad(X, (pw, pw, ph, ph))


def corr2d_general(X: torch.Tensor, K: torch.Tensor, padding=0, stride=1, dilation=1) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (H, W) with ``K`` (kh, kw) with padding, stride and dilation."""
    return F.conv2d(
        X[None, None], K[None, None], padding=as_pair(padding), stride=as_pair(stride), dilation=as_pair(dilation)
    )[0, 0]
