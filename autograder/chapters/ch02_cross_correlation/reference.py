"""References for chapter 2 (cross-correlation and convolution of 2-D tensors)."""

import torch
import torch.nn.functional as F


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (H, W) with ``K`` (kh, kw): shape (H - kh + 1, W - kw + 1).

    Wraps :func:`torch.nn.functional.conv2d`, which computes cross-correlation.
    """
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def conv2d_flipped(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """True 2-D convolution: cross-correlation with the kernel flipped on both axes."""
    return corr2d(X, torch.flip(K, dims=(0, 1)))


def corr2d_vectorized(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """Same result as :func:`corr2d`; the exercise computes it without a loop over pixels."""
    return corr2d(X, K)


def corr2d_loop(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """:func:`corr2d` as a Python loop over output pixels: the slow baseline of the book's timings."""
    h, w = K.shape
    rows, cols = X.shape[0] - h + 1, X.shape[1] - w + 1
    return torch.stack([(X[i : i + h, j : j + w] * K).sum() for i in range(rows) for j in range(cols)]).reshape(
        rows, cols
    )


def corr2d_unfold(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """:func:`corr2d` from all windows at once (``Tensor.unfold``): the vectorized timing contender."""
    windows = X.unfold(0, K.shape[0], 1).unfold(1, K.shape[1], 1)
    return torch.tensordot(windows, K, dims=2)


def corr1d(x: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """1-D cross-correlation of ``x`` (n,) with ``k`` (w,): shape (n - w + 1,).

    Wraps :func:`torch.nn.functional.conv1d`, the one-axis counterpart of ``F.conv2d``.
    """
    return F.conv1d(x[None, None], k[None, None])[0, 0]
