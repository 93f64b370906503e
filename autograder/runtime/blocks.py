"""Building blocks that earlier chapters had students write, for later notebooks to import.

A chapter's exercises build on the ones before it: chapter 5 sums one ``corr2d`` per
channel, for instance. Importing the finished block from here keeps a later notebook
working for a student whose earlier answer still has a bug. The checks of the exercise
that *asks* for a block refuse answers that call this module.
"""

import torch


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """2-D cross-correlation of ``X`` (H, W) with ``K`` (kh, kw), shape (H - kh + 1, W - kw + 1).

    Chapter 2's exercise: no built-in convolution, differentiable in ``X`` and ``K``.
    """
    windows = X.unfold(0, K.shape[0], 1).unfold(1, K.shape[1], 1)
    return (windows * K).sum(dim=(-2, -1))
