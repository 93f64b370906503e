"""References for chapter 9 (batch normalization): PyTorch's ``F.batch_norm`` and ``nn.BatchNorm2d``.

``F.batch_norm`` updates the running estimates in place; :func:`batch_norm` works on copies
and returns the new estimates, which is the exercise's interface.
"""

import torch
import torch.nn.functional as F
from torch import nn


def batch_norm(
    X: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    training: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Batch normalization of ``X`` (N, C) or (N, C, H, W) per channel: ``(Y, running_mean, running_var)``.

    In training mode ``Y`` uses the batch's mean and biased variance over every axis but the
    channel axis 1, and the running estimates move towards the batch's mean and *unbiased*
    variance by ``momentum``; in eval mode ``Y`` uses the running estimates, returned unchanged.
    """
    mean, var = running_mean.detach().clone(), running_var.detach().clone()
    Y = F.batch_norm(X, mean, var, gamma, beta, training=training, momentum=momentum, eps=eps)
    return Y, mean, var


def batch_stats(X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-channel mean, biased and unbiased variance of ``X`` over all axes but axis 1 (shape (C,) each)."""
    axes = [axis for axis in range(X.dim()) if axis != 1]
    return X.mean(dim=axes), X.var(dim=axes, correction=0), X.var(dim=axes, correction=1)


BatchNorm2d = nn.BatchNorm2d


def normalized_shape_tuple(normalized_shape) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple: an int ``d`` stands for ``(d,)``."""
    return (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)


def layer_norm(
    x: torch.Tensor,
    normalized_shape,
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
    eps: float = 1e-5,
) -> torch.Tensor:
    """Layer normalization: each sample normalized over its trailing ``normalized_shape`` dims
    (an int or a tuple), with their mean and biased variance, then scaled by ``weight`` and
    shifted by ``bias`` (both of shape ``normalized_shape``, or None)."""
    return F.layer_norm(x, normalized_shape_tuple(normalized_shape), weight, bias, eps)
