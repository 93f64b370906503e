"""References for chapter 5 (multiple input and output channels)."""

import torch
import torch.nn.functional as F
from torch import nn


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlate ``X`` (Ci, H, W) with ``K`` (Ci, kh, kw) and sum over channels: (H', W')."""
    return F.conv2d(X[None], K[None])[0, 0]


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Cross-correlate ``X`` (Ci, H, W) with ``K`` (Co, Ci, kh, kw): (Co, H', W')."""
    return F.conv2d(X[None], K)[0]


def corr2d_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """1x1 convolution of ``X`` (Ci, H, W) with ``K`` (Co, Ci, 1, 1): (Co, H, W)."""
    return corr2d_multi_in_out(X, K)


def corr2d_grouped(X: torch.Tensor, K: torch.Tensor, groups: int) -> torch.Tensor:
    """Grouped cross-correlation of ``X`` (Ci, H, W) with ``K`` (Co, Ci / groups, kh, kw)."""
    return F.conv2d(X[None], K, groups=groups)[0]


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def conv2d_num_params(in_channels: int, out_channels: int, kernel_size, bias: bool = True, groups: int = 1) -> int:
    """Number of parameters of ``nn.Conv2d`` with these arguments (counted on a real module)."""
    return _count(nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, groups=groups, device="meta"))


def linear_num_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of parameters of ``nn.Linear`` with these arguments (counted on a real module)."""
    return _count(nn.Linear(in_features, out_features, bias=bias, device="meta"))
