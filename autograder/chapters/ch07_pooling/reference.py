"""References for chapter 7 (pooling): PyTorch's built-in pooling on (N, C, H, W) inputs.

Sizes (``kernel_size``, ``stride``, ``padding``, ``output_size``) are ints or
``(height, width)`` pairs, as ``nn.MaxPool2d`` takes them; ``stride=None`` means the
kernel size.
"""

import torch
import torch.nn.functional as F

from autograder.runtime.kit import as_pair


def pool2d(
    X: torch.Tensor, kernel_size, stride=None, padding=0, mode: str = "max", ceil_mode: bool = False, dilation=1
) -> torch.Tensor:
    """Max (padding with -inf) or average (zero padding counted) pooling of ``X`` (N, C, H, W),
    as ``F.max_pool2d`` and ``F.avg_pool2d``: ``ceil_mode`` rounds the number of windows up
    (dropping a last window that would start in the right or bottom padding), and
    ``dilation`` spaces the taps of a max-pooling window (average pooling has none)."""
    stride = kernel_size if stride is None else stride
    if mode == "max":
        return F.max_pool2d(
            X, as_pair(kernel_size), as_pair(stride), as_pair(padding), as_pair(dilation), ceil_mode=ceil_mode
        )
    if mode == "avg":
        if as_pair(dilation) != (1, 1):
            raise ValueError("average pooling has no dilation (F.avg_pool2d takes none): dilation must be 1")
        return F.avg_pool2d(X, as_pair(kernel_size), as_pair(stride), as_pair(padding), ceil_mode=ceil_mode)
    raise ValueError(f"mode must be 'max' or 'avg', not {mode!r}")


def pool_output_size(n: int, k: int, stride: int, padding: int = 0, dilation: int = 1, ceil_mode: bool = False) -> int:
    """The number of windows along an axis of length ``n``, read off ``F.max_pool2d`` on the
    ``meta`` device (shapes without data)."""
    X = torch.empty(1, 1, 1, n, device="meta")
    return F.max_pool2d(X, (1, k), (1, stride), (0, padding), (1, dilation), ceil_mode=ceil_mode).shape[-1]


def max_pool_with_indices(X: torch.Tensor, kernel_size, stride=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Max pooling of ``X`` (N, C, H, W) and, for every output, the flat index ``i * W + j`` of
    its maximum within its own (H, W) plane (int64), as ``nn.MaxPool2d(return_indices=True)``."""
    stride = kernel_size if stride is None else stride
    return F.max_pool2d(X, as_pair(kernel_size), as_pair(stride), return_indices=True)


def max_unpool(Y: torch.Tensor, indices: torch.Tensor, output_size) -> torch.Tensor:
    """Zeros of shape (N, C, *output_size) with ``Y[n, c].flatten()[k]`` written at the flat
    index ``indices[n, c].flatten()[k]`` of plane (n, c), as ``nn.MaxUnpool2d``.

    ``output_size`` is ``(H, W)`` (or a full (N, C, H, W) size, whose last two entries count).
    """
    H, W = as_pair(output_size)[-2:]
    return torch.ops.aten.max_unpool2d(Y, indices, [H, W])


def avg_pool2d(
    X: torch.Tensor,
    kernel_size,
    stride=None,
    padding=0,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> torch.Tensor:
    """Average pooling of ``X`` (N, C, H, W), as ``F.avg_pool2d``."""
    stride = kernel_size if stride is None else stride
    return F.avg_pool2d(
        X,
        as_pair(kernel_size),
        as_pair(stride),
        as_pair(padding),
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


def adaptive_avg_pool2d(X: torch.Tensor, output_size) -> torch.Tensor:
    """Adaptive average pooling of ``X`` (N, C, H, W) to ``output_size`` (int or (h, w))."""
    return F.adaptive_avg_pool2d(X, as_pair(output_size))


def adaptive_bins(n: int, out: int) -> list[tuple[int, int]]:
    """The ``out`` windows ``[start, end)`` adaptive pooling uses along an axis of length ``n``:
    start = floor(i n / out), end = ceil((i + 1) n / out). Measured on the built-in: each
    window's first and last element are the smallest and largest of an arange it averages over.
    """
    line = torch.arange(float(n)).reshape(1, 1, 1, n)
    ends = (-F.adaptive_max_pool2d(-line, (1, out))).flatten().long().tolist()
    lasts = F.adaptive_max_pool2d(line, (1, out)).flatten().long().tolist()
    return [(start, last + 1) for start, last in zip(ends, lasts)]
